import Foundation
import Synchronization
import AuditFormat
import GatelogCrypto

/// A data directory holding one independent log per region, each with its own writer.
/// Regions are opened on first use.
public final class LogStore: Sendable {
    public let configuration: StoreConfiguration
    public let signingKey: LogSigningKey
    private let writers = Mutex<[String: RegionWriter]>([:])
    private let isClosed = Mutex(false)
    /// Held while a region writer is being opened.
    private let opening = Mutex(())
    private let onDurable: (@Sendable ([DurableRecord]) -> Void)?

    /// Opens the data directory (creating it and a signing key on first start).
    public init(configuration: StoreConfiguration, onDurable: (@Sendable ([DurableRecord]) -> Void)? = nil) throws(StoreError) {
        var config = configuration
        do { try FileIO.makeDirectories("\(config.dataDirectory)/regions") } catch { throw .io(error) }
        try config.loadConfigFile()
        self.configuration = config
        // The regions on disk, configured, or registered: a lost key is refused, never replaced.
        let regionDirectories = LogStoreLayout(configuration: config).regionsToVerify().map { config.regionDirectory($0) }
        self.signingKey = try KeyStore.loadOrCreateSigningKey(dataDirectory: config.dataDirectory, regionDirectories: regionDirectories)
        self.onDurable = onDurable
    }

    /// The writer of `region`, opening (and recovering) it on first use. Concurrent first uses
    /// of a region wait for one opening (a second open would find the region locked by the first).
    public func writer(for region: String) throws(StoreError) -> RegionWriter {
        guard !isClosed.withLock({ $0 }) else { throw .closed }
        if let w = writers.withLock({ $0[region] }) { return w }
        guard Region.isValidName(region) else { throw .invalidRegion(region) }
        // Opens are serialised by `opening` (recovery may read a lot, so not under `writers`:
        // appends to regions already open go on meanwhile).
        return try opening.withLock { _ throws(StoreError) -> RegionWriter in
            if let w = writers.withLock({ $0[region] }) { return w }
            guard !isClosed.withLock({ $0 }) else { throw .closed }
            // A new region beyond the limit would be stored but never indexed (and the index would
            // refuse it at every catch-up): refuse it here, record by record.
            if !FileIO.exists("\(configuration.regionDirectory(region))/segments") {
                // One slot stays free for gatelog's own region (the access log), so clients
                // naming regions cannot leave reads without their audit trail.
                let existing = regions()
                let limit = Region.isReserved(region) ? configuration.maxRegions : configuration.maxRegions - 1
                let counted = Region.isReserved(region) ? existing.count : existing.count(where: { !Region.isReserved($0) })
                if !existing.contains(region) && counted >= limit {
                    throw .regionLimit(limit: limit)
                }
            }
            let opened = try RegionWriter.open(region: region, configuration: configuration, signingKey: signingKey, onDurable: onDurable)
            writers.withLock { $0[region] = opened }
            return opened
        }
    }

    /// Regions that exist on disk or are mapped in the configuration, sorted.
    public func regions() -> [String] {
        var names = Set(configuration.regionPaths.keys)
        if let listed = try? FileIO.list("\(configuration.dataDirectory)/regions") {
            names.formUnion(listed.filter { Region.isValidName($0) && FileIO.exists("\(configuration.dataDirectory)/regions/\($0)/segments") })
        }
        return names.filter { FileIO.exists("\(configuration.regionDirectory($0))/segments") }.sorted()
    }

    /// Writers opened so far.
    public var openWriters: [RegionWriter] { writers.withLock { Array($0.values) } }

    /// Trusted verifier keys: every public key the store has used.
    public func keyring() throws(StoreError) -> VerifierKeyring {
        VerifierKeyring(try KeyStore.publicKeys(dataDirectory: configuration.dataDirectory))
    }

    /// Opens every region once (recovery, and a checkpoint signed with the current key where the
    /// newest one was signed by its predecessor: after `gatelog key rotate`). Returns, per region
    /// that could not be opened, why; the others are open until `close()`.
    public func openAll() -> [String: StoreError] {
        var failures: [String: StoreError] = [:]
        for region in regions() {
            do throws(StoreError) { _ = try writer(for: region) } catch { failures[region] = error }
        }
        return failures
    }

    /// Flushes and closes every region (final checkpoints signed).
    public func close() {
        isClosed.withLock { $0 = true }
        opening.withLock { _ in }  // an open in progress finishes (and registers its writer) first
        let all = writers.withLock { w -> [RegionWriter] in let a = Array(w.values); w = [:]; return a }
        for w in all { w.close() }
    }
}
