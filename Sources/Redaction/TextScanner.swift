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
    let gates: UnsafePointer<UInt8> = WordGate.table
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
    mutating func run() {
        var i = 0
        let word = ByteClass.word
        while i < n {
            let f = t[Int(p[i])]
            if f & word != 0 {
                // Words are runs of ASCII word bytes or runs of non-ASCII bytes, so a number or a
                // key right after CJK text ("電話番号は090-1234-5678") still starts a word.
                var e = i + 1
                if p[i] < 0x80 {
                    while e < n && t[Int(p[e])] & word != 0 && p[e] < 0x80 { e += 1 }
                } else {
                    while e < n && p[e] >= 0x80 { e += 1 }
                }
                let resume: Int
                if f & ByteClass.digit != 0 {
                    resume = numeric(i)
                } else if f & ByteClass.letter != 0 {
                    resume = letterWord(i, e)
                } else {
                    resume = e
                }
                i = resume > e ? resume : e
            } else if f & ByteClass.trigger != 0 {
                i = trigger(i)
            } else {
                i += 1
            }
        }
        if sawAWSKeyID { findAWSSecretKeys() }
    }

    /// A word starting with a letter at `i` and ending at `e`.
    @inline(__always) mutating func letterWord(_ i: Int, _ e: Int) -> Int {
        let len = e - i
        if len >= 4, Bytes.isLetter(p[i + 1]), Bytes.isDigit(p[i + 2]), Bytes.isDigit(p[i + 3]), let end = iban(i) {
            emit(i, end, .iban)
            return end
        }
        // Most words start with a letter pair no detector cares about: one table load decides.
        let gate = gates[WordGate.index(p[i], at(i + 1))]
        if gate == 0 { return e }
        if gate & WordGate.secret != 0, let end = secretAtWord(i, e) { return end }
        if gate & WordGate.password != 0, let end = passwordInProse(i, e) { return end }
        if gate & WordGate.context != 0 && len <= 9 { noteContextWord(i, e) }
        return e
    }

    /// A symbol that may start something.
    mutating func trigger(_ i: Int) -> Int {
        switch p[i] {
        case UInt8(ascii: "@"):
            return atSign(i)
        case UInt8(ascii: "+"), UInt8(ascii: "("):
            if Bytes.isDigit(at(i + 1)) && !isWordByte(i - 1), let end = phone(i) {
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
            return i + 1
        case UInt8(ascii: ":"):
            if i >= ipv6Until, let end = ipv6(i) { return end }
            if let end = assignment(i) { return end }
            return i + 1
        default:  // "="
            if let end = assignment(i) { return end }
            return i + 1
        }
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
                || (len == 7 && hasIgnoringCase(i, "telefon")) || (len == 8 && hasIgnoringCase(i, "telefono")) {
                phoneContextEnd = e
            } else if len == 3 && hasIgnoringCase(i, "tag") {
                versionWordEnd = e
            }
        case UInt8(ascii: "c"):
            if (len == 4 && (hasIgnoringCase(i, "call") || hasIgnoringCase(i, "cell"))) || (len == 7 && hasIgnoringCase(i, "contact"))
                || (len == 9 && hasIgnoringCase(i, "cellphone")) || (len == 6 && hasIgnoringCase(i, "called"))
                || (len == 7 && hasIgnoringCase(i, "calling")) {
                phoneContextEnd = e
            } else if len == 7 && hasIgnoringCase(i, "chapter") {
                versionWordEnd = e
            }
        case UInt8(ascii: "m"):
            if (len == 6 && hasIgnoringCase(i, "mobile")) || (len == 3 && hasIgnoringCase(i, "mob")) || (len == 5 && hasIgnoringCase(i, "mobil"))
                || (len == 9 && hasIgnoringCase(i, "voicemail")) {
                phoneContextEnd = e
            }
        case UInt8(ascii: "f"):
            if len == 3 && hasIgnoringCase(i, "fax") { phoneContextEnd = e }
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
            else if (len == 3 && hasIgnoringCase(i, "ssn")) || (len == 6 && hasIgnoringCase(i, "social")) { ssnContextEnd = e }
            else if (len == 7 && hasIgnoringCase(i, "section")) || (len == 3 && hasIgnoringCase(i, "sec")) || (len == 4 && hasIgnoringCase(i, "step")) {
                versionWordEnd = e
            }
        case UInt8(ascii: "v"):
            if (len == 7 && hasIgnoringCase(i, "version")) || (len == 3 && hasIgnoringCase(i, "ver")) || len == 1
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
        case UInt8(ascii: "o"):
            if len == 3 && hasIgnoringCase(i, "oid") { versionWordEnd = e }
        case UInt8(ascii: "i"):
            if len == 4 && hasIgnoringCase(i, "isbn") { isbnContextEnd = e }
        default:
            break
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
    /// `[A-Za-z0-9._%+-]` and bytes >= 0x80: e-mail local parts.
    static let local: UInt8 = 4
    /// `[A-Za-z0-9-]` and bytes >= 0x80: domain labels.
    static let label: UInt8 = 8
    /// `[A-Za-z0-9._~%!$&'()*+,;=:-]`: URL userinfo.
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
        add(alnum + "._%+-", local)
        add(alnum + "-", label)
        add(alnum + "._~%!$&'()*+,;=:-", userinfo)
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
        mark("sk rk gh gi gl xo xa ak as ai ya ey be ba hf np sg py", secret)
        mark("pa pw", password)
        mark("ph po te tx ta ca ce ch co mo fa fi fw wh ha ho he di sm ss so se st ve vo v re bu oi is", context)
        return UnsafePointer(t)
    }()
}
