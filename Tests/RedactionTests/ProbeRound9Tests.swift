import XCTest
@testable import Redaction

/// Fixes from the ninth probing round (an independent labelled corpus of gateway traffic): a
/// command whose password flag was found hid every value between the command word and the flag,
/// an e-mail address as the user of `curl -u user:password`, phone numbers under compound key
/// names and ungrouped right after a phone word, and pagination cursors under `*_token` names.
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
