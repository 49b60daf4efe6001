/// A parsed JSON value that keeps object members in their original order
/// and numbers in their original text (so nothing is lost or re-rounded).
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number, kept as the exact text that appeared in the input.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([JSONMember])

    /// The member named `key` of an object (the first one when repeated), else nil.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        for member in members where member.key == key { return member.value }
        return nil
    }

    /// The string payload, if this is a string.
    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    /// The numeric payload as a Double, if this is a number.
    public var doubleValue: Double? { if case .number(let n) = self { return Double(n) } else { return nil } }
    /// The numeric payload as an Int64, if this is an integral number that fits.
    public var int64Value: Int64? {
        guard case .number(let n) = self else { return nil }
        if let i = Int64(n) { return i }
        if let d = Double(n), d.rounded() == d, abs(d) < 9.2e18 { return Int64(d) }
        return nil
    }
    /// The Boolean payload, if this is a Boolean.
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    /// The members, if this is an object.
    public var objectMembers: [JSONMember]? { if case .object(let m) = self { return m } else { return nil } }
    /// The elements, if this is an array.
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }
    /// True for `null`.
    public var isNull: Bool { if case .null = self { return true } else { return false } }

    /// A short name of the value's type, for error messages.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// Compact serialisation (no spaces), members in stored order.
    public func serialized() -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(256)
        JSONWriter.append(self, to: &out)
        return out
    }

    /// Compact serialisation as a String.
    public var serializedString: String { String(decoding: serialized(), as: UTF8.self) }

    /// Parses a complete JSON text.
    public static func parse(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = 128) throws -> JSONValue {
        var parser = JSONParser(bytes, maxDepth: maxDepth)
        return try parser.parseDocument()
    }

    /// Parses a complete JSON text from bytes.
    public static func parse(_ bytes: [UInt8], maxDepth: Int = 128) throws -> JSONValue {
        try bytes.withUnsafeBytes { (buf) -> JSONValue in try parse(buf, maxDepth: maxDepth) }
    }

    /// Parses a complete JSON text from a string.
    public static func parse(_ text: String, maxDepth: Int = 128) throws -> JSONValue {
        try parse(Array(text.utf8), maxDepth: maxDepth)
    }
}

/// One member of a JSON object.
public struct JSONMember: Sendable, Equatable {
    public var key: String
    public var value: JSONValue
    public init(_ key: String, _ value: JSONValue) { self.key = key; self.value = value }
}

/// A JSON syntax error with the byte offset where it was found.
public struct JSONError: Error, Equatable, CustomStringConvertible {
    /// Byte offset into the input.
    public var offset: Int
    /// What was wrong, in words (never quotes the input).
    public var reason: String

    public init(offset: Int, reason: String) { self.offset = offset; self.reason = reason }
    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(String(value)) }
    public init(nilLiteral: ()) { self = .null }

    /// A number value from a Double, written in the shortest form that round-trips.
    public static func double(_ d: Double) -> JSONValue {
        if d.isFinite, d.rounded() == d, abs(d) < 1e15 { return .number(String(Int64(d))) }
        return d.isFinite ? .number("\(d)") : .null
    }
    /// A number value from an integer.
    public static func int<I: BinaryInteger>(_ i: I) -> JSONValue { .number(String(i)) }
}
