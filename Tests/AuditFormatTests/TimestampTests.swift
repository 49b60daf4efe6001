import XCTest
import AuditFormat

final class TimestampTests: XCTestCase {
    func testKnownInstants() {
        XCTAssertEqual(Timestamp.parseMilliseconds("1970-01-01T00:00:00Z"), 0)
        XCTAssertEqual(Timestamp.parseMilliseconds("1970-01-01T00:00:00.001Z"), 1)
        XCTAssertEqual(Timestamp.parseMilliseconds("2026-01-01T00:00:00.000Z"), 1_767_225_600_000)
        XCTAssertEqual(Timestamp.parseMilliseconds("2026-11-24T09:00:00.123Z"), 1_795_510_800_123)
        XCTAssertEqual(Timestamp.parseMilliseconds("1969-12-31T23:59:59.999Z"), -1)
        XCTAssertEqual(Timestamp.parseMilliseconds("2000-03-01T00:00:00Z"), 951_868_800_000)
    }

    func testOffsetsAndAcceptedSpellings() {
        let utc = Timestamp.parseMilliseconds("2026-11-24T09:00:00.123Z")
        XCTAssertEqual(Timestamp.parseMilliseconds("2026-11-24T11:00:00.123+02:00"), utc)
        XCTAssertEqual(Timestamp.parseMilliseconds("2026-11-24T03:30:00.123-05:30"), utc)
        XCTAssertEqual(Timestamp.parseMilliseconds("2026-11-24T09:00:00.123+00:00"), utc)
        XCTAssertEqual(Timestamp.parseMilliseconds("2026-11-24T09:00:00.123-00:00"), utc)
        XCTAssertEqual(Timestamp.parseMilliseconds("2026-11-24t09:00:00.123z"), utc)
        XCTAssertEqual(Timestamp.parseMilliseconds("2026-11-24 09:00:00.123Z"), utc)
        // An offset can move the date across a day and a year boundary.
        XCTAssertEqual(Timestamp.parseMilliseconds("2026-01-01T01:00:00+02:00"), Timestamp.parseMilliseconds("2025-12-31T23:00:00Z"))
        // Fractions beyond milliseconds are truncated, shorter ones scaled.
        XCTAssertEqual(Timestamp.parseMilliseconds("2026-11-24T09:00:00.123999Z"), utc)
        XCTAssertEqual(Timestamp.parseMilliseconds("2026-11-24T09:00:00.1Z"), utc.map { $0 - 23 })
        // A leap second is accepted and counted as :59.
        XCTAssertEqual(Timestamp.parseMilliseconds("2016-12-31T23:59:60Z"), Timestamp.parseMilliseconds("2016-12-31T23:59:59Z"))
    }

    func testFormattingClampsToFourDigitYearsInsteadOfOverflowing() {
        XCTAssertEqual(Timestamp.format(milliseconds: Int64.min), "0000-01-01T00:00:00.000Z")
        XCTAssertEqual(Timestamp.format(milliseconds: Int64.max), "9999-12-31T23:59:59.999Z")
        XCTAssertEqual(Timestamp.format(milliseconds: -62_167_219_200_000), "0000-01-01T00:00:00.000Z")
        XCTAssertEqual(Timestamp.format(milliseconds: 253_402_300_799_999), "9999-12-31T23:59:59.999Z")
    }

    func testLeapYears() {
        XCTAssertNotNil(Timestamp.parseMilliseconds("2024-02-29T00:00:00Z"))
        XCTAssertNotNil(Timestamp.parseMilliseconds("2000-02-29T00:00:00Z"))
        XCTAssertNil(Timestamp.parseMilliseconds("2023-02-29T00:00:00Z"))
        XCTAssertNil(Timestamp.parseMilliseconds("1900-02-29T00:00:00Z"))
        XCTAssertNil(Timestamp.parseMilliseconds("2100-02-29T00:00:00Z"))
        XCTAssertEqual(Timestamp.parseMilliseconds("2024-03-01T00:00:00Z")! - Timestamp.parseMilliseconds("2024-02-28T00:00:00Z")!, 2 * 86_400_000)
        XCTAssertEqual(Timestamp.parseMilliseconds("2023-03-01T00:00:00Z")! - Timestamp.parseMilliseconds("2023-02-28T00:00:00Z")!, 86_400_000)
        XCTAssertEqual(Timestamp.format(milliseconds: Timestamp.parseMilliseconds("2024-02-29T12:34:56.789Z")!), "2024-02-29T12:34:56.789Z")
    }

    func testRejectsInvalidText() {
        for bad in ["", "2026-11-24", "2026-11-24T09:00:00", "2026-11-24T09:00Z", "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z",
                    "2026-04-31T00:00:00Z", "2026-11-24T24:00:00Z", "2026-11-24T09:60:00Z", "2026-11-24T09:00:61Z",
                    "2026-11-24T09:00:00.Z", "2026-11-24T09:00:00+0200", "2026-11-24T09:00:00+24:00", "2026-11-24T09:00:00Zjunk",
                    "2026/11/24T09:00:00Z", "２026-11-24T09:00:00Z", "2026-11-24X09:00:00Z", " 2026-11-24T09:00:00Z"] {
            XCTAssertNil(Timestamp.parseMilliseconds(bad), "accepted '\(bad)'")
        }
    }

    /// format → parse is the identity over a wide, seeded sample of instants (1600 … 2400),
    /// and parse → format is the identity on canonical text.
    func testRoundTrip() {
        var state: UInt64 = 0x5EED
        let lo: Int64 = -11_676_096_000_000 // 1600-01-01
        let hi: Int64 = 13_569_465_600_000  // 2400-01-01
        for _ in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let ms = lo + Int64(state >> 11) % (hi - lo)
            let text = Timestamp.format(milliseconds: ms)
            XCTAssertEqual(Timestamp.parseMilliseconds(text), ms, text)
            XCTAssertEqual(Timestamp.format(milliseconds: Timestamp.parseMilliseconds(text)!), text)
        }
        // Every day boundary of a leap and a common year.
        var day = Timestamp.parseMilliseconds("2023-01-01T00:00:00Z")!
        for _ in 0..<(365 + 366) {
            XCTAssertEqual(Timestamp.parseMilliseconds(Timestamp.format(milliseconds: day)), day)
            XCTAssertEqual(Timestamp.parseMilliseconds(Timestamp.format(milliseconds: day - 1)), day - 1)
            day += 86_400_000
        }
        XCTAssertEqual(Timestamp.format(milliseconds: day), "2025-01-01T00:00:00.000Z")
    }
}
