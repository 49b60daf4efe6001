import XCTest
@testable import Redaction

/// Fixes from the third probing round: Azure secrets, provider keys of AI services, connection
/// strings, Markdown keys, escaped JSON, CLI password flags, password phrases in CJK scripts and
/// full-width forms. Each case failed before its fix.
final class ProbeRound3Tests: XCTestCase, DetectionAssertions {
    let engine = RedactionEngine()

    // MARK: - Azure

    func testAzureClientSecretsWithoutAKey() {
        let secret = "kU88Q~Q-G6yyzyN9zHYIa4UOrGNATMuDJawTg"
        assertFinds(secret, as: .secret, prefix: "client secret is ", suffix: "")
        assertFinds(secret, as: .secret, prefix: "the app registration secret ", suffix: " expires in 2026")
        assertFinds(secret, as: .secret, prefix: "password ", suffix: ".")
        for text in ["report_2024Q~final.docx", "see ~/.ssh/config and ~user/docs, approx ~300ms", "The Q~ prefix marks Azure secrets",
                     "abc8Q~short", "kU88Q~Q-G6yyzyN9zHYIa4UOrGNATMuDJawTgTooLongForASecret"] {
            assertClean(text)
        }
    }

    func testAzureFunctionKeysInQueryStrings() {
        assertFinds("5AhuqpfEnbtXAqwK8jZfALhLSzFyCmmdKTxp-TkSF2RCdKDFRuNw5G==", as: .secret,
                    prefix: "https://myfunc.azurewebsites.net/api/HttpTrigger1?code=", suffix: "")
        assertClean("https://example.com/promo?code=SUMMER2024 and https://example.com/cb?code=200&state=ok")
    }

    // MARK: - Connection strings, URLs, .env

    func testURLSchemesEndingInADigit() {
        assertFinds("tiger123X", as: .secret, prefix: "sqlalchemy.url = postgresql+psycopg2://scott:", suffix: "@localhost/test")
    }

    func testTokenAsURLUserinfoLeavesTheHost() {
        let token = "ghs_YUH1VAUwV1ZH87MtA5vSQXEZY3lEX7bwR2DR"
        let hits = found("git remote set-url origin https://x-access-token:\(token)@github.com/acme/app.git")
        XCTAssertEqual(hits.map(\.1), [token])
    }

    func testLaravelAppKey() {
        assertFinds("base64:f8efD0nHCY/1Kgd2vd/Er1uyZAlIa/ZnYd7chlN/Xc+=", as: .secret, prefix: "APP_KEY=", suffix: "\n")
        assertClean("APP_KEY=base64:\n")
    }

    func testDoublyEscapedJSON() {
        // Text quoting JSON that itself quotes JSON: \\\"password\\\":\\\"…\\\"
        assertFinds("Dbl3scaped!", as: .secret, prefix: #""{\\\"password\\\":\\\""#, suffix: #"\\\"}""#)
        assertFinds("Sup3r$ecret", as: .secret, prefix: #"{\"db_password\":\""#, suffix: #"\",\"host\":\"db\"}"#)
        assertClean(#""{\\\"max_tokens\\\":1024,\\\"password\\\":\\\"\\\"}""#)
    }

    // MARK: - Markdown and command lines

    func testMarkdownEmphasisAroundKeys() {
        assertFinds("Hunter2024", as: .secret, prefix: "- **Password**: ", suffix: "\n")
        assertFinds("9WmXeHH2fdeeTFJGvVvQe1sKhBN88hXJ", as: .secret, prefix: "**API key:** ", suffix: "\n")
        for text in ["**Password**: required", "- **API key:** see the dashboard", "**Note**: see https://example.com"] {
            assertClean(text)
        }
    }

    func testMoreCommandLinePasswords() {
        assertFinds("Al1ce!pw", as: .secret, prefix: "http --auth alice:", suffix: " GET example.com")
        assertFinds("SshP4ss!", as: .secret, prefix: "sshpass -p ", suffix: " ssh deploy@web01")
        assertFinds("K8sP4ss!", as: .secret, prefix: "kubectl create secret generic db --from-literal=password=", suffix: "")
        for text in ["mkdir -p build/out", "sshpass -f ~/.pw ssh host", "curl --auth-no-challenge x", "--from-literal=username=admin"] {
            assertClean(text)
        }
    }

    // MARK: - Provider keys

    func testKeysOfAIAndDeveloperServices() {
        let keys = [
            "xai-KdcsxQlOIVdp4sPgMRTwt01nJuJPuUmhWKPU9MQ9uGK9qGMYJJyTuTbRMGo6GRN4YdCAZ2ybsOgoSdBJ",
            "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",
            "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",
            "r8_KQ2bedBn2ahrq73L5pUxAY1f6GCQiNKty88Mh",
            "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",
            "pcsk_Wqo10_y0adSwjpIx1eWy2ORtYrQbrLeAzuzRWPpTUefbnoFq5XJ7T2YDF0k5Uy8Ih1",
            "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",
            "fw_smyFq55jyo1TMfsNhFv1cq4H",
            "whsec_aPJBRk1SVzKQfGUd5eHJgDo5yq7Nje1S",
            "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",
            "sbp_386bd8773c9d51940ea4e095bd1d6854575622f8",
            "dop_v1_9895d1a0d1f13dce20c4fd32f640d0032634f087e51b429fe8110102c995f1ab",
            "hvs.48VSOuU19x5iqljHqBTn2fwxwd5kAphi2UFkSSj-sK_wZdnHy7agBx6LtIdyhp9ZYbYLXlutzTfF-vNv7KToDsjCME",
            "glsa_N33kflkNQ7xRbG8cxl0m9IQ1CVMLYFBD_1bef2c32",
            "NRAK-QUKOPF96QGZLC2KX9PUOLC8Q8WD",
            "PMAK-018f134a069e3fab8c3bfc5e-740e61572b4e3c02eaa7f3b4a715e4e48d",
            "lin_api_LNInqtozMlTMAEsuha1u6DhzWVS1o38fFAa6weI3",
            "sk_594dc72aa7a6d0018f99ddceb1be0273dbc46dfcea25bab2",
            "ATATT3xFfGF0XVNngDCMYhC7e4NsMWFiP7-jOPPzRddS7yVCx1EyGurzeq3pzGpStf2BuNXIp3ZCcR1y6FFEiiEMgPB3eFkOnsVPHiK7S4PQl0kjfLk6cxZu6m98nDfqcYxyBtUepp_ikblHCUIs4Hx4tNcT1rtRZjM8iQ0NA0P-yT1jOw56ktltyxpA-w4m=0A1B2C3D",
            "AGE-SECRET-KEY-1QRPLK1XCKSXKM2AWH7C9HEHWTP0136UXT3YKW5DS3G9UFCGBHZIIBP9FON",
        ]
        for key in keys { assertFinds(key, as: .secret, prefix: "key ", suffix: " ok") }
        for text in ["fw_version_2024_update_release and fw_update20241124release", "r8_model_version_latest_build_001",
                     "the xai-grok-beta model, xai-sdk-python v1.2", "hvs.example and hvs.your-token-here", "whsec_your_signing_secret",
                     "tvly-YOUR_API_KEY", "attendance_confirmation_letter_2024 attributes_collection",
                     "AGE-SECRET-KEY-1 is the prefix of age identities", "Age 42, age-appropriate", "sk_live_... and sk_test_xxxxxxxxxxxxxxxx"] {
            assertClean(text)
        }
    }

    // MARK: - Phone words

    func testPortugueseMobileWord() {
        assertFinds("912 345 678", as: .phone, prefix: "telemóvel ", suffix: "")
        assertFinds("912 345 678", as: .phone, prefix: "telemovel: ", suffix: "")
        assertClean("telemóvel novo, 3 unidades a 912 euros")
    }

    // MARK: - CJK password phrases

    func testPasswordPhrasesInCJKScripts() {
        let cases: [(String, String, String)] = [
            ("我的密码是", "Abc12345", "，请不要告诉别人"), ("密码：", "Zx9!kLm2", ""), ("初始密码为", "Welcome@2024", ""),
            ("登录密码 ", "qwE7rty89", ""), ("WiFi密码是", "huawei8888abc", "。"), ("パスワードは", "Sakura2024!", "です"),
            ("パスワード：", "Himitsu99", ""), ("パスワードは「", "Tokyo#2025", "」です"), ("비밀번호는 ", "Seoul2024!", "입니다"),
            ("비밀번호: ", "Hangul77x", ""), ("비밀번호：", "Hangul77x", ""), ("암호는 ", "Kimchi#99", ""), ("密碼是", "Taipei101x", ""),
            ("口令：", "Kl0ud!pass", ""), ("用户名admin，密码：", "P@ssw0rd2024", "，请登录"),
        ]
        for (prefix, value, suffix) in cases { assertFinds(value, as: .secret, prefix: prefix, suffix: suffix) }
        for text in ["请重置您的密码。", "密码是什么？", "密码错误，请重试", "パスワードを忘れました", "비밀번호를 잊어버렸어요", "密码是6位数字",
                     "パスワードは8文字以上にしてください", "密码长度至少为8位", "비밀번호는 8자 이상이어야 합니다", "密码学是一门学科",
                     "암호화 키를 생성합니다", "密码为空", "请输入密码：", "密码: ${DB_PASSWORD}", "パスワード: <your password>",
                     "パスワードはpasswordです", "密码是required"] {
            assertClean(text)
        }
    }

    // MARK: - Full-width forms

    func testFullWidthNumbersAndAddresses() {
        let cases: [(String, String, EntityType, String)] = [
            ("電話番号は", "０９０－１２３４－５６７８", .phone, "です"), ("電話：", "０３－１２３４－５６７８", .phone, ""),
            ("携帯 ", "０８０-１２３４-５６７８", .phone, " まで"), ("TEL：", "０３（１２３４）５６７８", .phone, ""),
            ("電話番号は", "０９０ー１２３４ー５６７８", .phone, "です"), ("", "＋８１−９０−１２３４−５６７８", .phone, ""),
            ("カード番号：", "４１１１　１１１１　１１１１　１１１１", .creditCard, ""), ("カード番号", "４１１１１１１１１１１１１１１１", .creditCard, "で"),
            ("メール：", "ｙａｍａｄａ＠ｅｘａｍｐｌｅ．ｃｏ．ｊｐ", .email, ""), ("ＳＳＮ：", "１２３－４５－６７８９", .usSSN, ""),
        ]
        for (prefix, value, type, suffix) in cases { assertFinds(value, as: type, prefix: prefix, suffix: suffix) }
        for text in ["注文番号：１２３４５６７８、金額：１２，８００円", "２０２６年１１月２４日　１５：３０に予約しました",
                     "バージョン１．２．３．４をインストール", "合計：１，２３４円（税込）", "ｍａｉｌｔｏ：ｓｕｐｐｏｒｔ", "full-width ＡＢＣ１２３ and ＃１"] {
            assertClean(text)
        }
    }

    /// Offsets of detections in folded text are those of the original characters.
    func testFullWidthSpansMapToOriginalOffsets() {
        let text = "ａ電話：０９０－１２３４－５６７８。mail bob@example.com"
        let hits = found(text)
        XCTAssertEqual(hits.map(\.0), ["PHONE", "EMAIL"])
        XCTAssertEqual(hits.map(\.1), ["０９０－１２３４－５６７８", "bob@example.com"])
    }
}
