import JSON
import RedactionCorpus
import XCTest
@testable import Redaction

/// The fast paths of record redaction against the straightforward code they replace: the
/// scanner loop against `referenceRun()`, the record walk against `JSONRewriter` driven by
/// `RecordVisitor`, `JSONWriter`'s bulk string escaping against byte-by-byte escaping, the
/// report writer against `JSONValue`. Randomised with fixed seeds.
final class FastPathTests: XCTestCase {
    // MARK: - Scanner

    /// Words and symbols every detector and gate reacts to, in several cases, plus filler.
    static let pieces: [String] = [
        "phone", "Phone", "PHONE", "ph", "phones", "tel", "Tel", "telephone", "text", "txt", "tag", "call", "cell", "called",
        "calling", "contact", "cellphone", "chapter", "mobile", "mob", "mobil", "fax", "firmware", "fw", "whatsapp", "handy",
        "hotline", "helpline", "dial", "sms", "ssn", "SSN", "social", "section", "sec", "step", "version", "ver", "v", "V",
        "versions", "reach", "release", "rev", "revision", "build", "oid", "isbn", "ISBN", "portable", "telefon", "telefono",
        "password", "Password", "passcode", "passwort", "passwd", "passphrase", "pwd", "PWD", "is", "was", "to", "=", ": ",
        "sk-", "sk-proj-", "sk_live_", "rk_live_", "ghp_", "gho_", "github_pat_", "glpat-", "xoxb-", "xapp-", "AKIA", "ASIA",
        "AIza", "ya29.", "eyJ", "Bearer", "bearer", "Basic", "basic", "hf_", "npm_", "SG.", "pypi-", "api_key", "token",
        "secret", "-----BEGIN PRIVATE KEY-----", "-----END PRIVATE KEY-----",
        "GB82", "WEST", "DE89", "3704", "0044", "0532", "0130", "00", "NL39", "VMMT",
        "4111", "1111", "4242", "555", "2671", "(415)", "+1", "+44", "078-05-1120", "192.168.", "10.", "::1", "fe80::", "2001:db8::",
        "@", "a.b@example.com", "example.org", "://", "user:pass@", "mailto:", "#", "$", "%",
        "0", "1", "12", "123", "1234", "12345", "123456789", "4111111111111111", "2026-01-21", "08:30:16", "3.14", "1,234",
        "07T08", "2025-11-07T08:30:16.201Z", "1 415 555 2671", "415 - 555 - 2671", "415 / 555", "(0)20", "555/123", "1.2.3.4",
        "078 05 1120", "4111 1111 1111 1111", "98765 43210", "00 44", "020 7946 0958", "12345678", "1234567890", "5x", "3rd",
        "the", "company", "content", "service", "as", "be", "before", "based", "again", "give", "global", "python", "skill",
        "AS", "As", "BE", "Be", "Ba", "ba", "pa", "PA", "pay", "page", "gh", "xo", "_x", "__", "x_1",
        "é", "電話番号は", "ü", "😀", " ", " ", " ", " ", "  ", "\n", "\t", ".", ",", ";", "!", "?", "(", ")", "\"", "'", "`",
        "-", "--", ":", "::", "+", "=", "/", "\\",
        "-p", " -p ", "-u ", "Cookie: ", "Set-Cookie: ", "sid=", "key=", "OPENAI_KEY", "&", "?", "ssh ", "git clone ", "メール",
        "5aef7ac86d66c7a644fb12853ef86dcf", "EAN ", "5901234123457", "o'", " / ", " - ",
        "sk_test_", "GOCSPX-", "GOCSPX", "SK", "SKaaf89691052be1ceb374dab4683f84d3", "dapi", "dapi07255bc509cb3acac23db7c6e9b7d180",
        "6586892367", ":AA", "hooks.slack.com/services/", "T024BE7LD/", "discord", "discordapp", ".com/api/webhooks/", "<password>",
        "</", "$env:", "sig=", "&sig=", "https://", "for the VPN ", "senha", "haslo", "has", "ło", "contrase", "ña", "mot", " de passe",
        "kennwort", "wachtwoord", "es ", "é ", "ist ", "est ", "jest ", "パスワード", "密码", "пароль", "required", "key=\"ApiKey\" value=",
        "电话", "手机：", "13800138000", "(11) 91234-5678", "8 (495) 123-45-67", "8 800 555-35-35", "m", "móvil", "612 34 56 78", "%40", "40", "jane.doe%40gmail.com", "<jdoe@x.io>", "@2x.png",
        "~", "Q~", "kU88Q~", "8Q~Q-G6yyzyN9zHYIa4UOrGNATMuDJawTg", "xai-", "pplx-", "gsk_", "r8_", "lsv2_pt_", "pcsk_", "tvly-", "fw_",
        "whsec_", "shpat_", "sbp_", "dop_v1_", "hvs.", "glsa_", "NRAK-", "PMAK-", "lin_api_", "ATATT3", "AGE-SECRET-KEY-1", "sk_",
        "０９０", "－", "１２３４", "＠", "：", "　", "ー", "是", "は", "는 ", "비밀번호", "암호", "口令", "「", "telem", "óvel", "**",
        "base64:", "--auth ", "sshpass ", "--from-literal=", "code=", "\\\"", "postgresql+psycopg2://",
    ]

    static func randomText(_ random: inout SeededRandom, pieces count: Int) -> [UInt8] {
        var out: [UInt8] = []
        for _ in 0..<count {
            let roll = random.next() % 10
            if roll == 0 {
                // A random byte, ASCII or not (the scanner takes any bytes).
                out.append(UInt8(truncatingIfNeeded: random.next()))
            } else if roll == 1 {
                // Random letters and digits, to make long words and runs across block ends.
                let length = Int(random.next() % 40)
                let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_".utf8)
                for _ in 0..<length { out.append(alphabet[Int(random.next() % UInt64(alphabet.count))]) }
            } else {
                out += Array(pieces[Int(random.next() % UInt64(pieces.count))].utf8)
            }
        }
        return out
    }

    func assertSameSpans(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) {
        let fast = TextScanner.rawSpans(bytes, reference: false)
        let reference = TextScanner.rawSpans(bytes, reference: true)
        XCTAssertEqual(fast, reference, "spans differ for \(String(decoding: bytes, as: UTF8.self).debugDescription)", file: file, line: line)
    }

    func testScannerMatchesReferenceOnRandomText() {
        var random = SeededRandom(seed: 424_242)
        for _ in 0..<4000 {
            assertSameSpans(Self.randomText(&random, pieces: 1 + Int(random.next() % 120)))
        }
    }

    func testScannerMatchesReferenceAtEveryLengthAroundBlockEnds() {
        var random = SeededRandom(seed: 77)
        for _ in 0..<6 {
            let text = Self.randomText(&random, pieces: 150)
            // Every prefix up to 200 bytes: words, numbers and triggers cut at every block offset.
            for length in 0...min(200, text.count) { assertSameSpans(Array(text[0..<length])) }
            // And every start offset, so the same bytes fall at other positions in the blocks.
            for start in 0..<min(70, text.count) { assertSameSpans(Array(text[start...])) }
        }
    }

    func testScannerMatchesReferenceOnCorpus() {
        var generator = CorpusGenerator(seed: 20261101)
        for document in generator.documents(count: 1500) {
            assertSameSpans(Array(document.text.utf8))
        }
    }

    func testLengthGatesOnlyNarrowTheLetterPairGate() {
        // A word reaches a detector only if the original two-letter gate let it through.
        for c0 in UInt8(ascii: "A")...UInt8(ascii: "z") {
            for c1 in [UInt8(0)] + Array(UInt8(ascii: "a")...UInt8(ascii: "z")) {
                let gate = WordGate.table[WordGate.index(c0, c1)]
                let g = WordGate.lengthIndex(c0, c1)
                let lengths = WordGate.lengths
                if lengths[WordGate.secretOffset + g] != 0 { XCTAssertNotEqual(gate & WordGate.secret, 0) }
                if lengths[WordGate.passwordOffset + g] != 0 { XCTAssertNotEqual(gate & WordGate.password, 0) }
                if lengths[WordGate.contextOffset + g] != 0 { XCTAssertNotEqual(gate & WordGate.context, 0) }
                // The any-detector table adds compound column names (`phone_number`: `mayNameColumn`)
                // on pairs the context gate already has.
                let detectors = lengths[WordGate.secretOffset + g] | lengths[WordGate.passwordOffset + g] | lengths[WordGate.contextOffset + g]
                XCTAssertEqual(lengths[g] & detectors, detectors)
                if lengths[g] != detectors { XCTAssertNotEqual(gate & WordGate.context, 0) }
            }
        }
    }

    // MARK: - Record walk

    /// A JSON string token for `bytes` with escapes chosen at random among the equivalent forms.
    static func jsonString(_ text: String, _ random: inout SeededRandom) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        for scalar in text.unicodeScalars {
            let v = scalar.value
            let roll = random.next() % 6
            func hex(_ u: UInt32) -> [UInt8] { Array(String(format: "\\u%04x", u).utf8) }
            switch v {
            case 0x22: out += Array("\\\"".utf8)
            case 0x5C: out += Array("\\\\".utf8)
            case 0x0A: out += roll == 0 ? hex(v) : Array("\\n".utf8)
            case 0x09: out += Array("\\t".utf8)
            case 0..<0x20: out += hex(v)
            case 0x2F where roll == 0: out += Array("\\/".utf8)
            case 0x40 where roll < 2: out += hex(v)  // "\u0040"
            case 0x10000...:
                if roll == 0 {
                    let u = v - 0x10000
                    out += hex(0xD800 + (u >> 10)) + hex(0xDC00 + (u & 0x3FF))
                } else {
                    out += Array(String(scalar).utf8)
                }
            case 0x80...:
                out += roll == 0 ? hex(v) : Array(String(scalar).utf8)
            default:
                out += roll == 1 && Character(scalar).isLetter ? hex(v) : Array(String(scalar).utf8)
            }
        }
        out.append(UInt8(ascii: "\""))
        return out
    }

    static let keys = ["content", "role", "messages", "text", "password", "api_key", "Authorization", "session_token",
                       "cookie", "max_tokens", "token_type", "pin", "apiKeys", "model", "usage", "x", "", "a.b", "pass\u{0}word"]

    /// A random JSON value; whitespace between tokens when `spaced`.
    static func jsonValue(_ random: inout SeededRandom, depth: Int, spaced: Bool) -> [UInt8] {
        let ws: [UInt8] = spaced && random.next() % 3 == 0 ? Array([" ", "\n ", "\t", "\r\n"][Int(random.next() % 4)].utf8) : []
        let roll = depth > 3 ? 4 + random.next() % 6 : random.next() % 10
        var out: [UInt8] = ws
        switch roll {
        case 0, 1:
            out.append(UInt8(ascii: "{"))
            let count = Int(random.next() % 5)
            for k in 0..<count {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                out += ws + jsonString(keys[Int(random.next() % UInt64(keys.count))], &random) + ws + [UInt8(ascii: ":")]
                out += jsonValue(&random, depth: depth + 1, spaced: spaced)
            }
            out += ws + [UInt8(ascii: "}")]
        case 2, 3:
            out.append(UInt8(ascii: "["))
            let count = Int(random.next() % 4)
            for k in 0..<count {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                out += jsonValue(&random, depth: depth + 1, spaced: spaced)
            }
            out += ws + [UInt8(ascii: "]")]
        case 4, 5, 6:
            out += jsonString(String(decoding: randomText(&random, pieces: Int(random.next() % 30)), as: UTF8.self), &random)
        case 7:
            let numbers = ["0", "-1", "12.5e-3", "4111111111111111", "1700000000123", "12345678", "-0.0", "1E+2", "4242424242424242"]
            out += Array(numbers[Int(random.next() % UInt64(numbers.count))].utf8)
        default:
            out += Array(["true", "false", "null"][Int(random.next() % 3)].utf8)
        }
        return out + ws
    }

    /// Runs the walk and the rewriter on `bytes` under `engine` and checks they agree.
    func assertWalkMatchesRewriter(_ bytes: [UInt8], engine: RedactionEngine, requireWalk: Bool,
                                   file: StaticString = #filePath, line: UInt = #line) {
        let rules = engine.rules(region: "us", tenant: nil)
        let start = Redactor(engine: engine, rules: rules, key: nil)
        bytes.withUnsafeBytes { buffer in
            let fast = try? RecordWalker.rewrite(buffer, redactor: start)
            let slow = try? JSONRewriter.rewrite(buffer, visitor: RecordVisitor(redactor: start, fieldRules: []))
            let text = String(decoding: bytes, as: UTF8.self).debugDescription
            guard let slow else {
                XCTAssertNil(fast, "the walk accepted what the rewriter rejects: \(text)", file: file, line: line)
                return
            }
            guard let fast else {
                if requireWalk { XCTFail("the walk failed on valid JSON: \(text)", file: file, line: line) }
                return
            }
            // Once a value is blocked the record is refused and its output discarded (the rewriter
            // then copies members verbatim, the walk keeps compacting): only the block is compared.
            if slow.visitor.redactor.blocked == nil {
                XCTAssertEqual(fast.output ?? bytes, slow.output, "outputs differ for \(text)", file: file, line: line)
                if let output = fast.output { XCTAssertNotEqual(output, bytes, "a copy was made of unchanged bytes", file: file, line: line) }
            }
            XCTAssertEqual(fast.redactor.counts, slow.visitor.redactor.counts, "counts differ for \(text)", file: file, line: line)
            // Valid JSON walked as already validated (the ingest path) gives the same result.
            if let trusted = try? RecordWalker.rewrite(buffer, redactor: start, validated: true) {
                XCTAssertEqual(trusted.output, fast.output, "validated walk differs for \(text)", file: file, line: line)
                XCTAssertEqual(trusted.redactor.counts, fast.redactor.counts, file: file, line: line)
                XCTAssertEqual(trusted.redactor.blocked?.path, fast.redactor.blocked?.path, file: file, line: line)
            } else {
                XCTFail("the validated walk failed on valid JSON: \(text)", file: file, line: line)
            }
            XCTAssertEqual(fast.redactor.blocked?.kind, slow.visitor.redactor.blocked?.kind, file: file, line: line)
            XCTAssertEqual(fast.redactor.blocked?.path, slow.visitor.redactor.blocked?.path, file: file, line: line)
        }
    }

    func testWalkMatchesRewriterOnRandomDocuments() throws {
        var random = SeededRandom(seed: 9001)
        let standard = RedactionEngine()
        let blocking = RedactionEngine(policy: try RedactionPolicy.parse(#"{"version":"b","defaults":{"EMAIL":"block","PHONE":"allow"}}"#))
        for k in 0..<2500 {
            let document = Self.jsonValue(&random, depth: 0, spaced: k % 2 == 0)
            assertWalkMatchesRewriter(document, engine: k % 5 == 0 ? blocking : standard, requireWalk: true)
        }
    }

    func testWalkRejectsWhatTheRewriterRejects() {
        var random = SeededRandom(seed: 31337)
        let engine = RedactionEngine()
        let interesting: [UInt8] = Array("\"\\{}[],:u0x9tfn-.eE+ ".utf8) + [0x00, 0x01, 0x1F, 0x7F, 0x80, 0xBF, 0xC0, 0xC2, 0xE0, 0xED, 0xF0, 0xF4, 0xF5, 0xFF]
        for _ in 0..<3000 {
            var document = Self.jsonValue(&random, depth: 0, spaced: random.next() % 2 == 0)
            for _ in 0..<(1 + Int(random.next() % 3)) where !document.isEmpty {
                let at = Int(random.next() % UInt64(document.count))
                switch random.next() % 4 {
                case 0: document[at] = interesting[Int(random.next() % UInt64(interesting.count))]
                case 1: document.remove(at: at)
                case 2: document.insert(interesting[Int(random.next() % UInt64(interesting.count))], at: at)
                default: document.removeLast(document.count - at)
                }
            }
            assertWalkMatchesRewriter(document, engine: engine, requireWalk: false)
        }
    }

    func testUnchangedCompactContentIsReturnedWithoutACopy() throws {
        let engine = RedactionEngine()
        let content = Array(#"{"request":{"messages":[{"role":"user","content":"Summarise the report in three bullet points, please.\nThanks"}]},"response":{"text":"Here you are.","n":[1,2.5,true,null]}}"#.utf8)
        let out = try engine.redactRecord(content: content, region: "us")
        XCTAssertEqual(out.content, content)
        XCTAssertEqual(out.content.withUnsafeBufferPointer { $0.baseAddress }, content.withUnsafeBufferPointer { $0.baseAddress })
        XCTAssertEqual(out.report.totalDetections, 0)
        // With whitespace outside strings the output is compacted, as before.
        let spaced = Array("{ \"a\" : [ 1 , \"b c\" ] }\n".utf8)
        XCTAssertEqual(String(decoding: try engine.redactRecord(content: spaced, region: "us").content, as: UTF8.self), #"{"a":[1,"b c"]}"#)
    }

    func testEscapedValuesAreStillFound() throws {
        let engine = RedactionEngine()
        let content = Array(#"{"request":{"text":"write to bob\u0040example.com or call \u002B1 415 555 2671","pass\u0077ord":"hunter22","url":"http:\/\/10.0.0.1\/x"}}"#.utf8)
        let out = try engine.redactRecord(content: content, region: "us")
        XCTAssertEqual(String(decoding: out.content, as: UTF8.self),
                       #"{"request":{"text":"write to [EMAIL] or call [PHONE]","pass\u0077ord":"[SECRET]","url":"http://[IP_ADDRESS]/x"}}"#)
        XCTAssertEqual(out.report.count(.email, .redact), 1)
        XCTAssertEqual(out.report.count(.phone, .redact), 1)
        XCTAssertEqual(out.report.count(.secret, .redact), 1)
        XCTAssertEqual(out.report.count(.ipAddress, .redact), 1)
    }

    func testBlockedValueIsNamedByItsPath() throws {
        let engine = RedactionEngine(policy: try RedactionPolicy.parse(#"{"version":"b","defaults":{"EMAIL":"block"}}"#))
        let content = Array(#"{"request":{"messages":[{"role":"user"},{"content":"x","parts":["ok","mail a@example.com"]}]}}"#.utf8)
        XCTAssertThrowsError(try engine.redactRecord(content: content, region: "us")) { error in
            XCTAssertEqual(error as? RedactionError, .blocked(entity: .email, path: "request.messages[1].parts[1]"))
        }
    }

    // MARK: - Writers

    func testJSONStringWritingMatchesByteByByteEscaping() {
        var random = SeededRandom(seed: 5)
        let alphabet = Array("ab\"\\/\n\r\t\u{0}\u{1}\u{8}\u{c}\u{1f}\u{7f} é電😀".unicodeScalars)
        for _ in 0..<3000 {
            var text = ""
            for _ in 0..<Int(random.next() % 40) { text.unicodeScalars.append(alphabet[Int(random.next() % UInt64(alphabet.count))]) }
            // The escaping JSONWriter had before it copied runs in bulk, byte by byte.
            var expected: [UInt8] = [1, 2, UInt8(ascii: "\"")]
            for c in text.utf8 {
                switch c {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): expected += [UInt8(ascii: "\\"), c]
                case 0x0A: expected += Array("\\n".utf8)
                case 0x0D: expected += Array("\\r".utf8)
                case 0x09: expected += Array("\\t".utf8)
                case 0..<0x20: expected += Array(String(format: "\\u%04x", c).utf8)
                default: expected.append(c)
                }
            }
            expected.append(UInt8(ascii: "\""))
            var fromString: [UInt8] = [1, 2]
            JSONWriter.appendString(text, to: &fromString)
            XCTAssertEqual(fromString, expected, text.debugDescription)
            var fromBytes: [UInt8] = [1, 2]
            Array(text.utf8).withUnsafeBufferPointer { JSONWriter.appendString(utf8: $0, to: &fromBytes) }
            XCTAssertEqual(fromBytes, expected, text.debugDescription)
            XCTAssertTrue(Array(text.utf8).withUnsafeBufferPointer { JSONEscaper.isValidUTF8($0) })
        }
        for invalid: [UInt8] in [[0x80], [0xC0, 0x80], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x61, 0xC3]] {
            XCTAssertFalse(invalid.withUnsafeBufferPointer { JSONEscaper.isValidUTF8($0) }, "\(invalid)")
        }
    }

    func testReportBytesMatchItsJSONValue() {
        var random = SeededRandom(seed: 11)
        let types = EntityType.builtIn + [EntityType("EMPLOYEE_ID"), EntityType("QUOTE\"D")]
        for _ in 0..<500 {
            var report = RedactionReport(policyVersion: random.next() % 2 == 0 ? "builtin-1" : "v\"2\"", droppedFields: Int(random.next() % 3))
            for _ in 0..<Int(random.next() % 6) {
                report.add(types[Int(random.next() % UInt64(types.count))], RedactionAction.allCases[Int(random.next() % 5)], 1 + Int(random.next() % 1000))
            }
            var bytes: [UInt8] = []
            report.appendJSON(to: &bytes)
            XCTAssertEqual(bytes, report.jsonValue().serialized())
        }
    }
}
