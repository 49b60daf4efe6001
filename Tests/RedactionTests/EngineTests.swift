import Dispatch
import GatelogCrypto
import JSON
import Synchronization
import XCTest
@testable import Redaction

/// Actions, overrides, field rules, block, custom detectors, reports and the record API.
final class EngineTests: XCTestCase {
    let keyA = try! HashKey(bytes: Array(repeating: 0xA1, count: 32))
    let keyB = try! HashKey(bytes: Array(repeating: 0xB2, count: 32))

    func engine(_ json: String, keys: [String: HashKey] = [:]) throws -> RedactionEngine {
        RedactionEngine(policy: try RedactionPolicy.parse(json), hashKeys: FixedHashKeys(keys, fallback: keyA))
    }

    func text(_ engine: RedactionEngine, _ input: String, region: String = "us", tenant: String? = nil) throws -> String {
        try engine.redactText(input, region: region, tenant: tenant).text
    }

    // MARK: - Actions

    func testRedactReplacesWithTypeName() throws {
        let e = RedactionEngine()
        let out = try e.redactText("mail a.b@example.com from 10.1.2.3, key sk-proj-Tq3vK9xW2mN8pL4rJ7sB1cF6hD0gZ5yA", region: "us")
        XCTAssertEqual(out.text, "mail [EMAIL] from [IP_ADDRESS], key [SECRET]")
        XCTAssertEqual(out.report.count(.email, .redact), 1)
        XCTAssertEqual(out.report.count(.ipAddress, .redact), 1)
        XCTAssertEqual(out.report.count(.secret, .redact), 1)
        XCTAssertEqual(out.report.totalDetections, 3)
        XCTAssertEqual(out.report.policyVersion, "builtin-1")
    }

    func testMaskKeepsLastFourAlphanumerics() throws {
        let e = RedactionEngine()  // the standard policy masks cards
        XCTAssertEqual(try text(e, "card 4242 4242 4242 4242."), "card [CREDIT_CARD:…4242].")
        let all = try engine(#"{"version":"m","defaults":{"*":"mask"}}"#)
        XCTAssertEqual(try text(all, "iban GB82 WEST 1234 5698 7654 32 ok"), "iban [IBAN:…5432] ok")
        XCTAssertEqual(try text(all, "call (415) 555-2671"), "call [PHONE:…2671]")
        // Short values reveal at most half of their letters and digits.
        XCTAssertEqual(try text(all, "password=abcdef1"), "password=[SECRET:…ef1]")
        XCTAssertEqual(try text(all, "ip 8.8.8.8"), "ip [IP_ADDRESS:…88]")
    }

    func testHashIsKeyedDeterministicAndNormalised() throws {
        let e = try engine(#"{"version":"h","defaults":{"*":"hash"}}"#, keys: ["eu": keyA, "us": keyB])
        // The tag is the first 8 hex digits of HMAC-SHA256(key, "TYPE\0normalised value").
        let expected = Hex.encode(HMACSHA256.authenticate(key: keyA.bytes, message: "EMAIL\u{0}jane@example.com").bytes.prefix(4))
        XCTAssertEqual(try text(e, "to Jane@Example.com", region: "eu"), "to [EMAIL:\(expected)]")
        // Equal values correlate, whatever their formatting.
        let a = try text(e, "4111 1111 1111 1111", region: "eu")
        let b = try text(e, "4111-1111-1111-1111", region: "eu")
        let c = try text(e, "4111111111111111", region: "eu")
        XCTAssertEqual(a, b)
        XCTAssertEqual(b, c)
        XCTAssertTrue(a.hasPrefix("[CREDIT_CARD:") && a.count == "[CREDIT_CARD:12345678]".count, a)
        // Different values differ; different keys (regions) differ.
        XCTAssertNotEqual(try text(e, "4242424242424242", region: "eu"), a)
        XCTAssertNotEqual(try text(e, "4111 1111 1111 1111", region: "us"), a)
        XCTAssertNotEqual(try text(e, "Jane@Example.com", region: "us"), try text(e, "Jane@Example.com", region: "eu"))
    }

    func testHashWithoutKeyProviderIsAnError() throws {
        let e = RedactionEngine(policy: try RedactionPolicy.parse(#"{"version":"h","defaults":{"EMAIL":"hash"}}"#))
        XCTAssertThrowsError(try e.redactText("x@example.com", region: "us")) { error in
            guard case RedactionError.hashKeyUnavailable(let region, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(region, "us")
        }
        // Regions without a hash action do not need a key.
        let mixed = RedactionEngine(policy: try RedactionPolicy.parse(#"{"version":"h","regions":{"eu":{"actions":{"EMAIL":"hash"}}}}"#))
        XCTAssertEqual(try mixed.redactText("x@example.com", region: "us").text, "[EMAIL]")
    }

    func testAllowKeepsValueButCountsIt() throws {
        let e = try engine(#"{"version":"a","defaults":{"IP_ADDRESS":"allow"}}"#)
        let out = try e.redactText("from 10.0.0.1 by a@b.io", region: "us")
        XCTAssertEqual(out.text, "from 10.0.0.1 by [EMAIL]")
        XCTAssertEqual(out.report.count(.ipAddress, .allow), 1)
        XCTAssertEqual(out.report.count(.email, .redact), 1)
        let none = try e.redactText("only 10.0.0.1", region: "us")
        XCTAssertEqual(none.text, "only 10.0.0.1")
        XCTAssertEqual(none.report.totalDetections, 1)
    }

    func testBlockRejectsWithTypeAndPathButNoValue() throws {
        let e = try engine(#"{"version":"b","defaults":{"US_SSN":"block"}}"#)
        let record = #"{"request":{"messages":[{"role":"user","content":"hi"},{"role":"user","content":"my ssn is 536-22-1234"}]},"response":{}}"#
        XCTAssertThrowsError(try e.redactRecord(content: Array(record.utf8), region: "us")) { error in
            XCTAssertEqual(error as? RedactionError, .blocked(entity: .usSSN, path: "request.messages[1].content"))
            let message = "\(error)"
            XCTAssertTrue(message.contains("US_SSN") && message.contains("request.messages[1].content"), message)
            XCTAssertFalse(message.contains("536") || message.contains("1234"), message)
        }
        XCTAssertThrowsError(try e.redactText("ssn 536-22-1234", region: "us")) { error in
            XCTAssertEqual(error as? RedactionError, .blocked(entity: .usSSN, path: "text"))
        }
        XCTAssertThrowsError(try e.redactRecord(content: Array(#"{"request":{}}"#.utf8), metadata: [("note", "536-22-1234")], region: "us")) { error in
            XCTAssertEqual(error as? RedactionError, .blocked(entity: .usSSN, path: "metadata.note"))
        }
        XCTAssertEqual(try text(e, "nothing blocked here"), "nothing blocked here")
    }

    // MARK: - Overrides

    func testTenantOverridesRegionOverridesDefault() throws {
        let e = try engine("""
        {"version": "o",
         "defaults": {"EMAIL": "redact", "*": "mask"},
         "regions": {"eu": {"actions": {"EMAIL": "hash", "IP_ADDRESS": "allow"}}, "apac": {"actions": {"*": "redact"}}},
         "tenants": {"acme": {"actions": {"EMAIL": "allow"}}, "globex": {"actions": {"*": "redact"}}}}
        """)
        let input = "a@example.com 10.0.0.1"
        XCTAssertEqual(try text(e, input, region: "us"), "[EMAIL] [IP_ADDRESS:…01]")
        XCTAssertTrue(try text(e, input, region: "eu").hasSuffix(" 10.0.0.1"))
        XCTAssertTrue(try text(e, input, region: "eu").hasPrefix("[EMAIL:"))
        XCTAssertEqual(try text(e, input, region: "eu", tenant: "acme"), "a@example.com 10.0.0.1")
        XCTAssertEqual(try text(e, input, region: "us", tenant: "acme"), "a@example.com [IP_ADDRESS:…01]")
        XCTAssertEqual(try text(e, input, region: "apac"), "[EMAIL] [IP_ADDRESS]")
        // A tenant's "*" beats the region's explicit type.
        XCTAssertEqual(try text(e, input, region: "eu", tenant: "globex"), "[EMAIL] [IP_ADDRESS]")
        // Unknown regions and tenants fall back to the defaults.
        XCTAssertEqual(try text(e, input, region: "mars", tenant: "nobody"), "[EMAIL] [IP_ADDRESS:…01]")
        let policy = e.policy
        XCTAssertEqual(policy.action(for: .email, region: "eu", tenant: "acme"), .allow)
        XCTAssertEqual(policy.action(for: .phone, region: "eu", tenant: nil), .mask)
        XCTAssertEqual(RedactionPolicy.standard.action(for: .creditCard, region: "x", tenant: nil), .mask)
        XCTAssertEqual(RedactionPolicy.standard.action(for: .phone, region: "x", tenant: nil), .redact)
    }

    // MARK: - Records

    func testRecordRewriteKeepsUnchangedBytesAndRedactsStrings() throws {
        let e = RedactionEngine()
        let record = #"{ "request" : {"model":"gpt-4o","messages":[{"role":"user","content":"caf\u00e9 mail bob@example.org"}],"n":1.50e0},"response":{"text":"ok \"quoted\" 10.0.0.7","tokens":[1,2]} }"#
        let out = try e.redactRecord(content: Array(record.utf8), region: "us")
        XCTAssertEqual(String(decoding: out.content, as: UTF8.self),
                       #"{"request":{"model":"gpt-4o","messages":[{"role":"user","content":"café mail [EMAIL]"}],"n":1.50e0},"response":{"text":"ok \"quoted\" [IP_ADDRESS]","tokens":[1,2]}}"#)
        XCTAssertEqual(out.report.count(.email, .redact), 1)
        XCTAssertEqual(out.report.count(.ipAddress, .redact), 1)
        // A record without findings comes back compact and otherwise byte-identical.
        let clean = #"{"request":{"a":"b\u00e9","c":[true,null]}}"#
        XCTAssertEqual(String(decoding: try e.redactRecord(content: Array(clean.utf8), region: "us").content, as: UTF8.self), clean)
    }

    func testCredentialKeysMakeWholeValuesSecret() throws {
        let e = RedactionEngine()
        let record = #"{"request":{"params":{"password":"hunter2","api_key":"abc","apiKeys":["k1-value","k2-value"],"max_tokens":"512","token_type":"bearer"}}}"#
        let out = try e.redactRecord(content: Array(record.utf8),
                                     metadata: [("Authorization", "Bearer abc.def"), ("X-Api-Key", "zzz123"), ("user-agent", "curl/8.4"), ("Cookie", "sid=1")],
                                     region: "us")
        XCTAssertEqual(String(decoding: out.content, as: UTF8.self),
                       #"{"request":{"params":{"password":"[SECRET]","api_key":"[SECRET]","apiKeys":["[SECRET]","[SECRET]"],"max_tokens":"512","token_type":"bearer"}}}"#)
        XCTAssertEqual(out.metadata.map(\.0), ["Authorization", "X-Api-Key", "user-agent", "Cookie"])
        XCTAssertEqual(out.metadata.map(\.1), ["[SECRET]", "[SECRET]", "curl/8.4", "[SECRET]"])
        XCTAssertEqual(out.report.count(.secret, .redact), 7)
        // Placeholders under a credential key are left alone.
        let placeholder = #"{"password":"********","token":"<your token>"}"#
        XCTAssertEqual(String(decoding: try e.redactRecord(content: Array(placeholder.utf8), region: "us").content, as: UTF8.self), placeholder)
    }

    func testNumbersAreScannedWhenTheyCouldHideValues() throws {
        let e = RedactionEngine()
        let record = #"{"card":4111111111111111,"id":1700000000123,"amount":-12.5,"password":12345678,"pin":1234,"n":[4242424242424242,7]}"#
        let out = try e.redactRecord(content: Array(record.utf8), region: "us")
        XCTAssertEqual(String(decoding: out.content, as: UTF8.self),
                       #"{"card":"[CREDIT_CARD:…1111]","id":1700000000123,"amount":-12.5,"password":"[SECRET]","pin":1234,"n":["[CREDIT_CARD:…4242]",7]}"#)
        XCTAssertEqual(out.report.count(.creditCard, .mask), 2)
        XCTAssertEqual(out.report.count(.secret, .redact), 1)
    }

    func testFieldRulesDropAndSkip() throws {
        let e = try engine("""
        {"version": "f",
         "fields": [{"path": "request.params.api_key", "rule": "drop"},
                    {"path": "request.messages[*].name", "rule": "skip"},
                    {"path": "response.*.debug", "rule": "drop"},
                    {"path": "request.messages[0].extra", "rule": "drop"},
                    {"path": "metadata.cookie", "rule": "drop"},
                    {"path": "metadata.trace", "rule": "skip"}],
         "tenants": {"t1": {"fields": [{"path": "request.model", "rule": "drop"}]}}}
        """)
        let record = """
        {"request":{"model":"m","params":{"api_key":"sk-live","temperature":0.1},
          "messages":[{"name":"bob@example.com","content":"bob@example.com","extra":"x"},{"name":"eve@example.com","extra":"y"}]},
         "response":{"choice":{"debug":{"ip":"10.0.0.1"},"text":"fine"}}}
        """
        let out = try e.redactRecord(content: Array(record.utf8), metadata: [("cookie", "a=b"), ("trace", "10.0.0.2"), ("ip", "10.0.0.3")], region: "us")
        XCTAssertEqual(String(decoding: out.content, as: UTF8.self),
                       #"{"request":{"model":"m","params":{"temperature":0.1},"messages":[{"name":"bob@example.com","content":"[EMAIL]"},{"name":"eve@example.com","extra":"y"}]},"response":{"choice":{"text":"fine"}}}"#)
        XCTAssertEqual(out.metadata.map(\.0), ["trace", "ip"])
        XCTAssertEqual(out.metadata.map(\.1), ["10.0.0.2", "[IP_ADDRESS]"])
        XCTAssertEqual(out.report.droppedFields, 4)
        XCTAssertEqual(out.report.count(.email, .redact), 1)
        // Tenant rules add to the global ones.
        let t1 = try e.redactRecord(content: Array(record.utf8), region: "us", tenant: "t1")
        XCTAssertFalse(String(decoding: t1.content, as: UTF8.self).contains("\"model\""))
        XCTAssertEqual(t1.report.droppedFields, 4)
    }

    func testInvalidContentIsReportedWithoutContent() {
        let e = RedactionEngine()
        XCTAssertThrowsError(try e.redactRecord(content: Array(#"{"request": "a@b.com""#.utf8), region: "us")) { error in
            guard case RedactionError.invalidContent(let json) = error else { return XCTFail("\(error)") }
            XCTAssertFalse("\(error)".contains("a@b.com"))
            XCTAssertGreaterThan(json.offset, 0)
        }
    }

    // MARK: - Custom detectors

    func testCustomDetectors() throws {
        let e = try engine("""
        {"version": "c",
         "defaults": {"EMPLOYEE_ID": "redact", "TICKET": "hash"},
         "custom_detectors": [{"name": "EMPLOYEE_ID", "pattern": "\\\\bEMP-[0-9]{6}\\\\b"},
                              {"name": "TICKET", "pattern": "tkt_[a-z0-9]{4}", "case_insensitive": true}]}
        """)
        let out = try e.redactText("Über EMP-123456 und TKT_ab12, nicht EMP-12345; mail x@example.com", region: "us")
        XCTAssertTrue(out.text.hasPrefix("Über [EMPLOYEE_ID] und [TICKET:"), out.text)
        XCTAssertTrue(out.text.hasSuffix("], nicht EMP-12345; mail [EMAIL]"), out.text)
        XCTAssertEqual(out.report.count(EntityType("EMPLOYEE_ID"), .redact), 1)
        XCTAssertEqual(out.report.count(EntityType("TICKET"), .hash), 1)
        // Offsets are UTF-8 byte offsets even after multi-byte characters.
        let detections = e.detect("ü EMP-000001")
        XCTAssertEqual(detections, [Detection(range: 3..<13, entity: EntityType("EMPLOYEE_ID"))])
        // A custom detection overlapping a built-in one wins the label.
        let overlap = try engine(#"{"version":"c","custom_detectors":[{"name":"ACCOUNT","pattern":"acct-[0-9]{3}-[0-9]{3}-[0-9]{4}"}]}"#)
        XCTAssertEqual(try text(overlap, "acct-415-555-2671"), "[ACCOUNT]")
        // Custom detectors also run inside records.
        let record = try e.redactRecord(content: Array(#"{"note":"EMP-654321"}"#.utf8), region: "us")
        XCTAssertEqual(String(decoding: record.content, as: UTF8.self), #"{"note":"[EMPLOYEE_ID]"}"#)
    }

    // MARK: - Reports

    func testReportJSONAndNoValues() throws {
        let e = try engine(#"{"version":"2026-11-01","defaults":{"PHONE":"allow"},"fields":[{"path":"request.drop_me","rule":"drop"}]}"#)
        let values = ["jane@example.com", "bob@example.com", "4111 1111 1111 1111", "sk-ant-api03-Xy7Kp2Qw9Lm4Nz8Rt3Vb6Hc1Jd5Fg0Sa-QwErTyUiOpAsDfGhJkL2", "+44 20 7946 0958"]
        let record = """
        {"request":{"drop_me":"x","messages":[{"content":"\(values[0]) and \(values[1]) pay \(values[2]) key \(values[3]) call \(values[4])"}]}}
        """
        let out = try e.redactRecord(content: Array(record.utf8), region: "us")
        let json = out.report.jsonValue().serializedString
        XCTAssertEqual(json, #"{"policy":"2026-11-01","counts":{"CREDIT_CARD":{"mask":1},"EMAIL":{"redact":2},"PHONE":{"allow":1},"SECRET":{"redact":1}},"dropped_fields":1}"#)
        for v in values { XCTAssertFalse(json.contains(v)) }
        XCTAssertEqual(RedactionReport(jsonValue: out.report.jsonValue()), out.report)
        var total = out.report
        total.merge(out.report)
        XCTAssertEqual(total.count(.email, .redact), 4)
        XCTAssertEqual(total.droppedFields, 2)
        XCTAssertEqual(RedactionReport(policyVersion: "p", counts: total.counts).entries, total.entries)
        XCTAssertEqual(RedactionReport(policyVersion: "v").jsonValue().serializedString, #"{"policy":"v","counts":{}}"#)
    }

    // MARK: - Concurrency

    func testEngineIsSafeToShareBetweenThreads() throws {
        let e = RedactionEngine(policy: try RedactionPolicy.parse(#"{"version":"t","defaults":{"EMAIL":"hash"}}"#),
                                hashKeys: FixedHashKeys([:], fallback: keyA))
        let records = (0..<64).map { i in Array(#"{"request":{"m":"user\#(i)@example.com at 10.0.\#(i).1"}}"#.utf8) }
        let expected = try records.map { try e.redactRecord(content: $0, region: "eu").content }
        let results = ResultBox(count: records.count)
        DispatchQueue.concurrentPerform(iterations: records.count * 4) { k in
            let i = k % records.count
            let out = try? e.redactRecord(content: records[i], region: "eu").content
            results.set(i, out)
        }
        for i in records.indices { XCTAssertEqual(results.get(i), expected[i]) }
    }
}

/// Collects per-index results from concurrent workers.
final class ResultBox: Sendable {
    private let values: Mutex<[[UInt8]?]>
    init(count: Int) { values = Mutex(Array(repeating: nil, count: count)) }
    func set(_ i: Int, _ v: [UInt8]?) { values.withLock { $0[i] = v } }
    func get(_ i: Int) -> [UInt8]? { values.withLock { $0[i] } }
}
