import Foundation

/// Random sensitive values and hard negatives in many formats. Every positive is valid for its
/// type (Luhn, mod-97, SSN rules, real provider key shapes); every negative is a look-alike that
/// must stay visible.
struct ValueFactory {
    var rng: SeededRandom

    // MARK: - Primitives

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }

    mutating func chars(_ count: Int, from alphabet: String) -> String {
        let a = Array(alphabet)
        return String((0..<count).map { _ in a[int(0...(a.count - 1))] })
    }

    static let digitChars = "0123456789"
    static let lowerHex = "0123456789abcdef"
    static let alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    static let base64url = alnum + "-_"
    static let base32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

    mutating func digits(_ count: Int) -> String { chars(count, from: Self.digitChars) }

    /// Random alphanumerics with at least one digit, one upper and one lower case letter, and
    /// no long runs (as real keys look).
    mutating func keyBody(_ count: Int, alphabet: String = ValueFactory.alnum) -> String {
        while true {
            let s = chars(count, from: alphabet)
            let b = Array(s.utf8)
            let hasDigit = b.contains { $0 >= 48 && $0 <= 57 }
            let hasUpper = b.contains { $0 >= 65 && $0 <= 90 }
            let hasLower = b.contains { $0 >= 97 && $0 <= 122 }
            if hasDigit && hasUpper && hasLower { return s }
        }
    }

    mutating func base64(_ byteCount: Int) -> String {
        let bytes = (0..<byteCount).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return Data(bytes).base64EncodedString()
    }

    static func base64url(_ text: String) -> String {
        Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    // MARK: - People (not sensitive by themselves here; used in text)

    static let firstNames = ["James", "Maria", "Wei", "Aisha", "Lukas", "Sofia", "Hiroshi", "Priya", "Mateo", "Olga", "Liam",
                             "Fatima", "Noah", "Chloé", "Björn", "Ananya", "Kenji", "Amara", "Diego", "Hannah", "Omar", "Zoe"]
    static let lastNames = ["Smith", "Garcia", "Chen", "Khan", "Müller", "Rossi", "Tanaka", "Patel", "Silva", "Ivanova", "Brown",
                            "Haddad", "Johnson", "Dubois", "Larsen", "Sharma", "Sato", "Okafor", "Lopez", "Schmidt", "Ali", "Novak"]

    mutating func name() -> String { "\(pick(Self.firstNames)) \(pick(Self.lastNames))" }

    // MARK: - EMAIL

    static let domains = ["example.com", "gmail.com", "outlook.com", "yahoo.co.uk", "acme-corp.io", "mail.example.org",
                          "corp.globex.com", "uni-muenchen.de", "sub.domain.example.net", "proton.me", "company.fr",
                          "startup.ai", "dept.gov.uk", "hospital.org.au", "web.de", "t-online.de", "kyoto-u.ac.jp",
                          "example.travel", "xn--mller-kva.de", "fastmail.fm", "icloud.com", "test.example"]

    mutating func email() -> (String, String) {
        let first = pick(["james", "maria", "wei", "aisha", "lukas", "sofia", "hiroshi", "priya", "mateo", "olga", "liam", "noah", "zoe", "j", "m"])
        let last = pick(["smith", "garcia", "chen", "khan", "mueller", "rossi", "tanaka", "patel", "silva", "brown", "okafor", "lopez"])
        let local: String
        switch int(0...8) {
        case 0: local = "\(first).\(last)"
        case 1: local = "\(first)\(last)\(int(1...99))"
        case 2: local = "\(first)_\(last)"
        case 3: local = "\(first)+\(pick(["news", "shop", "work", "github", "test"]))"
        case 4: local = "\(first.prefix(1)).\(last)"
        case 5: local = "\(first)-\(last)"
        case 6: local = "\(pick(["support", "billing", "admin", "hr", "noreply", "security"]))"
        case 7: local = chars(int(6...12), from: "abcdefghijklmnopqrstuvwxyz0123456789")
        default: local = "\(first).\(last).\(int(1970...2005))"
        }
        var address = "\(local)@\(pick(Self.domains))"
        if chance(0.1) { address = address.uppercased() } else if chance(0.1) { address = address.prefix(1).uppercased() + address.dropFirst() }
        return (address, "email")
    }

    // MARK: - PHONE

    mutating func phone() -> (String, String) {
        let area = "\(int(2...9))\(digits(2))"
        let exchange = "\(int(2...9))\(digits(2))"
        let line = digits(4)
        switch int(0...44) {
        case 40: return ("+44(0)\(pick(["113", "161", "20"])) \(digits(3)) \(digits(4))", "uk")
        case 41: return ("(0\(int(1...9))\(digits(3))) \(digits(6))", "de")
        case 42: return ("0\(int(1...9))\(digits(8))", "fr-ungrouped")
        case 43: return ("0\(int(6...9))\(digits(9))", "in-ungrouped")
        case 44: return ("\(area)-\(exchange)-\(line)", "us")
        case 28: return ("(020) \(digits(4)) \(digits(4))", "uk")
        case 29: return ("+44 7700 \(digits(6))", "uk-mobile")
        case 30: return ("0\(pick(["30", "40", "69"])) / \(digits(2)) \(digits(2)) \(digits(2))", "de")
        case 31: return ("+49-\(pick(["30", "89"]))-\(digits(6))", "de")
        case 32: return ("+33 (0)\(int(1...7)) \(digits(2)) \(digits(2)) \(digits(2)) \(digits(2))", "fr")
        case 33: return ("0\(int(1...7)).\(digits(2)).\(digits(2)).\(digits(2)).\(digits(2))", "fr")
        case 34: return ("+91 \(pick(["22", "11", "80"])) \(digits(4)) \(digits(4))", "in")
        case 35: return ("(0\(pick(["3", "6"]))) \(digits(4))-\(digits(4))", "jp")
        case 36: return ("+81-\(pick(["90", "80"]))-\(digits(4))-\(digits(4))", "jp-mobile")
        case 37: return ("+1.\(area).\(exchange).\(line)", "us-e164")
        case 38: return ("(\(area))\(exchange)-\(line)", "us")
        case 39: return ("\(area) \(exchange) \(line)", "us")
        case 0: return ("(\(area)) \(exchange)-\(line)", "us")
        case 1: return ("\(area)-\(exchange)-\(line)", "us")
        case 2: return ("\(area).\(exchange).\(line)", "us")
        case 3: return ("+1 \(area) \(exchange) \(line)", "us-e164")
        case 4: return ("+1 (\(area)) \(exchange)-\(line)", "us-e164")
        case 5: return ("+1-\(area)-\(exchange)-\(line)", "us-e164")
        case 6: return ("+1\(area)\(exchange)\(line)", "us-e164")
        case 7: return ("1-\(pick(["800", "888", "877"]))-\(exchange)-\(line)", "us-tollfree")
        case 8: return ("+44 20 \(digits(4)) \(digits(4))", "uk")
        case 9: return ("020 \(digits(4)) \(digits(4))", "uk")
        case 10: return ("+44 7\(digits(3)) \(digits(6))", "uk-mobile")
        case 11: return ("07\(digits(3)) \(digits(6))", "uk-mobile")
        case 12: return ("+44 (0)\(pick(["20", "161", "131"])) \(digits(3)) \(digits(4))", "uk")
        case 13: return ("+49 \(pick(["30", "89", "40", "221"])) \(digits(int(6...8)))", "de")
        case 14: return ("0\(pick(["30", "89", "40"])) \(digits(int(7...8)))", "de")
        case 15: return ("+49 \(pick(["151", "160", "171"])) \(digits(8))", "de-mobile")
        case 16: return ("0\(pick(["151", "160", "171"])) \(digits(4)) \(digits(4))", "de-mobile")
        case 17: return ("+33 \(int(1...7)) \(digits(2)) \(digits(2)) \(digits(2)) \(digits(2))", "fr")
        case 18: return ("0\(int(1...7)) \(digits(2)) \(digits(2)) \(digits(2)) \(digits(2))", "fr")
        case 19: return ("0\(int(6...7)).\(digits(2)).\(digits(2)).\(digits(2)).\(digits(2))", "fr")
        case 20: return ("+91 \(int(6...9))\(digits(4)) \(digits(5))", "in")
        case 21: return ("\(int(6...9))\(digits(4)) \(digits(5))", "in")
        case 22: return ("+91-\(int(6...9))\(digits(4))-\(digits(5))", "in")
        case 23: return ("+81 3-\(digits(4))-\(digits(4))", "jp")
        case 24: return ("0\(pick(["3", "6"]))-\(digits(4))-\(digits(4))", "jp")
        case 25: return ("0\(pick(["90", "80", "70"]))-\(digits(4))-\(digits(4))", "jp-mobile")
        case 26: return ("+\(pick(["61 4", "55 11 9", "86 138", "34 6", "39 3", "7 9", "31 6", "52 55"]))\(digits(2)) \(digits(3)) \(digits(3))", "intl")
        default: return ("+\(pick(["353", "358", "420", "972", "65"])) \(digits(int(2...3))) \(digits(3)) \(digits(4))", "intl")
        }
    }

    // MARK: - CREDIT_CARD

    static func luhnCheckDigit(_ digits: [Int]) -> Int {
        var sum = 0
        for (i, d) in digits.reversed().enumerated() {
            var v = d
            if i % 2 == 0 { v *= 2; if v > 9 { v -= 9 } }
            sum += v
        }
        return (10 - sum % 10) % 10
    }

    mutating func cardDigits() -> (String, String) {
        let (prefix, length, issuer): (String, Int, String) = {
            switch int(0...10) {
            case 0, 1: return ("4", 16, "visa")
            case 2: return ("4", pick([13, 19]), "visa")
            case 3: return ("5\(int(1...5))", 16, "mastercard")
            case 4: return ("\(int(2221...2720))", 16, "mastercard2")
            case 5: return (pick(["34", "37"]), 15, "amex")
            case 6: return (pick(["6011", "65", "\(int(644...649))"]), 16, "discover")
            case 7: return ("\(int(3528...3589))", 16, "jcb")
            case 8: return (pick(["36", "38", "30\(int(0...5))"]), 14, "diners")
            case 9: return ("62", pick([16, 19]), "unionpay")
            default: return (pick(["6759", "5018", "6304"]), 16, "maestro")
            }
        }()
        var ds = prefix.map { Int(String($0))! }
        while ds.count < length - 1 { ds.append(int(0...9)) }
        ds.append(Self.luhnCheckDigit(ds))
        return (ds.map(String.init).joined(), issuer)
    }

    mutating func formatCard(_ number: String, issuer: String) -> String {
        let d = Array(number)
        func groups(_ sizes: [Int], _ sep: String) -> String {
            var out: [String] = []
            var i = 0
            for s in sizes where i < d.count { out.append(String(d[i..<min(d.count, i + s)])); i += s }
            if i < d.count { out.append(String(d[i...])) }
            return out.joined(separator: sep)
        }
        let sep = pick([" ", " ", "-", ""])
        if sep.isEmpty { return number }
        switch d.count {
        case 15: return groups([4, 6, 5], sep)
        case 14: return groups([4, 6, 4], sep)
        default: return groups([4, 4, 4, 4, 4], sep)
        }
    }

    mutating func card() -> (String, String) {
        let (number, issuer) = cardDigits()
        return (formatCard(number, issuer: issuer), issuer)
    }

    // MARK: - US_SSN

    mutating func ssnDigits() -> (String, String, String) {
        var area = int(1...899)
        if area == 666 { area = 667 }
        return (String(format: "%03d", area), String(format: "%02d", int(1...99)), String(format: "%04d", int(1...9999)))
    }

    mutating func ssn() -> (String, String) {
        let (a, g, s) = ssnDigits()
        return chance(0.8) ? ("\(a)-\(g)-\(s)", "dashed") : ("\(a) \(g) \(s)", "spaced")
    }

    // MARK: - IBAN

    /// (country, BBAN pattern): `9` digit, `A` upper-case letter, `X` letter or digit.
    static let ibanFormats: [(String, String)] = [
        ("DE", "999999999999999999"), ("GB", "AAAA99999999999999"), ("FR", "9999999999XXXXXXXXXXX99"),
        ("NL", "AAAA9999999999"), ("ES", "99999999999999999999"), ("IT", "A9999999999XXXXXXXXXXXX"),
        ("BE", "999999999999"), ("CH", "99999XXXXXXXXXXXX"), ("PL", "999999999999999999999999"),
        ("AT", "9999999999999999"), ("SE", "99999999999999999999"), ("NO", "99999999999"),
        ("IE", "AAAA99999999999999"), ("PT", "999999999999999999999"), ("SA", "99XXXXXXXXXXXXXXXXXX"),
        ("DK", "99999999999999"), ("FI", "99999999999999"), ("LU", "999XXXXXXXXXXXXX"),
    ]

    static func ibanCheck(country: String, bban: String) -> Int {
        var remainder = 0
        for ch in (bban + country + "00").utf8 {
            if ch >= 48 && ch <= 57 {
                remainder = (remainder * 10 + Int(ch) - 48) % 97
            } else {
                remainder = (remainder * 100 + Int(ch) - 55) % 97
            }
        }
        return 98 - remainder
    }

    mutating func ibanParts() -> (String, String) {
        let (country, pattern) = pick(Self.ibanFormats)
        var bban = ""
        for p in pattern {
            switch p {
            case "9": bban += digits(1)
            case "A": bban += chars(1, from: "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
            default: bban += chars(1, from: "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
            }
        }
        return (country, bban)
    }

    static func groupIBAN(_ iban: String) -> String {
        var out = ""
        for (i, ch) in iban.enumerated() {
            if i > 0 && i % 4 == 0 { out += " " }
            out.append(ch)
        }
        return out
    }

    mutating func iban() -> (String, String) {
        let (country, bban) = ibanParts()
        let iban = country + String(format: "%02d", Self.ibanCheck(country: country, bban: bban)) + bban
        return (chance(0.5) ? Self.groupIBAN(iban) : iban, country)
    }

    // MARK: - IP_ADDRESS

    mutating func ip() -> (String, String) {
        switch int(0...11) {
        case 10: return (pick(["127.0.0.1", "::1", "8.8.8.8", "1.1.1.1", "169.254.169.254"]), "well-known")
        case 11: return ("2001:db8:\(String(int(1...0xFFFF), radix: 16)):\(String(int(1...0xFFFF), radix: 16))::\(String(int(1...0xFF), radix: 16))", "ipv6-compressed")
        case 0...5:
            let first = pick([10, 172, 192, int(1...223)])
            return ("\(first).\(int(0...255)).\(int(0...255)).\(int(1...254))", "ipv4")
        case 6:
            return ((0..<8).map { _ in String(int(0...0xFFFF), radix: 16) }.joined(separator: ":"), "ipv6-full")
        case 7:
            return ("2001:db8:\(String(int(1...0xFFFF), radix: 16))::\(String(int(1...0xFFFF), radix: 16))", "ipv6-compressed")
        case 8:
            return ("fe80::\(String(int(1...0xFFFF), radix: 16)):\(String(int(1...0xFFFF), radix: 16)):\(String(int(1...0xFFFF), radix: 16)):\(String(int(1...0xFFFF), radix: 16))", "ipv6-linklocal")
        default:
            return ("::ffff:\(int(1...223)).\(int(0...255)).\(int(0...255)).\(int(1...254))", "ipv6-mapped")
        }
    }

    // MARK: - SECRET

    mutating func jwt() -> String {
        let alg = pick(["HS256", "RS256", "ES256", "HS512"])
        let header = chance(0.7) ? "{\"alg\":\"\(alg)\",\"typ\":\"JWT\"}" : "{\"typ\":\"JWT\",\"alg\":\"\(alg)\",\"kid\":\"\(chars(8, from: Self.lowerHex))\"}"
        let payload = "{\"sub\":\"\(int(100_000...999_999))\",\"name\":\"\(name())\",\"iat\":\(int(1_600_000_000...1_750_000_000)),\"role\":\"\(pick(["admin", "user", "svc"]))\"}"
        let signature = keyBody(pick([43, 86]), alphabet: Self.base64url)
        return "\(Self.base64url(header)).\(Self.base64url(payload)).\(signature)"
    }

    mutating func pem(escapedNewlines: Bool) -> String {
        let label = pick(["RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "DSA PRIVATE KEY"])
        let body = base64(int(120...900))
        var lines: [String] = []
        var rest = Substring(body)
        while !rest.isEmpty { lines.append(String(rest.prefix(64))); rest = rest.dropFirst(64) }
        let nl = escapedNewlines ? "\\n" : "\n"
        return "-----BEGIN \(label)-----" + nl + lines.joined(separator: nl) + nl + "-----END \(label)-----"
    }

    /// A provider key or token by itself (detectable from its shape).
    mutating func providerSecret() -> (String, String) {
        switch int(0...15) {
        case 0: return ("sk-" + keyBody(48), "openai-legacy")
        case 1: return ("sk-proj-" + keyBody(int(56...120), alphabet: Self.base64url), "openai-project")
        case 2: return ("sk-ant-api03-" + keyBody(93, alphabet: Self.base64url) + "AA", "anthropic")
        case 3: return ("AKIA" + keyBody16(), "aws-access-key-id")
        case 4: return (pick(["ghp_", "gho_", "ghs_", "ghu_"]) + keyBody(36), "github")
        case 5: return ("github_pat_" + keyBody(22) + "_" + keyBody(59), "github-fine-grained")
        case 6: return ("xox\(pick(["b", "p", "a"]))-\(digits(10))-\(digits(13))-\(keyBody(24))", "slack")
        case 7: return (pick(["sk_live_", "rk_live_"]) + keyBody(int(24...99)), "stripe")
        case 8: return ("AIza" + keyBody(35, alphabet: Self.base64url), "google-api-key")
        case 9: return ("ya29." + keyBody(int(60...160), alphabet: Self.base64url), "google-oauth")
        case 10, 11: return (jwt(), "jwt")
        case 12: return ("ASIA" + keyBody16(), "aws-session-key-id")
        case 13: return ("glpat-" + keyBody(20, alphabet: Self.base64url), "gitlab")
        case 14: return ("hf_" + keyBody(34), "huggingface")
        default: return ("sk-" + keyBody(int(32...64), alphabet: Self.base64url), "openai-other")
        }
    }

    mutating func keyBody16() -> String {
        while true {
            let s = chars(16, from: Self.base32)
            if s.contains(where: \.isNumber) { return s }
        }
    }

    mutating func awsSecretKey() -> String {
        while true {
            let s = chars(40, from: Self.alnum + "/+")
            if s.contains(where: \.isUppercase) && s.contains(where: \.isLowercase) && s.contains(where: { $0.isNumber || $0 == "/" || $0 == "+" }) { return s }
        }
    }

    /// An opaque bearer token (not a JWT).
    mutating func opaqueToken() -> String {
        pick([keyBody(int(24...64)), keyBody(int(32...48), alphabet: Self.base64url), chars(40, from: Self.lowerHex) + "a1"])
    }

    /// A password that could appear in configuration or code.
    mutating func password() -> String {
        let words = ["tiger", "Summer", "dragon", "Monkey", "sunshine", "Falcon", "orange", "Winter", "river", "Castle"]
        switch int(0...5) {
        case 0: return pick(words) + "\(int(1...9999))" + pick(["!", "", "#", "?"])
        case 1: return keyBody(int(11...23), alphabet: Self.alnum + "!%^*_+-.~") + chars(1, from: Self.alnum)
        case 2: return "\(pick(words).lowercased())-\(pick(words).lowercased())-\(pick(words).lowercased())-\(int(10...99))"
        case 3: return keyBody(int(16...32))
        case 4: return "\(pick(words))\(pick(["@", "_", "."]))\(int(2000...2030))"
        default: return "P\(chars(1, from: "a@4"))ss\(chars(1, from: "w"))\(chars(1, from: "o0"))rd\(int(1...99))"
        }
    }

    // MARK: - Hard negatives

    mutating func negative() -> (String, String) {
        switch int(0...27) {
        case 0: return (uuid(), "UUID")
        case 1: return (chars(40, from: Self.lowerHex), "GIT_SHA")
        case 2: return (chars(7, from: Self.lowerHex), "GIT_SHORT_SHA")
        case 3: return (chars(64, from: Self.lowerHex), "SHA256")
        case 4: return (pick(["ORD-\(int(2019...2026))-\(String(format: "%06d", int(1...999_999)))", "ORD-\(int(10_000...99_999))",
                              "PO-\(int(100_000...999_999))", "#\(int(100_000...9_999_999))", "A-\(int(1000...9999))-\(int(100...999))"]), "ORDER_NUMBER")
        case 5: return (pick(["INV-\(int(2019...2026))-\(String(format: "%04d", int(1...9999)))", "INV/\(int(2019...2026))/\(String(format: "%05d", int(1...99999)))",
                              "invoice #\(int(10_000...99_999))"]), "INVOICE_NUMBER")
        case 6: return (timestamp(), "TIMESTAMP")
        case 7: return ("\(int(1_500_000_000...1_799_999_999))", "EPOCH_SECONDS")
        case 8: return ("\(int(1_500_000_000_000...1_799_999_999_999))", "EPOCH_MILLIS")
        case 9: return (version(), "VERSION")
        case 10: return (nonLuhnNumber(), "NON_LUHN_16")
        case 11: return (invalidIBAN(), "INVALID_IBAN")
        case 12: return (placeholderKey(), "PLACEHOLDER_KEY")
        case 13: return (pick(["\(String(format: "%02d", int(1...12)))/\(String(format: "%02d", int(1...28)))/\(int(2000...2030))",
                               "\(String(format: "%02d", int(1...28))).\(String(format: "%02d", int(1...12))).\(int(2000...2030))",
                               "\(int(2000...2030))-\(String(format: "%02d", int(1...12)))-\(String(format: "%02d", int(1...28)))"]), "DATE")
        case 14: return (pick(["$\(int(1...999)),\(String(format: "%03d", int(0...999))).\(String(format: "%02d", int(0...99)))",
                               "€\(int(1...9999)),\(String(format: "%02d", int(0...99)))", "\(int(1...999)) \(String(format: "%03d", int(0...999))) ₽"]), "PRICE")
        case 15: return (pick(["\(int(10_000...99_999))", "\(int(10_000...99_999))-\(String(format: "%04d", int(0...9999)))", "SW1A 1AA"]), "POSTAL_CODE")
        case 16: return (pick(["1Z\(chars(6, from: "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"))\(digits(10))", "\(digits(12))", "94\(digits(20))"]), "TRACKING_NUMBER")
        case 17: return ("#\(chars(6, from: Self.lowerHex))", "HEX_COLOR")
        case 18: return ("\(int(1...59)):\(String(format: "%02d", int(0...59)))", "CLOCK_TIME")
        case 19: return (pick(["\(int(1...999))ms", "\(int(1...60))s", "\(int(1...500)) MB"]), "MEASUREMENT")
        case 20: return (pick(["978-\(int(0...1))-\(int(10...99))-\(int(100_000...999_999))-\(int(0...9))"]), "ISBN")
        case 21: return (pick(["(\(int(1...9)))", "+\(int(1...99))%", "-\(int(1...999)).\(int(0...99))"]), "NUMBER")
        case 22: return ("\(int(1...99)):\(int(1...99))", "RATIO")
        case 23: return ("\(int(10...99)).\(String(format: "%04d", int(0...9999))), -\(int(10...120)).\(String(format: "%04d", int(0...9999)))", "COORDINATES")
        case 24: return ("\(chars(2, from: "0123456789ABCDEF")):\(chars(2, from: "0123456789ABCDEF")):\(chars(2, from: "0123456789ABCDEF")):\(chars(2, from: "0123456789ABCDEF")):\(chars(2, from: "0123456789ABCDEF")):\(chars(2, from: "0123456789ABCDEF"))", "MAC_ADDRESS")
        case 25: return ("\(int(1...9))\(digits(2)) \(digits(3)) \(digits(3))", "THOUSANDS")
        case 26: return ("TKT-\(int(100_000...999_999))", "TICKET_ID")
        default: return (pick(["sha256:\(chars(64, from: Self.lowerHex))", "md5 \(chars(32, from: Self.lowerHex))"]), "DIGEST")
        }
    }

    mutating func uuid() -> String {
        let u = "\(chars(8, from: Self.lowerHex))-\(chars(4, from: Self.lowerHex))-4\(chars(3, from: Self.lowerHex))-\(pick(["8", "9", "a", "b"]))\(chars(3, from: Self.lowerHex))-\(chars(12, from: Self.lowerHex))"
        return chance(0.2) ? u.uppercased() : u
    }

    mutating func timestamp() -> String {
        let y = int(2019...2026), mo = int(1...12), d = int(1...28), h = int(0...23), mi = int(0...59), s = int(0...59)
        switch int(0...3) {
        case 0: return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h, mi, s)
        case 1: return String(format: "%04d-%02d-%02d %02d:%02d:%02d", y, mo, d, h, mi, s)
        case 2: return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03d+02:00", y, mo, d, h, mi, s, int(0...999))
        default: return String(format: "%02d/%@/%04d:%02d:%02d:%02d +0000", d, pick(["Jan", "Feb", "Mar", "Apr", "May", "Jun"]), y, h, mi, s)
        }
    }

    mutating func version() -> String {
        switch int(0...4) {
        case 0: return "v\(int(0...20)).\(int(0...40)).\(int(0...99))"
        case 1: return "\(int(0...20)).\(int(0...40)).\(int(0...99))"
        case 2: return "\(int(1...9)).\(int(0...20)).\(int(0...9))-beta.\(int(1...9))"
        case 3: return "\(int(1...3)).\(int(0...12))"
        default: return "v\(int(1...9)).\(int(0...9)).\(int(0...9)).\(int(0...999))"
        }
    }

    mutating func nonLuhnNumber() -> String {
        var ds = [pick([4, 5, 3, 6])] + (0..<14).map { _ in int(0...9) }
        let check = Self.luhnCheckDigit(ds)
        ds.append((check + int(1...9)) % 10)
        let s = ds.map(String.init).joined()
        return chance(0.5) ? s : stride(from: 0, to: 16, by: 4).map { i in String(Array(s)[i..<(i + 4)]) }.joined(separator: pick([" ", "-"]))
    }

    mutating func invalidIBAN() -> String {
        let (country, bban) = ibanParts()
        let good = Self.ibanCheck(country: country, bban: bban)
        var bad = good
        while bad == good { bad = int(2...98) }
        let iban = country + String(format: "%02d", bad) + bban
        return chance(0.5) ? Self.groupIBAN(iban) : iban
    }

    mutating func placeholderKey() -> String {
        pick(["sk-" + String(repeating: "X", count: int(20...48)), "sk-proj-" + String(repeating: "x", count: int(20...40)),
              "sk-your-api-key-here", "sk-...", "AKIA" + String(repeating: "X", count: 16), "AKIAIOSFODNN7EXAMPLE",
              "ghp_" + String(repeating: "x", count: 36), "<YOUR_API_KEY>", "sk_live_" + String(repeating: "x", count: 24),
              "xoxb-your-bot-token", "YOUR_OPENAI_API_KEY", "sk-ant-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "${OPENAI_API_KEY}",
              "sk-1234567890abcdef1234567890abcdef", "AIzaXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "<redacted>"])
    }
}
