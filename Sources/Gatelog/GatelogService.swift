import Foundation
import AuditFormat
import AuditIndex
import AuditQuery
import AuditStore
import JSON
import Redaction
#if canImport(Glibc)
import Glibc
#endif

/// gatelog in one object, for in-process use by a gateway and for the CLI and HTTP service:
/// the store, the guardrails in front of it, and ingest.
///
/// ```swift
/// let gatelog = try GatelogService(configuration: StoreConfiguration(dataDirectory: "/var/lib/gatelog"))
/// let ticket = try gatelog.append(jsonLine)          // non-blocking enqueue
/// let outcome = await ticket.durable()                // when the caller wants durability
/// ```
public final class GatelogService: Sendable {
    public let store: LogStore
    public let ingestor: Ingestor
    public let metrics: MetricsRegistry
    public let tokens: TokenStore
    public let accessLog: AccessLog
    public let query: QueryService
    /// The derived index, fed after durability; nil when opened with `withIndex: false`, or when
    /// it could not be opened for lack of space (`indexProblem`).
    public let indexer: IndexFeeder?
    /// Why the service runs without the index it was asked to open (a full disk at start), or nil.
    public let indexProblem: String?
    private let lock: ServiceLock

    /// Which guardrail policy the service applies.
    public enum RedactionSetting: Sendable {
        /// `redaction_policy` from gatelog.json, else the standard policy (every detector on).
        case configured
        case policy(RedactionPolicy)
        /// No redaction (benchmarks of the bare store only).
        case disabled
    }

    /// Opens the data directory. Guardrails redact every record before it is stored.
    /// With `withIndex`, the SQLite index catches up with the segments before this returns.
    public init(configuration: StoreConfiguration, redaction: RedactionSetting = .configured, withIndex: Bool = true) throws {
        lock = try ServiceLock.acquire(dataDirectory: configuration.dataDirectory)
        let metrics = MetricsRegistry()
        GatelogService.declareMetrics(metrics)
        var config = configuration
        try config.loadConfigFile()
        config.fsyncObserver = { seconds in metrics.observe("gatelog_fsync_duration_seconds", [], seconds) }
        self.metrics = metrics
        var indexer: IndexFeeder?
        var indexProblem: String?
        do {
            indexer = withIndex ? try IndexFeeder(configuration: config, fullTextRegions: config.fullTextRegions) : nil
        } catch let error as IndexError {
            let problem = IndexUnavailableError(path: "\(config.dataDirectory)/index/index.sqlite", cause: error)
            // A full disk or an I/O error: the records matter more than the index. Start without it
            // (records are accepted and stored; reads that need it answer 503); a start with space
            // catches it up from the segments. Anything else (a bug, a locked file) stops the start.
            guard problem.isStorageFailure else { throw problem }
            FileHandle.standardError.write(Data("gatelog: \(problem); continuing without the index: records are accepted and stored; searches, gets and stats are refused (HTTP 503) until gatelog starts again with space for it\n".utf8))
            indexer = nil
            indexProblem = "it could not be opened at start (a full disk or an I/O error); restart once there is space"
        }
        self.indexProblem = indexProblem
        self.indexer = indexer
        var onDurable: (@Sendable ([DurableRecord]) -> Void)?
        if let indexer {
            onDurable = { (records: [DurableRecord]) in indexer.enqueue(records) }
        }
        store = try LogStore(configuration: config, onDurable: onDurable)
        let redactor: (any RecordRedactor)?
        switch redaction {
        case .configured:
            redactor = Guardrails(policy: try Guardrails.configuredPolicy(dataDirectory: config.dataDirectory),
                                  dataDirectory: config.dataDirectory, metrics: metrics)
        case .policy(let p): redactor = Guardrails(policy: p, dataDirectory: config.dataDirectory, metrics: metrics)
        case .disabled: redactor = nil
        }
        ingestor = Ingestor(store: store, redactor: redactor)
        tokens = TokenStore(dataDirectory: config.dataDirectory)
        accessLog = AccessLog(store: store, ingestor: ingestor)
        var catchUp: (@Sendable (TimeInterval) -> QueryService.IndexWaitOutcome)?
        if let indexer {
            // Behind and failing: the index is missing acknowledged records (a slow index is only late).
            catchUp = { timeout in
                let drained = indexer.waitUntilDrained(timeout: timeout)
                if let reason = indexer.missingRecordsReason { return .failing(reason) }
                if drained { return .caughtUp }
                let lag = indexer.lag
                return lag.catchingUpFromSegments ? .catchingUp : .stillBehind(records: lag.records)
            }
        }
        var incomplete: (@Sendable () -> [String: String])?
        if let indexer { incomplete = { indexer.damagedRegions } }
        query = QueryService(configuration: store.configuration, tokens: tokens, recorder: accessLog, index: indexer?.index,
                             catchUpIndex: catchUp, incompleteIndexRegions: incomplete)
    }

    static func declareMetrics(_ m: MetricsRegistry) {
        m.declare("gatelog_records_ingested_total", .counter, help: "Records stored durably.", labels: ["region"])
        m.declare("gatelog_records_duplicate_total", .counter, help: "Records refused as duplicates of a stored id.", labels: ["region"])
        m.declare("gatelog_records_rejected_total", .counter, help: "Records rejected, by reason.", labels: ["reason"])
        m.declare("gatelog_ingest_raw_bytes_total", .counter, help: "Bytes of accepted input records.", labels: ["region"])
        m.declare("gatelog_redactions_total", .counter, help: "Values redacted before persistence.", labels: ["entity", "action"])
        m.declare("gatelog_append_duration_seconds", .histogram, help: "Time from submission to durability of an ingest batch.",
                  buckets: MetricsRegistry.latencyBuckets)
        m.declare("gatelog_fsync_duration_seconds", .histogram, help: "Duration of segment fdatasync calls.", buckets: MetricsRegistry.latencyBuckets)
        m.declare("gatelog_region_records", .gauge, help: "Records stored per region.", labels: ["region"])
        m.declare("gatelog_region_segments", .gauge, help: "Segment files per region.", labels: ["region"])
        m.declare("gatelog_region_stored_bytes", .gauge, help: "Bytes of segment files per region.", labels: ["region"])
        m.declare("gatelog_region_raw_bytes", .gauge, help: "Bytes of stored records before compression per region.", labels: ["region"])
        m.declare("gatelog_checkpoint_age_seconds", .gauge, help: "Age of the latest signed checkpoint per region.", labels: ["region"])
        m.declare("gatelog_index_lag_records", .gauge, help: "Durable records not yet in the index per region.", labels: ["region"])
        m.declare("gatelog_http_requests_total", .counter, help: "HTTP requests by route, method and status.", labels: ["route", "method", "status"])
        m.declare("gatelog_http_request_duration_seconds", .histogram, help: "HTTP request latency by route.", labels: ["route"],
                  buckets: MetricsRegistry.latencyBuckets)
        m.declare("gatelog_auth_failures_total", .counter, help: "Authentication and authorisation failures by reason.", labels: ["reason"])
    }

    /// Counts an ingest summary into the metrics.
    public func count(_ summary: IngestSummary) {
        // Totals per series first: one registry update per series instead of one per record.
        var totals: [String: [String: Int]] = [:]
        for r in summary.results {
            switch r.result {
            case .accepted(let region, _, _): totals["gatelog_records_ingested_total", default: [:]][region, default: 0] += 1
            case .duplicate(let region, _): totals["gatelog_records_duplicate_total", default: [:]][region, default: 0] += 1
            case .rejected(let code, _): totals["gatelog_records_rejected_total", default: [:]][code, default: 0] += 1
            }
        }
        for (name, byLabel) in totals {
            for (label, n) in byLabel { metrics.add(name, [label], Double(n)) }
        }
    }

    /// Refreshes the per-region gauges from the writers' status.
    public func refreshGauges() {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        for w in store.openWriters {
            let s = w.status
            metrics.set("gatelog_region_records", [s.region], Double(s.treeSize))
            metrics.set("gatelog_region_segments", [s.region], Double(s.segmentCount))
            metrics.set("gatelog_region_stored_bytes", [s.region], Double(s.storedBytes))
            metrics.set("gatelog_region_raw_bytes", [s.region], Double(s.rawBytes))
            if let indexed = indexer?.indexedPositions[s.region] {
                metrics.set("gatelog_index_lag_records", [s.region], Double(s.treeSize > indexed ? s.treeSize - indexed : 0))
            }
            if s.lastCheckpointTime > 0 {
                metrics.set("gatelog_checkpoint_age_seconds", [s.region], Double(max(0, now - s.lastCheckpointTime)) / 1000)
            }
        }
    }

    /// Ingests a request body (JSON object, JSON array or NDJSON) for `principal`, who needs the
    /// `ingest` permission; records outside the principal's scope are rejected. Waits for durability.
    public func ingest(body: [UInt8], principal: Principal, source: String) throws -> IngestSummary {
        try principal.require(.ingest)
        // Bounded before any per-line array exists: a body of newlines must not cost memory per line.
        let lines = try Ingestor.splitBody(body, maxRecords: store.configuration.limits.maxRecordsPerRequest)
        let scope = principal.scope
        let started = DispatchTime.now().uptimeNanoseconds
        var admit: (@Sendable (RecordFields) -> RecordError?)?
        var mayQuarantineIn: (@Sendable (String) -> Bool)?
        if !scope.isUnrestricted {
            admit = { (fields: RecordFields) -> RecordError? in
                scope.firstFieldOutside(fields).map { RecordError.invalidValue(field: $0, reason: "is outside the token's scope") }
            }
            mayQuarantineIn = { scope.allows(region: $0) }
        }
        let pending = ingestor.submit(lines: lines, source: source, admit: admit, mayQuarantineIn: mayQuarantineIn)
        let summary = ingestor.finish(pending)
        metrics.observe("gatelog_append_duration_seconds", [], Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
        count(summary)
        return summary
    }

    /// Validates, redacts and enqueues one record without waiting for the disk.
    /// Returns a ticket that completes when the record is durable.
    public func append(_ json: [UInt8]) throws -> AppendTicket {
        let staged = try json.withUnsafeBytes { b throws(RecordError) in try ingestor.stage(b) }
        return try store.writer(for: staged.fields.region).append([staged])
    }

    /// Ingests NDJSON from a file descriptor in chunks, waiting for durability of each chunk.
    /// `onChunk` sees each chunk's summary (with per-line results) right after it became durable.
    public func ingestStream(fd: Int32, source: String, keepResults: Bool, chunkBytes: Int = 8 << 20,
                             onChunk: ((IngestSummary) -> Void)? = nil) throws -> IngestSummary {
        var summary = IngestSummary()
        var lineNumber = 1
        // One buffer, reused: the unfinished last line of a read moves to the front and the next
        // read appends to it. (A fresh 8 MiB array per chunk cost a copy and page faults on every
        // chunk.) `lines` slice it only until `submit` returns, so no copy-on-write happens.
        var buffer = [UInt8](repeating: 0, count: chunkBytes)
        var filled = 0
        var eof = false
        // Chunks staged and handed to the writers but not yet awaited, oldest first. Two chunks
        // in flight keep every core busy: while the main thread reads and stages one chunk, the
        // writers always have a whole chunk queued (with one, they ran dry while the next chunk
        // was read and staged; docs/PERFORMANCE.md "Session 10").
        var inFlight: [Ingestor.PendingIngest] = []
        let chunksInFlight = 2
        func settle(keeping: Int = 0) {
            while inFlight.count > keeping {
                var part = ingestor.finish(inFlight.removeFirst())
                count(part)
                onChunk?(part)
                if !keepResults { part.results = [] }
                summary.merge(part)
            }
        }
        // Overlap staging with durability only for regular files: on a pipe the next read may
        // block, and acknowledgements must not wait for more input.
        var st = stat()
        let isRegularFile = fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
        while !eof {
            if !isRegularFile { settle() }
            // A line longer than the buffer: grow it.
            if filled == buffer.count { buffer.append(contentsOf: repeatElement(0, count: buffer.count)) }
            let space = buffer.count - filled
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + filled, space) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileIOError(operation: "read", path: source, code: errno)
            }
            let end: Int
            if n == 0 {
                eof = true
                if filled == 0 { break }
                end = filled
            } else {
                let scanned = filled
                filled += n
                // The last newline of the buffer; none in the new bytes: read more.
                guard let lastNewline = buffer[scanned..<filled].lastIndex(of: 0x0A) else { continue }
                end = lastNewline + 1
            }
            // Stage this chunk while the writer makes the previous one durable. (In a block so
            // that the slices are gone before the buffer is written to again.)
            do {
                let lines = Ingestor.splitLines(buffer[0..<end])
                let next = ingestor.submit(lines: lines, firstLine: lineNumber, source: source)
                lineNumber += lines.count
                inFlight.append(next)
                settle(keeping: chunksInFlight)
            }
            // Keep the unfinished line: move it to the front.
            let rest = filled - min(end, filled)
            if rest > 0 {
                buffer.withUnsafeMutableBytes { b in _ = memmove(b.baseAddress!, b.baseAddress! + end, rest) }
            }
            filled = rest
        }
        settle()
        return summary
    }

    /// Flushes and closes every region, then the index.
    /// Opens (and so recovers) the writer of every region on disk, the access log's included, so
    /// that recovery happens at start-up rather than in the first request that touches a region
    /// (1.5 s for an access log of ~750,000 entries). A region that fails to open is returned
    /// with its error and stays closed; its requests report that error, the others are served.
    public func openExistingRegions() -> [(region: String, error: StoreError)] {
        var failures: [(region: String, error: StoreError)] = []
        for region in store.regions() {
            do { _ = try store.writer(for: region) } catch { failures.append((region, error)) }
        }
        return failures
    }

    public func close() {
        store.close()
        indexer?.close()
        lock.release()
    }
}

/// The index could not be opened or brought up to date when the service started. The records are
/// safe in the segments; the message says where the index is and, for a full disk or an I/O error,
/// what to do.
public struct IndexUnavailableError: Error, CustomStringConvertible {
    public let path: String
    public let cause: IndexError

    /// SQLITE_FULL (13) or SQLITE_IOERR (10, extended codes in the high bits): usually a full disk.
    public var isStorageFailure: Bool {
        guard let code = cause.sqliteCode else { return false }
        return code & 0xFF == 13 || code & 0xFF == 10
    }

    public var description: String {
        var text = "the index at \(path) cannot be opened or brought up to date (\(cause))"
        if isStorageFailure {
            text += ": is its disk full? Free space there and start again"
        }
        return text + "; the records are safe in the segments, and the index is rebuilt from them when needed"
    }
}

