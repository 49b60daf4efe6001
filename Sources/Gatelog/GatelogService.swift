import Foundation
import AuditFormat
import AuditStore
import JSON
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

    /// Opens the data directory. `redactor` is applied to every record before it is stored.
    public init(configuration: StoreConfiguration, redactor: (any RecordRedactor)? = nil) throws(StoreError) {
        store = try LogStore(configuration: configuration)
        ingestor = Ingestor(store: store, redactor: redactor)
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
        var carry: [UInt8] = []
        var lineNumber = 1
        var buffer = [UInt8](repeating: 0, count: chunkBytes)
        var eof = false
        var inFlight: Ingestor.PendingIngest?
        func settle() {
            guard let p = inFlight else { return }
            inFlight = nil
            var part = ingestor.finish(p)
            onChunk?(part)
            if !keepResults { part.results = [] }
            summary.merge(part)
        }
        // Overlap staging with durability only for regular files: on a pipe the next read may
        // block, and acknowledgements must not wait for more input.
        var st = stat()
        let isRegularFile = fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
        while !eof {
            if !isRegularFile { settle() }
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, chunkBytes) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileIOError(operation: "read", path: source, code: errno)
            }
            var chunk = carry
            if n == 0 {
                eof = true
                if chunk.isEmpty { break }
            } else {
                chunk.append(contentsOf: buffer[0..<n])
                guard let lastNewline = chunk.lastIndex(of: 0x0A) else { carry = chunk; continue }
                carry = Array(chunk[(lastNewline + 1)...])
                chunk.removeSubrange((lastNewline + 1)...)
            }
            let lines = Ingestor.splitLines(chunk)
            // Stage this chunk while the writer makes the previous one durable.
            let next = ingestor.submit(lines: lines, firstLine: lineNumber, source: source)
            settle()
            inFlight = next
            lineNumber += lines.count
        }
        settle()
        return summary
    }

    /// Flushes and closes every region.
    public func close() { store.close() }
}
