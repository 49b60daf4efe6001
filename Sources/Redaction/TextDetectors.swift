/// IBANs, e-mail addresses, credentials in URLs and IPv6 addresses.
extension TextScanner {
    // MARK: - IBAN

    /// IBAN lengths by country (SWIFT IBAN registry), indexed by the two upper-case letters.
    static let ibanLengths: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 26 * 26)
        let entries = """
        AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BI27 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DJ27 DK18 DO28
        EE20 EG29 ES24 FI18 FK18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HN28 HR21 HU28 IE22 IL23 IQ23 IS26
        IT27 JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20 LV21 LY25 MC27 MD24 ME22 MK19 MN20 MR27 MT31 MU30 NI28
        NL18 NO15 OM23 PK24 PL28 PS29 PT25 QA29 RO24 RS22 RU33 SA24 SC31 SD18 SE24 SI19 SK24 SM27 SO23 ST25
        SV28 TL23 TN24 TR26 UA29 VA22 VG24 XK20 YE30
        """
        for entry in entries.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            let b = Array(entry.utf8)
            let index = Int(b[0] - 65) * 26 + Int(b[1] - 65)
            table[index] = UInt8(Int(String(decoding: b[2...], as: UTF8.self))!)
        }
        return table
    }()

    /// Country code, two check digits and the country's BBAN length, contiguous or grouped in
    /// fours by single spaces, dashes or dots; the ISO 7064 mod-97 check must give 1.
    // `mutating` only so the scanner is passed by reference: called from the mutating scan, a
    // non-mutating method gets a copy of the whole scanner (hundreds of bytes) on each call.
    mutating func iban(_ i: Int) -> Int? {
        let c0 = Bytes.upper(p[i]), c1 = Bytes.upper(p[i + 1])
        guard Bytes.isUpper(c0), Bytes.isUpper(c1) else { return nil }
        let length = Int(Self.ibanLengths[Int(c0 - 65) * 26 + Int(c1 - 65)])
        guard length > 0 else { return nil }
        var count = 4
        var pos = i + 4
        var sep: UInt8 = 0
        var group = 4
        var wrapped = false
        let inQuery = at(i - 1) == UInt8(ascii: "=")
        while count < length {
            let c = at(pos)
            if Bytes.isAlnum(c) { count += 1; group += 1; pos += 1; continue }
            // Grouped form: separators (a space, `-` or `.`) only between groups of exactly four; in a query-string or
            // form value (`iban=DE89+3704…`, `?iban=FR76%203000…`) also URL-encoded spaces.
            if (c == UInt8(ascii: " ") || c == UInt8(ascii: "-") || c == UInt8(ascii: ".") || (inQuery && c == UInt8(ascii: "+"))) && group == 4
                && (sep == 0 || sep == c) && Bytes.isAlnum(at(pos + 1)) {
                sep = c
                group = 0
                pos += 1
                continue
            }
            if inQuery && c == UInt8(ascii: "%") && at(pos + 1) == UInt8(ascii: "2") && at(pos + 2) == UInt8(ascii: "0") && group == 4
                && (sep == 0 || sep == c) && Bytes.isAlnum(at(pos + 3)) {
                sep = c
                group = 0
                pos += 3
                continue
            }
            // Wrapped over two lines ("ES91 2100 0418\n4502 …"): after space-separated groups, one
            // line break (LF or CRLF) may stand for a space.
            if sep == UInt8(ascii: " ") && group == 4 && !wrapped {
                let lineBreak = c == 0x0A ? 1 : (c == 0x0D && at(pos + 1) == 0x0A ? 2 : 0)
                if lineBreak > 0 && Bytes.isAlnum(at(pos + lineBreak)) {
                    wrapped = true
                    group = 0
                    pos += lineBreak
                    continue
                }
            }
            return nil
        }
        if sep != 0 && group > 4 { return nil }
        let end = pos
        // CJK text may follow directly (`IBAN DE89 3704 …로`, `…3000。`): not a longer word.
        if !isTokenEnd(end) && !isCJK(end) { return nil }
        // Rearranged: BBAN first, then country code and check digits; letters count as 10–35.
        var remainder = 0
        func feed(_ c: UInt8) { remainder = Self.ibanMod97(remainder, c) }
        var k = i + 4
        while k < end {
            if p[k] == UInt8(ascii: "%") { k += 3; continue }  // `%20` between groups of a query value
            if Bytes.isAlnum(p[k]) { feed(p[k]) }
            k += 1
        }
        for k in i..<(i + 4) { feed(p[k]) }
        return remainder == 1 ? end : nil
    }

    /// An IBAN as OCR or hurried typing leaves it: one or two blanks after the country code, after
    /// the check digits or between groups of any size (`SE 27 6334 5704 …`, `NL37  HIAN  6978 …`,
    /// `AT 77 2302564009137183`). Only the exact length of the country and the mod-97 check
    /// decide; the next byte must not continue a word. Reads at most 3 × 34 bytes.
    mutating func ibanSpaced(_ i: Int) -> Int? {
        let c0 = p[i], c1 = at(i + 1)
        guard Bytes.isUpper(c0), Bytes.isUpper(c1) else { return nil }
        let length = Int(Self.ibanLengths[Int(c0 - 65) * 26 + Int(c1 - 65)])
        guard length > 0 else { return nil }
        var characters = [UInt8]()
        characters.reserveCapacity(length)
        var pos = i
        var blanks = 0
        while characters.count < length {
            let c = at(pos)
            if Bytes.isAlnum(c) {
                // Country code letters, then two check digits.
                if characters.count < 2 ? !Bytes.isUpper(c) : characters.count < 4 && !Bytes.isDigit(c) { return nil }
                characters.append(c)
                blanks = 0
            } else if c == UInt8(ascii: " ") && characters.count >= 2 && blanks < 2 {
                blanks += 1
            } else {
                return nil
            }
            pos += 1
        }
        if !isTokenEnd(pos) && !isCJK(pos) { return nil }
        var remainder = 0
        for c in characters[4...] + characters[0..<4] { remainder = Self.ibanMod97(remainder, c) }
        return remainder == 1 ? pos : nil
    }

    /// One step of the IBAN check (ISO 13616, mod 97 over the rearranged characters): a digit
    /// counts as itself, a letter as 10–35. Shared by `iban` and `ibanSpaced`.
    @inline(__always) static func ibanMod97(_ remainder: Int, _ c: UInt8) -> Int {
        Bytes.isDigit(c) ? (remainder * 10 + Int(c) - 48) % 97 : (remainder * 100 + Int(Bytes.upper(c)) - 55) % 97
    }

    // MARK: - E-mail and URL credentials

    /// At an `@`: either a password in a URL's userinfo (`scheme://user:pass@host`, reported as
    /// SECRET) or an e-mail address. Reads at most 128 bytes back and 253 forward.
    mutating func atSign(_ i: Int) -> Int {
        // A Go MySQL DSN: `root:X@tcp(10.1.1.1:3306)/db`, `app:X@unix(/run/mysqld.sock)/db`.
        if (has(i + 1, "tcp(") || has(i + 1, "unix(")), let end = goDSNPassword(i) { return end }
        if let passwordStart = urlPasswordStart(i) {
            if passwordStart == i, let end = urlEmailUser(i) { return end }
            // A raw `@` inside the password (`postgres://app:p@ss@w0rd@db:5432/app`, not
            // percent-encoded as it should be): the userinfo ends at the authority's last `@`.
            var userinfoEnd = i
            if passwordStart < i {
                var k = i + 1
                while k < n && k - i <= 128 && (t2[Int(p[k])] & ByteClass2.userinfo != 0 || p[k] == UInt8(ascii: "@") || p[k] == UInt8(ascii: "#")) {
                    if p[k] == UInt8(ascii: "@") { userinfoEnd = k }
                    k += 1
                }
            }
            if userinfoEnd > i, isPlausibleValue(passwordStart, userinfoEnd, quoted: true) {
                emit(passwordStart, userinfoEnd, .secret)
                return userinfoEnd + 1
            }
            if passwordStart < i, isPlausibleValue(passwordStart, i, quoted: true) {
                emit(passwordStart, i, .secret)
            } else if passwordStart == i && has(i - 35, "://") {
                // A Sentry DSN (`https://<32 hex>@o123.ingest.sentry.io/4`): the key is the userinfo.
                _ = hexKey(i - 32, i - 32, i)
            }
            return i + 1
        }
        // Oracle `user/password@…` whose password has symbols an address cannot hold (`maple2003$`).
        if (at(i + 1) == UInt8(ascii: "/") && at(i + 2) == UInt8(ascii: "/")) || Bytes.isDigit(at(i + 1)) || Bytes.isLetter(at(i + 1)),
           let passwordStart = oraclePasswordStart(i) {
            emit(passwordStart, i, .secret)
            return i + 1
        }
        // Local part.
        var s = i
        if at(i - 1) == UInt8(ascii: "\"") {
            var q = i - 2
            while q >= 0 && i - q <= 66 && p[q] != UInt8(ascii: "\"") && p[q] >= 0x20 { q -= 1 }
            guard q >= 0, p[q] == UInt8(ascii: "\""), q < i - 2 else { return i + 1 }
            s = q
        } else {
            while s > 0 && t2[Int(p[s - 1])] & ByteClass2.local != 0 {
                // "ご連絡はyamada@…": CJK text before the address is not part of it.
                if p[s - 1] >= 0x80 && (isCJK(s - 3) || separatorEnds(at: s)) { break }
                s -= 1
                if i - s > 64 { return i + 1 }
            }
            // Leading punctuation, a quote that opens a quoted address ('bob@example.com'), and
            // the underscores of emphasis or a form blank (`___bob@example.com___`).
            while s < i && (p[s] == UInt8(ascii: ".") || p[s] == UInt8(ascii: "-") || p[s] == UInt8(ascii: "+")
                            || p[s] == UInt8(ascii: "'") || p[s] == UInt8(ascii: "_")) { s += 1 }
            guard s < i, p[i - 1] != UInt8(ascii: "."), p[i - 1] != UInt8(ascii: "'") else { return i + 1 }
        }
        if at(s - 1) == UInt8(ascii: "/") || (at(i + 1) == UInt8(ascii: "/") && at(i + 2) == UInt8(ascii: "/")),
           let passwordStart = oraclePasswordStart(i) {
            emit(passwordStart, i, .secret)
            return i + 1
        }
        // An address literal as the domain (RFC 5321 §4.1.3): `postmaster@[192.0.2.1]`, `[IPv6:…]`.
        if at(i + 1) == UInt8(ascii: "["), let end = addressLiteralEnd(i + 1) {
            emit(s, end, .email)
            return end
        }
        guard let end = domain(i + 1) else { return i + 1 }
        if isSSHTarget(s, end) { return end }
        emit(s, end, .email)
        return end
    }

    /// The end (after `]`) of an address literal opening at `k` (`[`): a dotted quad, or `IPv6:`
    /// and hex digits, `:` and `.`; at most 60 bytes.
    func addressLiteralEnd(_ k: Int) -> Int? {
        var q = k + 1
        if hasIgnoringCase(q, "ipv6:") { q += 5 }
        let body = q
        while q < n && q - k < 60 && t2[Int(p[q])] & ByteClass2.ipv6 != 0 { q += 1 }
        guard q > body + 1, at(q) == UInt8(ascii: "]") else { return nil }
        return q + 1
    }

    /// Oracle `user/password@` connect strings (`jdbc:oracle:thin:scott/tiger@//host:1521/ORCL`,
    /// `sqlplus scott/tiger@//db/XE`): with the `@` at `i` followed by `//` (EZConnect) or the
    /// user right after `thin:`, where the password starts; nil otherwise. The password must look
    /// like a literal (not a letters-only word). Reads at most 160 bytes back.
    func oraclePasswordStart(_ i: Int) -> Int? {
        let ezConnect = at(i + 1) == UInt8(ascii: "/") && at(i + 2) == UInt8(ascii: "/")
        var q = i
        while q > 0 && i - q < 128 && t2[Int(p[q - 1])] & ByteClass2.userinfo != 0 && p[q - 1] != UInt8(ascii: ":") { q -= 1 }
        guard q < i, at(q - 1) == UInt8(ascii: "/") else { return nil }
        var u = q - 1
        while u > 0 && q - u <= 31 && (Bytes.isAlnum(p[u - 1]) || p[u - 1] == UInt8(ascii: "_") || p[u - 1] == UInt8(ascii: "$")) { u -= 1 }
        guard u < q - 1, Bytes.isLetter(p[u]) else { return nil }
        let before = at(u - 1)
        guard ezConnect ? (before == 0 || before == UInt8(ascii: " ") || before == UInt8(ascii: "\t") || before == UInt8(ascii: ":")
                           || before == UInt8(ascii: "\"") || before == UInt8(ascii: "'") || before == UInt8(ascii: "="))
                        : hasIgnoringCase(u - 5, "thin:") else { return nil }
        return isPlausibleValue(q, i, quoted: false) ? q : nil
    }

    /// A URL-encoded address in a query string (`email=jane.doe%40gmail.com`), at the `%` of
    /// `%40`, or one with an HTML character reference for its `@` (`jane&#64;example.com`, in
    /// scraped pages), at the `&` of `&#64;` (`length` 5). Reads at most 64 bytes back and 253
    /// forward.
    mutating func encodedEmail(_ pct: Int, length: Int = 3) -> Int? {
        var s = pct
        while s > 0 && t2[Int(p[s - 1])] & ByteClass2.local != 0 && p[s - 1] < 0x80 {
            s -= 1
            if pct - s > 64 { return nil }
        }
        while s < pct && (p[s] == UInt8(ascii: ".") || p[s] == UInt8(ascii: "-") || p[s] == UInt8(ascii: "+")
                          || p[s] == UInt8(ascii: "'")) { s += 1 }
        guard s < pct, p[pct - 1] != UInt8(ascii: "."), Bytes.isLetter(at(pct + length)) || Bytes.isDigit(at(pct + length)),
              let end = domain(pct + length) else { return nil }
        emit(s, end, .email)
        return end
    }

    /// Whether `user@host` at `s..<e` is an ssh/scp/git target rather than a mailbox: followed
    /// by `:` and a path (`git@github.com:acme/widgets.git`, `ubuntu@server:/tmp/`, `host:~/x`),
    /// or the argument of `ssh`, `scp`, `rsync`, `sftp` or `git clone` on the same line with only
    /// options, numbers and paths in between (`ssh -p 2222 deploy@web01…`). An address followed
    /// by `: ` or ending a sentence is still a mailbox. Reads at most 64 bytes ahead and 160 back.
    func isSSHTarget(_ s: Int, _ e: Int) -> Bool {
        if at(e) == UInt8(ascii: ":") {
            let c = at(e + 1)
            if c == UInt8(ascii: "/") || c == UInt8(ascii: "~") { return true }
            var k = e + 1
            while k < n && k - e <= 64 && (Bytes.isAlnum(p[k]) || p[k] == UInt8(ascii: "_") || p[k] == UInt8(ascii: "-")
                                           || p[k] == UInt8(ascii: ".")) { k += 1 }
            if k > e + 1 && at(k) == UInt8(ascii: "/") { return true }
        }
        // The words before, right to left, up to the command.
        var k = s - 1
        guard at(k) == UInt8(ascii: " ") || at(k) == UInt8(ascii: "\t") else { return false }
        while k >= 0 && s - k <= 160 {
            while k >= 0 && (p[k] == UInt8(ascii: " ") || p[k] == UInt8(ascii: "\t")) { k -= 1 }
            let te = k + 1
            while k >= 0 && !Bytes.isSpace(p[k]) && te - k <= 160 { k -= 1 }
            let ts = k + 1
            let length = te - ts
            guard length > 0 else { return false }
            if (length == 3 && (has(ts, "ssh") || has(ts, "scp"))) || (length == 4 && has(ts, "sftp")) || (length == 5 && has(ts, "rsync")) {
                return true
            }
            if length == 5 && has(ts, "clone") && has(ts - 4, "git ") { return true }
            // Options, their numbers and paths may come between the command and its target.
            var argument = p[ts] == UInt8(ascii: "-")
            if !argument {
                var digitsOnly = true
                for x in ts..<te {
                    let c = p[x]
                    if c == UInt8(ascii: "/") || c == UInt8(ascii: "~") || c == UInt8(ascii: ".") || c == UInt8(ascii: "=") { argument = true; break }
                    if !Bytes.isDigit(c) { digitsOnly = false }
                }
                if digitsOnly { argument = true }
            }
            guard argument else { return false }
        }
        return false
    }

    /// A domain name of at least two labels with an alphabetic top-level label, starting at `d`.
    func domain(_ d: Int) -> Int? {
        var pos = d
        var labels = 0
        var lastLabelStart = d
        while true {
            let ls = pos
            while pos < n && t2[Int(p[pos])] & ByteClass2.label != 0 && pos - ls <= 63
                    && (p[pos] < 0x80 || (p[pos] & 0xC0 == 0x80 && pos > ls) || (Bytes.isAlphabetLead(p[pos]) && scriptPunctuationWidth(pos) == 0)) {
                pos += 1
            }
            let len = pos - ls
            guard len >= 1 && len <= 63, p[ls] != UInt8(ascii: "-"), p[pos - 1] != UInt8(ascii: "-") else { return nil }
            labels += 1
            lastLabelStart = ls
            if pos - d > 253 { return nil }
            if at(pos) == UInt8(ascii: ".") && t2[Int(at(pos + 1))] & ByteClass2.label != 0 && !isCJK(pos + 1) {
                pos += 1
                continue
            }
            break
        }
        guard labels >= 2 else { return nil }
        let next = at(pos)
        if next == UInt8(ascii: "@") || (next == UInt8(ascii: "_") && !closesEmphasis(pos)) { return nil }
        // Top-level label: letters (or IDN bytes), at least two, or an "xn--" label.
        let tld = lastLabelStart
        if !has(tld, "xn--") {
            guard pos - tld >= 2 else { return nil }
            for k in tld..<pos where !(Bytes.isLetter(p[k]) || p[k] >= 0x80) { return nil }
            // "name@domain.tld": the placeholder top-level label of documentation.
            if pos - tld == 3 && hasIgnoringCase(tld, "tld") { return nil }
        }
        // "icon@2x.png", "bg@1.5x.jpg": an image-density suffix, not a mailbox (but "jdoe@x.io" is one).
        var densitySuffix = false
        if tld - 1 - d >= 1 && tld - 1 - d <= 5 && Bytes.lower(p[tld - 2]) == UInt8(ascii: "x") {
            densitySuffix = true
            for k in d..<(tld - 2) where !(Bytes.isDigit(p[k]) || (p[k] == UInt8(ascii: ".") && k > d)) { densitySuffix = false; break }
        }
        if densitySuffix {
            let l = pos - tld
            if (l == 3 && (hasIgnoringCase(tld, "png") || hasIgnoringCase(tld, "jpg") || hasIgnoringCase(tld, "gif")
                           || hasIgnoringCase(tld, "svg") || hasIgnoringCase(tld, "ico")))
                || (l == 4 && (hasIgnoringCase(tld, "jpeg") || hasIgnoringCase(tld, "webp"))) {
                return nil
            }
        }
        return pos
    }

    /// Whether a CJK character starts at `k`: Han, kana, Hangul, CJK punctuation or a full-width
    /// form (U+3000–U+9FFF, U+AC00–U+D7AF, U+F900–U+FAFF, U+FF00–U+FFEF; three UTF-8 bytes
    /// led by 0xE3…0xEF). Such text around an address ("メールはtanaka@example.co.jpです") is not
    /// part of it, although other non-ASCII letters (IDN, "josé@exämple.de") are.
    @inline(__always) func isCJK(_ k: Int) -> Bool {
        guard k >= 0, k + 2 < n else { return false }
        let b0 = p[k]
        guard b0 >= 0xE3 && b0 <= 0xEF else { return false }
        let b1 = p[k + 1], b2 = p[k + 2]
        guard b1 & 0xC0 == 0x80, b2 & 0xC0 == 0x80 else { return false }
        let cp = UInt32(b0 & 0x0F) << 12 | UInt32(b1 & 0x3F) << 6 | UInt32(b2 & 0x3F)
        return (cp >= 0x3000 && cp <= 0x9FFF) || (cp >= 0xAC00 && cp <= 0xD7AF) || (cp >= 0xF900 && cp <= 0xFAFF)
            || (cp >= 0xFF00 && cp <= 0xFFEF)
    }

    /// A URL whose user is an e-mail address (`smtp://alerts@acme.io:PASSWORD@smtp.example.com`,
    /// common for mail relays), at the address's `@` (`i`): the address is an EMAIL and the
    /// password up to the next `@` a SECRET (when it looks like a literal). Returns where the scan
    /// resumes (after the second `@`), or nil when the text after `i` is not `domain:password@`.
    /// Reads at most 128 bytes back and 253 + 129 forward.
    mutating func urlEmailUser(_ i: Int) -> Int? {
        guard let end = domain(i + 1), at(end) == UInt8(ascii: ":") else { return nil }
        var j = end + 1
        while j < n && j - end <= 129 && t2[Int(p[j])] & ByteClass2.userinfo != 0 { j += 1 }
        guard at(j) == UInt8(ascii: "@"), j > end + 1 else { return nil }
        var s = i
        while s > 0 && i - s < 128 && t2[Int(p[s - 1])] & ByteClass2.userinfo != 0 { s -= 1 }
        guard s < i else { return nil }
        emit(s, end, .email)
        if isPlausibleValue(end + 1, j, quoted: true) { emit(end + 1, j, .secret) }
        return j + 1
    }

    /// The password of a Go MySQL DSN (`user:X@tcp(…)`), with the `@` at `i`: the user starts
    /// after a quote, a blank, `=` or the start of the text. Reads at most 128 bytes back.
    mutating func goDSNPassword(_ i: Int) -> Int? {
        var s = i
        while s > 0 && i - s < 128 && (t2[Int(p[s - 1])] & ByteClass2.userinfo != 0 || p[s - 1] == UInt8(ascii: "#") || p[s - 1] == UInt8(ascii: "@")) {
            s -= 1
        }
        let before = at(s - 1)
        guard s == 0 || before == UInt8(ascii: "\"") || before == UInt8(ascii: "'") || before == UInt8(ascii: "`") || before == UInt8(ascii: " ")
                || before == UInt8(ascii: "=") else { return nil }
        var colon = -1
        for q in s..<i where p[q] == UInt8(ascii: ":") { colon = q; break }
        guard colon > s, isPlausibleValue(colon + 1, i, quoted: true) else { return nil }
        emit(colon + 1, i, .secret)
        return i + 1
    }

    /// When the `@` at `i` ends the userinfo of a URL (`scheme://userinfo@`), returns where the
    /// password starts (`i` when there is none); nil when it is not in a URL.
    func urlPasswordStart(_ i: Int) -> Int? {
        var s = i
        // A `#` belongs to the password when it comes after the userinfo's `:`
        // (`mysql://root:N7#kq!Zp2w@host`, not percent-encoded as it should be).
        var lastHash = -1
        while s > 0 && i - s < 128 && (t2[Int(p[s - 1])] & ByteClass2.userinfo != 0 || p[s - 1] == UInt8(ascii: "#")) {
            s -= 1
            if p[s] == UInt8(ascii: "#") && lastHash < 0 { lastHash = s }
        }
        if lastHash >= 0 {
            var colon = -1
            for q in s..<lastHash where p[q] == UInt8(ascii: ":") { colon = q; break }
            if colon < 0 { return nil }
        }
        // The userinfo class has no '/', so a URL's userinfo run starts right after "scheme://".
        // The scheme may end with a digit (`postgresql+psycopg2://`).
        guard s >= 4, p[s - 1] == UInt8(ascii: "/"), p[s - 2] == UInt8(ascii: "/"), p[s - 3] == UInt8(ascii: ":"),
              Bytes.isAlnum(p[s - 4]) else { return nil }
        var passwordStart = i
        for q in s..<i where p[q] == UInt8(ascii: ":") { passwordStart = q + 1; break }
        return passwordStart
    }

    // MARK: - IPv6

    /// At a `:`: the whole run of `[0-9A-Fa-f:.]` around it must be one IPv6 address (full,
    /// compressed with `::`, or with a dotted IPv4 tail), not glued to a word. A compressed
    /// address needs two explicit groups and a digit (so `std::` and `a::b` stay code).
    /// Each run is examined once (`ipv6Until`).
    mutating func ipv6(_ i: Int) -> Int? {
        var s = i
        while s > 0 && t2[Int(p[s - 1])] & ByteClass2.ipv6 != 0 && i - s <= 52 { s -= 1 }
        var e = i + 1
        while e < n && t2[Int(p[e])] & ByteClass2.ipv6 != 0 { e += 1 }
        ipv6Until = e
        if i - s > 52 || !isTokenStart(s) { return nil }
        var re = e
        while re > s && p[re - 1] == UInt8(ascii: ".") { re -= 1 }
        guard re - s >= 3, re - s <= 51, isTokenEnd(e), at(e) != UInt8(ascii: ":") else { return nil }
        if re - s <= 45 && parseIPv6(s, re) {
            emit(s, re, .ipAddress)
            return re
        }
        // "…:f972:8443", "::ffff:10.1.2.3:443": an address followed by a decimal port.
        var c = re - 1
        while c > s && Bytes.isDigit(p[c]) && re - c <= 5 { c -= 1 }
        if c > s && p[c] == UInt8(ascii: ":") && re - c >= 2 && p[c - 1] != UInt8(ascii: ":") && c - s <= 45 && parseIPv6(s, c) {
            emit(s, c, .ipAddress)
            return c
        }
        return nil
    }

    func parseIPv6(_ s: Int, _ e: Int) -> Bool {
        var pos = s
        var groups = 0
        var compressed = false
        var sawDigit = false
        if p[pos] == UInt8(ascii: ":") {
            guard at(pos + 1) == UInt8(ascii: ":") else { return false }
            compressed = true
            pos += 2
        }
        while pos < e {
            let gs = pos
            while pos < e && t[Int(p[pos])] & ByteClass.hex != 0 && pos - gs <= 4 {
                if Bytes.isDigit(p[pos]) { sawDigit = true }
                pos += 1
            }
            let len = pos - gs
            guard len >= 1 && len <= 4 else { return false }
            if pos < e && p[pos] == UInt8(ascii: ".") {
                // Dotted IPv4 tail: must run to the end and be a valid address.
                guard ipv4Tail(gs, e) else { return false }
                groups += 2
                sawDigit = true
                pos = e
                break
            }
            groups += 1
            if pos == e { break }
            guard p[pos] == UInt8(ascii: ":") else { return false }
            if at(pos + 1) == UInt8(ascii: ":") {
                if compressed { return false }
                compressed = true
                pos += 2
            } else {
                pos += 1
                guard pos < e else { return false }
            }
        }
        if compressed {
            // "::1" (loopback) is the one single-group form accepted; "x[::2]"-like code is not.
            if groups == 1 { return e - s == 3 && p[s] == UInt8(ascii: ":") && p[s + 2] == UInt8(ascii: "1") }
            return groups <= 7 && groups >= 2 && sawDigit
        }
        return groups == 8
    }

    func ipv4Tail(_ s: Int, _ e: Int) -> Bool {
        var pos = s
        for octet in 0..<4 {
            let os = pos
            var value = 0
            while pos < e && Bytes.isDigit(p[pos]) && pos - os < 4 { value = value * 10 + Int(p[pos]) - 48; pos += 1 }
            let len = pos - os
            guard len >= 1 && len <= 3, value <= 255 else { return false }
            if octet < 3 {
                guard pos < e, p[pos] == UInt8(ascii: ".") else { return false }
                pos += 1
            }
        }
        return pos == e
    }
}
