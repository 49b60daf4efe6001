import JSON

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

    /// The default limits.
    public init() {}
}

/// Why a record was rejected. Messages name fields and rules, never values.
public enum RecordError: Error, Equatable, CustomStringConvertible {
    case tooLarge(size: Int, limit: Int)
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
        case .invalidJSON(let e): return e.description
        case .notAnObject: return "a record must be a JSON object"
        case .missingField(let f): return "required field '\(f)' is missing"
        case .wrongType(let f, let expected, let found): return "field '\(f)' must be \(expected), found \(found)"
        case .invalidValue(let f, let reason): return "field '\(f)' \(reason)"
        case .duplicateField(let f): return "field '\(f)' appears more than once"
        case .reservedField(let f): return "field '\(f)' is reserved for gatelog"
        case .blocked(let reason): return "blocked by policy: \(reason)"
        }
    }

    /// A short machine-readable code.
    public var code: String {
        switch self {
        case .tooLarge: return "too_large"
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

/// An incoming record, validated and split into the parts gatelog stores separately.
///
/// The *content* is the request and response bodies; the *envelope* is everything else.
/// Unknown fields are kept in the envelope in their original order and bytes.
public struct AuditRecord: Sendable {
    /// The validated typed fields.
    public var fields: RecordFields
    /// Top-level members other than `request` and `response`, as raw JSON value bytes, in input order.
    public var envelopeMembers: [(key: String, value: ArraySlice<UInt8>)] {
        envelopeRanges.map { ($0.key, source[$0.value]) }
    }
    /// The record's JSON text, as received (one copy; the parts below are ranges into it).
    public let source: [UInt8]
    /// Top-level members other than `request` and `response`: keys and value ranges in `source`.
    let envelopeRanges: [(key: String, value: Range<Int>)]
    let requestRange: Range<Int>?
    let responseRange: Range<Int>?
    /// The raw JSON of `request`, if present.
    public var request: ArraySlice<UInt8>? { requestRange.map { source[$0] } }
    /// The raw JSON of `response`, if present.
    public var response: ArraySlice<UInt8>? { responseRange.map { source[$0] } }
    /// Size of the input text.
    public var inputSize: Int

    /// The envelope member written by gatelog with the redaction report.
    public static let redactionMember = "gatelog_redaction"

    /// Parses and validates one record from its JSON text. O(n) in the text.
    public static func parse(_ bytes: UnsafeRawBufferPointer, limits: RecordLimits = RecordLimits()) throws(RecordError) -> AuditRecord {
        guard bytes.count <= limits.maxRecordBytes else { throw .tooLarge(size: bytes.count, limit: limits.maxRecordBytes) }
        let members: [(key: String, value: Range<Int>)]
        do {
            members = try JSONSyntax.topLevelMembers(bytes, maxDepth: limits.maxDepth)
        } catch let error as JSONError {
            if error.reason == "a record must be a JSON object" { throw .notAnObject }
            throw .invalidJSON(error)
        } catch {
            throw .invalidJSON(JSONError(offset: 0, reason: "unreadable"))
        }
        var envelope: [(key: String, value: Range<Int>)] = []
        envelope.reserveCapacity(members.count)
        var typed = TypedMembers()
        var request: Range<Int>?
        var response: Range<Int>?
        if let duplicate = AuditRecord.firstDuplicate(members.map(\.key)) { throw .duplicateField(duplicate) }
        for member in members {
            let raw = UnsafeRawBufferPointer(rebasing: bytes[member.value])
            switch member.key {
            case "request": request = member.value
            case "response": response = member.value
            case AuditRecord.redactionMember: throw .reservedField(member.key)
            default:
                if let slot = TypedMembers.slot(member.key) {
                    do { typed.values[slot] = try JSONValue.parse(raw) } catch { throw .invalidJSON(JSONError(offset: member.value.lowerBound, reason: "invalid value")) }
                }
                envelope.append((member.key, member.value))
            }
        }
        let fields = try RecordFields.extract(typed, limits: limits)
        return AuditRecord(fields: fields, source: Array(bytes), envelopeRanges: envelope, requestRange: request,
                           responseRange: response, inputSize: bytes.count)
    }

    /// Parses and validates one record from bytes.
    public static func parse(_ bytes: [UInt8], limits: RecordLimits = RecordLimits()) throws(RecordError) -> AuditRecord {
        do {
            return try bytes.withUnsafeBytes { try parse($0, limits: limits) }
        } catch let e as RecordError { throw e } catch { throw .notAnObject }
    }

    /// The first key that appears twice. O(n²) for the few keys of a record, O(n log n) beyond.
    static func firstDuplicate(_ keys: [String]) -> String? {
        if keys.count <= 32 {
            for i in 0..<keys.count { for j in (i + 1)..<max(i + 1, keys.count) where keys[i] == keys[j] { return keys[i] } }
            return nil
        }
        var seen = Set<String>()
        for k in keys where !seen.insert(k).inserted { return k }
        return nil
    }

    /// The content bytes: `{"request":…,"response":…}` with the members present.
    public func contentBytes(request: [UInt8]? = nil, response: [UInt8]? = nil) -> [UInt8] {
        let req: ArraySlice<UInt8>? = request.map { $0[...] } ?? self.request
        let resp: ArraySlice<UInt8>? = response.map { $0[...] } ?? self.response
        var out = [UInt8]()
        out.reserveCapacity((req?.count ?? 0) + (resp?.count ?? 0) + 24)
        out.append(UInt8(ascii: "{"))
        if let req {
            out.append(contentsOf: #""request":"#.utf8)
            out.append(contentsOf: req)
        }
        if let resp {
            if req != nil { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #""response":"#.utf8)
            out.append(contentsOf: resp)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// The envelope bytes: the envelope members in input order, with `metadata` replaced by
    /// `metadataOverride` when given (redacted values), and the redaction report appended.
    public func envelopeBytes(metadataOverride: [(key: String, value: String)]? = nil, redactionReport: JSONValue? = nil) -> [UInt8] {
        envelopeBytes(metadataOverride: metadataOverride, redactionReportJSON: redactionReport?.serialized())
    }

    /// `envelopeBytes(metadataOverride:redactionReport:)` with the report already serialized as
    /// compact JSON (the ingest path writes it without building a `JSONValue`). The override is
    /// written as a compact object, as `JSONWriter` writes one. O(size of the envelope).
    public func envelopeBytes(metadataOverride: [(key: String, value: String)]?, redactionReportJSON: [UInt8]?) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(envelopeRanges.reduce(32 + (redactionReportJSON?.count ?? 0)) { $0 + $1.key.utf8.count + $1.value.count + 4 })
        out.append(UInt8(ascii: "{"))
        var first = true
        for member in envelopeRanges {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            JSONWriter.appendString(member.key, to: &out)
            out.append(UInt8(ascii: ":"))
            if let metadataOverride, member.key == "metadata" {
                out.append(UInt8(ascii: "{"))
                for (k, entry) in metadataOverride.enumerated() {
                    if k > 0 { out.append(UInt8(ascii: ",")) }
                    JSONWriter.appendString(entry.key, to: &out)
                    out.append(UInt8(ascii: ":"))
                    JSONWriter.appendString(entry.value, to: &out)
                }
                out.append(UInt8(ascii: "}"))
            } else {
                out.append(contentsOf: source[member.value])
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

extension RecordFields {

    /// Extracts the typed fields from a parsed stored envelope (used when reindexing from segments).
    public static func extract(envelope: JSONValue, limits: RecordLimits = RecordLimits()) throws(RecordError) -> RecordFields {
        guard let members = envelope.objectMembers else { throw .notAnObject }
        var typed = TypedMembers()
        for m in members { if let slot = TypedMembers.slot(m.key) { typed.values[slot] = m.value } }
        return try extract(typed, limits: limits)
    }

    static func extract(_ t: TypedMembers, limits: RecordLimits) throws(RecordError) -> RecordFields {
        func string(_ key: String, required: Bool = false, max: Int = 1024) throws(RecordError) -> String? {
            guard let v = t[key], !v.isNull else {
                if required { throw .missingField(key) }
                return nil
            }
            guard case .string(let s) = v else { throw .wrongType(field: key, expected: "a string", found: v.typeName) }
            if s.count > max { throw .invalidValue(field: key, reason: "is longer than \(max) characters") }
            return s
        }
        func number(_ value: JSONValue?, _ field: String) throws(RecordError) -> Double? {
            guard let value, !value.isNull else { return nil }
            guard let d = value.doubleValue, d.isFinite else { throw .wrongType(field: field, expected: "a number", found: value.typeName) }
            return d
        }
        func integer(_ value: JSONValue?, _ field: String) throws(RecordError) -> Int64? {
            guard let value, !value.isNull else { return nil }
            guard let i = value.int64Value else { throw .wrongType(field: field, expected: "an integer", found: value.typeName) }
            return i
        }
        func object(_ key: String) throws(RecordError) -> JSONValue? {
            guard let v = t[key], !v.isNull else { return nil }
            guard case .object = v else { throw .wrongType(field: key, expected: "an object", found: v.typeName) }
            return v
        }
        func nestedString(_ v: JSONValue?, _ field: String) throws(RecordError) -> String? {
            guard let v, !v.isNull else { return nil }
            guard case .string(let s) = v else { throw .wrongType(field: field, expected: "a string", found: v.typeName) }
            return s
        }

        let id = try string("id", required: true, max: limits.maxIDLength)!
        guard !id.isEmpty else { throw .invalidValue(field: "id", reason: "is empty") }
        guard !id.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw .invalidValue(field: "id", reason: "contains control characters")
        }
        let tsText = try string("ts", required: true, max: 64)!
        guard let timestamp = Timestamp.parseMilliseconds(tsText) else {
            throw .invalidValue(field: "ts", reason: "is not an RFC 3339 date-time")
        }
        let region = try string("region", required: true, max: 64)!
        guard Region.isValidName(region) else {
            throw .invalidValue(field: "region", reason: "must be 1-64 characters of a-z, A-Z, 0-9, '.', '_' or '-'")
        }
        var metadata: [(key: String, value: String)] = []
        if let m = try object("metadata"), let members = m.objectMembers {
            guard members.count <= limits.maxMetadataKeys else {
                throw .invalidValue(field: "metadata", reason: "has more than \(limits.maxMetadataKeys) keys")
            }
            var keys = Set<String>()
            for member in members {
                guard case .string(let value) = member.value else {
                    throw .wrongType(field: "metadata values", expected: "a string", found: member.value.typeName)
                }
                guard !member.key.isEmpty, member.key.count <= limits.maxMetadataKeyLength else {
                    throw .invalidValue(field: "metadata", reason: "has a key that is empty or longer than \(limits.maxMetadataKeyLength) characters")
                }
                guard value.count <= limits.maxMetadataValueLength else {
                    throw .invalidValue(field: "metadata", reason: "has a value longer than \(limits.maxMetadataValueLength) characters")
                }
                guard keys.insert(member.key).inserted else { throw .duplicateField("metadata key") }
                metadata.append((member.key, value))
            }
        }
        let route = try object("route")
        let usage = try object("usage")
        let latency = try object("latency_ms")
        let trace = try object("trace")
        var status: Int?
        if let s = try integer(t["status"], "status") {
            guard s >= 0, s <= 999 else { throw .invalidValue(field: "status", reason: "must be between 0 and 999") }
            status = Int(s)
        }
        var errorClass: String?
        if let e = t["error"], !e.isNull {
            switch e {
            case .string(let s): errorClass = s
            case .object:
                errorClass = e["type"]?.stringValue ?? e["code"]?.stringValue ?? e["code"].flatMap { $0.int64Value.map(String.init) } ?? "error"
            default: throw .wrongType(field: "error", expected: "null, a string or an object", found: e.typeName)
            }
            if let c = errorClass, c.count > 128 { errorClass = String(c.prefix(128)) }
        }
        var routeFallback: Bool?
        if let f = route?["fallback"], !f.isNull {
            guard let b = f.boolValue else { throw .wrongType(field: "route.fallback", expected: "a boolean", found: f.typeName) }
            routeFallback = b
        }
        return RecordFields(
            id: id, timestamp: timestamp, region: region,
            tenant: try string("tenant"), team: try string("team"), user: try string("user"),
            apiKeyID: try string("api_key_id"), kind: try string("kind"), model: try string("model"),
            provider: try string("provider"), status: status, errorClass: errorClass,
            costUSD: try number(t["cost_usd"], "cost_usd"),
            inputTokens: try integer(usage?["input_tokens"], "usage.input_tokens"),
            outputTokens: try integer(usage?["output_tokens"], "usage.output_tokens"),
            latencyTotalMs: try number(latency?["total"], "latency_ms.total"),
            ttftMs: try number(latency?["ttft"], "latency_ms.ttft"),
            itlMs: try number(latency?["itl"], "latency_ms.itl"),
            traceID: try nestedString(trace?["trace_id"], "trace.trace_id"),
            routeBackend: try nestedString(route?["backend"], "route.backend"),
            routeFallback: routeFallback,
            metadata: metadata)
    }
}

/// Region names.
public enum Region {
    /// True when `name` is 1-64 characters of `[A-Za-z0-9._-]` and not `.` or `..`.
    public static func isValidName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 64, name != ".", name != ".." else { return false }
        return name.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                || c == UInt8(ascii: ".") || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
        }
    }
}

/// The parsed values of the top-level keys gatelog validates, in fixed slots (no hashing).
struct TypedMembers {
    static let keys = ["id", "ts", "region", "tenant", "team", "user", "api_key_id", "kind", "model", "provider", "route",
                       "metadata", "usage", "cost_usd", "latency_ms", "status", "error", "trace"]
    var values = [JSONValue?](repeating: nil, count: TypedMembers.keys.count)

    /// The slot of a validated key, or nil for keys kept without validation.
    @inline(__always) static func slot(_ key: String) -> Int? {
        switch key {
        case "id": return 0
        case "ts": return 1
        case "region": return 2
        case "tenant": return 3
        case "team": return 4
        case "user": return 5
        case "api_key_id": return 6
        case "kind": return 7
        case "model": return 8
        case "provider": return 9
        case "route": return 10
        case "metadata": return 11
        case "usage": return 12
        case "cost_usd": return 13
        case "latency_ms": return 14
        case "status": return 15
        case "error": return 16
        case "trace": return 17
        default: return nil
        }
    }

    subscript(key: String) -> JSONValue? { TypedMembers.slot(key).flatMap { values[$0] } }
}
