import Foundation
import AuditFormat
import AuditStore
import Gatelog
import GatelogCrypto
import JSON
import Redaction
#if canImport(Glibc)
import Glibc
#endif

/// Common `--data` handling.
func dataDirectory(_ args: inout Arguments) -> String {
    args.value("data") ?? ProcessInfo.processInfo.environment["GATELOG_DATA"] ?? "./gatelog-data"
}

func printJSON(_ value: JSONValue) {
    FileHandle.standardOutput.write(Data(value.serialized() + [0x0A]))
}

/// `gatelog ingest [FILE|-]`
enum IngestCommand {
    static func run(_ raw: [String]) throws -> Int32 {
        var args = try Arguments(raw, flags: ["results", "acks"])
        var config = StoreConfiguration(dataDirectory: dataDirectory(&args))
        let segmentSize = args.value("segment-size")
        let batchDelay = try args.int("batch-delay")
        let showResults = args.flag("results")
        let streamAcks = args.flag("acks")
        let policyPath = args.value("policy")
        try args.rejectUnknown()
        guard args.positionals.count <= 1 else { throw UsageError("ingest takes at most one FILE") }
        let path = args.positionals.first ?? "-"
        try config.loadConfigFile()
        var effective = config
        if let s = segmentSize {
            guard let n = ByteSize.parse(s), n >= 4096 else { throw UsageError("--segment-size must be a size ≥ 4KiB, like 1MiB") }
            effective.segmentMaxBytes = n
        }
        if let d = batchDelay { effective.durability = try durability(batchDelayMilliseconds: d) }
        let service = try GatelogService(configuration: effective, redaction: try redactionSetting(policyPath))
        defer { service.close() }
        let fd: Int32 = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw UsageError("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { if fd != 0 { close(fd) } }
        // --acks: one line per record as soon as it is durable (used by crash tests and pipelines).
        let summary = try service.ingestStream(fd: fd, source: path == "-" ? "stdin" : path, keepResults: showResults,
                                               onChunk: streamAcks ? { part in
            var out = [UInt8]()
            for r in part.results {
                switch r.result {
                case .accepted(let region, let position, _):
                    out += Array("ack \(r.line) \(region) \(position) \(r.id ?? "")\n".utf8)
                case .duplicate(let region, let position):
                    out += Array("dup \(r.line) \(region) \(position) \(r.id ?? "")\n".utf8)
                case .rejected(let code, _):
                    out += Array("rej \(r.line) \(code)\n".utf8)
                }
            }
            FileHandle.standardOutput.write(Data(out))
        } : nil)
        printJSON(summary.jsonValue(includeResults: showResults))
        return summary.rejected.isEmpty ? 0 : 1
    }
}

/// `gatelog verify`
enum VerifyCommand {
    static func run(_ raw: [String]) throws -> Int32 {
        var args = try Arguments(raw, flags: ["json"])
        let data = dataDirectory(&args)
        let regionFilter = args.values("region")
        let asJSON = args.flag("json")
        let checkpointFiles = args.values("checkpoint")
        let keyFiles = args.values("key")
        try args.rejectUnknown()
        guard args.positionals.isEmpty else { throw UsageError("verify takes no positional arguments") }
        guard FileManager.default.fileExists(atPath: data) else { throw UsageError("no data directory at \(data)") }
        var config = StoreConfiguration(dataDirectory: data)
        try config.loadConfigFile()
        var keyring = VerifierKeyring()
        var keyWarnings: [String] = []
        if keyFiles.isEmpty {
            // A damaged public key file does not stop the check: what its key signed shows up as
            // bad signatures, and the file is named here.
            let found = try KeyStore.publicKeysAndMalformedFiles(dataDirectory: data)
            for k in found.keys { keyring.add(k) }
            keyWarnings = found.malformed.map { "\($0) is not a valid verifier key; it was ignored" }
        } else {
            for k in try pinnedKeys(keyFiles) { keyring.add(k) }
        }
        var outside: [SignedCheckpoint] = []
        for f in checkpointFiles {
            let bytes = try FileIO.readFile(f)
            let parsed = CheckpointLog.parse(bytes + [0x0A])
            let notes = parsed.entries.compactMap(\.checkpoint)
            guard !notes.isEmpty, parsed.entries.allSatisfy({ $0.checkpoint != nil }) else {
                throw UsageError("\(f) holds no valid signed checkpoint note")
            }
            outside += notes
        }
        let store = LogStoreLayout(configuration: config)
        let existing = store.regionsToVerify()
        for region in regionFilter where !existing.contains(region) && !outside.contains(where: { $0.checkpoint.region == region }) {
            throw UsageError("no region '\(region)' in \(config.dataDirectory)")
        }
        var regions = regionFilter.isEmpty ? existing : regionFilter
        for cp in outside { if let r = cp.checkpoint.region, !regions.contains(r), regionFilter.isEmpty { regions.append(r) } }
        let verifiers = regions.sorted().map { region -> RegionVerifier in
            var verifier = store.verifier(for: region, keyring: keyring)
            verifier.externalCheckpoints = outside.filter { $0.checkpoint.region == region }
            return verifier
        }
        let reports = RegionVerifier.verifyAll(verifiers)
        let intact = reports.allSatisfy(\.isIntact)
        let unreadable = reports.contains { $0.unreadable != nil }
        if asJSON {
            var members = [JSONMember("intact", .bool(intact)), JSONMember("regions", .array(reports.map { $0.jsonValue() }))]
            if !keyWarnings.isEmpty { members.append(JSONMember("warnings", .array(keyWarnings.map { .string($0) }))) }
            printJSON(.object(members))
        } else {
            for w in keyWarnings { print("note: \(w)") }
            for r in reports {
                if let error = r.unreadable {
                    print("\(r.region): UNREADABLE — the check stopped: \(error)")
                    continue
                }
                print("\(r.region): \(r.isIntact ? "intact" : "BROKEN") — \(r.records) records, \(r.segments) segments, \(r.checkpointsVerified) checkpoints verified")
                for b in r.breaks { print("  BREAK \(b.line)") }
                if r.breaksTruncated { print("  (more breaks not listed)") }
                for w in r.warnings { print("  note: \(w)") }
            }
            if reports.isEmpty { print("no regions to verify") }
        }
        // An I/O error is exit 3 (the check could not be done), after every other region's report.
        return unreadable ? 3 : intact ? 0 : 1
    }
}

/// The verifier keys in `--key` files (lines like those of `gatelog key list`). Keys the caller
/// names are the only ones trusted: a file that holds none (empty, malformed, missing) would make
/// every signature look bad, so it is a usage error, not a broken report.
func pinnedKeys(_ files: [String]) throws -> [LogVerifierKey] {
    var all: [LogVerifierKey] = []
    for f in files {
        let keys: [LogVerifierKey]
        do { keys = try KeyStore.readVerifierKeys(file: f) } catch {
            if case .io(let e) = error { throw UsageError("--key \(f): \(FileIOError.explain(e.code))") }
            throw UsageError("--key \(f) holds a malformed verifier key (expected lines like those of `gatelog key list`)")
        }
        guard !keys.isEmpty else { throw UsageError("--key \(f) holds no verifier key (expected lines like those of `gatelog key list`)") }
        all += keys
    }
    return all
}

/// `gatelog checkpoint`
enum CheckpointCommand {
    static func run(_ raw: [String]) throws -> Int32 {
        var args = try Arguments(raw, flags: [])
        let data = dataDirectory(&args)
        let regionFilter = args.values("region")
        try args.rejectUnknown()
        guard args.positionals.isEmpty else { throw UsageError("checkpoint takes no positional arguments") }
        try requireDataDirectory(data)
        var config = StoreConfiguration(dataDirectory: data)
        try config.loadConfigFile()
        let regions = regionFilter.isEmpty ? LogStoreLayout(configuration: config).regions() : regionFilter
        // Only checkpoints this store signed for the region: a line added to the log by hand is
        // never handed to a witness as the latest.
        let keyring = VerifierKeyring(try KeyStore.publicKeys(dataDirectory: data))
        var found = false
        for region in regions {
            let path = "\(config.regionDirectory(region))/checkpoints.log"
            guard FileIO.exists(path) else { continue }
            let entries = CheckpointLog.parse(try FileIO.readFile(path)).entries.compactMap(\.checkpoint)
                .filter { $0.checkpoint.origin == Checkpoint.origin(region: region) && $0.isSigned(by: keyring) }
            // The last of the largest: after `key rotate` the same tree is signed again with the new key.
            guard let size = entries.map(\.checkpoint.treeSize).max(), let latest = entries.last(where: { $0.checkpoint.treeSize == size }) else {
                printError("gatelog checkpoint: region \(region) has no checkpoint signed by this store (run gatelog verify)")
                continue
            }
            if found { print("") }
            print(latest.noteText, terminator: "")
            found = true
        }
        if !found { printError("gatelog checkpoint: no checkpoint yet"); return 1 }
        return 0
    }
}

/// `gatelog info`
enum InfoCommand {
    static func run(_ raw: [String]) throws -> Int32 {
        var args = try Arguments(raw, flags: ["json"])
        let data = dataDirectory(&args)
        let asJSON = args.flag("json")
        try args.rejectUnknown()
        guard args.positionals.isEmpty else { throw UsageError("info takes no positional arguments") }
        try requireDataDirectory(data)
        var config = StoreConfiguration(dataDirectory: data)
        try config.loadConfigFile()
        let layout = LogStoreLayout(configuration: config)
        var rows: [JSONValue] = []
        var totals = (records: UInt64(0), raw: UInt64(0), stored: UInt64(0), segments: 0)
        for region in layout.regions() {
            let s = try layout.summary(region: region)
            totals.records += s.records
            totals.raw += s.rawBytes
            totals.stored += s.storedBytes
            totals.segments += s.segments
            rows.append(.object([
                JSONMember("region", .string(region)), JSONMember("directory", .string(config.regionDirectory(region))),
                JSONMember("segments", .int(s.segments)), JSONMember("records", .int(s.records)),
                JSONMember("raw_bytes", .int(s.rawBytes)), JSONMember("stored_bytes", .int(s.storedBytes)),
                JSONMember("compression_ratio", .double(s.storedBytes > 0 ? (Double(s.rawBytes) / Double(s.storedBytes) * 100).rounded() / 100 : 0)),
                JSONMember("checkpoint_size", .int(s.checkpointSize)),
            ]))
            if !asJSON {
                let ratio = s.storedBytes > 0 ? Double(s.rawBytes) / Double(s.storedBytes) : 0
                print("\(region): \(s.records) records in \(s.segments) segments; raw \(s.rawBytes) B, stored \(s.storedBytes) B (ratio \(String(format: "%.2f", ratio)), \(s.records > 0 ? s.storedBytes / s.records : 0) B/record); latest checkpoint covers \(s.checkpointSize)")
            }
        }
        if asJSON {
            printJSON(.object([JSONMember("data", .string(data)), JSONMember("regions", .array(rows)),
                               JSONMember("records", .int(totals.records)), JSONMember("raw_bytes", .int(totals.raw)),
                               JSONMember("stored_bytes", .int(totals.stored)), JSONMember("segments", .int(totals.segments))]))
        } else if rows.isEmpty {
            print("no regions in \(data)")
        }
        return 0
    }
}

/// `gatelog key rotate|list`
enum KeyCommand {
    /// Rotates the signing key (the caller holds the data directory's lock), then signs every
    /// region's newest checkpoint again with the new key: a writer accepts only the current key and
    /// the one it replaced there, so a second rotation before any write must not lock regions out.
    static func rotate(_ data: String) throws -> Int32 {
        var config = StoreConfiguration(dataDirectory: data)
        try config.loadConfigFile()
        // First every region under the current key: this finishes a rotation interrupted before all
        // regions were signed again, and a region that cannot be opened stops the rotation before
        // the key changes (it could not be opened under the next key either).
        let current = try LogStore(configuration: config)
        let blocked = current.openAll()
        current.close()
        if !blocked.isEmpty {
            for region in blocked.keys.sorted() {
                printError("gatelog key rotate: region \(region) cannot be opened (\(blocked[region].map { "\($0)" } ?? "")); the key was not rotated")
            }
            return 3
        }
        let key = try KeyStore.rotate(dataDirectory: data)
        let store = try LogStore(configuration: config)
        let failures = store.openAll()
        store.close()
        print("new signing key \(key.name); the old public keys stay in \(KeyStore.directory(data))/public")
        print(key.verifier.encoded)
        for region in failures.keys.sorted() {
            printError("gatelog key rotate: region \(region) could not be opened to sign a checkpoint with the new key: \(failures[region].map { "\($0)" } ?? "")")
        }
        return failures.isEmpty ? 0 : 3
    }

    static func run(_ raw: [String]) throws -> Int32 {
        var args = try Arguments(raw, flags: [])
        let data = dataDirectory(&args)
        try args.rejectUnknown()
        guard args.positionals.count == 1 else { throw UsageError("usage: gatelog key rotate|list") }
        switch args.positionals.first {
        case "rotate":
            // Rotation acts on an existing store (a first key is made by the first ingest or serve).
            try requireDataDirectory(data)
            // A running server keeps signing with the key it loaded at start: rotating under it would
            // leave the operator believing the new key is in use. Hold the data directory's lock
            // while rotating, so that no server starts half-way either.
            let lock: ServiceLock
            do { lock = try ServiceLock.acquire(dataDirectory: data) } catch StoreError.dataDirectoryInUse(let holder) {
                throw KeyRotationRefused(holder: holder)
            }
            defer { lock.release() }
            return try rotate(data)
        case "list":
            try requireDataDirectory(data)
            for k in try KeyStore.publicKeys(dataDirectory: data) { print(k.encoded) }
        default:
            throw UsageError("usage: gatelog key rotate|list")
        }
        return 0
    }
}

/// `gatelog key rotate` while another process (usually a server) holds the data directory: exit 3, like
/// `ingest` and the read commands when the directory is in use.
struct KeyRotationRefused: Error, CustomStringConvertible {
    let holder: String
    var description: String {
        "another gatelog process (\(holder); usually gatelog serve) holds the data directory: stop the server first; "
            + "a running server keeps signing with the key it loaded"
    }
}

/// `--batch-delay MS` (ingest, serve): 0 makes every group durable at once; negative is a mistake.
func durability(batchDelayMilliseconds d: Int) throws -> DurabilityMode {
    guard d >= 0 else { throw UsageError("--batch-delay must be 0 or more milliseconds") }
    return d > 0 ? .batch(maxDelayMilliseconds: d) : .durable
}

/// `--policy FILE` → that policy; otherwise the configured one (gatelog.json or the standard policy).
func redactionSetting(_ path: String?) throws -> GatelogService.RedactionSetting {
    guard let path else { return .configured }
    do { return .policy(try RedactionPolicy.load(contentsOf: path)) } catch {
        throw UsageError("policy \(path): \(error)")
    }
}
