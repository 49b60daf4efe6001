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

final class JSONScanningTests: XCTestCase {
    /// The eight-bytes-at-a-time fast path of `skipString` agrees with a naive byte-by-byte
    /// validator (written here, independent of the library) on random strings that put quotes,
    /// backslashes, escapes, control and non-ASCII bytes at every offset.
    func testSkipStringMatchesNaiveValidatorOnRandomStrings() {
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return seed >> 33 }
        let specials: [[UInt8]] = [[0x22], [0x5C, 0x22], [0x5C, 0x5C], [0x5C, 0x6E], [0x5C, 0x75, 0x30, 0x30, 0x34, 0x31], [0x01], [0x1F],
                                   [0xC3, 0xA9], [0xE2, 0x82, 0xAC], [0xF0, 0x9F, 0x98, 0x80], [0xFF], [0x5C, 0x71], [0x7F], [0x80], [0xC3]]
        /// End index after the closing quote, or nil when invalid. Simple escapes, \u without
        /// surrogates (the generator makes none), UTF-8 via String's validation.
        func naive(_ t: [UInt8]) -> Int? {
            var i = 1
            var plain: [UInt8] = []
            while i < t.count {
                let c = t[i]
                if c == 0x22 { return String(validating: plain, as: UTF8.self) == nil ? nil : i + 1 }
                if c < 0x20 { return nil }
                if c == 0x5C {
                    guard i + 1 < t.count else { return nil }
                    let e = t[i + 1]
                    if e == 0x75 {
                        guard i + 6 <= t.count, t[(i + 2)..<(i + 6)].allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x46) || ($0 >= 0x61 && $0 <= 0x66) }) else { return nil }
                        i += 6
                    } else if [0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74].contains(e) {
                        i += 2
                    } else { return nil }
                    plain.append(0x20)
                    continue
                }
                plain.append(c)
                i += 1
            }
            return nil
        }
        for _ in 0..<20000 {
            var body: [UInt8] = []
            for _ in 0..<Int(next() % 40) {
                if next() % 6 == 0 { body += specials[Int(next() % UInt64(specials.count))] } else { body.append(UInt8(0x23 + next() % 0x38)) }
            }
            let text = [0x22] + body + (next() % 8 == 0 ? [] : [0x22]) + Array(" x".utf8)
            let fast: Int? = text.withUnsafeBytes { b in
                var i = 0
                return (try? JSONSyntax.skipString(b, &i)).map { _ in i }
            }
            XCTAssertEqual(fast, naive(text), "\(text)")
        }
    }

    func testMemberRangesLocateKeysAndValues() throws {
        let text = Array(#" { "a" : 1 , "b\u0063" : {"x":[1,2]}, "é":"v" } "#.utf8)
        try text.withUnsafeBytes { b in
            let members = try JSONSyntax.topLevelMemberRanges(b)
            XCTAssertEqual(members.map { $0.key(in: b) }, ["a", "bc", "é"])
            XCTAssertEqual(members.map(\.keyHasEscapes), [false, true, false])
            XCTAssertEqual(String(decoding: text[members[1].value], as: UTF8.self), #"{"x":[1,2]}"#)
            XCTAssertTrue(members[0].keyEquals("a", in: b))
            XCTAssertTrue(members[1].keyEquals("bc", in: b))
            XCTAssertFalse(members[1].keyEquals("b", in: b))
            let nested = try JSONSyntax.memberRanges(b, of: members[1].value)
            XCTAssertEqual(nested.map { $0.key(in: b) }, ["x"])
            XCTAssertEqual(String(decoding: text[nested[0].value], as: UTF8.self), "[1,2]")
            XCTAssertThrowsError(try JSONSyntax.memberRanges(b, of: members[0].value))
        }
        for bad in [#"{"a":1,}"#, #"{"a" 1}"#, #"{"a":1"#, #"{"a":1} x"#, #"[1]"#] {
            XCTAssertThrowsError(try Array(bad.utf8).withUnsafeBytes { try JSONSyntax.topLevelMemberRanges($0) }, bad)
        }
    }
}
