import JSON
#if canImport(Glibc)
import Glibc
#endif

/// Limits applied to every incoming record.
public struct RecordLimits: Sendable, Equatable {
    /// Largest accepted record, in bytes of its JSON text (default 1 MiB).
    public var maxRecordBytes: Int = 1 << 20
    /// Longest accepted `id`, in characters.
    public var maxIDLength: Int = 128
    /// Most metadata entries per record.
    public var maxMetadataKeys: Int = 64
    /// Longest metadata key, in characters.
    public var maxMetadataKeyLength: Int = 64
    /// Longest metadata value, in characters (the gateway metadata-header convention).
    public var maxMetadataValueLength: Int = 128
    /// Deepest JSON nesting accepted.
    public var maxDepth: Int = 64
    /// Most lines (or array elements) in one ingest request, blank lines included (default 100,000).
    public var maxRecordsPerRequest: Int = 100_000

    /// `cost_usd` must lie strictly between minus and plus this many USD (default 10^9): the
    /// index keeps costs as 64-bit nano-USD, and no single call costs a billion dollars.
    public var costUSDBound: Double = 1e9
    /// Each `latency_ms` value must lie strictly between minus and plus this many milliseconds
    /// (default 10^12, about 31.7 years): the index keeps latencies as 64-bit microseconds.
    public var latencyMsBound: Double = 1e12

    /// The default limits.
    public init() {}

    /// Limits for reading back what is already stored (re-indexing from the segments): only
    /// what the JSON reader itself needs. A stored record was checked when it was ingested, with
    /// the limits of that time, and must never become unreadable because limits changed since.
    public static let storedRecord: RecordLimits = {
        var l = RecordLimits()
        l.maxRecordBytes = .max
        l.maxIDLength = .max
        l.maxMetadataKeys = .max
        l.maxMetadataKeyLength = .max
        l.maxMetadataValueLength = .max
        l.costUSDBound = .infinity
        l.latencyMsBound = .infinity
        return l
    }()
}

/// Why a record was rejected. Messages name fields and rules, never values.
public enum RecordError: Error, Equatable, CustomStringConvertible {
    case tooLarge(size: Int, limit: Int)
    /// A request (an HTTP body) holds more lines or array elements than the limit allows.
    case tooManyRecords(count: Int, limit: Int)
    case invalidJSON(JSONError)
    case notAnObject
    case missingField(String)
    case wrongType(field: String, expected: String, found: String)
    case invalidValue(field: String, reason: String)
    case duplicateField(String)
    case reservedField(String)
    /// A policy refused the record (e.g. a `block` redaction action).
    case blocked(reason: String)

    public var description: String {
        switch self {
        case .tooLarge(let size, let limit): return "record is \(size) bytes, over the \(limit)-byte limit"
        case .tooManyRecords(let count, let limit): return "the request holds \(count) lines or records, over the limit of \(limit) per request; split it"
        case .invalidJSON(let e): return e.description
        case .notAnObject: return "a record must be a JSON object"
        case .missingField(let f): return "required field '\(f)' is missing"
        case .wrongType(let f, let expected, let found): return "field '\(Self.shown(f))' must be \(expected), found \(found)"
        case .invalidValue(let f, let reason): return "field '\(Self.shown(f))' \(reason)"
        case .duplicateField(let f): return "field '\(Self.shown(f))' appears more than once"
        case .reservedField(let f): return "field '\(f)' is reserved for gatelog"
        case .blocked(let reason): return "blocked by policy: \(reason)"
        }
    }

    /// A field name as error messages show it. Member names come from the client and may hold the
    /// data itself (`{"jane@example.com": …}`, a card number as a metadata key), and messages reach
    /// HTTP answers, CLI output and quarantine files, which are never redacted after the fact: a
    /// name of letters, digits (at most four), `_`, `-` and `.` is shown; otherwise a typed
    /// object's name and `(a name not shown)` (`metadata.(a name not shown)`), or only that.
    static func shown(_ field: String) -> String {
        var digits = 0
        let plain = !field.isEmpty && field.utf8.count <= 64 && field.utf8.allSatisfy { c in
            if c >= 0x30 && c <= 0x39 { digits += 1; return true }
            return (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == UInt8(ascii: "_") || c == UInt8(ascii: "-") || c == UInt8(ascii: ".")
        }
        if plain && digits <= 4 { return field }
        for object in ["metadata.", "usage.", "route.", "latency_ms.", "trace.", "error."] where field.hasPrefix(object) {
            return object + "(a name not shown)"
        }
        return "(a name not shown)"
    }

    /// A short machine-readable code.
    public var code: String {
        switch self {
        case .tooLarge: return "too_large"
        case .tooManyRecords: return "too_many_records"
        case .invalidJSON: return "invalid_json"
        case .notAnObject: return "not_an_object"
        case .missingField: return "missing_field"
        case .wrongType: return "wrong_type"
        case .invalidValue: return "invalid_value"
        case .duplicateField: return "duplicate_field"
        case .reservedField: return "reserved_field"
        case .blocked: return "blocked"
        }
    }
}

/// The typed fields gatelog indexes and validates. Everything else in a record is kept as is.
public struct RecordFields: Sendable, Equatable {
    public var id: String
    /// `ts` as milliseconds since the Unix epoch, UTC.
    public var timestamp: Int64
    public var region: String
    public var tenant: String?
    public var team: String?
    public var user: String?
    public var apiKeyID: String?
    public var kind: String?
    public var model: String?
    public var provider: String?
    public var status: Int?
    /// `error.type` (or `error.code`, or the error string itself), when the record carries an error.
    public var errorClass: String?
    public var costUSD: Double?
    public var inputTokens: Int64?
    public var outputTokens: Int64?
    public var latencyTotalMs: Double?
    public var ttftMs: Double?
    public var itlMs: Double?
    public var traceID: String?
    public var routeBackend: String?
    public var routeFallback: Bool?
    /// Metadata in record order.
    public var metadata: [(key: String, value: String)]
    /// Which typed objects (`route`, `usage`, `latency_ms`, `trace`: bits 1, 2, 4, 8) hold members
    /// gatelog does not know (`usage.prompt_tokens_details`, a gateway's own fields). Such an
    /// object is free text for redaction, as an unknown top-level member is. Not part of `==`.
    public var typedObjectsWithUnknownMembers: UInt8 = 0

    public static func == (l: RecordFields, r: RecordFields) -> Bool {
        l.id == r.id && l.timestamp == r.timestamp && l.region == r.region && l.tenant == r.tenant && l.team == r.team
            && l.user == r.user && l.apiKeyID == r.apiKeyID && l.kind == r.kind && l.model == r.model
            && l.provider == r.provider && l.status == r.status && l.errorClass == r.errorClass && l.costUSD == r.costUSD
            && l.inputTokens == r.inputTokens && l.outputTokens == r.outputTokens && l.latencyTotalMs == r.latencyTotalMs
            && l.ttftMs == r.ttftMs && l.itlMs == r.itlMs && l.traceID == r.traceID && l.routeBackend == r.routeBackend
            && l.routeFallback == r.routeFallback && l.metadata.map(\.key) == r.metadata.map(\.key)
            && l.metadata.map(\.value) == r.metadata.map(\.value)
    }
}

/// Where the parts of a validated record lie in its JSON text: the typed fields, and byte ranges
/// of the envelope members and of the request and response bodies. It describes the exact bytes it
/// was parsed from and must only be used with them; the ingest path uses it to build the stored
/// parts straight from its input buffer, without first copying the record text.
public struct RecordLayout: Sendable {
    /// The validated typed fields.
    public var fields: RecordFields
    /// Top-level members other than `request` and `response`: key and value ranges, in input order.
    let envelopeRanges: [JSONMemberRange]
    let requestRange: Range<Int>?
    let responseRange: Range<Int>?
    /// Indices in `envelopeRanges` of the envelope members that hold free text from outside
    /// gatelog's schema: an `error` that is not null (upstream error bodies quote keys and
    /// addresses), and every member gatelog does not know (a gateway's own fields, `guardrails`).
    /// Redaction scans them like the content (`scannedBytes`); the typed identity fields (`user`,
    /// `tenant`, …) are kept as sent, for search.
    let freeTextMembers: [Int]

    /// Parses and validates one record from its JSON text. O(n) in the text: one validating pass
    /// over the bytes, then the typed members are read in place (no JSON tree is built).
    public init(parsing bytes: UnsafeRawBufferPointer, limits: RecordLimits = RecordLimits()) throws(RecordError) {
        guard bytes.count <= limits.maxRecordBytes else { throw .tooLarge(size: bytes.count, limit: limits.maxRecordBytes) }
        let members = try TypedMembers.scan(bytes, maxDepth: limits.maxDepth)
        var slots: [Int?] = []
        slots.reserveCapacity(members.count)
        for member in members { slots.append(TypedMembers.classify(member, in: bytes)) }
        if let duplicate = AuditRecord.firstDuplicate(members, slots: slots, in: bytes) { throw .duplicateField(duplicate) }
        var envelope: [JSONMemberRange] = []
        envelope.reserveCapacity(members.count)
        var typed = TypedMembers()
        var request: Range<Int>?
        var response: Range<Int>?
        var freeText: [Int] = []
        for (member, slot) in zip(members, slots) {
            switch slot {
            case TypedMembers.requestSlot: request = member.value
            case TypedMembers.responseSlot: response = member.value
            case TypedMembers.reservedSlot: throw .reservedField(AuditRecord.redactionMember)
            case let slot?:
                typed.set(slot, member.value)
                if slot == TypedMembers.error && bytes[member.value.lowerBound] != UInt8(ascii: "n") { freeText.append(envelope.count) }
                envelope.append(member)
            case nil:
                freeText.append(envelope.count)
                envelope.append(member)
            }
        }
        self.fields = try RecordFields.extract(typed, reader: JSONValueReader(bytes: bytes), limits: limits)
        // A typed object with members gatelog does not know is scanned as free text (their names
        // and values may hold anything); the members gatelog reads are re-read after redaction.
        // (Rare: the members are looked up again only then, so the common record allocates nothing more.)
        if fields.typedObjectsWithUnknownMembers != 0 {
            for (index, member) in envelope.enumerated() {
                guard let slot = TypedMembers.classify(member, in: bytes) else { continue }
                if fields.typedObjectsWithUnknownMembers & TypedMembers.objectBit(slot) != 0 { freeText.append(index) }
            }
            freeText.sort()
        }
        self.freeTextMembers = freeText
        self.envelopeRanges = envelope
        self.requestRange = request
        self.responseRange = response
    }

    /// The content bytes, `{"request":…,"response":…}` with the members present, read from
    /// `bytes` (the text this layout was parsed from) unless replacements are given. O(n).
    public func contentBytes(in bytes: UnsafeRawBufferPointer, request: [UInt8]? = nil, response: [UInt8]? = nil) -> [UInt8] {
        let requestLength = request?.count ?? requestRange?.count
        let responseLength = response?.count ?? responseRange?.count
        var out = [UInt8]()
        out.reserveCapacity((requestLength ?? 0) + (responseLength ?? 0) + 24)
        out.append(UInt8(ascii: "{"))
        if requestLength != nil {
            out.append(contentsOf: #""request":"#.utf8)
            if let request { out.append(contentsOf: request) } else { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[requestRange!])) }
        }
        if responseLength != nil {
            if requestLength != nil { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #""response":"#.utf8)
            if let response { out.append(contentsOf: response) } else { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[responseRange!])) }
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// True when the envelope holds free text that redaction must scan besides the content (see
    /// `scannedBytes`).
    public var hasFreeTextMembers: Bool { !freeTextMembers.isEmpty }

    /// The names of the free-text envelope members, in input order.
    public func freeTextMemberNames(in bytes: UnsafeRawBufferPointer) -> [String] {
        freeTextMembers.map { envelopeRanges[$0].key(in: bytes) }
    }

    /// What redaction scans when the record has free-text envelope members: one object holding
    /// those members first, in input order, then `request` and `response`. Field rules see their
    /// usual paths (`error.message`, `request.params.api_key`). Split the redacted result with
    /// `splitScanned`. O(n).
    public func scannedBytes(in bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(freeTextMembers.reduce(32 + (requestRange?.count ?? 0) + (responseRange?.count ?? 0)) {
            $0 + envelopeRanges[$1].key.count + envelopeRanges[$1].value.count + 4
        })
        out.append(UInt8(ascii: "{"))
        for i in freeTextMembers {
            if out.count > 1 { out.append(UInt8(ascii: ",")) }
            appendKey(envelopeRanges[i], from: bytes, to: &out)
            out.append(UInt8(ascii: ":"))
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[envelopeRanges[i].value]))
        }
        for (name, range) in [(#""request":"#, requestRange), (#""response":"#, responseRange)] {
            guard let range else { continue }
            if out.count > 1 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: name.utf8)
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[range]))
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// Splits the redacted form of `scannedBytes` back into the content bytes and the new values of
    /// the free-text members, by their index in the envelope (a member a field rule dropped has
    /// none), and the new names of those whose names redaction rewrote (`renamed`: new name →
    /// name as sent, as the redactor reports them). Reads only the free-text members; the content
    /// is copied as it is. O(n).
    public func splitScanned(_ redacted: [UInt8], in bytes: UnsafeRawBufferPointer, renamed: [String: String]? = nil) throws(RecordError)
        -> (content: [UInt8], freeText: [Int: [UInt8]], names: [Int: String]?) {
        var values: [Int: [UInt8]] = [:]
        var names: [Int: String]?
        var contentStart: Int?
        do {
            try redacted.withUnsafeBytes { r in
                func skipSpace(_ i: inout Int) { while i < r.count, r[i] == 0x20 || r[i] == 0x0A || r[i] == 0x0D || r[i] == 0x09 { i += 1 } }
                var i = 0
                skipSpace(&i)
                guard i < r.count, r[i] == UInt8(ascii: "{") else { throw JSONError(offset: i, reason: "expected an object") }
                i += 1
                while true {
                    skipSpace(&i)
                    guard i < r.count, r[i] == UInt8(ascii: "\"") else { return }  // `}`: no content members
                    let keyStart = i
                    let hasEscapes = try JSONSyntax.skipString(r, &i)
                    let outputKey = JSONMemberRange(key: (keyStart + 1)..<(i - 1), keyHasEscapes: hasEscapes, value: 0..<0)
                    if outputKey.keyEquals("request", in: r) || outputKey.keyEquals("response", in: r) {
                        contentStart = keyStart
                        return
                    }
                    skipSpace(&i)
                    guard i < r.count, r[i] == UInt8(ascii: ":") else { throw JSONError(offset: i, reason: "expected ':'") }
                    i += 1
                    skipSpace(&i)
                    let valueStart = i
                    try JSONSyntax.skipValue(r, &i)
                    // Members come back in the order they were written (a field rule may have dropped some),
                    // under their names as sent unless redaction rewrote them.
                    let newName = renamed == nil ? nil : outputKey.key(in: r)
                    let original = newName.flatMap { renamed?[$0] }
                    let index = freeTextMembers.first { k in
                        let member = envelopeRanges[k]
                        if let original { return member.key(in: bytes) == original }
                        if !member.keyHasEscapes && !outputKey.keyHasEscapes {
                            return member.key.count == outputKey.key.count
                                && memcmp(bytes.baseAddress! + member.key.lowerBound, r.baseAddress! + outputKey.key.lowerBound, member.key.count) == 0
                        }
                        return member.key(in: bytes) == outputKey.key(in: r)
                    }
                    if let index {
                        values[index] = Array(r[valueStart..<i])
                        if original != nil, let newName { names = names ?? [:]; names![index] = newName }
                    }
                    skipSpace(&i)
                    guard i < r.count else { throw JSONError(offset: i, reason: "unexpected end of input") }
                    if r[i] == UInt8(ascii: ",") { i += 1 }
                }
            }
        } catch let e as JSONError { throw .invalidJSON(e) } catch { throw .notAnObject }
        guard let contentStart else { return ([UInt8(ascii: "{"), UInt8(ascii: "}")], values, names) }
        var content = [UInt8]()
        content.reserveCapacity(redacted.count - contentStart + 1)
        content.append(UInt8(ascii: "{"))
        content.append(contentsOf: redacted[contentStart...])
        return (content, values, names)
    }

    /// `route.backend` and `trace.trace_id` as the index keeps them, read from the values their
    /// objects have after redaction when they were scanned as free text (a field rule may have
    /// dropped them: then nil).
    public func typedStrings(afterRedaction freeText: [Int: [UInt8]], in bytes: UnsafeRawBufferPointer,
                             fields: inout RecordFields) {
        guard fields.typedObjectsWithUnknownMembers & (TypedMembers.routeBit | TypedMembers.traceBit) != 0 else { return }
        for index in freeTextMembers {
            let isRoute = envelopeRanges[index].keyEquals("route", in: bytes)
            guard isRoute || envelopeRanges[index].keyEquals("trace", in: bytes) else { continue }
            let value: String? = freeText[index].flatMap { redacted in
                redacted.withUnsafeBytes { v -> String? in
                    let reader = JSONValueReader(bytes: v)
                    guard let members = reader.members(0..<v.count), let found = reader.lookup(isRoute ? "backend" : "trace_id", in: members),
                          !reader.isNull(found) else { return nil }
                    return reader.string(found)
                }
            }
            if isRoute { fields.routeBackend = value } else { fields.traceID = value }
        }
    }

    /// `error_class` as the index keeps it, read from the value `error` has after redaction (nil
    /// when a field rule dropped it).
    public func errorClass(afterRedaction freeText: [Int: [UInt8]], in bytes: UnsafeRawBufferPointer, original: String?) -> String? {
        guard let index = freeTextMembers.first(where: { envelopeRanges[$0].keyEquals("error", in: bytes) }) else { return original }
        guard let value = freeText[index] else { return nil }
        return value.withUnsafeBytes { v in
            (try? RecordFields.errorClass(JSONValueReader(bytes: v), value: 0..<v.count)) ?? nil
        }
    }

    private func appendKey(_ member: JSONMemberRange, from bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        if member.keyHasEscapes {
            JSONWriter.appendString(member.key(in: bytes), to: &out)
        } else {
            // Unescaped key text is exactly what JSONWriter would write for it.
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[(member.key.lowerBound - 1)..<(member.key.upperBound + 1)]))
        }
    }

    /// The envelope bytes, read from `bytes` (the text this layout was parsed from): the envelope
    /// members in input order, with `metadata` replaced by `metadataOverride` when given (redacted
    /// values, written as a compact object as `JSONWriter` writes one), the free-text members by
    /// `freeTextOverride` when given (their redacted values from `splitScanned`; a member without
    /// one is left out), and the redaction report (compact JSON) appended. O(size of the envelope).
    /// `nameOverride` gives free-text members their redacted names (from `splitScanned`).
    public func envelopeBytes(in bytes: UnsafeRawBufferPointer, metadataOverride: [(key: String, value: String)]? = nil,
                              redactionReportJSON: [UInt8]? = nil, freeTextOverride: [Int: [UInt8]]? = nil,
                              nameOverride: [Int: String]? = nil) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(envelopeRanges.reduce(64 + (redactionReportJSON?.count ?? 0)) { $0 + $1.key.count + $1.value.count + 4 })
        out.append(UInt8(ascii: "{"))
        var first = true
        let hasNameOverride = nameOverride != nil
        for (index, member) in envelopeRanges.enumerated() {
            var replacement: [UInt8]?
            if let freeTextOverride, freeTextMembers.contains(index) {
                guard let value = freeTextOverride[index] else { continue }
                replacement = value
            }
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            if hasNameOverride, let name = nameOverride![index] {
                JSONWriter.appendString(name, to: &out)
            } else {
                appendKey(member, from: bytes, to: &out)
            }
            out.append(UInt8(ascii: ":"))
            if let replacement {
                out.append(contentsOf: replacement)
            } else if let metadataOverride, member.keyEquals("metadata", in: bytes) {
                out.append(UInt8(ascii: "{"))
                for (k, entry) in metadataOverride.enumerated() {
                    if k > 0 { out.append(UInt8(ascii: ",")) }
                    JSONWriter.appendString(entry.key, to: &out)
                    out.append(UInt8(ascii: ":"))
                    JSONWriter.appendString(entry.value, to: &out)
                }
                out.append(UInt8(ascii: "}"))
            } else {
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[member.value]))
            }
        }
        if let redactionReportJSON {
            if !first { out.append(UInt8(ascii: ",")) }
            JSONWriter.appendString(AuditRecord.redactionMember, to: &out)
            out.append(UInt8(ascii: ":"))
            out.append(contentsOf: redactionReportJSON)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }
}

/// An incoming record, validated and split into the parts gatelog stores separately.
///
/// The *content* is the request and response bodies; the *envelope* is everything else.
/// Unknown fields are kept in the envelope in their original order and bytes.
public struct AuditRecord: Sendable {
    /// Where the typed fields and the parts lie in `source`.
    public let layout: RecordLayout
    /// The validated typed fields.
    public var fields: RecordFields
    /// Top-level members other than `request` and `response`, as raw JSON value bytes, in input order.
    public var envelopeMembers: [(key: String, value: ArraySlice<UInt8>)] {
        source.withUnsafeBytes { b in layout.envelopeRanges.map { ($0.key(in: b), source[$0.value]) } }
    }
    /// The record's JSON text, as received (one copy; the parts below are ranges into it).
    public let source: [UInt8]
    /// The raw JSON of `request`, if present.
    public var request: ArraySlice<UInt8>? { layout.requestRange.map { source[$0] } }
    /// The raw JSON of `response`, if present.
    public var response: ArraySlice<UInt8>? { layout.responseRange.map { source[$0] } }
    /// Size of the input text.
    public var inputSize: Int { source.count }

    /// The envelope member written by gatelog with the redaction report.
    public static let redactionMember = "gatelog_redaction"

    /// Parses and validates one record from its JSON text (`RecordLayout(parsing:)`) and keeps a
    /// copy of the text. O(n).
    public static func parse(_ bytes: UnsafeRawBufferPointer, limits: RecordLimits = RecordLimits()) throws(RecordError) -> AuditRecord {
        let layout = try RecordLayout(parsing: bytes, limits: limits)
        return AuditRecord(layout: layout, fields: layout.fields, source: Array(bytes))
    }

    /// Parses and validates one record from bytes.
    public static func parse(_ bytes: [UInt8], limits: RecordLimits = RecordLimits()) throws(RecordError) -> AuditRecord {
        do {
            return try bytes.withUnsafeBytes { try parse($0, limits: limits) }
        } catch let e as RecordError { throw e } catch { throw .notAnObject }
    }

    /// The first key (decoded) that appears twice, given each member's slot from
    /// `TypedMembers.classify`: recognised keys are equal exactly when their slots are, so only
    /// the other keys are compared with each other (as raw bytes when neither has escapes).
    /// O(members + others²) for the few unrecognised keys of a record, O(n log n) beyond 32.
    /// The first name given twice among the members of a small object (`usage`, `route`…): pairwise,
    /// without allocating, up to 16 members; `firstDuplicate` beyond.
    static func duplicateName(_ members: [JSONMemberRange], in bytes: UnsafeRawBufferPointer) -> String? {
        guard members.count <= 16 else { return firstDuplicate(members, slots: Array(repeating: nil, count: members.count), in: bytes) }
        for i in members.indices {
            let a = members[i]
            for j in (i + 1)..<members.count {
                let b = members[j]
                if !a.keyHasEscapes && !b.keyHasEscapes {
                    if a.key.count == b.key.count
                        && memcmp(bytes.baseAddress! + a.key.lowerBound, bytes.baseAddress! + b.key.lowerBound, a.key.count) == 0 {
                        return a.key(in: bytes)
                    }
                } else if a.key(in: bytes) == b.key(in: bytes) {
                    return a.key(in: bytes)
                }
            }
        }
        return nil
    }

    static func firstDuplicate(_ members: [JSONMemberRange], slots: [Int?], in bytes: UnsafeRawBufferPointer) -> String? {
        // For each member, the index of an earlier member with the same key; the answer is the key
        // whose first occurrence comes first among all repeated keys.
        var firstRepeated: Int?
        var seenSlot = InlineArray<21, Int>(repeating: -1)
        var others: [Int] = []
        for (i, slot) in slots.enumerated() {
            if let slot {
                if seenSlot[slot] >= 0 { firstRepeated = min(firstRepeated ?? Int.max, seenSlot[slot]) } else { seenSlot[slot] = i }
            } else {
                others.append(i)
            }
        }
        if others.count <= 32 {
            for (x, i) in others.enumerated() where firstRepeated.map({ i < $0 }) ?? true {
                let a = members[i]
                for j in others[(x + 1)...] {
                    let b = members[j]
                    if !a.keyHasEscapes && !b.keyHasEscapes {
                        guard a.key.count == b.key.count,
                              memcmp(bytes.baseAddress! + a.key.lowerBound, bytes.baseAddress! + b.key.lowerBound, a.key.count) == 0
                        else { continue }
                    } else if a.key(in: bytes) != b.key(in: bytes) {
                        continue
                    }
                    firstRepeated = min(firstRepeated ?? Int.max, i)
                    break
                }
            }
        } else {
            var seen: [String: Int] = [:]
            for i in others {
                let name = members[i].key(in: bytes)
                if let earlier = seen[name] { firstRepeated = min(firstRepeated ?? Int.max, earlier) } else { seen[name] = i }
            }
        }
        return firstRepeated.map { members[$0].key(in: bytes) }
    }

    /// The content bytes: `{"request":…,"response":…}` with the members present.
    public func contentBytes(request: [UInt8]? = nil, response: [UInt8]? = nil) -> [UInt8] {
        source.withUnsafeBytes { layout.contentBytes(in: $0, request: request, response: response) }
    }

    /// What redaction scans: the content with the free-text envelope members (`RecordLayout.scannedBytes`).
    public func scannedBytes() -> [UInt8] {
        source.withUnsafeBytes { layout.scannedBytes(in: $0) }
    }

    /// The names of the envelope members redaction scans besides the content (`RecordLayout.freeTextMembers`).
    public var freeTextMemberNames: [String] {
        source.withUnsafeBytes { layout.freeTextMemberNames(in: $0) }
    }

    /// The envelope bytes: the envelope members in input order, with `metadata` replaced by
    /// `metadataOverride` when given (redacted values), and the redaction report appended.
    public func envelopeBytes(metadataOverride: [(key: String, value: String)]? = nil, redactionReport: JSONValue? = nil) -> [UInt8] {
        envelopeBytes(metadataOverride: metadataOverride, redactionReportJSON: redactionReport?.serialized())
    }

    /// `envelopeBytes(metadataOverride:redactionReport:)` with the report already serialized as
    /// compact JSON (the ingest path writes it without building a `JSONValue`). O(size of the envelope).
    public func envelopeBytes(metadataOverride: [(key: String, value: String)]?, redactionReportJSON: [UInt8]?) -> [UInt8] {
        source.withUnsafeBytes { layout.envelopeBytes(in: $0, metadataOverride: metadataOverride, redactionReportJSON: redactionReportJSON) }
    }
}

extension RecordFields {
    /// The index's `error_class` of an `error` value: the string itself, or an object's `type`
    /// (else `code`, else "error"), at most 128 characters; nil for null.
    static func errorClass(_ r: JSONValueReader, value e: Range<Int>) throws(RecordError) -> String? {
        var errorClass: String?
        if r.bytes[e.lowerBound] == UInt8(ascii: "n") { return nil }
        if let s = r.string(e) {
            errorClass = s
        } else if let members = r.members(e) {
            let type = r.lookup("type", in: members)
            let code = r.lookup("code", in: members)
            errorClass = type.flatMap(r.string) ?? code.flatMap(r.string) ?? code.flatMap(r.int64).map(String.init) ?? "error"
        } else {
            throw .wrongType(field: "error", expected: "null, a string or an object", found: r.typeName(e))
        }
        if let c = errorClass, c.utf8.count > 128, c.count > 128 { errorClass = String(c.prefix(128)) }
        return errorClass
    }

    /// Extracts the typed fields from a stored envelope's JSON text (used when reindexing from
    /// segments): the same reading and rules as `AuditRecord.parse`. O(n).
    public static func extract(envelope bytes: UnsafeRawBufferPointer, limits: RecordLimits = .storedRecord) throws(RecordError) -> RecordFields {
        let members = try TypedMembers.scan(bytes, maxDepth: limits.maxDepth)
        var typed = TypedMembers()
        for member in members {
            if let slot = TypedMembers.classify(member, in: bytes), slot < TypedMembers.keys.count, typed[slot] == nil {
                typed.set(slot, member.value)
            }
        }
        return try extract(typed, reader: JSONValueReader(bytes: bytes), limits: limits)
    }

    /// Extracts the typed fields from a stored envelope's JSON text.
    public static func extract(envelope bytes: [UInt8], limits: RecordLimits = .storedRecord) throws(RecordError) -> RecordFields {
        do {
            return try bytes.withUnsafeBytes { try extract(envelope: $0, limits: limits) }
        } catch let e as RecordError { throw e } catch { throw .notAnObject }
    }

    static func extract(_ t: TypedMembers, reader r: JSONValueReader, limits: RecordLimits) throws(RecordError) -> RecordFields {
        func present(_ v: Range<Int>?) -> Range<Int>? {
            guard let v, !r.isNull(v) else { return nil }
            return v
        }
        func string(_ slot: Int, required: Bool = false, max: Int = 1024) throws(RecordError) -> String? {
            let key = TypedMembers.keys[slot]
            guard let v = present(t[slot]) else {
                if required { throw .missingField(key) }
                return nil
            }
            guard let s = r.string(v) else { throw .wrongType(field: key, expected: "a string", found: r.typeName(v)) }
            if s.utf8.count > max && s.unicodeScalars.count > max { throw .invalidValue(field: key, reason: "is longer than \(max) characters") }
            return s
        }
        func number(_ value: Range<Int>?, _ field: String) throws(RecordError) -> Double? {
            guard let value = present(value) else { return nil }
            guard let d = r.double(value) else { throw .wrongType(field: field, expected: "a number", found: r.typeName(value)) }
            // `1e400`: a number, but none a double can hold.
            guard d.isFinite else { throw .invalidValue(field: field, reason: "is out of range (beyond ±1.8e308)") }
            return d
        }
        /// A number whose magnitude is below `bound` (cost and latencies must fit the index's
        /// 64-bit fixed-point columns: nano-USD and microseconds).
        func boundedNumber(_ value: Range<Int>?, _ field: String, below bound: Double) throws(RecordError) -> Double? {
            guard let d = try number(value, field) else { return nil }
            guard abs(d) < bound else { throw .invalidValue(field: field, reason: "must be greater than -\(bound) and less than \(bound)") }
            return d
        }
        func integer(_ value: Range<Int>?, _ field: String) throws(RecordError) -> Int64? {
            guard let value = present(value) else { return nil }
            guard let i = r.int64(value) else { throw .wrongType(field: field, expected: "an integer", found: r.typeName(value)) }
            return i
        }
        func object(_ slot: Int) throws(RecordError) -> [JSONMemberRange]? {
            guard let v = present(t[slot]) else { return nil }
            guard let members = r.members(v) else { throw .wrongType(field: TypedMembers.keys[slot], expected: "an object", found: r.typeName(v)) }
            // Duplicate names inside a typed object (`"usage":{"input_tokens":1,"input_tokens":9}`):
            // the index would read the first, other JSON readers the last.
            if members.count > 1, let duplicate = AuditRecord.duplicateName(members, in: r.bytes) {
                throw .duplicateField("\(TypedMembers.keys[slot]).\(duplicate)")
            }
            return members
        }
        func nestedString(_ v: Range<Int>?, _ field: String) throws(RecordError) -> String? {
            guard let v = present(v) else { return nil }
            guard let s = r.string(v) else { throw .wrongType(field: field, expected: "a string", found: r.typeName(v)) }
            return s
        }

        let id = try string(TypedMembers.id, required: true, max: limits.maxIDLength)!
        guard !id.isEmpty else { throw .invalidValue(field: "id", reason: "is empty") }
        // Control characters are single bytes in UTF-8 (no multi-byte sequence holds a byte < 0x80).
        guard !id.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
            throw .invalidValue(field: "id", reason: "contains control characters")
        }
        // C1 controls (U+0080–U+009F) and bidirectional overrides and isolates (U+202A–U+202E,
        // U+2066–U+2069), which make an id display as another one.
        guard !id.utf8.contains(where: { $0 >= 0x80 })
                || !id.unicodeScalars.contains(where: { ($0.value >= 0x80 && $0.value <= 0x9F) || ($0.value >= 0x202A && $0.value <= 0x202E)
                                                        || ($0.value >= 0x2066 && $0.value <= 0x2069) }) else {
            throw .invalidValue(field: "id", reason: "contains control or bidirectional formatting characters")
        }
        let tsText = try string(TypedMembers.ts, required: true, max: 64)!
        guard let timestamp = Timestamp.parseMilliseconds(tsText) else {
            throw .invalidValue(field: "ts", reason: "is not an RFC 3339 date-time")
        }
        let region = try string(TypedMembers.region, required: true, max: 64)!
        guard Region.isValidName(region) else {
            throw .invalidValue(field: "region", reason: "must be 1-64 characters of a-z, A-Z, 0-9, '.', '_' or '-'")
        }
        var metadata: [(key: String, value: String)] = []
        if let members = try object(TypedMembers.metadata) {
            guard members.count <= limits.maxMetadataKeys else {
                throw .invalidValue(field: "metadata", reason: "has more than \(limits.maxMetadataKeys) keys")
            }
            metadata.reserveCapacity(members.count)
            for member in members {
                guard let value = r.string(member.value) else {
                    // The key names the field (at most 64 characters of it): keys are names, not values.
                    let key = member.key(in: r.bytes)
                    throw .wrongType(field: "metadata.\(key.count > 64 ? String(key.prefix(64)) + "…" : key)", expected: "a string",
                                     found: r.typeName(member.value))
                }
                let key = member.key(in: r.bytes)
                guard !key.isEmpty, key.utf8.count <= limits.maxMetadataKeyLength || key.unicodeScalars.count <= limits.maxMetadataKeyLength else {
                    throw .invalidValue(field: "metadata", reason: "has a key that is empty or longer than \(limits.maxMetadataKeyLength) characters")
                }
                guard value.utf8.count <= limits.maxMetadataValueLength || value.unicodeScalars.count <= limits.maxMetadataValueLength else {
                    throw .invalidValue(field: "metadata", reason: "has a value longer than \(limits.maxMetadataValueLength) characters")
                }
                guard !metadata.contains(where: { $0.key == key }) else { throw .duplicateField("metadata.\(key)") }
                metadata.append((key, value))
            }
        }
        let route = try object(TypedMembers.route)
        let usage = try object(TypedMembers.usage)
        let latency = try object(TypedMembers.latency)
        let trace = try object(TypedMembers.trace)
        var unknownMembers: UInt8 = 0
        func note(_ members: [JSONMemberRange]?, _ bit: UInt8, _ known: (JSONMemberRange) -> Bool) {
            if let members, members.contains(where: { !known($0) }) { unknownMembers |= bit }
        }
        let b = r.bytes
        // Raw bytes, length first. (An escaped name reads as unknown: its object is then scanned,
        // which is only slower.)
        func named(_ m: JSONMemberRange, _ name: StaticString) -> Bool {
            let count = name.utf8CodeUnitCount
            guard m.key.count == count, !m.keyHasEscapes else { return false }
            return memcmp(b.baseAddress! + m.key.lowerBound, name.utf8Start, count) == 0
        }
        note(route, TypedMembers.routeBit) { m in
            named(m, "backend") || named(m, "fallback") || named(m, "rule_id") || named(m, "strategy") || named(m, "attempts")
        }
        note(usage, TypedMembers.usageBit) { m in named(m, "input_tokens") || named(m, "output_tokens") }
        note(latency, TypedMembers.latencyBit) { m in named(m, "total") || named(m, "ttft") || named(m, "itl") }
        note(trace, TypedMembers.traceBit) { m in named(m, "trace_id") || named(m, "span_id") }
        var status: Int?
        if let s = try integer(t[TypedMembers.status], "status") {
            guard s >= 0, s <= 999 else { throw .invalidValue(field: "status", reason: "must be between 0 and 999") }
            status = Int(s)
        }
        let errorClass = try present(t[TypedMembers.error]).flatMap { e throws(RecordError) in try RecordFields.errorClass(r, value: e) }
        var routeFallback: Bool?
        if let route, let f = present(r.lookup("fallback", in: route)) {
            guard let b = r.bool(f) else { throw .wrongType(field: "route.fallback", expected: "a boolean", found: r.typeName(f)) }
            routeFallback = b
        }
        var fields = RecordFields(
            id: id, timestamp: timestamp, region: region,
            tenant: try string(TypedMembers.tenant), team: try string(TypedMembers.team), user: try string(TypedMembers.user),
            apiKeyID: try string(TypedMembers.apiKeyID), kind: try string(TypedMembers.kind), model: try string(TypedMembers.model),
            provider: try string(TypedMembers.provider), status: status, errorClass: errorClass,
            costUSD: try boundedNumber(t[TypedMembers.cost], "cost_usd", below: limits.costUSDBound),
            inputTokens: try integer(usage.flatMap { r.lookup("input_tokens", in: $0) }, "usage.input_tokens"),
            outputTokens: try integer(usage.flatMap { r.lookup("output_tokens", in: $0) }, "usage.output_tokens"),
            latencyTotalMs: try boundedNumber(latency.flatMap { r.lookup("total", in: $0) }, "latency_ms.total", below: limits.latencyMsBound),
            ttftMs: try boundedNumber(latency.flatMap { r.lookup("ttft", in: $0) }, "latency_ms.ttft", below: limits.latencyMsBound),
            itlMs: try boundedNumber(latency.flatMap { r.lookup("itl", in: $0) }, "latency_ms.itl", below: limits.latencyMsBound),
            traceID: try nestedString(trace.flatMap { r.lookup("trace_id", in: $0) }, "trace.trace_id"),
            routeBackend: try nestedString(route.flatMap { r.lookup("backend", in: $0) }, "route.backend"),
            routeFallback: routeFallback,
            metadata: metadata)
        fields.typedObjectsWithUnknownMembers = unknownMembers
        return fields
    }
}

/// Region names.
public enum Region {
    /// True for gatelog's own regions (a name starting with `_`: the access log `_access`), which
    /// clients cannot write and only admins read, by name.
    public static func isReserved(_ name: String) -> Bool { name.hasPrefix("_") }

    /// True when `name` is 1-64 characters of `[A-Za-z0-9._-]` and not `.` or `..`.
    public static func isValidName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 64, name != ".", name != ".." else { return false }
        return name.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                || c == UInt8(ascii: ".") || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
        }
    }
}

/// The value ranges of the top-level keys gatelog validates, in fixed slots, found by comparing
/// key bytes (no hashing, no key strings).
struct TypedMembers {
    static let keys = ["id", "ts", "region", "tenant", "team", "user", "api_key_id", "kind", "model", "provider", "route",
                       "metadata", "usage", "cost_usd", "latency_ms", "status", "error", "trace"]
    static let id = 0, ts = 1, region = 2, tenant = 3, team = 4, user = 5, apiKeyID = 6, kind = 7, model = 8, provider = 9
    static let route = 10, metadata = 11, usage = 12, cost = 13, latency = 14, status = 15, error = 16, trace = 17
    /// Pseudo-slots for the members that are not typed envelope fields.
    static let requestSlot = 18, responseSlot = 19, reservedSlot = 20
    /// Bits of the typed objects in `RecordFields.typedObjectsWithUnknownMembers`.
    static let routeBit: UInt8 = 1, usageBit: UInt8 = 2, latencyBit: UInt8 = 4, traceBit: UInt8 = 8

    /// The bit of a typed object's slot, 0 for other slots.
    static func objectBit(_ slot: Int) -> UInt8 {
        switch slot {
        case route: return routeBit
        case usage: return usageBit
        case latency: return latencyBit
        case trace: return traceBit
        default: return 0
        }
    }
    /// Every recognised key's UTF-8, indexed by slot (typed keys, then request, response and the reserved member).
    static let names: [[UInt8]] = (keys + ["request", "response", AuditRecord.redactionMember]).map { Array($0.utf8) }

    private var values = InlineArray<18, Range<Int>?>(repeating: nil)

    /// The value range in slot `slot`, nil when the record does not have that member.
    subscript(slot: Int) -> Range<Int>? { values[slot] }

    mutating func set(_ slot: Int, _ value: Range<Int>) { values[slot] = value }

    /// The slot of a member's key (see `names`), nil for keys kept without validation.
    static func classify(_ member: JSONMemberRange, in bytes: UnsafeRawBufferPointer) -> Int? {
        if member.keyHasEscapes {
            let key = Array(member.key(in: bytes).utf8)
            return names.firstIndex(of: key)
        }
        let n = member.key.count
        guard n >= 2, n <= 17 else { return nil }
        let base = bytes.baseAddress! + member.key.lowerBound
        for (slot, name) in names.enumerated() where name.count == n && name[0] == base.load(as: UInt8.self) {
            if name.withUnsafeBytes({ memcmp($0.baseAddress!, base, n) }) == 0 { return slot }
        }
        return nil
    }

    /// The top-level members of a record's text, validated; JSON errors become record errors.
    static func scan(_ bytes: UnsafeRawBufferPointer, maxDepth: Int) throws(RecordError) -> [JSONMemberRange] {
        do {
            return try JSONSyntax.topLevelMemberRanges(bytes, maxDepth: maxDepth)
        } catch let error as JSONError {
            // `not_an_object` only for valid JSON of another kind (`[1]`, `"text"`, `42`); a bare word or
            // a byte-order mark is not JSON at all.
            if error.reason == "a record must be a JSON object" {
                if JSONSyntax.isSingleValue(bytes, maxDepth: maxDepth) { throw .notAnObject }
                var index = 0
                do { try JSONSyntax.skipValue(bytes, &index, maxDepth: maxDepth) } catch let inner as JSONError {
                    throw .invalidJSON(inner)
                } catch {}
                throw .invalidJSON(JSONError(offset: index, reason: "unexpected bytes after the JSON value"))
            }
            throw .invalidJSON(error)
        } catch {
            throw .invalidJSON(JSONError(offset: 0, reason: "unreadable"))
        }
    }
}

/// Reads single JSON values in place from validated text: type, string, number, Boolean, members.
struct JSONValueReader {
    let bytes: UnsafeRawBufferPointer

    /// The value's type name as `JSONValue.typeName` gives it, for error messages.
    func typeName(_ v: Range<Int>) -> String {
        switch bytes[v.lowerBound] {
        case UInt8(ascii: "n"): return "null"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return "boolean"
        case UInt8(ascii: "\""): return "string"
        case UInt8(ascii: "["): return "array"
        case UInt8(ascii: "{"): return "object"
        default: return "number"
        }
    }

    func isNull(_ v: Range<Int>) -> Bool { bytes[v.lowerBound] == UInt8(ascii: "n") }

    /// The decoded string, nil when the value is not a string.
    func string(_ v: Range<Int>) -> String? {
        guard bytes[v.lowerBound] == UInt8(ascii: "\"") else { return nil }
        let body = UnsafeRawBufferPointer(rebasing: bytes[(v.lowerBound + 1)..<(v.upperBound - 1)])
        if !body.contains(UInt8(ascii: "\\")) { return String(decoding: body, as: UTF8.self) }
        return JSONSyntax.unescape(body)
    }

    /// The number's text, nil when the value is not a number.
    func numberText(_ v: Range<Int>) -> String? {
        let c = bytes[v.lowerBound]
        guard c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39) else { return nil }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[v]), as: UTF8.self)
    }

    /// Whether the value is a number (the text was validated as JSON, so it is one when it starts like one).
    private func isNumber(_ v: Range<Int>) -> Bool {
        let c = bytes[v.lowerBound]
        return c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39)
    }

    /// The number as a Double (as `JSONValue.doubleValue`): strtod on a NUL-terminated copy on the
    /// stack (C locale; a JSON number is valid strtod input and rounds the same as `Double(String)`).
    func double(_ v: Range<Int>) -> Double? {
        guard isNumber(v) else { return nil }
        guard v.count < 64 else { return numberText(v).flatMap { Double($0) } }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer in
            UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[v]))
            buffer[v.count] = 0
            var end: UnsafeMutablePointer<CChar>?
            let d = strtod(buffer.baseAddress!, &end)
            return end == buffer.baseAddress! + v.count ? d : nil
        }
    }

    /// The number as an Int64 when integral and in range (as `JSONValue.int64Value`): plain
    /// digits are read directly; fractions and exponents go through `double`.
    func int64(_ v: Range<Int>) -> Int64? {
        guard isNumber(v) else { return nil }
        var i = v.lowerBound
        let negative = bytes[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        var magnitude: UInt64 = 0
        var plain = i < v.upperBound && v.count <= 20
        while plain && i < v.upperBound {
            let c = bytes[i]
            guard c >= 0x30 && c <= 0x39 else { plain = false; break }
            let (m1, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (m2, o2) = m1.addingReportingOverflow(UInt64(c - 0x30))
            if o1 || o2 { plain = false; break }
            magnitude = m2
            i += 1
        }
        if plain {
            if negative { return magnitude <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- magnitude) : nil }
            return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
        }
        if let d = double(v), d.rounded() == d, abs(d) < 9.2e18 { return Int64(d) }
        return nil
    }

    func bool(_ v: Range<Int>) -> Bool? {
        switch bytes[v.lowerBound] {
        case UInt8(ascii: "t"): return true
        case UInt8(ascii: "f"): return false
        default: return nil
        }
    }

    /// The members of an object value, nil when the value is not an object.
    func members(_ v: Range<Int>) -> [JSONMemberRange]? {
        guard bytes[v.lowerBound] == UInt8(ascii: "{") else { return nil }
        return try? JSONSyntax.memberRanges(bytes, of: v)
    }

    /// The value of the first member named `name` (as `JSONValue`'s subscript).
    func lookup(_ name: StaticString, in members: [JSONMemberRange]) -> Range<Int>? {
        members.first { $0.keyEquals(name, in: bytes) }?.value
    }
}
