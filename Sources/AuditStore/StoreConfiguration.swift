import Foundation
import AuditFormat
import JSON

/// How an append is acknowledged.
public enum DurabilityMode: Sendable, Equatable {
    /// Acknowledge once the frame is written and fdatasync'd; concurrent appends share one fsync.
    case durable
    /// As durable, but wait up to this many milliseconds to gather more records into one write.
    case batch(maxDelayMilliseconds: Int)
}

/// Settings of a store. Loaded from `<data>/gatelog.json` when present; flags override.
public struct StoreConfiguration: Sendable {
    /// Root of the data directory.
    public var dataDirectory: String
    /// Region name → directory, for regions kept outside `<data>/regions/` (data residency).
    public var regionPaths: [String: String] = [:]
    /// Seal and roll a segment once it reaches this many bytes.
    public var segmentMaxBytes: UInt64 = 64 << 20
    /// Seal and roll a segment once it is this old (seconds) and holds records.
    public var segmentMaxAge: TimeInterval = 3600
    /// Sign a checkpoint at least this often (seconds) while records arrive.
    public var checkpointInterval: TimeInterval = 1
    /// Target raw size of one frame: larger compresses better, smaller reads faster. With level 2,
    /// 256 KiB frames store ~1.22× what `zstd -3` makes of the whole input and cost 5–10% less
    /// ingest CPU than 128 KiB at level 3 (docs/PERFORMANCE.md, "Session 9").
    public var frameTargetBytes: Int = 256 << 10
    /// zstd level.
    public var compressionLevel: Int32 = 2
    /// Bytes of the region's first records (envelopes and contents as separate samples) from which
    /// a zstd dictionary is trained, off the writer thread, when the region has none; 0 disables
    /// dictionaries for new frames (existing ones are still read).
    public var dictionaryTrainingBytes: Int = 2 << 20
    /// Largest dictionary trained.
    public var dictionaryMaxBytes: Int = 256 << 10
    public var durability: DurabilityMode = .durable
    /// Bound on queued, not yet written bytes per region; appends beyond it are refused.
    public var maxQueuedBytes: Int = 256 << 20
    /// Record validation limits.
    public var limits = RecordLimits()
    /// Bytes of decompressed frames the query service keeps for reads, all regions together
    /// (`read_cache_mib`).
    /// A get by id decompresses its record's whole frame (256 KiB) on a miss, most of a GET's CPU.
    public var readCacheBytes: Int = 256 << 20
    /// Memory for the index's id filters of the newest blocks, in MiB (`index_id_filter_mib`;
    /// 128 KiB per 65,536 records of a region): lookups by id in older blocks seek every block.
    public var indexIDFilterMiB: Int = 256
    /// How long one index read (a search page, stats, a lookup) may run before it is stopped, in
    /// seconds (`query_timeout_seconds`; 0: no limit).
    public var queryTimeoutSeconds: Double = 60
    /// Most regions the store holds, gatelog's own (`_access`) included: the index numbers regions
    /// in 8 bits (255). Clients may create one fewer (a slot stays for the access log); a record
    /// naming a region beyond that is rejected (`region_limit`), existing regions go on.
    public var maxRegions: Int = 255
    /// Regions whose redacted content is also indexed for full-text search (`fts_regions`).
    public var fullTextRegions: Set<String> = []
    /// Called on the writer thread with the duration in seconds of every segment fdatasync (metrics).
    public var fsyncObserver: (@Sendable (Double) -> Void)?

    /// Defaults for `dataDirectory`.
    public init(dataDirectory: String) { self.dataDirectory = dataDirectory }

    /// The directory of `region`.
    public func regionDirectory(_ region: String) -> String {
        regionPaths[region] ?? "\(dataDirectory)/regions/\(region)"
    }

    /// Path of the optional configuration file.
    public var configFilePath: String { "\(dataDirectory)/gatelog.json" }

    /// True once `loadConfigFile` ran: later calls do nothing, so values set after it (command-line
    /// flags) are not overwritten by layers that load the file again.
    public private(set) var isConfigFileLoaded = false

    /// Reads `<data>/gatelog.json` if it exists and applies it (once). Invalid values are errors;
    /// keys owned by other layers are ignored here.
    public mutating func loadConfigFile() throws(StoreError) {
        guard !isConfigFileLoaded else { return }
        isConfigFileLoaded = true
        guard FileManager.default.fileExists(atPath: configFilePath) else { return }
        let bytes: [UInt8]
        do { bytes = try FileIO.readFile(configFilePath) } catch { throw .io(error) }
        let value: JSONValue
        do { value = try JSONValue.parse(bytes) } catch { throw .invalidConfiguration("\(configFilePath): \(error)") }
        guard let members = value.objectMembers else { throw .invalidConfiguration("\(configFilePath): must be a JSON object") }
        for m in members {
            switch m.key {
            case "regions":
                guard let regions = m.value.objectMembers else { throw .invalidConfiguration("regions must be an object") }
                for r in regions {
                    guard Region.isValidName(r.key), let path = r.value["path"]?.stringValue else {
                        throw .invalidConfiguration("regions.\(r.key) needs a valid region name and a \"path\" string")
                    }
                    regionPaths[r.key] = path
                }
            case "segment_max_bytes":
                guard let v = m.value.int64Value, v >= 4096 else { throw .invalidConfiguration("segment_max_bytes must be an integer ≥ 4096") }
                segmentMaxBytes = UInt64(v)
            case "segment_max_age_seconds":
                guard let v = m.value.doubleValue, v > 0 else { throw .invalidConfiguration("segment_max_age_seconds must be > 0") }
                segmentMaxAge = v
            case "checkpoint_interval_seconds":
                guard let v = m.value.doubleValue, v > 0 else { throw .invalidConfiguration("checkpoint_interval_seconds must be > 0") }
                checkpointInterval = v
            case "frame_target_bytes":
                guard let v = m.value.int64Value, v >= 1024, v <= 16 << 20 else { throw .invalidConfiguration("frame_target_bytes must be 1024…16777216") }
                frameTargetBytes = Int(v)
            case "compression_level":
                guard let v = m.value.int64Value, (1...19).contains(v) else { throw .invalidConfiguration("compression_level must be 1…19") }
                compressionLevel = Int32(v)
            case "dictionary_training_bytes":
                guard let v = m.value.int64Value, v == 0 || (16 << 10...1 << 30).contains(v) else {
                    throw .invalidConfiguration("dictionary_training_bytes must be 0 (off) or 16384…1073741824")
                }
                dictionaryTrainingBytes = Int(v)
            case "dictionary_max_bytes":
                guard let v = m.value.int64Value, (1024...16 << 20).contains(v) else {
                    throw .invalidConfiguration("dictionary_max_bytes must be 1024…16777216")
                }
                dictionaryMaxBytes = Int(v)
            case "batch_delay_ms":
                guard let v = m.value.int64Value, (0...1000).contains(v) else { throw .invalidConfiguration("batch_delay_ms must be 0…1000") }
                durability = v == 0 ? .durable : .batch(maxDelayMilliseconds: Int(v))
            case "max_record_bytes":
                // At most 256 MiB: frames record lengths in 32 bits, and the index (full-text
                // content) refuses strings over SQLite's 1e9-byte limit.
                guard let v = m.value.int64Value, (1024...256 << 20).contains(v) else {
                    throw .invalidConfiguration("max_record_bytes must be 1024…268435456")
                }
                limits.maxRecordBytes = Int(v)
            case "max_records_per_request":
                guard let v = m.value.int64Value, (1...10_000_000).contains(v) else {
                    throw .invalidConfiguration("max_records_per_request must be 1…10000000")
                }
                limits.maxRecordsPerRequest = Int(v)
            case "read_cache_mib":
                guard let v = m.value.int64Value, (0...65536).contains(v) else { throw .invalidConfiguration("read_cache_mib must be 0…65536") }
                readCacheBytes = Int(v) << 20
            case "index_id_filter_mib":
                guard let v = m.value.int64Value, (0...65536).contains(v) else { throw .invalidConfiguration("index_id_filter_mib must be 0…65536") }
                indexIDFilterMiB = Int(v)
            case "query_timeout_seconds":
                guard let v = m.value.doubleValue, v.isFinite, (0...86_400).contains(v) else {
                    throw .invalidConfiguration("query_timeout_seconds must be 0…86400 (0: no limit)")
                }
                queryTimeoutSeconds = v
            case "fts_regions":
                guard let list = m.value.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
                    throw .invalidConfiguration("fts_regions must be an array of region names")
                }
                fullTextRegions = Set(list.compactMap(\.stringValue))
            default:
                continue // Sections owned by other layers (redaction, index, server) are read there.
            }
        }
    }
}

/// Parses sizes such as `1MiB`, `64M`, `512k`, `4096`.
public enum ByteSize {
    public static func parse(_ text: String) -> UInt64? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, UInt64)] = [("gib", 1 << 30), ("mib", 1 << 20), ("kib", 1 << 10), ("gb", 1_000_000_000), ("mb", 1_000_000),
                                         ("kb", 1000), ("g", 1 << 30), ("m", 1 << 20), ("k", 1 << 10), ("b", 1)]
        for (suffix, multiplier) in units where t.hasSuffix(suffix) {
            guard let n = Double(t.dropLast(suffix.count)), n >= 0 else { return nil }
            return UInt64(n * Double(multiplier))
        }
        return UInt64(t)
    }
}
