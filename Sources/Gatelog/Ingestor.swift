import Foundation
import Synchronization
import AuditFormat
import AuditStore
import GatelogCrypto
import JSON
#if canImport(Glibc)
import Glibc
#endif

/// Applies the guardrail policy to a record before it is hashed and stored.
/// Implementations must never let a raw sensitive value reach their output or errors.
public protocol RecordRedactor: Sendable {
    /// The redacted content (`{"request":…,"response":…}`) and metadata values, and a report
    /// (counts only) for the envelope. Throws `.blocked` for data that must never be stored.
    func redact(content: [UInt8], metadata: [(key: String, value: String)], region: String, tenant: String?) throws(RecordError) -> RedactedParts
    /// Redacts free text (rejected lines before they are quarantined); nil when policy blocks it entirely.
    func redactText(_ text: String, region: String?, tenant: String?) -> String?
    /// `redact(content:…)` for content the caller has validated as JSON (`contentBytes()` of a
    /// parsed `AuditRecord`), which need not be checked again.
    func redact(validatedContent: [UInt8], metadata: [(key: String, value: String)], region: String, tenant: String?) throws(RecordError) -> RedactedParts
}

extension RecordRedactor {
    /// Checks the content again: `redact(content:…)`.
    public func redact(validatedContent: [UInt8], metadata: [(key: String, value: String)], region: String,
                       tenant: String?) throws(RecordError) -> RedactedParts {
        try redact(content: validatedContent, metadata: metadata, region: region, tenant: tenant)
    }
}

/// The output of a `RecordRedactor`.
public struct RedactedParts: Sendable {
    /// The metadata with redacted values.
    public var metadata: [(key: String, value: String)]
    /// The redacted content.
    public var content: [UInt8]
    /// The report for the envelope, as compact JSON (nil: no report member).
    public var reportJSON: [UInt8]?
    /// Top-level members of the content whose names were redacted: new name → name as sent (nil: none).
    public var renamedMembers: [String: String]?

    /// The report as a JSON value (parsed from `reportJSON`). O(size of the report).
    public var report: JSONValue? {
        get { reportJSON.flatMap { try? JSONValue.parse($0) } }
        set { reportJSON = newValue?.serialized() }
    }

    /// Parts with a report given as a JSON value.
    public init(metadata: [(key: String, value: String)], content: [UInt8], report: JSONValue?) {
        self.metadata = metadata
        self.content = content
        self.reportJSON = report?.serialized()
    }

    /// Parts with a report already serialized as compact JSON.
    public init(metadata: [(key: String, value: String)], content: [UInt8], reportJSON: [UInt8]?) {
        self.metadata = metadata
        self.content = content
        self.reportJSON = reportJSON
    }
}

/// The result for one input line.
public enum LineResult: Sendable {
    case accepted(region: String, position: UInt64, chainHash: Digest32)
    case duplicate(region: String, existingPosition: UInt64)
    case rejected(code: String, reason: String)
}

/// Counts and per-line results of an ingest call.
public struct IngestSummary: Sendable {
    public var accepted = 0
    public var duplicates = 0
    public var rejected: [(line: Int, id: String?, code: String, reason: String)] = []
    /// One result per input line (blank lines are skipped and have none), in input order.
    public var results: [(line: Int, id: String?, result: LineResult)] = []
    /// Bytes of the accepted input.
    public var inputBytes = 0

    public init() {}

    public mutating func merge(_ other: IngestSummary) {
        accepted += other.accepted
        duplicates += other.duplicates
        rejected += other.rejected
        results += other.results
        inputBytes += other.inputBytes
    }

    /// The summary as JSON. `duplicatePositions: false` leaves out where an existing record with
    /// the same id sits (for callers whose scope may not see that record).
    public func jsonValue(includeResults: Bool, duplicatePositions: Bool = true) -> JSONValue {
        var members = [
            JSONMember("accepted", .int(accepted)), JSONMember("duplicates", .int(duplicates)),
            JSONMember("rejected", .int(rejected.count)),
            JSONMember("errors", .array(rejected.prefix(1000).map { r in
                var m = [JSONMember("line", .int(r.line)), JSONMember("code", .string(r.code)), JSONMember("reason", .string(r.reason))]
                if let id = r.id { m.insert(JSONMember("id", .string(id)), at: 1) }
                return .object(m)
            })),
        ]
        if includeResults {
            members.append(JSONMember("results", .array(results.map { line, id, result in
                var m = [JSONMember("line", .int(line))]
                if let id { m.append(JSONMember("id", .string(id))) }
                switch result {
                case .accepted(let region, let position, let chain):
                    m += [JSONMember("status", "accepted"), JSONMember("region", .string(region)), JSONMember("position", .int(position)),
                          JSONMember("chain_hash", .string(chain.hex))]
                case .duplicate(let region, let existing):
                    m += [JSONMember("status", "duplicate"), JSONMember("region", .string(region))]
                    if duplicatePositions { m.append(JSONMember("position", .int(existing))) }
                case .rejected(let code, let reason):
                    m += [JSONMember("status", "rejected"), JSONMember("code", .string(code)), JSONMember("reason", .string(reason))]
                }
                return .object(m)
            })))
        }
        return .object(members)
    }
}

/// Turns raw records (one JSON object per line) into durable log entries: validate, redact,
/// split into envelope and content, hash, append per region, and quarantine what is rejected.
public final class Ingestor: Sendable {
    public let store: LogStore
    public let redactor: (any RecordRedactor)?
    private let quarantine: Quarantine

    public init(store: LogStore, redactor: (any RecordRedactor)?) {
        self.store = store
        self.redactor = redactor
        self.quarantine = Quarantine(dataDirectory: store.configuration.dataDirectory, configuration: store.configuration)
    }

    /// Validates and redacts one record; O(n) in its size.
    public func stage(_ line: UnsafeRawBufferPointer) throws(RecordError) -> StagedRecord {
        // The stored parts are built straight from `line`: the record text is not copied first.
        let layout = try RecordLayout(parsing: line, limits: store.configuration.limits)
        let (fields, envelope, content) = try Ingestor.storedParts(layout, of: line, redactor: redactor)
        return StagedRecord(fields: fields, prepared: PreparedRecord(id: fields.id, envelope: envelope, content: content),
                            inputSize: line.count)
    }

    /// The typed fields, envelope and content to store for a parsed record, redacted by `redactor`
    /// when there is one. `line` is the text `layout` was parsed from. O(n).
    public static func storedParts(_ layout: RecordLayout, of line: UnsafeRawBufferPointer, redactor: (any RecordRedactor)?)
        throws(RecordError) -> (fields: RecordFields, envelope: [UInt8], content: [UInt8]) {
        var fields = layout.fields
        let envelope: [UInt8]
        let content: [UInt8]
        if let redactor, layout.hasFreeTextMembers {
            // Free text in the envelope (an `error`, a gateway's own fields) is scanned with the
            // content, in one pass and one report, then put back in its place.
            let parts = try redactor.redact(validatedContent: layout.scannedBytes(in: line), metadata: fields.metadata,
                                            region: fields.region, tenant: fields.tenant)
            let split = try layout.splitScanned(parts.content, in: line, renamed: parts.renamedMembers)
            fields.metadata = parts.metadata
            fields.errorClass = layout.errorClass(afterRedaction: split.freeText, in: line, original: fields.errorClass)
            layout.typedStrings(afterRedaction: split.freeText, in: line, fields: &fields)
            envelope = layout.envelopeBytes(in: line, metadataOverride: parts.metadata, redactionReportJSON: parts.reportJSON,
                                            freeTextOverride: split.freeText, nameOverride: split.names)
            content = split.content
        } else if let redactor {
            // `RecordLayout(parsing:)` validated the whole record, so its content is valid JSON.
            let parts = try redactor.redact(validatedContent: layout.contentBytes(in: line), metadata: fields.metadata,
                                            region: fields.region, tenant: fields.tenant)
            fields.metadata = parts.metadata
            envelope = layout.envelopeBytes(in: line, metadataOverride: parts.metadata, redactionReportJSON: parts.reportJSON)
            content = parts.content
        } else {
            envelope = layout.envelopeBytes(in: line)
            content = layout.contentBytes(in: line)
        }
        return (fields, envelope, content)
    }

    /// Ingests lines of NDJSON and waits until every accepted record is durable.
    /// `firstLine` numbers the lines for error messages.
    public func ingest(lines: [ArraySlice<UInt8>], firstLine: Int = 1, source: String) -> IngestSummary {
        finish(submit(lines: lines, firstLine: firstLine, source: source))
    }

    /// Records submitted to the writers whose durability has not been awaited yet.
    public struct PendingIngest: Sendable {
        var firstLine: Int
        var lineSizes: [Int]
        var lineResults: [LineResult?]
        var ids: [String?]
        var tickets: [(region: String, indices: [Int], ticket: AppendTicket?, error: StoreError?)]
    }

    /// Validates, redacts and enqueues lines without waiting for the disk; rejected lines are
    /// quarantined now. Pair with `finish` (callers may submit the next batch in between).
    ///
    /// `admit` refuses records the caller may not write (its scope); `mayQuarantineIn` says in
    /// which regions the caller's rejected lines may be kept (by default any that holds segments).
    /// A line that fails validation is filed by the region it names only when that region passes,
    /// so a caller cannot write rejected text into another region's directory.
    public func submit(lines: [ArraySlice<UInt8>], firstLine: Int = 1, source: String,
                       admit: (@Sendable (RecordFields) -> RecordError?)? = nil,
                       mayQuarantineIn: (@Sendable (String) -> Bool)? = nil) -> PendingIngest {
        var staged = stageAll(lines)
        // Ids of records refused below, so their rejections still name them.
        var refusedIDs: [Int: String] = [:]
        // Regions starting with `_` are gatelog's own (the access log); callers may add rules (scopes).
        for i in staged.indices {
            guard case .some(.success(let r)) = staged[i] else { continue }
            if Region.isReserved(r.fields.region) || admit != nil { refusedIDs[i] = r.fields.id }
            if Region.isReserved(r.fields.region) {
                staged[i] = .failure(.invalidValue(field: "region", reason: "names a region reserved for gatelog"))
            } else if let refusal = admit?(r.fields) {
                staged[i] = .failure(refusal)
            }
        }
        var byRegion: [String: [(index: Int, record: StagedRecord)]] = [:]
        var order: [String] = []
        var pending = PendingIngest(firstLine: firstLine, lineSizes: lines.map(\.count),
                                    lineResults: Array(repeating: nil, count: lines.count),
                                    ids: Array(repeating: nil, count: lines.count), tickets: [])
        var rejectedLines: [(line: Int, text: ArraySlice<UInt8>, code: String, reason: String, routable: Bool)] = []
        for (i, s) in staged.enumerated() {
            switch s {
            case .none: continue
            case .some(.success(let record)):
                pending.ids[i] = record.fields.id
                if byRegion[record.fields.region] == nil { order.append(record.fields.region) }
                byRegion[record.fields.region, default: []].append((i, record))
            case .some(.failure(let error)):
                pending.ids[i] = refusedIDs[i]
                pending.lineResults[i] = .rejected(code: error.code, reason: error.description)
                // A line refused for its region (reserved, or outside the caller's scope) is kept in
                // the unrouted quarantine, never in the region it names.
                rejectedLines.append((firstLine + i, lines[i], error.code, error.description, refusedIDs[i] == nil))
            }
        }
        for region in order {
            let items = byRegion[region]!
            do {
                let writer = try store.writer(for: region)
                let ticket = try writer.append(items.map(\.record))
                pending.tickets.append((region, items.map(\.index), ticket, nil))
            } catch {
                pending.tickets.append((region, items.map(\.index), nil, error))
            }
        }
        if !rejectedLines.isEmpty {
            quarantine.record(rejectedLines, source: source, redactor: redactor, mayRouteTo: mayQuarantineIn)
        }
        return pending
    }

    /// Waits for the submitted records to be durable and summarises every line.
    public func finish(_ pending: PendingIngest) -> IngestSummary {
        var summary = IngestSummary()
        var lineResults = pending.lineResults
        for t in pending.tickets {
            let result: Result<[AppendOutcome], StoreError> = t.ticket?.wait() ?? .failure(t.error ?? .closed)
            switch result {
            case .success(let outcomes):
                for (k, index) in t.indices.enumerated() {
                    switch outcomes[k] {
                    case .accepted(let p, let chain):
                        lineResults[index] = .accepted(region: t.region, position: p, chainHash: chain)
                        summary.inputBytes += pending.lineSizes[index]
                    case .duplicate(let p): lineResults[index] = .duplicate(region: t.region, existingPosition: p)
                    }
                }
            case .failure(let error):
                for index in t.indices {
                    let code = error.isDiskFull ? "disk_full" : error.isRegionLimit ? "region_limit" : "storage_error"
                    // Not stored, and nothing stored before is lost: the record may be sent again.
                    let reason = error.isDiskFull ? "\(error.description); records acknowledged before are safe, send this one again" : error.description
                    lineResults[index] = .rejected(code: code, reason: reason)
                }
            }
        }
        for (i, r) in lineResults.enumerated() {
            guard let r else { continue }
            let line = pending.firstLine + i
            summary.results.append((line, pending.ids[i], r))
            switch r {
            case .accepted: summary.accepted += 1
            case .duplicate: summary.duplicates += 1
            case .rejected(let code, let reason): summary.rejected.append((line, pending.ids[i], code, reason))
            }
        }
        return summary
    }

    private func stageAll(_ lines: [ArraySlice<UInt8>]) -> [Result<StagedRecord, RecordError>?] {
        let results = Mutex<[Result<StagedRecord, RecordError>?]>(Array(repeating: nil, count: lines.count))
        let stripes = lines.count >= 64 ? max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8)) : 1
        DispatchQueue.concurrentPerform(iterations: stripes) { stripe in
            var local: [(Int, Result<StagedRecord, RecordError>)] = []
            var i = stripe
            while i < lines.count {
                let line = lines[i]
                if !Ingestor.isBlank(line) {
                    let r: Result<StagedRecord, RecordError> = line.withUnsafeBytes { b in
                        do throws(RecordError) { return .success(try stage(b)) } catch { return .failure(error) }
                    }
                    local.append((i, r))
                }
                i += stripes
            }
            results.withLock { all in for (i, r) in local { all[i] = r } }
        }
        return results.withLock { $0 }
    }

    static func isBlank(_ line: ArraySlice<UInt8>) -> Bool {
        line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
    }

    /// Splits a request body into records: a JSON array (one record per element), a single JSON
    /// object (even pretty-printed over several lines), or NDJSON (one record per line).
    /// Throws when the body starts like an array but is not valid JSON, and `.tooManyRecords` when
    /// it holds more than `maxRecords` elements or NDJSON lines (blank ones included; counted
    /// before any per-line array is built, so a body of newlines costs nothing per line).
    /// A body of blank lines only holds no record, but its lines count too: more than `maxRecords`
    /// of them is `.tooManyRecords`, like any other NDJSON body.
    public static func splitBody(_ bytes: [UInt8], maxRecords: Int = .max) throws(RecordError) -> [ArraySlice<UInt8>] {
        guard let first = bytes.firstIndex(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) else {
            let lineCount = countNewlines(bytes) + (bytes.last == 0x0A || bytes.isEmpty ? 0 : 1)
            if lineCount > maxRecords { throw .tooManyRecords(count: lineCount, limit: maxRecords) }
            return []
        }
        if bytes[first] == UInt8(ascii: "[") {
            let ranges: [Range<Int>]
            do {
                ranges = try bytes.withUnsafeBytes { try JSONSyntax.arrayElements($0) }
            } catch let e as JSONError { throw .invalidJSON(e) } catch { throw .notAnObject }
            if ranges.count > maxRecords { throw .tooManyRecords(count: ranges.count, limit: maxRecords) }
            return ranges.map { bytes[$0] }
        }
        if bytes.contains(0x0A), bytes.withUnsafeBytes({ JSONSyntax.isSingleValue($0) }) { return [bytes[...]] }
        let lineCount = countNewlines(bytes) + (bytes.last == 0x0A ? 0 : 1)
        if lineCount > maxRecords { throw .tooManyRecords(count: lineCount, limit: maxRecords) }
        return splitLines(bytes)
    }

    /// The number of newline bytes in `bytes`. O(n), memchr speed.
    public static func countNewlines(_ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBytes { b in
            guard var p = b.baseAddress else { return 0 }
            let end = p + b.count
            var n = 0
            while p < end, let hit = memchr(p, 0x0A, end - p) {
                n += 1
                p = UnsafeRawPointer(hit) + 1
            }
            return n
        }
    }

    /// Splits NDJSON into lines (without their newlines).
    public static func splitLines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        splitLines(bytes[...])
    }

    /// Splits a slice of NDJSON into lines (without their newlines), as slices of the same array.
    public static func splitLines(_ bytes: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = bytes.startIndex
        bytes.withUnsafeBytes { b in
            guard let base = b.baseAddress else { return }
            let first = bytes.startIndex
            while start < bytes.endIndex, let hit = memchr(base + (start - first), 0x0A, bytes.endIndex - start) {
                let i = first + base.distance(to: UnsafeRawPointer(hit))
                lines.append(bytes[start..<i])
                start = i + 1
            }
        }
        if start < bytes.endIndex { lines.append(bytes[start...]) }
        return lines
    }
}

/// Rejected input kept per region (or `_unrouted`) in `quarantine.ndjson`, after redaction,
/// so no rejected record is silently lost and no raw secret reaches the disk.
final class Quarantine: Sendable {
    let dataDirectory: String
    let configuration: StoreConfiguration
    private let lock = Mutex(())

    init(dataDirectory: String, configuration: StoreConfiguration) {
        self.dataDirectory = dataDirectory
        self.configuration = configuration
    }

    func record(_ lines: [(line: Int, text: ArraySlice<UInt8>, code: String, reason: String, routable: Bool)], source: String,
                redactor: (any RecordRedactor)?, mayRouteTo: ((String) -> Bool)? = nil) {
        var byPath: [String: [UInt8]] = [:]
        let now = Timestamp.format(milliseconds: Int64(Date().timeIntervalSince1970 * 1000))
        // A line beyond the record size limit is kept up to that size (its first bytes, and its size):
        // the quarantine must not grow by whatever a client sends, nor redact megabytes per line.
        let keep = configuration.limits.maxRecordBytes
        for l in lines {
            let truncated = l.text.count > keep
            var cut = l.text.startIndex + min(l.text.count, keep)
            // Cut at a UTF-8 character boundary (not inside a multi-byte sequence).
            while truncated, cut > l.text.startIndex, l.text[cut] & 0xC0 == 0x80 { cut -= 1 }
            let text = String(decoding: l.text[l.text.startIndex..<cut], as: UTF8.self)
            // Redacted by the rules of the region the line names, wherever it is filed: a line kept
            // in the unrouted quarantine must not get milder rules than its region's.
            let named = guessRegion(text)
            let region = l.routable ? named.flatMap { mayRouteTo?($0) ?? true ? $0 : nil } : nil
            let dir = region.map { configuration.regionDirectory($0) } ?? "\(dataDirectory)/quarantine"
            let safe: String? = redactor == nil ? text : redactor!.redactText(text, region: named ?? region, tenant: nil)
            let entry = JSONValue.object([
                JSONMember("received_at", .string(now)), JSONMember("source", .string(source)), JSONMember("line", .int(l.line)),
                JSONMember("code", .string(l.code)), JSONMember("reason", .string(l.reason)),
                JSONMember("text", safe.map { .string($0) } ?? .null),
            ] + (safe == nil ? [JSONMember("text_dropped", "the policy blocks a value in this line")] : [])
              + (truncated ? [JSONMember("text_truncated", .bool(true)), JSONMember("size", .int(l.text.count))] : []))
            byPath["\(dir)/quarantine.ndjson", default: []].append(contentsOf: entry.serialized() + [0x0A])
        }
        lock.withLock { _ in
            for (path, bytes) in byPath {
                let dir = (path as NSString).deletingLastPathComponent
                do {
                    try FileIO.makeDirectories(dir)
                    let fd = try FileIO.open(path, flags: O_WRONLY | O_APPEND | O_CREAT, mode: 0o600)
                    defer { close(fd) }
                    try FileIO.writeAll(fd, bytes, path: path)
                    try FileIO.dataSync(fd, path: path)
                } catch {
                    FileHandle.standardError.write(Data("gatelog: cannot write quarantine file: \(error)\n".utf8))
                }
            }
        }
    }

    /// The region named by a rejected line, when it parses far enough and the name is valid.
    /// Only a region that already holds segments qualifies: a rejected line must not create a
    /// region directory, nor reach gatelog's own regions (`_access`).
    func guessRegion(_ text: String) -> String? {
        guard let v = try? JSONValue.parse(text), let r = v["region"]?.stringValue, Region.isValidName(r), !Region.isReserved(r),
              FileIO.exists("\(configuration.regionDirectory(r))/segments") else { return nil }
        return r
    }
}
