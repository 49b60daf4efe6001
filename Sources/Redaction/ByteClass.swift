/// Byte classification tables for the scanner's hot loop.
///
/// One 256-entry table of bit flags answers every "what kind of byte is this" question
/// with a single load. Bytes of multi-byte UTF-8 sequences (>= 0x80) count as word bytes,
/// so an accented letter joins its word instead of acting as a boundary.
enum ByteClass {
    /// `[A-Za-z0-9_]` and every byte >= 0x80.
    static let word: UInt8 = 1
    /// `[0-9]`.
    static let digit: UInt8 = 2
    /// `[A-Za-z]`.
    static let letter: UInt8 = 4
    /// `[0-9A-Fa-f]`.
    static let hex: UInt8 = 8
    /// Symbols that start a detector: `@ + ( - : = ~`.
    static let trigger: UInt8 = 16
    /// `[A-Za-z0-9_-]`: the body of most provider keys and of base64url.
    static let token: UInt8 = 32
    /// `[A-Za-z0-9+/]`: standard base64 without padding.
    static let base64: UInt8 = 64
    /// `[A-Z]`.
    static let upper: UInt8 = 128

    /// The table itself.
    ///
    /// `nonisolated(unsafe)` is sound: the buffer is filled once inside this initialiser,
    /// before any other code can see the pointer, is never written again and never freed,
    /// so concurrent readers only ever observe immutable memory.
    nonisolated(unsafe) static let table: UnsafePointer<UInt8> = {
        let t = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        t.initialize(repeating: 0, count: 256)
        for c in 0..<256 {
            var f: UInt8 = 0
            let b = UInt8(c)
            let isDigit = b >= 0x30 && b <= 0x39
            let isUpper = b >= 0x41 && b <= 0x5A
            let isLower = b >= 0x61 && b <= 0x7A
            if isDigit { f |= digit | hex | token | base64 | word }
            if isUpper || isLower { f |= letter | token | base64 | word }
            if isUpper { f |= upper }
            if (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66) { f |= hex }
            if b == 0x5F { f |= word | token }  // _
            if b == 0x2D { f |= token }  // -
            if b == 0x2B || b == 0x2F { f |= base64 }  // + /
            if b >= 0x80 { f |= word }
            switch b {
            case UInt8(ascii: "@"), UInt8(ascii: "+"), UInt8(ascii: "("), UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: "="),
                 UInt8(ascii: "~"):
                f |= trigger
            default: break
            }
            t[c] = f
        }
        return UnsafePointer(t)
    }()
}

/// Small byte helpers shared by the detectors.
enum Bytes {
    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c &- 0x30 < 10 }
    @inline(__always) static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) &- 0x61 < 26 }
    @inline(__always) static func isAlnum(_ c: UInt8) -> Bool { isDigit(c) || isLetter(c) }
    @inline(__always) static func isUpper(_ c: UInt8) -> Bool { c &- 0x41 < 26 }
    @inline(__always) static func isLower(_ c: UInt8) -> Bool { c &- 0x61 < 26 }
    @inline(__always) static func lower(_ c: UInt8) -> UInt8 { isUpper(c) ? c | 0x20 : c }
    /// A UTF-8 lead byte of U+00C0–U+1FFF: a letter of an alphabet (Latin with diacritics, Greek,
    /// Cyrillic, Hebrew, Arabic, Indic scripts…), not a symbol, punctuation, CJK text or emoji.
    @inline(__always) static func isAlphabetLead(_ c: UInt8) -> Bool { c >= 0xC3 && c <= 0xE1 }
    @inline(__always) static func upper(_ c: UInt8) -> UInt8 { isLower(c) ? c & 0xDF : c }
    @inline(__always) static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
}
