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

    private func assertNotFound(_ value: String, in text: String, file: StaticString = #filePath, line: UInt = #line) {
        let hits = found(text)
        XCTAssertFalse(hits.contains { $0.1.contains(value) }, "\(value) was detected in \(text.debugDescription): \(hits)", file: file, line: line)
    }
}
