/// Compact JSON serialisation into byte buffers.
public enum JSONWriter {
    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `value` in compact form.
    public static func append(_ value: JSONValue, to out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        case .bool(let b): out.append(contentsOf: b ? Array("true".utf8) : Array("false".utf8))
        case .number(let n): out.append(contentsOf: n.utf8)
        case .string(let s): appendString(s, to: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (i, e) in elements.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                append(e, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (i, m) in members.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                appendString(m.key, to: &out)
                out.append(UInt8(ascii: ":"))
                append(m.value, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Appends `string` as a quoted JSON string (escaping `"`, `\` and control characters).
    public static func appendString(_ string: String, to out: inout [UInt8]) {
        var string = string
        string.withUTF8 { appendString(utf8: $0, to: &out) }
    }

    /// Appends the UTF-8 text `utf8` as a quoted JSON string, escaped as `appendString(_:to:)`
    /// escapes a String: `\"`, `\\`, `\n`, `\r`, `\t`, other control characters as `\u00xx`;
    /// every other byte is copied, runs without escapes in bulk (8 bytes are checked at a time).
    /// The bytes should be valid UTF-8 (they are copied as they are). O(n).
    public static func appendString(utf8 bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        out.reserveCapacity(out.count + bytes.count + 2)
        out.append(UInt8(ascii: "\""))
        guard let p = bytes.baseAddress else { out.append(UInt8(ascii: "\"")); return }
        let n = bytes.count
        var run = 0
        var i = 0
        while i < n {
            // The high bit of each byte that is `"`, `\` or below 0x20 (the lowest set bit is exact;
            // the tests work on the low 7 bits, so no borrow crosses a byte, and bytes >= 0x80 are excluded).
            while i + 8 <= n {
                let w = UInt64(littleEndian: UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self))
                let ones: UInt64 = 0x0101_0101_0101_0101, high: UInt64 = 0x8080_8080_8080_8080
                let y = w & ~high
                let notQuote = (y ^ ones &* 0x22) &+ ones &* 0x7F
                let notBackslash = (y ^ ones &* 0x5C) &+ ones &* 0x7F
                let notControl = y &+ ones &* 0x60
                let attention = ~(notQuote & notBackslash & notControl) & ~w & high
                if attention != 0 { i += attention.trailingZeroBitCount >> 3; break }
                i += 8
            }
            guard i < n else { break }
            let c = p[i]
            guard c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") || c < 0x20 else { i += 1; continue }
            out.append(contentsOf: UnsafeBufferPointer(start: p + run, count: i - run))
            switch c {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(c)
            case 0x0A: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
            default:
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                        hexDigits[Int(c >> 4)], hexDigits[Int(c & 15)]])
            }
            i += 1
            run = i
        }
        out.append(contentsOf: UnsafeBufferPointer(start: p + run, count: n - run))
        out.append(UInt8(ascii: "\""))
    }

    /// A quoted JSON string literal for `string`.
    public static func quoted(_ string: String) -> String {
        var out = [UInt8]()
        appendString(string, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
