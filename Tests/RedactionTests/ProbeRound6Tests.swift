import XCTest
@testable import Redaction

/// Fixes from the sixth probing round: values behind literal escapes (`\n4111…`, `\u0022sk-…`),
/// numbers typeset with no-break spaces and typographic dashes, cards listed one after another,
/// SSNs under longer key names, PEM blocks after an unquoted key, IPv4 ranges, key material in
/// prose, more password phrasings and code shapes. Each case failed before its fix.
final class ProbeRound6Tests: XCTestCase, DetectionAssertions {
    let engine = RedactionEngine()

    // Secret-looking values are assembled from pieces so that the source holds no complete token.
    let githubToken = "gh" + "p_" + "lUN8tYv5jyn4UtssTQ2ti8Jcq0ZxYz6v0xzV"
    let anthropicKey = "sk-" + "ant-api03-" + "2GolcENElLc8cUqr_gkNjb_EKcc2qTPMa7vVaqAzS_qNLsF3uQ8P6gzLEkl8Vk50ykhRcKf2o7q5gIJZ1n1el2zMgsydfAA"
    let pemBody = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n"
        + "MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu\n"
        + "NMoSfm76oqFvAp8Gy0iz5sxjZmSnXyCdPEovGhLa0VzMaQ8s+CLOyS56YyCFGeJZ"

    func pem(_ label: String, _ separator: String = "\n") -> String {
        "-----BEGIN " + label + "-----" + separator + pemBody.replacingOccurrences(of: "\n", with: separator) + separator + "-----END " + label + "-----"
    }

    // MARK: - Escapes

    func testValuesAfterLiteralEscapedNewlinesAndTabs() {
        assertFinds("4111111111111111", as: .creditCard, in: #"{"log":"payment failed\ncard=4111111111111111\nretry"}"#)
        assertFinds("4111111111111111", as: .creditCard, in: #"\n4111111111111111\n"#)
        assertFinds("5555 5555 5555 4444", as: .creditCard, in: #"\t5555 5555 5555 4444"#)
        assertFinds("078-05-1120", as: .usSSN, in: #"text\n078-05-1120\n"#)
        assertFinds("+44 20 7946 0958", as: .phone, in: #"phone\n+44 20 7946 0958"#)
        assertFinds("(415) 555-2671", as: .phone, in: #"\n(415) 555-2671"#)
        assertFinds("DE89 3704 0044 0532 0130 00", as: .iban, in: #"\nDE89 3704 0044 0532 0130 00"#)
        assertFinds("10.1.2.3", as: .ipAddress, in: #"\n10.1.2.3"#)
        assertFinds("S3cr3t-Pa55", as: .secret, in: #"DB_HOST=db\nDB_PASSWORD=S3cr3t-Pa55\nDB_USER=app"#)
        assertFinds("XF%jx7yPsnJFwA", as: .secret, in: #"user: app\npass: XF%jx7yPsnJFwA"#)
        assertFinds(githubToken, as: .secret, in: #"\n"# + githubToken + #"\n"#)
        // The escape letter is not part of what follows it.
        assertFinds("jane@example.com", as: .email, in: #"note\njane@example.com"#)
        assertClean(#"printf("%s\t%d\n", name, count); path C:\new\table\report.txt"#)
    }

    func testValuesAfterUnicodeEscapes() {
        assertFinds(anthropicKey, as: .secret, in: #"u=\u0022"# + anthropicKey + #"\u0022"#)
        assertFinds("4111111111111111", as: .creditCard, in: #"card\u003a4111111111111111"#)
        assertFinds("jane@example.com", as: .email, in: #"\u003cjane@example.com\u003e"#)
        // `\u0040` is an `@`: the address covers the escape.
        assertFinds(#"jane\u0040example.com"#, as: .email, in: #"mail: jane\u0040example.com"#)
        assertFinds("Ppa7xWKxKjXfBPElrJ6Mf94OB9s6rKMX", as: .secret,
                    in: #"\u0022api_key\u0022: \u0022Ppa7xWKxKjXfBPElrJ6Mf94OB9s6rKMX\u0022"#)
        assertClean(#"\u003cdiv class=\u0022card\u0022\u003e4 items\u003c/div\u003e"#)
    }

    func testBase64PEMKeyAfterAnEscapedNewline() {
        let encoded = Data(pem("PRIVATE KEY").utf8).base64EncodedString()
        assertFinds(encoded, as: .secret, in: #"{"data":{"tls.key":"x\n"# + encoded + #"\n"}}"#)
        assertFinds(encoded, as: .secret, in: #"client-key-data:\n"# + encoded)
    }

    // MARK: - Numbers

    func testNumbersTypesetWithNoBreakSpacesAndDashes() {
        assertFinds("4111\u{A0}1111\u{A0}1111\u{A0}1111", as: .creditCard, in: "Kartennummer 4111\u{A0}1111\u{A0}1111\u{A0}1111")
        assertFinds("4111\u{2009}1111\u{2009}1111\u{2009}1111", as: .creditCard, in: "card: 4111\u{2009}1111\u{2009}1111\u{2009}1111")
        assertFinds("FR76\u{A0}3000\u{A0}6000\u{A0}0112\u{A0}3456\u{A0}7890\u{A0}189", as: .iban,
                    in: "IBAN\u{A0}: FR76\u{A0}3000\u{A0}6000\u{A0}0112\u{A0}3456\u{A0}7890\u{A0}189")
        assertFinds("+33\u{202F}6\u{202F}12\u{202F}34\u{202F}56\u{202F}78", as: .phone, in: "portable +33\u{202F}6\u{202F}12\u{202F}34\u{202F}56\u{202F}78")
        assertFinds("078\u{2013}05\u{2013}1120", as: .usSSN, in: "SSN: 078\u{2013}05\u{2013}1120")
        assertFinds("415\u{2013}555\u{2013}2671", as: .phone, in: "tel 415\u{2013}555\u{2013}2671")
        assertClean("Preis: 1\u{A0}299,00\u{A0}€ – Lieferung 2–3 Tage; Seiten 120–145, Jahre 2019–2024")
    }

    func testCardsListedOneAfterAnother() {
        XCTAssertEqual(found("cards: 4111111111111111 5555555555554444").map(\.1), ["4111111111111111", "5555555555554444"])
        XCTAssertEqual(found("4111 1111 1111 1111 5555 5555 5555 4444").map(\.1), ["4111 1111 1111 1111", "5555 5555 5555 4444"])
        // A number after a card that is no card itself stays.
        XCTAssertEqual(found("4111111111111111 4111111111111112").map(\.1), ["4111111111111111"])
    }

    func testCardAfterAWordWithDigits() {
        assertFinds("4111 1111 1111 1111 003", as: .creditCard, in: "visa19 4111 1111 1111 1111 003")
        assertFinds("5555 5555 5555 4444", as: .creditCard, in: "card2 5555 5555 5555 4444")
        assertClean("IBAN DE89 3704 0044 0532 0130 01 (bad check digits)")
    }

    func testCardAfterAnAbbreviationAndADot() {
        assertFinds("4111111111111111", as: .creditCard, in: "No.4111111111111111")
        assertFinds("4111 1111 1111 1111", as: .creditCard, in: "Karte Nr.4111 1111 1111 1111")
        assertClean("ref ABC-4111111111111111 and No.1234567812345678")
    }

    func testSSNUnderLongerNames() {
        assertFinds("078051120", as: .usSSN, in: #"{"social_security_number":"078051120"}"#)
        assertFinds("078051120", as: .usSSN, in: "socialSecurityNumber=078051120")
        assertFinds("078051120", as: .usSSN, in: #"{"ssn_full": "078051120"}"#)
        assertFinds("078-05-1120", as: .usSSN, in: "SS#078-05-1120")
        assertFinds("078051120", as: .usSSN, in: "SSN/078051120")
        assertFinds("078.05.1120", as: .usSSN, in: "SSN 078.05.1120")
        assertClean(#"social_media_id: 123456789, "socialScore": 123456789, ssn_last4: 1120, v078.05.1120"#)
    }

    func testIPv4Range() {
        XCTAssertEqual(found("range 10.0.0.1-10.0.0.254").map(\.1), ["10.0.0.1", "10.0.0.254"])
        assertClean("tag v1.2.3.4-5.6.7.8 and build 1.2.3-rc1")
    }

    // MARK: - PEM

    func testPEMBlockAfterAnUnquotedKey() {
        let oneLine = pem("PRIVATE KEY", " ")
        assertFinds(oneLine, as: .secret, in: "private_key: " + oneLine)
        let block = pem("RSA PRIVATE KEY")
        assertFinds(block, as: .secret, in: "private_key: " + block + "\nnext: 1")
    }

    func testPEMLabelWithDigits() {
        let block = pem("SSH2 ENCRYPTED PRIVATE KEY")
        assertFinds(block, as: .secret, in: block)
    }

    // MARK: - Secrets

    func testKeyMaterialInProse() {
        assertFinds("Br2WcULj4ivEVp97ndEaB4Dnpkz0rEwF", as: .secret, in: "My API key is Br2WcULj4ivEVp97ndEaB4Dnpkz0rEwF")
        assertFinds("mToOZTREnmHOwHhZ8JaAgsEvaYkMhY0d46lxJE0u", as: .secret, in: "here is the token mToOZTREnmHOwHhZ8JaAgsEvaYkMhY0d46lxJE0u")
        assertFinds("dRFiBShWzSIiopuMNEu4YOPXoXtyyk1J", as: .secret, in: "apikey dRFiBShWzSIiopuMNEu4YOPXoXtyyk1J")
        assertFinds("q7RkT2vLp9WmX4sZa8NcB3yHd6FgJ1Ue", as: .secret, in: "the secret is q7RkT2vLp9WmX4sZa8NcB3yHd6FgJ1Ue.")
        assertClean("GPG signing key 3AA5C34371567BD2; secret 356a192b7913b04c54574d18c28d46e6395428ab; token eyJhbGciOiJIUzI1NiJ9 is only the header")
        assertClean("The key insight is caching; the token limit is 8192; key 0f8fad5b-d9cb-469f-a165-70867728950e")
    }

    func testPasswordPhrasesInGermanAndFrench() {
        assertFinds("YgxEJezkoF0S8j", as: .secret, in: "Mein Passwort lautet YgxEJezkoF0S8j")
        assertFinds("O#ELDmf21R%wSl", as: .secret, in: "le mot de passe est : O#ELDmf21R%wSl")
        assertFinds("Y%aK9ddFhQEpki", as: .secret, in: "le mot de passe est\u{A0}: Y%aK9ddFhQEpki")
        assertFinds("beHCTXOM4jSDrQ", as: .secret, in: "Mot de passe\u{A0}: beHCTXOM4jSDrQ")
        assertFinds("Soleil#2024", as: .secret, in: "mdp: Soleil#2024")
        assertClean("Das Passwort lautet wie folgt:")
    }

    func testPasswordAfterADashOrAColonLaterInTheSentence() {
        assertFinds("NAF6Ni%13!DNCx", as: .secret, in: "temporary password - NAF6Ni%13!DNCx")
        assertFinds("9XX75bKm3qGZ%D", as: .secret, in: "The new password for the shared mailbox: 9XX75bKm3qGZ%D")
        assertClean("Password - Minimum 12 characters, one digit\npassword - see vault\npassword for user: admin")
    }

    func testPasswordStartingWithAHash() {
        assertFinds("#sFkbyl6uUW5Ys", as: .secret, in: "spring.datasource.password=#sFkbyl6uUW5Ys")
        assertFinds("#sFkbyl6uUW5Ys", as: .secret, in: "password = #sFkbyl6uUW5Ys")
        assertClean("password: # set in vault\ncolor = #ff5733")
    }

    func testSubscriptAssignments() {
        assertFinds("Fwjv4S8l5im7xXcKuJz8TzWvdJhFOa4O", as: .secret, in: "app.config['SECRET_KEY'] = 'Fwjv4S8l5im7xXcKuJz8TzWvdJhFOa4O'")
        assertFinds("S3cr3t!pw", as: .secret, in: #"os.environ["DB_PASSWORD"] = "S3cr3t!pw""#)
        assertClean(#"app.config['SESSION_TYPE'] = 'filesystem'; os.environ["PATH"] = "/usr/bin""#)
    }

    func testSQLPasswordStatements() {
        assertFinds("*Y%zSR5kEdISN3", as: .secret, in: "SET PASSWORD FOR 'app'@'%' = '*Y%zSR5kEdISN3';")
        assertFinds("Tiger2024x", as: .secret, in: "SET PASSWORD = PASSWORD('Tiger2024x');")
        assertFinds("U14ErC6vojbPYU", as: .secret, in: "CREATE USER scott IDENTIFIED BY U14ErC6vojbPYU;")
        assertClean("ALTER USER app IDENTIFIED BY VALUES; IDENTIFIED BY :new_password; SET PASSWORD_EXPIRY = 90;")
    }

    func testRequestsAuthTuple() {
        assertFinds("FdQT0ecFfZSPon", as: .secret, in: #"requests.get(url, auth=("admin", "FdQT0ecFfZSPon"))"#)
        assertClean(#"requests.get(url, auth=("user", os.environ["PW"])); auth = (username, password)"#)
    }

    func testCurlUserWithoutPassword() {
        // `curl -u KEY:`: the key is the user; the URL after it is not a password.
        XCTAssertEqual(found("curl -u XBjfgUEz4d5WL4eBpBlpMIWQm0QszKwi: https://api.stripe.com/v1/charges").map(\.1),
                       ["XBjfgUEz4d5WL4eBpBlpMIWQm0QszKwi"])
        assertClean("curl -u admin: https://example.com")
    }

    func testXMLPasswordAttribute() {
        XCTAssertEqual(found(#"<Password value="uPewsdL8Wcpkj6"/>"#).map(\.1), ["uPewsdL8Wcpkj6"])
        assertClean(#"<Password value=""/> <PasswordBox x:Name="pwd" />"#)
    }

    func testSlackRefreshTokenPrefix() {
        let token = "xox" + "e.xox" + "p-1-" + "eREE1x0FKMtasfnkW6gO6zuRH1Hw28SIlS7LvLwzgoDwzgKRnX0yK0ClXIWcvoWVheu20q631oV1dLhtUvXE"
        assertFinds(token, as: .secret, in: "refresh: " + token)
    }

    func testRedisConfLines() {
        assertFinds("O8APxIvHtUgsLO", as: .secret, in: "bind 127.0.0.1\nrequirepass O8APxIvHtUgsLO\n")
        assertFinds("*Y%zSR5kEdISN3", as: .secret, in: "masterauth *Y%zSR5kEdISN3")
        assertClean("requirepass yes\nmasterauth no")
    }

    func testMarkdownPasswordRow() {
        assertFinds("S0e74hAhbIy*D7", as: .secret, in: "| password | S0e74hAhbIy*D7 |")
        assertFinds("P@ssw0rd!2024", as: .secret, in: "| Password | `P@ssw0rd!2024` |")
        assertClean("| Password | required |\n| password | `string` |\n| Password | bcrypt |\n| password_min_length | 12 |")
    }
}
