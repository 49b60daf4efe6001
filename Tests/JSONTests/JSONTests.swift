import XCTest
@testable import JSON

final class JSONTests: XCTestCase {
    func testParseAndSerializePreservesOrderAndNumbers() throws {
        let text = #"{"b":1.50,"a":[true,false,null],"s":"x\"y\u00e9\ud83d\ude00","n":-0.0e+1}"#
        let v = try JSONValue.parse(text)
        XCTAssertEqual(v["b"], .number("1.50"))
        XCTAssertEqual(v["s"]?.stringValue, "x\"yé😀")
        XCTAssertEqual(v.serializedString, #"{"b":1.50,"a":[true,false,null],"s":"x\"yé😀","n":-0.0e+1}"#)
    }

    func testRejectsMalformedInput() {
        let bad = ["", "{", "{\"a\":}", "[1,]", "01", "\"\\x\"", "\"\u{01}\"", "{\"a\":1}x", "\"\\ud800\"", "tru", "1.", "-",
                   "{\"a\" 1}", "[1 2]"]
        for text in bad {
            XCTAssertThrowsError(try JSONValue.parse(text), "should reject \(text.debugDescription)")
        }
        // Invalid UTF-8.
        XCTAssertThrowsError(try JSONValue.parse([0x22, 0xC3, 0x28, 0x22]))
        XCTAssertThrowsError(try JSONValue.parse([0x22, 0xED, 0xA0, 0x80, 0x22]))
    }

    func testDepthIsBounded() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        XCTAssertThrowsError(try JSONValue.parse(deep))
        var i = 0
        XCTAssertThrowsError(try Array(deep.utf8).withUnsafeBytes { b in try JSONSyntax.skipValue(b, &i) })
    }

    func testTopLevelMembersGiveValueRanges() throws {
        let bytes = Array(#" { "id" : "r1", "request": {"m":[1,2]} } "#.utf8)
        let members = try bytes.withUnsafeBytes { b in try JSONSyntax.topLevelMembers(b) }
        XCTAssertEqual(members.map(\.key), ["id", "request"])
        XCTAssertEqual(String(decoding: bytes[members[1].value], as: UTF8.self), #"{"m":[1,2]}"#)
    }

    struct Upper: JSONStringVisitor {
        var seen: [String] = []
        mutating func decide(path: [JSONPathComponent]) -> JSONMemberDecision {
            let p = JSONPathComponent.render(path)
            if p == "drop" { return .drop }
            if p == "raw" { return .keepUnscanned }
            return .keep
        }
        mutating func rewrite(_ string: String, path: [JSONPathComponent]) -> String? {
            seen.append(JSONPathComponent.render(path))
            return string == "keep" ? nil : string.uppercased()
        }
    }

    func testRewriterReplacesStringsAndDropsMembers() throws {
        let text = Array(#"{"drop":"x", "a":"hi","raw":"no","b":[ "keep", {"c":"q\n"} ],"drop":1,"n":2}"#.utf8)
        let (out, visitor) = try text.withUnsafeBytes { b in try JSONRewriter.rewrite(b, visitor: Upper()) }
        XCTAssertEqual(String(decoding: out, as: UTF8.self), #"{"a":"HI","raw":"no","b":["keep",{"c":"Q\n"}],"n":2}"#)
        XCTAssertEqual(visitor.seen, ["a", "b[0]", "b[1].c"])
        // Output is valid JSON.
        XCTAssertNoThrow(try JSONValue.parse(out))
    }

    /// A visitor using the byte-level hooks: raw string bodies (escapes intact) and numbers.
    struct RawAndNumbers: JSONStringVisitor {
        var raws: [String] = []
        mutating func decide(path: [JSONPathComponent]) -> JSONMemberDecision { .keep }
        mutating func rewrite(_ string: String, path: [JSONPathComponent]) -> String? { XCTFail("not called"); return nil }
        mutating func rewrite(rawBody: UnsafeRawBufferPointer, hasEscapes: Bool, path: [JSONPathComponent]) -> String? {
            raws.append(String(decoding: rawBody, as: UTF8.self) + (hasEscapes ? "!" : ""))
            return nil
        }
        mutating func rewriteNumber(_ number: UnsafeRawBufferPointer, path: [JSONPathComponent]) -> String? {
            let text = String(decoding: number, as: UTF8.self)
            return text.count > 3 ? "#\(text)" : nil
        }
    }

    func testRewriterByteLevelHooks() throws {
        let text = Array(#"{"s":"a\"b","t":"plain","n":[12345,-1.5e3,7,true,null]}"#.utf8)
        let (out, visitor) = try text.withUnsafeBytes { b in try JSONRewriter.rewrite(b, visitor: RawAndNumbers()) }
        XCTAssertEqual(String(decoding: out, as: UTF8.self), ##"{"s":"a\"b","t":"plain","n":["#12345","#-1.5e3",7,true,null]}"##)
        XCTAssertEqual(visitor.raws, [#"a\"b!"#, "plain"])
    }

    func testRewriterRejectsTruncationAtEveryPosition() {
        let text = Array(#"{"a":"hi","b":[1,{"c":"q"}],"n":2.5e3}"#.utf8)
        for cut in 0..<text.count {
            let prefix = Array(text[0..<cut])
            XCTAssertThrowsError(try prefix.withUnsafeBytes { b in try JSONRewriter.rewrite(b, visitor: Upper()) }, "cut \(cut)")
            XCTAssertThrowsError(try JSONValue.parse(prefix), "cut \(cut)")
        }
    }

    func testRandomDocumentsRoundTrip() throws {
        var rng = SplitMix(seed: 42)
        for _ in 0..<300 {
            let v = randomValue(&rng, depth: 0)
            let bytes = v.serialized()
            XCTAssertEqual(try JSONValue.parse(bytes), v)
            let (out, _) = try bytes.withUnsafeBytes { b in try JSONRewriter.rewrite(b, visitor: NoOp()) }
            XCTAssertEqual(out, bytes)
        }
    }

    struct NoOp: JSONStringVisitor {
        mutating func decide(path: [JSONPathComponent]) -> JSONMemberDecision { .keep }
        mutating func rewrite(_ string: String, path: [JSONPathComponent]) -> String? { nil }
    }

    struct SplitMix { var s: UInt64; init(seed: UInt64) { s = seed }
        mutating func next() -> UInt64 { s &+= 0x9E3779B97F4A7C15; var z = s; z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9; z = (z ^ (z >> 27)) &* 0x94D049BB133111EB; return z ^ (z >> 31) }
        mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    func randomString(_ rng: inout SplitMix) -> String {
        let alphabet: [Character] = ["a", "b", "\"", "\\", "\n", "\u{01}", "é", "😀", " ", "/"]
        return String((0..<rng.int(8)).map { _ in alphabet[rng.int(alphabet.count)] })
    }

    func randomValue(_ rng: inout SplitMix, depth: Int) -> JSONValue {
        switch depth > 4 ? rng.int(4) : rng.int(6) {
        case 0: return .null
        case 1: return .bool(rng.int(2) == 0)
        case 2: return .number(["0", "-1", "3.25", "1e9", "12345678901234567890"][rng.int(5)])
        case 3: return .string(randomString(&rng))
        case 4: return .array((0..<rng.int(4)).map { _ in randomValue(&rng, depth: depth + 1) })
        default: return .object((0..<rng.int(4)).map { _ in JSONMember(randomString(&rng), randomValue(&rng, depth: depth + 1)) })
        }
    }
}
