import XCTest
@testable import Redaction

/// Fixes from the eighth probing round (AI-gateway payloads): phone numbers in CSV rows (a cell
/// after a word, a number in the next cell), URL-encoded spaces inside an encoded international
/// number, a copula after a Chinese phone word, ASCII numbers grouped by ideographic spaces,
/// zero-width characters inside values, User-Agent product versions that look like IPv4
/// addresses, ids before ungrouped trunk numbers, and `*_algo` settings under a credential
/// name. Each positive case failed before its fix.
final class ProbeRound8Tests: XCTestCase, DetectionAssertions {
    let engine = RedactionEngine()

    let visa = "4111" + "1111" + "1111" + "1111"
    let badVisa = "4111" + "1111" + "1111" + "1112"
    let openAIKey = "sk-" + "4fGh7Jk2Lm9Np3Qr8St1Uv6Wx0Yz5AbCdEf"

    // MARK: - Phone numbers in CSV rows

    func testPhoneFollowedByANumericCSVCell() {
        assertFinds("+14155552671", as: .phone, in: "1,Jane Roe,a@b.co,+14155552671,42")
        assertFinds("+44 20 7946 0958", as: .phone, in: "Jane,+44 20 7946 0958,8836,2024-05-17")
        assertFinds("+91 98765 43210", as: .phone, in: "Li,+91 98765 43210,7,2024-01-11")
        assertFinds("415-555-2671", as: .phone, in: "Jane Roe\t415-555-2671,0231,2024-02-15")
        assertFinds("030 38816145", as: .phone, in: "name phone card\nJane 030 38816145,6011")
    }

    func testGroupedPhoneStartsACSVCellAfterAWord() {
        assertFinds("415-555-2671", as: .phone, in: "id,name,phone\n7,Jane Roe,415-555-2671\n")
        assertFinds("020 7946 0958", as: .phone, in: "Person 2,jane@example.com,020 7946 0958,n/a")
        assertFinds("(415) 555-2671", as: .phone, in: "Jane Doe,(415) 555-2671")
        // Escaped newlines of a CSV inside a JSON string end the cell.
        assertFinds("415-555-2671", as: .phone, in: #"{"text":"id,phone\n1,Jane,415-555-2671\n2,Li,n/a"}"#)
    }

    func testCSVCellLookAlikesStayClean() {
        // Thousands and decimals: the byte before the comma is a digit, or the number continues.
        assertClean("total 1,415-555")
        assertClean("values 12,345,678 and 9,876")
        // An ungrouped trunk number is not taken as a cell after a word.
        assertClean("sku,ABC,0123456789,7")
        // A cell after a word must end at a comma, a line end or a quote.
        assertClean("name,415-555-2671x")
        // A phone-looking amount: thousands groups and a decimal comma.
        assertClean("Saldo +12 345 678,90 EUR")
        // Numbers before a decimal are still not phones.
        assertClean("amount 415-555,75")
        // Dates and ranges in CSV cells.
        assertClean("date,value\n2024-08-06,12 345,67\nmetric,1820-1850,9")
    }

    // MARK: - URL-encoded international numbers

    func testEncodedPhoneWithEncodedSpaces() {
        assertFinds("%2B1+415+555+2671", as: .phone, in: "/search?q=%2B1+415+555+2671&lang=en")
        assertFinds("%2B44%2020%207946%200958", as: .phone, in: "https://api.example.com/contacts?tel=%2B44%2020%207946%200958&format=json")
        assertFinds("%2B14155552671", as: .phone, in: "phone=%2B14155552671&x=1")
    }

    func testEncodedPlusLookAlikesStayClean() {
        assertClean("/s?q=%2B12+points&page=2")
        assertClean("/s?q=%2B1+2+3")
        // A literal plus is not an encoded space outside an encoded number.
        assertClean("/search?q=version+2024+08+06&page=12")
    }

    // MARK: - Chinese phone words with a copula

    func testChineseMobileAfterPhoneWordAndCopula() {
        assertFinds("13812345678", as: .phone, in: "我的手机号是13812345678，邮箱是")
        assertFinds("13912345678", as: .phone, in: "联系电话为 13912345678。")
        assertFinds("138-1234-5678", as: .phone, in: "手機號碼是138-1234-5678")
    }

    func testChineseCopulaWithoutPhoneWordStaysClean() {
        assertClean("订单号是13812345678，金额为1234元")
        assertClean("编号是13812345678")
    }

    // MARK: - Ideographic spaces between ASCII digits

    func testCardGroupedByIdeographicSpaces() {
        let card = "4111\u{3000}1111\u{3000}1111\u{3000}1111"
        assertFinds(card, as: .creditCard, in: "カード " + card + "です")
        assertFinds("3782\u{3000}822463\u{3000}10005", as: .creditCard, in: "カード番号：3782\u{3000}822463\u{3000}10005")
    }

    func testIdeographicSpacedLookAlikesStayClean() {
        assertClean("カード " + "4111\u{3000}1111\u{3000}1111\u{3000}1112")
        assertClean("価格\u{3000}1200\u{3000}円\u{3000}2024\u{3000}年")
    }

    // MARK: - Zero-width characters inside values

    func testZeroWidthCharactersInsideNumbers() {
        let zwsp = "\u{200B}"
        let card = "41111111" + zwsp + "11111111"
        assertFinds(card, as: .creditCard, in: "card " + card + " please")
        let grouped = ["4111", "1111", "1111", "1111"].joined(separator: zwsp)
        assertFinds(grouped, as: .creditCard, in: "my card: " + grouped)
        let shy = ["5555", "5555", "5555", "4444"].joined(separator: "\u{00AD}")
        assertFinds(shy, as: .creditCard, in: "card " + shy)
        let joiner = "4111\u{2060}111111111111"
        assertFinds(joiner, as: .creditCard, in: "card " + joiner)
        assertFinds("415-\u{200B}555-\u{200B}2671", as: .phone, in: "call 415-\u{200B}555-\u{200B}2671 now")
        assertFinds("078-\u{200C}05-\u{200C}1120", as: .usSSN, in: "SSN 078-\u{200C}05-\u{200C}1120")
        let iban = ["DE89", "3704", "0044", "0532", "0130", "00"].joined(separator: zwsp)
        assertFinds(iban, as: .iban, in: "IBAN " + iban)
    }

    func testZeroWidthCharacterInsideAKey() {
        let key = String(openAIKey.prefix(20)) + "\u{200B}" + String(openAIKey.dropFirst(20))
        assertFinds(key, as: .secret, in: "key: " + key)
        let bom = "\u{FEFF}" + visa
        XCTAssertTrue(found("x " + bom).contains { $0.0 == "CREDIT_CARD" && $0.1.hasSuffix(visa) })
    }

    func testZeroWidthLookAlikesStayClean() {
        // Still Luhn-checked; zero-width characters between words or beside non-ASCII text change nothing.
        assertClean("card " + "41111111\u{200B}11111112" + " please")
        assertClean("Thai\u{200B}word\u{200B}split, emoji 👩\u{200D}💻, soft\u{00AD}hyphen")
        assertClean("ORD\u{200B}-2024-000123 and 2024-\u{200B}08-\u{200B}06")
        // Zero-width characters between separate numbers do not join them into one.
        assertClean("1234\u{200B} 5678 9012")
    }

    // MARK: - User-Agent product versions

    func testUserAgentVersionsAreNotIPAddresses() {
        assertClean("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36")
        assertClean(#"{"user_agent":"Edg/125.0.0.0","sdk":"anthropic-typescript/0.24.3"}"#)
        assertClean("Chrome/126.0.0.0 Mobile Safari/537.36 OPR/111.0.0.0")
        assertClean("agent/3.2.1.0")
    }

    func testAddressesAfterSlashesAreStillFound() {
        // Not ending in `.0`, or not after a product token.
        assertFinds("203.0.113.7", as: .ipAddress, in: "proxy/203.0.113.7 failed")
        assertFinds("10.0.0.0", as: .ipAddress, in: "GET http://10.0.0.0/status")
        assertFinds("10.1.2.0", as: .ipAddress, in: "route /api/10.1.2.0 down")
        assertFinds("192.168.1.0", as: .ipAddress, in: "subnet 192.168.1.0/24")
        assertFinds("8.8.8.8", as: .ipAddress, in: "dns=8.8.8.8")
    }

    // MARK: - Ids before ungrouped trunk numbers

    func testIdentifierBeforeUngroupedTrunkNumberStaysClean() {
        assertClean("case 94613369, customer id 0976299298, account 641614889")
        assertClean("user_id=0548794496 account: 0858973206 invoice 0595225160")
        assertClean("customerId: 0976299298")
        assertClean("order #0976299298")
    }

    func testUngroupedTrunkNumbersAreStillFound() {
        assertFinds("02079460958", as: .phone, in: "Caller ID: 02079460958")
        assertFinds("02079460958", as: .phone, in: "callerId=02079460958")
        assertFinds("02079460958", as: .phone, in: "reach me on 02079460958")
        assertFinds("09876543210", as: .phone, in: "paid 09876543210")
        assertFinds("020 7946 0958", as: .phone, in: "account 020 7946 0958")
    }

    // MARK: - Credential settings

    func testAlgorithmSettingsAreNotCredentials() {
        assertClean("password_hash_algo=argon2id token_count=3165")
        assertClean("secret_algo=HS256 password_algorithm=bcrypt")
        assertFinds("argon2id-S3cret", as: .secret, in: "password=argon2id-S3cret")
    }
}
