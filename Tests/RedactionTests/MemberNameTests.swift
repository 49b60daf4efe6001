import GatelogCrypto
import JSON
import XCTest
@testable import Redaction

/// Campaign 12, item 3: member names are client data too. Names that may hold an entity are
/// scanned like values and rewritten (`{"judy.name@example.com":"v"}` → `{"[EMAIL]":"v"}`), at
/// any depth of the content and in metadata keys, with the same result through the fast walk
/// and through the rewriter that applies field rules; names of one object that would read the
/// same are told apart deterministically (`#2`, `#3`); a blocked entity in a name, or a value
/// under such a name, is reported without the name.
final class MemberNameTests: XCTestCase {
    let key = try! HashKey(bytes: Array(repeating: 0xA1, count: 32))

    func engine(_ json: String) throws -> RedactionEngine {
        RedactionEngine(policy: try RedactionPolicy.parse(json), hashKeys: FixedHashKeys([:], fallback: key))
    }

    /// The standard policy (fast walk) and the same policy with a field rule that matches nothing
    /// here (the general rewriter).
    func engines() throws -> [(String, RedactionEngine)] {
        [("walk", RedactionEngine()),
         ("rewriter", try engine(#"{"version":"builtin-1","defaults":{"CREDIT_CARD":"mask"},"fields":[{"path":"request.not_there","rule":"drop"}]}"#))]
    }

    /// The member names of every object in `value`, object by object.
    func names(_ value: JSONValue) -> [[String]] {
        switch value {
        case .object(let members): return [members.map(\.key)] + members.flatMap { names($0.value) }
        case .array(let items): return items.flatMap { names($0) }
        default: return []
        }
    }

    func testNamesAreRedactedAtEveryDepth() throws {
        let content = #"{"request":{"judy.name@example.com":"v","params":{"4111 1111 1111 1111":{"sk-proj-Tq3vK9xW2mN8pL4rJ7sB1cF6hD0gZ5yA":1}},"list":[{"call 415-555-2671":true}]},"response":{"role":"assistant","finish_reason":"stop"}}"#
        for (label, e) in try engines() {
            let r = try e.redactRecord(content: Array(content.utf8), region: "us")
            let out = String(decoding: r.content, as: UTF8.self)
            XCTAssertEqual(out, #"{"request":{"[EMAIL]":"v","params":{"[CREDIT_CARD:…1111]":{"[SECRET]":1}},"list":[{"call [PHONE]":true}]},"response":{"role":"assistant","finish_reason":"stop"}}"#, label)
            XCTAssertEqual(r.report.count(.email, .redact), 1, label)
            XCTAssertEqual(r.report.count(.creditCard, .mask), 1, label)
            XCTAssertEqual(r.report.count(.secret, .redact), 1, label)
            XCTAssertEqual(r.report.count(.phone, .redact), 1, label)
            XCTAssertNil(r.renamedMembers, "only nested names were renamed (\(label))")
        }
    }

    func testNamesThatReadTheSameAreToldApartDeterministically() throws {
        let content = #"{"request":{"a.one@example.com":1,"[EMAIL]":2,"b.two@example.com":3,"[EMAIL]#2":4,"c.three@example.com":5}}"#
        for (label, e) in try engines() {
            let r = try e.redactRecord(content: Array(content.utf8), region: "us")
            let value = try JSONValue.parse(r.content)
            let keys = try XCTUnwrap(value["request"]?.objectMembers).map(\.key)
            // Names as sent are kept; redacted ones take the next free suffix, in input order.
            XCTAssertEqual(keys, ["[EMAIL]#3", "[EMAIL]", "[EMAIL]#4", "[EMAIL]#2", "[EMAIL]#5"], label)
            XCTAssertEqual(value["request"]?.objectMembers?.map(\.value), [.int(1), .int(2), .int(3), .int(4), .int(5)], label)
            for object in names(value) { XCTAssertEqual(Set(object).count, object.count, "no name twice: \(object) (\(label))") }
        }
    }

    func testTopLevelRenamesAreReported() throws {
        // What ingest scans when a record has free-text members: those members, then the content.
        let scanned = #"{"judy.name@example.com":"v","x_notes":{"n":1},"request":{"q":"hi"}}"#
        for (label, e) in try engines() {
            let r = try e.redactRecord(content: Array(scanned.utf8), region: "us")
            XCTAssertEqual(String(decoding: r.content, as: UTF8.self), #"{"[EMAIL]":"v","x_notes":{"n":1},"request":{"q":"hi"}}"#, label)
            XCTAssertEqual(r.renamedMembers, ["[EMAIL]": "judy.name@example.com"], label)
        }
    }

    func testMetadataKeysAreRedactedAndKeptDistinct() throws {
        let metadata: [(key: String, value: String)] = [("4111111111111111", "x"), ("env", "prod"), ("[CREDIT_CARD:…1111]", "y"),
                                                         ("4111-1111-1111-1111", "z")]
        let r = try RedactionEngine().redactRecord(content: Array("{}".utf8), metadata: metadata, region: "us")
        XCTAssertEqual(r.metadata.map(\.key), ["[CREDIT_CARD:…1111]#2", "env", "[CREDIT_CARD:…1111]", "[CREDIT_CARD:…1111]#3"])
        XCTAssertEqual(r.metadata.map(\.value), ["x", "prod", "y", "z"])
        XCTAssertEqual(r.report.count(.creditCard, .mask), 2)
    }

    func testPlainNamesCostNothingAndLeaveTheContentAsItIs() throws {
        let content = Array(#"{"request":{"messages":[{"role":"user","content":"hello"}],"max_tokens":100,"temperature":0.2},"response":{"completion_tokens_details":{"reasoning_tokens":0}}}"#.utf8)
        let r = try RedactionEngine().redactRecord(content: content, region: "us")
        XCTAssertEqual(r.content, content)
        XCTAssertEqual(r.report.totalDetections, 0)
        var e = Redactor(engine: RedactionEngine(), rules: RedactionEngine().rules(region: "us", tenant: nil), key: nil)
        for plain in ["role", "content", "finish_reason", "prompt_tokens", "x-request-id", "temperature"] {
            XCTAssertFalse(plain.utf8CString.withUnsafeBufferPointer { b in
                b.baseAddress!.withMemoryRebound(to: UInt8.self, capacity: b.count) { e.nameMayHoldEntity($0, b.count - 1) }
            }, plain)
        }
        XCTAssertNil(e.redactName("gpt4o-mini", path: { "x" }))
    }

    /// The eight-bytes-at-a-time look at a name agrees with the byte-by-byte rule it implements.
    func testTheNamePrefilterMatchesItsByteRule() {
        let e = Redactor(engine: RedactionEngine(), rules: RedactionEngine().rules(region: "us", tenant: nil), key: nil)
        func reference(_ b: [UInt8]) -> Bool {
            b.count >= 24 || (b.count >= 6 && b.contains { ($0 >= 0x30 && $0 <= 0x40) || $0 >= 0x80 })
        }
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("abcXYZ_-. /;<?A[]^`{~".utf8) + [0x2F, 0x3B, 0x3F, 0x41, 0x5B, 0x5D, 0x7F]
        for _ in 0..<20_000 {
            let count = Int.random(in: 0..<30, using: &rng)
            var b = (0..<count).map { _ in alphabet.randomElement(using: &rng)! }
            if count > 0 && Bool.random(using: &rng) {
                b[Int.random(in: 0..<count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            let fast = b.withUnsafeBufferPointer { buffer in
                buffer.baseAddress.map { e.nameMayHoldEntity($0, buffer.count) } ?? false
            }
            XCTAssertEqual(fast, reference(b), "\(b)")
        }
    }

    func testABlockedEntityInANameIsReportedWithoutTheName() throws {
        let strict = try engine(#"{"version":"b","defaults":{"EMAIL":"block","US_SSN":"block"}}"#)
        let strictRules = try engine(#"{"version":"b","defaults":{"EMAIL":"block","US_SSN":"block"},"fields":[{"path":"request.x","rule":"drop"}]}"#)
        for e in [strict, strictRules] {
            XCTAssertThrowsError(try e.redactRecord(content: Array(#"{"request":{"p":{"judy.name@example.com":1}}}"#.utf8), region: "us")) { error in
                XCTAssertEqual(error as? RedactionError, .blocked(entity: .email, path: "request.p.(a member name)"))
            }
            // A value under a name that may hold data: the path does not show that name either.
            XCTAssertThrowsError(try e.redactRecord(content: Array(#"{"request":{"acct 4111111111111111":"078-05-1120"}}"#.utf8), region: "us")) { error in
                XCTAssertEqual(error as? RedactionError, .blocked(entity: .usSSN, path: "request.(a name not shown)"))
                XCTAssertFalse("\(error)".contains("4111"))
            }
            XCTAssertThrowsError(try e.redactRecord(content: Array("{}".utf8), metadata: [("judy.name@example.com", "x")], region: "us")) { error in
                XCTAssertEqual(error as? RedactionError, .blocked(entity: .email, path: "metadata.(a member name)"))
            }
        }
    }
}
