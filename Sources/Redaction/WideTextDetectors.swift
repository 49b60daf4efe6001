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
            if c < 0xE3 { k += 1; continue }
            if c == 0xEF {
                // ０–９ (U+FF10–U+FF19) or ＠ (U+FF20).
                if p[k + 1] == 0xBC && ((p[k + 2] >= 0x90 && p[k + 2] <= 0x99) || p[k + 2] == 0xA0) { needsFolding = true }
            } else if let e = cjkPasswordWord(k) {
                k = cjkPasswordValue(e) ?? e
                continue
            }
            k += 1
        }
        if needsFolding && !isFoldedCopy { foldedScan() }
    }

    // MARK: - Password phrases in CJK scripts

    /// The end of a password word at `k` (密码, 密碼, 口令, パスワード, 비밀번호, 암호), or nil.
    func cjkPasswordWord(_ k: Int) -> Int? {
        for word in ["密码", "密碼", "口令", "パスワード", "비밀번호", "암호"] as [StaticString] where has(k, word) {
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
        if has(v, "「") || has(v, "『") || has(v, "“") {
            v += 3
            quoted = true
        } else if at(v) == UInt8(ascii: "\"") || at(v) == UInt8(ascii: "'") || at(v) == UInt8(ascii: "`") {
            v += 1
            quoted = true
        }
        guard linked || spaced else { return nil }
        let vs = v
        var ve = vs
        while ve < n && p[ve] > 0x20 && p[ve] < 0x7F && p[ve] != UInt8(ascii: "\"") && p[ve] != UInt8(ascii: "`")
                && !(quoted && p[ve] == UInt8(ascii: "'")) && ve - vs <= 128 { ve += 1 }
        while ve > vs, let last = Optional(p[ve - 1]),
              last == UInt8(ascii: ".") || last == UInt8(ascii: ",") || last == UInt8(ascii: ";") || last == UInt8(ascii: ":")
              || last == UInt8(ascii: "'") || last == UInt8(ascii: ")") {
            ve -= 1
        }
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

    // MARK: - Full-width forms

    /// Scans a copy of the text with full-width forms folded to ASCII (U+FF01–U+FF5E to
    /// U+0021–U+007E, the ideographic space U+3000 to a space, and after a digit the dashes
    /// U+2010–U+2015, U+2212, U+30FC, U+FF70 to `-`), and keeps the detections that cover a folded
    /// character, mapped back to the original offsets (each folded byte stands for one whole
    /// character). Detections of plain ASCII text were already made by the main loop.
    mutating func foldedScan() {
        var folded = [UInt8]()
        var origin = [Int]()
        var changedBefore = [Int32]()
        folded.reserveCapacity(n)
        origin.reserveCapacity(n + 1)
        changedBefore.reserveCapacity(n + 1)
        var changes: Int32 = 0
        var k = 0
        while k < n {
            let c = p[k]
            var ascii: UInt8 = 0
            if c == 0xEF && k + 2 < n && ((p[k + 1] == 0xBC && p[k + 2] >= 0x81) || (p[k + 1] == 0xBD && p[k + 2] <= 0x9E)) {
                ascii = UInt8(0x20 + (p[k + 1] == 0xBD ? 0x40 : 0) + Int(p[k + 2] & 0x3F))
            } else if has(k, "\u{3000}") {
                ascii = UInt8(ascii: " ")
            } else if c >= 0xE2 && Bytes.isDigit(folded.last ?? 0)
                        && ((c == 0xE2 && at(k + 1) == 0x80 && at(k + 2) >= 0x90 && at(k + 2) <= 0x95) || has(k, "\u{2212}")
                            || has(k, "\u{30FC}") || has(k, "\u{FF70}")) {
                ascii = UInt8(ascii: "-")
            }
            changedBefore.append(changes)
            origin.append(k)
            if ascii != 0 {
                folded.append(ascii)
                changes += 1
                k += 3
            } else {
                folded.append(c)
                k += 1
            }
        }
        changedBefore.append(changes)
        origin.append(n)
        folded.withUnsafeBufferPointer { buffer in
            var inner = TextScanner(buffer, spans: [])
            inner.isFoldedCopy = true
            inner.run()
            // Dotted numbers in full-width digits are versions (バージョン１．２．３．４) far more often than
            // IPv4 addresses: those are not taken from the folded copy.
            for span in inner.spans where changedBefore[span.end] > changedBefore[span.start]
                    && span.kind != Int(BuiltinKind.ipAddress.rawValue) {
                var mapped = span
                mapped.start = origin[span.start]
                mapped.end = origin[span.end]
                spans.append(mapped)
            }
        }
    }
}
