// Request-target splitting, percent-decoding and query parsing. Standard library only (part of the fuzz target).

/// Decoded query parameters in their original order; repeated names are kept.
public struct QueryParameters: Sendable, Equatable, Sequence {
    /// One `name=value` pair after percent-decoding (`+` decodes to a space).
    public struct Item: Sendable, Equatable {
        /// The decoded name.
        public var name: String
        /// The decoded value; empty for `name` or `name=`.
        public var value: String

        /// Creates an item.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// All pairs in order.
    public private(set) var items: [Item]

    /// Creates parameters from pairs.
    public init(_ items: [Item] = []) { self.items = items }

    /// Iterates over pairs in order.
    public func makeIterator() -> IndexingIterator<[Item]> { items.makeIterator() }

    /// The first value for `name` (exact, case-sensitive), or nil. O(n).
    public subscript(name: String) -> String? {
        items.first { $0.name == name }?.value
    }

    /// All values for `name` in order. O(n).
    public func values(for name: String) -> [String] {
        items.filter { $0.name == name }.map(\.value)
    }

    /// The distinct names in order of first appearance. O(n²) in the worst case, n is small.
    public var names: [String] {
        var seen: [String] = []
        for item in items where !seen.contains(item.name) { seen.append(item.name) }
        return seen
    }

    /// Parses an `application/x-www-form-urlencoded`-style query (without the leading `?`).
    ///
    /// Empty pieces (`a=1&&b=2`) are skipped. Returns nil on malformed percent-encoding or when a decoded name or
    /// value is not valid UTF-8. O(length).
    public static func parse(_ query: Substring.UTF8View) -> QueryParameters? {
        var items: [Item] = []
        for piece in query.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let name: String?
            let value: String?
            if let eq = piece.firstIndex(of: UInt8(ascii: "=")) {
                name = PercentDecoding.decode(piece[piece.startIndex..<eq], plusAsSpace: true)
                value = PercentDecoding.decode(piece[piece.index(after: eq)...], plusAsSpace: true)
            } else {
                name = PercentDecoding.decode(piece, plusAsSpace: true)
                value = ""
            }
            guard let name, let value else { return nil }
            items.append(Item(name: name, value: value))
        }
        return QueryParameters(items)
    }

    /// Parses a query string (without the leading `?`); see ``parse(_:)-(Substring.UTF8View)``.
    public static func parse(_ query: String) -> QueryParameters? {
        parse(Substring(query).utf8)
    }
}

/// Percent-decoding (RFC 3986 §2.1) into UTF-8 strings.
public enum PercentDecoding {
    /// Decodes `%XX` escapes (and `+` as space when `plusAsSpace`), returning nil on a malformed escape or when the
    /// result is not valid UTF-8. O(length).
    public static func decode<C: Collection>(_ bytes: C, plusAsSpace: Bool) -> String? where C.Element == UInt8 {
        var needsWork = false
        for c in bytes where c == UInt8(ascii: "%") || (plusAsSpace && c == UInt8(ascii: "+")) {
            needsWork = true
            break
        }
        var out: [UInt8]
        if needsWork {
            out = []
            out.reserveCapacity(bytes.count)
            var i = bytes.startIndex
            while i != bytes.endIndex {
                let c = bytes[i]
                if c == UInt8(ascii: "%") {
                    let h = bytes.index(after: i)
                    guard h != bytes.endIndex else { return nil }
                    let l = bytes.index(after: h)
                    guard l != bytes.endIndex, let hi = hex(bytes[h]), let lo = hex(bytes[l]) else { return nil }
                    out.append(hi << 4 | lo)
                    i = bytes.index(after: l)
                    continue
                }
                out.append(plusAsSpace && c == UInt8(ascii: "+") ? UInt8(ascii: " ") : c)
                i = bytes.index(after: i)
            }
        } else {
            out = Array(bytes)
        }
        return String(validating: out, as: UTF8.self)
    }

    @inline(__always)
    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }
}

/// A request-target split into its decoded path segments and query.
public struct RequestTarget: Sendable, Equatable {
    /// The path as sent (still percent-encoded), starting with `/`; `*` for the asterisk form.
    public var path: String
    /// The path split on `/` with each segment percent-decoded (so `%2F` stays inside one segment).
    /// `/` gives `[]`; `/a/` gives `["a", ""]`.
    public var segments: [String]
    /// The decoded query parameters.
    public var query: QueryParameters
    /// The raw query string without `?`, or nil when there is none.
    public var rawQuery: String?

    /// Splits an origin-form (`/path?query`), absolute-form (`http://host/path?query`) or asterisk-form (`*`)
    /// request-target. Returns nil when the target is malformed. O(length).
    public static func parse(_ target: String) -> RequestTarget? {
        var t = Substring(target)
        if t == "*" { return RequestTarget(path: "*", segments: [], query: QueryParameters(), rawQuery: nil) }
        if !t.hasPrefix("/") {
            // absolute-form: scheme "://" authority path-abempty [ "?" query ]
            guard let schemeEnd = t.firstRange(of: "://") else { return nil }
            let scheme = t[t.startIndex..<schemeEnd.lowerBound].lowercased()
            guard scheme == "http" || scheme == "https" else { return nil }
            let rest = t[schemeEnd.upperBound...]
            guard let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) else {
                t = "/"
                return parsePathAndQuery(t)
            }
            if rest[slash] == "?" { return parsePathAndQuery("/" + rest[slash...]) }
            t = rest[slash...]
        }
        return parsePathAndQuery(t)
    }

    private static func parsePathAndQuery(_ t: Substring) -> RequestTarget? {
        let path: Substring
        var rawQuery: Substring?
        if let q = t.firstIndex(of: "?") {
            path = t[t.startIndex..<q]
            rawQuery = t[t.index(after: q)...]
        } else {
            path = t
        }
        var segments: [String] = []
        let bytes = path.utf8.dropFirst()
        if !bytes.isEmpty {
            for segment in bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
                guard let decoded = PercentDecoding.decode(segment, plusAsSpace: false) else { return nil }
                segments.append(decoded)
            }
        }
        var query = QueryParameters()
        if let rawQuery {
            guard let parsed = QueryParameters.parse(rawQuery.utf8) else { return nil }
            query = parsed
        }
        return RequestTarget(path: String(path), segments: segments, query: query, rawQuery: rawQuery.map(String.init))
    }
}
