import XCTest
@testable import Redaction

/// Fixes from session 13, taken from blind probe round 13 (REDACTION.md §17): Unicode separators
/// around addresses and numbers, compact international numbers of up to 15 digits, folded lines
/// of quoted-printable mail and iCalendar/vCard, SWIFT and HL7 fields, WhatsApp links, cards with
/// mixed separators; and the probe's false positives (dialled meeting ids, ZIP+4 codes). Each
/// positive case failed before its fix, each negative case was a false positive of the probe.
final class Session13Tests: XCTestCase, DetectionAssertions {
    let engine = RedactionEngine()

    func testUnicodeSeparatorsEndAddressesAndNumbers() throws {
        // A no-break space after an address used to join the next word to it (or, with a middle
        // dot, made the whole address fail and stay in clear).
        assertFinds("jane.doe@gmail.com", as: .email, in: "mail jane.doe@gmail.com\u{A0}now and later")
        assertFinds("rahul.novak@yahoo.co.uk", as: .email, in: "Kontakt: rahul.novak@yahoo.co.uk\u{A0}\u{B7}\u{A0}030 54726792")
        assertFinds("+49-89-5756462", as: .phone, in: "anna.lopez@web.de\u{A0}\u{B7}\u{A0}+49-89-5756462")
        XCTAssertEqual(try engine.redactText("mail jane.doe@gmail.com\u{A0}now", region: "eu").text, "mail [EMAIL]\u{A0}now")
        // WhatsApp wraps numbers in direction marks.
        assertFinds("+44 7700 900123", as: .phone, in: "14/03/2024, 10:43 - \u{202A}+44 7700 900123\u{202C} joined")
        assertFinds("+44 7700 900123", as: .phone, in: "\u{200E}+44 7700 900123")
        // Internationalised domains keep their non-ASCII letters.
        assertFinds("josé@exämple.de", as: .email, in: "write to josé@exämple.de today")
    }

    func testCompactInternationalNumbersUpToFifteenDigits() {
        assertFinds("+4915124360031", as: .phone, in: "\"shipping\":{\"phone\":\"+4915124360031\"}")
        assertFinds("+8613812345678", as: .phone, in: "call +8613812345678 now")
        assertFinds("%2B4915178177650", as: .phone, in: "https://api.example.io/v1/lookup?phone=%2B4915178177650")
        assertFinds("4915113931563", as: .phone, in: "WhatsApp: https://wa.me/4915113931563")
        assertFinds("49151139315", as: .phone, in: "https://wa.me/49151139315?text=hi")
        // More than 15 digits is no phone number.
        assertClean("order +1234567890123456 x")
    }

    func testFoldedLinesOfMailAndCalendars() {
        // Quoted-printable soft line breaks and `=40`.
        assertFinds("CH56=\n 4098 4955 8916 8237 2", as: .iban, in: "Konto mit der IBAN CH56=\n 4098 4955 8916 8237 2 bei der Bank.")
        assertFinds("4028 1809 05=\n51 9369", as: .creditCard, in: "Zahlung (4028 1809 05=\n51 9369), wurde belastet.")
        assertFinds("Maria.Schmidt=40outlook.com", as: .email, in: "per Mail an Maria.Schmidt=40outlook.com.")
        // iCalendar continuation lines.
        let ics = "BEGIN:VCALENDAR\r\nATTENDEE;ROLE=REQ-PARTICIPANT:mailto:Rahul.Andersson@\r\n yahoo.co.uk\r\nEND:VCALENDAR"
        assertFinds("Rahul.Andersson@\r\n yahoo.co.uk", as: .email, in: ics)
        assertFinds("+33 (0)1 36 15 \n 76 95", as: .phone, in: "BEGIN:VEVENT\nDESCRIPTION:Call +33 (0)1 36 15 \n 76 95 or mail us\nEND:VEVENT")
        // Without a calendar, an indented next line is not a continuation; `=40` needs an address.
        assertNotFound("36 15 \n 76 95", in: "Call room 36 15 \n 76 95 people")
        assertClean("width=40px; x=3D4; a=\nb")
    }

    func testStructuredFields() {
        // SWIFT MT940 `?31` subfield glued to the IBAN.
        assertFinds("GB98MIDL29009802368208", as: .iban, in: ":86:166?00SEPA-UEBERWEISUNG?30NWBKGB2L?31GB98MIDL29009802368208?32MAX MUSTER")
        assertClean("?31GB98MIDL29009802368209?32")  // wrong check digits
        // HL7 v2 PID-19 (the patient's SSN), undashed.
        let pid = "PID|1||123^^^HOSP^MR||DOE^JOHN||19800101|M|||1 MAIN ST^^CITY^ST^12345||(555)555-1234|||S||ACCT1^^^HOSP^AN|279889530|||"
        assertFinds("279889530", as: .usSSN, in: pid)
        // Another nine-digit field is not an SSN.
        assertNotFound("279889530", in: "PID|1||279889530^^^HOSP^MR||DOE^JOHN")
    }

    func testCardsWithMixedDashesAndSpaces() {
        assertFinds("4111-1111 1111-1111", as: .creditCard, in: "Caller: sure, 4111-1111 1111-1111, expiry 10/26.")
        assertFinds("4111 1111-1111 1111", as: .creditCard, in: "Caller: sure, 4111 1111-1111 1111, expiry 10/26.")
        // Mixed separators need the standard grouping (and Luhn).
        assertClean("ref 4111-11 111111-1111 x")
        assertClean("meeting 2024-1111 1111-1111 ok")
    }

    func testWhatsAppLaTeXAndArabicIndicNumbers() {
        // WhatsApp wraps a sender's number in a left-to-right embedding.
        assertFinds("910 193 443", as: .phone, in: "20/10/2024, 22:25 - \u{202A}910 193 443\u{202C}: Hi, is the flat free?")
        assertClean("\u{202A}2024\u{202C} year, \u{202A}12 345\u{202C}")
        // LaTeX ties and thin spaces between groups.
        assertFinds("+1~(640)~558~1377", as: .phone, in: "\\phone[mobile]{+1~(640)~558~1377}")
        assertFinds("DE83~6916~4189~0946~7547~59", as: .iban, in: "IBAN & DE83~6916~4189~0946~7547~59 \\\\")
        assertFinds("+49\\,30\\,01837711", as: .phone, in: "Tel.~\\texttt{+49\\,30\\,01837711}")
        assertClean("see Fig.~3 and Table~2, pages 10~12")
        // Arabic-Indic and Persian digits.
        assertFinds("٠٥٣٠٨٧٨٥٣٨", as: .phone, in: "رقم الجوال: ٠٥٣٠٨٧٨٥٣٨ والبريد")
        assertFinds("۰۹۱۲۳۴۵۶۷۸۹", as: .phone, in: "شماره: ۰۹۱۲۳۴۵۶۷۸۹")
        assertClean("عدد ٣ كتب")
    }

    func testTokensEndAtEmojiCJKAndTypographicPunctuation() {
        // Round 14: a character of no alphabet right after (or before) a key, an IBAN, an IPv6
        // address or an e-mail address ends it; it used to hide the value (or join the address).
        let key = "ghp_7HjwOuQAuDbJ9Vm898zWTayD0EPf2lMHfHbO"
        assertFinds(key, as: .secret, in: "x \(key)🙏 y")
        assertFinds(key, as: .secret, in: "API密钥是\(key)。")
        assertFinds("lin_api_YZ3mS9cCQQXrKjShgXHmHNHgN6bWsOLQozYtZxuo", as: .secret, in: "my API key is «lin_api_YZ3mS9cCQQXrKjShgXHmHNHgN6bWsOLQozYtZxuo»!")
        assertFinds("DE89 3704 0044 0532 0130 00", as: .iban, in: "IBAN: DE89 3704 0044 0532 0130 00🙏")
        assertFinds("2001:ac03:40f1::b760:c2d6", as: .ipAddress, in: "whitelist „2001:ac03:40f1::b760:c2d6“…")
        assertFinds("anna.k@web.de", as: .email, in: "mail anna.k@web.de✅ thanks")
        // Letters of an alphabet still continue a word or a domain.
        assertFinds("ivan@почта.рф", as: .email, in: "пишите ivan@почта.рф сегодня")
        assertNotFound(key, in: "x \(key)é y")
    }

    func testWrappedValuesDashesAndGluedSymbols() {
        // Round 14: a password in brackets or typographic quotes, after an en dash, with an
        // emoji glued to it; a phone number in parentheses.
        assertFinds("Summer2024!", as: .secret, in: "password: (Summer2024!) thanks")
        assertFinds("Moskva2021#", as: .secret, in: "パスワード：【Moskva2021#】！")
        assertFinds("Sakura2025#", as: .secret, in: "пароль Sakura2025#🙏")
        assertFinds("Summer2024!", as: .secret, in: "password – Summer2024!")
        assertFinds("Summer2024!", as: .secret, in: "password: Summer2024!✅ ok")
        assertClean("password: (optional), password (see below), the password [required], token: (none), password – see wiki")
        // A rejected value no longer hands the password rule the next token (an order number).
        assertFinds("Tr0ub4dor&9gxn", as: .secret, in: "пароль Tr0ub4dor&9gxn🙏  заказ № 442-5389374-0705443?!")
        assertNotFound("442-5389374", in: "пароль Tr0ub4dor&9gxn🙏  заказ № 442-5389374-0705443?!")
        assertFinds("02-14266118", as: .phone, in: "chiamami al (02-14266118)")
        assertFinds("010 9955 1876", as: .phone, in: "휴대폰 (010 9955 1876)")
        assertFinds("(415) 555-2671", as: .phone, in: "call (415) 555-2671 now")
        assertClean("see (2021-02-03) and (12345678)")
        // Phone words of Spanish, Portuguese and Chinese that were missed.
        assertFinds("612345678", as: .phone, in: "mi móvil: 612345678")
        assertFinds("917 674 196", as: .phone, in: "telefone 917 674 196")
        assertFinds("138 1183 2776", as: .phone, in: "请拨打138 1183 2776联系我")
        assertClean("móvil: 2024 fue bueno")
        // JDBC's positional password.
        assertFinds("Monkey2023!", as: .secret, in: "getConnection(\"jdbc:mysql://db:3306/shop\", \"root\", \"Monkey2023!\");")
        assertClean("getConnection(url, user, password);")
        assertFinds("192.168.116.123", as: .ipAddress, in: "DriverManager.getConnection(\"jdbc:mysql://192.168.116.123:3306/shop\", \"root\", \"Monkey2023!\");")
        // The value of a version key is no IP address.
        assertClean("\"Version\": \"4.9.6.36\", version = '1.2.3.4'")
        assertFinds("10.1.2.3", as: .ipAddress, in: "\"ip\": \"10.1.2.3\"")
    }

    func testProbeFalsePositives() {
        // Digits dialled after pauses are a meeting id, not a second phone number.
        assertNotFound("84635703148", in: "DESCRIPTION:One tap mobile\\n+12532158782,,84635703148# US (New York)")
        assertFinds("+12532158782", as: .phone, in: "DESCRIPTION:One tap mobile\\n+12532158782,,84635703148# US (New York)")
        // A US ZIP+4 code, unless a phone word vouches for it.
        assertClean("\"postal_code\":\"09398-5142\",\"country\":\"US\"")
        assertFinds("09398-5142", as: .phone, in: "phone: 09398-5142")
    }
}
