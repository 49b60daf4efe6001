import XCTest
@testable import Redaction

/// Fixes from the seventh probing round: card numbers whose groups are joined by a tab, ` - `,
/// `/`, `_` or two spaces, in 8-8 groups, or glued to a card word (`cc-4111…`, `card_4111…`).
/// With these separators only a standard grouping counts (4-4-4-4, 4-4-4-4-3, 4-6-5, 4-6-4,
/// 8-8), with a known issuer prefix and the Luhn check. Each positive case failed before its fix.
final class ProbeRound7Tests: XCTestCase, DetectionAssertions {
    let engine = RedactionEngine()

    // Card numbers are assembled from pieces.
    let visa = "4111" + "1111" + "1111" + "1111"
    let mastercard = "5555" + "5555" + "5555" + "4444"
    let amex = "3782" + "822463" + "10005"
    let diners = "3056" + "930902" + "5904"
    let visa19 = "4111" + "1111" + "1111" + "1111" + "003"
    let badVisa = "4111" + "1111" + "1111" + "1112"

    /// `number` cut into groups of `sizes`, joined by `separator`.
    func grouped(_ number: String, _ sizes: [Int], _ separator: String) -> String {
        var parts: [String] = []
        var rest = Substring(number)
        for size in sizes {
            parts.append(String(rest.prefix(size)))
            rest = rest.dropFirst(size)
        }
        return parts.joined(separator: separator)
    }

    func fours(_ number: String, _ separator: String) -> String {
        grouped(number, [4, 4, 4, 4, 3].prefix((number.count + 3) / 4).map { $0 }, separator)
    }

    // MARK: - Separators

    func testCardGroupsJoinedByTabs() {
        let card = fours(visa, "\t")
        assertFinds(card, as: .creditCard, in: "card:\t" + card)
        assertFinds(fours(mastercard, "\t"), as: .creditCard, in: "Jane\t" + fours(mastercard, "\t") + "\t03/28")
    }

    func testCardGroupsJoinedBySpacedDashes() {
        let card = fours(visa, " - ")
        assertFinds(card, as: .creditCard, in: "card: " + card)
        assertFinds(grouped(amex, [4, 6, 5], " - "), as: .creditCard, in: "Amex " + grouped(amex, [4, 6, 5], " - "))
    }

    func testCardGroupsJoinedBySlashes() {
        let card = fours(visa, "/")
        assertFinds(card, as: .creditCard, in: "card: " + card)
        // An expiry date after it stays outside.
        assertFinds(fours(mastercard, "/"), as: .creditCard, in: "cc " + fours(mastercard, "/") + "/12/27")
    }

    func testCardGroupsJoinedByUnderscores() {
        let card = fours(visa, "_")
        assertFinds(card, as: .creditCard, in: "card: " + card)
        assertFinds(fours(visa19, "_"), as: .creditCard, in: "pan " + fours(visa19, "_"))
    }

    func testCardGroupsJoinedByTwoSpaces() {
        let card = fours(visa, "  ")
        assertFinds(card, as: .creditCard, in: "card " + card)
        assertFinds(grouped(diners, [4, 6, 4], "  "), as: .creditCard, in: "Diners " + grouped(diners, [4, 6, 4], "  "))
    }

    func testCardInEightEightGroups() {
        assertFinds(grouped(visa, [8, 8], "-"), as: .creditCard, in: "card " + grouped(visa, [8, 8], "-"))
        assertFinds(grouped(mastercard, [8, 8], " "), as: .creditCard, in: "card " + grouped(mastercard, [8, 8], " "))
    }

    func testCardAsIssuerNumberAndRest() {
        assertFinds(grouped(visa, [6, 10], " "), as: .creditCard, in: "card " + grouped(visa, [6, 10], " "))
        let unionPay = "626879" + "9618038897907"
        assertFinds(grouped(unionPay, [6, 13], " "), as: .creditCard, in: "UnionPay " + grouped(unionPay, [6, 13], " "))
        assertFinds(grouped(mastercard, [6, 10], "-"), as: .creditCard, in: "MC " + grouped(mastercard, [6, 10], "-"))
        assertClean("card " + grouped(badVisa, [6, 10], " ") + ", order 123456 7890123456, 411111 111111111")
    }

    // MARK: - Glued to a card word

    func testCardGluedToACardWord() {
        assertFinds(visa, as: .creditCard, in: "cc-" + visa)
        assertFinds(mastercard, as: .creditCard, in: "card_" + mastercard)
        assertFinds(visa, as: .creditCard, in: "log: VISA-" + visa + " declined")
        assertFinds(visa, as: .creditCard, in: "card_number_" + visa)
        assertFinds(fours(visa, " "), as: .creditCard, in: "cc_" + fours(visa, " "))
    }

    // MARK: - Hard negatives

    func testIdentifiersWithoutACardWordStay() {
        assertClean("ref ABC-" + visa + ", SKU_" + visa + ", order-" + visa + ", capacity_" + visa)
        assertClean("card_" + badVisa + " and cc-" + badVisa)
    }

    func testLookAlikesInTheNewLayoutsStay() {
        // Luhn failures in every new layout.
        for separator in ["\t", " - ", "/", "_", "  "] {
            assertClean("ref: " + fours(badVisa, separator))
        }
        assertClean("ref " + grouped(badVisa, [8, 8], "-"))
        // Dates, versions, IP-like and phone-like runs, order numbers.
        assertClean("dates 2024/11/25 and 2024/11/25/1200, 25/11/2024")
        assertClean("version 4.1.11_1111 build 4111_1111_1111")
        assertClean("hosts\t10\t0\t0\t1 and 192 - 168 - 1 - 1")
        assertClean("call 415  555  2671 or 4155  5526  71")
        assertClean("order 4111/1111/2024 and invoice 2024\t1125\t0001\t0042")
        // A Luhn-valid number in a non-standard grouping with a strict separator.
        assertClean("part 41111/11111/111111 and 411111\t1111111111")
        // Not all one separator.
        assertClean("rows 4111\t1111 1111/1111")
    }
}
