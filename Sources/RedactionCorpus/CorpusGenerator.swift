import Foundation

/// Generates labelled documents shaped like prompts, responses, support tickets, code and logs,
/// with sensitive values in varied formats and hard negatives. Deterministic for a seed.
///
/// Templates use `{SLOT}` placeholders. Positive slots: `EMAIL PHONE PHONECTX CARD SSN SSNCTX
/// IBAN IP SECRET JWT PEM PEMESC AWSID AWSSECRET BEARER BASIC PASSWORD APIVAL URLPASS`.
/// Negative slots: `N` (any look-alike) or `N:KIND`. Unlabelled filler: `NAME NUM CITY PRODUCT`.
public struct CorpusGenerator {
    var values: ValueFactory

    /// A generator for `seed`.
    public init(seed: UInt64) {
        values = ValueFactory(rng: SeededRandom(seed: seed))
    }

    /// `count` documents, kinds in rotation.
    public mutating func documents(count: Int) -> [CorpusDocument] {
        (0..<count).map { i in document(kind: DocumentKind.allCases[i % DocumentKind.allCases.count]) }
    }

    /// One document of `kind`.
    public mutating func document(kind: DocumentKind) -> CorpusDocument {
        var builder = Builder()
        switch kind {
        case .prompt:
            if values.chance(0.3) { expand(values.pick(Self.openers), into: &builder) }
            for _ in 0..<values.int(2...5) {
                expand(values.chance(0.75) ? values.pick(Self.promptSentences) : values.pick(Self.fillers), into: &builder)
                builder.text(values.pick([" ", " ", "\n", "\n\n"]))
            }
        case .response:
            expand(values.pick(Self.responseOpeners), into: &builder)
            for _ in 0..<values.int(2...5) {
                expand(values.chance(0.7) ? values.pick(Self.responseSentences) : values.pick(Self.fillers), into: &builder)
                builder.text(values.pick([" ", "\n", "\n\n", "\n- "]))
            }
        case .ticket:
            expand(values.pick(Self.ticketHeaders), into: &builder)
            for _ in 0..<values.int(2...4) {
                expand(values.chance(0.7) ? values.pick(Self.ticketLines) : values.pick(Self.promptSentences), into: &builder)
                builder.text("\n")
            }
        case .code:
            for _ in 0..<values.int(1...3) {
                expand(values.pick(Self.codeSnippets), into: &builder)
                builder.text("\n\n")
            }
        case .log:
            for _ in 0..<values.int(3...8) {
                expand(values.pick(Self.logLines), into: &builder)
                builder.text("\n")
            }
        }
        return CorpusDocument(kind: kind, text: builder.string, spans: builder.spans)
    }

    // MARK: - Template expansion

    struct Builder {
        var bytes: [UInt8] = []
        var spans: [LabelledSpan] = []

        mutating func text(_ s: String) { bytes.append(contentsOf: s.utf8) }

        mutating func labelled(_ label: String, _ value: String, negative: Bool, detail: String) {
            let start = bytes.count
            bytes.append(contentsOf: value.utf8)
            spans.append(LabelledSpan(label: label, range: start..<bytes.count, isNegative: negative, detail: detail))
        }

        var string: String { String(decoding: bytes, as: UTF8.self) }
    }

    mutating func expand(_ template: String, into b: inout Builder) {
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            b.text(String(rest[..<open]))
            let slot = String(rest[rest.index(after: open)..<close])
            fill(slot, into: &b)
            rest = rest[rest.index(after: close)...]
        }
        b.text(String(rest))
    }

    mutating func fill(_ slot: String, into b: inout Builder) {
        var v = values
        defer { values = v }
        switch slot {
        case "EMAIL": let (x, d) = v.email(); b.labelled("EMAIL", x, negative: false, detail: d)
        case "PHONE": let (x, d) = v.phone(); b.labelled("PHONE", x, negative: false, detail: d)
        case "PHONECTX":
            let x = v.pick(["\(v.int(2...9))\(v.digits(9))", "0\(v.int(1...9))\(v.digits(9))", "\(v.int(2...9))\(v.digits(2))-\(v.digits(4))"])
            b.labelled("PHONE", x, negative: false, detail: "context")
        case "CARD": let (x, d) = v.card(); b.labelled("CREDIT_CARD", x, negative: false, detail: d)
        case "SSN": let (x, d) = v.ssn(); b.labelled("US_SSN", x, negative: false, detail: d)
        case "SSNCTX": let (a, g, s) = v.ssnDigits(); b.labelled("US_SSN", a + g + s, negative: false, detail: "context")
        case "IBAN": let (x, d) = v.iban(); b.labelled("IBAN", x, negative: false, detail: d)
        case "IP": let (x, d) = v.ip(); b.labelled("IP_ADDRESS", x, negative: false, detail: d)
        case "SECRET": let (x, d) = v.providerSecret(); b.labelled("SECRET", x, negative: false, detail: d)
        case "JWT": b.labelled("SECRET", v.jwt(), negative: false, detail: "jwt")
        case "PEM": b.labelled("SECRET", v.pem(escapedNewlines: false), negative: false, detail: "pem")
        case "PEMESC": b.labelled("SECRET", v.pem(escapedNewlines: true), negative: false, detail: "pem")
        case "AWSID": b.labelled("SECRET", v.pick(["AKIA", "ASIA"]) + v.keyBody16(), negative: false, detail: "aws-access-key-id")
        case "AWSSECRET": b.labelled("SECRET", v.awsSecretKey(), negative: false, detail: "aws-secret-key")
        case "BEARER":
            if v.chance(0.4) { b.labelled("SECRET", v.jwt(), negative: false, detail: "bearer-jwt") }
            else { b.labelled("SECRET", v.opaqueToken(), negative: false, detail: "bearer") }
        case "BASIC":
            let user = v.pick(["admin", "svc-reporting", "api", "jenkins", "alice"])
            let encoded = Data("\(user):\(v.password())".utf8).base64EncodedString()
            b.labelled("SECRET", encoded, negative: false, detail: "basic")
        case "PASSWORD": b.labelled("SECRET", v.password(), negative: false, detail: "password")
        case "APIVAL": b.labelled("SECRET", v.opaqueToken(), negative: false, detail: "assignment")
        case "URLPASS": b.labelled("SECRET", v.keyBody(v.int(10...20)), negative: false, detail: "url-password")
        case "NAME": b.text(v.name())
        case "NUM": b.text("\(v.int(2...500))")
        case "CITY": b.text(v.pick(["Berlin", "Lyon", "Osaka", "Austin", "Pune", "Leeds", "São Paulo", "Zürich"]))
        case "PRODUCT": b.text(v.pick(["Pro plan", "the X200 router", "Team seats", "the annual licence", "API credits"]))
        case "N": let (x, kind) = v.negative(); b.labelled(kind, x, negative: true, detail: kind)
        case "N:UUID": b.labelled("UUID", v.uuid(), negative: true, detail: "UUID")
        case "N:SHA": b.labelled("GIT_SHA", v.chars(40, from: ValueFactory.lowerHex), negative: true, detail: "GIT_SHA")
        case "N:SHORTSHA": b.labelled("GIT_SHORT_SHA", v.chars(7, from: ValueFactory.lowerHex), negative: true, detail: "GIT_SHORT_SHA")
        case "N:SHA256": b.labelled("SHA256", v.chars(64, from: ValueFactory.lowerHex), negative: true, detail: "SHA256")
        case "N:TS": b.labelled("TIMESTAMP", v.timestamp(), negative: true, detail: "TIMESTAMP")
        case "N:EPOCH": b.labelled("EPOCH_SECONDS", "\(v.int(1_500_000_000...1_799_999_999))", negative: true, detail: "EPOCH_SECONDS")
        case "N:VERSION": b.labelled("VERSION", v.version(), negative: true, detail: "VERSION")
        case "N:V4": b.labelled("FOUR_PART_VERSION", "\(v.int(1...12)).\(v.int(0...20)).\(v.int(0...40)).\(v.int(0...250))", negative: true, detail: "FOUR_PART_VERSION")
        case "N:NOLUHN": b.labelled("NON_LUHN_16", v.nonLuhnNumber(), negative: true, detail: "NON_LUHN_16")
        case "N:BADIBAN": b.labelled("INVALID_IBAN", v.invalidIBAN(), negative: true, detail: "INVALID_IBAN")
        case "N:PLACEHOLDER": b.labelled("PLACEHOLDER_KEY", v.placeholderKey(), negative: true, detail: "PLACEHOLDER_KEY")
        case "N:ORDER":
            b.labelled("ORDER_NUMBER", v.pick(["ORD-\(v.int(2019...2026))-\(String(format: "%06d", v.int(1...999_999)))", "ORD-\(v.int(10_000...99_999))", "#\(v.int(100_000...9_999_999))"]),
                       negative: true, detail: "ORDER_NUMBER")
        case "N:INVOICE":
            b.labelled("INVOICE_NUMBER", v.pick(["INV-\(v.int(2019...2026))-\(String(format: "%04d", v.int(1...9999)))", "INV/\(v.int(2019...2026))/\(String(format: "%05d", v.int(1...99999)))"]),
                       negative: true, detail: "INVOICE_NUMBER")
        case "N:DATE":
            b.labelled("DATE", v.pick(["\(v.int(2019...2026))-0\(v.int(1...9))-\(v.int(10...28))", "\(v.int(10...28)).0\(v.int(1...9)).\(v.int(2019...2026))", "0\(v.int(1...9))/\(v.int(10...28))/\(v.int(2019...2026))"]),
                       negative: true, detail: "DATE")
        case "N:ISBN10": b.labelled("ISBN", "0\(v.digits(8))\(v.pick(["X", "\(v.int(0...9))"]))", negative: true, detail: "ISBN")
        case "N:PRICE": b.labelled("PRICE", "$\(v.int(1...999)).\(String(format: "%02d", v.int(0...99)))", negative: true, detail: "PRICE")
        default:
            b.text("{\(slot)}")
        }
    }
}

