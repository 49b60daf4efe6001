import XCTest
import AuditFormat
import JSON

final class AuditRecordTests: XCTestCase {
    static let example = #"{"id":"req_8f1c","ts":"2026-11-24T09:00:00.123Z","region":"eu-west-1","tenant":"acme","team":"support","#
        + #""user":"alice@acme.com","api_key_id":"key_123","kind":"chat","model":"openai-main/gpt-4o","provider":"openai","#
        + #""route":{"rule_id":"lb-prod","backend":"openai-eu","strategy":"latency","fallback":false,"attempts":1},"#
        + #""metadata":{"environment":"prod","feature":"countdown-bot","customer_id":"acme-42"},"#
        + #""request":{"messages":[{"role":"user","content":"hello"}],"params":{"temperature":0.2}},"#
        + #""response":{"choices":[{"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]},"#
        + #""usage":{"input_tokens":123,"output_tokens":456},"cost_usd":0.00123,"#
        + #""latency_ms":{"total":812.4,"ttft":230.1,"itl":12.5},"status":200,"error":null,"#
        + #""trace":{"trace_id":"4bf9","span_id":"00f0"},"guardrails":[{"name":"pii","action":"redact"}]}"#

    func parse(_ text: String, limits: RecordLimits = RecordLimits()) throws(RecordError) -> AuditRecord {
        try AuditRecord.parse(Array(text.utf8), limits: limits)
    }

    func assertRejected(_ text: String, _ expected: RecordError, limits: RecordLimits = RecordLimits(), line: UInt = #line) {
        do {
            _ = try parse(text, limits: limits)
            XCTFail("accepted", line: line)
        } catch {
            XCTAssertEqual(error, expected, line: line)
        }
    }

    /// A minimal valid record with `extra` members appended.
    /// Member names come from the client and may be the data itself: error messages (HTTP answers,
    /// CLI output, quarantine reasons) show a name only when it cannot be (campaign 12).
    func testErrorMessagesDoNotEchoNamesThatMayHoldData() {
        let messages = [
            RecordError.duplicateField("frank.key@example.com"), .duplicateField("metadata.4111111111111111"),
            .wrongType(field: "metadata.mallory.meta@example.com", expected: "a string", found: "number"),
            .invalidValue(field: "sk-ant-api03-Abc123", reason: "is wrong"),
        ].map(\.description)
        for (message, secret) in zip(messages, ["frank", "4111111111111111", "mallory", "sk-ant"]) {
            XCTAssertFalse(message.contains(secret), message)
            XCTAssertTrue(message.contains("(a name not shown)"), message)
        }
        XCTAssertEqual(RecordError.duplicateField("usage.input_tokens").description, "field 'usage.input_tokens' appears more than once")
        XCTAssertEqual(RecordError.wrongType(field: "metadata.customer_id", expected: "a string", found: "number").description,
                       "field 'metadata.customer_id' must be a string, found number")
    }

    func minimal(_ extra: String = "", id: String = "a") -> String {
        #"{"id":"\#(id)","ts":"2026-01-01T00:00:00Z","region":"r1"\#(extra.isEmpty ? "" : "," + extra)}"#
    }

    func testExampleRecordFields() throws {
        let r = try parse(Self.example)
        let f = r.fields
        XCTAssertEqual(f.id, "req_8f1c")
        XCTAssertEqual(f.timestamp, 1_795_510_800_123)
        XCTAssertEqual(f.region, "eu-west-1")
        XCTAssertEqual(f.tenant, "acme")
        XCTAssertEqual(f.team, "support")
        XCTAssertEqual(f.user, "alice@acme.com")
        XCTAssertEqual(f.apiKeyID, "key_123")
        XCTAssertEqual(f.kind, "chat")
        XCTAssertEqual(f.model, "openai-main/gpt-4o")
        XCTAssertEqual(f.provider, "openai")
        XCTAssertEqual(f.status, 200)
        XCTAssertNil(f.errorClass)
        XCTAssertEqual(f.costUSD, 0.00123)
        XCTAssertEqual(f.inputTokens, 123)
        XCTAssertEqual(f.outputTokens, 456)
        XCTAssertEqual(f.latencyTotalMs, 812.4)
        XCTAssertEqual(f.ttftMs, 230.1)
        XCTAssertEqual(f.itlMs, 12.5)
        XCTAssertEqual(f.traceID, "4bf9")
        XCTAssertEqual(f.routeBackend, "openai-eu")
        XCTAssertEqual(f.routeFallback, false)
        XCTAssertEqual(f.metadata.map(\.key), ["environment", "feature", "customer_id"])
        XCTAssertEqual(f.metadata.map(\.value), ["prod", "countdown-bot", "acme-42"])
        XCTAssertEqual(r.inputSize, Self.example.utf8.count)
        // Content holds exactly the bodies; the envelope everything else, in order.
        XCTAssertEqual(String(decoding: r.contentBytes(), as: UTF8.self),
                       #"{"request":{"messages":[{"role":"user","content":"hello"}],"params":{"temperature":0.2}},"#
                       + #""response":{"choices":[{"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]}}"#)
        XCTAssertEqual(r.envelopeMembers.map(\.key), ["id", "ts", "region", "tenant", "team", "user", "api_key_id", "kind", "model", "provider",
                                                      "route", "metadata", "usage", "cost_usd", "latency_ms", "status", "error", "trace", "guardrails"])
        let envelope = try JSONValue.parse(r.envelopeBytes())
        XCTAssertNil(envelope["request"])
        XCTAssertNil(envelope["response"])
        XCTAssertEqual(envelope["guardrails"], try JSONValue.parse(#"[{"name":"pii","action":"redact"}]"#))
    }

    func testErrorClassAndContentShapes() throws {
        XCTAssertEqual(try parse(minimal(#""error":{"type":"rate_limit","message":"x"}"#)).fields.errorClass, "rate_limit")
        XCTAssertEqual(try parse(minimal(#""error":{"code":429}"#)).fields.errorClass, "429")
        XCTAssertEqual(try parse(minimal(#""error":"timeout""#)).fields.errorClass, "timeout")
        assertRejected(minimal(#""error":5"#), .wrongType(field: "error", expected: "null, a string or an object", found: "number"))
        XCTAssertEqual(try parse(minimal()).contentBytes(), Array("{}".utf8))
        XCTAssertEqual(try parse(minimal(#""response":[1]"#)).contentBytes(), Array(#"{"response":[1]}"#.utf8))
        XCTAssertEqual(try parse(minimal(#""request":"x""#)).contentBytes(), Array(#"{"request":"x"}"#.utf8))
    }

    func testRequiredFields() {
        assertRejected(#"{"ts":"2026-01-01T00:00:00Z","region":"r1"}"#, .missingField("id"))
        assertRejected(#"{"id":"a","region":"r1"}"#, .missingField("ts"))
        assertRejected(#"{"id":"a","ts":"2026-01-01T00:00:00Z"}"#, .missingField("region"))
        assertRejected(#"{"id":null,"ts":"2026-01-01T00:00:00Z","region":"r1"}"#, .missingField("id"))
        assertRejected(#"{"id":7,"ts":"2026-01-01T00:00:00Z","region":"r1"}"#, .wrongType(field: "id", expected: "a string", found: "number"))
        assertRejected(#"{"id":"","ts":"2026-01-01T00:00:00Z","region":"r1"}"#, .invalidValue(field: "id", reason: "is empty"))
        assertRejected(#"{"id":"a\u0007","ts":"2026-01-01T00:00:00Z","region":"r1"}"#, .invalidValue(field: "id", reason: "contains control characters"))
        assertRejected(#"{"id":"a","ts":"yesterday","region":"r1"}"#, .invalidValue(field: "ts", reason: "is not an RFC 3339 date-time"))
        for region in ["", "..", "eu west", "eu/west", String(repeating: "r", count: 65)] {
            XCTAssertThrowsError(try parse(#"{"id":"a","ts":"2026-01-01T00:00:00Z","region":"\#(region)"}"#), region)
        }
        XCTAssertNoThrow(try parse(#"{"id":"a","ts":"2026-01-01T00:00:00Z","region":"\#(String(repeating: "r", count: 64))"}"#))
        assertRejected(#"{"id":"a","ts":"2026-01-01T00:00:00Z","region":"r1","status":1000}"#,
                       .invalidValue(field: "status", reason: "must be between 0 and 999"))
        assertRejected(minimal(#""usage":{"input_tokens":1.5}"#), .wrongType(field: "usage.input_tokens", expected: "an integer", found: "number"))
        // Campaign 12: C1 controls and bidi overrides in ids (an id that displays as another).
        for bad in ["a\\u0085b", "evil\\u202Etxt.exe", "x\\u2066y"] {
            assertRejected(minimal(id: bad), .invalidValue(field: "id", reason: "contains control or bidirectional formatting characters"))
        }
        XCTAssertNoThrow(try parse(minimal(id: "caf\\u00e9-\\u4e2d")))
        // Campaign 12: `1e400` is a number no double holds ("must be a number, found number" before).
        assertRejected(minimal(#""cost_usd":1e400"#), .invalidValue(field: "cost_usd", reason: "is out of range (beyond ±1.8e308)"))
        assertRejected(minimal(#""latency_ms":{"total":-1e400}"#), .invalidValue(field: "latency_ms.total", reason: "is out of range (beyond ±1.8e308)"))
        assertRejected(minimal(#""route":{"fallback":"no"}"#), .wrongType(field: "route.fallback", expected: "a boolean", found: "string"))
        assertRejected(minimal(#""metadata":["a"]"#), .wrongType(field: "metadata", expected: "an object", found: "array"))
    }

    func testLimits() throws {
        // id: 128 characters (not bytes) at most.
        XCTAssertNoThrow(try parse(minimal(id: String(repeating: "x", count: 128))))
        XCTAssertNoThrow(try parse(minimal(id: String(repeating: "é", count: 128))))
        assertRejected(minimal(id: String(repeating: "x", count: 129)), .invalidValue(field: "id", reason: "is longer than 128 characters"))
        // Characters are code points (JSON Schema's maxLength), not grapheme clusters: 129 scalars
        // that render as 65 letters with accents are too long.
        assertRejected(minimal(id: String(repeating: "e\u{301}", count: 64) + "e"),
                       .invalidValue(field: "id", reason: "is longer than 128 characters"))
        assertRejected(minimal(#""metadata":{"k":"\#(String(repeating: "a\u{308}", count: 64) + "a")"}"#),
                       .invalidValue(field: "metadata", reason: "has a value longer than 128 characters"))
        // Metadata values ≤ 128 characters, keys ≤ 64, at most 64 keys, string values only.
        XCTAssertNoThrow(try parse(minimal(#""metadata":{"k":"\#(String(repeating: "v", count: 128))"}"#)))
        assertRejected(minimal(#""metadata":{"k":"\#(String(repeating: "v", count: 129))"}"#),
                       .invalidValue(field: "metadata", reason: "has a value longer than 128 characters"))
        assertRejected(minimal(#""metadata":{"\#(String(repeating: "k", count: 65))":"v"}"#),
                       .invalidValue(field: "metadata", reason: "has a key that is empty or longer than 64 characters"))
        let keys = { (n: Int) in (0..<n).map { #""k\#($0)":"v""# }.joined(separator: ",") }
        XCTAssertNoThrow(try parse(minimal(#""metadata":{\#(keys(64))}"#)))
        assertRejected(minimal(#""metadata":{\#(keys(65))}"#), .invalidValue(field: "metadata", reason: "has more than 64 keys"))
        assertRejected(minimal(#""metadata":{"k":1}"#), .wrongType(field: "metadata.k", expected: "a string", found: "number"))
        assertRejected(minimal(#""metadata":{"k":"a","k":"b"}"#), .duplicateField("metadata.k"))
        // Campaign 12: duplicates inside the typed objects, which the index reads (the first value)
        // and other JSON readers read differently (the last).
        assertRejected(minimal(#""usage":{"input_tokens":1,"input_tokens":1000000}"#), .duplicateField("usage.input_tokens"))
        assertRejected(minimal(#""route":{"backend":"visible","backend":"hidden"}"#), .duplicateField("route.backend"))
        assertRejected(minimal(#""latency_ms":{"total":5,"ttft":1,"total":9000}"#), .duplicateField("latency_ms.total"))
        assertRejected(minimal(#""trace":{"trace_id":"a","\u0074race_id":"b"}"#), .duplicateField("trace.trace_id"))
        XCTAssertNoThrow(try parse(minimal(#""usage":{"input_tokens":1,"output_tokens":2},"route":{"backend":"b","fallback":false}"#)))
        // Record size: exactly the limit passes, one byte more is refused before parsing.
        var limits = RecordLimits()
        limits.maxRecordBytes = 1024
        let head = minimal(#""pad":""#).dropLast() // ends with "pad":"
        let exact = head + String(repeating: "p", count: 1024 - head.utf8.count - 2) + "\"}"
        XCTAssertEqual(exact.utf8.count, 1024)
        XCTAssertNoThrow(try parse(String(exact), limits: limits))
        assertRejected(String(exact.dropLast(2)) + "p\"}", .tooLarge(size: 1025, limit: 1024), limits: limits)
        // Nesting depth.
        limits = RecordLimits()
        limits.maxDepth = 8
        XCTAssertThrowsError(try parse(minimal(#""deep":"# + String(repeating: "[", count: 10) + String(repeating: "]", count: 10)), limits: limits))
    }

    /// Cost and latencies must fit the index's fixed-point columns; a stored envelope holding a
    /// larger value (written before the bound existed) still reads back.
    func testCostAndLatencyBounds() throws {
        XCTAssertEqual(try parse(minimal(#""cost_usd":999999999.99"#)).fields.costUSD, 999_999_999.99)
        XCTAssertEqual(try parse(minimal(#""cost_usd":-12.5"#)).fields.costUSD, -12.5)
        assertRejected(minimal(#""cost_usd":1e9"#),
                       .invalidValue(field: "cost_usd", reason: "must be greater than -1000000000.0 and less than 1000000000.0"))
        assertRejected(minimal(#""cost_usd":-1.7e308"#),
                       .invalidValue(field: "cost_usd", reason: "must be greater than -1000000000.0 and less than 1000000000.0"))
        XCTAssertEqual(try parse(minimal(#""latency_ms":{"total":86400000,"ttft":1.5,"itl":0}"#)).fields.latencyTotalMs, 86_400_000)
        for field in ["total", "ttft", "itl"] {
            assertRejected(minimal(#""latency_ms":{"\#(field)":1e12}"#),
                           .invalidValue(field: "latency_ms.\(field)", reason: "must be greater than -1000000000000.0 and less than 1000000000000.0"))
        }
        var relaxed = RecordLimits()
        relaxed.costUSDBound = .infinity
        relaxed.latencyMsBound = .infinity
        let legacy = try parse(minimal(#""cost_usd":5e12,"latency_ms":{"total":1e300}"#), limits: relaxed)
        let back = try RecordFields.extract(envelope: legacy.envelopeBytes())
        XCTAssertEqual(back.costUSD, 5e12)
        XCTAssertEqual(back.latencyTotalMs, 1e300)
    }

    func testUnknownFieldsAreKeptInOrderByteForByte() throws {
        let text = #"{"zeta":{"b": 1,  "a":[true, null]},"id":"u1","ts":"2026-01-01T00:00:00Z","alpha":"\u00e9\n","region":"r1","n":1.50e3}"#
        let r = try parse(text)
        XCTAssertEqual(r.envelopeMembers.map(\.key), ["zeta", "id", "ts", "alpha", "region", "n"])
        XCTAssertEqual(String(decoding: r.envelopeBytes(), as: UTF8.self),
                       #"{"zeta":{"b": 1,  "a":[true, null]},"id":"u1","ts":"2026-01-01T00:00:00Z","alpha":"\u00e9\n","region":"r1","n":1.50e3}"#)
        // A metadata override (redaction) rewrites only metadata; a redaction report is appended.
        let m = try parse(minimal(#""metadata":{"email":"a@b.c"},"x":1"#))
        let redacted = m.envelopeBytes(metadataOverride: [("email", "[EMAIL]")], redactionReport: .object([JSONMember("v", 1)]))
        XCTAssertEqual(String(decoding: redacted, as: UTF8.self),
                       #"{"id":"a","ts":"2026-01-01T00:00:00Z","region":"r1","metadata":{"email":"[EMAIL]"},"x":1,"gatelog_redaction":{"v":1}}"#)
    }

    func testDuplicateAndReservedKeysAndNonObjects() {
        assertRejected(#"{"id":"a","ts":"2026-01-01T00:00:00Z","region":"r1","id":"b"}"#, .duplicateField("id"))
        assertRejected(minimal(#""x":1,"x":1"#), .duplicateField("x"))
        assertRejected(minimal(#""request":1,"request":2"#), .duplicateField("request"))
        assertRejected(minimal(#""gatelog_redaction":{}"#), .reservedField("gatelog_redaction"))
        for text in ["[]", "1", "\"x\"", "null", "", "   "] {
            XCTAssertThrowsError(try parse(text), text) { error in
                XCTAssertTrue([RecordError.notAnObject.code, "invalid_json"].contains((error as? RecordError)?.code), "\(error)")
            }
        }
        assertRejected("[1]", .notAnObject)
        assertRejected("42", .notAnObject)
        // Not JSON at all: a bare word, a byte-order mark before a record, a value with bytes after it.
        for text in ["bad", "\u{FEFF}" + minimal(), "[1] x", "tru"] {
            XCTAssertThrowsError(try parse(text), text) { error in
                XCTAssertEqual((error as? RecordError)?.code, "invalid_json", "\(text): \(error)")
            }
        }
        XCTAssertThrowsError(try parse(minimal() + "x"))
        XCTAssertThrowsError(try parse(minimal() + "{}"))
        XCTAssertThrowsError(try parse(#"{"id":"a","ts":"2026-01-01T00:00:00Z","region":"r1",}"#))
    }

    /// Every strict prefix of a valid record is rejected with a typed error, never a crash.
    func testEveryTruncationIsRejected() throws {
        let bytes = Array(Self.example.utf8)
        XCTAssertNoThrow(try AuditRecord.parse(bytes))
        for n in 0..<bytes.count {
            XCTAssertThrowsError(try AuditRecord.parse(Array(bytes[0..<n])), "prefix of \(n) bytes accepted")
        }
    }

    /// Random single-byte edits either parse or throw a RecordError; parsing never crashes, and an
    /// accepted record always has the required fields.
    func testRandomByteEditsNeverCrash() {
        let bytes = Array(Self.example.utf8)
        var state: UInt64 = 2026
        let alphabet = Array(#"{}[]":,\ 0123456789.eE+-truefalsenul"#.utf8) + [0x00, 0xFF, 0xC3]
        for _ in 0..<4000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            var edited = bytes
            let at = Int(state >> 33) % edited.count
            let b = alphabet[Int(state >> 17) % alphabet.count]
            switch state % 3 {
            case 0: edited[at] = b
            case 1: edited.insert(b, at: at)
            default: edited.remove(at: at)
            }
            if let r = try? AuditRecord.parse(edited) {
                XCTAssertFalse(r.fields.id.isEmpty)
                XCTAssertTrue(Region.isValidName(r.fields.region))
            }
        }
    }

    func testErrorMessagesNameFieldsNotValues() {
        let secret = "sk-live-abcdef123456"
        for text in [minimal(#""metadata":{"k":"\#(secret)\#(String(repeating: "v", count: 129))"}"#),
                     #"{"id":"\#(secret)\#(String(repeating: "x", count: 129))","ts":"2026-01-01T00:00:00Z","region":"r1"}"#,
                     #"{"id":"a","ts":"\#(secret)","region":"r1"}"#,
                     #"{"id":"a","ts":"2026-01-01T00:00:00Z","region":"\#(secret) x"}"#] {
            XCTAssertThrowsError(try parse(text)) { error in
                XCTAssertFalse("\(error)".contains(secret), "\(error)")
            }
        }
    }
}

final class AuditRecordKeyTests: XCTestCase {
    func parse(_ text: String) throws(RecordError) -> AuditRecord { try AuditRecord.parse(Array(text.utf8)) }

    /// A key written with escapes is the same key: typed, validated, and a duplicate of its plain form.
    func testEscapedKeysAreTheSameKeys() throws {
        let r = try parse(#"{"\u0069d":"a","ts":"2026-01-01T00:00:00Z","region":"r1","mod\u0065l":"m","x\"y":1}"#)
        XCTAssertEqual(r.fields.id, "a")
        XCTAssertEqual(r.fields.model, "m")
        XCTAssertEqual(r.envelopeMembers.map(\.key), ["id", "ts", "region", "model", "x\"y"])
        // Escaped keys are written back in JSONWriter's form; plain keys byte for byte.
        XCTAssertEqual(String(decoding: r.envelopeBytes(), as: UTF8.self),
                       #"{"id":"a","ts":"2026-01-01T00:00:00Z","region":"r1","model":"m","x\"y":1}"#)
        XCTAssertThrowsError(try parse(#"{"id":"a","\u0069d":"b","ts":"2026-01-01T00:00:00Z","region":"r1"}"#)) {
            XCTAssertEqual($0 as? RecordError, .duplicateField("id"))
        }
        XCTAssertThrowsError(try parse(#"{"id":"a","ts":"2026-01-01T00:00:00Z","region":"r1","gatelog_redactio\u006e":{}}"#)) {
            XCTAssertEqual($0 as? RecordError, .reservedField("gatelog_redaction"))
        }
        XCTAssertThrowsError(try parse(#"{"id":"a","ts":"2026-01-01T00:00:00Z","region":"r1","metadata":{"k":"1","\u006b":"2"}}"#)) {
            XCTAssertEqual($0 as? RecordError, .duplicateField("metadata.k"))
        }
    }

    /// The duplicate reported is the key whose first occurrence comes first, whether the keys are
    /// recognised ones or not, escaped or not, and with many unrecognised keys.
    func testFirstDuplicateIsTheEarliestRepeatedKey() {
        let base = #""ts":"2026-01-01T00:00:00Z","region":"r1""#
        let cases: [(String, String)] = [
            (#"{"x":1,"id":"a",\#(base),"x":2,"id":"b"}"#, "x"),
            (#"{"id":"a","x":1,\#(base),"x":2,"id":"b"}"#, "id"),
            (#"{"id":"a","y":1,"x1":1,\#(base),"x1":2}"#, "x1"),
            (#"{"id":"a",\#(base),"model":"m","k":1,"model":"n","k":2}"#, "model"),
            (#"{"id":"a",\#(base),"# + (0..<40).map { #""k\#($0)":\#($0)"# }.joined(separator: ",") + #","k7":1,"k3":2}"#, "k3"),
        ]
        for (text, key) in cases {
            XCTAssertThrowsError(try parse(text), text) { XCTAssertEqual($0 as? RecordError, .duplicateField(key), text) }
        }
    }

    /// Reindexing reads the stored envelope: its fields equal those read at ingest, for every
    /// record of a varied set (nulls, errors as strings and objects, escapes, metadata).
    /// Numbers are read from the bytes (no String): property check against the JSON value model
    /// over integers near the Int64 limits, fractions, exponents and negative zero.
    func testNumericFieldsMatchTheJSONValueModel() throws {
        var rng = SystemRandomNumberGenerator()
        let fixed = ["0", "-0", "7", "-7", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
                     "-9223372036854775809", "18446744073709551616", "123456789012345678901234", "1.0", "1.5", "-2.50",
                     "1e3", "1E+3", "-1e-3", "2.5e2", "0.1", "1e308", "1e-320", "123.456e-2", "0.0000000000000000001",
                     "92233720368547758070e-1", "9.2e18", "9.3e18"]
        var numbers = fixed
        for _ in 0..<2000 {
            let digits = (0..<Int.random(in: 1...21, using: &rng)).map { _ in String(Int.random(in: 0...9, using: &rng)) }.joined()
            var n = digits.count > 1 ? String(Int.random(in: 1...9, using: &rng)) + digits.dropFirst() : digits
            if Bool.random(using: &rng) { n = "-" + n }
            switch Int.random(in: 0...3, using: &rng) {
            case 1: n += "." + String(Int.random(in: 0...99999, using: &rng))
            case 2: n += "e" + String(Int.random(in: -30...30, using: &rng))
            default: break
            }
            numbers.append(n)
        }
        for n in numbers {
            let line = #"{"id":"n","ts":"2026-01-01T00:00:00Z","region":"r","cost_usd":\#(n),"usage":{"input_tokens":\#(n)},"latency_ms":{"total":\#(n)}}"#
            let model = try JSONValue.parse(line)
            let expectedInt = model["usage"]?["input_tokens"]?.int64Value
            let expectedDouble = model["cost_usd"]?.doubleValue
            // The bounds on cost and latency are tested in testCostAndLatencyBounds; here only the number reading.
            let parsed = Result { () throws(RecordError) -> RecordFields in try AuditRecord.parse(Array(line.utf8), limits: .storedRecord).fields }
            switch parsed {
            case .success(let fields):
                XCTAssertEqual(fields.inputTokens, expectedInt, n)
                XCTAssertEqual(fields.costUSD, expectedDouble, n)
                XCTAssertEqual(fields.latencyTotalMs, expectedDouble, n)
            case .failure(let error):
                // Not integral or out of range: rejected exactly when the model has no Int64 either.
                XCTAssertEqual(error, .wrongType(field: "usage.input_tokens", expected: "an integer", found: "number"), n)
                XCTAssertNil(expectedInt, n)
            }
        }
    }

    func testEnvelopeExtractionMatchesIngestParse() throws {
        let variants = [
            AuditRecordTests.example,
            #"{"id":"b","ts":"2026-01-01T00:00:00+02:00","region":"r1","error":"rate_limited","status":429,"usage":{"input_tokens":1e2}}"#,
            #"{"id":"c","ts":"2026-01-01T00:00:00Z","region":"r1","error":{"code":503},"route":{"backend":"b\u00e9","fallback":true}}"#,
            #"{"id":"d","ts":"2026-01-01T00:00:00Z","region":"r1","error":{"type":"timeout","code":"x"},"tenant":null,"latency_ms":null}"#,
            #"{"id":"e\u00e9","ts":"2026-01-01T00:00:00Z","region":"r1","metadata":{"a\nb":"c\"d"},"cost_usd":-0.5,"trace":{"trace_id":"t"}}"#,
        ]
        for text in variants {
            let r = try parse(text)
            XCTAssertEqual(try RecordFields.extract(envelope: r.envelopeBytes()), r.fields, text)
        }
    }

    /// Type errors name the field and the JSON type found, as before the byte-level reader.
    func testTypeErrorsNameFieldAndType() {
        let base = #""id":"a","ts":"2026-01-01T00:00:00Z","region":"r1""#
        let cases: [(String, RecordError)] = [
            (#""status":1.5"#, .wrongType(field: "status", expected: "an integer", found: "number")),
            (#""status":"200""#, .wrongType(field: "status", expected: "an integer", found: "string")),
            (#""usage":[1]"#, .wrongType(field: "usage", expected: "an object", found: "array")),
            (#""route":{"fallback":"yes"}"#, .wrongType(field: "route.fallback", expected: "a boolean", found: "string")),
            (#""error":true"#, .wrongType(field: "error", expected: "null, a string or an object", found: "boolean")),
            (#""latency_ms":{"ttft":{}}"#, .wrongType(field: "latency_ms.ttft", expected: "a number", found: "object")),
            (#""metadata":{"k":1}"#, .wrongType(field: "metadata.k", expected: "a string", found: "number")),
            (#""user":false"#, .wrongType(field: "user", expected: "a string", found: "boolean")),
        ]
        for (extra, expected) in cases {
            XCTAssertThrowsError(try parse("{\(base),\(extra)}"), extra) { XCTAssertEqual($0 as? RecordError, expected, extra) }
        }
        XCTAssertEqual(try parse("{\(base),\"status\":2e2}").fields.status, 200)
    }
}
