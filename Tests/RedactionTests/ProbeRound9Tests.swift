import XCTest
@testable import Redaction

/// Fixes from the ninth probing round (an independent labelled corpus of gateway traffic): a
/// command whose password flag was found hid every value between the command word and the flag,
/// an e-mail address as the user of `curl -u user:password`, phone numbers under compound key
/// names and ungrouped right after a phone word, pagination cursors under `*_token` names, and
/// more provider key prefixes (Docker Hub, Figma, Notion, Pulumi, Sentry).
/// Each positive case failed before its fix.
final class ProbeRound9Tests: XCTestCase, DetectionAssertions {
    let engine = RedactionEngine()

    let visa = "4111" + "1111" + "1111" + "1111"

    // MARK: - Values before a command's password flag

    func testArgumentsBeforeAPasswordFlagAreStillScanned() {
        assertFinds("10.1.2.3", as: .ipAddress, in: "redis-cli -h 10.1.2.3 -a Abc123xyz")
        assertFinds("Abc123xyz", as: .secret, in: "redis-cli -h 10.1.2.3 -a Abc123xyz")
        let leaky = "redis-cli echo jane@example.com \(visa) -a Abc123xyz"
        assertFinds("jane@example.com", as: .email, in: leaky)
        assertFinds(visa, as: .creditCard, in: leaky)
        assertFinds("Abc123xyz", as: .secret, in: leaky)
        assertFinds("jane@example.com", as: .email, in: "gh secret set X --repo jane@example.com --body Abc123xyz")
        assertFinds("Abc123xyz", as: .secret, in: "gh secret set X --repo jane@example.com --body Abc123xyz")
    }

    // MARK: - curl -u with an e-mail address as the user

    func testPasswordAfterAnEmailUser() {
        let text = "curl -u jane@example.com:Abc123xyz https://acme.atlassian.net/rest/api/3/issue"
        assertFinds("jane@example.com", as: .email, in: text)
        assertFinds("Abc123xyz", as: .secret, in: text)
        assertFinds("Qw3rTy9Zx", as: .secret, in: "curl --user ops@acme.io:Qw3rTy9Zx https://x")
        assertFinds("Qw3rTy9Zx", as: .secret, in: "curl --user=ops@acme.io:Qw3rTy9Zx https://x")
        // Not a flag: an address followed by a colon in prose stays an address only.
        XCTAssertEqual(found("write to jane@example.com: thanks").map(\.0), [EntityType.email.name])
    }

    // MARK: - Phone numbers under compound keys and right after a phone word

    func testPhoneNumbersUnderCompoundKeys() {
        assertFinds("4155552671", as: .phone, in: "phone_number: 4155552671")
        assertFinds("4155552671", as: .phone, in: #"{"phoneNumber": "4155552671"}"#)
        assertFinds("4155552671", as: .phone, in: "home_phone=4155552671")
        assertFinds("4155552671", as: .phone, in: #"{"customer_phone":"4155552671"}"#)
        assertFinds("612345678", as: .phone, in: "mobilePhone: 612345678")
        assertFinds("91234567", as: .phone, in: #"{"contact_no":"91234567"}"#)
        assertFinds("91234567", as: .phone, in: "cell_number = 91234567")
    }

    func testUngroupedNumbersRightAfterAPhoneWord() {
        assertFinds("612345678", as: .phone, in: "phone: 612345678")
        assertFinds("91234567", as: .phone, in: "phone: 91234567")
        assertFinds("91234567", as: .phone, in: "Mobile 91234567")
    }

    func testKeysAboutAPhoneNumberAndFarPhoneWordsStayClean() {
        assertClean("phone_id: 12345678")
        assertClean("order 12345678 phone_count: 12345678")
        assertClean(#"{"phone_ext": "12345678"}"#)
        assertClean("cell_count: 12345678")
        // A phone word further away still needs a grouped number or 10+ digits.
        assertClean("the phone was sold in 2019 as item 12345678")
        assertClean("in 2024 we sold 12345678 units")
    }

    // MARK: - Phone keys in escaped JSON, Spanish "teléfono"

    func testPhoneKeysInJSONLoggedInsideAString() {
        assertFinds("65049024", as: .phone, in: #"{"arguments":"{\"name\":\"Jane Roe\",\"phone_number\":\"65049024\",\"country\":\"HK\"}"}"#)
        assertFinds("628491672", as: .phone, in: #"{\"phone\":\"628491672\"}"#)
        assertFinds("689610043", as: .phone, in: "Mi teléfono: 689610043, llámame después de las cinco")
        assertFinds("612345678", as: .phone, in: "Tel.: 612345678")
    }

    // MARK: - URL-encoded spaces in query and form values

    func testCardsAndIBANsGroupedByURLEncodedSpaces() {
        assertFinds("4720+4628+3609+6001", as: .creditCard, in: "name=Jane+Roe&card_number=4720+4628+3609+6001&exp=12%2F27")
        assertFinds("5144%208594%200727%207891", as: .creditCard, in: "GET /pay?cc=5144%208594%200727%207891&amount=42.00")
        assertFinds("DE28+6988+9180+0359+9672+89", as: .iban, in: "iban=DE28+6988+9180+0359+9672+89&bic=COBADEFFXXX")
        assertFinds("FR49%204959%203549%2035D7%20C2B3%20BDT0%20496", as: .iban,
                    in: "/sepa/mandate?iban=FR49%204959%203549%2035D7%20C2B3%20BDT0%20496&ref=ORD-2024-3598703")
        // Only in a query or form value: arithmetic in prose stays.
        assertClean("sum 4111+1111+1111+1111 = x")
        assertClean("q=2024+1234+5678+9012")
    }

    // MARK: - An e-mail address as a URL's user

    func testEmailAddressAsTheUserOfAURL() {
        let text = "SMTP_URL=smtp://alerts@acme.io:Pw3xYz9Q@smtp.gmail.com:587"
        assertFinds("alerts@acme.io", as: .email, in: text)
        assertFinds("Pw3xYz9Q", as: .secret, in: text)
        XCTAssertFalse(found(text).contains { $0.1.contains("smtp.gmail.com") }, "the relay host stays")
        assertClean("https://user@github.com/acme/widgets")
    }

    // MARK: - Command-line `-v`, HTML character references

    func testAddressAfterAVerboseFlagAndHTMLEncodedAt() {
        assertFinds("10.1.2.3", as: .ipAddress, in: "nc -v 10.1.2.3 5432")
        assertFinds("10.1.2.3", as: .ipAddress, in: "ssh -v 10.1.2.3")
        assertClean("release v 1.2.3.4 is out")
        assertFinds("jane&#64;example.com", as: .email, in: "contact: jane&#64;example.com today")
        assertClean("color &#64; 12")
    }

    // MARK: - More provider prefixes

    func testMoreProviderKeysInProse() {
        let docker = "dckr_pat_" + "ye5XhIf-1qGwYTmDT37-qNRfVH9"
        let figma = "figd_" + "vLcbIJK1xpzG9rU1crdEbo14Wt65DmKCVNyfLN3f"
        let notion = "ntn_" + "BUJkkYuZbgiSVncfs9ucel60zTSzAqEfWl3TiwKPTJ6pdm"
        let pulumi = "pul-" + "1df5c61528412ecf027b1fcaca42a32601c105f2"
        let sentry = "sntrys_" + "eyJpYXQiOjE2OTQwMzk0NjcuMjk2NjQ2LCJ1cmwiOiJodHRwczovL3NlbnRyeS5pbyJ9_NzJkYzA3NzMyZTRjNGE2NmJlNjBjOWI3NGQ2"
        for key in [docker, figma, notion, pulumi, sentry] {
            assertFinds(key, as: .secret, in: "Getting 403 with \(key) on the deploy step")
        }
        // The prefixes alone, and words that start like them, stay.
        assertClean("dckr_pat_ is the prefix; figd_ and ntn_ too")
        assertClean("the figure is final and the pul-up bar is fine")
    }

    // MARK: - Pagination cursors

    func testPaginationTokensStay() {
        let cursor = "suHgpn2VccKa8xQ3LmN0pR"
        assertClean(#"{"next_page_token":"\#(cursor)"}"#)
        assertClean(#"{"nextPageToken":"\#(cursor)"}"#)
        assertClean(#"{"pageToken":"\#(cursor)","NextToken":"\#(cursor)"}"#)
        assertClean(#"{"continuation_token":"\#(cursor)","sync_token":"\#(cursor)"}"#)
        assertClean(#"{"api_key_last4": "47aa"}"#)
        // Credentials under `*_token` names are still found.
        assertFinds(cursor, as: .secret, in: #"{"access_token":"\#(cursor)"}"#)
        assertFinds(cursor, as: .secret, in: #"{"refresh_token":"\#(cursor)"}"#)
    }
}
