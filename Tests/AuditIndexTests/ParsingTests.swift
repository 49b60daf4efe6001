import XCTest
@testable import AuditIndex

final class ParsingTests: XCTestCase {
    let now: Int64 = 1_795_510_800_123

    func testRFC3339Vectors() throws {
        // Expected values from `date -u -d TEXT +%s%3N`.
        let vectors: [(String, Int64)] = [
            ("1970-01-01T00:00:00Z", 0),
            ("2026-11-24T09:00:00.123Z", 1_795_510_800_123),
            ("2026-11-24t09:00:00.123456789z", 1_795_510_800_123),
            ("2026-11-24 10:00:00.1+01:00", 1_795_510_800_100),
            ("2024-02-29T23:59:59.999Z", 1_709_251_199_999),
            ("1969-12-31T23:59:59Z", -1000),
            ("2000-03-01T00:00:00+05:30", 951_849_000_000),
            ("1900-01-01T00:00:00Z", -2_208_988_800_000),
            ("2026-11-24", 1_795_478_400_000),
            ("2016-12-31T23:59:60Z", 1_483_228_800_000),
        ]
        for (text, expected) in vectors {
            XCTAssertEqual(try TimeArgument.parse(text, now: now), expected, text)
        }
        for text in ["2026-13-01T00:00:00Z", "2023-02-29", "2026-11-24T24:00:00Z", "2026-11-24T09:00:00",
                     "2026-11-24T09:00Z", "2026-11-24T09:00:00.Z", "2026-11-24T09:00:00+0100", "26-11-24",
                     "2026-11-24T09:00:00Zjunk", "", "yesterday"] {
            XCTAssertThrowsError(try TimeArgument.parse(text, now: now), text) { error in
                XCTAssertEqual((error as? IndexError)?.kind, .invalidArgument)
            }
        }
        // Errors never echo the argument (it could be personal data typed in the wrong flag).
        let personal = "alice@example.com"
        for parse in [{ _ = try TimeArgument.parse(personal, now: 0) }, { _ = try StatusMatch.parse(personal) },
                      { _ = try GroupField.parse(personal) }, { _ = try TimeBucket.parse(personal) }] as [() throws -> Void] {
            XCTAssertThrowsError(try parse()) { XCTAssertFalse("\($0)".contains("alice")) }
        }
    }

    func testRelativeTimesAndNow() throws {
        XCTAssertEqual(try TimeArgument.parse("now", now: now), now)
        XCTAssertEqual(try TimeArgument.parse("-24h", now: now), now - 86_400_000)
        XCTAssertEqual(try TimeArgument.parse("-7d", now: now), now - 7 * 86_400_000)
        XCTAssertEqual(try TimeArgument.parse("-30m", now: now), now - 1_800_000)
        XCTAssertEqual(try TimeArgument.parse("+1h", now: now), now + 3_600_000)
        XCTAssertEqual(try TimeArgument.parse("-2w", now: now), now - 2 * 604_800_000)
        XCTAssertEqual(try TimeArgument.parse("-15s", now: now), now - 15_000)
        XCTAssertEqual(try TimeArgument.parse("-250ms", now: now), now - 250)
        for text in ["24h", "-h", "-24", "-24x", "-1.5h", "- 24h", "-99999999999999999999d", "-9999999999999d"] {
            XCTAssertThrowsError(try TimeArgument.parse(text, now: now), text)
        }
    }

    func testFormatIsTheInverseOfParse() throws {
        var rng = SplitMix64(seed: 3)
        for _ in 0..<2000 {
            let ms = Int64.random(in: -4_000_000_000_000...8_000_000_000_000, using: &rng)
            let text = TimeArgument.format(ms)
            XCTAssertEqual(try TimeArgument.parse(text, now: 0), ms, text)
        }
        XCTAssertEqual(TimeArgument.format(1_795_510_800_123), "2026-11-24T09:00:00.123Z")
        XCTAssertEqual(TimeArgument.format(-1), "1969-12-31T23:59:59.999Z")
    }

    func testStatusArguments() throws {
        XCTAssertEqual(try StatusMatch.parse("404"), StatusMatch(codes: [404]))
        XCTAssertEqual(try StatusMatch.parse("4xx"), StatusMatch(classes: [4]))
        XCTAssertEqual(try StatusMatch.parse("5XX,200,201"), StatusMatch(codes: [200, 201], classes: [5]))
        for text in ["", "4x", "4xxx", "abc", "40", "4xx,", "x4x", "+12"] {
            XCTAssertThrowsError(try StatusMatch.parse(text), text)
        }
        let match = try StatusMatch.parse("4xx,503")
        XCTAssertTrue(match.matches(404))
        XCTAssertTrue(match.matches(503))
        XCTAssertFalse(match.matches(500))
        XCTAssertFalse(match.matches(399))
    }

    func testMetadataArguments() throws {
        XCTAssertEqual(try MetadataCondition.parse("customer_id=acme-42"), MetadataCondition(key: "customer_id", values: ["acme-42"]))
        XCTAssertEqual(try MetadataCondition.parse("env=prod,staging"), MetadataCondition(key: "env", values: ["prod", "staging"]))
        XCTAssertEqual(try MetadataCondition.parse("k=a\\,b,c\\\\"), MetadataCondition(key: "k", values: ["a,b", "c\\"]))
        // A combining mark or emoji modifier right after `=` or `,` does not hide it (schemathesis
        // sent `ej2n.PW=🏻…`: a 400 "a metadata condition is key=value").
        XCTAssertEqual(try MetadataCondition.parse("ej2n.PW=\u{1F3FB}x"), MetadataCondition(key: "ej2n.PW", values: ["\u{1F3FB}x"]))
        XCTAssertEqual(try MetadataCondition.parse("k=a,\u{301}b"), MetadataCondition(key: "k", values: ["a", "\u{301}b"]))
        XCTAssertEqual(try MetadataCondition.parse("k=x=y"), MetadataCondition(key: "k", values: ["x=y"]))
        XCTAssertEqual(try MetadataCondition.parse("k="), MetadataCondition(key: "k", values: [""]))
        for text in ["novalue", "=v", "k=v\\"] {
            XCTAssertThrowsError(try MetadataCondition.parse(text), text)
        }
    }

    func testGroupByArguments() throws {
        XCTAssertEqual(try GroupField.parseList("model,meta:customer_id,error,backend,status"),
                       [.model, .metadata("customer_id"), .errorClass, .routeBackend, .status])
        XCTAssertEqual(try GroupField.parse("metadata.feature"), .metadata("feature"))
        // A field named twice groups once (campaign 12: rows came with a key twice).
        XCTAssertEqual(try GroupField.parseList("model,model,meta:k,metadata.k"), [.model, .metadata("k")])
        XCTAssertThrowsError(try GroupField.parse("meta:"))
        XCTAssertThrowsError(try GroupField.parse("colour"))
        for field: GroupField in [.region, .tenant, .team, .user, .apiKeyID, .kind, .model, .provider, .status,
                                  .errorClass, .routeBackend, .metadata("k")] {
            XCTAssertEqual(try GroupField.parse(field.description), field)
        }
        XCTAssertEqual(try TimeBucket.parse("hour"), .hour)
        XCTAssertThrowsError(try TimeBucket.parse("week"))
        XCTAssertEqual(TimeBucket.day.start(of: -1), -86_400_000)
        XCTAssertEqual(TimeBucket.minute.start(of: 119_999), 60_000)
    }

    func testCursorEncoding() throws {
        for (ts, rid) in [(Int64(0), Int64(0)), (Int64.min, Int64.max), (1_795_510_800_123, (3 << 40) | 12345), (-5, 7)] {
            for order in [SearchOrder.newestFirst, .oldestFirst] {
                let cursor = SearchCursor(ts: ts, rowID: rid, order: order)
                let encoded = cursor.encoded
                XCTAssertTrue(encoded.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
                XCTAssertEqual(try SearchCursor(encoded: encoded, operation: "test"), cursor)
            }
        }
        XCTAssertEqual(Base64URL.encode(Array("foobar".utf8)), "Zm9vYmFy")
        XCTAssertEqual(Base64URL.encode(Array("fo".utf8)), "Zm8")
        XCTAssertEqual(Base64URL.decode("Zm8"), Array("fo".utf8))
        XCTAssertNil(Base64URL.decode("Zm9"), "stray bits are rejected")
        XCTAssertNil(Base64URL.decode("Z"))
        XCTAssertNil(Base64URL.decode("Zm+v"))
    }
}
