import Foundation
import Synchronization
import AuditFormat
#if canImport(Glibc)
import Glibc
#endif

/// A read-only view of a data directory, usable while a writer runs in another process.
public struct LogStoreLayout: Sendable {
    public let configuration: StoreConfiguration

    public init(configuration: StoreConfiguration) { self.configuration = configuration }

    /// Regions present on disk or mapped in the configuration, sorted.
    public func regions() -> [String] { listRegions().regions }

    /// Every region directory present, whether or not it still has `segments/`: what `verify`
    /// must look at. A region whose `segments/` directory was deleted is not a region that never
    /// existed; its checkpoint log (if any) says how many records it should hold. Sorted.
    public func regionsToVerify() -> [String] {
        var names = Set(configuration.regionPaths.keys)
        if let listed = try? FileIO.list("\(configuration.dataDirectory)/regions") {
            names.formUnion(listed.filter { Region.isValidName($0) })
        }
        // A region the store created whose directory is gone (or holds nothing) is verified too:
        // its absence is a break, not a region that never existed.
        let registered = RegionRegistry.regions(dataDirectory: configuration.dataDirectory).filter { missingRegionProblem($0) != nil }
        return Set(names.filter { FileIO.isDirectory(configuration.regionDirectory($0)) } + registered).sorted()
    }

    /// Why `region` is missing although the store created it (`RegionRegistry`), or nil.
    public func missingRegionProblem(_ region: String) -> String? {
        RegionRegistry.missingRegionProblem(region, regionDirectory: configuration.regionDirectory(region),
                                            dataDirectory: configuration.dataDirectory)
    }

    /// A verifier for `region`, knowing whether the store created it before (see `regionsToVerify`)
    /// and which signing key the store holds (`storeKey`: `KeyStore.signingKeyState`, read once by
    /// the caller for all regions; read here when not given).
    public func verifier(for region: String, keyring: VerifierKeyring, storeKey: KeyStore.SigningKeyState? = nil) -> RegionVerifier {
        var verifier = RegionVerifier(region: region, directory: configuration.regionDirectory(region), keyring: keyring)
        verifier.missingRegionProblem = missingRegionProblem(region)
        verifier.storeKey = storeKey ?? KeyStore.signingKeyState(dataDirectory: configuration.dataDirectory)
        return verifier
    }

    /// The regions, and whether every candidate directory was complete (had `segments/`).
    func listRegions() -> (regions: [String], complete: Bool) {
        var names = Set(configuration.regionPaths.keys)
        if let listed = try? FileIO.list("\(configuration.dataDirectory)/regions") {
            names.formUnion(listed.filter { Region.isValidName($0) })
        }
        let present = names.filter { FileIO.exists("\(configuration.regionDirectory($0))/segments") }
        return (present.sorted(), present.count == names.count)
    }

    /// Sizes and counts of one region, from segment and frame headers (no decompression).
    public struct Summary: Sendable {
        public var segments = 0
        public var records: UInt64 = 0
        public var rawBytes: UInt64 = 0
        /// Bytes of the segment files and the zstd dictionaries their frames use.
        public var storedBytes: UInt64 = 0
        /// Dictionary files in `dictionaries/`.
        public var dictionaries = 0
        public var checkpointSize: UInt64 = 0
    }

    /// Scans a region's headers. O(frames).
    public func summary(region: String) throws(FileIOError) -> Summary {
        let dir = configuration.regionDirectory(region)
        var s = Summary()
        for n in try SegmentScanner.segmentNumbers(regionDirectory: dir) {
            let path = SegmentScanner.segmentPath(regionDirectory: dir, number: n)
            guard case .success(let scan) = try SegmentScanner.scan(path: path, number: n, checkTrailers: false) else { continue }
            s.segments += 1
            s.storedBytes += scan.fileSize
            for f in scan.frames {
                s.records += UInt64(f.header.recordCount)
                s.rawBytes += UInt64(f.header.envelopesRawLength) + UInt64(f.header.contentsRawLength)
            }
        }
        for id in try RegionDictionaries.ids(regionDirectory: dir) {
            let path = RegionDictionaries.path(regionDirectory: dir, id: id)
            let fd = try FileIO.open(path, flags: O_RDONLY)
            defer { close(fd) }
            s.storedBytes += try FileIO.size(fd, path: path)
            s.dictionaries += 1
        }
        let cpPath = "\(dir)/checkpoints.log"
        if FileIO.exists(cpPath) {
            s.checkpointSize = CheckpointLog.parse(try FileIO.readFile(cpPath)).entries.compactMap { $0.checkpoint?.checkpoint.treeSize }.max() ?? 0
        }
        return s
    }
}

/// `LogStoreLayout.regions()` for a long-running reader (the query service): the data directory is
/// listed again only when `regions/` changed since the last listing. A listing is kept only when
/// every region directory in it was complete and `regions/` was last modified at least two seconds
/// earlier (directory times can be coarser than the clock, so a younger time proves nothing).
public final class RegionListCache: Sendable {
    private let layout: LogStoreLayout
    private let cached = Mutex<(stamp: timespec, regions: [String])?>(nil)

    /// A cache over `configuration`'s data directory.
    public init(configuration: StoreConfiguration) { layout = LogStoreLayout(configuration: configuration) }

    /// The regions, sorted; one `stat` when nothing changed.
    public func regions() -> [String] {
        var st = stat()
        let hasDirectory = stat("\(layout.configuration.dataDirectory)/regions", &st) == 0
        let stamp = st.st_mtim
        if hasDirectory, let hit = cached.withLock({ c -> [String]? in
            guard let c, c.stamp.tv_sec == stamp.tv_sec, c.stamp.tv_nsec == stamp.tv_nsec else { return nil }
            return c.regions
        }) {
            return hit
        }
        let listing = layout.listRegions()
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let settled = hasDirectory && now.tv_sec - stamp.tv_sec >= 2
        cached.withLock { $0 = listing.complete && settled ? (stamp, listing.regions) : nil }
        return listing.regions
    }
}
