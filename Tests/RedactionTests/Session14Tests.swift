import XCTest
@testable import Redaction

/// Fixes of session 14: provider key prefixes found bare in prose (Notion's older `secret_`,
/// Doppler, Square, Meta, Fly.io, PlanetScale), and the misses of probe round 15
/// (docs/REDACTION.md §19). Each positive case failed before its fix.
final class Session14Tests: XCTestCase, DetectionAssertions {
    let engine = RedactionEngine()

    // MARK: - Provider keys without a label

    func testMoreProviderKeysWithoutALabel() {
        let keys = [
            "secret_" + "NqVwYS81VP7Hb1DX8pPd5khxE3pyIgKpaUnArl63Xyk",  // Notion (older internal integrations)
            "dp.st." + "satv." + "Tvetw0tESulEETldq8b8Vw2zbJYAxyL1aCcTlN99",  // Doppler service token with its environment
            "dp.st." + "Tvetw0tESulEETldq8b8Vw2zbJYAxyL1aCcTlN99ab",  // … and without
            "dp.pt." + "mhWp708DwGw5HqXDgLVXZx3scB8fnvGNx6jvr7SIftR",  // Doppler personal token
            "sq0atp-" + "ZE1gamRkhfvjxNWgKWCVu0",  // Square access token
            "sq0csp-" + "ZE1gamRkhfvjxNWgKWCVu0Tvetw0tESulEETldq8b8V",  // Square application secret
            "EAACEdEose0cBA" + "KZCZAZBDc1JZClVlZAqPlLbHuyZBZAdNzAKtXZCLbQnqZBQTZCjZAHZCGNSZAXsuDZCBLZBZA3ZAiC0ZBcZA6j1dMZD",  // Meta
            "fo1_" + "Aeetelc8gYV59GAgDAeoAb8KIsPgRGu7x8eDygkXphN",  // Fly.io
            "pscale_tkn_" + "Mvd4siHAsAxXisPmW8UcaF8kt92AQsA01LRDv6UHGuT",  // PlanetScale
            "pscale_pw_" + "Mvd4siHAsAxXisPmW8UcaF8kt92AQsA01LRDv6UHGuT",
        ]
        for key in keys {
            assertFinds(key, as: .secret, in: "here it is \(key) thanks")
            assertFinds(key, as: .secret, in: "\(key)")
        }
        // Words that start like them stay.
        assertClean("secret_key = os.environ[\"X\"]; secret_name: prod-db-credentials-for-staging-eu-west")
        assertClean("secret_" + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
        assertClean("EAAsomething; dp.st.dev is the prefix; sq0atp-short; fo1_ and pscale_tkn_ too")
        assertClean("EAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
    }
}

/// Probe round 15 (docs/REDACTION.md §19): ops logs, vendor credentials, PII-dataset sentences,
/// tricky placement.
final class ProbeRound15Tests: XCTestCase, DetectionAssertions {
    let engine = RedactionEngine()

    func testPhoneNumbersAfterPossessiveNumberWords() {
        assertFinds("512 345 678", as: .phone, in: "mój numer: 512 345 678")
        assertFinds("612 34 56 78", as: .phone, in: "mi número es 612 34 56 78")
        assertFinds("31 97877-8145", as: .phone, in: "liga pra mim no 31 97877-8145")
        assertFinds("11 94570-7697", as: .phone, in: "Liguem para 11 94570-7697.")
        // A number of something else stays.
        assertClean("my order number 512 345 678")
        assertClean("order number 512 345 678")
        assertClean("mi número de pedido es 612 34 56 78")
        assertClean("numer zamówienia 512 345 678")
        assertClean("La Liga 2024 25 results")
    }

    func testUngroupedNumbersAfterAPhoneWordAndConnectingWords() {
        assertFinds("723371127", as: .phone, in: "mi teléfono a 723371127.")
        assertFinds("682487680", as: .phone, in: "Llámame al 682487680.")
        assertFinds("723371127", as: .phone, in: "call me at 723371127")
        assertFinds("333/2871961", as: .phone, in: "il mio cellulare è 333/2871961")
        // Other words between: no.
        assertClean("phone me about order 723371127")
    }

    func testAdjacentNumbersAreEachFound() {
        let text = "SSN list: 162-94-6003 662-94-6003"
        assertFinds("162-94-6003", as: .usSSN, in: text)
        assertFinds("662-94-6003", as: .usSSN, in: text)
        assertFinds("415-555-0132", as: .phone, in: "call 415-555-0132 415-555-0199")
        assertFinds("415-555-0199", as: .phone, in: "call 415-555-0132 415-555-0199")
        assertFinds("415.555.0199", as: .phone, in: "call 415.555.0132 415.555.0199 now")
        assertFinds("030-1234 5678", as: .phone, in: "call 030-1234 5678")
    }

    func testInvalidSSNShapeIsNoPhoneNumber() {
        assertClean("the number 062-00-9624 on the form")
        assertClean("call 258-49-0000")
    }

    func testWorkingDirectoryIsNoPassword() {
        assertClean("sudo: jdoe : TTY=pts/0 ; PWD=/home/jdoe ; USER=root ; COMMAND=/bin/ls")
        assertClean("OLDPWD=~/src")
        assertFinds("hunter2xyz", as: .secret, in: "PWD=hunter2xyz")
    }

    func testArabicAndDevanagariPunctuationEndTokens() {
        let key = "ghp_" + "7HjwOuQAuDbJ9Vm898zWTayD0EPf2lMHfHbO"
        assertFinds(key, as: .secret, in: "key \(key)، ok")
        assertFinds("GB82WEST12345698765432", as: .iban, in: "iban GB82WEST12345698765432؟ ok")
        assertFinds("a.b@example.com", as: .email, in: "mail a.b@example.com، ok")
        assertFinds("a.b@example.com", as: .email, in: "mail a.b@example.com। ok")
        assertFinds("a.b@example.com", as: .email, in: "نص عربي a.b@example.com؛ ok")
        assertFinds("x@müller.de", as: .email, in: "x@müller.de ok")
    }

    func testSSNCuesInOtherLanguages() {
        assertFinds("864493735", as: .usSSN, in: "Numéro de sécurité sociale américain : 864493735.")
        assertFinds("864493735", as: .usSSN, in: "numero di previdenza sociale 864493735")
        assertFinds("864493735", as: .usSSN, in: "Sozialversicherungsnummer (USA): 864493735")
    }

    func testMarkdownUnderscoreEmphasis() {
        let visa = "4111" + " 1111" + " 1111" + " 1111"
        assertFinds(visa, as: .creditCard, in: "card _\(visa)_ ok")
        assertFinds("415-555-0132", as: .phone, in: "_415-555-0132_")
        assertFinds("078-05-1120", as: .usSSN, in: "ssn _078-05-1120_")
        // Identifiers glued with `_` stay.
        assertClean("id_4111111111111111_x and __init__ and _private_var_2 and _10_ items")
    }

    func testHTMLMetaContentServiceAccountKeyIDAndTwilioTokenPair() {
        let key = "ciJSmxxghPbaxFwBfNt8" + "SIBQ8z5mpVkl"
        assertFinds(key, as: .secret, in: "<meta name=\"api-key\" content=\"\(key)\">")
        assertClean("<meta name=\"description\" content=\"Our API key docs\">")
        // JSON `content` (chat messages) is never a named value.
        assertClean("{\"name\":\"get_api_key\",\"content\":\"hello world\"}")
        let keyID = "a5a9a566038b4fbd5fb8" + "faa10ae3a79a454d939c"
        assertFinds(keyID, as: .secret, in: "  \"private_key_id\": \"\(keyID)\",")
        let sid = "AC8f3ef8cc1f295900d6951181ce0dd945", token = "4a6a6591463792ab" + "d6728a110da7de0f"
        assertFinds(token, as: .secret, in: "client = Client(\"\(sid)\", \"\(token)\")")
        assertFinds(token, as: .secret, in: "Client('\(sid)','\(token)')")
        assertClean("account \(sid) is active")
    }

    func testTablesWithUnquotedCommasSQLValueListsAndPsqlOutput() {
        let csv = """
            id,first_name,email,phone,iban,card_last4,zip,created_at
            97694,Marie,joao@example.com,320 5435312,ES4305938436140682715942,6340,30130,Sep 28, 2021
            97213,Anna,ivan@example.pl,21 571 9876,PT57956110187000908951414,2632,17537,Feb 23, 2020
            """
        assertFinds("320 5435312", as: .phone, in: csv)
        assertFinds("21 571 9876", as: .phone, in: csv)
        let sql = """
            INSERT INTO customers (id, email, phone, ssn, iban, created_at) VALUES
              (71758, 'nina.k@web.de', '040-99022556', '099208540', 'GR7722400076168303617877245', '2024-04-13'),
              (80962, 'o'brien@example.org', '0612345678', '835045508', 'EE462310243018626190', '2024-07-04');
            """
        assertFinds("040-99022556", as: .phone, in: sql)
        assertFinds("099208540", as: .usSSN, in: sql)
        assertFinds("835045508", as: .usSSN, in: sql)
        let psql = """
            postgres=# SELECT id, email, phone, last_ip FROM users LIMIT 2;
              id   |           email           |      phone       |    last_ip
            -------+---------------------------+------------------+---------------
             92673 | park.jiwoo@hotmail.com    | +447400404528    | 64.183.20.45
             61800 | park.jiwoo@kakao.com      | 667 851 010      | 198.51.100.134
            (2 rows)
            """
        assertFinds("667 851 010", as: .phone, in: psql)
        // A CSV row with far more cells than its header ends the table; a zip code under no
        // phone column stays.
        assertClean("id,name,phone\n1,Ann,x\nfree text, with, commas, here, and, more, and, more, 30130")
    }
}

/// Probe round 16 (docs/REDACTION.md §20): business documents, format breadth, conversations.
final class ProbeRound16Tests: XCTestCase, DetectionAssertions {
    let engine = RedactionEngine()

    func testValuesInFormBlanks() {
        assertFinds("415-555-0132", as: .phone, in: "Phone: ___415-555-0132___")
        assertFinds("078-05-1120", as: .usSSN, in: "SSN: ___078-05-1120___ ")
        assertFinds("4111 1111 1111 1111", as: .creditCard, in: "Card: __4111 1111 1111 1111__")
        assertFinds("bob@example.com", as: .email, in: "Email: ___bob@example.com___")
        assertClean("see __init__ and _private_var_2 and __10__ items; id_4111111111111111_x")
    }

    func testNetmasksAreNoAddresses() {
        assertClean("netmask 255.255.255.0")
        assertClean("mask 255.255.240.0")
        assertFinds("255.255.3.1", as: .ipAddress, in: "peer 255.255.3.1")
        assertFinds("10.0.0.1", as: .ipAddress, in: "netmask 255.255.255.0 gw 10.0.0.1")
    }

    func testAddressLiteralDomains() {
        assertFinds("postmaster@[10.0.0.5]", as: .email, in: "Email: postmaster@[10.0.0.5]")
        assertFinds("x@[IPv6:2001:db8::1]", as: .email, in: "mail x@[IPv6:2001:db8::1] ok")
    }

    func testCredentialsPairAndMorePhoneCues() {
        assertFinds("blue-Falcon-75", as: .secret, in: "credentials: root / blue-Falcon-75")
        assertFinds("0017025550176", as: .phone, in: "Home phone: 0017025550176")
        assertClean("ref 0017025550176")
        assertFinds("91 897 33 64", as: .phone, in: "Tél. 91 897 33 64")
        assertFinds("612 345 678", as: .phone, in: "☎ 612 345 678")
        assertFinds("612345678", as: .phone, in: "📞 612345678")
        assertFinds("91 897 33 64", as: .phone, in: "Ana Ruiz\nT: 91 897 33 64")
        assertClean("Total T: 2024 results")
    }

    func testSIRETIsNoCard() {
        assertClean("SIRET: 65441471695872")
    }

    func testKoreanColloquialPasswordWord() {
        assertFinds("tigre_43!XqWDs", as: .secret, in: "login: billing@gmx.net 비번은 tigre_43!XqWDs")
        assertFinds("tigre_43!XqWDs", as: .secret, in: "비번: tigre_43!XqWDs")
        assertClean("비번이 뭐였지?")
    }
}

