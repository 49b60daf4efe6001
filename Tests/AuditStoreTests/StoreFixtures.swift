import XCTest
import Foundation
import AuditFormat
import AuditStore
import GatelogCrypto
import JSON
#if canImport(Glibc)
import Glibc
#endif

/// A temporary directory removed when the object goes away.
final class TemporaryDirectory: Sendable {
    let path: String

    init(_ label: String = "gatelog-test") {
        var template = Array("\(NSTemporaryDirectory())/\(label)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        path = String(cString: template)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A small deterministic pseudo-random generator (SplitMix64) so every randomised test is reproducible.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum Fixtures {
    /// The store's key in tests: RFC 8032 section 7.1, test 2 secret key.
    static let storeKey = try! LogSigningKey(
        name: "gatelog-test", privateKey: Ed25519PrivateKey(seed: Hex.decode("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb")!))
    /// A key the store never trusted: RFC 8032 section 7.1, test 3 secret key.
    static let attackerKey = try! LogSigningKey(
        name: "gatelog-test", privateKey: Ed25519PrivateKey(seed: Hex.decode("c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7")!))

    static var trusted: VerifierKeyring { VerifierKeyring([storeKey.verifier]) }

    /// Makes `storeKey` the signing key of the data directory (`keys/signing.key`, docs/FORMAT.md §7),
    /// for tests that open a store written by `writeStore` through `LogStore`, which never makes a
    /// new key for a store whose regions were signed before.
    static func installStoreKey(_ dataDirectory: String) throws {
        let seed = Data(storeKey.privateKey.seed).base64EncodedString()
        try FileIO.makeDirectories("\(dataDirectory)/keys/public")
        try FileIO.writeAtomically("\(dataDirectory)/keys/signing.key", bytes: Array("gatelog-ed25519-v1\n\(storeKey.name)\n\(seed)\n".utf8), mode: 0o600)
        try FileIO.writeAtomically("\(dataDirectory)/keys/public/\(storeKey.name).pub", bytes: Array((storeKey.verifier.encoded + "\n").utf8), mode: 0o644)
    }

    /// A store configuration with small segments and small frames so a few hundred records
    /// make several sealed segments of several frames each.
    static func configuration(_ dir: String, segmentMaxBytes: UInt64 = 16 << 10, frameTargetBytes: Int = 2048) -> StoreConfiguration {
        var c = StoreConfiguration(dataDirectory: dir)
        c.segmentMaxBytes = segmentMaxBytes
        c.frameTargetBytes = frameTargetBytes
        c.checkpointInterval = 3600 // Checkpoints only at seals and close: deterministic for tests.
        return c
    }

    /// The JSON text of test record `i`: a realistic envelope and a body with seeded, poorly
    /// compressible text so that frames have some size.
    static func recordText(_ i: Int, region: String = "eu-test", id: String? = nil) -> String {
        var rng = SeededGenerator(seed: UInt64(i) &* 7919 &+ 17)
        let words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima"]
        var text = ""
        for _ in 0..<60 { text += words[Int(rng.next() % UInt64(words.count))] + String(rng.next() % 1000) + " " }
        let ident = id ?? "req-\(i)"
        return #"{"id":"\#(ident)","ts":"2026-03-01T12:00:00.\#(String(format: "%03d", i % 1000))Z","region":"\#(region)","tenant":"acme","#
            + #""model":"openai/gpt-4o","metadata":{"feature":"tests","n":"\#(i)"},"#
            + #""request":{"messages":[{"role":"user","content":"\#(text)"}]},"response":{"choices":[{"finish_reason":"stop"}]},"status":200}"#
    }

    /// Parses and prepares a record exactly as the ingest path does without redaction.
    static func staged(_ json: String) -> StagedRecord {
        let record = try! AuditRecord.parse(Array(json.utf8))
        return StagedRecord(fields: record.fields,
                            prepared: PreparedRecord(id: record.fields.id, envelope: record.envelopeBytes(), content: record.contentBytes()),
                            inputSize: json.utf8.count)
    }

    static func staged(_ i: Int, region: String = "eu-test") -> StagedRecord { staged(recordText(i, region: region)) }

    /// Writes records `0..<count` in batches of `batch` through the real writer and closes it.
    @discardableResult
    static func writeStore(_ config: StoreConfiguration, region: String = "eu-test", count: Int, batch: Int = 8,
                           key: LogSigningKey = storeKey, record: (Int) -> StagedRecord = { staged($0) }) throws -> RegionStatus {
        let writer = try RegionWriter.open(region: region, configuration: config, signingKey: key)
        var i = 0
        while i < count {
            let n = min(batch, count - i)
            let outcomes = try writer.appendAndWait((i..<(i + n)).map(record))
            for o in outcomes { guard case .accepted = o else { throw StoreError.integrity(region: region, detail: "unexpected \(o)") } }
            i += n
        }
        writer.close()
        return writer.status
    }

    static func verify(_ config: StoreConfiguration, region: String = "eu-test", keyring: VerifierKeyring = trusted,
                       external: [SignedCheckpoint] = []) throws -> RegionVerification {
        var v = RegionVerifier(region: region, directory: config.regionDirectory(region), keyring: keyring)
        v.externalCheckpoints = external
        let report = try v.verify()
        if ProcessInfo.processInfo.environment["GATELOG_PRINT_REPORTS"] != nil { print("---- verify report\n\(report.summary)") }
        return report
    }

    static func segmentPath(_ config: StoreConfiguration, _ number: UInt64, region: String = "eu-test") -> String {
        SegmentScanner.segmentPath(regionDirectory: config.regionDirectory(region), number: number)
    }

    /// Scans a segment (with frame trailers checked).
    static func scan(_ config: StoreConfiguration, _ number: UInt64, region: String = "eu-test") throws -> SegmentScan {
        let result = try SegmentScanner.scan(path: segmentPath(config, number, region: region), number: number, checkTrailers: true)
        return try result.get()
    }

    static func read(_ path: String) throws -> [UInt8] { try FileIO.readFile(path) }

    static func write(_ path: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func flipByte(_ path: String, at offset: Int, mask: UInt8 = 0x01) throws {
        var bytes = try read(path)
        bytes[offset] ^= mask
        try write(path, bytes)
    }

    /// Every record id in a region, by position, read back from the segments through RegionReader.
    static func storedIDs(_ config: StoreConfiguration, region: String) throws -> [UInt64: String] {
        let dir = config.regionDirectory(region)
        let reader = RegionReader(region: region, directory: dir, cacheBytes: 1 << 20)
        var ids: [UInt64: String] = [:]
        let numbers = try SegmentScanner.segmentNumbers(regionDirectory: dir)
        for number in numbers {
            let scanned = try SegmentScanner.scan(path: SegmentScanner.segmentPath(regionDirectory: dir, number: number), number: number,
                                                  checkTrailers: true)
            // A last segment whose header a kill cut short holds no records (crash residue, as verify says).
            if case .failure(.truncatedHeader) = scanned, number == numbers.last { continue }
            let scan = try scanned.get()
            for frame in scan.frames {
                for k in 0..<frame.header.recordCount {
                    let record = try reader.read(RecordLocation(segment: number, frameOffset: frame.offset, indexInFrame: k), includeContent: false)
                    guard let envelope = record.envelope, let id = try JSONValue.parse(envelope)["id"]?.stringValue else {
                        throw StoreError.integrity(region: region, detail: "record \(record.position) has no readable id")
                    }
                    ids[record.position] = id
                }
            }
        }
        return ids
    }
}

extension RegionVerification {
    /// The breaks as one line each, for failure messages.
    var summary: String {
        (breaks.map(\.line) + warnings.map { "warning: \($0)" }).joined(separator: "\n")
    }

    func breaks(_ kind: BreakKind) -> [IntegrityBreak] { breaks.filter { $0.kind == kind } }
}
