/// Text with bytes >= 0x80: password phrases in Chinese, Japanese and Korean (`密码是X`,
/// `パスワードはX`, `비밀번호는 X`, with a full-width colon `密码：X`), and numbers and
/// addresses written in full-width forms (`０９０－１２３４－５６７８`, `ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ`).
///
/// The main loop only notes that the text has such bytes (`sawNonASCII`); this pass then reads
/// the text once more, and when it has full-width digits or `＠`, scans one folded copy (full-width
/// forms mapped to ASCII). Both are linear; ASCII text never gets here.
extension TextScanner {
    mutating func nonASCIIPass() {
        var needsFolding = false
        var k = 0
        while k + 2 < n {
            // Eight ASCII bytes at a time.
            if k + 8 <= n && load8(k) & Self.highBits == 0 { k += 8; continue }
            let c = p[k]
            // Between digits: a no-break, narrow no-break, thin or figure space (U+00A0, U+202F,
            // U+2009, U+2007) or a typographic dash (U+2010–U+2015, U+2212) separating groups of
            // a number (`4111 1111…` typeset with U+00A0, `078–05–1120`).
            if (c == 0xC2 || c == 0xE2) && k > 0 && Bytes.isDigit(p[k - 1]) && typographicSeparatorWidth(k) > 0
                && Bytes.isDigit(at(k + typographicSeparatorWidth(k))) {
                needsFolding = true
            }
            // A zero-width character (U+200B–U+200D, U+2060, U+FEFF, a soft hyphen U+00AD) inside
            // an ASCII token (`4111​1111…`, `415-​555-​2671`, `sk-…​…`): dropped in the folded copy.
            if (c == 0xC2 || c == 0xE2 || c == 0xEF) && k > 0 && Self.isTokenByte(p[k - 1]) && zeroWidthWidth(k) > 0
                && Self.isTokenByte(at(k + zeroWidthWidth(k))) {
                needsFolding = true
            }
            // A password word of another script, or of a Latin-script language with non-ASCII
            // letters (`пароль`, `كلمة المرور`, `पासवर्ड`, `şifrem`, `lösenord`, `mật khẩu`), at a
            // word start (`k` or up to two ASCII letters before it).
            if c >= 0xC3 && c != 0xE3 && c != 0xEF, let (ws, we) = foreignPasswordWord(k) {
                if ws <= k, let end = foreignPasswordValue(we) { k = end; continue }
                k = max(we, k + 1)
                continue
            }
            // Arabic-Indic and Persian digits (U+0660–U+0669, U+06F0–U+06F9): `٠٥٣٠٨٧٨٥٣٨`.
            if arabicDigit(k) >= 0 { needsFolding = true }
            if c < 0xE3 { k += 1; continue }
            if c == 0xEF {
                // ０–９ (U+FF10–U+FF19) or ＠ (U+FF20).
                if p[k + 1] == 0xBC && ((p[k + 2] >= 0x90 && p[k + 2] <= 0x99) || p[k + 2] == 0xA0) { needsFolding = true }
            } else if c == 0xE3 && p[k + 1] == 0x80 && p[k + 2] == 0x80 {
                // An ideographic space between ASCII digits (`4111　1111　…` in Japanese text).
                if k > 0 && Bytes.isDigit(p[k - 1]) && Bytes.isDigit(at(k + 3)) { needsFolding = true }
            } else if let e = cjkPasswordWord(k) {
                k = cjkPasswordValue(e) ?? e
                continue
            }
            k += 1
        }
        if needsFolding && !isFoldedCopy { foldedScan() }
    }

    /// The width of a no-break, narrow no-break, thin or figure space, or (after a digit) a
    /// typographic dash at `k`, or 0.
    func typographicSeparatorWidth(_ k: Int) -> Int {
        if p[k] == 0xC2 { return at(k + 1) == 0xA0 ? 2 : 0 }
        guard p[k] == 0xE2 else { return 0 }
        if at(k + 1) == 0x80 {
            let b = at(k + 2)
            return b == 0xAF || b == 0x89 || b == 0x87 || (b >= 0x90 && b <= 0x95) ? 3 : 0
        }
        return has(k, "\u{2212}") ? 3 : 0
    }

    /// The width of a zero-width character at `k` — zero-width space, non-joiner and joiner
    /// (U+200B–U+200D), word joiner (U+2060), zero-width no-break space (U+FEFF) or soft hyphen
    /// (U+00AD) — or 0.
    @inline(__always) func zeroWidthWidth(_ k: Int) -> Int {
        switch p[k] {
        case 0xC2: return at(k + 1) == 0xAD ? 2 : 0
        case 0xE2:
            let b1 = at(k + 1), b2 = at(k + 2)
            return (b1 == 0x80 && b2 >= 0x8B && b2 <= 0x8D) || (b1 == 0x81 && b2 == 0xA0) ? 3 : 0
        case 0xEF: return at(k + 1) == 0xBB && at(k + 2) == 0xBF ? 3 : 0
        case 0xD8, 0xD9, 0xDB, 0xE0: return scriptPunctuationWidth(k)
        default: return 0
        }
    }

    /// The byte length of the punctuation mark of a non-Latin script at `k`, or 0: Arabic comma,
    /// semicolon, question mark, full stop and percent, decimal and thousands separators
    /// (U+060C, U+061B, U+061F, U+06D4, U+066A–U+066C), Devanagari danda and double danda
    /// (U+0964, U+0965). They end a token like ASCII punctuation, though their lead bytes are
    /// those of the scripts' letters.
    @inline(__always) func scriptPunctuationWidth(_ k: Int) -> Int {
        let b = at(k + 1)
        switch at(k) {
        case 0xD8: return b == 0x8C || b == 0x9B || b == 0x9F ? 2 : 0
        case 0xD9: return b >= 0xAA && b <= 0xAC ? 2 : 0
        case 0xDB: return b == 0x94 ? 2 : 0
        case 0xE0: return b == 0xA5 && (at(k + 2) == 0xA4 || at(k + 2) == 0xA5) ? 3 : 0
        default: return 0
        }
    }

    /// The width of a character at `k` that separates words although its bytes are >= 0x80, or 0:
    /// no-break and typographic spaces, direction marks and embeddings, dashes, quotes, bullets and
    /// the rest of General Punctuation (U+2000–U+206F, except the joiners U+200C–U+200D that live
    /// inside words of some scripts), the no-break space, middle dot and guillemets (U+00A0, U+00B7,
    /// U+00AB, U+00BB) and the byte order mark (U+FEFF). Such a character ends an address or a
    /// number as a space would (`jane@gmail.com\u{A0}now`, `\u{202A}+44 7700 900123\u{202C}`).
    @inline(__always) func separatorWidth(_ k: Int) -> Int {
        switch at(k) {
        case 0xC2:
            let b = at(k + 1)
            return b == 0xA0 || b == 0xB7 || b == 0xAB || b == 0xBB ? 2 : 0
        case 0xE2:
            let b1 = at(k + 1), b2 = at(k + 2)
            guard b2 & 0xC0 == 0x80 else { return 0 }
            return (b1 == 0x80 && b2 != 0x8C && b2 != 0x8D) || (b1 == 0x81 && b2 <= 0xAF) ? 3 : 0
        case 0xEF: return at(k + 1) == 0xBB && at(k + 2) == 0xBF ? 3 : 0
        default: return 0
        }
    }

    /// Whether a separator character (`separatorWidth`) ends right before `e`.
    @inline(__always) func separatorEnds(at e: Int) -> Bool {
        guard e >= 2, p[e - 1] >= 0x80 else { return false }
        return separatorWidth(e - 2) == 2 || (e >= 3 && separatorWidth(e - 3) == 3)
    }

    /// The value of an Arabic-Indic or Persian digit at `k` (U+0660–U+0669, U+06F0–U+06F9), or -1.
    @inline(__always) func arabicDigit(_ k: Int) -> Int {
        let c = p[k], d = at(k + 1)
        if c == 0xD9 && d >= 0xA0 && d <= 0xA9 { return Int(d - 0xA0) }
        if c == 0xDB && d >= 0xB0 && d <= 0xB9 { return Int(d - 0xB0) }
        return -1
    }

    /// A printable ASCII byte other than a space: a zero-width character between two of them is
    /// inside a token.
    @inline(__always) static func isTokenByte(_ c: UInt8) -> Bool { c > 0x20 && c < 0x7F }

    // MARK: - Password phrases in CJK scripts

    /// The end of a password word at `k` (密码, 密碼, 口令, パスワード, 비밀번호, 비번 (its colloquial
    /// short form), 암호), or nil.
    func cjkPasswordWord(_ k: Int) -> Int? {
        for word in ["密码", "密碼", "口令", "パスワード", "비밀번호", "비번", "암호"] as [StaticString] where has(k, word) {
            return k + word.utf8CodeUnitCount
        }
        return nil
    }

    /// The value after a CJK password word ending at `e`: after a copula or topic particle (是,
    /// 为, 為, は, 는, 은) and/or a colon or equals sign (`:`, `：`, `=`, `＝`), the next run of
    /// printable ASCII, optionally in quotes or 「」 (`密码是Abc12345，…`, `パスワードは「X」です`),
    /// unless it is a word of prose; right after the word and a space, a value with a digit, a
    /// symbol or mixed case (`登录密码 qwE7rty89`). Non-ASCII text ends the value
    /// (`비밀번호는 Seoul2024!입니다`). Reads at most 160 bytes ahead.
    mutating func cjkPasswordValue(_ e: Int) -> Int? {
        var v = e
        var linked = false
        var spaced = false
        @inline(__always) func skipSpaces() {
            while v - e < 24 {
                if at(v) == UInt8(ascii: " ") { v += 1; spaced = true } else if has(v, "\u{3000}") { v += 3; spaced = true } else { break }
            }
        }
        skipSpaces()
        for particle in ["是", "为", "為", "は", "는", "은"] as [StaticString] where has(v, particle) {
            v += 3
            linked = true
            break
        }
        skipSpaces()
        if at(v) == UInt8(ascii: ":") || at(v) == UInt8(ascii: "=") {
            v += 1
            linked = true
        } else if has(v, "：") || has(v, "＝") {
            v += 3
            linked = true
        }
        skipSpaces()
        var quoted = false
        if has(v, "「") || has(v, "『") || has(v, "“") || has(v, "【") {
            v += 3
            quoted = true
        } else if has(v, "«") {
            v += 2
            quoted = true
        } else if at(v) == UInt8(ascii: "\"") || at(v) == UInt8(ascii: "'") || at(v) == UInt8(ascii: "`") {
            v += 1
            quoted = true
        }
        guard linked || spaced || quoted else { return nil }
        let vs = v
        var ve = vs
        while ve < n && p[ve] > 0x20 && p[ve] < 0x7F && p[ve] != UInt8(ascii: "\"") && p[ve] != UInt8(ascii: "`")
                && !(quoted && p[ve] == UInt8(ascii: "'")) && ve - vs <= 128 { ve += 1 }
        ve = withoutTrailingPunctuation(vs, ve)
        // "password?" after plain letters is punctuation, not part of the value.
        if ve > vs && (p[ve - 1] == UInt8(ascii: "?") || p[ve - 1] == UInt8(ascii: "!")) {
            var plainWord = true
            for k in vs..<(ve - 1) where !Bytes.isLetter(p[k]) { plainWord = false; break }
            if plainWord { ve -= 1 }
        }
        guard ve - vs >= 4, ve - vs <= 128 else { return nil }
        if linked || quoted {
            guard !Self.isProseWord(p + vs, ve - vs), isPlausibleValue(vs, ve, quoted: true) else { return nil }
        } else {
            guard isPlausibleValue(vs, ve, quoted: false, prose: true, proseMinimum: Int.max) else { return nil }
        }
        emit(vs, ve, .secret)
        return ve
    }

    // MARK: - Password phrases in other scripts

    /// A password word at the word around the non-ASCII byte `k` (the word may start with up to
    /// two ASCII letters: `lösenord`, `mật khẩu`): its start and end, or nil. Russian and
    /// Ukrainian пароль, Arabic كلمة المرور / كلمة السر / كلمة مرور / الرقم السري, Persian رمز عبور,
    /// Hindi पासवर्ड, Turkish şifre(m), Swedish lösenord, Polish hasło (with its ending),
    /// Hungarian jelszó/jelszavam, Vietnamese mật khẩu, Greek κωδικός, Hebrew סיסמה, Thai รหัสผ่าน.
    func foreignPasswordWord(_ k: Int) -> (Int, Int)? {
        var ws = k
        while ws > 0 && k - ws < 2 && Bytes.isLetter(p[ws - 1]) { ws -= 1 }
        let before = ws == 0 ? UInt8(ascii: " ") : p[ws - 1]
        guard before < 0x80, !Bytes.isAlnum(before) else { return nil }
        for word in ["пароль", "Пароль", "كلمة المرور", "كلمة السر", "كلمة مرور", "الرقم السري", "رمز عبور", "पासवर्ड",
                     "şifre", "Şifre", "lösenord", "Lösenord", "hasło", "Hasło", "jelszó", "jelszav", "Jelszó", "mật khẩu", "Mật khẩu",
                     "κωδικός", "Κωδικός", "סיסמה", "סיסמא", "รหัสผ่าน"] as [StaticString] where has(ws, word) {
            var e = ws + word.utf8CodeUnitCount
            // Endings: пароля/паролем, şifrem/şifreniz, lösenordet, hasła, jelszavam.
            while e < n && e - ws < word.utf8CodeUnitCount + 12 && (Bytes.isLetter(p[e]) || (p[e] >= 0x80 && !isCJK(e))) {
                e += 1
            }
            return (ws, e)
        }
        return nil
    }

    /// The value after a password word of another script ending at `e`: past up to four words
    /// with non-ASCII letters (`мой пароль X`, `كلمة المرور الخاصة بي هي X`, `mật khẩu của tôi
    /// là X`, `lösenord är X`), blanks, a colon, a dash or an opening quote, the first run of
    /// printable ASCII, when it has at least six characters and a digit, a symbol or an
    /// upper-case letter after its first (an ASCII word in such text is then rarely anything but
    /// the password). A run followed by `:` is a label (`пароль от Wi-Fi: X`) and is passed.
    /// Reads at most 96 bytes ahead.
    mutating func foreignPasswordValue(_ e: Int) -> Int? {
        var v = e
        var words = 0
        while v < n && v - e <= 96 {
            let c = p[v]
            if c == UInt8(ascii: " ") || c == UInt8(ascii: ":") || c == UInt8(ascii: "=") || c == UInt8(ascii: "\t") { v += 1; continue }
            if has(v, "—") || has(v, "–") || has(v, "«") || has(v, "»") || has(v, "“") || has(v, "”") || has(v, "「") || has(v, "：") {
                v += has(v, "«") || has(v, "»") ? 2 : 3
                continue
            }
            if c >= 0x80 || (Bytes.isLetter(c) && wordHasNonASCII(v)) {
                // A word of the surrounding language.
                words += 1
                guard words <= 4 else { return nil }
                while v < n && !Bytes.isSpace(p[v]) && p[v] != UInt8(ascii: ":") && v - e <= 96 { v += 1 }
                continue
            }
            break
        }
        var vs = v
        if at(vs) == UInt8(ascii: "\"") || at(vs) == UInt8(ascii: "'") || at(vs) == UInt8(ascii: "`") { vs += 1 }
        var ve = vs
        while ve < n && p[ve] > 0x20 && p[ve] < 0x7F && p[ve] != UInt8(ascii: "\"") && p[ve] != UInt8(ascii: "`") && ve - vs <= 128 { ve += 1 }
        if let (inner, innerEnd, _) = wrappedValue(vs) { vs = inner; ve = innerEnd }
        ve = withoutTrailingPunctuation(vs, ve)
        // A run ending in `:` is a label (`пароль от Wi-Fi: …`).
        guard ve - vs >= 6, ve - vs <= 128, at(ve) != UInt8(ascii: ":") else { return nil }
        guard hasStrengthMark(vs, ve), !Self.isProseWord(p + vs, ve - vs), isPlausibleValue(vs, ve, quoted: true) else { return nil }
        emit(vs, ve, .secret)
        return ve
    }

    /// Whether the word at `v` (up to a blank) has a letter of another alphabet or script within
    /// its first 24 bytes (`şifre`, `Passwort-Änderung`); an emoji or a quote glued to a value
    /// (`Tr0ub4dor&9gxn🙏`) does not make it a word of the surrounding language.
    func wordHasNonASCII(_ v: Int) -> Bool {
        var k = v
        while k < n && k - v < 24 && !Bytes.isSpace(p[k]) {
            if p[k] >= 0xC3 && p[k] <= 0xED { return true }
            k += 1
        }
        return false
    }

    // MARK: - Full-width forms

    /// Scans a copy of the text with full-width forms folded to ASCII (U+FF01–U+FF5E to
    /// U+0021–U+007E, Arabic-Indic and Persian digits to `0`–`9`, the ideographic space U+3000 to a space, and after a digit the dashes
    /// U+2010–U+2015, U+2212, U+30FC, U+FF70 to `-`; zero-width characters inside an ASCII token
    /// dropped), and keeps the detections that cover a folded
    /// character, mapped back to the original offsets (each folded byte stands for one whole
    /// character). Detections of plain ASCII text were already made by the main loop.
    mutating func foldedScan() {
        var copy = FoldedCopy(capacity: n)
        var k = 0
        while k < n {
            let c = p[k]
            var ascii: UInt8 = 0
            var width = 3
            if (c == 0xC2 && at(k + 1) == 0xA0) || (c == 0xE2 && at(k + 1) == 0x80 && (at(k + 2) == 0xAF || at(k + 2) == 0x89 || at(k + 2) == 0x87)) {
                // No-break, narrow no-break, thin and figure spaces.
                ascii = UInt8(ascii: " ")
                width = c == 0xC2 ? 2 : 3
            } else if c == 0xEF && k + 2 < n && ((p[k + 1] == 0xBC && p[k + 2] >= 0x81) || (p[k + 1] == 0xBD && p[k + 2] <= 0x9E)) {
                ascii = UInt8(0x20 + (p[k + 1] == 0xBD ? 0x40 : 0) + Int(p[k + 2] & 0x3F))
            } else if case let digit = arabicDigit(k), digit >= 0 {
                ascii = UInt8(ascii: "0") + UInt8(digit)
                width = 2
            } else if has(k, "\u{3000}") {
                ascii = UInt8(ascii: " ")
            } else if c >= 0xE2 && Bytes.isDigit(copy.bytes.last ?? 0)
                        && ((c == 0xE2 && at(k + 1) == 0x80 && at(k + 2) >= 0x90 && at(k + 2) <= 0x95) || has(k, "\u{2212}")
                            || has(k, "\u{30FC}") || has(k, "\u{FF70}")) {
                ascii = UInt8(ascii: "-")
            }
            // A zero-width character inside an ASCII token is dropped (it counts as a change for
            // the detections around it).
            if (c == 0xC2 || c == 0xE2 || c == 0xEF), let last = copy.bytes.last, Self.isTokenByte(last),
               case let w = zeroWidthWidth(k), w > 0, Self.isTokenByte(at(k + w)) {
                copy.drop()
                k += w
                continue
            }
            if ascii != 0 {
                copy.append(ascii, from: k, changed: true)
                k += width
            } else {
                copy.append(c, from: k)
                k += 1
            }
        }
        // Dotted numbers in full-width digits are versions (バージョン１．２．３．４) far more often than
        // IPv4 addresses: those are not taken from the folded copy.
        spans += copy.detections(end: n).filter { $0.kind != Int(BuiltinKind.ipAddress.rawValue) }
    }

    // MARK: - Folded lines

    /// Scans a copy of the text with its folded lines joined, and keeps the detections that
    /// cover a join, mapped back to the original offsets (as `foldedScan` does):
    /// - quoted-printable (RFC 2045) soft line breaks (`=` at a line end) removed and `=XX`
    ///   escapes decoded (`IBAN CH56=\n 4098 …`, `Maria.Schmidt=40outlook.com`), when the text
    ///   has a soft line break;
    /// - iCalendar and vCard continuation lines (RFC 5545 §3.1: a line break followed by one space
    ///   or tab) joined (`mailto:rahul@\n yahoo.co.uk`), when the text has a `BEGIN:V…` line;
    /// - LaTeX ties between the groups of a number (`isTie`) read as spaces.
    mutating func unfoldedScan() {
        var copy = FoldedCopy(capacity: n)
        @inline(__always) func hexValue(_ c: UInt8) -> Int {
            if Bytes.isDigit(c) { return Int(c) - 48 }
            return c >= UInt8(ascii: "A") && c <= UInt8(ascii: "F") ? Int(c) - 55 : -1
        }
        var k = 0
        while k < n {
            let c = p[k]
            if sawSoftBreak && c == UInt8(ascii: "=") {
                let lineBreak = at(k + 1) == 0x0A ? 1 : (at(k + 1) == 0x0D && at(k + 2) == 0x0A ? 2 : 0)
                if lineBreak > 0 {
                    copy.drop()
                    k += 1 + lineBreak
                    continue
                }
                let high = hexValue(at(k + 1)), low = hexValue(at(k + 2))
                if high >= 2 && low >= 0 {
                    copy.append(UInt8(high * 16 + low), from: k, changed: true)
                    k += 3
                    continue
                }
            }
            if sawTie && c == UInt8(ascii: "~") && isTie(k) {
                copy.append(UInt8(ascii: " "), from: k, changed: true)
                k += 1
                continue
            }
            if sawFoldedFormat && (c == 0x0A || (c == 0x0D && at(k + 1) == 0x0A)) {
                let lineBreak = c == 0x0A ? 1 : 2
                if at(k + lineBreak) == UInt8(ascii: " ") || at(k + lineBreak) == 0x09 {
                    copy.drop()
                    k += lineBreak + 1
                    continue
                }
            }
            copy.append(c, from: k)
            k += 1
        }
        guard copy.changes > 0 else { return }
        spans += copy.detections(end: n)
    }

    /// Whether the `~` at `k` is a LaTeX tie between groups of a number: a digit or `)` before
    /// it, a digit, `(` or `+` after it.
    @inline(__always) func isTie(_ k: Int) -> Bool {
        let before = at(k - 1), after = at(k + 1)
        return (Bytes.isDigit(before) || before == UInt8(ascii: ")"))
            && (Bytes.isDigit(after) || after == UInt8(ascii: "(") || after == UInt8(ascii: "+"))
    }

    // MARK: - Backslash escapes

    /// The length of a backslash escape at `k` that may hide a boundary or a character: `\n`,
    /// `\t`, `\r`, LaTeX's `\,` between digits (2), or `\u00XX` for a printable ASCII character
    /// (6, as JSON encoders write `"`, `<`, `>`, `&`, `'`, `+`, `@`); otherwise 0.
    @inline(__always) func escapeLength(_ k: Int) -> Int {
        let c = at(k + 1)
        if c == UInt8(ascii: "n") || c == UInt8(ascii: "t") || c == UInt8(ascii: "r") { return 2 }
        // LaTeX's thin space between groups of a number (`+49\,30\,01837711`).
        if c == UInt8(ascii: ",") && Bytes.isDigit(at(k - 1)) && Bytes.isDigit(at(k + 2)) { return 2 }
        guard c == UInt8(ascii: "u"), at(k + 2) == UInt8(ascii: "0"), at(k + 3) == UInt8(ascii: "0") else { return 0 }
        return escapedCharacter(k) != 0 ? 6 : 0
    }

    /// The printable ASCII character of a `\u00XX` escape at `k` (`XX` in 20–7E), or 0.
    @inline(__always) func escapedCharacter(_ k: Int) -> UInt8 {
        @inline(__always) func hex(_ c: UInt8) -> Int {
            if Bytes.isDigit(c) { return Int(c) - 48 }
            let l = Bytes.lower(c)
            return l >= UInt8(ascii: "a") && l <= UInt8(ascii: "f") ? Int(l) - 87 : -1
        }
        let h = hex(at(k + 4)), l = hex(at(k + 5))
        guard h >= 2, h <= 7, l >= 0 else { return 0 }
        let v = h * 16 + l
        return v <= 0x7E ? UInt8(v) : 0
    }

    /// Where the next backslash escape that `escapeLength` accepts starts, at or after `from`
    /// (`n`: none). Eight bytes at a time.
    func nextTextEscape(from: Int) -> Int {
        var k = from
        while k < n && k & 7 != 0 {
            if p[k] == 0x5C && escapeLength(k) > 0 { return k }
            k += 1
        }
        while k + 8 <= n {
            let w = load8(k)
            var m = Self.equal(w & ~Self.highBits, 0x5C) & ~w & Self.highBits
            while m != 0 {
                let j = k + m.trailingZeroBitCount >> 3
                if escapeLength(j) > 0 { return j }
                m &= m &- 1
            }
            k += 8
        }
        while k < n {
            if p[k] == 0x5C && escapeLength(k) > 0 { return k }
            k += 1
        }
        return n
    }

    /// Whether some backslash escape that `escapeLength` accepts lies outside every detection
    /// made so far (escapes inside a detected PEM block or token change nothing). Linear: one
    /// pass over the text, the spans sorted once (only when the text has an escape).
    func hasUncoveredTextEscape() -> Bool {
        var j = nextTextEscape(from: 0)
        guard j < n else { return false }
        guard !spans.isEmpty else { return true }
        let sorted = spans.sorted { $0.start < $1.start }
        var index = 0
        var coveredUntil = -1
        while j < n {
            while index < sorted.count && sorted[index].start <= j {
                coveredUntil = Swift.max(coveredUntil, sorted[index].end)
                index += 1
            }
            if j + escapeLength(j) > coveredUntil { return true }
            j = nextTextEscape(from: coveredUntil)
        }
        return false
    }

    /// Text escaped once (or twice) more than it should be — a JSON string logged inside another,
    /// a multi-line `.env` in a JSON field: `\n`, `\t` and `\r` glue the next word to the escape
    /// letter (`\n4111…` reads as the word `n4111…`) and `\u0022`-style escapes hide quotes and
    /// `@`. Scans an unescaped copy — runs of backslashes before `n` `t` `r` read as a line feed,
    /// tab or carriage return, before `"` `/` as that character, `\u00XX` as its ASCII character —
    /// and keeps its detections at the original offsets (a detection starting at an unescaped
    /// character covers the whole escape). A detection of the original text that starts at an
    /// escape letter (`\njane@…` found as `njane@…`) starts one byte later. Linear: one copy,
    /// one scan.
    mutating func escapeFoldedScan() {
        for index in spans.indices {
            let s = spans[index].start
            guard s > 0 && p[s - 1] == 0x5C else { continue }
            // `\u003cjane@…` found as `u003cjane@…`: the address starts after the escape.
            let skip = escapeLength(s - 1) - 1
            if skip > 0 && s + skip < spans[index].end { spans[index].start = s + skip }
        }
        var folded = [UInt8]()
        var origin = [Int]()
        folded.reserveCapacity(n)
        origin.reserveCapacity(n + 1)
        var k = 0
        while k < n {
            let c = p[k]
            guard c == 0x5C else {
                folded.append(c)
                origin.append(k)
                k += 1
                continue
            }
            var b = k
            while b < n && p[b] == 0x5C && b - k < 8 { b += 1 }
            let next = at(b)
            if next == UInt8(ascii: "n") || next == UInt8(ascii: "t") || next == UInt8(ascii: "r")
                || next == UInt8(ascii: "\"") || next == UInt8(ascii: "/") {
                folded.append(next == UInt8(ascii: "n") ? 0x0A : next == UInt8(ascii: "t") ? 0x09 : next == UInt8(ascii: "r") ? 0x0D : next)
                origin.append(k)
                k = b + 1
            } else if next == UInt8(ascii: ",") && b == k + 1 && escapeLength(k) == 2 {
                folded.append(UInt8(ascii: " "))  // a LaTeX thin space
                origin.append(k)
                k = b + 1
            } else if next == UInt8(ascii: "u") && escapeLength(b - 1) == 6 {
                folded.append(escapedCharacter(b - 1))
                origin.append(k)
                k = b + 5
            } else {
                for x in k..<b { folded.append(0x5C); origin.append(x) }
                k = b
            }
        }
        origin.append(n)
        folded.withUnsafeBufferPointer { buffer in
            var inner = TextScanner(buffer, spans: [])
            inner.isFoldedCopy = true
            inner.run()
            for var span in inner.spans {
                span.start = origin[span.start]
                span.end = origin[span.end]
                spans.append(span)
            }
        }
    }
}

/// A copy of a text with some characters replaced or dropped (`foldedScan`, `unfoldedScan`),
/// scanned by a scanner of its own; its detections that cover a change are mapped back to the
/// original offsets (those of unchanged text the main loop made already).
struct FoldedCopy {
    var bytes: [UInt8] = []
    /// The original offset of each byte of the copy, then the original end.
    var origin: [Int] = []
    /// Changes before each byte of the copy, then in all: a detection covers a change when the
    /// count differs between its ends.
    var changedBefore: [Int32] = []
    var changes: Int32 = 0

    init(capacity: Int) {
        bytes.reserveCapacity(capacity)
        origin.reserveCapacity(capacity + 1)
        changedBefore.reserveCapacity(capacity + 1)
    }

    /// Appends `byte`, standing for the original character at `k` (`changed`: a different one).
    @inline(__always) mutating func append(_ byte: UInt8, from k: Int, changed: Bool = false) {
        changedBefore.append(changes)
        origin.append(k)
        bytes.append(byte)
        if changed { changes += 1 }
    }

    /// Notes original characters left out of the copy.
    @inline(__always) mutating func drop() { changes += 1 }

    /// Scans the copy of a text of `end` bytes: its detections that cover a change, at the
    /// original offsets.
    mutating func detections(end: Int) -> [RawSpan] {
        changedBefore.append(changes)
        origin.append(end)
        return bytes.withUnsafeBufferPointer { buffer in
            var inner = TextScanner(buffer, spans: [])
            inner.isFoldedCopy = true
            inner.run()
            var found: [RawSpan] = []
            for span in inner.spans where changedBefore[span.end] > changedBefore[span.start] {
                var mapped = span
                mapped.start = origin[span.start]
                mapped.end = origin[span.end]
                found.append(mapped)
            }
            return found
        }
    }
}
