/// A strict RFC 8259 recursive-descent parser over raw bytes.
///
/// It rejects trailing garbage, invalid escapes, unpaired surrogates, control
/// characters in strings, leading zeros and invalid UTF-8. Depth is bounded so
/// hostile input cannot exhaust the stack. Time is linear in the input.
struct JSONParser {
    let bytes: UnsafeRawBufferPointer
    var index = 0
    let maxDepth: Int
    var depth = 0

    init(_ bytes: UnsafeRawBufferPointer, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    mutating func parseDocument() throws -> JSONValue {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        guard index == bytes.count else { throw fail("unexpected data after the JSON value") }
        return value
    }

    func fail(_ reason: String) -> JSONError { JSONError(offset: index, reason: reason) }

    @inline(__always) mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    mutating func parseValue() throws -> JSONValue {
        guard index < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let range = try JSONSyntax.scanNumber(bytes, &index)
            return .number(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self))
        default: throw fail("unexpected character")
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws {
        let n = literal.utf8CodeUnitCount
        guard index + n <= bytes.count else { throw fail("unexpected end of input") }
        let p = literal.utf8Start
        for i in 0..<n where bytes[index + i] != p[i] { throw fail("invalid literal") }
        index += n
    }

    mutating func parseObject() throws -> JSONValue {
        depth += 1
        guard depth <= maxDepth else { throw fail("nesting deeper than \(maxDepth)") }
        defer { depth -= 1 }
        index += 1
        var members: [JSONMember] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a member name") }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':' after a member name") }
            index += 1
            skipWhitespace()
            let value = try parseValue()
            members.append(JSONMember(key, value))
            skipWhitespace()
            guard index < bytes.count else { throw fail("unexpected end of input in an object") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            throw fail("expected ',' or '}' in an object")
        }
    }

    mutating func parseArray() throws -> JSONValue {
        depth += 1
        guard depth <= maxDepth else { throw fail("nesting deeper than \(maxDepth)") }
        defer { depth -= 1 }
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
        while true {
            skipWhitespace()
            elements.append(try parseValue())
            skipWhitespace()
            guard index < bytes.count else { throw fail("unexpected end of input in an array") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
            throw fail("expected ',' or ']' in an array")
        }
    }

    mutating func parseString() throws -> String {
        try JSONSyntax.decodeString(bytes, &index)
    }
}

/// Shared lexical routines used by the parser, the scanner and the rewriter.
public enum JSONSyntax {
    /// Scans a number starting at `index`; returns its byte range and leaves `index` after it.
    public static func scanNumber(_ bytes: UnsafeRawBufferPointer, _ index: inout Int) throws -> Range<Int> {
        let start = index
        let n = bytes.count
        if index < n, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < n else { throw JSONError(offset: index, reason: "unexpected end of input in a number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < n, isDigit(bytes[index]) { throw JSONError(offset: index, reason: "leading zero in a number") }
        } else if isDigit(bytes[index]) {
            while index < n, isDigit(bytes[index]) { index += 1 }
        } else {
            throw JSONError(offset: index, reason: "expected a digit")
        }
        if index < n, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < n, isDigit(bytes[index]) else { throw JSONError(offset: index, reason: "expected a digit after '.'") }
            while index < n, isDigit(bytes[index]) { index += 1 }
        }
        if index < n, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < n, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < n, isDigit(bytes[index]) else { throw JSONError(offset: index, reason: "expected a digit in an exponent") }
            while index < n, isDigit(bytes[index]) { index += 1 }
        }
        return start..<index
    }

    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    /// Validates a string token starting at the opening quote without decoding it.
    /// Returns true when it contains escapes. Leaves `index` after the closing quote.
    public static func skipString(_ bytes: UnsafeRawBufferPointer, _ index: inout Int) throws -> Bool {
        index += 1
        var hasEscapes = false
        let n = bytes.count
        while index < n {
            // Skip plain ASCII 16 bytes at a time (no quote, backslash, control or non-ASCII byte).
            if let base = bytes.baseAddress { index = nextAttention(base.assumingMemoryBound(to: UInt8.self), from: index, end: n) }
            guard index < n else { break }
            let c = bytes[index]
            if c == UInt8(ascii: "\"") { index += 1; return hasEscapes }
            if c == UInt8(ascii: "\\") {
                hasEscapes = true
                index += 1
                guard index < n else { break }
                switch bytes[index] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                     UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 1
                case UInt8(ascii: "u"):
                    let unit = try hex4(bytes, index + 1)
                    index += 5
                    if unit >= 0xD800 && unit < 0xDC00 {
                        guard index + 1 < n, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                            throw JSONError(offset: index, reason: "unpaired UTF-16 surrogate escape")
                        }
                        let low = try hex4(bytes, index + 2)
                        guard low >= 0xDC00 && low < 0xE000 else { throw JSONError(offset: index, reason: "unpaired UTF-16 surrogate escape") }
                        index += 6
                    } else if unit >= 0xDC00 && unit < 0xE000 {
                        throw JSONError(offset: index, reason: "unpaired UTF-16 surrogate escape")
                    }
                default:
                    throw JSONError(offset: index, reason: "invalid escape sequence")
                }
                continue
            }
            if c < 0x20 { throw JSONError(offset: index, reason: "control character in a string") }
            if c < 0x80 { index += 1; continue }
            index = try skipUTF8Scalar(bytes, index)
        }
        throw JSONError(offset: index, reason: "unterminated string")
    }

    /// Scans 16-byte lanes from `start` while at least 16 bytes remain: the index of the first byte
    /// whose high bit `flags` sets, or (not found) the index where fewer than 16 bytes remain.
    /// Lane arithmetic: SSE2 on x86-64.
    @inlinable @inline(__always)
    static func firstFlagged(_ p: UnsafePointer<UInt8>, from start: Int, end n: Int,
                             _ flags: (SIMD16<UInt8>) -> SIMD16<UInt8>) -> (index: Int, found: Bool) {
        var i = start
        while i + 16 <= n {
            let v = UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<UInt8>.self)
            let hits = unsafeBitCast(flags(v) & SIMD16<UInt8>(repeating: 0x80), to: (UInt64, UInt64).self)
            if hits.0 != 0 { return (i + UInt64(littleEndian: hits.0).trailingZeroBitCount >> 3, true) }
            if hits.1 != 0 { return (i + 8 + UInt64(littleEndian: hits.1).trailingZeroBitCount >> 3, true) }
            i += 16
        }
        return (i, false)
    }

    /// The first index in `start..<end` of a byte that is `"`, `\\`, a control character (< 0x20)
    /// or non-ASCII (≥ 0x80), or `end` when there is none: the bytes a string scanner must look
    /// at. 16 bytes at a time, then 8, then 1.
    @inlinable @inline(__always)
    public static func nextAttention(_ p: UnsafePointer<UInt8>, from start: Int, end n: Int) -> Int {
        let low7 = SIMD16<UInt8>(repeating: 0x7F)
        let lanes = firstFlagged(p, from: start, end: n) { v in
            let y = v & low7
            // High bit set where the 7-bit value is not `"`, not `\` and not below 0x20.
            let calm = ((y ^ SIMD16(repeating: 0x22)) &+ low7) & ((y ^ SIMD16(repeating: 0x5C)) &+ low7) & (y &+ SIMD16(repeating: 0x60))
            return ~calm | v
        }
        if lanes.found { return lanes.index }
        var i = lanes.index
        while i + 8 <= n {
            let mask = attentionMask(UInt64(littleEndian: UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)))
            if mask != 0 { return i + mask.trailingZeroBitCount >> 3 }
            i += 8
        }
        while i < n {
            let c = p[i]
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") || c < 0x20 || c >= 0x80 { return i }
            i += 1
        }
        return n
    }

    /// The first index in `start..<end` of a `"` or `\\`, or `end` when there is none (for text
    /// already validated). 16 bytes at a time.
    @inlinable @inline(__always)
    public static func nextQuoteOrBackslash(_ p: UnsafePointer<UInt8>, from start: Int, end n: Int) -> Int {
        let low7 = SIMD16<UInt8>(repeating: 0x7F)
        let lanes = firstFlagged(p, from: start, end: n) { v in
            let y = v & low7
            // High bit clear where the 7-bit value is `"` or `\`; bytes >= 0x80 never match.
            let calm = ((y ^ SIMD16(repeating: 0x22)) &+ low7) & ((y ^ SIMD16(repeating: 0x5C)) &+ low7)
            return ~calm & ~v
        }
        if lanes.found { return lanes.index }
        var i = lanes.index
        while i < n {
            if p[i] == UInt8(ascii: "\"") || p[i] == UInt8(ascii: "\\") { return i }
            i += 1
        }
        return n
    }

    /// The high bit of each byte of `w` that is `"`, `\\`, below 0x20 or above 0x7F. Bits above
    /// the lowest set one may be spurious (borrows); the lowest is exact, which is all callers use.
    @inlinable @inline(__always)
    public static func attentionMask(_ w: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        let quote = w ^ (ones &* 0x22)
        let backslash = w ^ (ones &* 0x5C)
        let hasQuote = (quote &- ones) & ~quote
        let hasBackslash = (backslash &- ones) & ~backslash
        let hasControl = (w &- ones &* 0x20) & ~w
        return (hasQuote | hasBackslash | hasControl | w) & high
    }

    /// Validates one multi-byte UTF-8 sequence at `i`; returns the index after it.
    @inline(__always) static func skipUTF8Scalar(_ bytes: UnsafeRawBufferPointer, _ i: Int) throws -> Int {
        let c = bytes[i]
        let n = bytes.count
        func cont(_ j: Int) -> Bool { j < n && bytes[j] & 0xC0 == 0x80 }
        if c >= 0xC2 && c <= 0xDF {
            guard cont(i + 1) else { throw JSONError(offset: i, reason: "invalid UTF-8") }
            return i + 2
        }
        if c >= 0xE0 && c <= 0xEF {
            guard cont(i + 1), cont(i + 2) else { throw JSONError(offset: i, reason: "invalid UTF-8") }
            let b1 = bytes[i + 1]
            if c == 0xE0 && b1 < 0xA0 { throw JSONError(offset: i, reason: "overlong UTF-8") }
            if c == 0xED && b1 >= 0xA0 { throw JSONError(offset: i, reason: "UTF-8 encoded surrogate") }
            return i + 3
        }
        if c >= 0xF0 && c <= 0xF4 {
            guard cont(i + 1), cont(i + 2), cont(i + 3) else { throw JSONError(offset: i, reason: "invalid UTF-8") }
            let b1 = bytes[i + 1]
            if c == 0xF0 && b1 < 0x90 { throw JSONError(offset: i, reason: "overlong UTF-8") }
            if c == 0xF4 && b1 >= 0x90 { throw JSONError(offset: i, reason: "UTF-8 beyond U+10FFFF") }
            return i + 4
        }
        throw JSONError(offset: i, reason: "invalid UTF-8")
    }

    static func hex4(_ bytes: UnsafeRawBufferPointer, _ at: Int) throws -> UInt32 {
        guard at + 4 <= bytes.count else { throw JSONError(offset: at, reason: "truncated \\u escape") }
        guard let v = hexQuad(bytes, at) else { throw JSONError(offset: at, reason: "invalid hex digit in a \\u escape") }
        return v
    }

    /// The value of the four hex digits of a `\u` escape at `at`, nil when they are not four hex
    /// digits (or run past the end). Shared by every reader of JSON escapes.
    @inline(__always) public static func hexQuad(_ bytes: UnsafeRawBufferPointer, _ at: Int) -> UInt32? {
        guard at >= 0, at + 4 <= bytes.count else { return nil }
        var v: UInt32 = 0
        for k in 0..<4 {
            let c = bytes[at + k]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: return nil
            }
            v = v << 4 | d
        }
        return v
    }

    /// Decodes the string token starting at the opening quote at `index`.
    public static func decodeString(_ bytes: UnsafeRawBufferPointer, _ index: inout Int) throws -> String {
        let start = index
        let hasEscapes = try skipString(bytes, &index)
        let body = UnsafeRawBufferPointer(rebasing: bytes[(start + 1)..<(index - 1)])
        if !hasEscapes { return String(decoding: body, as: UTF8.self) }
        return unescape(body)
    }

    /// Unescapes the validated body of a string token (between the quotes).
    public static func unescape(_ body: UnsafeRawBufferPointer) -> String {
        var out = [UInt8]()
        out.reserveCapacity(body.count)
        var i = 0
        while i < body.count {
            let c = body[i]
            if c != UInt8(ascii: "\\") { out.append(c); i += 1; continue }
            let e = body[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = (try? hex4(body, i)) ?? 0xFFFD
                i += 4
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    let low = (try? hex4(body, i + 2)) ?? 0xDC00
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                }
                appendUTF8(Unicode.Scalar(scalar) ?? "\u{FFFD}", to: &out)
            default: out.append(e)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func appendUTF8(_ scalar: Unicode.Scalar, to out: inout [UInt8]) {
        UTF8.encode(scalar) { out.append($0) }
    }

    /// Validates one JSON value starting at `index` (after optional whitespace),
    /// leaving `index` after it. Depth is bounded by `maxDepth`.
    public static func skipValue(_ bytes: UnsafeRawBufferPointer, _ index: inout Int, maxDepth: Int = 128) throws {
        var depthStack = 0
        try skipValue(bytes, &index, depth: &depthStack, maxDepth: maxDepth)
    }

    static func skipWhitespace(_ bytes: UnsafeRawBufferPointer, _ index: inout Int) {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    static func skipValue(_ bytes: UnsafeRawBufferPointer, _ index: inout Int, depth: inout Int, maxDepth: Int) throws {
        skipWhitespace(bytes, &index)
        guard index < bytes.count else { throw JSONError(offset: index, reason: "unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "\""): _ = try skipString(bytes, &index)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let isObject = bytes[index] == UInt8(ascii: "{")
            let close: UInt8 = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
            depth += 1
            guard depth <= maxDepth else { throw JSONError(offset: index, reason: "nesting deeper than \(maxDepth)") }
            index += 1
            skipWhitespace(bytes, &index)
            if index < bytes.count, bytes[index] == close { index += 1; depth -= 1; return }
            while true {
                skipWhitespace(bytes, &index)
                if isObject {
                    guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                        throw JSONError(offset: index, reason: "expected a member name")
                    }
                    _ = try skipString(bytes, &index)
                    skipWhitespace(bytes, &index)
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                        throw JSONError(offset: index, reason: "expected ':' after a member name")
                    }
                    index += 1
                }
                try skipValue(bytes, &index, depth: &depth, maxDepth: maxDepth)
                skipWhitespace(bytes, &index)
                guard index < bytes.count else { throw JSONError(offset: index, reason: "unexpected end of input") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == close { index += 1; depth -= 1; return }
                throw JSONError(offset: index, reason: isObject ? "expected ',' or '}' in an object" : "expected ',' or ']' in an array")
            }
        case UInt8(ascii: "t"): try literal(bytes, &index, "true")
        case UInt8(ascii: "f"): try literal(bytes, &index, "false")
        case UInt8(ascii: "n"): try literal(bytes, &index, "null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try scanNumber(bytes, &index)
        default: throw JSONError(offset: index, reason: "unexpected character")
        }
    }

    static func literal(_ bytes: UnsafeRawBufferPointer, _ index: inout Int, _ text: StaticString) throws {
        let n = text.utf8CodeUnitCount
        guard index + n <= bytes.count else { throw JSONError(offset: index, reason: "unexpected end of input") }
        for i in 0..<n where bytes[index + i] != text.utf8Start[i] { throw JSONError(offset: index, reason: "invalid literal") }
        index += n
    }

    /// The byte ranges of the elements of the top-level array in `bytes`. Validates the whole text.
    public static func arrayElements(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = 128) throws -> [Range<Int>] {
        var index = 0
        skipWhitespace(bytes, &index)
        guard index < bytes.count, bytes[index] == UInt8(ascii: "[") else { throw JSONError(offset: index, reason: "expected an array") }
        index += 1
        var elements: [Range<Int>] = []
        skipWhitespace(bytes, &index)
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
        } else {
            while true {
                skipWhitespace(bytes, &index)
                let start = index
                var depth = 1
                try skipValue(bytes, &index, depth: &depth, maxDepth: maxDepth)
                elements.append(start..<index)
                skipWhitespace(bytes, &index)
                guard index < bytes.count else { throw JSONError(offset: index, reason: "unexpected end of input in an array") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; break }
                throw JSONError(offset: index, reason: "expected ',' or ']' in an array")
            }
        }
        skipWhitespace(bytes, &index)
        guard index == bytes.count else { throw JSONError(offset: index, reason: "unexpected data after the JSON value") }
        return elements
    }

    /// True when `bytes` hold exactly one JSON value (with optional surrounding whitespace).
    public static func isSingleValue(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = 128) -> Bool {
        var index = 0
        do { try skipValue(bytes, &index, maxDepth: maxDepth) } catch { return false }
        skipWhitespace(bytes, &index)
        return index == bytes.count
    }

    /// The members of the top-level object in `bytes`: each key with the byte range of its value.
    /// Validates the whole text; rejects anything but a single object.
    public static func topLevelMembers(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = 128) throws -> [(key: String, value: Range<Int>)] {
        try topLevelMemberRanges(bytes, maxDepth: maxDepth).map { ($0.key(in: bytes), $0.value) }
    }

    /// The members of the top-level object in `bytes` as byte ranges, without decoding any key.
    /// Validates the whole text; rejects anything but a single object. O(n).
    public static func topLevelMemberRanges(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = 128) throws -> [JSONMemberRange] {
        var index = 0
        skipWhitespace(bytes, &index)
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else {
            throw JSONError(offset: index, reason: "a record must be a JSON object")
        }
        var members: [JSONMemberRange] = []
        members.reserveCapacity(24)
        try objectMembers(bytes, &index, depth: 0, maxDepth: maxDepth, into: &members, unterminated: "unexpected end of input in an object")
        skipWhitespace(bytes, &index)
        guard index == bytes.count else { throw JSONError(offset: index, reason: "unexpected data after the JSON value") }
        return members
    }

    /// The members of the object whose text is `range` of `bytes` (one value, e.g. a range from
    /// `topLevelMemberRanges`), as byte ranges. Validates the object. O(range.count).
    public static func memberRanges(_ bytes: UnsafeRawBufferPointer, of range: Range<Int>, maxDepth: Int = 128) throws -> [JSONMemberRange] {
        var index = range.lowerBound
        guard index < range.upperBound, bytes[index] == UInt8(ascii: "{") else {
            throw JSONError(offset: index, reason: "expected an object")
        }
        var members: [JSONMemberRange] = []
        members.reserveCapacity(8) // one allocation for the small objects of a record (usage, route, metadata…)
        let limited = UnsafeRawBufferPointer(rebasing: bytes[..<range.upperBound])
        try objectMembers(limited, &index, depth: 0, maxDepth: maxDepth, into: &members, unterminated: "unexpected end of input in an object")
        guard index == range.upperBound else { throw JSONError(offset: index, reason: "unexpected data after the JSON value") }
        return members
    }

    /// Reads the object starting at the `{` at `index`, appending its members; leaves `index`
    /// after the closing `}`.
    static func objectMembers(_ bytes: UnsafeRawBufferPointer, _ index: inout Int, depth: Int, maxDepth: Int,
                              into members: inout [JSONMemberRange], unterminated: String) throws {
        index += 1
        skipWhitespace(bytes, &index)
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return }
        while true {
            skipWhitespace(bytes, &index)
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw JSONError(offset: index, reason: "expected a member name")
            }
            let keyStart = index + 1
            let hasEscapes = try skipString(bytes, &index)
            let key = keyStart..<(index - 1)
            skipWhitespace(bytes, &index)
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw JSONError(offset: index, reason: "expected ':' after a member name")
            }
            index += 1
            skipWhitespace(bytes, &index)
            let start = index
            var valueDepth = depth + 1
            try skipValue(bytes, &index, depth: &valueDepth, maxDepth: maxDepth)
            members.append(JSONMemberRange(key: key, keyHasEscapes: hasEscapes, value: start..<index))
            skipWhitespace(bytes, &index)
            guard index < bytes.count else { throw JSONError(offset: index, reason: unterminated) }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return }
            throw JSONError(offset: index, reason: "expected ',' or '}' in an object")
        }
    }
}

/// One member of a JSON object located in its text: where its key's characters (between the
/// quotes, still escaped) and its value lie.
public struct JSONMemberRange: Sendable, Equatable {
    /// The key's bytes between the quotes, as written (escapes not decoded).
    public var key: Range<Int>
    /// True when the key contains a backslash escape, so its raw bytes are not its name.
    public var keyHasEscapes: Bool
    /// The value's bytes.
    public var value: Range<Int>

    /// Creates a member range.
    public init(key: Range<Int>, keyHasEscapes: Bool, value: Range<Int>) {
        self.key = key
        self.keyHasEscapes = keyHasEscapes
        self.value = value
    }

    /// The decoded key. O(key length).
    public func key(in bytes: UnsafeRawBufferPointer) -> String {
        let body = UnsafeRawBufferPointer(rebasing: bytes[key])
        return keyHasEscapes ? JSONSyntax.unescape(body) : String(decoding: body, as: UTF8.self)
    }

    /// True when the key is exactly `name` (compared after decoding escapes). O(key length).
    public func keyEquals(_ name: StaticString, in bytes: UnsafeRawBufferPointer) -> Bool {
        if keyHasEscapes { return key(in: bytes) == String(describing: name) }
        let n = name.utf8CodeUnitCount
        guard key.count == n else { return false }
        let start = name.utf8Start
        for i in 0..<n where bytes[key.lowerBound + i] != start[i] { return false }
        return true
    }
}
