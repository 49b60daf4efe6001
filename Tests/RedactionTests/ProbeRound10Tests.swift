import XCTest
@testable import Redaction

/// Fixes from the tenth probing round (a second independent corpus, written blind): keys aligned
/// far from their sign, IBANs followed directly by CJK text, and product barcodes under a JSON key
/// or a product word. Each positive case failed before its fix.
final class ProbeRound10Tests: XCTestCase, DetectionAssertions {
    let engine = RedactionEngine()

    func testAlignedKeysFarFromTheirSign() {
        assertFinds("Zq8vT2mN5pL9", as: .secret, in: #"password     = "Zq8vT2mN5pL9""#)
        assertFinds("Zq8vT2mN5pL9", as: .secret, in: #""password":        "Zq8vT2mN5pL9""#)
        assertFinds("k3JmX9pQ2vL7wR4tY8uN1bZ6", as: .secret, in: "api_key\t\t\t= \"k3JmX9pQ2vL7wR4tY8uN1bZ6\"")
        assertClean("timeout      = 30\nregion       = \"eu-west-1\"")
    }

    func testIBANFollowedByCJKText() {
        assertFinds("DE89 3704 0044 0532 0130 00", as: .iban, in: "IBAN DE89 3704 0044 0532 0130 00로 보내주세요")
        assertFinds("DE89370400440532013000", as: .iban, in: "振込先はDE89370400440532013000。")
        assertClean("DE89370400440532013000x is not an IBAN")
    }

    func testURLPasswordsWithCharactersThatBelongEncoded() {
        assertFinds("Ab3^xyz9Qw", as: .secret, in: "postgres://app:Ab3^xyz9Qw@db.internal:5432/x")
        assertFinds("Ab3{x}yz9|Qw", as: .secret, in: "mongodb+srv://svc:Ab3{x}yz9|Qw@cluster0.mongodb.net/db")
        XCTAssertEqual(found("see [docs](https://x.io/a) and mail bob@example.com").map(\.0), [EntityType.email.name])
    }

    func testBarcodesUnderAJSONKeyOrProductWord() {
        // Valid EAN-13s that also pass Luhn with a card prefix.
        assertClean(#"{"gtin":"5901234123457"}"#)
        assertClean("sku 5901234123457, Artikelnummer: 4006381333931")
        // A card is still a card after other words.
        assertFinds("4111111111111111", as: .creditCard, in: "card 4111111111111111 ok")
    }
}
