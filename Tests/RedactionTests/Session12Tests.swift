import XCTest
@testable import Redaction

/// Fixes from session 12, taken from blind probe round 12 (REDACTION.md §16): columns of CSV, TSV
/// and pipe tables named by their header, label/value table rows, reference numbers and invalid
/// SSNs no longer read as phone numbers, an SSN word vouching for one number only, and masks
/// made of bullets. Each positive case failed before its fix, each negative case was a false
/// positive of the probe (or of a first version of the table pass).
final class Session12Tests: XCTestCase, DetectionAssertions {
    let engine = RedactionEngine()

    func testCSVColumnsNamedByTheHeader() {
        let csv = "id,name,phone,ssn,password\n1,Grace,0160190647,402342941,Rocket1976!\n2,\"Lee, Bo\",22 89 48 44 x12,402-34-2941,********\n"
        assertFinds("0160190647", as: .phone, in: csv)
        assertFinds("22 89 48 44", as: .phone, in: csv)
        assertFinds("402342941", as: .usSSN, in: csv)
        assertFinds("402-34-2941", as: .usSSN, in: csv)
        assertFinds("Rocket1976!", as: .secret, in: csv)
        // Semicolons and tabs, other header words.
        assertFinds("46600889", as: .phone, in: "Nr;Vorname;Handynummer;Ort\n25102;Arjun;46600889;Oslo\n")
        assertFinds("91 433 96 20", as: .phone, in: "ID\tName\tTeléfono\tCity\n8\tAmélie\t91 433 96 20\tMadrid\n")
        assertFinds("600963809", as: .usSSN, in: "Employee,Soc Sec No,Start\nAnn Lee,600963809,2024-01-02\n")
    }

    func testPipeTablesAndLabelRows() {
        let sql = "+----+------+-------------+\n| id | name | password    |\n+----+------+-------------+\n| 12 | Wei  | Rocket1976! |\n+----+------+-------------+"
        assertFinds("Rocket1976!", as: .secret, in: sql)
        assertFinds("summer-Kitten8666$", as: .secret, in: "| Field | Value |\n|---|---|\n| Temporary VPN password | summer-Kitten8666$ |")
        assertFinds("22 89 48 44", as: .phone, in: "| Name | City | Mobile |\n|---|---|---|\n| Arjun | Oslo | 22 89 48 44 |")
        assertFinds("8657 2683", as: .phone, in: "| Name | Phone | IP |\n|:--|:--:|--:|\n| Maria Kim | 8657 2683 | 10.0.0.1 |")
    }

    func testTablesLeaveOtherCellsAndOtherTextAlone() {
        // Cells that are not values of their column, and columns about a value.
        assertClean("| Password | required |\n| password | `string` |\n| Password | bcrypt |\n| password_min_length | 12 |")
        assertClean("name,phone,password_last_set,phone_type\nAnn,n/a,2024-01-02,mobile\nBo,unknown,2023-12-01,home\n")
        assertClean("user,password\nann,********\nbo,•••••••\ncy,${DB_PASSWORD}\n")
        assertClean("Here is my private key, is it RSA?\nNo, it is an EC key.\n")
        assertClean("{\"error\":{\"code\":\"invalid_api_key\",\"message\":\"Incorrect key\"}}\n{\"status\":401}\n")
        assertClean("Hi team, password resets, and phones\nare discussed tomorrow, at 10, in room 4\n")
        // A row of another width ends the table.
        assertClean("id,phone,city\n1,0160190647,Oslo\n\ntotal,count\n2,123456789\n".replacingOccurrences(of: "0160190647", with: "n/a"))
    }

    func testReferenceNumbersAreNotPhoneNumbers() {
        assertClean("INCIDENT REPORT\nCase No.: File no. 045-674-2921\nReporting officer: J. Smith")
        assertClean("Case No.: Case 191-540-9501, Claim 151-278-9506, ticket 555-201-3344")
        assertClean("order 415-555-0134 shipped; invoice 212-555-0187 paid")
        // A phone word after the reference word still vouches for the number.
        assertFinds("415-555-0134", as: .phone, in: "Re case 1234: please call 415-555-0134 today.")
    }

    func testAnSSNWordVouchesForOneNumber() {
        assertFinds("402-34-2941", as: .usSSN, in: "| SSN | 402-34-2941 |\n| Routing number | 094346178 |")
        assertClean("| SSN | n/a |\n| Routing number | 094346178 |")
        assertNotFound("123456789", in: "ssn 123-45-6789, order 123456789")
        // An invalid SSN after an SSN word is not a phone number either.
        assertClean("- SSN 034-00-4757\n- SSN 076-00-8434")
    }

    func testBulletMasksArePlaceholders() {
        assertClean("OPENAI_API_KEY=•••••••\nSTRIPE_SECRET_KEY=●●●●●●●●\nDB_PASSWORD=∙∙∙∙∙∙")
    }
}

/// The second batch of session 12's fixes: values as scans and hurried typing leave them (mixed
/// card separators after a card label, IBANs with blanks after the country code or doubled
/// blanks, SSNs as ` - ` groups after an SSN word, SSN words written `S.S.N.` or `Soc Sec No`),
/// password labels of forms (`pasword:`, `PASS WORD:`, `PW- X`, `Login: user / X`, "the wifi
/// pass is X"), Oracle passwords with symbols, and `M:` opening a signature line.
final class Session12ScanTests: XCTestCase, DetectionAssertions {
    let engine = RedactionEngine()

    func testCardsAfterALabelWithMixedSeparators() {
        assertFinds("4343  8304 1822 2061", as: .creditCard, in: "Phone: 8-800  Card No 4343  8304 1822 2061\nIBAN : x")
        assertFinds("2221 . 4299 7806 3170", as: .creditCard, in: "CC# 2221 . 4299 7806 3170  IBAN-Nr")
        assertFinds("2221\n7754 5204 0948", as: .creditCard, in: "Credlt Card: 2221\n7754 5204 0948  Date: 2024")
        assertFinds("503871 8822559", as: .creditCard, in: "Soc. Security Nr 600963809 | CC# 503871 8822559\nDate: 2")
        // Without a card label, or failing Luhn, the same shapes stay.
        assertClean("Totals 4343  8304 1822 2061 and 2221 . 4299 7806 3170")
        assertClean("Card No 4343  8304 1822 2062")
    }

    func testIBANsWithBlanks() {
        assertFinds("NL37  HIAN  6978  6555  66", as: .iban, in: "I BAN: NL37  HIAN  6978  6555  66 | SSN : x")
        assertFinds("SE 27 63345704535837649742", as: .iban, in: "IBAN : SE 27 63345704535837649742 | e mail")
        assertFinds("AT 77 2302564009137183", as: .iban, in: "lBAN AT 77 2302564009137183  Dated")
        // A wrong check sum, or a country code and digits that are no IBAN.
        assertClean("IBAN : SE 28 63345704535837649742 and SE 12 is fine, NL 37 rows")
    }

    func testSSNsOfScannedForms() {
        assertFinds("482 - 28 - 3823", as: .usSSN, in: "S.S.N. 482 - 28 - 3823  I BAN")
        assertFinds("853.99.0931", as: .usSSN, in: "Soc. Security Nr 853.99.0931\nDatum: 2024")
        assertFinds("578185266", as: .usSSN, in: "Soc Sec No 578185266\npwd x")
        assertFinds("202 - 74 - 7165", as: .usSSN, in: "ssn no 202 - 74 - 7165\nEMAIL ADR")
        assertClean("Score 482 - 28 - 3823 in the final")
    }

    func testPasswordLabelsOfForms() {
        assertFinds("4MNdjYeRou6ubP195H", as: .secret, in: "PAN 5038 . 4072  PW- 4MNdjYeRou6ubP195H | Datum: x")
        assertFinds("LIM42GgilpgQ5kCB", as: .secret, in: "PASS WORD: LIM42GgilpgQ5kCB | Credlt")
        assertFinds("summer1976#", as: .secret, in: "Narne: Ethan Taylor\npasword: summer1976#\nEMAIL")
        assertFinds("Kitten1994?", as: .secret, in: "Login: omar / Kitten1994?")
        assertFinds("5GMtcaZvwm58cEiFAAq", as: .secret, in: "the wifi pass is 5GMtcaZvwm58cEiFAAq btw")
        assertClean("a boarding pass is required; pass word games; pasword: required; Login: omar / logout")
    }

    func testOraclePasswordsWithSymbols() {
        assertFinds("maple2003$", as: .secret, in: "url: jdbc:oracle:thin:admin/maple2003$@db01:1521:ORCL")
        assertFinds("*cCdAwn3ot7vjWM^!z", as: .secret, in: "url: jdbc:oracle:thin:reporting/*cCdAwn3ot7vjWM^!z@14.216.10.3:1521/X")
    }

    func testSignatureLineLabels() {
        assertFinds("28 56 44 15", as: .phone, in: "Thanks,\nPriya\nM: 28 56 44 15 x192\n")
        assertClean("Score: 28 56 44 15\nM 28 56 44 15")
    }
}
