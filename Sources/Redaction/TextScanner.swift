/// A detection before overlap resolution.
struct RawSpan {
    /// UTF-8 offsets.
    var start: Int
    var end: Int
    /// 0...6 for built-in kinds (`BuiltinKind.rawValue`), 7 + index for custom detectors.
    var kind: Int
    /// Higher wins when spans overlap.
    var priority: Int
    /// An AWS access key id (its neighbourhood is searched for the matching secret key).
    var isAWSKeyID: Bool = false
}

/// A resolved, non-overlapping span with the winning kind.
struct ResolvedSpan {
    var start: Int
    var end: Int
    var kind: Int
}

/// The built-in detectors in one left-to-right pass over UTF-8 bytes.
///
/// Design, for linear time on any input:
/// - the loop visits each byte once; detectors run only at word starts (a word byte after a
///   non-word byte) and at a handful of trigger symbols (`@ + ( - : =`);
/// - every detector either reads a bounded window (at most a few hundred bytes) or uses a
///   cache whose position only moves forward (token runs, the next PEM end marker, the extent of
///   an IPv6 candidate run), so total work is O(n) with a small constant;
/// - context words (`phone`, `ssn`, `version`…) are remembered as the loop passes them, so
///   detectors look them up in O(1) instead of scanning backwards.
///
/// The scanner never allocates unless it finds something (the output array grows then).
struct TextScanner {
    let p: UnsafePointer<UInt8>
    let n: Int
    let t: UnsafePointer<UInt8> = ByteClass.table
    let t2: UnsafePointer<UInt8> = ByteClass2.table
    /// `WordGate.lengths`, loaded once per scan (a global's accessor costs a check per access).
    let gates: UnsafePointer<UInt16> = WordGate.lengths
    var spans: [RawSpan]

    /// IPv6 candidate runs are parsed once; `:` triggers before this offset are skipped.
    var ipv6Until = 0
    /// Forward-only caches of the next PEM `-----END ` and `-----BEGIN ` markers (see `nextMarker`).
    var pemEndCache = (from: Int.max, at: -1)
    var pemBeginCache = (from: Int.max, at: -1)
    /// Forward-only caches for the ends of assignment values (see `nextMarker(from:cache:_:accept:)`).
    var valueEndCache = (from: Int.max, at: -1)
    var doubleQuoteCache = (from: Int.max, at: -1)
    var singleQuoteCache = (from: Int.max, at: -1)
    var backtickCache = (from: Int.max, at: -1)
    var escapedQuoteCache = (from: Int.max, at: -1)
    var ampCache = (from: Int.max, at: -1)
    /// Where the searches for `redis-cli … -a` and `gh secret set … --body` stopped (forward-only).
    var flagSearchedUntil = (redis: 0, gh: 0)
    /// Where `commandBefore` has read up to, and the command groups seen on that line so far.
    var commandLine = (scanned: 0, seen: UInt32(0))
    /// Cookie header values are parsed up to here (see `cookieHeader`).
    var cookieScannedUntil = 0
    /// Maximal-run caches: a run of a class that contains `from` ends at `end`.
    var tokenRun = (from: -1, end: -1)
    var tokenDotRun = (from: -1, end: -1)
    var bearerRun = (from: -1, end: -1)
    /// Where the last context word of each kind ended (far in the past by default).
    var phoneContextEnd = Int.min / 2
    var ssnContextEnd = Int.min / 2
    var versionWordEnd = Int.min / 2
    var isbnContextEnd = Int.min / 2
    var sawAWSKeyID = false
    /// Where the last card number ended: a number right after it (one space between) may be the
    /// next card of a list (`4111… 5500…`), though it looks like a group continuing a chain.
    var lastCardEnd = -2
    /// Where the last SSN or phone number found ended: a number one space after it starts a new
    /// one (`SSN list: 162-94-6003 662-94-6003`), not a group of a longer chain.
    var lastNumberEnd = -2
    /// Where words that may name a table column start (`mayNameColumn`), in scan order: when
    /// there are any, `tableColumns` runs, and looks for a header only on their lines.
    var columnWords: [Int] = []
    /// A quoted-printable soft line break (`=` ending a line) was seen, or an iCalendar/vCard
    /// `BEGIN:V…` line (whose long lines are folded): `unfoldedScan` runs after the main loop.
    var sawSoftBreak = false
    var sawFoldedFormat = false
    /// A LaTeX tie (`~`, an unbreakable space) between groups of a number (`+1~(640)~558~1377`,
    /// `DE83~6916~…`): `unfoldedScan` reads it as a space.
    var sawTie = false
    /// A byte >= 0x80 was seen: `nonASCIIPass` runs after the main loop.
    var sawNonASCII = false
    /// A backslash was seen: the text may hold escapes (`TextScanner.scan` looks for them).
    var sawBackslash = false
    /// This scanner reads a folded copy of a text (see `foldedScan`): no further folding.
    var isFoldedCopy = false
    /// The first digit at or after the last position `digitWithin` searched from (`n`: none).
    var nextDigit = -1

    init(_ buffer: UnsafeBufferPointer<UInt8>, spans: [RawSpan]) {
        // An empty buffer may have a nil base address; n == 0 means p is never read.
        self.p = buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!
        self.n = buffer.count
        self.spans = spans
    }

    /// Byte at `i`, or 0 (a boundary) outside the text.
    @inline(__always) func at(_ i: Int) -> UInt8 { i >= 0 && i < n ? p[i] : 0 }

    @inline(__always) func cls(_ i: Int) -> UInt8 { i >= 0 && i < n ? t[Int(p[i])] : 0 }

    @inline(__always) func isWordByte(_ i: Int) -> Bool { cls(i) & ByteClass.word != 0 }

    /// Whether an ASCII token (a key, an IBAN, an address) may end right before `e`: the byte at
    /// `e` is no ASCII word byte, and a character of another script only continues the token when
    /// it is a letter of an alphabet (U+00C0–U+1FFF: `é`, `ß`, Cyrillic…). Emoji, CJK text and
    /// punctuation, typographic quotes, dashes and guillemets end it (`ghp_…🙏`, `…。`, `„…“`).
    @inline(__always) func isTokenEnd(_ e: Int) -> Bool {
        let c = at(e)
        if c < 0x80 { return t[Int(c)] & ByteClass.word == 0 }
        return !Bytes.isAlphabetLead(c) || scriptPunctuationWidth(e) > 0
    }

    /// Whether an ASCII token may start at `s`, as `isTokenEnd` decides for the character before.
    @inline(__always) func isTokenStart(_ s: Int) -> Bool {
        let c = at(s - 1)
        if c < 0x80 { return t[Int(c)] & ByteClass.word == 0 }
        var k = s - 1
        while k > 0 && s - k < 4 && p[k] & 0xC0 == 0x80 { k -= 1 }
        return !Bytes.isAlphabetLead(p[k]) || scriptPunctuationWidth(k) > 0
    }

    /// True when the bytes at `i` equal `literal` exactly.
    @inline(__always) func has(_ i: Int, _ literal: StaticString) -> Bool {
        let m = literal.utf8CodeUnitCount
        guard i >= 0, i + m <= n else { return false }
        let q = literal.utf8Start
        for k in 0..<m where p[i + k] != q[k] { return false }
        return true
    }

    /// True when the bytes at `i` equal the lower-case `literal`, ignoring ASCII case.
    @inline(__always) func hasIgnoringCase(_ i: Int, _ literal: StaticString) -> Bool {
        let m = literal.utf8CodeUnitCount
        guard i >= 0, i + m <= n else { return false }
        let q = literal.utf8Start
        for k in 0..<m where Bytes.lower(p[i + k]) != q[k] { return false }
        return true
    }

    @inline(__always) mutating func emit(_ start: Int, _ end: Int, _ kind: BuiltinKind, awsKeyID: Bool = false) {
        spans.append(RawSpan(start: start, end: end, kind: Int(kind.rawValue), priority: Int(kind.priority), isAWSKeyID: awsKeyID))
    }

    /// End of the maximal run of bytes whose `table` entry has `mask`, starting at `from`.
    /// Amortised O(1) per call for calls inside a run already measured.
    @inline(__always)
    static func runEnd(_ p: UnsafePointer<UInt8>, _ n: Int, _ table: UnsafePointer<UInt8>, _ mask: UInt8,
                       from: Int, cache: inout (from: Int, end: Int)) -> Int {
        if from >= cache.from && from < cache.end { return cache.end }
        var e = from
        while e < n && table[Int(p[e])] & mask != 0 { e += 1 }
        if e > from { cache = (from, e) }
        return e
    }

    mutating func tokenRunEnd(_ from: Int) -> Int {
        Self.runEnd(p, n, t, ByteClass.token, from: from, cache: &tokenRun)
    }

    mutating func tokenDotRunEnd(_ from: Int) -> Int {
        Self.runEnd(p, n, t2, ByteClass2.tokenDot, from: from, cache: &tokenDotRun)
    }

    mutating func bearerRunEnd(_ from: Int) -> Int {
        Self.runEnd(p, n, t2, ByteClass2.bearer, from: from, cache: &bearerRun)
    }

    // MARK: - The pass

    /// Runs every built-in detector over the text, appending to `spans`. O(n).
    ///
    /// What the detectors look at: the start of each word (a run of ASCII word bytes
    /// `[A-Za-z0-9_]`; a run of non-ASCII bytes is a word too, so a number or a key right after
    /// CJK text, "電話番号は090-1234-5678", still starts a word) and each trigger symbol. A
    /// detector may resume anywhere, even inside a word: the byte there is then taken as a word
    /// start. This is the byte loop `Tests/RedactionTests/ScannerReference.swift` spells out;
    /// here the bytes are classified 64 at a time (`BlockMasks`) and the loop stops only where
    /// a detector can act: numbers, triggers, and the few words whose first letters and length
    /// some detector cares about (`WordGate.lengths`) or that could start an IBAN. Every other
    /// word would have been skipped whole by the byte loop, so skipping it gives the same spans.
    mutating func run() {
        var i = 0
        var block = BlockMasks()
        while i < n {
            if i >= block.end {
                // Bytes a detector consumed past the last block are not classified: look at them here.
                if !sawNonASCII || !sawBackslash {
                    for k in block.end..<i {
                        if p[k] >= 0x80 { sawNonASCII = true }
                        if p[k] == 0x5C { sawBackslash = true }
                    }
                }
                block = Self.blockMasks(p, n, t, gates, at: i)
                if block.nonASCII { sawNonASCII = true }
                if block.backslash { sawBackslash = true }
            }
            let ahead = block.events >> UInt64(i - block.base)
            if ahead == 0 { i = block.end; continue }
            let j = i + ahead.trailingZeroBitCount
            if block.ascii & (UInt64(1) << UInt64(j - block.base)) != 0 {
                i = word(j, end: block.runEnd(block.ascii, after: j) ?? asciiWordEnd(block.end))
                // Resumed inside a run of ASCII word bytes: the byte loop takes it as a word start.
                while i > 0 && i < n && t[Int(p[i])] & ByteClass.word != 0 && p[i] < 0x80
                        && t[Int(p[i - 1])] & ByteClass.word != 0 && p[i - 1] < 0x80 {
                    i = word(i, end: asciiWordEnd(i + 1))
                }
                continue
            }
            // The commonest symbols usually cannot start anything; `trigger` would return j + 1
            // for them: `-` not opening "-----B…" nor a `-p` flag (nor, after a blank, a `-P`,
            // `-w`, `-U` or `-b` flag: `commandPasswordFlag`; nor `-As…`, `--p…`), `(` or `+` not
            // before a digit (nor `(` after `e`, `i`, `t`, `O`, `n`: `define(`, `mysqli(`, `…connect(`, `PDO(`,
            // `getConnection(`).
            let c = p[j]
            if c == UInt8(ascii: "-") ? (at(j + 4) != UInt8(ascii: "-") || at(j + 5) != UInt8(ascii: "B")) && at(j + 1) != UInt8(ascii: "p")
                    && !(Self.isCommandFlagLetter(at(j + 1)) && (at(j - 1) == UInt8(ascii: " ") || at(j - 1) == UInt8(ascii: "\t")))
                    && !(at(j + 1) == UInt8(ascii: "A") && at(j + 2) == UInt8(ascii: "s")) && !(at(j + 1) == UInt8(ascii: "-") && at(j + 2) == UInt8(ascii: "p"))
                : (c == UInt8(ascii: "(") || c == UInt8(ascii: "+")) && !Bytes.isDigit(at(j + 1))
                    && !(c == UInt8(ascii: "(") && (at(j + 1) == UInt8(ascii: "+") || at(j - 1) == UInt8(ascii: "e") || at(j - 1) == UInt8(ascii: "i")
                                                    || at(j - 1) == UInt8(ascii: "t") || at(j - 1) == UInt8(ascii: "O")
                                                    || at(j - 1) == UInt8(ascii: "n"))) {
                i = j + 1
                continue
            }
            i = trigger(j)
            while i > 0 && i < n && t[Int(p[i])] & ByteClass.word != 0 && p[i] < 0x80
                    && t[Int(p[i - 1])] & ByteClass.word != 0 && p[i - 1] < 0x80 {
                i = word(i, end: asciiWordEnd(i + 1))
            }
        }
        if block.end < n {
            for k in block.end..<n {
                if p[k] >= 0x80 { sawNonASCII = true }
                if p[k] == 0x5C { sawBackslash = true }
            }
        }
        if sawAWSKeyID { findAWSSecretKeys() }
        if sawNonASCII { nonASCIIPass() }
        if (sawSoftBreak || sawFoldedFormat || sawTie) && !isFoldedCopy { unfoldedScan() }
        // Tables: only texts of more than one line.
        if !columnWords.isEmpty && n > 8 && nextLineEnd(2) < n - 1 { tableColumns() }
    }

    /// The ASCII word `i..<e`: numbers and letter words go to their detectors. Returns where the
    /// scan resumes (at least `e`).
    @inline(__always) mutating func word(_ start: Int, end e: Int) -> Int {
        // `_4111 1111 1111 1111_`, `___415-555-0132___`: Markdown emphasis or a form blank
        // opening before a number.
        var i = start
        if p[start] == UInt8(ascii: "_") {
            var k = start + 1
            while k < e && p[k] == UInt8(ascii: "_") { k += 1 }
            if k < e && Bytes.isDigit(p[k]) && opensEmphasis(k - 1) { i = k }
        }
        let f = t[Int(p[i])]
        let resume: Int
        if f & ByteClass.digit != 0 {
            if numberStandsAlone(i) { return e }
            resume = numeric(i)
        } else if f & ByteClass.letter != 0 {
            resume = letterWord(i, e)
        } else {
            resume = e
        }
        return resume > e ? resume : e
    }

    /// Whether the digits at `s` are fewer than 9, not followed by a separator and another group,
    /// and not 8 right after a phone word or key: then `numeric(s)` finds nothing (a card needs
    /// 13+ digits, an SSN 3 digits then a group or 9 digits, an IPv4 address `.` and a digit, a
    /// phone number two groups or 10+ digits, each next group starting with a digit or `(` after
    /// ` `, `-`, `.`, `/`, `(`, or after " - " / " / ") and changes nothing. Most numbers in text are like this ("07T08",
    /// "30:16", "3 items", "1,234"), so the detectors are not run for them.
    @inline(__always) func numberStandsAlone(_ s: Int) -> Bool {
        // "%40" (a URL-encoded `@`): `numeric` looks for an address around it; "%2B" (a
        // URL-encoded `+`): for an international phone number after it.
        if (at(s - 1) == UInt8(ascii: "=") && p[s] == UInt8(ascii: "4") && at(s + 1) == UInt8(ascii: "0")) { return false }
        if at(s - 1) == UInt8(ascii: "%") && ((p[s] == UInt8(ascii: "4") && at(s + 1) == UInt8(ascii: "0"))
                                               || (p[s] == UInt8(ascii: "2") && Bytes.upper(at(s + 1)) == UInt8(ascii: "B"))) { return false }
        // "&#64;" (an HTML character reference for `@`): an address around it.
        if at(s - 1) == UInt8(ascii: "#") && p[s] == UInt8(ascii: "6") && at(s + 1) == UInt8(ascii: "4") && at(s + 2) == UInt8(ascii: ";") {
            return false
        }
        var r = s + 1
        while r < n && Bytes.isDigit(p[r]) && r - s < 9 { r += 1 }
        guard r - s < 9 else { return false }
        // A number in a left-to-right embedding (WhatsApp): `numeric`.
        if at(s - 1) == 0xAA && has(s - 3, "\u{202A}") { return false }
        // A WhatsApp link's number (`wa.me/49151…`): `numeric`.
        if r - s == 8 && at(s - 1) == UInt8(ascii: "/") && has(s - 6, "wa.me/") { return false }
        // Eight digits right after a phone word or key (`phone: 91234567`, `"mobile_no":"…"`).
        if r - s == 8 && (rightAfterPhoneWord(s) || afterPhoneKey(s)) { return false }
        let c = at(r)
        // An IBAN glued to a SWIFT `?NN` subfield number (`?31GB98MIDL…`): `numeric`.
        if r - s == 2 && at(s - 1) == UInt8(ascii: "?") && Bytes.isUpper(c) { return false }
        // IBAN check digits after a blank (`SE 27 …`, `GB 81 QTXR …`): `ibanSpaced`.
        if r - s == 2 && c == UInt8(ascii: " ") && at(s - 1) == UInt8(ascii: " ") && Bytes.isUpper(at(s - 2)) { return false }
        // The first group of a card after a label, wrapped or typed with ` . ` (`cardAfterLabel`).
        if r - s >= 4 && r - s <= 6 && (c == 0x0A || c == 0x0D
                                         || (c == UInt8(ascii: " ") && (at(r + 1) == UInt8(ascii: ".") || at(r + 1) == UInt8(ascii: "-")))) {
            return false
        }
        guard c == UInt8(ascii: " ") || c == UInt8(ascii: "-") || c == UInt8(ascii: ".") || c == UInt8(ascii: "/")
                || c == UInt8(ascii: "(") || c == 0x09 || c == UInt8(ascii: "_")
                // URL-encoded spaces between the groups of a query or form value (`cc=4111+1111…`).
                || ((c == UInt8(ascii: "+") || c == UInt8(ascii: "%")) && at(s - 1) == UInt8(ascii: "=")) else { return true }
        let d = at(r + 1)
        // Card groups after a tab, `_` or two spaces (`card_number` layouts, pasted tables).
        if c == UInt8(ascii: " ") && d == UInt8(ascii: " ") { return !Bytes.isDigit(at(r + 2)) }
        return !(Bytes.isDigit(d) || d == UInt8(ascii: "(") || d == UInt8(ascii: "-") || d == UInt8(ascii: "/"))
    }

    // MARK: - 64 bytes at a time

    // Bytes are classified 16 at a time (lane-wise arithmetic on SIMD16<UInt8>: SSE2 on x86-64),
    // then 8 (SWAR on a little-endian UInt64), one high bit per byte, and the flags packed into
    // one bit per byte for 64 bytes. The per-byte tests are exact: each works on the low 7 bits
    // of a byte, where adding a constant below 0x80 cannot carry into the next bit 7.

    /// Classes of the bytes `base..<end` (at most 64; `end` is `base + 64` or the text's end):
    /// bit k describes byte `base + k`, bits past `end` are 0.
    struct BlockMasks {
        var base = 0
        var end = 0
        /// ASCII word bytes `[A-Za-z0-9_]`.
        var ascii: UInt64 = 0
        /// Where the scan loop stops: trigger symbols, and the starts of numbers and of the
        /// letter words a detector may act on.
        var events: UInt64 = 0
        /// Some byte is >= 0x80.
        var nonASCII = false
        /// Some byte is a backslash.
        var backslash = false

        /// End of the run of `mask` bytes that byte `i` is in, or nil when the run reaches the
        /// end of a full block (the caller continues past it).
        @inline(__always) func runEnd(_ mask: UInt64, after i: Int) -> Int? {
            let next = i + 1 - base
            if next < 64 {
                let stops = ~mask >> UInt64(next)
                if stops != 0 { return i + 1 + stops.trailingZeroBitCount }
            }
            // Every byte to the block's end is in the run; a short (final) block ends the text.
            return end - base < 64 ? end : nil
        }
    }

    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highBits: UInt64 = 0x8080_8080_8080_8080

    @inline(__always) func load8(_ i: Int) -> UInt64 { Self.load8(p, i) }

    @inline(__always) static func load8(_ p: UnsafePointer<UInt8>, _ i: Int) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self))
    }

    /// High bit of each byte of the 7-bit values `y` in `lo...hi`.
    @inline(__always) static func inRange(_ y: UInt64, _ lo: UInt8, _ hi: UInt8) -> UInt64 {
        (y &+ ones &* UInt64(0x80 - lo)) & ~(y &+ ones &* UInt64(0x7F - hi)) & highBits
    }

    /// High bit of each byte of the 7-bit values `y` equal to `c`.
    @inline(__always) static func equal(_ y: UInt64, _ c: UInt8) -> UInt64 {
        ~((y ^ ones &* UInt64(c)) &+ ones &* 0x7F) & highBits
    }

    /// High bit of each ASCII word byte (`[A-Za-z0-9_]`) of `w`.
    @inline(__always) static func asciiWordBytes(_ w: UInt64) -> UInt64 {
        let y = w & ~highBits
        let word = inRange(y, 0x30, 0x39) | inRange(y | ones &* 0x20, 0x61, 0x7A) | equal(y, 0x5F)
        return word & ~w
    }

    /// The high bits of the 16 lanes of `m` as the low 16 bits of the result (bit k = lane k).
    @inline(__always) static func pack16(_ m: SIMD16<UInt8>) -> UInt64 {
        let halves = unsafeBitCast(m, to: (UInt64, UInt64).self)
        return pack(UInt64(littleEndian: halves.0) & highBits) | pack(UInt64(littleEndian: halves.1) & highBits) &<< 8
    }

    /// The high bits of the 8 bytes of `m` as the low 8 bits of the result (bit k = byte k).
    @inline(__always) static func pack(_ m: UInt64) -> UInt64 {
        ((m >> 7) &* 0x0102_0408_1020_4080) >> 56
    }

    /// The masks of the (up to) 64 bytes from `base`. Static, with the text passed in: a method
    /// called from the mutating scan would copy the whole scanner for each block.
    static func blockMasks(_ p: UnsafePointer<UInt8>, _ n: Int, _ t: UnsafePointer<UInt8>, _ gates: UnsafePointer<UInt16>,
                           at base: Int) -> BlockMasks {
        var block = BlockMasks()
        block.base = base
        block.end = Swift.min(n, base + 64)
        let count = block.end - base
        var ascii: UInt64 = 0, digits: UInt64 = 0, triggers: UInt64 = 0
        var k = 0
        var anyHigh: UInt64 = 0
        var anyBackslash: UInt64 = 0
        var highLanes = SIMD16<UInt8>(repeating: 0)
        var backslashLanes = SIMD16<UInt8>(repeating: 0)
        // 16 bytes at a time with lane-wise arithmetic (SSE2 on x86-64); the flags are each
        // lane's high bit, as in `inRange` and `equal` below.
        typealias Lanes = SIMD16<UInt8>
        let high = Lanes(repeating: 0x80), low7 = Lanes(repeating: 0x7F)
        while k + 16 <= count {
            let v = UnsafeRawPointer(p + base + k).loadUnaligned(as: Lanes.self)
            let y = v & low7
            let isASCII = ~v & high
            // High bit clear exactly where y == c (7-bit lanes: adding 0x7F carries nowhere).
            @inline(__always) func differs(_ c: UInt8) -> Lanes { (y ^ Lanes(repeating: c)) &+ low7 }
            @inline(__always) func inRange(_ x: Lanes, _ lo: UInt8, _ hi: UInt8) -> Lanes {
                (x &+ Lanes(repeating: 0x80 - lo)) & ~(x &+ Lanes(repeating: 0x7F - hi))
            }
            let isDigit = inRange(y, 0x30, 0x39) & isASCII
            let isWord = (inRange(y, 0x30, 0x39) | inRange(y | Lanes(repeating: 0x20), 0x61, 0x7A) | ~differs(0x5F)) & isASCII
            let isTrigger = ~(differs(0x40) & differs(0x2B) & differs(0x28) & differs(0x2D) & differs(0x3A) & differs(0x3D)
                              & differs(0x7E)) & isASCII
            highLanes |= v
            backslashLanes |= ~differs(0x5C) & isASCII
            ascii |= pack16(isWord) &<< UInt64(k)
            digits |= pack16(isDigit) &<< UInt64(k)
            triggers |= pack16(isTrigger) &<< UInt64(k)
            k += 16
        }
        let highHalves = unsafeBitCast(highLanes, to: (UInt64, UInt64).self)
        anyHigh |= highHalves.0 | highHalves.1
        let backslashHalves = unsafeBitCast(backslashLanes, to: (UInt64, UInt64).self)
        anyBackslash |= backslashHalves.0 | backslashHalves.1
        while k + 8 <= count {
            let w = load8(p, base + k)
            let y = w & ~highBits
            let isASCII = ~w & highBits
            let symbols = equal(y, 0x40) | equal(y, 0x2B) | equal(y, 0x28) | equal(y, 0x2D) | equal(y, 0x3A) | equal(y, 0x3D)
                | equal(y, 0x7E)
            anyHigh |= w
            anyBackslash |= equal(y, 0x5C) & isASCII
            let isDigit = inRange(y, 0x30, 0x39)
            ascii |= pack((isDigit | inRange(y | ones &* 0x20, 0x61, 0x7A) | equal(y, 0x5F)) & isASCII) &<< UInt64(k)
            digits |= pack(isDigit & isASCII) &<< UInt64(k)
            triggers |= pack(symbols & isASCII) &<< UInt64(k)
            k += 8
        }
        while k < count {
            let c = p[base + k]
            let bit = UInt64(1) &<< UInt64(k)
            if c < 0x80 && t[Int(c)] & ByteClass.word != 0 { ascii |= bit }
            if Bytes.isDigit(c) { digits |= bit }
            anyHigh |= UInt64(c)
            if c == 0x5C { anyBackslash = highBits }
            if t[Int(c)] & ByteClass.trigger != 0 { triggers |= bit }
            k += 1
        }
        // Letters, or `_` (no detector starts at `_`: its length entries are all 0).
        let letters = ascii & ~digits
        // Word starts: an ASCII word byte after one that is not (the byte before the block counts).
        let carry: UInt64 = base > 0 && p[base - 1] < 0x80 && t[Int(p[base - 1])] & ByteClass.word != 0 ? 1 : 0
        let starts = ascii & ~(ascii << 1 | carry)
        let letterStarts = starts & letters
        // IBAN candidates (letter, letter, digit, digit); near the end of a full block the next
        // bytes are unknown here, so those starts are candidates too.
        var candidates = letterStarts & (letters >> 1) & (digits >> 2) & (digits >> 3)
        if count == 64 { candidates |= letterStarts & (0b111 << 61) }
        // Letter words a detector may act on, by first byte, second letter and length.
        var rest = letterStarts & ~candidates
        while rest != 0 {
            let off = rest.trailingZeroBitCount
            rest &= rest &- 1
            let s = base + off
            if p[s] == UInt8(ascii: "_") {
                // Underscores then a digit: `_4111…`, `___415…` (Markdown emphasis, form blanks:
                // `word`). No detector starts at `_` otherwise (its length entries are all 0).
                var k = s + 1
                while k < n && p[k] == UInt8(ascii: "_") { k += 1 }
                if k < n && Bytes.isDigit(p[k]) { candidates |= UInt64(1) << UInt64(off) }
                continue
            }
            let stops = off < 63 ? ~ascii >> UInt64(off + 1) : 0
            if stops == 0 {
                candidates |= UInt64(1) << UInt64(off)  // runs past the block: decided in full
                continue
            }
            let length = 1 + stops.trailingZeroBitCount
            let c1: UInt8 = s + 1 < n ? p[s + 1] : 0
            let bits = UInt64(gates[WordGate.lengthIndex(p[s], c1)])
            candidates |= (bits >> UInt64(Swift.min(length, 15)) & 1) << UInt64(off)
        }
        block.ascii = ascii
        block.events = triggers | (starts & digits) | candidates
        block.nonASCII = anyHigh & highBits != 0
        block.backslash = anyBackslash & highBits != 0
        return block
    }

    /// End of the run of ASCII word bytes starting at `from` (as `t[c] & word != 0 && c < 0x80`).
    @inline(__always) func asciiWordEnd(_ from: Int) -> Int {
        var e = from
        while e + 8 <= n {
            let stop = ~Self.asciiWordBytes(load8(e)) & Self.highBits
            if stop != 0 { return e + stop.trailingZeroBitCount >> 3 }
            e += 8
        }
        while e < n && t[Int(p[e])] & ByteClass.word != 0 && p[e] < 0x80 { e += 1 }
        return e
    }

    /// Whether a digit is within the `window` bytes from `from`. Forward-only: `nextDigit`
    /// caches the first digit at or after the last position searched, so calls with
    /// non-decreasing `from` cost O(n) in total.
    @inline(__always) mutating func digitWithin(_ from: Int, _ window: Int) -> Bool {
        if nextDigit < from {
            var i = from
            nextDigit = n
            while i + 8 <= n {
                let w = load8(i)
                let digits = Self.inRange(w & ~Self.highBits, 0x30, 0x39) & ~w
                if digits != 0 { nextDigit = i + digits.trailingZeroBitCount >> 3; return nextDigit - from < window }
                i += 8
            }
            while i < n {
                if Bytes.isDigit(p[i]) { nextDigit = i; break }
                i += 1
            }
        }
        return nextDigit - from < window
    }

    /// A word starting with a letter at `i` and ending at `e`.
    @inline(__always) mutating func letterWord(_ i: Int, _ e: Int) -> Int {
        let len = e - i
        if len >= 4, Bytes.isLetter(p[i + 1]), Bytes.isDigit(p[i + 2]), Bytes.isDigit(p[i + 3]), let end = iban(i) ?? (has(i + 4, "  ") ? ibanSpaced(i) : nil) {
            emit(i, end, .iban)
            return end
        }

        // Most words are no detector's concern: their first byte, second letter and length
        // decide it with one table load (`WordGate.lengths`), a branch that is rarely taken.
        let g = WordGate.lengthIndex(p[i], at(i + 1))
        let lengthBit = UInt16(1) << UInt16(Swift.min(len, 15))
        if gates[g] & lengthBit == 0 { return e }
        // A word that may name a table column (`phone_number`, `SSN`, `password`…): the table pass
        // runs only for texts that hold one. (Words the length gates let through only: the
        // reference loop decides the same way.)
        if len >= 2 && len <= 40 && Self.mayNameColumn(p + i, len) { columnWords.append(i) }
        if gates[WordGate.secretOffset + g] & lengthBit != 0, let end = secretAtWord(i, e) { return end }
        if gates[WordGate.passwordOffset + g] & lengthBit != 0, let end = passwordInProse(i, e) { return end }
        // Context words only change what is found at a number (or a `+`/`(` before one) at most
        // 41 bytes after them (`start - contextEnd <= 40`, or `> 12` for ISBNs): with no digit
        // that close, noting the word cannot change any result.
        if gates[WordGate.contextOffset + g] & lengthBit != 0 && digitWithin(e, 48) { noteContextWord(i, e) }
        return e
    }

    /// A symbol that may start something.
    mutating func trigger(_ i: Int) -> Int {
        switch p[i] {
        case UInt8(ascii: "@"):
            return atSign(i)
        case UInt8(ascii: "+"), UInt8(ascii: "("):
            // PHP: `define( 'DB_PASSWORD', 'X' );`
            if p[i] == UInt8(ascii: "(") && at(i - 1) == UInt8(ascii: "e") && has(i - 6, "define") && !isWordByte(i - 7),
               let end = phpDefine(i) {
                return end
            }
            // PHP: `new mysqli("host", "user", "X", "db")`, `mysqli_connect(…)`, `new PDO($dsn, "user", "X")`;
            // JDBC: `DriverManager.getConnection("jdbc:…", "user", "X")`.
            if p[i] == UInt8(ascii: "(") && (has(i - 6, "mysqli") || has(i - 7, "connect") || has(i - 3, "PDO") || has(i - 13, "getConnection")),
               let end = connectCall(i) {
                return end
            }
            // After CJK text or punctuation too ("電話：+852 2345 6789").
            // "(+34) 612 345 678": the country code in parentheses.
            let digitNext = Bytes.isDigit(at(i + 1)) || (p[i] == UInt8(ascii: "(") && at(i + 1) == UInt8(ascii: "+") && Bytes.isDigit(at(i + 2)))
            if digitNext && (!isWordByte(i - 1) || (at(i - 1) >= 0x80 && (isCJK(i - 3) || separatorEnds(at: i)))), let end = phone(i) {
                emit(i, end, .phone)
                phoneContextEnd = Int.min / 2
                return end
            }
            return i + 1
        case UInt8(ascii: "-"):
            if at(i + 4) == UInt8(ascii: "-") && at(i + 5) == UInt8(ascii: "B") && has(i, "-----BEGIN "), let end = pemBlock(i) {
                emit(i, end, .secret)
                return end
            }
            if at(i + 1) == UInt8(ascii: "p"), let end = passwordFlag(i) { return end }
            if let end = commandPasswordFlag(i) { return end }
            if at(i + 1) == UInt8(ascii: "A") && has(i, "-AsPlainText"), let end = secureStringLiteral(i) { return end }
            if at(i + 1) == UInt8(ascii: "-") && has(i, "--password-stdin"), let end = echoedPassword(i) { return end }
            return i + 1
        case UInt8(ascii: ":"):
            if at(i + 1) == UInt8(ascii: "V") && has(i - 5, "BEGIN:V") { sawFoldedFormat = true }
            if at(i + 1) == UInt8(ascii: "A") && at(i + 2) == UInt8(ascii: "A") && Bytes.isDigit(at(i - 1)), let end = telegramBotToken(i) {
                return end
            }
            if at(i + 1) == UInt8(ascii: "A") && has(i + 1, "APA91b"), let end = firebaseServerKey(i) { return end }
            if i >= ipv6Until, let end = ipv6(i) { return end }
            if (Bytes.isDigit(at(i + 1)) || at(i + 1) == UInt8(ascii: "*")) && (isWordByte(i - 1) || at(i - 1) == UInt8(ascii: "*")),
               let end = pgpassLine(i) { return end }
            if let end = assignment(i) { return end }
            return i + 1
        case UInt8(ascii: "~"):
            if isTie(i) { sawTie = true }
            if at(i - 1) == UInt8(ascii: "Q"), let end = azureClientSecret(i) { return end }
            return i + 1
        default:  // "="
            if at(i + 1) == 0x0A || (at(i + 1) == 0x0D && at(i + 2) == 0x0A) { sawSoftBreak = true }
            if let end = assignment(i) { return end }
            return i + 1
        }
    }

    /// Flag letters `commandPasswordFlag` reads (besides `p`): `-P`, `-w`, `-U`, `-b`.
    @inline(__always) static func isCommandFlagLetter(_ c: UInt8) -> Bool {
        c == UInt8(ascii: "P") || c == UInt8(ascii: "w") || c == UInt8(ascii: "U") || c == UInt8(ascii: "b")
    }

    /// Remembers words that make nearby numbers more (or less) likely to be a given entity.
    mutating func noteContextWord(_ i: Int, _ e: Int) {
        let len = e - i
        switch Bytes.lower(p[i]) {
        case UInt8(ascii: "p"):
            if (len == 5 && hasIgnoringCase(i, "phone")) || (len == 6 && hasIgnoringCase(i, "phones"))
                || (len == 2 && hasIgnoringCase(i, "ph")) || (len == 8 && hasIgnoringCase(i, "portable")) {
                phoneContextEnd = e
            }
        case UInt8(ascii: "t"):
            if (len == 3 && (hasIgnoringCase(i, "tel") || hasIgnoringCase(i, "txt"))) || (len == 9 && hasIgnoringCase(i, "telephone"))
                || (len == 4 && hasIgnoringCase(i, "text"))
                || (len == 7 && hasIgnoringCase(i, "telefon"))
                || (len == 8 && (hasIgnoringCase(i, "telefono") || hasIgnoringCase(i, "telefonu") || hasIgnoringCase(i, "telefone")))
                || (len == 9 && hasIgnoringCase(i, "telefonum"))
                || (len == 9 && hasIgnoringCase(i, "telemovel")) || (len == 5 && hasIgnoringCase(i, "telem") && has(e, "óvel")) {
                // Portuguese "telemóvel": the word reads as "telem" up to its non-ASCII "ó".
                phoneContextEnd = len == 5 ? e + 5 : e
                // Spanish "teléfono": the word reads as "tel" up to its non-ASCII "é".
                if len == 3 && has(e, "éfono") { phoneContextEnd = e + 6 }
            } else if len == 1 && (has(e, "él") || (at(e) == UInt8(ascii: ":") && (i == 0 || p[i - 1] == 0x0A))) {
                // French "Tél." (read as "T" up to its "é"); `T: 91 897 33 64` opening a line of a signature.
                phoneContextEnd = at(e) == UInt8(ascii: ":") ? e + 1 : e + 3
            } else if len == 3 && hasIgnoringCase(i, "tag") {
                versionWordEnd = e
            }
        case UInt8(ascii: "c"):
            if (len == 4 && (hasIgnoringCase(i, "call") || hasIgnoringCase(i, "cell"))) || (len == 7 && hasIgnoringCase(i, "contact"))
                || (len == 9 && hasIgnoringCase(i, "cellphone")) || (len == 6 && hasIgnoringCase(i, "called"))
                || (len == 7 && (hasIgnoringCase(i, "calling") || hasIgnoringCase(i, "celular")))
                || (len == 9 && hasIgnoringCase(i, "cellulare")) {
                phoneContextEnd = e
            } else if len == 8 && (hasIgnoringCase(i, "chiamare") || hasIgnoringCase(i, "chiamami") || hasIgnoringCase(i, "chiamaci")) {
                phoneContextEnd = e  // Italian "call"
            } else if (len == 8 && (hasIgnoringCase(i, "contacto") || hasIgnoringCase(i, "contatto") || hasIgnoringCase(i, "contacte")))
                        || (len == 9 && (hasIgnoringCase(i, "contactar") || hasIgnoringCase(i, "contactez")))
                        || (len == 11 && hasIgnoringCase(i, "contactarme")) || (len == 7 && hasIgnoringCase(i, "contato")) {
                phoneContextEnd = e  // "contact" in Spanish, Italian, Portuguese, French
            } else if len == 7 && hasIgnoringCase(i, "chapter") {
                versionWordEnd = e
            }
        case UInt8(ascii: "m"):
            if (len == 6 && hasIgnoringCase(i, "mobile")) || (len == 3 && hasIgnoringCase(i, "mob")) || (len == 5 && hasIgnoringCase(i, "mobil"))
                || (len == 9 && hasIgnoringCase(i, "voicemail")) || (len == 1 && has(e, "óvil")) {
                phoneContextEnd = len == 1 ? e + 5 : e  // Spanish "móvil" reads as "m" up to its "ó"
            } else if len == 1 && at(e) == UInt8(ascii: ":") && (i == 0 || p[i - 1] == 0x0A) {
                phoneContextEnd = e + 1  // `M: 20 21 83 15` opening a line of a signature
            }
        case UInt8(ascii: "f"):
            if (len == 3 && hasIgnoringCase(i, "fax")) || (len == 8 && hasIgnoringCase(i, "freecall"))
                || (len == 9 && hasIgnoringCase(i, "freephone")) { phoneContextEnd = e }
            else if (len == 8 && hasIgnoringCase(i, "firmware")) || (len == 2 && hasIgnoringCase(i, "fw")) { versionWordEnd = e }
        case UInt8(ascii: "w"):
            if len == 8 && hasIgnoringCase(i, "whatsapp") { phoneContextEnd = e }
        case UInt8(ascii: "h"):
            if (len == 5 && hasIgnoringCase(i, "handy")) || (len == 7 && hasIgnoringCase(i, "hotline")) || (len == 8 && hasIgnoringCase(i, "helpline")) {
                phoneContextEnd = e
            }
        case UInt8(ascii: "d"):
            if len == 4 && hasIgnoringCase(i, "dial") { phoneContextEnd = e }
        case UInt8(ascii: "s"):
            if len == 3 && hasIgnoringCase(i, "sms") { phoneContextEnd = e }
            else if (len == 3 && hasIgnoringCase(i, "ssn")) || (len == 6 && hasIgnoringCase(i, "social"))
                        // "sécurité sociale", "previdenza sociale"; German and Dutch compounds.
                        || (len == 7 && hasIgnoringCase(i, "sociale")) || (len == 25 && hasIgnoringCase(i, "sozialversicherungsnummer"))
                        || (len == 23 && hasIgnoringCase(i, "socialezekerheidsnummer")) { ssnContextEnd = e }

            else if (len == 7 && hasIgnoringCase(i, "section")) || (len == 3 && hasIgnoringCase(i, "sec")) || (len == 4 && hasIgnoringCase(i, "step")) {
                versionWordEnd = e
            }
        case UInt8(ascii: "v"):
            // A lone `v` ("v 1.2.3.4"), not a command-line flag (`nc -v 10.1.2.3`, `ssh -v host`).
            if (len == 7 && hasIgnoringCase(i, "version")) || (len == 3 && hasIgnoringCase(i, "ver")) || (len == 1 && at(i - 1) != UInt8(ascii: "-"))
                || (len == 8 && hasIgnoringCase(i, "versions")) {
                versionWordEnd = e
            }
        case UInt8(ascii: "r"):
            if len == 5 && hasIgnoringCase(i, "reach") { phoneContextEnd = e }
            else if (len == 7 && hasIgnoringCase(i, "release")) || (len == 3 && hasIgnoringCase(i, "rev")) || (len == 8 && hasIgnoringCase(i, "revision")) {
                versionWordEnd = e
            }
        case UInt8(ascii: "b"):
            if len == 5 && hasIgnoringCase(i, "build") { versionWordEnd = e }
            else if len == 3 && hasIgnoringCase(i, "bel") { phoneContextEnd = e }  // Dutch "call"
        case UInt8(ascii: "l"):
            // Spanish "call": llama, llamar, llámame, llámanos; Portuguese liga, ligue, ligar.
            if (len == 5 && hasIgnoringCase(i, "llama")) || (len == 6 && hasIgnoringCase(i, "llamar"))
                || (len == 4 && hasIgnoringCase(i, "liga")) || (len == 5 && (hasIgnoringCase(i, "ligue") || hasIgnoringCase(i, "ligar")))
                || (len == 6 && hasIgnoringCase(i, "liguem")) {
                phoneContextEnd = e
            } else if len == 2 && hasIgnoringCase(i, "ll") {
                // The word reads as "ll" up to its non-ASCII "á": the context ends after the whole word.
                if has(e, "ámame") { phoneContextEnd = e + 6 } else if has(e, "ámanos") || has(e, "ámenos") { phoneContextEnd = e + 7 }
            }
        case UInt8(ascii: "z"):
            // Polish "call": zadzwoń, zadzwonić.
            if (len == 6 && hasIgnoringCase(i, "zadzwo") && has(e, "ń")) || (len == 8 && hasIgnoringCase(i, "zadzwoni") && has(e, "ć")) {
                phoneContextEnd = e
            }
        case UInt8(ascii: "o"):
            if len == 3 && hasIgnoringCase(i, "oid") { versionWordEnd = e }
        case UInt8(ascii: "n"):
            // "number" after a possessive is a phone number in chat: "my number", "mi número",
            // "mój numer", "meine Nummer", "mon numéro", "mijn nummer"; Turkish "numaram" (my number).
            // ("Order number", "numer zamówienia" stay what they are.)
            if (len == 7 && hasIgnoringCase(i, "numaram")) || (len == 8 && hasIgnoringCase(i, "numaram\u{131}")) {
                phoneContextEnd = e
            } else if ((len == 6 && (hasIgnoringCase(i, "number") || hasIgnoringCase(i, "numero") || hasIgnoringCase(i, "nummer")))
                        || (len == 5 && hasIgnoringCase(i, "numer")) || (len == 1 && has(e, "úmero")) || (len == 3 && hasIgnoringCase(i, "num") && has(e, "éro")))
                        && possessiveBefore(i) {
                let end = len == 1 ? e + 6 : len == 3 ? e + 4 : e
                // "mi número de pedido", "my number of…": a number of something else (a phone
                // word after `de` sets its own context).
                let qualified = at(end) == UInt8(ascii: " ") && !Bytes.isLetter(at(end + 3))
                    && (hasIgnoringCase(end + 1, "de") || hasIgnoringCase(end + 1, "di") || hasIgnoringCase(end + 1, "do")
                        || hasIgnoringCase(end + 1, "da") || hasIgnoringCase(end + 1, "du") || hasIgnoringCase(end + 1, "of"))
                if !qualified { phoneContextEnd = end }
            }
        case UInt8(ascii: "i"):
            if len == 4 && hasIgnoringCase(i, "isbn") { isbnContextEnd = e }
        default:
            break
        }
    }

    /// Whether a possessive stands one space before the word at `i`: "my", "our", "his", "her",
    /// "mi", "mio", "mia", "mój", "meu", "mein(e)", "mon", "mijn", "min", "mitt", "notre", "nuestro",
    /// "nosso", "unser(e)".
    func possessiveBefore(_ i: Int) -> Bool {
        guard i >= 2, p[i - 1] == UInt8(ascii: " ") else { return false }
        let e = i - 1
        var k = e - 1
        while k >= 0 && e - k <= 8 && (Bytes.isLetter(p[k]) || p[k] >= 0x80) { k -= 1 }
        let s = k + 1
        guard s < e, !(k >= 0 && Bytes.isAlnum(p[k])) else { return false }
        switch e - s {
        case 2: return hasIgnoringCase(s, "my") || hasIgnoringCase(s, "mi")
        case 3: return hasIgnoringCase(s, "our") || hasIgnoringCase(s, "his") || hasIgnoringCase(s, "her") || hasIgnoringCase(s, "mio")
            || hasIgnoringCase(s, "mia") || hasIgnoringCase(s, "meu") || hasIgnoringCase(s, "mon") || hasIgnoringCase(s, "min")
            || hasIgnoringCase(s, "moj")
        case 4: return hasIgnoringCase(s, "mein") || hasIgnoringCase(s, "mijn") || hasIgnoringCase(s, "mitt")
            || (hasIgnoringCase(s, "m") && has(s + 1, "ój"))
        case 5: return hasIgnoringCase(s, "meine") || hasIgnoringCase(s, "notre") || hasIgnoringCase(s, "nosso") || hasIgnoringCase(s, "unser")
        case 6: return hasIgnoringCase(s, "unsere") || hasIgnoringCase(s, "meiner")
        case 7: return hasIgnoringCase(s, "nuestro")
        default: return false
        }
    }

    // MARK: - Overlaps

    /// Sorts and merges overlapping spans: each cluster of overlapping detections becomes one
    /// span covering their union, labelled with the kind of the highest-priority detection
    /// (then the longest, then the earliest). Deterministic; O(k log k) for k detections.
    static func resolve(_ spans: inout [RawSpan], into out: inout [ResolvedSpan]) {
        guard !spans.isEmpty else { return }
        spans.sort { a, b in a.start != b.start ? a.start < b.start : (a.end != b.end ? a.end > b.end : a.priority > b.priority) }
        var cs = spans[0].start, ce = spans[0].end
        var best = spans[0]
        func better(_ a: RawSpan, than b: RawSpan) -> Bool {
            if a.priority != b.priority { return a.priority > b.priority }
            if a.end - a.start != b.end - b.start { return a.end - a.start > b.end - b.start }
            return a.start < b.start
        }
        for s in spans.dropFirst() {
            if s.start < ce {
                if s.end > ce { ce = s.end }
                if better(s, than: best) { best = s }
            } else {
                out.append(ResolvedSpan(start: cs, end: ce, kind: best.kind))
                cs = s.start; ce = s.end; best = s
            }
        }
        out.append(ResolvedSpan(start: cs, end: ce, kind: best.kind))
    }
}

/// A second table for the wider character classes some detectors need.
enum ByteClass2 {
    /// `[A-Za-z0-9_.-]`: OAuth tokens such as `ya29.…`.
    static let tokenDot: UInt8 = 1
    /// `[A-Za-z0-9._~+/=-]`: RFC 6750 bearer token characters.
    static let bearer: UInt8 = 2
    /// `[A-Za-z0-9._%+'-]` and bytes >= 0x80: e-mail local parts (`patrick.o'brien`).
    static let local: UInt8 = 4
    /// `[A-Za-z0-9-]` and bytes >= 0x80: domain labels.
    static let label: UInt8 = 8
    /// `[A-Za-z0-9._~%!$&'()*+,;=:^[]{}|-]`: URL userinfo (with the characters real passwords
    /// hold raw although they belong percent-encoded).
    static let userinfo: UInt8 = 16
    /// `[0-9A-Fa-f:.]`: IPv6 candidate runs.
    static let ipv6: UInt8 = 32
    /// `[A-Za-z0-9+/=]`: standard base64 with padding.
    static let base64Padded: UInt8 = 64
    /// Bytes allowed inside a PEM body: base64, whitespace, `\` (escaped newlines), `:`, `,`, `-`.
    static let pemBody: UInt8 = 128

    /// The table. `nonisolated(unsafe)` is sound for the same reason as `ByteClass.table`:
    /// written once during initialisation, read-only forever after, never freed.
    nonisolated(unsafe) static let table: UnsafePointer<UInt8> = {
        let t = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        t.initialize(repeating: 0, count: 256)
        func add(_ chars: String, _ flag: UInt8) { for c in chars.utf8 { t[Int(c)] |= flag } }
        let alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        add(alnum + "_.-", tokenDot)
        add(alnum + "._~+/=-", bearer)
        add(alnum + "._%+'-", local)
        add(alnum + "-", label)
        // `^ [ ] { } |` belong percent-encoded in a URL but appear raw in real passwords.
        add(alnum + "._~%!$&'()*+,;=:-^[]{}|", userinfo)
        add("0123456789abcdefABCDEF:.", ipv6)
        add(alnum + "+/=", base64Padded)
        add(alnum + "+/=\\:,- \t\r\n", pemBody)
        for c in 0x80..<0x100 { t[c] |= local | label }
        return UnsafePointer(t)
    }()
}

/// Which detectors a word can concern, by its first two letters (case-insensitive): provider key
/// prefixes (`sk`, `gh`, `AK`, `ey`, `Be`…), password words (`pa`, `pw`) and context words
/// (`phone`, `call`, `ssn`, `version`…). 27 × 27 entries: a–z, then "anything else".
enum WordGate {
    static let secret: UInt8 = 1
    static let password: UInt8 = 2
    static let context: UInt8 = 4

    @inline(__always) static func index(_ c0: UInt8, _ c1: UInt8) -> Int {
        let a = Int(c0 | 0x20) &- 0x61, b = Int(c1 | 0x20) &- 0x61
        let x = a >= 0 && a < 26 ? a : 26
        let y = b >= 0 && b < 26 ? b : 26
        return x * 27 + y
    }

    /// The table. `nonisolated(unsafe)` is sound: filled once here, read-only afterwards, never freed.
    nonisolated(unsafe) static let table: UnsafePointer<UInt8> = {
        let t = UnsafeMutablePointer<UInt8>.allocate(capacity: 27 * 27)
        t.initialize(repeating: 0, count: 27 * 27)
        func mark(_ pairs: String, _ flag: UInt8) {
            for pair in pairs.split(separator: " ") {
                let b = Array(pair.utf8)
                t[index(b[0], b.count > 1 ? b[1] : 0)] |= flag
            }
        }
        mark("sk rk gh gi gl xo xa ak as ai ya ey be ba hf np sg py go da di ho pp pc pm nr gs r8 ls li tv fw wh sh sb do hv at ag dc sn fi nt pu se sq dp ps fo ea ac", secret)
        // Card words a card number may be glued to with `_` (`secretAtWord` passes them on).
        mark("cc ca cr vi ma mc am pa de kr ka", secret)
        mark("pa pw se wa ha ke co mo id re ma st sr de gh aw to ap ra cl lo cr", password)
        mark("ph po te tx ta ca ce ch co mo m fa fi fw fr wh ha ho he di sm ss so se st ve vo v re bu be ll za oi is nu n li t", context)

        return UnsafePointer(t)
    }()

    // MARK: - Lengths

    // The letter-pair gate above is coarse ("co" lets "company" through for "contact"). These
    // tables refine it: for each first byte (case-sensitive, `A`…`z`) and second letter
    // (case-insensitive, or "anything else"), the word lengths at which each detector can act
    // (bit L for length L, bit 15 for 15 or more). They are read off the detectors:
    // `secretAtWord`'s case-sensitive prefixes and the word they make (`sk-…` is the word "sk",
    // `AKIA…` one of exactly 20 characters), `passwordInProse`'s words, `noteContextWord`'s words.
    // Each entry is also limited to the letter pairs of `table`, so a word reaches a detector
    // only if it did before.

    /// Index into the length tables for a word starting with `c0` (a letter), then `c1`.
    @inline(__always) static func lengthIndex(_ c0: UInt8, _ c1: UInt8) -> Int {
        let b = Int(c1 | 0x20) &- 0x61
        return Int(c0 &- 0x41) * 27 + (b >= 0 && b < 26 ? b : 26)
    }

    /// Bit `min(length, 15)`: exact lengths, or every length from `from` on.
    static func lengthBits(_ exact: [Int], from: Int? = nil) -> UInt16 {
        var bits: UInt16 = 0
        for l in exact { bits |= 1 << UInt16(Swift.min(l, 15)) }
        if let from { for l in Swift.min(from, 15)...15 { bits |= 1 << UInt16(l) } }
        return bits
    }

    /// Builds one table from `(first byte, second letter or " ", lengths)` entries, keeping only
    /// the pairs `table` marks with `flag`.
    static func lengthTable(_ entries: [(Character, Character, UInt16)], flag: UInt8) -> [UInt16] {
        var t = [UInt16](repeating: 0, count: pairCount)
        for (c0, c1, bits) in entries {
            let a = c0.asciiValue!, b = c1 == " " ? UInt8(0) : c1.asciiValue!
            guard table[index(a, b)] & flag != 0 else { continue }
            t[lengthIndex(a, b)] |= bits
        }
        return t
    }

    /// Both cases of the first letter.
    static func bothCases(_ word: String, _ bits: UInt16) -> [(Character, Character, UInt16)] {
        let c = Array(word)
        let second: Character = c.count > 1 ? c[1] : " "
        return [(Character(c[0].uppercased()), second, bits), (Character(c[0].lowercased()), second, bits)]
    }

    /// Entries per table: first bytes `A`…`z` × (26 letters + "anything else").
    static let pairCount = 58 * 27
    /// Where each detector's table starts in `lengths` (the first is any of the three).
    static let secretOffset = pairCount
    static let passwordOffset = 2 * pairCount
    static let contextOffset = 3 * pairCount

    /// The four tables end to end: any detector, `secretAtWord`, `passwordInProse`,
    /// `noteContextWord`. `nonisolated(unsafe)` is sound as for `table`: filled once here,
    /// read-only afterwards, never freed.
    nonisolated(unsafe) static let lengths: UnsafePointer<UInt16> = {
        let secretTable = lengthTable([
            ("s", "k", lengthBits([2], from: 8)), ("r", "k", lengthBits([], from: 8)),
            ("g", "h", lengthBits([], from: 4)), ("g", "i", lengthBits([], from: 11)), ("g", "l", lengthBits([5])),
            ("x", "o", lengthBits([4])), ("x", "a", lengthBits([3, 4])),
            ("A", "k", lengthBits([20])), ("A", "s", lengthBits([20])), ("A", "i", lengthBits([], from: 4)),
            ("y", "a", lengthBits([4])), ("e", "y", lengthBits([], from: 3)),
            ("B", "e", lengthBits([6])), ("b", "e", lengthBits([6])), ("B", "a", lengthBits([5])), ("b", "a", lengthBits([5])),
            ("h", "f", lengthBits([], from: 3)), ("n", "p", lengthBits([], from: 4)), ("S", "g", lengthBits([2])),
            ("p", "y", lengthBits([4])), ("G", "o", lengthBits([6])), ("S", "k", lengthBits([34])),
            ("d", "a", lengthBits([36])), ("d", "i", lengthBits([7, 10])), ("h", "o", lengthBits([5])),
            ("g", "s", lengthBits([], from: 15)), ("g", "l", lengthBits([], from: 15)), ("r", "8", lengthBits([], from: 15)),
            ("p", "p", lengthBits([4])), ("p", "c", lengthBits([], from: 15)), ("P", "m", lengthBits([4])), ("N", "r", lengthBits([4])),
            ("l", "s", lengthBits([], from: 15)), ("L", "s", lengthBits([], from: 15)), ("l", "i", lengthBits([], from: 15)), ("t", "v", lengthBits([4])),
            ("f", "w", lengthBits([], from: 15)), ("w", "h", lengthBits([], from: 15)), ("s", "h", lengthBits([], from: 15)),
            ("s", "b", lengthBits([], from: 15)), ("d", "o", lengthBits([], from: 15)), ("h", "v", lengthBits([3])),
            ("A", "t", lengthBits([], from: 15)), ("A", "g", lengthBits([3])),
            ("d", "c", lengthBits([], from: 9)), ("s", "n", lengthBits([], from: 8)), ("f", "i", lengthBits([], from: 5)),
            ("n", "t", lengthBits([], from: 15)), ("p", "u", lengthBits([3])),
            ("s", "e", lengthBits([], from: 15)), ("s", "q", lengthBits([6])), ("d", "p", lengthBits([2])),
            ("p", "s", lengthBits([], from: 15)), ("f", "o", lengthBits([], from: 15)), ("E", "A", lengthBits([], from: 15)),
            ("A", "c", lengthBits([], from: 15)),
        ]
        // A card number glued to a card word with `_` (`card_4111…`, `cc_4111 1111 …`): the word,
        // `_` and at least four digits (`cardAfterGluedWord`).
        + [("cc", 7), ("ca", 9), ("cr", 15), ("vi", 9), ("ma", 15), ("mc", 7), ("am", 9), ("pa", 8), ("de", 14), ("kr", 15), ("ka", 10)]
            .flatMap { bothCases($0.0, lengthBits([], from: $0.1)) },
        flag: secret)
        // password, passcode, passwort (8), passwd (6), passphrase (10), pwd (3), pw (2), parolam, pasword (7), pass (word) (4), login (5),
        // clave (5); senha, haslo (5),
        // has(ło) (3), kennwort (8), wachtwoord (10), contrase(ña) (8), mot (de passe) (3), identified (by) (10).
        // key (3), token (5), apikey, secret (6): generated key material in prose.
        let passwordTable = lengthTable(bothCases("pa", lengthBits([4, 6, 7, 8, 10])) + bothCases("lo", lengthBits([5]))
            + bothCases("cr", lengthBits([5, 10, 11])) + bothCases("pw", lengthBits([2, 3])) + bothCases("cl", lengthBits([5]))
            + bothCases("se", lengthBits([5, 6])) + bothCases("ha", lengthBits([3, 5])) + bothCases("ke", lengthBits([3, 8]))
            + bothCases("to", lengthBits([5])) + bothCases("ap", lengthBits([6]))
            + bothCases("wa", lengthBits([10])) + bothCases("co", lengthBits([8])) + bothCases("mo", lengthBits([3]))
            + bothCases("id", lengthBits([10]))
            // Command-line words, lower case only: requirepass (11), masterauth (10), storepass (9),
            // keypass (7), srcstorepass (12), deststorepass (13), redis(-cli) (5), gh (secret set) (2),
            // aws (configure set) (3), rabbitmqctl (add_user, change_password) (11).
            + [("r", "e", lengthBits([5, 11])), ("r", "a", lengthBits([11])), ("m", "a", lengthBits([10])), ("s", "t", lengthBits([9])), ("k", "e", lengthBits([7])),
               ("s", "r", lengthBits([12])), ("d", "e", lengthBits([13])), ("g", "h", lengthBits([2])), ("a", "w", lengthBits([3]))],
            flag: password)
        let contextTable = lengthTable([
            ("ph", [2, 5, 6]), ("po", [8]), ("te", [3, 4, 5, 7, 8, 9]), ("tx", [3]), ("ta", [3]), ("t", [1]),
            ("ca", [4, 6, 7]), ("ce", [4, 7, 9]), ("co", [7, 8, 9, 11]), ("ch", [7, 8]), ("mo", [3, 5, 6]),
            ("fa", [3]), ("fi", [4, 8]), ("fw", [2]), ("fr", [8, 9]), ("wh", [8]), ("ha", [5]), ("ho", [7]), ("he", [8]),
            ("be", [3]), ("ll", [2, 5, 6]), ("za", [6, 8]),
            ("di", [4]), ("sm", [3]), ("ss", [3]), ("so", [6, 7, 23, 25]), ("se", [3, 7]), ("st", [4]),
            ("ve", [3, 7, 8]), ("v", [1]), ("m", [1]), ("re", [3, 5, 7, 8]), ("bu", [5]), ("oi", [3]), ("is", [4]),
            ("nu", [3, 5, 6, 7, 8]), ("n", [1]), ("li", [4, 5, 6]),
        ].flatMap { bothCases($0.0, lengthBits($0.1)) }, flag: context)
        // Compound and abbreviated column names (`phone_number`, `ssn_full`, `Handynummer`, `Soc Sec No`) reach
        // `mayNameColumn` (and so `tableColumns`) through the any-detector table only.
        let columnTable = lengthTable([("ph", lengthBits([], from: 6)), ("ss", lengthBits([], from: 4)), ("ha", lengthBits([], from: 9)),
                                       ("so", lengthBits([3]))].flatMap { bothCases($0.0, $0.1) }, flag: context)
        let t = UnsafeMutablePointer<UInt16>.allocate(capacity: 4 * pairCount)
        for k in 0..<pairCount {
            t[k] = secretTable[k] | passwordTable[k] | contextTable[k] | columnTable[k]
            t[secretOffset + k] = secretTable[k]
            t[passwordOffset + k] = passwordTable[k]
            t[contextOffset + k] = contextTable[k]
        }
        return UnsafePointer(t)
    }()
}
