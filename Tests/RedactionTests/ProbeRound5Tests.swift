import XCTest
@testable import Redaction

/// Fixes from the fifth probing round: values wrapped over two lines, URL-encoded `+`, phone
/// numbers after CJK punctuation and words of more languages, Australian 1300/1800 numbers,
/// URL passwords with `#`, Oracle `user/password@`, YAML tags, image-density suffixes, part
/// numbers. Each case failed before its fix.
final class ProbeRound5Tests: XCTestCase, DetectionAssertions {
    let engine = RedactionEngine()

    func testCardWrappedOverTwoLines() {
        assertFinds("4132 4124\n1578 6680", as: .creditCard, in: "card: 4132 4124\n1578 6680")
        assertFinds("4111 1111 1111\r\n1111", as: .creditCard, in: "| 4111 1111 1111\r\n1111 |")
        // A column of numbers, or a line break with no space grouping, is not a card.
        assertClean("totals\n4000\n4100\n4200\n4300")
        assertClean("4111\n1111\n1111\n1111")
        assertClean("4132 4124\n\n1578 6680")
    }

    func testIBANWrappedOverTwoLines() {
        assertFinds("ES91 2100 0418\n4502 0005 1332", as: .iban, in: "IBAN ES91 2100 0418\n4502 0005 1332")
        assertClean("IBAN ES91 2100 0418\n4502 0005 1333")
    }

    func testURLEncodedPlusPhone() {
        assertFinds("%2B14155552671", as: .phone, in: "/api/verify?phone=%2B14155552671&code=123456")
        assertFinds("%2b442079460958", as: .phone, in: "to=%2b442079460958")
        assertClean("a%2B1234")
    }

    func testPlusPhoneAfterCJKPunctuation() {
        assertFinds("+852 2345 6789", as: .phone, in: "電話：+852 2345 6789")
        assertFinds("+81 3-1234-5678", as: .phone, in: "連絡先+81 3-1234-5678")
    }

    func testPhoneWordsOfMoreLanguages() {
        assertFinds("347 1234567", as: .phone, in: "chiamare il 347 1234567")
        assertFinds("612 345 678", as: .phone, in: "llámame al 612 345 678")
        assertFinds("612 345 678", as: .phone, in: "bel me op 612 345 678")
        assertFinds("601 234 567", as: .phone, in: "zadzwoń 601 234 567")
        assertFinds("9123 4567", as: .phone, in: "freecall 9123 4567")
        assertClean("bel canto opera, 1820-1850; call it 2019 - 2024")
    }

    func testAustralianLocalRateNumbers() {
        assertFinds("1300 123 456", as: .phone, in: "Ring us on 1300 123 456 (AU)")
        assertFinds("1800 801 920", as: .phone, in: "free 1800 801 920")
        assertClean("between 1800 and 1900, 2400 123 456 items")
        assertClean("Order 1300-123-456 is the bulk code")
    }

    func testURLPasswordWithHash() {
        assertFinds("N7#kq!Zp2w", as: .secret, in: "mysql://root:N7#kq!Zp2w@10.0.2.15:3306/shop")
        assertFinds("N7#kq!Zp2w", as: .secret, in: "sqlalchemy.url = mssql+pyodbc://sa:N7#kq!Zp2w@dsn")
        assertClean("see http://example.com#team@home")
    }

    func testOracleUserPassword() {
        assertFinds("L5g3uGTqhg5C5P5Q", as: .secret, in: "jdbc:oracle:thin:scott/L5g3uGTqhg5C5P5Q@//db.example.com:1521/ORCL")
        assertFinds("Tiger2024x", as: .secret, in: "sqlplus scott/Tiger2024x@//db:1521/XE")
        assertClean("see docs/usage@//section")
    }

    func testYAMLTagIsNotAPassword() {
        assertClean("password: !vault |\n  $ANSIBLE_VAULT;1.1;AES256")
        assertClean("MasterUserPassword: !Ref DbPassword")
        assertFinds("!Xq9vLm2p", as: .secret, in: "password: !Xq9vLm2p\n")
    }

    func testImageDensitySuffixWithDecimal() {
        assertClean("background@1.5x.jpg and icon@2x.png")
        assertFinds("ops@1.5x.io", as: .email, in: "mail ops@1.5x.io today")
    }

    func testPartNumberIsNotAPhone() {
        assertClean("Part number 0412-345-678-A and SKU 0412-345-678-B2")
        assertFinds("0412 345 678", as: .phone, in: "call 0412 345 678 - thanks")
    }

    func testPlaceholderTopLevelDomain() {
        assertClean("phone: (XXX) XXX-XXXX; email: name@domain.tld")
        assertFinds("jane@acme.tld.example.com", as: .email, prefix: "mail ", suffix: ".")
    }

    func testTerraformVariableDefault() {
        assertFinds("tHpdCfzuNdGpKADOe32a", as: .secret, in: "variable \"db_password\" {\n  type    = string\n  default = \"tHpdCfzuNdGpKADOe32a\"\n}")
        assertClean("variable \"region\" {\n  default = \"eu-west-1\"\n}")
        assertClean("variable \"db_password\" {\n  sensitive = true\n}\nvariable \"name\" {\n  default = \"Xk9mP2qLw7\"\n}")
    }

    func testCountryCodeInParentheses() {
        assertFinds("(+34) 612 345 678", as: .phone, in: "ES (+34) 612 345 678")
        assertFinds("(+1) 415-555-2671", as: .phone, in: "call (+1) 415-555-2671")
        assertClean("f(+3) and (+12) points")
    }

    func testCommandLinePasswordFlags() {
        assertFinds("L5g3uGTqhg5C5P5Q", as: .secret, in: "command: redis-server --requirepass L5g3uGTqhg5C5P5Q")
        assertFinds("L5g3uGTqhg5C5P5Q", as: .secret, in: "redis-cli -h cache -a L5g3uGTqhg5C5P5Q ping")
        assertFinds("Chang3d!t", as: .secret, in: "keytool -importkeystore -storepass Chang3d!t -keystore ks.jks")
        assertFinds("s3cr3tKey", as: .secret, in: "jarsigner -keypass=s3cr3tKey app.jar")
        assertClean("redis-server --requirepass $REDIS_PASSWORD\nredis-cli -a \"${PW}\" ping\nkeytool -storepass <password>")
        assertClean("ls -a and requirepass is a redis setting")
    }

    func testPHPDefine() {
        assertFinds("L5g3uGTqhg5C5P5Q", as: .secret, in: "define( 'DB_PASSWORD', 'L5g3uGTqhg5C5P5Q' );")
        assertFinds("x9Kq2!pLm", as: .secret, in: "define(\"AUTH_KEY\", \"x9Kq2!pLm\");".replacingOccurrences(of: "AUTH_KEY", with: "SMTP_PASS"))
        assertClean("define( 'DB_NAME', 'wordpress' ); define('DB_PASSWORD', getenv('DB_PASSWORD'));")
    }

    func testSettingsAboutPasswordsAreNotPasswords() {
        assertClean("PASSWORD_RESET_TIMEOUT = 259200\ntoken_refresh_interval: 300s\nlogin_attempts: 5")
        assertFinds("259200x", as: .secret, in: "PASSWORD = 259200x")
    }

    func testCardGluedToAnIdentifierByADash() {
        // Recall first: a card-valid number before a dash and a word is redacted (it may be a card
        // with a suffix such as "-exp"); only a dash before more digits continues another number.
        assertFinds("5500000000000004", as: .creditCard, in: "Build 5500000000000004-beta")
        assertFinds("4111111111111111", as: .creditCard, in: "card 4111111111111111-exp 12/27")
        assertFinds("5500 0000 0000 0004", as: .creditCard, in: "card 5500 0000 0000 0004 - thanks")
    }

    func testCLISecretSetters() {
        assertFinds("r9s9DQh8qMGp6mih9MsdOMRpA5wV0NgLdCHvA08H", as: .secret,
                    in: "aws configure set aws_secret_access_key r9s9DQh8qMGp6mih9MsdOMRpA5wV0NgLdCHvA08H")
        assertFinds("JWji8oijIY7bip1WrS2Tf73Nap69jD5IrTC3cRMg", as: .secret, in: "gh secret set API_TOKEN --body \"JWji8oijIY7bip1WrS2Tf73Nap69jD5IrTC3cRMg\"")
        assertClean("aws configure set region us-east-1\naws configure set output json\ngh secret set API_TOKEN < token.txt")
    }

    func testAWSDocumentationKeysArePlaceholders() {
        assertClean(#"{"AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}"#)
        assertFinds("wJalrXUtnFEMI/K7MDENG/bPxRfiCYzb8Kq2LmPo", as: .secret, in: #""SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzb8Kq2LmPo""#)
    }

    func testPgpassLines() {
        assertFinds("N7#kq!Zp2w", as: .secret, in: "db.example.com:5432:app:app:N7#kq!Zp2w")
        assertFinds("S3cr3t-pw", as: .secret, in: "# ~/.pgpass\nlocalhost:*:*:postgres:S3cr3t-pw\n*:5432:app:reader:Xy7pQ2mN9\n")
        assertFinds("Xy7pQ2mN9", as: .secret, in: "localhost:*:*:postgres:S3cr3t-pw\n*:5432:app:reader:Xy7pQ2mN9\n")
        assertClean("root:x:0:0:root:/root:/bin/bash\nweb01:8080:GET:/api:200\nat 10:15:30:12:ab")
    }

    func testPasswordKeysOfMoreLanguages() {
        for (key, value) in [("lösenord", "Stockholm#9"), ("Lösenord", "Stockholm#9"), ("salasana", "Helsinki#77"), ("adgangskode", "Kobenhavn#5"),
                             ("passord", "Oslo#2024x"), ("şifre", "Istanbul#34"), ("parola", "Roma#2024x"), ("heslo", "Praha#2024"),
                             ("jelszó", "Budapest#1"), ("lozinka", "Zagreb#2024"), ("κωδικός", "Athina#2024"), ("mật khẩu", "Hanoi#2024")] {
            assertFinds(value, as: .secret, in: key + ": " + value)
        }
        assertClean("la parola: ciao\nheslo: heslo\nparameter: 12\nparody: Funny1")
    }

    func testSpacedThousandsAfterAPhoneWordAreACount() {
        assertClean("Call of Duty 2024 edition sells 1 300 000 copies")
        assertClean("phone sales reached 12 345 678 units")
        assertFinds("612 345 678", as: .phone, in: "llama al 612 345 678")
    }
}
