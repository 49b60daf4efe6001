import XCTest
@testable import Redaction

/// Per-detector tables: each valid value must be found exactly (type and extent) inside a
/// sentence; each invalid value or look-alike must produce no detection at all.
final class DetectorTests: XCTestCase, DetectionAssertions {
    let engine = RedactionEngine()

    // MARK: - EMAIL

    func testEmails() {
        for value in ["john.doe@example.com", "jane+newsletter@mail.sub.example.co.uk", "o_brien-99@example.org",
                      "a@b.io", "ADMIN@EXAMPLE.COM", "user%tag@test.example", "first.last@xn--mller-kva.de",
                      "josé@exämple.de", "\"john doe\"@example.com", "support@localhost.localdomain"] {
            assertFinds(value, as: .email)
        }
        assertFinds("john@example.com", as: .email, prefix: "<", suffix: ">")
        assertFinds("john@example.com", as: .email, prefix: "mailto:", suffix: "?subject=hi")
        assertFinds("john@example.com", as: .email, prefix: "(", suffix: ").")
    }

    func testEmailLookAlikes() {
        for text in ["ping @channel now", "user@localhost is local", "icon@2x.png and logo@3x.png", "a@b", "x@y.1",
                     "@decorator", "npm i @types/node", "image@sha256:abcdef", "pkg@1.2.3", "a@@b.com", "foo@-bar.com",
                     "user@.com", "ends.@example"] {
            assertClean(text)
        }
    }

    /// CJK text and full-width forms end an address on either side; other non-ASCII letters
    /// (IDN, accented local parts) still belong to it.
    func testEmailsNextToCJKText() {
        XCTAssertEqual(found("ご連絡はyamada@example.co.jpまでお願いします。").map(\.1), ["yamada@example.co.jp"])
        XCTAssertEqual(found("メールはtanaka.taro@example.co.jpです").map(\.1), ["tanaka.taro@example.co.jp"])
        XCTAssertEqual(found("请联系我的邮箱zhang.san@example.cn或者打电话给我").map(\.1), ["zhang.san@example.cn"])
        XCTAssertEqual(found("이메일kim@example.kr입니다").map(\.1), ["kim@example.kr"])
        XCTAssertEqual(found("ｍａｉｌ：bob@example.com，thanks").map(\.1), ["bob@example.com"])
        XCTAssertEqual(found("连接user@example.com.これ").map(\.1), ["user@example.com"])
        assertFinds("josé@exämple.de", as: .email, prefix: "メール ", suffix: " です")
        // Only CJK around the `@`: no ASCII address.
        for text in ["連絡@例え.jp", "メール＠example.com", "です@です"] { assertClean(text) }
    }

    /// `user@host` as an ssh, scp, rsync or git target is a login, not a mailbox.
    func testSSHTargetsAreNotEmails() {
        for text in ["git clone git@github.com:acme/widgets.git", "scp file.txt ubuntu@server.example.com:/tmp/",
                     "ssh deploy@web01.prod.acme.internal", "ssh -i ~/.ssh/key.pem -p 2222 deploy@web01.example.com",
                     "rsync -avz ./dist/ deploy@host.example.com:/var/www", "git remote add origin git@gitlab.com:team/app.git",
                     "sftp -oPort=2222 backup@files.example.net", "edit it on admin@box.example.com:~/notes.txt"] {
            assertClean(text)
        }
        // Mailboxes: followed by ": ", at a sentence end, after prose mentioning ssh, or a port.
        XCTAssertEqual(found("Email: bob@example.com: see below").map(\.1), ["bob@example.com"])
        XCTAssertEqual(found("write to bob@example.com.").map(\.1), ["bob@example.com"])
        XCTAssertEqual(found("my ssh key is with bob@example.com").map(\.1), ["bob@example.com"])
        XCTAssertEqual(found("ssh: bob@example.com").map(\.1), ["bob@example.com"])
        XCTAssertEqual(found("cp notes.txt to bob@example.com:").map(\.1), ["bob@example.com"])
    }

    /// Apostrophes belong to a local part (`o'brien`), not to the quotes around an address.
    func testEmailsWithApostrophes() {
        assertFinds("patrick.o'brien@example.com", as: .email)
        assertFinds("o'connor@example.ie", as: .email, prefix: "My email is ", suffix: ".")
        XCTAssertEqual(found("email='bob@example.com'").map(\.1), ["bob@example.com"])
        XCTAssertEqual(found("it's bob@example.com").map(\.1), ["bob@example.com"])
        assertClean("don't@ me")
    }

    // MARK: - PHONE

    /// URL-encoded addresses in query strings, and single-letter domains that only look like
    /// image-density suffixes.
    func testEncodedEmailsAndShortDomains() {
        assertFinds("jane.doe%40gmail.com", as: .email, prefix: "https://x.com/unsubscribe?email=", suffix: "&id=3")
        assertFinds("a%2Bb%40example.org", as: .email, prefix: "?to=", suffix: "")
        assertFinds("jdoe@x.io", as: .email, prefix: "\"Doe, Jane\" <", suffix: "> wrote:")
        assertFinds("ceo@x.com", as: .email, prefix: "mail ", suffix: "")
        for text in ["icon@2x.png", "logo@3x.webp", "banner@2x.JPG", "img@x.svg", "a%40b", "100%40 items", "x%40localhost",
                     "?to=%40handle", "progress 40%40 done", "%40%40%40"] {
            assertClean(text)
        }
    }

    func testPhones() {
        let values = [
            "+1 415 555 2671", "+14155552671", "+1 (415) 555-2671", "(415) 555-2671", "(415)555-2671", "415-555-2671",
            "415.555.2671", "415 555 2671", "1-800-555-0199", "1 (800) 555 0199", "+1-415-555-2671",
            // UK
            "+44 20 7946 0958", "+44 (0)20 7946 0958", "020 7946 0958", "07911 123456", "+447911123456", "0161 496 0000",
            // DE
            "+49 30 12345678", "030 12345678", "0151 12345678", "+49 (0)89 1234567", "030/1234567", "+49-151-1234-5678",
            // FR
            "+33 1 23 45 67 89", "01 23 45 67 89", "06.12.34.56.78", "+33612345678", "06-12-34-56-78",
            // IN
            "+91 98765 43210", "98765 43210", "+91-98765-43210", "098765 43210", "022 2345 6789",
            // JP
            "+81 3-1234-5678", "03-1234-5678", "090-1234-5678", "0120-123-456", "+81 90 1234 5678",
            // international prefix
            "0044 20 7946 0958",
        ]
        for value in values { assertFinds(value, as: .phone) }
        assertFinds("4155552671", as: .phone, prefix: "call me at ", suffix: " tomorrow")
        assertFinds("555-1234", as: .phone, prefix: "Phone: ", suffix: "")
        assertFinds("02079460958", as: .phone, prefix: "tel ", suffix: ".")
    }

    func testPhoneLookAlikes() {
        for text in ["Order ORD-2024-000123 shipped", "invoice INV-2024-0042 due", "on 2024-01-15 at 10:30:00", "epoch 1700000000",
                     "ms 1700000000123", "release v2.14.1", "population 1 234 567", "at 12:30:45", "ISBN 978-3-16-148410-0",
                     "zip 94105-1234", "date 01/15/2024", "15.01.2024 10:30", "ratio 3.14159", "price $1 234 567",
                     "build 20240115.3", "id 1234567890", "+0100 offset", "the 2024-000123 batch", "seq 12345 67890",
                     "serial 00012345678", "temp +5 C", "a+123456789", "2024-01-15T10:30:00Z", "port 8080 and 443"] {
            assertClean(text)
        }
    }

    /// Two numbers joined by " / " or " - " are two phone numbers, both found.
    func testPhonePairs() {
        XCTAssertEqual(found("Reach me: 415-555-2671 / 415-555-2672").map(\.1), ["415-555-2671", "415-555-2672"])
        XCTAssertEqual(found("Tel 030 1234567 / 0171 1234567").map(\.1), ["030 1234567", "0171 1234567"])
        XCTAssertEqual(found("06 12 34 56 78 / 01 42 68 53 00").map(\.1), ["06 12 34 56 78", "01 42 68 53 00"])
        XCTAssertEqual(found("Phone: 415-555-2671 - 415-555-2672").map(\.1), ["415-555-2671", "415-555-2672"])
        XCTAssertEqual(found("415 - 555 - 2671 / 415 - 555 - 2672").map(\.1), ["415 - 555 - 2671", "415 - 555 - 2672"])
        XCTAssertEqual(found("Call 415-555-2671 - 10am").map(\.1), ["415-555-2671"])
        for text in ["from 2024-01-15 - 2024-02-15 ok", "pages 101 - 150 / 151 - 200", "Steps: 1-2-3-4 / 5-6-7-8",
                     "Score 98 / 100 - 12 / 34", "1999 - 2004 / 2010 - 2020"] {
            assertClean(text)
        }
    }

    /// Chinese mobiles after a phone word, Brazilian `(11) 91234-5678`, Russian trunk-8 numbers,
    /// Spanish numbers in pairs after teléfono/móvil.
    func testRegionalPhones() {
        let cases: [(String, String)] = [
            ("电话", "13800138000"), ("手机号: ", "13800138000"), ("联系 ", "138-0013-8000"), ("手机：", "13912345678"),
            ("ligue ", "(11) 91234-5678"), ("fixo ", "(11) 3456-7890"), ("звоните ", "8 (495) 123-45-67"), ("", "8 800 555-35-35"),
            ("тел ", "8-916-123-45-67"), ("teléfono ", "612 34 56 78"), ("móvil: ", "612 34 56 78"), ("celular ", "11 91234-5678"),
        ]
        for (prefix, value) in cases { assertFinds(value, as: .phone, prefix: prefix, suffix: " ok") }
        for text in ["order 13800138000", "id 138-0013-8000", "手机 12345678901", "(11) 81234-5678", "see (12) 2024",
                     "(11) 3456 7890 12", "8-916-123-45-6", "8 800 555-35-356", "ref 612 34 56 78", "móvil 2024 10 01 12"] {
            assertClean(text)
        }
    }

    // MARK: - CREDIT_CARD

    func testCards() {
        let values = [
            "4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111", "4242424242424242", "4222222222222",
            "5555555555554444", "5555 5555 5555 4444", "2223003122003222", "2223 0031 2200 3222", "378282246310005",
            "3782 822463 10005", "3714-496353-98431", "6011111111111117", "6011 0009 9013 9424", "3530111333300000",
            "30569309025904", "3056 930902 5904", "6200000000000005", "6759649826438453", "4111.1111.1111.1111",
            "4000056655665556", "5200828282828210", "4917484589897107", "4111 1111 1111 1111 003",
        ]
        for value in values { assertFinds(value, as: .creditCard) }
        // A card followed by a CVV-like group: only the card.
        XCTAssertEqual(found("card 4111 1111 1111 1111 123 ok").map(\.1), ["4111 1111 1111 1111"])
    }

    func testCardLookAlikes() {
        for text in ["ref 4111111111111112 bad luhn", "acct 1234567812345678", "n 4111 1111 1111 1112", "ts 1700000000000",
                     "9999999999999995", "id 7111111111111111", "x4111111111111111", "4111111111111111x", "ns 1700000000000000000",
                     "amex 378282246310006", "digits 41111111111111110000", "visa length 411111111111111"] {
            assertClean(text)
        }
    }

    /// Cards in CSV rows and with an expiry or CVV glued by `,` `/` `:`.
    func testCardsBesidePunctuation() {
        XCTAssertEqual(found("Jane Doe,4111111111111111,12/27").map(\.1), ["4111111111111111"])
        XCTAssertEqual(found("4111111111111111,5555555555554444").map(\.1), ["4111111111111111", "5555555555554444"])
        XCTAssertEqual(found("card: 4111111111111111/12/27/123").map(\.1), ["4111111111111111"])
        XCTAssertEqual(found("4111111111111111:12:27").map(\.1), ["4111111111111111"])
        XCTAssertEqual(found("4111-1111-1111-1111,12/27").map(\.1), ["4111-1111-1111-1111"])
        XCTAssertEqual(found("name,card\nJane,4111111111111111\n").map(\.1), ["4111111111111111"])
        for text in ["x4111111111111111,12", "4111111111111111x/12", "ref ABC-4111111111111111", "ORD,4111111111111112,1",
                     "a,1234567812345678,b", "4111111111111111_1/2", "Doe,4111111111111111abc"] {
            assertClean(text)
        }
    }

    /// A 13-digit barcode after EAN/GTIN/UPC/barcode is not a card even when Luhn passes.
    func testBarcodesAreNotCards() {
        for text in ["EAN barcode 5901234123457", "EAN-13: 5901234123457", "barcode: 5901234123457", "GTIN 5901234123457",
                     "upc#5901234123457"] {
            assertClean(text)
        }
        assertFinds("5901234123457", as: .creditCard, prefix: "card ", suffix: "")
        assertFinds("5901234123457", as: .creditCard, prefix: "BEAN ", suffix: "")
        assertFinds("4111111111111111", as: .creditCard, prefix: "EAN ", suffix: "")
    }

    // MARK: - US_SSN

    func testSSNs() {
        for value in ["123-45-6789", "536-22-1234", "078-05-1120", "123 45 6789", "899-99-9999", "001-01-0001"] {
            assertFinds(value, as: .usSSN)
        }
        assertFinds("536221234", as: .usSSN, prefix: "SSN: ", suffix: "")
        assertFinds("536221234", as: .usSSN, prefix: "social security number ", suffix: ".")
    }

    func testSSNLookAlikes() {
        for text in ["000-12-3456", "666-12-3456", "912-34-5678", "123-00-4567", "123-45-0000", "order 536221234",
                     "A123-45-6789", "123-45-67890", "1123-45-6789", "123-45-6789-1", "123-45 6789"] {
            assertClean(text)
        }
    }

    // MARK: - IBAN

    func testIBANs() {
        let values = [
            "GB82WEST12345698765432", "GB82 WEST 1234 5698 7654 32", "DE89370400440532013000", "DE89 3704 0044 0532 0130 00",
            "FR1420041010050500013M02606", "FR14 2004 1010 0505 0001 3M02 606", "NL91ABNA0417164300", "ES9121000418450200051332",
            "IT60X0542811101000000123456", "BE68539007547034", "CH9300762011623852957", "NO9386011117947",
            "PL61109010140000071219812874", "SA0380000000608010167519", "GB82-WEST-1234-5698-7654-32", "gb82west12345698765432",
        ]
        for value in values { assertFinds(value, as: .iban) }
    }

    func testIBANLookAlikes() {
        for text in ["GB82WEST12345698765431", "DE89370400440532013001", "GB82 WEST 1234 5698 7654 3", "XX82WEST12345698765432",
                     "DE89 37040044 0532 0130 00", "DE8937040044053201300012", "AB12 is a code", "GB82WEST1234569876543"] {
            assertClean(text)
        }
    }

    // MARK: - IP_ADDRESS

    func testIPAddresses() {
        let values = ["192.168.1.10", "10.0.0.1", "8.8.8.8", "255.255.255.255", "0.0.0.0", "2001:db8::1", "fe80::1ff:fe23:4567:890a",
                      "2001:0db8:85a3:0000:0000:8a2e:0370:7334", "::ffff:192.0.2.128", "2001:DB8:0:0:8:800:200C:417A", "fe80::1"]
        for value in values { assertFinds(value, as: .ipAddress) }
        assertFinds("10.1.2.3", as: .ipAddress, prefix: "host ", suffix: ":8080 up")
        assertFinds("2001:db8::1", as: .ipAddress, prefix: "[", suffix: "]:443")
    }

    func testIPLookAlikes() {
        for text in ["256.1.1.1", "1.2.3", "1.2.3.4.5", "version 1.2.3.4", "v1.2.3.4", "std::vector<int>", "at 12:30:45",
                     "mac 00:1A:2B:3C:4D:5E", "a::b", "oid 1.3.6.1.4.1", "01.02.03.04", "Foo::bar::baz", "1.2.3.4-beta",
                     "dead::beef", "x[::2]", "ratio 10:1", "section 1.2.3.4"] {
            assertClean(text)
        }
    }

    // MARK: - SECRET

    static let secrets: [String] = [
        "sk-proj-Tq3vK9xW2mN8pL4rJ7sB1cF6hD0gZ5yA-uE_iO3wQ9tR2eY7",
        "sk-ant-api03-Xy7Kp2Qw9Lm4Nz8Rt3Vb6Hc1Jd5Fg0Sa-QwErTyUiOpAsDfGhJkL2",
        "sk-4fGh7Jk2Lm9Np3Qr8St1Uv6Wx0Yz5AbCdEf",
        "ghp_8fKs2Lq9Xw3Mz7Vb1Nc5Hd0Jg4Tr6Ye2Ui8Op",
        "gho_16C7e42F292c6912E7710c838347Ae178B4a",
        "github_pat_11AQ7KJ2Y0kT9xLm3Np8Qr_Vb5Wc2Xd7Ye1Zf4Ag6Bh9Ci3Dj0Ek5Fl8Gm2Hn7Io4Jp1Kq6Lr9Ms",
        "xoxb-2048573619-5829301746-Zq8Wk3Lm9Np2Qr7St",
        "xoxp-4829163057-7391048265-Ab1Cd2Ef3Gh4",
        "sk_live_51HqZx2KpL9mN3vB8cX7wQ4rT",
        "rk_live_9Kp2Lm4Nq7Rs1Tv5Wx8Yz3Ab",
        "AIzaSyD3fG7hJ2kL9mN4pQ8rS1tV6wX0yZ5aB3c",
        "ya29.a0AfH6SMBx7Kq2Lm9Np3Qr8St1Uv6Wx0Yz5Ab",
        "AKIA4HQ7ZK2LM9NP3QR8",
        "ASIAY3XK7LQ2MZ9NP4RT",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
        "glpat-x8Kq2Lm9Np3Qr7St1Uv5",
        "hf_Kq2Lm9Np3Qr7St1Uv5Wx8Yz4Ab6Cd0EfGh",
        "SG.Kq2Lm9Np3Qr7St1Uv5Wx8Y.z4Ab6Cd0EfGhIj2Kl4Mn6Op8Qr0St2Uv4Wx6Yz8Ab0",
    ]

    func testProviderKeys() {
        for value in Self.secrets {
            assertFinds(value, as: .secret, prefix: "key ", suffix: " end")
            assertFinds(value, as: .secret, prefix: "export TOKEN=", suffix: "\n")
        }
    }

    func testPEMPrivateKeyWholeBlock() {
        let pem = """
        -----BEGIN RSA PRIVATE KEY-----
        MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun
        VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK
        LxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW/VDL5AaWTg0nLVkjRo
        -----END RSA PRIVATE KEY-----
        """
        assertFinds(pem, as: .secret, prefix: "here is my key:\n", suffix: "\nthanks")
        let openssh = "-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\\n-----END OPENSSH PRIVATE KEY-----"
        assertFinds(openssh, as: .secret, prefix: "{\"key\": \"", suffix: "\"}")
        // Truncated: the base64 lines are still covered, the prose after them is not.
        let truncated = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\nVJTUt9Us8cKj"
        assertFinds(truncated, as: .secret, prefix: "oops ", suffix: "\nand then the rest of the message")
        // Public material is not a secret.
        assertClean("-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ\n-----END CERTIFICATE-----")
        assertClean("-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----")
    }

    func testAuthorizationValues() {
        // The header value (scheme and credential) is the secret.
        assertFinds("Bearer Zq8Wk3Lm9Np2Qr7St1Uv", as: .secret, prefix: "Authorization: ", suffix: "\r\n")
        assertFinds("Bearer Zq8Wk3Lm9Np2Qr7St1Uv", as: .secret, prefix: "curl -H 'Authorization: ", suffix: "' https://x")
        assertFinds("Basic dXNlcjpjb3JyZWN0LWhvcnNl", as: .secret, prefix: "Authorization: ", suffix: "\n")
        assertFinds("Token a1b2c3d4e5f6a7b8c9d0", as: .secret, prefix: "Authorization: ", suffix: "\n")
        assertFinds("bearer Zq8Wk3Lm9Np2Qr7St1Uv", as: .secret, prefix: "send ", suffix: " along")
        assertFinds("Bearer Zq8Wk3Lm9Np2Qr7St1Uv", as: .secret, prefix: "{\"Authorization\": \"", suffix: "\"}")
        assertClean("the bearer of this letter")
        assertClean("Basic usage is simple")
        assertClean("Authorization: Bearer <token>")
        assertClean("Authorization: Bearer $TOKEN")
        assertClean("Authorization: Bearer YOUR_ACCESS_TOKEN_HERE")
    }

    func testAssignments() {
        assertFinds("hunter2", as: .secret, prefix: "password=", suffix: "\n")
        assertFinds("hunter2", as: .secret, prefix: "DB_PASSWORD = \"", suffix: "\"")
        assertFinds("s3cr3t-Value", as: .secret, prefix: "{\"api_key\": \"", suffix: "\"}")
        assertFinds("s3cr3t-Value", as: .secret, prefix: "{\\\"api_key\\\": \\\"", suffix: "\\\"}")
        assertFinds("Xk9!mQ2#", as: .secret, prefix: "secret: ", suffix: "\n")
        assertFinds("correcthorsebatterystaple", as: .secret, prefix: "password: ", suffix: "\n")
        assertFinds("abc123def456", as: .secret, prefix: "https://api.example.com/v1?api_key=", suffix: "&q=1")
        assertFinds("tok_9f8e7d6c5b4a", as: .secret, prefix: "GITHUB_TOKEN=", suffix: " make deploy")
        assertFinds("p@ssw0rd!", as: .secret, prefix: "client_secret := '", suffix: "'")
        assertFinds("Sup3rS3cret", as: .secret, prefix: "'password' => '", suffix: "',")
        assertFinds("pa55word", as: .secret, prefix: "postgres://admin:", suffix: "@db.internal:5432/app")
        assertFinds("wJalrXUtnFEMIK7MDENGbPxRfiCYzQk3Lm9Np2", as: .secret, prefix: "aws_secret_access_key=", suffix: "\n")
        // Bare words: at a line end, in a query string, after a CLI flag or in an env assignment.
        assertFinds("supersecret", as: .secret, prefix: "db:\n  password: ", suffix: "\n  user: app")
        assertFinds("supersecret", as: .secret, prefix: "GET /login?user=bob&password=", suffix: "&next=/")
        assertFinds("rootpass", as: .secret, prefix: "mysql -u root --password=", suffix: " shop")
        assertFinds("rootpass", as: .secret, prefix: "DB_PASSWORD=", suffix: " npm start")
        assertFinds("S3cr3tPass", as: .secret, prefix: "curl -u admin:", suffix: " https://example.com")
        assertFinds("Hunter2024!", as: .secret, prefix: "the password is ", suffix: " for now")
        assertFinds("Tr0ub4dor&3", as: .secret, prefix: "changed my password to ", suffix: ".")
    }

    func testAssignmentLookAlikes() {
        for text in ["password = get_password()", "password: ${DB_PASSWORD}", "password=\"\"", "token_count=4096", "max_tokens: 256",
                     "password = config.db_password", "api_key = os.environ[\"API_KEY\"]", "password: <your password>",
                     "secret: true", "password=*****", "api_key: YOUR_API_KEY", "Secret: Tomorrow", "password_length: 12",
                     "author: Jane", "if token == other", "password: {{ vault_password }}", "password=%(pw)s",
                     "password: \"changeme\"", "password = null", "the keyboard: nice", "https://example.com/path?q=1",
                     // Code: variables, keywords and types after credential-like names.
                     "const hashPassword = async (user) => {}", "for _, offsetToken := range jobs {", "const token = await fetchToken(url);",
                     "for (Page token : pages) {", "handle(orderToken: LineItem) {", "return {\"offset_token\": entries}",
                     "log.Printf(\"refreshToken: resolution %s\", id)", "cache miss key=token:e60098e1 ttl=980s",
                     "the password is incorrect", "use a password manager", "this password is customer-facing", "the password zero-downtime", "your password managers?", "api_key_id: key_123abc",
                     "token_url=https://auth.example.com/token", "Tel Aviv | 15423.71 | USD"] {
            assertClean(text)
        }
    }

    /// `&` is part of a password in configuration and prose; it separates values only in a query
    /// string or a form body.
    func testAssignmentValuesKeepAmpersands() {
        assertFinds("django-insecure-k3j&x9!m2p#q", as: .secret, prefix: "SECRET_KEY=", suffix: "\n")
        assertFinds("Abc&def123", as: .secret, prefix: "DB_PASSWORD=", suffix: "")
        assertFinds("p@ss&word1", as: .secret, prefix: "password: ", suffix: "\n")
        assertFinds("Abc&def123", as: .secret, prefix: "export DB_PASSWORD=", suffix: " && npm start")
        assertFinds("Tr0ub&dor", as: .secret, prefix: "{\"password\": \"", suffix: "\"}")
        // Query strings and form bodies: `&` ends the value, the next parameter is not part of it.
        XCTAssertEqual(found("GET /x?a=1&password=Zx9q&b=2").map(\.1), ["Zx9q"])
        XCTAssertEqual(found("GET /login?user=bob&password=supersecret&next=/").map(\.1), ["supersecret"])
        XCTAssertEqual(found("user=bob&password=s3cr3t&grant_type=password").map(\.1), ["s3cr3t"])
        XCTAssertEqual(found("curl -d 'password=s3cr3t&user=bob' https://x").map(\.1), ["s3cr3t"])
        XCTAssertEqual(found("password=abc1&&make").map(\.1), ["abc1"])
        for text in ["a=1&b=2&c=3", "x && y", "if (ok && token) {", "token_count=4096&page=2", "Q&A session"] {
            assertClean(text)
        }
    }

    /// Names ending in `key` vouch for a value only when it looks like generated key material.
    func testGenericKeyNamesWithRandomValues() {
        let hex = "5aef7ac86d66c7a644fb12853ef86dcf"
        assertFinds(hex, as: .secret, prefix: "AZURE_OPENAI_KEY=", suffix: "\n")
        assertFinds(hex, as: .secret, prefix: "OPENAI_KEY=", suffix: "")
        assertFinds(hex, as: .secret, prefix: "ANTHROPIC_KEY=", suffix: " python app.py")
        assertFinds(hex, as: .secret, prefix: "{\"key\": \"", suffix: "\"}")
        assertFinds(hex, as: .secret, prefix: "openaiKey: '", suffix: "'")
        assertFinds("p5yftIY7uq6T2bwGfcCvJAXrF6bnZ3eBZclIvRY6", as: .secret, prefix: "x-key: ", suffix: "\n")
        for text in ["api_key_header: X-API-Key", "key: welcome_message_2", "{\"key\": \"user.profile.title\"}",
                     "cache_key=\(hex)", "primary_key: user_id", "monkey=\(hex)", "hockey: \(hex)",
                     "{\"key\": \"123e4567-e89b-12d3-a456-426614174000\"}", "ssh_key: ~/.ssh/id_rsa", "key = \"ArrowUp\"",
                     "SORT_KEY=created_at_2024", "key: 1234567890123456789", "KEY=your-api-key-here-12345678",
                     "STRIPE_PUBLISHABLE_KEY=pk_test_TYooMQauvdEDq54NiTphI7jx", "key: pk_live_TYooMQauvdEDq54NiTphI7jx"] {
            assertClean(text)
        }
    }

    /// Random-looking cookie values in `Cookie` / `Set-Cookie` headers; attributes and ordinary
    /// values stay.
    func testCookieValues() {
        let sid = "p5yftIY7uq6T2bwGfcCvJAXrF6bnZ3eBZclIvRY6"
        XCTAssertEqual(found("Cookie: sessionid=\(sid)").map(\.1), [sid])
        XCTAssertEqual(found("Set-Cookie: sessionid=\(sid); HttpOnly; Path=/; Secure").map(\.1), [sid])
        XCTAssertEqual(found("Cookie: theme=dark; csrftoken=Xk29fLq8Zm3Np7Rt5Vw1Yb4Cd6; lang=en").map(\.1), ["Xk29fLq8Zm3Np7Rt5Vw1Yb4Cd6"])
        XCTAssertEqual(found("{\"Cookie\": \"sid=\(sid); a=b\"}").map(\.1), [sid])
        XCTAssertEqual(found("Cookie: user=bob@example.com; sid=\(sid)").map(\.0), ["EMAIL", "SECRET"])
        for text in ["Cookie: theme=dark; lang=en-US", "Set-Cookie: consent=yes; Max-Age=31536000; Path=/; SameSite=Lax",
                     "Cookie: chocolate chip, please", "Cookie: id=123e4567-e89b-12d3-a456-426614174000"] {
            assertClean(text)
        }
    }

    /// `-p` password flags after a user flag; ports, compiler flags and `mkdir -p` stay.
    func testPasswordFlags() {
        assertFinds("D0ck3rP@ss", as: .secret, prefix: "docker login -u admin -p ", suffix: "")
        assertFinds("MyS3cret", as: .secret, prefix: "mysql -u root -p", suffix: " shop")
        assertFinds("S3cr3t!", as: .secret, prefix: "mysql -u root -p'", suffix: "' db")
        assertFinds("passw0rd", as: .secret, prefix: "mysql -uroot -p", suffix: "\n")
        for text in ["docker run -u 1000 -p 8080:80 nginx", "gcc -u x -pthread main.c", "mkdir -p build/out", "git add -p",
                     "ssh -p 2222 host", "mysql -u root -p", "docker login -u admin -p $PASSWORD", "cp -u -p src/a2 dst",
                     "psql -U app -p 5432", "run -p Xy9z"] {
            assertClean(text)
        }
    }

    /// Stripe test keys, Google OAuth client secrets, Twilio API keys, Telegram bot tokens and
    /// Databricks tokens by their prefixes.
    func testMoreProviderKeys() {
        for value in ["sk_test_4eC39HqLyjWDarjtT1zdp7dc", "rk_test_51H8xYzAbCdEf9GhIjKlMnOp", "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",
                      "SKaaf89691052be1ceb374dab4683f84d3", "6586892367:AAZ4RlvUOUjNwoLR1uLAy0xhnTf0baNaMYm",
                      "dapi07255bc509cb3acac23db7c6e9b7d180", "dapi07255bc509cb3acac23db7c6e9b7d180-2"] {
            assertFinds(value, as: .secret, prefix: "key ", suffix: " end")
            assertFinds(value, as: .secret, prefix: "(", suffix: ")")
        }
        for text in ["sk_test_...", "GOCSPX-short", "GOCSPX-XXXXXXXXXXXXXXXXXXXXXXXXXXXX", "SKU SKU12345 in stock",
                     "SKffffffffffffffffffffffffffffffff", "SK0123456789abcdef0123456789abcdef0", "time 12345678:AAAA",
                     "ids 6586892367:AB12 and 123:AAZ4RlvUOUjNwoLR1uLAy0xhnTf0baNaMYm", "dapi docs", "dapi-client 1.2.3",
                     "dapi07255bc509cb3acac23db7c6e9b7d18", "Golang GOPATH=/go", "order-6586892367:AAZ4RlvUOUjNwoLR1uLAy0xhnTf0baNaMYm"] {
            assertClean(text)
        }
    }

    /// Webhook and signed URLs: the part that authorises is the secret, the rest of the URL stays.
    func testWebhookAndSignedURLs() {
        XCTAssertEqual(found("post to https://hooks.slack.com/services/T024BE7LD/B01ABCDEF12/aB3dE5gH7jK9mN1pQ3rS5tU7 now").map(\.1),
                       ["aB3dE5gH7jK9mN1pQ3rS5tU7"])
        let discord = "abcDEF123_ghiJKL456-mnoPQR789stuVWX012yzaBCD345efgHIJ678klmNOP9"
        XCTAssertEqual(found("https://discord.com/api/webhooks/1234567890123456789/\(discord)").map(\.1), [discord])
        XCTAssertEqual(found("https://discordapp.com/api/webhooks/1234567890123456789/\(discord)?wait=true").map(\.1), [discord])
        let sig = "KGFkrddYsLVxvnNPWxTODVrVGEhfnZgB%2F2%2FuMksDur4%3D"
        XCTAssertEqual(found("https://acme.blob.core.windows.net/c/f.pdf?sv=2022-11-02&ss=b&srt=o&sp=r&se=2024-12-31&sig=\(sig)").map(\.1), [sig])
        XCTAssertEqual(found("GET /o?X-Amz-Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024&x=1").map(\.1),
                       ["fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024"])
        XCTAssertEqual(found("sentry dsn https://5aef7ac86d66c7a644fb12853ef86dcf@o123456.ingest.sentry.io/789").map(\.1),
                       ["5aef7ac86d66c7a644fb12853ef86dcf"])
        for text in ["https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX", "see hooks.slack.com/services/ docs",
                     "https://discord.com/api/webhooks/{id}/{token}", "join discord.com/invite/abc", "img?sig=abc&x=1",
                     "?sig=hello_world_again_now&x=1", "email signature=Best regards", "https://deploy@example.com/repo",
                     "https://git.example.com/acme/widgets.git"] {
            assertClean(text)
        }
    }

    /// Passwords in prose, XML, .NET config and PowerShell.
    func testPasswordsInProseAndMarkup() {
        assertFinds("Sunshine!", as: .secret, prefix: "password is ", suffix: "")
        assertFinds("BlueSky42", as: .secret, prefix: "My password for the VPN is ", suffix: "")
        assertFinds("sunshine", as: .secret, prefix: "the wifi password is ", suffix: "")
        assertFinds("sunshine", as: .secret, prefix: "password is ", suffix: ".")
        assertFinds("Sunshine", as: .secret, prefix: "password: ", suffix: "\n")
        assertFinds("839201", as: .secret, prefix: "the passcode is ", suffix: " ok")
        assertFinds("XmlS3cret!", as: .secret, prefix: "<password>", suffix: "</password>")
        assertFinds("uZMhc76RpqwmSCb1LChYbFheZqljJ7s3", as: .secret, prefix: "<add key=\"ApiKey\" value=\"", suffix: "\" />")
        assertFinds("tGh7Kq2Lm9Np3Qr7St1Uv5", as: .secret, prefix: "$env:API_TOKEN = \"", suffix: "\"")
        assertFinds("O5PjeJfJTNcrZ6ydIEsgo5nVjzz8Gwb8ewCISuYC", as: .secret, prefix: "secret access key: ", suffix: "")
        for text in ["password is required", "password is too short", "the password is incorrect", "password is reset daily",
                     "The password is wrong", "your password is being reset", "the password for this account is expired",
                     "password is case-sensitive", "password is a secret", "the password is stored in vault", "Password: Required",
                     "the password for this is usually long", "<password></password>", "<password>${DB_PASSWORD}</password>",
                     "<add key=\"Theme\" value=\"DarkModeEnabled2024\" />", "$env:PATH = \"C:\\bin;$env:PATH\"",
                     "password = get_password()", "reset your password to continue", "password: Sunshine and more"] {
            assertClean(text)
        }
    }

    /// Password words of other languages, before `:`/`=` and before their "is".
    func testPasswordWordsInOtherLanguages() {
        let cases: [(String, String)] = [
            ("contraseña: ", "S3gura!x"), ("la contraseña es ", "Gato1234"), ("senha: ", "Segredo99"), ("a senha é ", "Segredo99"),
            ("パスワード: ", "Himitsu123"), ("密码: ", "mima2024abc"), ("密码=", "mima2024abc"), ("Passwort ist ", "Geheim123"),
            ("Kennwort: ", "Geheim123"), ("mot de passe: ", "Secret123!"), ("le mot de passe est ", "Soleil2024"),
            ("wachtwoord: ", "Geheim123"), ("het wachtwoord is ", "Geheim123"), ("hasło: ", "Tajne123!"), ("haslo=", "Tajne123!"),
            ("hasło jest ", "Tajne123"), ("пароль: ", "Parol2024"), ("Пароль: ", "Parol2024"),
        ]
        for (prefix, value) in cases { assertFinds(value, as: .secret, prefix: prefix, suffix: "") }
        for text in ["mot de passe est requis", "contraseña es incorrecta", "la senha é obrigatoria", "he has Sunshine1 here",
                     "the mot juste", "Kennwort ist falsch", "wachtwoord is onjuist", "hasło: ${HASLO}", "密码: <your password>",
                     "the password is configurable", "password is sensitive", "has been released", "a motto is Carpe1"] {
            assertClean(text)
        }
    }

    func testAWSSecretKeyBesideAccessKeyID() {
        let text = "AWS_ACCESS_KEY_ID AKIA4HQ7ZK2LM9NP3QR8 secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQk3Lm9Np2 region us-east-1"
        let hits = found(text)
        XCTAssertTrue(hits.contains { $0 == ("SECRET", "AKIA4HQ7ZK2LM9NP3QR8") })
        XCTAssertTrue(hits.contains { $0 == ("SECRET", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQk3Lm9Np2") })
        // The same 40 characters far from any access key id are left alone (they could be anything).
        let far = String(repeating: "lorem ipsum ", count: 40) + "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQk3Lm9Np2"
        assertClean(far)
    }

    func testSecretLookAlikes() {
        for text in ["sk-XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "sk-your-api-key-here-123456",
                     "sk-proj-REPLACE_WITH_YOUR_KEY_1234", "sk-1234567890abcdefghijklmnop", "AKIAXXXXXXXXXXXXXXXX", "AKIAIOSFODNN7EXAMPLE",
                     "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "sk-...", "sk_live_...", "xoxb-your-token", "eyJhbGciOi.notajwt",
                     "uuid 123e4567-e89b-12d3-a456-426614174000", "commit 9fceb02d0ae598e95dc970b74767f19372d61af8",
                     "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "task-runner", "sk-learn",
                     "skeleton key", "base64 aGVsbG8gd29ybGQ=", "ask-me-anything-about-it-please"] {
            assertClean(text)
        }
    }

    // MARK: - Overlaps and order

    func testOverlapsResolveDeterministically() {
        // An SMS-gateway address contains a phone number: one merged EMAIL span.
        XCTAssertEqual(found("mail 4155552671@txt.att.net now").map(\.0), ["EMAIL"])
        // Detections come back in text order.
        let text = "a@example.com then 10.0.0.1 then 4111 1111 1111 1111"
        XCTAssertEqual(found(text).map(\.0), ["EMAIL", "IP_ADDRESS", "CREDIT_CARD"])
        XCTAssertEqual(found(text).map(\.0), found(text).map(\.0))
    }

    func testEmptyAndTinyInputs() {
        assertClean("")
        assertClean("a")
        assertClean("@")
        assertClean("-----BEGIN ")
        assertClean("+")
        assertClean("sk-")
        assertClean(":")
        assertClean("eyJ")
    }
}
