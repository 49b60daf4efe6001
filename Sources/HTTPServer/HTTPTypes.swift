// Basic HTTP vocabulary types. This file has no dependencies beyond the standard library so that it can be
// compiled together with the request parser into the standalone fuzz target (see docs/decisions/http-server.md).

/// An HTTP request method such as `GET` or `POST`.
///
/// Methods are case-sensitive tokens (RFC 9110 §9.1): `get` is a different, unknown method.
public struct HTTPMethod: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The method token exactly as sent on the wire.
    public let rawValue: String

    /// Creates a method from its token.
    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// Creates a method from a string literal, e.g. `let m: HTTPMethod = "GET"`.
    public init(stringLiteral value: String) { self.rawValue = value }

    /// The method token.
    public var description: String { rawValue }

    /// `GET`.
    public static let get = HTTPMethod("GET")
    /// `HEAD`: like `GET` without a response body. Routed to the `GET` handler unless a `HEAD` route exists.
    public static let head = HTTPMethod("HEAD")
    /// `POST`.
    public static let post = HTTPMethod("POST")
    /// `PUT`.
    public static let put = HTTPMethod("PUT")
    /// `DELETE`.
    public static let delete = HTTPMethod("DELETE")
    /// `PATCH`.
    public static let patch = HTTPMethod("PATCH")
    /// `OPTIONS`.
    public static let options = HTTPMethod("OPTIONS")
}

/// An HTTP protocol version. The server accepts 1.0 and 1.1 only.
public struct HTTPVersion: Hashable, Sendable, CustomStringConvertible {
    /// Major version digit.
    public let major: Int
    /// Minor version digit.
    public let minor: Int

    /// Creates a version.
    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// HTTP/1.0.
    public static let http1_0 = HTTPVersion(major: 1, minor: 0)
    /// HTTP/1.1.
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)

    /// `HTTP/x.y`.
    public var description: String { "HTTP/\(major).\(minor)" }
}

/// One header field (name and value) as received or to be sent.
public struct HTTPField: Hashable, Sendable {
    /// The field name, in the case it was sent or given. Compare with ``HTTPHeaders`` lookups, which ignore case.
    public var name: String
    /// The field value, without leading or trailing whitespace. Received bytes that are not valid UTF-8 (obs-text)
    /// are replaced by U+FFFD.
    public var value: String

    /// Creates a field.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// An ordered list of header fields with case-insensitive name lookup.
///
/// Repeated fields are kept in order. Lookups are O(n) in the number of fields, which is bounded by the
/// parser's header count limit and small for responses.
public struct HTTPHeaders: Sendable, Sequence, Equatable, ExpressibleByDictionaryLiteral {
    /// The fields in order.
    public private(set) var fields: [HTTPField]

    /// Creates an empty header list.
    public init() { fields = [] }

    /// Creates a header list from fields, keeping their order.
    public init(_ fields: [HTTPField]) { self.fields = fields }

    /// Creates a header list from literal pairs, e.g. `["Content-Type": "text/csv"]`.
    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { HTTPField(name: $0.0, value: $0.1) }
    }

    /// The number of fields.
    public var count: Int { fields.count }

    /// Whether there are no fields.
    public var isEmpty: Bool { fields.isEmpty }

    /// Iterates over the fields in order.
    public func makeIterator() -> IndexingIterator<[HTTPField]> { fields.makeIterator() }

    /// The value of the first field named `name` (ASCII case-insensitive), or nil. O(n).
    public subscript(name: String) -> String? {
        for field in fields where HTTPHeaders.namesEqual(field.name, name) { return field.value }
        return nil
    }

    /// All values of fields named `name` (ASCII case-insensitive), in order. O(n).
    public func values(for name: String) -> [String] {
        fields.filter { HTTPHeaders.namesEqual($0.name, name) }.map(\.value)
    }

    /// Whether a field named `name` exists. O(n).
    public func contains(_ name: String) -> Bool {
        fields.contains { HTTPHeaders.namesEqual($0.name, name) }
    }

    /// Appends a field, keeping existing fields with the same name.
    public mutating func add(name: String, value: String) {
        fields.append(HTTPField(name: name, value: value))
    }

    /// Replaces all fields named `name` with a single field. O(n).
    public mutating func replaceOrAdd(name: String, value: String) {
        remove(name: name)
        fields.append(HTTPField(name: name, value: value))
    }

    /// Removes all fields named `name`. O(n).
    public mutating func remove(name: String) {
        fields.removeAll { HTTPHeaders.namesEqual($0.name, name) }
    }

    /// Whether the comma-separated list values of `name` contain `token` (ASCII case-insensitive),
    /// e.g. `hasToken("close", in: "Connection")`. O(total value length).
    public func hasToken(_ token: String, in name: String) -> Bool {
        for field in fields where HTTPHeaders.namesEqual(field.name, name) {
            for element in field.value.utf8.split(separator: UInt8(ascii: ",")) {
                if HTTPBytes.equalsIgnoringCase(HTTPBytes.trimmed(element), token) { return true }
            }
        }
        return false
    }

    /// ASCII case-insensitive comparison of two field names. O(length).
    public static func namesEqual(_ a: String, _ b: String) -> Bool {
        let au = a.utf8, bu = b.utf8
        guard au.count == bu.count else { return false }
        for (x, y) in zip(au, bu) where HTTPBytes.lower(x) != HTTPBytes.lower(y) { return false }
        return true
    }
}

/// Byte-level helpers shared by the parser, router and writer.
enum HTTPBytes {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A

    /// `tchar` from RFC 9110 §5.6.2, as a 256-entry table.
    static let tokenTable: [Bool] = {
        var t = [Bool](repeating: false, count: 256)
        for c in UInt8(ascii: "0")...UInt8(ascii: "9") { t[Int(c)] = true }
        for c in UInt8(ascii: "a")...UInt8(ascii: "z") { t[Int(c)] = true }
        for c in UInt8(ascii: "A")...UInt8(ascii: "Z") { t[Int(c)] = true }
        for c in "!#$%&'*+-.^_`|~".utf8 { t[Int(c)] = true }
        return t
    }()

    @inline(__always)
    static func isToken(_ c: UInt8) -> Bool { tokenTable[Int(c)] }

    /// Whether `c` may appear in a field value: HTAB, SP, VCHAR or obs-text (RFC 9110 §5.5).
    @inline(__always)
    static func isFieldValueByte(_ c: UInt8) -> Bool { c == tab || (c >= 0x20 && c != 0x7F) }

    @inline(__always)
    static func lower(_ c: UInt8) -> UInt8 { (c >= 0x41 && c <= 0x5A) ? c | 0x20 : c }

    /// Strips leading and trailing SP/HTAB.
    static func trimmed<C: BidirectionalCollection>(_ bytes: C) -> C.SubSequence where C.Element == UInt8 {
        var s = bytes.startIndex, e = bytes.endIndex
        while s < e, bytes[s] == space || bytes[s] == tab { s = bytes.index(after: s) }
        while e > s {
            let p = bytes.index(before: e)
            guard bytes[p] == space || bytes[p] == tab else { break }
            e = p
        }
        return bytes[s..<e]
    }

    /// ASCII case-insensitive comparison of bytes with an ASCII string.
    static func equalsIgnoringCase<C: Collection>(_ bytes: C, _ ascii: String) -> Bool where C.Element == UInt8 {
        let u = ascii.utf8
        guard bytes.count == u.count else { return false }
        for (x, y) in zip(bytes, u) where lower(x) != lower(y) { return false }
        return true
    }

    /// Appends the decimal digits of a non-negative integer.
    static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        precondition(value >= 0, "negative length")
        if value < 10 { out.append(UInt8(ascii: "0") + UInt8(value)); return }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = value, count = 0
        withUnsafeMutableBytes(of: &digits) { d in
            while n > 0 { d[count] = UInt8(ascii: "0") + UInt8(n % 10); n /= 10; count += 1 }
            for i in stride(from: count - 1, through: 0, by: -1) { out.append(d[i]) }
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends the lowercase hexadecimal digits of a non-negative integer.
    static func appendHex(_ value: Int, to out: inout [UInt8]) {
        precondition(value >= 0, "negative length")
        var started = false
        var shift = Int.bitWidth - 4
        while shift >= 0 {
            let nibble = (value >> shift) & 0xF
            if nibble != 0 || started || shift == 0 {
                out.append(hexDigits[nibble])
                started = true
            }
            shift -= 4
        }
    }
}
