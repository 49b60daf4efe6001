/// The kind of sensitive value a detector finds, such as `EMAIL` or a custom `EMPLOYEE_ID`.
///
/// Built-in types have static constants; custom detectors from a policy add their own names
/// (upper-case letters, digits and `_`, starting with a letter).
public struct EntityType: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The upper-case name used in replacements (`[EMAIL]`), policies and reports.
    public let name: String

    /// Wraps a name; no validation (policies validate custom names when they are loaded).
    public init(_ name: String) { self.name = name }

    /// E-mail addresses.
    public static let email = EntityType("EMAIL")
    /// Telephone numbers (E.164 and national formats).
    public static let phone = EntityType("PHONE")
    /// Payment card numbers that pass an issuer prefix and the Luhn check.
    public static let creditCard = EntityType("CREDIT_CARD")
    /// US social security numbers (dashed or spaced).
    public static let usSSN = EntityType("US_SSN")
    /// International bank account numbers that pass the country length and mod-97 checks.
    public static let iban = EntityType("IBAN")
    /// IPv4 and IPv6 addresses.
    public static let ipAddress = EntityType("IP_ADDRESS")
    /// Credentials: provider API keys, JWTs, PEM private keys, authorization values, password assignments.
    public static let secret = EntityType("SECRET")

    /// The built-in types in their fixed order (the order is part of the internal numbering).
    public static let builtIn: [EntityType] = [.email, .phone, .creditCard, .usSSN, .iban, .ipAddress, .secret]

    /// True when this is one of the seven built-in types.
    public var isBuiltIn: Bool { EntityType.builtIn.contains(self) }

    /// The name.
    public var description: String { name }

    /// Orders by name (the order of report entries).
    public static func < (lhs: EntityType, rhs: EntityType) -> Bool { lhs.name < rhs.name }
}

/// Numbering of the built-in types used by the scanner's hot path.
enum BuiltinKind: UInt8, CaseIterable {
    case email = 0, phone, creditCard, usSSN, iban, ipAddress, secret

    /// The matching public type.
    var entity: EntityType { EntityType.builtIn[Int(rawValue)] }

    /// Priority when detections overlap: the higher wins the label of the merged span.
    /// Custom detectors rank above all of these (see `Detection`).
    var priority: UInt8 {
        switch self {
        case .secret: return 7
        case .creditCard: return 6
        case .usSSN: return 5
        case .iban: return 4
        case .email: return 3
        case .phone: return 2
        case .ipAddress: return 1
        }
    }
}

/// What a policy does with a detected value.
public enum RedactionAction: String, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    /// Replace the value with `[TYPE]`.
    case redact
    /// Keep the last (up to) four letters or digits: `[CREDIT_CARD:…4242]`. At most half of them
    /// are kept, so short values reveal less.
    case mask
    /// Replace with the first 8 hex digits of HMAC-SHA256 under the region's key: `[EMAIL:5f2a9c1e]`.
    /// Equal values correlate within a region without being revealed.
    case hash
    /// Leave the value as it is (it is still counted in the report).
    case allow
    /// Reject the whole record or text; the error names the type and where it was found, never the value.
    case block

    /// The policy-file name of the action.
    public var description: String { rawValue }

    /// Position in `allCases` (redact, mask, hash, allow, block).
    var order: Int {
        switch self {
        case .redact: return 0
        case .mask: return 1
        case .hash: return 2
        case .allow: return 3
        case .block: return 4
        }
    }

    /// Orders as listed: redact, mask, hash, allow, block.
    public static func < (lhs: RedactionAction, rhs: RedactionAction) -> Bool { lhs.order < rhs.order }
}

/// One detected sensitive value in a text.
public struct Detection: Sendable, Hashable {
    /// UTF-8 byte offsets of the value within the text.
    public var range: Range<Int>
    /// What was found.
    public var entity: EntityType

    /// Makes a detection.
    public init(range: Range<Int>, entity: EntityType) {
        self.range = range
        self.entity = entity
    }
}
