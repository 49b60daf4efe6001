import AuditFormat

/// Errors from the store. Messages name files, positions and rules; never record content or keys.
public enum StoreError: Error, CustomStringConvertible {
    case io(FileIOError)
    /// Another process holds the region's writer lock.
    case regionLocked(region: String, holder: String)
    /// The region's files are not in a state the writer can safely append to.
    case integrity(region: String, detail: String)
    case invalidConfiguration(String)
    case invalidRegion(String)
    /// The region's queue is over its bound; the caller should retry later.
    case overloaded(region: String)
    /// The writer stopped after a storage failure; restart to recover.
    case writerFailed(region: String, detail: String)
    case closed
    case keys(String)
    case notFound(String)
    case compression(String)
    /// Another gatelog process (usually `gatelog serve`) owns the data directory.
    case dataDirectoryInUse(holder: String)
    /// A record names a new region while the store already holds the most regions it may.
    case regionLimit(limit: Int)
    /// A region the store created before has no files in its directory now (deleted, or its disk
    /// is not mounted): it is not started again as a new chain.
    case regionMissing(region: String, detail: String)

    public var description: String {
        switch self {
        case .io(let e): return e.description
        case .regionLocked(let region, let holder):
            return "region \(region) is locked by another writer (\(holder)); stop it or use a different data directory"
        case .integrity(let region, let detail):
            // Most details already say to run verify; say it once.
            return "region \(region): integrity failure: \(detail)" + (detail.contains("gatelog verify") ? "" : " (run `gatelog verify`)")
        case .invalidConfiguration(let s): return "invalid configuration: \(s)"
        case .invalidRegion(let r): return "invalid region name '\(r)'"
        case .overloaded(let region): return "region \(region) has too many queued records; retry later"
        case .writerFailed(let region, let detail): return "region \(region) writer stopped after a storage failure: \(detail); restart to recover"
        case .closed: return "the store is closed"
        case .keys(let s): return "signing keys: \(s)"
        case .notFound(let s): return "not found: \(s)"
        case .compression(let s): return "compression: \(s)"
        case .dataDirectoryInUse(let holder):
            return "the data directory is in use by another gatelog process (\(holder)); stop it, or use its HTTP API"
        case .regionLimit(let limit):
            return "names a new region, but the store already holds \(limit) regions, the most it can index"
        case .regionMissing(_, let detail): return detail
        }
    }

    /// True when a new region was refused because the store holds the most regions it may.
    public var isRegionLimit: Bool { if case .regionLimit = self { return true } else { return false } }

    /// True for disk-full conditions.
    public var isDiskFull: Bool { if case .io(let e) = self { return e.isDiskFull } else { return false } }
}
