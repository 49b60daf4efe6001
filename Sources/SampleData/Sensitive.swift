/// Synthetic personal data and secrets planted in prompts so that redaction has work to do.
/// All values are fake but well-formed: card numbers pass the Luhn check, IBANs pass ISO 13616
/// mod-97 validation, and API keys follow the public formats of their issuers.

/// The kinds of sensitive values the generator plants.
public enum PlantedKind: String, Sendable, CaseIterable {
    /// An email address in the content (not the envelope's `user`).
    case email
    /// A phone number in national or international format.
    case phone
    /// A Luhn-valid payment card number (Visa, Mastercard or American Express prefixes).
    case cardNumber
    /// A mod-97-valid IBAN (DE, GB, FR, NL or ES).
    case iban
    /// An API key or access token in a known issuer format (OpenAI, Anthropic, AWS, GitHub, Stripe, Slack, Google).
    case apiKey
}

/// One sensitive value planted in the most recent record.
public struct PlantedValue: Sendable, Equatable {
    /// What kind of value it is.
    public let kind: PlantedKind
    /// The exact text inserted into the record's content (before JSON escaping; these values need none).
    public let value: String
}

enum Sensitive {
    static let emailDomains: [[UInt8]] = ["gmail.com", "yahoo.com", "outlook.com", "hotmail.co.uk", "gmx.de", "icloud.com", "proton.me", "web.de", "orange.fr"].map { Array($0.utf8) }
    static let base62: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
    static let base64URL: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    static let base32Upper: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    static func email(_ rng: inout Xoshiro256StarStar, first: ArraySlice<UInt8>, last: ArraySlice<UInt8>, tenantDomain: [UInt8]) -> [UInt8] {
        var out = Universe.emailPart(first)
        switch rng.below(4) {
        case 0: out.append(UInt8(ascii: ".")); out += Universe.emailPart(last)
        case 1: out += Universe.emailPart(last).prefix(1); out.appendDecimal(rng.int(in: 1...99))
        case 2: out.append(UInt8(ascii: "_")); out += Universe.emailPart(last); out.appendDecimal(rng.int(in: 1970...2005))
        default: out.append(UInt8(ascii: ".")); out += Universe.emailPart(last)
        }
        out.append(UInt8(ascii: "@"))
        if rng.chance(0.3) { out += tenantDomain } else { out += emailDomains[rng.below(emailDomains.count)] }
        return out
    }

    static func phone(_ rng: inout Xoshiro256StarStar) -> [UInt8] {
        var out = [UInt8]()
        func digits(_ n: Int, _ rng: inout Xoshiro256StarStar) { for _ in 0..<n { out.append(0x30 + UInt8(rng.below(10))) } }
        switch rng.below(7) {
        case 0: out.appendStatic("("); out.appendDecimal(rng.int(in: 201...989)); out.appendStatic(") 555-"); digits(4, &rng)
        case 1: out.appendStatic("+1 "); out.appendDecimal(rng.int(in: 201...989)); out.appendStatic(" "); digits(3, &rng); out.appendStatic(" "); digits(4, &rng)
        case 2: out.appendStatic("+44 20 7946 "); digits(4, &rng)
        case 3: out.appendStatic("+49 30 "); digits(8, &rng)
        case 4: out.appendStatic("+33 6 "); for i in 0..<4 { digits(2, &rng); if i < 3 { out.appendStatic(" ") } }
        case 5: out.appendStatic("+91 9"); digits(4, &rng); out.appendStatic(" "); digits(5, &rng)
        default: out.appendStatic("07"); digits(3, &rng); out.appendStatic(" "); digits(6, &rng)
        }
        return out
    }

    /// A Luhn-valid card number, sometimes grouped with spaces or dashes.
    static func cardNumber(_ rng: inout Xoshiro256StarStar) -> [UInt8] {
        var digits: [Int]
        let length: Int
        switch rng.below(3) {
        case 0: digits = [4]; length = 16
        case 1: digits = [5, 1 + rng.below(5)]; length = 16
        default: digits = [3, rng.chance(0.5) ? 4 : 7]; length = 15
        }
        while digits.count < length - 1 { digits.append(rng.below(10)) }
        digits.append(luhnCheckDigit(digits))
        let separator: UInt8? = [nil, UInt8(ascii: " "), UInt8(ascii: "-")][rng.below(3)]
        var out = [UInt8]()
        let groups = length == 15 ? [4, 6, 5] : [4, 4, 4, 4]
        var i = 0
        for (g, size) in groups.enumerated() {
            if g > 0, let s = separator { out.append(s) }
            for _ in 0..<size { out.append(0x30 + UInt8(digits[i])); i += 1 }
        }
        return out
    }

    /// The check digit that makes `payload` + digit pass the Luhn algorithm.
    static func luhnCheckDigit(_ payload: [Int]) -> Int {
        var sum = 0
        for (offset, digit) in payload.reversed().enumerated() {
            var d = digit
            if offset % 2 == 0 { d *= 2; if d > 9 { d -= 9 } }
            sum += d
        }
        return (10 - sum % 10) % 10
    }

    /// A valid IBAN in print format (groups of four) or electronic format.
    static func iban(_ rng: inout Xoshiro256StarStar) -> [UInt8] {
        let country: [UInt8]
        var bban = [UInt8]()
        func digits(_ n: Int, _ rng: inout Xoshiro256StarStar) { for _ in 0..<n { bban.append(0x30 + UInt8(rng.below(10))) } }
        func letters(_ n: Int, _ rng: inout Xoshiro256StarStar) { for _ in 0..<n { bban.append(0x41 + UInt8(rng.below(26))) } }
        switch rng.below(5) {
        case 0: country = Array("DE".utf8); digits(18, &rng)
        case 1: country = Array("GB".utf8); letters(4, &rng); digits(14, &rng)
        case 2: country = Array("FR".utf8); digits(23, &rng)
        case 3: country = Array("NL".utf8); letters(4, &rng); digits(10, &rng)
        default: country = Array("ES".utf8); digits(20, &rng)
        }
        let check = ibanCheckDigits(country: country, bban: bban)
        var electronic = country
        electronic.append(0x30 + UInt8(check / 10)); electronic.append(0x30 + UInt8(check % 10))
        electronic += bban
        guard rng.chance(0.6) else { return electronic }
        var out = [UInt8]()
        for (i, c) in electronic.enumerated() {
            if i > 0 && i % 4 == 0 { out.append(UInt8(ascii: " ")) }
            out.append(c)
        }
        return out
    }

    /// ISO 13616 check digits: 98 - (BBAN + country + "00" as a number mod 97).
    static func ibanCheckDigits(country: [UInt8], bban: [UInt8]) -> Int {
        98 - ibanMod97(bban + country + Array("00".utf8))
    }

    /// The value mod 97 of an IBAN character string, letters counting as 10...35.
    static func ibanMod97(_ chars: [UInt8]) -> Int {
        var remainder = 0
        for c in chars {
            if c >= 0x30 && c <= 0x39 {
                remainder = (remainder * 10 + Int(c - 0x30)) % 97
            } else {
                remainder = (remainder * 100 + Int(c - 0x41) + 10) % 97
            }
        }
        return remainder
    }

    static func apiKey(_ rng: inout Xoshiro256StarStar) -> [UInt8] {
        var out = [UInt8]()
        func random(_ alphabet: [UInt8], _ n: Int, _ rng: inout Xoshiro256StarStar) {
            for _ in 0..<n { out.append(alphabet[rng.below(alphabet.count)]) }
        }
        switch rng.below(8) {
        case 0: out.appendStatic("sk-proj-"); random(base64URL, 74, &rng); out.appendStatic("T3BlbkFJ"); random(base64URL, 74, &rng)
        case 1: out.appendStatic("sk-"); random(base62, 48, &rng)
        case 2: out.appendStatic("sk-ant-api03-"); random(base64URL, 93, &rng); out.appendStatic("AA")
        case 3: out.appendStatic("AKIA"); random(base32Upper, 16, &rng)
        case 4: out.appendStatic("ghp_"); random(base62, 36, &rng)
        case 5: out.appendStatic("sk_live_"); random(base62, 24, &rng)
        case 6:
            out.appendStatic("xoxb-"); out.appendDecimal(rng.int(in: 100_000_000_000...999_999_999_999))
            out.appendStatic("-"); out.appendDecimal(rng.int(in: 1_000_000_000_000...9_999_999_999_999))
            out.appendStatic("-"); random(base62, 24, &rng)
        default: out.appendStatic("AIza"); random(base64URL, 35, &rng)
        }
        return out
    }
}
