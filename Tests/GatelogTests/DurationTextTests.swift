import XCTest
import AuditQuery

/// Token lifetimes from text: positive, finite and bounded, so that expiry arithmetic cannot trap.
final class DurationTextTests: XCTestCase {
    func testParsesUnits() {
        XCTAssertEqual(DurationText.parse("90s"), 90)
        XCTAssertEqual(DurationText.parse("90m"), 5400)
        XCTAssertEqual(DurationText.parse("1.5h"), 5400)
        XCTAssertEqual(DurationText.parse("30d"), 30 * 86_400)
        XCTAssertEqual(DurationText.parse("2w"), 14 * 86_400)
        XCTAssertEqual(DurationText.parse("36525d"), DurationText.maximum)
    }

    func testRejectsNonsenseAndHugeValues() {
        for text in ["", "d", "30", "30x", "0s", "-1d", "nand", "infd", "1e400d", "36526d", "200000000000d", "1e308w", " 1d"] {
            XCTAssertNil(DurationText.parse(text), text)
        }
    }
}
