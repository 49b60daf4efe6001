import XCTest
import Foundation
import AuditFormat
import AuditStore
import Gatelog
import JSON
import AuditQuery

/// Issue 3's acceptance test: ingest records full of secrets and personal data, then scan every
/// byte under the data directory — segment frames decompressed, the SQLite index, its WAL, the
/// quarantine, checkpoints — for any raw value.
final class NoRawSecretsOnDiskTests: XCTestCase {
    static let secrets: [String] = [
        "jane.doe+billing@example-corp.com",
        "4111 1111 1111 1111",
        "5555555555554444",
        "078-05-1120",
        "GB82WEST12345698765432",
        "sk-proj-T3BlbkFJa8sD9fJ2kLmN4pQ7rStUvWxYz0123456789AbCd",
        "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefGHIJKLmnopQRSTuvwx-ABCDEF12",
        "AKIAZ7Q3K9WMX2HT5RVB",
        "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
        "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
        "+44 20 7946 0958",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    ]
    static let pemBody = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj"

    func testNoRawSensitiveValueReachesTheDisk() throws {
        let dir = NSTemporaryDirectory() + "gatelog-secrets-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pem = "-----BEGIN PRIVATE KEY-----\n\(Self.pemBody)\nMIIEpAIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n-----END PRIVATE KEY-----"
        var lines: [String] = []
        for (i, secret) in (Self.secrets + [pem]).enumerated() {
            let record = JSONValue.object([
                JSONMember("id", .string("sec-\(i)")), JSONMember("ts", "2026-11-24T09:00:00Z"), JSONMember("region", "eu-west-1"),
                JSONMember("user", "alice"), JSONMember("metadata", .object([JSONMember("note", .string("contact \(i < 3 ? secret : "none")"))])),
                JSONMember("request", .object([JSONMember("messages", .array([.object([
                    JSONMember("role", "user"), JSONMember("content", .string("Please use \(secret) for the account, thanks."))])]))])),
                JSONMember("response", .object([JSONMember("text", .string("Noted: \(secret)."))])),
                // Free text outside the content: an upstream error body, a gateway's own fields.
                JSONMember("error", i % 2 == 0 ? .string("401 from upstream: invalid key \(secret)")
                                               : .object([JSONMember("type", "auth_error"), JSONMember("message", .string("rejected \(secret)"))])),
                JSONMember("prompt", .string("summarise: \(secret)")),
                JSONMember("guardrails", .array([.object([JSONMember("name", "pii"), JSONMember("detail", .string("saw \(secret)"))])])),
            ])
            lines.append(record.serializedString)
        }
        // Rejected lines that carry secrets go to the quarantine: they must be redacted too.
        lines.append(#"{"id":"bad-1","ts":"not a time","region":"eu-west-1","request":{"k":"sk-proj-T3BlbkFJa8sD9fJ2kLmN4pQ7rStUvWxYz0123456789AbCd"}}"#)
        lines.append(#"this is not json but has jane.doe+billing@example-corp.com and 4111 1111 1111 1111"#)

        let service = try GatelogService(configuration: StoreConfiguration(dataDirectory: dir))
        let summary = service.ingestor.ingest(lines: lines.map { Array($0.utf8)[...] }, source: "test")
        XCTAssertEqual(summary.accepted, Self.secrets.count + 1)
        XCTAssertEqual(summary.rejected.count, 2)
        service.indexer?.waitUntilDrained()
        service.close()

        // Every byte of every file, plus every decompressed frame.
        var haystacks: [(String, [UInt8])] = []
        let enumerator = FileManager.default.enumerator(atPath: dir)!
        for case let name as String in enumerator {
            let path = "\(dir)/\(name)"
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue,
                  let data = FileManager.default.contents(atPath: path) else { continue }
            haystacks.append((name, Array(data)))
        }
        let scanner = RegionScanner(region: "eu-west-1", directory: "\(dir)/regions/eu-west-1")
        var decoded = 0
        try scanner.forEachRecord(includeContent: true) { record in
            haystacks.append(("eu-west-1#\(record.position) envelope", record.envelope ?? []))
            haystacks.append(("eu-west-1#\(record.position) content", record.content ?? []))
            decoded += 1
        }
        XCTAssertEqual(decoded, Self.secrets.count + 1)
        for needle in Self.secrets + [Self.pemBody, "BEGIN PRIVATE KEY"] {
            let n = Array(needle.utf8)
            for (name, bytes) in haystacks {
                XCTAssertFalse(Self.contains(bytes, n), "a raw value (\(needle.prefix(6))…) was found in \(name)")
            }
        }
        // The redaction report is in the envelope, with counts only.
        let envelope = try XCTUnwrap(haystacks.first { $0.0 == "eu-west-1#0 envelope" }?.1)
        let report = try XCTUnwrap(try JSONValue.parse(envelope)[AuditRecord.redactionMember])
        XCTAssertNotNil(report["counts"])
    }

    /// Campaign 12, item 3: secrets and personal data used as member names — of the envelope's
    /// own members, metadata keys, names inside `request`, `response` and a gateway's own fields —
    /// are redacted like values, in the stored bytes and the index, with the names of each object
    /// kept distinct; the log verifies; an error reason never quotes such a name.
    func testMemberNamesAreRedactedBeforeTheyAreStored() throws {
        let dir = NSTemporaryDirectory() + "gatelog-names-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let email = "judy.name@example.com", other = "frank.key@example.com", card = "4111111111111111"
        let secret = "sk-proj-T3BlbkFJa8sD9fJ2kLmN4pQ7rStUvWxYz0123456789AbCd"
        let lines = [
            #"{"id":"n1","ts":"2026-11-24T09:00:00Z","region":"eu-west-1","\#(email)":"v","\#(other)":"w","metadata":{"\#(card)":"x","env":"prod"},"x_gateway":{"\#(secret)":1},"request":{"\#(secret)":"y","text":"mail \#(email)"},"response":{"\#(other)":{"ok":true}}}"#,
            // A wrong type under a name that holds data: the reason does not quote it.
            #"{"id":"n2","ts":"2026-11-24T09:00:00Z","region":"eu-west-1","metadata":{"\#(email)":5}}"#,
        ]
        let service = try GatelogService(configuration: StoreConfiguration(dataDirectory: dir))
        let summary = service.ingestor.ingest(lines: lines.map { Array($0.utf8)[...] }, source: "test")
        XCTAssertEqual(summary.accepted, 1, "\(summary.rejected)")
        XCTAssertEqual(summary.rejected.count, 1)
        XCTAssertFalse(summary.jsonValue(includeResults: true).serializedString.contains(email), summary.jsonValue(includeResults: true).serializedString)
        service.indexer?.waitUntilDrained()
        service.close()

        var stored: [(envelope: [UInt8], content: [UInt8])] = []
        try RegionScanner(region: "eu-west-1", directory: "\(dir)/regions/eu-west-1").forEachRecord(includeContent: true) { r in
            stored.append((r.envelope ?? [], r.content ?? []))
        }
        XCTAssertEqual(stored.count, 1)
        let envelope = try JSONValue.parse(stored[0].envelope), content = try JSONValue.parse(stored[0].content)
        XCTAssertEqual(envelope.objectMembers?.map(\.key), ["id", "ts", "region", "[EMAIL]", "[EMAIL]#2", "metadata", "x_gateway",
                                                            AuditRecord.redactionMember], String(decoding: stored[0].envelope, as: UTF8.self))
        XCTAssertEqual(envelope["[EMAIL]"], .string("v"))
        XCTAssertEqual(envelope["[EMAIL]#2"], .string("w"))
        XCTAssertEqual(envelope["metadata"]?.objectMembers?.map(\.key), ["[CREDIT_CARD:…1111]", "env"])
        XCTAssertEqual(envelope["x_gateway"]?["[SECRET]"], .int(1))
        XCTAssertEqual(content["request"]?.objectMembers?.map(\.key), ["[SECRET]", "text"])
        XCTAssertEqual(content["response"]?["[EMAIL]"]?["ok"], .bool(true))
        XCTAssertEqual(envelope[AuditRecord.redactionMember]?["counts"]?["EMAIL"]?["redact"]?.int64Value, 4)
        // Nothing raw anywhere under the data directory (files as they are, frames decompressed).
        var haystacks: [[UInt8]] = stored.flatMap { [$0.envelope, $0.content] }
        for case let name as String in FileManager.default.enumerator(atPath: dir)! {
            if let data = FileManager.default.contents(atPath: "\(dir)/\(name)") { haystacks.append(Array(data)) }
        }
        for needle in [email, other, card, secret] {
            XCTAssertFalse(haystacks.contains { Self.contains($0, Array(needle.utf8)) }, "\(needle.prefix(6))… reached the disk")
        }
        let reopened = try GatelogService(configuration: StoreConfiguration(dataDirectory: dir))
        defer { reopened.close() }
        XCTAssertTrue(try reopened.query.verify(.localAdmin).allSatisfy(\.isIntact))
    }

    /// Members gatelog does not know inside its typed objects (`usage`, `route`, `latency_ms`,
    /// `trace`) are free text too: names and values redacted, the numbers and identifiers gatelog
    /// reads kept and indexed; objects holding only known members stay byte for byte.
    func testUnknownMembersOfTypedObjectsAreRedacted() throws {
        let dir = NSTemporaryDirectory() + "gatelog-typed-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let email = "bob.typed@example.com", phone = "415-555-0132", ssn = "078-05-1120"
        let lines = [
            #"{"id":"t1","ts":"2026-11-24T09:00:00Z","region":"eu-west-1","usage":{"input_tokens":5,"output_tokens":7,"\#(email)":1,"note":"call \#(phone)"},"route":{"backend":"azure-eu","fallback":true,"\#(email)":"x"},"latency_ms":{"total":12.5,"call \#(phone)":3},"trace":{"trace_id":"tr-1","x":"ssn \#(ssn)"}}"#,
            #"{"id":"t2","ts":"2026-11-24T09:00:01Z","region":"eu-west-1","usage":{"input_tokens":1,"output_tokens":2},"route":{"rule_id":"lb","backend":"openai","strategy":"cost","fallback":false,"attempts":1},"trace":{"trace_id":"tr-2","span_id":"s"}}"#,
        ]
        let service = try GatelogService(configuration: StoreConfiguration(dataDirectory: dir))
        let summary = service.ingestor.ingest(lines: lines.map { Array($0.utf8)[...] }, source: "test")
        XCTAssertEqual(summary.accepted, 2, "\(summary.rejected)")
        service.indexer?.waitUntilDrained()
        service.close()

        var stored: [[UInt8]] = []
        try RegionScanner(region: "eu-west-1", directory: "\(dir)/regions/eu-west-1").forEachRecord(includeContent: true) { r in
            stored.append(r.envelope ?? [])
        }
        XCTAssertEqual(stored.count, 2)
        let first = try JSONValue.parse(stored[0])
        XCTAssertEqual(first["usage"]?.objectMembers?.map(\.key), ["input_tokens", "output_tokens", "[EMAIL]", "note"])
        XCTAssertEqual(first["usage"]?["note"], .string("call [PHONE]"))
        XCTAssertEqual(first["route"]?["backend"], .string("azure-eu"))
        XCTAssertEqual(first["latency_ms"]?.objectMembers?.map(\.key), ["total", "call [PHONE]"])
        XCTAssertEqual(first["trace"]?["x"], .string("ssn [US_SSN]"))
        XCTAssertTrue(String(decoding: stored[1], as: UTF8.self).contains(#""route":{"rule_id":"lb","backend":"openai","strategy":"cost","fallback":false,"attempts":1}"#))
        var haystacks: [[UInt8]] = stored
        for case let name as String in FileManager.default.enumerator(atPath: dir)! {
            if let data = FileManager.default.contents(atPath: "\(dir)/\(name)") { haystacks.append(Array(data)) }
        }
        for needle in [email, phone, ssn] {
            XCTAssertFalse(haystacks.contains { Self.contains($0, Array(needle.utf8)) }, "\(needle.prefix(6))… reached the disk")
        }
        // The index keeps what gatelog reads from those objects.
        let reopened = try GatelogService(configuration: StoreConfiguration(dataDirectory: dir))
        defer { reopened.close() }
        let fields = try RecordFields.extract(envelope: stored[0])
        XCTAssertEqual(fields.routeBackend, "azure-eu")
        XCTAssertEqual(fields.traceID, "tr-1")
        XCTAssertEqual(fields.inputTokens, 5)
        XCTAssertEqual(fields.routeFallback, true)
        XCTAssertEqual(fields.latencyTotalMs, 12.5)
        XCTAssertTrue(try reopened.query.verify(.localAdmin).allSatisfy(\.isIntact))
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        let first = needle[0]
        var i = 0
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first && Array(haystack[i..<(i + needle.count)]) == needle { return true }
            i += 1
        }
        return false
    }

    /// Free text in the envelope is redacted in place and counted in the report; the typed
    /// identity fields stay as sent; `error_class` in the index is the redacted text; the strict
    /// policy blocks a credential found there; a record with only a null `error` is unchanged.
    func testEnvelopeFreeTextIsRedactedInPlace() throws {
        let dir = NSTemporaryDirectory() + "gatelog-envelope-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let email = "carol.smith@example.net"
        let key = "sk-proj-" + "Tq3vK9xW2mN8pL4rJ7sB1cF6hD0gZ5yA"
        let lines = [
            #"{"id":"e1","ts":"2026-11-24T09:00:00Z","region":"eu-west-1","user":"alice@acme.com","error":"upstream said invalid key \#(key) for \#(email)","metadata":{"env":"prod"}}"#,
            #"{"id":"e2","ts":"2026-11-24T09:00:01Z","region":"eu-west-1","user":"bob@acme.com","error":{"type":"auth","message":"key \#(key)"},"x_notes":{"who":"\#(email)","n":3},"request":{"q":"mail \#(email)"}}"#,
            #"{"id":"e3","ts":"2026-11-24T09:00:02Z","region":"eu-west-1","error":null,"request":{"q":"hi"}}"#,
        ]
        let service = try GatelogService(configuration: StoreConfiguration(dataDirectory: dir))
        let summary = service.ingestor.ingest(lines: lines.map { Array($0.utf8)[...] }, source: "test")
        XCTAssertEqual(summary.accepted, 3, "\(summary.rejected)")
        service.indexer?.waitUntilDrained()
        var stored: [String: (envelope: JSONValue, content: JSONValue)] = [:]
        try RegionScanner(region: "eu-west-1", directory: "\(dir)/regions/eu-west-1").forEachRecord(includeContent: true) { r in
            let envelope = try JSONValue.parse(r.envelope ?? [])
            stored[envelope["id"]?.stringValue ?? ""] = (envelope, try JSONValue.parse(r.content ?? []))
        }
        let e1 = try XCTUnwrap(stored["e1"]).envelope
        XCTAssertEqual(e1["error"]?.stringValue, "upstream said invalid key [SECRET] for [EMAIL]")
        XCTAssertEqual(e1["user"]?.stringValue, "alice@acme.com", "identity fields are kept for search")
        XCTAssertEqual(e1[AuditRecord.redactionMember]?["counts"]?["SECRET"]?["redact"]?.int64Value, 1, e1.serializedString)
        XCTAssertEqual(e1[AuditRecord.redactionMember]?["counts"]?["EMAIL"]?["redact"]?.int64Value, 1, e1.serializedString)
        let e2 = try XCTUnwrap(stored["e2"])
        XCTAssertEqual(e2.envelope["error"]?["type"]?.stringValue, "auth")
        XCTAssertEqual(e2.envelope["error"]?["message"]?.stringValue, "key [SECRET]")
        XCTAssertEqual(e2.envelope["x_notes"]?["who"]?.stringValue, "[EMAIL]")
        XCTAssertEqual(e2.envelope["x_notes"]?["n"]?.int64Value, 3)
        XCTAssertEqual(e2.content["request"]?["q"]?.stringValue, "mail [EMAIL]")
        XCTAssertEqual(Array(try XCTUnwrap(stored["e2"]).envelope.objectMembers?.map(\.key) ?? []),
                       ["id", "ts", "region", "user", "error", "x_notes", AuditRecord.redactionMember], "member order is kept")
        XCTAssertNil(stored["e3"]?.envelope["error"]?.stringValue)
        XCTAssertEqual(stored["e3"]?.envelope["error"], .null)
        // The index's error class is the redacted text (what `group_by=error` and `error=` see).
        let found = try service.query.search(.localAdmin, filter: try FilterArguments.parse([("error", "upstream said invalid key [SECRET] for [EMAIL]")]),
                                             limit: 10, cursor: nil, order: .newestFirst, includeContent: false)
        XCTAssertEqual(found.records.map(\.entry.id), ["e1"])
        service.close()

        // The strict policy blocks a credential wherever it is.
        let strictDir = NSTemporaryDirectory() + "gatelog-envelope-strict-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: strictDir) }
        try FileManager.default.createDirectory(atPath: strictDir, withIntermediateDirectories: true)
        let policyPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/policies/strict.json").standardized.path
        try Data(#"{"redaction_policy":"\#(policyPath)"}"#.utf8).write(to: URL(fileURLWithPath: "\(strictDir)/gatelog.json"))
        let strict = try GatelogService(configuration: StoreConfiguration(dataDirectory: strictDir))
        let blocked = strict.ingestor.ingest(lines: [Array(lines[0].utf8)[...]], source: "test")
        XCTAssertEqual(blocked.accepted, 0)
        XCTAssertEqual(blocked.rejected.first?.code, "blocked", "\(blocked.rejected)")
        XCTAssertFalse(blocked.rejected.first?.reason.contains(key) ?? true)
        strict.close()
    }
}
