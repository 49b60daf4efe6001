/// Card numbers, US SSNs, IPv4 addresses and telephone numbers: everything that starts with a digit.
///
/// Each detector reads a bounded window after the start (at most ~40 bytes), so the work per
/// digit run is constant.
extension TextScanner {
    /// Packed group lengths: 8 bits per group, up to 8 groups.
    struct Groups {
        var packed: UInt64 = 0
        var count = 0
        var total = 0

        @inline(__always) subscript(_ k: Int) -> Int { Int((packed >> (8 * UInt64(k))) & 0xFF) }

        @inline(__always) mutating func append(_ len: Int) {
            packed |= UInt64(len) << (8 * UInt64(count))
            count += 1
            total += len
        }

        /// True when the lengths are exactly `a, b`.
        @inline(__always) func equals(_ a: Int, _ b: Int) -> Bool {
            count == 2 && packed == UInt64(a | b << 8)
        }

        /// True when the lengths are exactly `a, b, c`.
        @inline(__always) func equals(_ a: Int, _ b: Int, _ c: Int) -> Bool {
            count == 3 && packed == UInt64(a | b << 8 | c << 16)
        }

        /// True when the lengths are exactly `a, b, c, d`.
        @inline(__always) func equals(_ a: Int, _ b: Int, _ c: Int, _ d: Int) -> Bool {
            count == 4 && packed == UInt64(a | b << 8 | c << 16 | d << 24)
        }
    }

    /// A digit run starts at `s` (the byte before is not a word byte).
    mutating func numeric(_ s: Int) -> Int {
        // "jane.doe%40gmail.com": the "40" of a URL-encoded `@`.
        if p[s] == UInt8(ascii: "4") && at(s + 1) == UInt8(ascii: "0") && at(s - 1) == UInt8(ascii: "%"), let end = encodedEmail(s - 1) {
            return end
        }
        // "Maria.Schmidt=40outlook.com": the `@` of a quoted-printable e-mail body.
        if p[s] == UInt8(ascii: "4") && at(s + 1) == UInt8(ascii: "0") && at(s - 1) == UInt8(ascii: "="), let end = encodedEmail(s - 1) {
            return end
        }
        // "jane&#64;example.com": an HTML character reference for the `@`.
        if p[s] == UInt8(ascii: "6") && at(s + 1) == UInt8(ascii: "4") && at(s + 2) == UInt8(ascii: ";") && at(s - 1) == UInt8(ascii: "#")
            && at(s - 2) == UInt8(ascii: "&"), let end = encodedEmail(s - 2, length: 5) {
            return end
        }
        // "phone=%2B14155552671": a URL-encoded `+` before an international number.
        if p[s] == UInt8(ascii: "2") && Bytes.upper(at(s + 1)) == UInt8(ascii: "B") && at(s - 1) == UInt8(ascii: "%") {
            if Bytes.isDigit(at(s + 2)) && !isWordByte(s - 2), let end = phone(s - 1, encodedPlus: true) {
                emit(s - 1, end, .phone)
                phoneContextEnd = Int.min / 2
                return end
            }
            return s + 1
        }
        var r = s
        while r < n && Bytes.isDigit(p[r]) { r += 1 }
        // No numeric entity has a run of more than 19 digits; skipping it whole keeps long
        // digit strings (hashes, ids, adversarial input) linear.
        if r - s > 19 { return r }
        // An IBAN glued to the number of a structured field before it: SWIFT MT940 `:86:`
        // subfields (`?31GB98MIDL2900…`). The check digits make a random match unlikely.
        if r - s == 2 && at(s - 1) == UInt8(ascii: "?") && Bytes.isUpper(at(r)) && Bytes.isUpper(at(r + 1)) && Bytes.isDigit(at(r + 2))
            && Bytes.isDigit(at(r + 3)), let end = iban(r) {
            emit(r, end, .iban)
            return end
        }
        // A WhatsApp click-to-chat link (`wa.me/4915113931563`): the path is the number, in
        // international form without the `+`.
        if r - s >= 8 && r - s <= 15 && at(s - 1) == UInt8(ascii: "/") && has(s - 6, "wa.me/") && isTokenEnd(r) {
            emit(s, r, .phone)
            return r
        }
        // A number WhatsApp wraps in a left-to-right embedding (U+202A … U+202C): a phone number.
        if at(s - 1) == 0xAA && has(s - 3, "\u{202A}"), let end = embeddedPhone(s) {
            emit(s, end, .phone)
            return end
        }
        // The check digits of an IBAN typed with a blank after its country code (`SE 27 6334 …`).
        if r - s == 2 && at(s - 1) == UInt8(ascii: " ") && Bytes.isUpper(at(s - 2)) && Bytes.isUpper(at(s - 3)) && !isWordByte(s - 4)
            && at(r) == UInt8(ascii: " "), let end = ibanSpaced(s - 3) {
            emit(s - 3, end, .iban)
            return end
        }
        var resume = s + 1
        let prev = at(s - 1)
        // Card numbers and SSNs may follow '#' ("card #4111…"); phone numbers may not ("#415-…" is a ticket).
        let leftOK = numberLeftOK(s, allowHash: true)
        // A card right after another ("4111… 5500…", a grouped list): not a group of the first;
        // after an abbreviation and a dot ("No.4111…", "Nr.4111 …").
        // After a word with digits and a lower-case letter ("visa19 4111 …"): chains of groups
        // (`DE89 3704 …`, `12 34 56`) have none.
        if leftOK || prev == UInt8(ascii: ",") || (prev == UInt8(ascii: " ") && (lastCardEnd == s - 1 || afterLowercaseWord(s))) || afterAbbreviation(s)
            || (prev == UInt8(ascii: "-") && r - s >= 4 && Bytes.isLetter(at(s - 2)) && cardWordBefore(s - 1)),
           let end = card(s, r) ?? cardAfterLabel(s, r) {
            emit(s, end, .creditCard)
            lastCardEnd = end
            resume = max(resume, end)
        }
        // A grouped SSN may end a CSV cell after a word (`Ann,Lee,078-05-1120`), not a number.
        let csvCell = prev == UInt8(ascii: ",") && r - s == 3 && !Bytes.isDigit(at(s - 2))
        // Right after an SSN name and a symbol: `SSN/078051120`, `SS#078-05-1120`.
        let afterSSNWord = !leftOK && (prev == UInt8(ascii: "/") || prev == UInt8(ascii: "#")) && ssnNameBefore(s)
        let afterNumber = prev == UInt8(ascii: " ") && lastNumberEnd == s - 1
        if leftOK || csvCell || afterSSNWord || afterNumber, let end = ssn(s, r) {
            emit(s, end, .usSSN)
            lastNumberEnd = end
            ssnContextEnd = Int.min / 2  // an SSN word vouches for one number
            resume = max(resume, end)
        }
        if let end = ipv4(s, r) { emit(s, end, .ipAddress); resume = max(resume, end) }
        // A grouped number may start a CSV cell after a word (`Jane Roe,jane@x.io,415-555-2671,…`),
        // not after a number (`1,234`).
        let csvPhone = !leftOK && prev == UInt8(ascii: ",") && !Bytes.isDigit(at(s - 2))
        // Not right after an SSN word (`SSN 034-00-4757`, an invalid SSN) or a reference word
        // (`Case No.: 045-674-2921`, `ticket 555-0134-22`), unless a phone word came after it.
        // Not the digits a dialler sends after pauses (`+12532158782,,84635703148#`: a meeting
        // id), nor a US ZIP+4 code (`09398-5142`) unless a phone word came right before it.
        let dialled = prev == UInt8(ascii: ",") && at(s - 2) == UInt8(ascii: ",")
        let zipPlusFour = r - s == 5 && at(r) == UInt8(ascii: "-") && Bytes.isDigit(at(r + 4)) && !Bytes.isDigit(at(r + 5))
            && Bytes.isDigit(at(r + 1)) && Bytes.isDigit(at(r + 2)) && Bytes.isDigit(at(r + 3)) && at(r + 5) != UInt8(ascii: "-")
            && at(r + 5) != UInt8(ascii: " ") && s - phoneContextEnd > 16
        // A whole number in parentheses (`chiamami al (02-14266118)`, `휴대폰 (010 9955 1876)`); not
        // an area code (`(415) 555-2671`, found from the `(`).
        if prev == UInt8(ascii: "(") && !dialled, let end = phone(s, leftChecked: true), end - s >= 8, at(end) == UInt8(ascii: ")"),
           !(s - ssnContextEnd <= 12 && ssnContextEnd > phoneContextEnd), !(s - phoneContextEnd > 16 && referenceWordBefore(s)) {
            emit(s, end, .phone)
            phoneContextEnd = Int.min / 2
            return max(resume, end)
        }
        if (leftOK && prev != UInt8(ascii: "+") && prev != UInt8(ascii: "(") && prev != UInt8(ascii: "#")) || csvPhone || afterNumber,
           !dialled, !zipPlusFour,
           !(s - ssnContextEnd <= 12 && ssnContextEnd > phoneContextEnd),
           let end = phone(s, leftChecked: true, csvCell: csvPhone), !(s - phoneContextEnd > 16 && referenceWordBefore(s)) {
            emit(s, end, .phone)
            lastNumberEnd = end
            phoneContextEnd = Int.min / 2  // a phone word vouches for one number
            resume = max(resume, end)
        }
        return resume
    }

    /// The byte before a number at `s` allows it to start there: not glued to a word or to a
    /// longer number (`ORD-2024-…`, `1,234`, `12:30`, `$5`).
    @inline(__always) func numberLeftOK(_ s: Int, allowHash: Bool = false) -> Bool {
        let prev = at(s - 1)
        if prev == UInt8(ascii: "_") { return opensEmphasis(s - 1) }
        if Bytes.isAlnum(prev) { return false }
        switch prev {
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: ","):
            let before = at(s - 2)
            return !(Bytes.isAlnum(before) || before == UInt8(ascii: "_"))
        case UInt8(ascii: ":"):
            return !Bytes.isDigit(at(s - 2))
        case UInt8(ascii: "$"):
            return false
        case UInt8(ascii: "#"):
            return allowHash
        case UInt8(ascii: " "):
            // Inside a chain of groups ("DE89 3704 0044 …", "12 34 56 …"): the token before the
            // space has a digit, so this group continues something longer.
            var k = s - 2
            var upperOrDigit = true
            while k >= 0 && s - k <= 34 && Bytes.isAlnum(p[k]) {
                if Bytes.isDigit(p[k]) { return false }
                if !Bytes.isUpper(p[k]) { upperOrDigit = false }
                k -= 1
            }
            // "NL39 VMMT 0504 …": two four-character upper-case groups before, as in a grouped IBAN.
            if upperOrDigit && s - k == 6 && at(k) == UInt8(ascii: " ") {
                var q = k - 1
                var groupHasDigit = false
                while q >= 0 && k - q <= 5 && (Bytes.isUpper(p[q]) || Bytes.isDigit(p[q])) {
                    if Bytes.isDigit(p[q]) { groupHasDigit = true }
                    q -= 1
                }
                if k - q == 5 && groupHasDigit && !Bytes.isAlnum(at(q)) { return false }
            }
            return true
        default:
            return true
        }
    }

    /// Whether the number at `s` follows a space and a word of letters and digits with a
    /// lower-case letter (`visa19 4111…`, `card2 4111…`). Reads at most 24 bytes back.
    @inline(__always) func afterLowercaseWord(_ s: Int) -> Bool {
        var k = s - 2
        var lower = false
        while k >= 0 && s - k <= 24 && Bytes.isAlnum(p[k]) {
            if Bytes.isLower(p[k]) { lower = true }
            k -= 1
        }
        return lower && k < s - 2 && !(k >= 0 && (p[k] == UInt8(ascii: "-") || p[k] == UInt8(ascii: "_") || p[k] == UInt8(ascii: ".")))
    }

    /// Whether the number at `s` follows an abbreviation of one to four letters and a dot
    /// (`No.4111…`, `Nr.4111 …`), the word standing alone. (`ABC-4111…` stays: a dash after
    /// letters makes an identifier.)
    @inline(__always) func afterAbbreviation(_ s: Int) -> Bool {
        guard at(s - 1) == UInt8(ascii: ".") else { return false }
        var k = s - 2
        while k >= 0 && s - k <= 6 && Bytes.isLetter(p[k]) { k -= 1 }
        let letters = s - 2 - k
        return letters >= 1 && letters <= 4 && !(k >= 0 && (Bytes.isAlnum(p[k]) || p[k] == UInt8(ascii: "_") || p[k] == UInt8(ascii: "-") || p[k] == UInt8(ascii: ".")))
    }

    /// Whether the `_` at `k` ends a run of underscores that opens Markdown emphasis or a form
    /// blank (`_4111 1111 1111 1111_`, `Phone: ___415-555-0132___`): nothing of a word before the
    /// run. (`card_4111…`, `id_415…` are glued to a word.)
    @inline(__always) func opensEmphasis(_ k: Int) -> Bool {
        var j = k
        while j > 0 && k - j < 64 && p[j - 1] == UInt8(ascii: "_") { j -= 1 }
        let c = at(j - 1)
        return j == 0 || !(Bytes.isAlnum(c) || c == UInt8(ascii: "_") || c == UInt8(ascii: "-") || c == UInt8(ascii: ".") || Bytes.isAlphabetLead(c) || c & 0xC0 == 0x80)
    }

    /// Whether the `_` at `k` starts a run of underscores that closes emphasis or a form blank:
    /// nothing of a word after the run.
    @inline(__always) func closesEmphasis(_ k: Int) -> Bool {
        var j = k + 1
        while j < n && j - k < 64 && p[j] == UInt8(ascii: "_") { j += 1 }
        let c = at(j)
        return j >= n || !(Bytes.isAlnum(c) || c == UInt8(ascii: "_") || Bytes.isAlphabetLead(c))
    }

    /// The byte after a number ending at `e` allows it to end there.
    @inline(__always) func numberRightOK(_ e: Int, allowPort: Bool = false) -> Bool {
        let c = at(e)
        if c == UInt8(ascii: "_") { return closesEmphasis(e) }
        if Bytes.isAlnum(c) || c == UInt8(ascii: "%") { return false }
        switch c {
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: ","):
            return !Bytes.isDigit(at(e + 1))
        case UInt8(ascii: ":"):
            return allowPort || !Bytes.isDigit(at(e + 1))
        default:
            return true
        }
    }

    // MARK: - Payment cards

    /// The byte after a card number ending at `e` allows it to end there. Unlike other numbers,
    /// a card may be followed by `,` `/` `:` and more digits: a CSV row (`4111…,12/27`) or an
    /// expiry date and CVV (`4111…/12/27/123`, `4111…:12:27`). Not glued to a word, a decimal
    /// fraction or a longer dashed number.
    @inline(__always) func cardRightOK(_ e: Int) -> Bool {
        let c = at(e)
        if c == UInt8(ascii: "_") { return closesEmphasis(e) }
        if Bytes.isAlnum(c) || c == UInt8(ascii: "%") { return false }
        // A dash before more digits continues a longer dashed number; before a letter
        // ("4111111111111111-exp", "5500000000000004-beta") the card is kept: a stored raw card
        // number cannot be taken back, a redacted build tag costs little.
        if c == UInt8(ascii: "-") || c == UInt8(ascii: ".") { return !Bytes.isDigit(at(e + 1)) }
        return true
    }

    /// 13–19 digits, ungrouped or in groups joined by one consistent separator (space, `-`, `.`),
    /// with an issuer prefix valid for the length, and the Luhn check. When a longer grouping
    /// fails, shorter prefixes of it are tried (a card followed by a CVV or more digits).
    /// The caller has checked the left boundary (`numberLeftOK`).
    // `mutating` only so the scanner is passed by reference: called from the mutating scan, a
    // non-mutating method gets a copy of the whole scanner (hundreds of bytes) on each call.
    mutating func card(_ s: Int, _ r: Int) -> Int? {
        let d0 = p[s]
        guard d0 >= UInt8(ascii: "2") && d0 <= UInt8(ascii: "6") else { return nil }
        var groups = Groups()
        var pos = s
        var runEnd = r
        var sep: UInt8 = 0
        // Bytes per separator: 1, or 2 for two spaces, 3 for ` - `. Separators other than one
        // space, `-` or `.` (a tab, `/`, `_`, two spaces, ` - `) are "strict": only a standard
        // card grouping is accepted with them (`standardGrouping`).
        var sepLen = 1
        var strict = false
        // A table cell wrapped over two lines ("4111 1111\n1111 1111"): after a space-grouped
        // group, one line break (LF or CRLF) may stand for a space. `wrapGroup` is the index of
        // the group after it, `wrapExtra` 1 for CRLF.
        var wrapGroup = Int.max
        var wrapExtra = 0
        // A query-string or form value (`=` right before): URL-encoded spaces (`+`, `%20`) may
        // group it, strictly.
        let inQuery = at(s - 1) == UInt8(ascii: "=")
        while true {
            groups.append(runEnd - pos)
            pos = runEnd
            if groups.total > 19 || groups.count == 7 { break }
            let c = at(pos)
            // The separator here: a code (one byte for the simple ones; 1 for two spaces, 2 for
            // ` - `) and its length, or 0.
            var code: UInt8 = 0
            var len = 1
            if c == UInt8(ascii: " ") {
                let c1 = at(pos + 1)
                if c1 == UInt8(ascii: " ") { code = 1; len = 2 }
                else if c1 == UInt8(ascii: "-") && at(pos + 2) == UInt8(ascii: " ") { code = 2; len = 3 }
                else { code = c }
            } else if c == UInt8(ascii: "-") || c == UInt8(ascii: ".") || c == 0x09 || c == UInt8(ascii: "/") || c == UInt8(ascii: "_") {
                code = c
            } else if inQuery && c == UInt8(ascii: "+") {
                code = c  // a form body or query string: `card_number=4111+1111+…`
            } else if inQuery && c == UInt8(ascii: "%") && at(pos + 1) == UInt8(ascii: "2") && at(pos + 2) == UInt8(ascii: "0") {
                code = 3; len = 3  // `?cc=4111%201111%20…`
            }
            // Dictated or hurried typing mixes `-` and one space (`4111-1111 1111-1111`): then
            // only a standard grouping is accepted, as for the strict separators.
            let mixed = sep != 0 && sep != code && (sep == UInt8(ascii: " ") || sep == UInt8(ascii: "-"))
                && (code == UInt8(ascii: " ") || code == UInt8(ascii: "-")) && wrapGroup == Int.max
            if code != 0 && (sep == 0 || sep == code || mixed) && Bytes.isDigit(at(pos + len)) {
                if mixed { strict = true }
                if sep == 0 {
                    sep = code
                    sepLen = len
                    strict = !(code == UInt8(ascii: " ") || code == UInt8(ascii: "-") || code == UInt8(ascii: "."))
                }
                pos += len
                runEnd = pos
                while runEnd < n && Bytes.isDigit(p[runEnd]) && runEnd - pos <= 19 { runEnd += 1 }
                continue
            }
            if sep == UInt8(ascii: " ") && wrapGroup == Int.max {
                let lineBreak = c == 0x0A ? 1 : (c == 0x0D && at(pos + 1) == 0x0A ? 2 : 0)
                if lineBreak > 0 && Bytes.isDigit(at(pos + lineBreak)) {
                    wrapGroup = groups.count
                    wrapExtra = lineBreak - 1
                    pos += lineBreak
                    runEnd = pos
                    while runEnd < n && Bytes.isDigit(p[runEnd]) && runEnd - pos <= 19 { runEnd += 1 }
                    continue
                }
            }
            break
        }
        var total = groups.total
        var k = groups.count
        while k >= 1 {
            defer { total -= groups[k - 1]; k -= 1 }
            if total < 13 { return nil }
            if total > 19 { continue }
            // The 6-digit issuer number, then the rest (`411111 1111111111`, UnionPay `626879 9618…`).
            let binSplit = !strict && k == 2 && groups[0] == 6 && (total == 16 || total == 19)
            if k > 1 && !standardGrouping(groups, k) && !binSplit {
                if strict { continue }
                guard groups[0] >= 4 && groups[0] <= 6 else { continue }
                var shapeOK = true
                for g in 1..<k {
                    let l = groups[g]
                    if l > 6 || (g < k - 1 && l < 3) { shapeOK = false; break }
                }
                if !shapeOK { continue }
            }
            let end = s + total + (k - 1) * sepLen + (wrapGroup < k ? wrapExtra : 0)
            if k == groups.count && !cardRightOK(end) { continue }
            // `4111…_1`: glued to more of an identifier (not Markdown emphasis closing).
            if at(end) == UInt8(ascii: "_") && !(k == groups.count && closesEmphasis(end)) { continue }
            if issuerAccepts(s, length: total) && luhn(s, end) {
                // "EAN 5901234123457": a barcode number that happens to pass Luhn.
                if k == 1 && (total == 13 || total == 14) && afterBarcodeWord(s) { return nil }
                return end
            }
        }
        return nil
    }

    /// A card number as a scan or hurried typing leaves it, right after a card word
    /// (`cardLabelBefore`): groups of digits (the first of 4–6) joined by one or two blanks,
    /// ` . `, ` - `, `.`, `-`, or one line break, mixed (`Card No 4343  8304 1822 2061`,
    /// `CC# 2221 . 4299 7806 3170`, `Credit Card: 2221\n7754 5204 0948`); 13–19 digits, an issuer
    /// prefix valid for the length, and the Luhn check, as for `card`. Reads at most ~60 bytes.
    mutating func cardAfterLabel(_ s: Int, _ r: Int) -> Int? {
        guard r - s >= 4, r - s <= 6, p[s] >= UInt8(ascii: "2") && p[s] <= UInt8(ascii: "6") else { return nil }
        // The ends of the groups, with the digits up to each (at most 19 groups of 1+ digits):
        // on the stack, as this runs for many short numbers.
        return withUnsafeTemporaryAllocation(of: (digits: Int, end: Int).self, capacity: 20) { ends -> Int? in
            var digits = r - s
            var pos = r
            ends[0] = (digits, r)
            var count = 1
            var lineBreaks = 0
            while digits < 19 {
                var k = pos
                if at(k) == UInt8(ascii: " ") && at(k + 1) == UInt8(ascii: " ") { k += 2 }
                else if at(k) == UInt8(ascii: " ") && (at(k + 1) == UInt8(ascii: ".") || at(k + 1) == UInt8(ascii: "-")) && at(k + 2) == UInt8(ascii: " ") { k += 3 }
                else if at(k) == UInt8(ascii: " ") || at(k) == UInt8(ascii: ".") || at(k) == UInt8(ascii: "-") { k += 1 }
                else if at(k) == 0x0A && lineBreaks == 0 { k += 1; lineBreaks += 1 }
                else if at(k) == 0x0D && at(k + 1) == 0x0A && lineBreaks == 0 { k += 2; lineBreaks += 1 }
                else { break }
                guard Bytes.isDigit(at(k)) else { break }
                var e = k
                while e < n && Bytes.isDigit(p[e]) && e - k <= 19 { e += 1 }
                digits += e - k
                guard digits <= 19 else { break }
                pos = e
                ends[count] = (digits, e)
                count += 1
            }
            // The label is looked for only when the digits could make a card (not at every year).
            guard digits >= 13, cardLabelBefore(s) else { return nil }
            for index in stride(from: count - 1, through: 0, by: -1) where ends[index].digits >= 13 {
                let end = ends[index].end
                if cardRightOK(end) && issuerAccepts(s, length: ends[index].digits) && luhn(s, end) { return end }
            }
            return nil
        }
    }

    /// The label word before the number at `s`: past blanks, `:`, `#` and `.`, and past a number
    /// word (`no`, `nr`, `num…`, `nummer`, an OCR `nurnber`) if that is what stands there
    /// (`Card No. 4111…`, `File no. 045-…`). Nil when no word starts within `window` bytes back
    /// or the word is glued to a digit. Shared by `cardLabelBefore` and `referenceWordBefore`.
    func labelWordBefore(_ s: Int, window: Int) -> (start: Int, length: Int)? {
        var k = s - 1
        func skipPunctuation() {
            while k >= 0 && s - k <= window && (p[k] == UInt8(ascii: " ") || p[k] == UInt8(ascii: ":") || p[k] == UInt8(ascii: "#")
                                                || p[k] == UInt8(ascii: ".") || p[k] == 0x09) { k -= 1 }
        }
        func word() -> (start: Int, length: Int) {
            let e = k + 1
            while k >= 0 && s - k <= window && Bytes.isLetter(p[k]) { k -= 1 }
            return (k + 1, e - k - 1)
        }
        skipPunctuation()
        var w = word()
        if (w.length == 2 && (hasIgnoringCase(w.start, "no") || hasIgnoringCase(w.start, "nr")))
            || (w.length >= 3 && w.length <= 7 && (hasIgnoringCase(w.start, "num") || hasIgnoringCase(w.start, "nurnber") || hasIgnoringCase(w.start, "nummer"))) {
            skipPunctuation()
            w = word()
        }
        guard w.length > 0, !(w.start > 0 && Bytes.isAlnum(p[w.start - 1])) else { return nil }
        return w
    }

    /// Whether a card label ends just before the number at `s` (`labelWordBefore`): `Card No `,
    /// `CC# `, `Kreditkarte `, `Credit Card: `, `card nurnber: `, `PAN `. Reads at most 40 bytes back.
    func cardLabelBefore(_ s: Int) -> Bool {
        guard let w = labelWordBefore(s, window: 40) else { return false }
        let l = w.length
        return (l == 2 && hasIgnoringCase(w.start, "cc")) || (l == 4 && hasIgnoringCase(w.start, "card"))
            || (l == 3 && hasIgnoringCase(w.start, "pan")) || (l == 11 && hasIgnoringCase(w.start, "kreditkarte"))
            || (l == 5 && (hasIgnoringCase(w.start, "karte") || hasIgnoringCase(w.start, "carte")))
            || (l == 4 && (hasIgnoringCase(w.start, "visa") || hasIgnoringCase(w.start, "amex")))
            || (l == 10 && hasIgnoringCase(w.start, "mastercard")) || (l == 7 && hasIgnoringCase(w.start, "tarjeta"))
    }

    /// Whether a card word ends just before the `-` or `_` at `j` (`cc-4111…`, `card_4111…`,
    /// `card-number-4111…`): the letters (with `-`/`_` inside) from a word boundary, read
    /// case-insensitively without their `-`/`_`, are one of `cardWords`. Reads at most 20 bytes
    /// back. (`ABC-4111…` stays an identifier.)
    func cardWordBefore(_ j: Int) -> Bool {
        var k = j - 1
        while k >= 0 && j - k <= 20 && (Bytes.isLetter(p[k]) || p[k] == UInt8(ascii: "-") || p[k] == UInt8(ascii: "_")) { k -= 1 }
        guard !(k >= 0 && Bytes.isAlnum(p[k])), j - k <= 20, Bytes.isLetter(at(k + 1)) else { return false }
        var hi: UInt64 = 0, lo: UInt64 = 0
        var letters = 0
        for q in (k + 1)..<j where Bytes.isLetter(p[q]) {
            letters += 1
            if letters > 16 { return false }
            hi = hi << 8 | lo >> 56
            lo = lo << 8 | UInt64(Bytes.lower(p[q]))
        }
        for w in Self.cardWords where w.0 == hi && w.1 == lo && w.2 == letters { return true }
        return false
    }

    /// Card words as (high 8 letters, low 8 letters, count), packed as in `cardWordBefore`.
    static let cardWords: [(UInt64, UInt64, Int)] = [
        "cc", "ccn", "ccno", "ccnum", "ccnumber", "card", "cards", "cardno", "cardnum", "cardnumber", "cardnr", "cardpan",
        "creditcard", "creditcardno", "creditcardnumber", "debitcard", "visa", "mastercard", "mc", "amex", "pan",
        "karte", "kartennummer", "kreditkarte", "carte",
    ].map { word in
        var hi: UInt64 = 0, lo: UInt64 = 0
        for c in word.utf8 { hi = hi << 8 | lo >> 56; lo = lo << 8 | UInt64(c) }
        return (hi, lo, word.utf8.count)
    }

    /// A card number glued with `_` to a card word that starts the ASCII word `i..<e`
    /// (`card_4111…`, `cc_4111 1111 …`).
    mutating func cardAfterGluedWord(_ i: Int, _ e: Int) -> Int? {
        var u = i
        while u < e && u - i <= 20 && !Bytes.isDigit(p[u]) { u += 1 }
        guard u < e, u - i >= 3, p[u - 1] == UInt8(ascii: "_"), p[u] >= UInt8(ascii: "2") && p[u] <= UInt8(ascii: "6"),
              cardWordBefore(u - 1) else { return nil }
        var r = u
        while r < n && Bytes.isDigit(p[r]) { r += 1 }
        guard r - u <= 19, let end = card(u, r) else { return nil }
        emit(u, end, .creditCard)
        lastCardEnd = end
        return end
    }

    /// Whether the first `k` group lengths are a standard card grouping: 4-4-4-4, 4-4-4-4-3,
    /// 4-6-5 (Amex), 4-6-4 (Diners) or 8-8.
    @inline(__always) func standardGrouping(_ groups: Groups, _ k: Int) -> Bool {
        let mask: UInt64 = k >= 8 ? ~0 : (UInt64(1) << UInt64(8 * k)) &- 1
        let packed = groups.packed & mask
        switch k {
        case 2: return packed == UInt64(8 | 8 << 8)
        case 3: return packed == UInt64(4 | 6 << 8 | 5 << 16) || packed == UInt64(4 | 6 << 8 | 4 << 16)
        case 4: return packed == UInt64(4 | 4 << 8 | 4 << 16 | 4 << 24)
        case 5: return packed == UInt64(4 | 4 << 8 | 4 << 16 | 4 << 24) | UInt64(3) << 32
        default: return false
        }
    }

    /// Whether the number at `s` follows `EAN`, `EAN-13`, `GTIN`, `UPC` or `barcode` (any case),
    /// with only spaces, `:`, `#`, `=` or `-` between. Reads at most 24 bytes back.
    func afterBarcodeWord(_ s: Int) -> Bool {
        var k = s - 1
        @inline(__always) func skipSeparators() {
            // Quotes too: a JSON key (`"gtin":"5901234123457"`).
            while k >= 0 && s - k <= 24 && (p[k] == UInt8(ascii: " ") || p[k] == UInt8(ascii: ":") || p[k] == UInt8(ascii: "#")
                                           || p[k] == UInt8(ascii: "=") || p[k] == UInt8(ascii: "-") || p[k] == UInt8(ascii: "\"")
                                           || p[k] == UInt8(ascii: "'") || p[k] == UInt8(ascii: "\\")) { k -= 1 }
        }
        skipSeparators()
        // "EAN-13:", "EAN 8".
        if k >= 0 && Bytes.isDigit(p[k]) {
            let digitsEnd = k
            while k >= 0 && Bytes.isDigit(p[k]) && digitsEnd - k < 3 { k -= 1 }
            if digitsEnd - k > 2 { return false }
            skipSeparators()
        }
        let we = k + 1
        while k >= 0 && Bytes.isLetter(p[k]) && we - k <= 13 { k -= 1 }
        let ws = k + 1
        guard we > ws, !Bytes.isAlnum(at(ws - 1)) else { return false }
        switch we - ws {
        case 3: return hasIgnoringCase(ws, "ean") || hasIgnoringCase(ws, "upc") || hasIgnoringCase(ws, "sku")
        case 4: return hasIgnoringCase(ws, "gtin") || hasIgnoringCase(ws, "item")
        case 5: return hasIgnoringCase(ws, "siret")  // a French company's 14 digits pass Luhn by design
        case 7: return hasIgnoringCase(ws, "barcode") || hasIgnoringCase(ws, "article") || hasIgnoringCase(ws, "artikel")
            || hasIgnoringCase(ws, "product")
        case 13: return hasIgnoringCase(ws, "artikelnummer")
        default: return false
        }
    }

    /// Whether the first digits at `s` name an issuer that uses `length` digits.
    func issuerAccepts(_ s: Int, length: Int) -> Bool {
        // The first group has at least 4 digits (or the number is ungrouped), so these are digits.
        let d = (Int(p[s]) - 48, Int(p[s + 1]) - 48, Int(p[s + 2]) - 48, Int(p[s + 3]) - 48)
        let two = d.0 * 10 + d.1
        let four = two * 100 + d.2 * 10 + d.3
        switch d.0 {
        case 4: return length == 13 || length == 16 || length == 19  // Visa
        case 5:
            if two >= 51 && two <= 55 { return length == 16 }  // Mastercard
            return length >= 13  // Maestro 50, 56–59
        case 2:
            if four >= 2221 && four <= 2720 { return length == 16 }  // Mastercard 2-series
            if four >= 2200 && four <= 2204 { return length >= 16 }  // Mir
            return false
        case 3:
            if two == 34 || two == 37 { return length == 15 }  // Amex
            if two == 35 { return four >= 3528 && four <= 3589 && length >= 16 }  // JCB
            if two == 36 || two == 38 || two == 39 { return length >= 14 }  // Diners
            if two == 30 { return (four / 10 <= 305 || four == 3095) && length >= 14 }  // Diners 300–305
            return false
        case 6: return length >= 13  // Discover, UnionPay, Maestro, RuPay
        default: return false
        }
    }

    /// The Luhn checksum over the digits in `[s, e)` (separators skipped).
    func luhn(_ s: Int, _ e: Int) -> Bool {
        var sum = 0
        var double = false
        var i = e - 1
        while i >= s {
            let c = p[i]
            // A URL-encoded space between groups (`%20`): its digits are not the card's.
            if c == UInt8(ascii: "0") && i - 2 >= s && p[i - 2] == UInt8(ascii: "%") { i -= 3; continue }
            if Bytes.isDigit(c) {
                var v = Int(c) - 48
                if double { v *= 2; if v > 9 { v -= 9 } }
                sum += v
                double.toggle()
            }
            i -= 1
        }
        return sum % 10 == 0
    }

    // MARK: - US social security numbers

    /// `AAA-GG-SSSS` or `AAA GG SSSS`; nine ungrouped digits only right after "SSN"/"social
    /// security". Area not 000, 666 or 9xx; group not 00; serial not 0000. The caller has checked
    /// the left boundary.
    // `mutating` only so the scanner is passed by reference: called from the mutating scan, a
    // non-mutating method gets a copy of the whole scanner (hundreds of bytes) on each call.
    mutating func ssn(_ s: Int, _ r: Int) -> Int? {
        let end: Int
        if r - s == 3 && at(r) == UInt8(ascii: " ") && at(r + 1) == UInt8(ascii: "-") && at(r + 2) == UInt8(ascii: " ") {
            // `ssn no 202 - 74 - 7165` (a scanned form): ` - ` only right after an SSN word.
            guard (s - ssnContextEnd <= 40 && sameLine(ssnContextEnd, s)) || ssnPhraseBefore(s), Bytes.isDigit(at(r + 3)), Bytes.isDigit(at(r + 4)),
                  has(r + 5, " - "), Bytes.isDigit(at(r + 8)), Bytes.isDigit(at(r + 9)), Bytes.isDigit(at(r + 10)), Bytes.isDigit(at(r + 11))
            else { return nil }
            end = r + 12
        } else if r - s == 3 {
            let sep = at(r)
            // Dots only right after an SSN word: `SSN 078.05.1120` (a dotted 3-2-4 number is otherwise
            // more often something else).
            guard sep == UInt8(ascii: "-") || sep == UInt8(ascii: " ")
                    || (sep == UInt8(ascii: ".") && (s - ssnContextEnd <= 40 || ssnNameBefore(s) || ssnPhraseBefore(s))) else { return nil }
            guard Bytes.isDigit(at(r + 1)), Bytes.isDigit(at(r + 2)), at(r + 3) == sep,
                  Bytes.isDigit(at(r + 4)), Bytes.isDigit(at(r + 5)), Bytes.isDigit(at(r + 6)), Bytes.isDigit(at(r + 7)) else { return nil }
            end = r + 8
        } else if r - s == 9 && ((s - ssnContextEnd <= 40 && sameLine(ssnContextEnd, s)) || ssnNameBefore(s) || ssnPhraseBefore(s)
                                 || isHL7PatientSSNField(s, r)) {
            end = r
        } else {
            return nil
        }
        // A grouped SSN may be followed by the next CSV cell (`078-05-1120,1980-01-02`).
        guard numberRightOK(end) || (r - s == 3 && at(end) == UInt8(ascii: ",")) else { return nil }
        var value = 0
        for i in s..<end where Bytes.isDigit(p[i]) { value = value * 10 + Int(p[i]) - 48 }
        let area = value / 1_000_000
        let group = (value / 10_000) % 100
        let serial = value % 10_000
        guard area != 0, area != 666, area < 900, group != 0, serial != 0 else { return nil }
        return end
    }

    /// The end of a number that fills a left-to-right embedding (`\u{202A}910 193 443\u{202C}`,
    /// how WhatsApp exports write a sender or contact's number) from `s`: 7–15 digits in groups
    /// joined by single spaces or dashes, right before the U+202C that closes it; or nil.
    func embeddedPhone(_ s: Int) -> Int? {
        var pos = s
        var digits = 0
        while pos < n && pos - s <= 24 {
            if Bytes.isDigit(p[pos]) {
                digits += 1
            } else if (p[pos] == UInt8(ascii: " ") || p[pos] == UInt8(ascii: "-")) && Bytes.isDigit(at(pos - 1)) && Bytes.isDigit(at(pos + 1)) {
                // a group separator
            } else {
                break
            }
            pos += 1
        }
        return digits >= 7 && digits <= 15 && has(pos, "\u{202C}") ? pos : nil
    }

    /// Whether `s..<r` is the whole of field 19 of an HL7 v2 `PID` segment (the patient's SSN,
    /// `PID|1||…|279889530|…`): the line starts with `PID|` and 19 field separators come before
    /// `s`. Reads back to the line start (at most 512 bytes).
    func isHL7PatientSSNField(_ s: Int, _ r: Int) -> Bool {
        guard at(s - 1) == UInt8(ascii: "|"), at(r) == UInt8(ascii: "|") || at(r) == 0x0D || at(r) == 0x0A || r == n else { return false }
        var bars = 0
        var k = s - 1
        while k >= 0 && s - k <= 512 {
            let c = p[k]
            if c == 0x0A || c == 0x0D { break }
            if c == UInt8(ascii: "|") { bars += 1 }
            k -= 1
        }
        let lineStart = k + 1
        return bars == 19 && has(lineStart, "PID|")
    }

    /// Whether an SSN written as an abbreviation of scanned forms stands on the same line within 40
    /// bytes before `s`: `S.S.N.`, `Soc Sec`, `Soc. Security` (a number word may follow them).
    /// Called only for SSN shapes that need a name (nine digits, `.` or ` - ` groups).
    func ssnPhraseBefore(_ s: Int) -> Bool {
        var k = s - 1
        while k >= 0 && s - k <= 40 && p[k] != 0x0A {
            let c = Bytes.lower(p[k])
            if c == UInt8(ascii: "s") && !isWordByte(k - 1)
                && (hasIgnoringCase(k, "s.s.n") || hasIgnoringCase(k, "soc sec") || hasIgnoringCase(k, "soc. sec")) {
                return true
            }
            k -= 1
        }
        return false
    }

    /// Whether a reference word (`case`, `claim`, `file`, `ticket`, `order`, `invoice`, `ref`,
    /// `incident`, `tracking`, `booking`, `policy`) ends just before the number at `s`
    /// (`labelWordBefore`): the number is that reference, not a phone number (`Case No.: File no.
    /// 045-674-2921`). Reads at most 24 bytes back; called only for a phone number found.
    func referenceWordBefore(_ s: Int) -> Bool {
        guard let w = labelWordBefore(s, window: 24), w.length >= 3 else { return false }
        let q = w.start
        switch w.length {
        case 3: return hasIgnoringCase(q, "ref")
        case 4: return hasIgnoringCase(q, "case") || hasIgnoringCase(q, "file")
        case 5: return hasIgnoringCase(q, "claim") || hasIgnoringCase(q, "order")
        case 6: return hasIgnoringCase(q, "ticket") || hasIgnoringCase(q, "policy")
        case 7: return hasIgnoringCase(q, "invoice") || hasIgnoringCase(q, "booking")
        case 8: return hasIgnoringCase(q, "incident") || hasIgnoringCase(q, "tracking")
        default: return false
        }
    }

    /// Whether no line break lies in `from..<to` (a short range: a context word's reach).
    @inline(__always) func sameLine(_ from: Int, _ to: Int) -> Bool {
        var k = max(from, 0)
        while k < to { if p[k] == 0x0A { return false }; k += 1 }
        return true
    }

    /// Whether a name of an SSN ends just before the number at `s`, with at most four of
    /// `" ' : = # / `, spaces and tabs between: `SS#`, `ssn`, names starting with `ssn` or `social`
    /// (`"social_security_number": "078051120"`, `socialSecurityNo=`, `SSN_full:`) and names
    /// ending in a separated `ssn` (`applicant_ssn`). Reads at
    /// most 40 bytes back; called only for 9-digit runs and 3-digit groups.
    func ssnNameBefore(_ s: Int) -> Bool {
        var k = s - 1
        while k >= 0 && s - k <= 5 {
            let c = p[k]
            guard c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") || c == UInt8(ascii: ":") || c == UInt8(ascii: "=")
                    || c == UInt8(ascii: "#") || c == UInt8(ascii: "/") || c == UInt8(ascii: " ") || c == 0x09 else { break }
            k -= 1
        }
        let we = k + 1
        while k >= 0 && we - k <= 34 && (Bytes.isLetter(p[k]) || p[k] == UInt8(ascii: "_") || p[k] == UInt8(ascii: "-")) { k -= 1 }
        let ws = k + 1
        guard we > ws, we - ws <= 33, !(k >= 0 && (Bytes.isAlnum(p[k]) || p[k] == UInt8(ascii: "."))) else { return false }
        if we - ws == 2 { return hasIgnoringCase(ws, "ss") && at(we) == UInt8(ascii: "#") }
        // `social` only with `sec…` after it (`social_media_id` is something else).
        // Also names ending in a separated `ssn` (`applicant_ssn`, `employee-ssn`, `spouseSsn`).
        let endsInSSN = we - ws >= 5 && hasIgnoringCase(we - 3, "ssn")
            && (p[we - 4] == UInt8(ascii: "_") || p[we - 4] == UInt8(ascii: "-") || (p[we - 3] == UInt8(ascii: "S") && Bytes.isLower(p[we - 4])))
        return hasIgnoringCase(ws, "ssn") || endsInSSN
            || (hasIgnoringCase(ws, "social") && (hasIgnoringCase(ws + 6, "sec") || hasIgnoringCase(ws + 7, "sec")))
    }

    // MARK: - IPv4

    /// Four dotted decimal octets 0–255 without leading zeros, not part of a longer dotted
    /// number and not right after a version word (`version 1.2.3.4`). A `:port` may follow.
    /// Whether the dotted quad `s..<e` is a netmask: its 32 bits are ones then at least one zero.
    func isNetmask(_ s: Int, _ e: Int) -> Bool {
        var value: UInt32 = 0, octet: UInt32 = 0
        for k in s..<e {
            if p[k] == UInt8(ascii: ".") { value = value << 8 | octet; octet = 0 } else { octet = octet * 10 + UInt32(p[k] - 48) }
        }
        value = value << 8 | octet
        let inverted = ~value
        return inverted != 0 && inverted & (inverted &+ 1) == 0  // (255.255.255.255 is the broadcast address)
    }

    // `mutating` only so the scanner is passed by reference: called from the mutating scan, a
    // non-mutating method gets a copy of the whole scanner (hundreds of bytes) on each call.
    mutating func ipv4(_ s: Int, _ r: Int) -> Int? {
        guard r - s <= 3, at(r) == UInt8(ascii: "."), let e = dottedOctetsEnd(s) else { return nil }
        let c = at(e)
        if Bytes.isAlnum(c) || c == UInt8(ascii: "_") { return nil }
        let prev = at(s - 1)
        if prev == UInt8(ascii: ".") || ((prev == UInt8(ascii: "-")) && Bytes.isAlnum(at(s - 2))) { return nil }
        if s - versionWordEnd <= 3 { return nil }
        // A netmask (`255.255.255.0`, `255.255.240.0`): contiguous one bits from the top, no host.
        if r - s == 3 && has(s, "255."), isNetmask(s, e) { return nil }
        // The value of a version key (`"Version": "4.9.6.36"`, `version = '1.2.3.4'`).
        if s - versionWordEnd <= 6 {
            var keyValue = true
            for k in versionWordEnd..<s where !(p[k] == UInt8(ascii: " ") || p[k] == UInt8(ascii: ":") || p[k] == UInt8(ascii: "=")
                                                 || p[k] == UInt8(ascii: "\"") || p[k] == UInt8(ascii: "'")) { keyValue = false; break }
            if keyValue { return nil }
        }
        // A product version in a User-Agent (`Chrome/120.0.0.0`, `Edg/125.0.0.0`, `agent/3.2.1.0`):
        // after a product token and `/`, a dotted quad ending in `.0`.
        if prev == UInt8(ascii: "/") && p[e - 1] == UInt8(ascii: "0") && p[e - 2] == UInt8(ascii: ".") && productTokenBefore(s - 1) { return nil }
        // A range of addresses, `10.0.0.1-10.0.0.254`: both ends (the second is found here: after
        // a dash and a digit it would count as glued).
        if c == UInt8(ascii: "-") && Bytes.isDigit(at(e + 1)), let e2 = dottedQuadEnd(e + 1) {
            emit(e + 1, e2, .ipAddress)
            return e
        }
        if (c == UInt8(ascii: ".") || c == UInt8(ascii: "-")) && Bytes.isAlnum(at(e + 1)) { return nil }
        return e
    }

    /// Whether a product token of a User-Agent ends just before the `/` at `j`: a letter, then
    /// letters, digits, `-`, `_` or `.` (`Chrome`, `Edg`, `anthropic-typescript`), standing after
    /// a space, `(`, `;`, `,`, `=`, a quote or the start — not a path segment or a host in a URL.
    /// Reads at most 40 bytes back.
    func productTokenBefore(_ j: Int) -> Bool {
        var k = j - 1
        var letters = 0
        while k >= 0 && j - k <= 40 {
            let c = p[k]
            if Bytes.isLetter(c) { letters += 1 } else if !(Bytes.isDigit(c) || c == UInt8(ascii: "-") || c == UInt8(ascii: "_") || c == UInt8(ascii: ".")) { break }
            k -= 1
        }
        guard letters >= 2, k < j - 1, Bytes.isLetter(p[k + 1]) else { return false }
        if k < 0 { return true }
        let c = p[k]
        return c == UInt8(ascii: " ") || c == UInt8(ascii: "(") || c == UInt8(ascii: ";") || c == UInt8(ascii: ",") || c == UInt8(ascii: "=")
            || c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\n")
    }

    /// The end of four dotted octets (0–255, no leading zeros) at `s` standing alone on the
    /// right, or nil.
    func dottedQuadEnd(_ s: Int) -> Int? {
        guard let pos = dottedOctetsEnd(s) else { return nil }
        let c = at(pos)
        if Bytes.isAlnum(c) || c == UInt8(ascii: "_") || ((c == UInt8(ascii: ".") || c == UInt8(ascii: "-")) && Bytes.isAlnum(at(pos + 1))) { return nil }
        return pos
    }

    /// The end of four dotted decimal octets (0–255, no leading zeros) starting at `s`, or nil.
    func dottedOctetsEnd(_ s: Int) -> Int? {
        var pos = s
        for octet in 0..<4 {
            let os = pos
            var value = 0
            while Bytes.isDigit(at(pos)) && pos - os < 4 { value = value * 10 + Int(p[pos]) - 48; pos += 1 }
            let len = pos - os
            guard len >= 1 && len <= 3, value <= 255, !(len > 1 && p[os] == UInt8(ascii: "0")) else { return nil }
            if octet < 3 {
                guard at(pos) == UInt8(ascii: ".") else { return nil }
                pos += 1
            }
        }
        return pos
    }

    // MARK: - Telephone numbers

    /// E.164 (`+` country code, 8–15 digits in any grouping) and national formats:
    /// trunk-prefixed (`0…`: UK, DE, FR, JP, IN; 9–12 digits in at least two groups),
    /// NANP (`415-555-2671`, `(415) 555-2671`, `1-800-555-0199`), Indian mobile `98765 43210`,
    /// and `00` international. Ungrouped or short national numbers count only after a phone word
    /// (`call`, `tel`, `mobile`…), which keeps epoch seconds, order numbers and dates out.
    // `mutating` only so the scanner is passed by reference: called from the mutating scan, a
    // non-mutating method gets a copy of the whole scanner (hundreds of bytes) on each call.
    mutating func phone(_ start: Int, leftChecked: Bool = false, encodedPlus: Bool = false, csvCell: Bool = false) -> Int? {
        // Two numbers joined by " / " or " - " ("415-555-2671 / 415-555-2672") read as one
        // chain of groups, which is too long for any shape: then the chain is cut at its last
        // " / " or " - " and the part before it tried again (at most once per group, each
        // attempt reading the same bounded window); the scan then finds the second number.
        var stopAt = Int.max
        while true {
            var cut = -1
            if let end = phoneShape(start, leftChecked: leftChecked, encodedPlus: encodedPlus, csvCell: csvCell, stopAt: stopAt, cut: &cut) {
                return end
            }
            guard cut > start else { return nil }
            stopAt = cut
        }
    }

    /// One attempt of `phone`: the groups from `start`, ending at `stopAt` at the latest (a group
    /// end where a " / " or " - " separator follows). `cut` receives the last such group end
    /// before the chain ended.
    mutating func phoneShape(_ start: Int, leftChecked: Bool, encodedPlus: Bool = false, csvCell: Bool = false, stopAt: Int, cut: inout Int) -> Int? {
        var pos = start
        var plus = false
        // "(+34) 612 345 678": the country code in parentheses is the first (parenthesised) group.
        var plusInParentheses = false
        if p[pos] == UInt8(ascii: "+") { plus = true; pos += 1 } else if encodedPlus { plus = true; pos += 3 }  // "%2B"
        else if p[pos] == UInt8(ascii: "(") && at(pos + 1) == UInt8(ascii: "+") { plus = true; plusInParentheses = true; pos += 2 }
        // `(415) 555-2671` may start a CSV cell after a word (`Jane Doe,(415) 555-2671`).
        if !plus && !leftChecked && !numberLeftOK(start)
            && !(p[start] == UInt8(ascii: "(") && at(start - 1) == UInt8(ascii: ",") && !Bytes.isDigit(at(start - 2))) { return nil }
        var groups = Groups()
        var parenGroup = -1
        var firstDigit = -1
        var end = pos
        var spaceOrDashOnly = true
        // Groups so far joined by `-` or `.` only: a single space after them may separate two
        // numbers (`415-555-0132 415-555-0199`), a cut like " / ".
        var joinedWithoutSpaces = true
        while true {
            var open = false
            if at(pos) == UInt8(ascii: "(") { open = true; pos += 1 } else if plusInParentheses && groups.count == 0 { open = true }
            let gs = pos
            // One group holds at most 12 digits; a compact international number up to the 15
            // digits of E.164 (`+4915124360031`, `+8613812345678`).
            let groupLimit = groups.count == 0 && ((plus && !plusInParentheses) || (p[gs] == UInt8(ascii: "0") && at(gs + 1) == UInt8(ascii: "0"))) ? 15 : 12
            while pos < n && Bytes.isDigit(p[pos]) {
                pos += 1
                if pos - gs > groupLimit { return nil }
            }
            let len = pos - gs
            if len == 0 { return nil }
            if firstDigit < 0 { firstDigit = gs }
            if open {
                guard at(pos) == UInt8(ascii: ")"), parenGroup < 0 else { return nil }
                pos += 1
                parenGroup = groups.count
            }
            groups.append(len)
            end = pos
            if groups.total > 15 || groups.count > 7 { return nil }
            if pos == stopAt { break }
            let c = at(pos)
            var next = pos
            if c == UInt8(ascii: " ") || c == UInt8(ascii: "-") || c == UInt8(ascii: ".") || c == UInt8(ascii: "/") {
                next = pos + 1
                // " - " and " / " between groups.
                if c == UInt8(ascii: " ") && (at(next) == UInt8(ascii: "-") || at(next) == UInt8(ascii: "/")) && at(next + 1) == UInt8(ascii: " ") {
                    next += 2
                    if Bytes.isDigit(at(next)) { cut = pos }
                } else if c == UInt8(ascii: " ") {
                    if joinedWithoutSpaces && groups.count >= 3 && Bytes.isDigit(at(next)) { cut = pos }
                    joinedWithoutSpaces = false
                }
            } else if (open && Bytes.isDigit(c)) || (c == UInt8(ascii: "(") && parenGroup < 0) {
                next = pos  // "(415)555-2671", "+44(0)20 …"
            } else if encodedPlus && (c == UInt8(ascii: "+") || (c == UInt8(ascii: "%") && at(pos + 1) == UInt8(ascii: "2") && at(pos + 2) == UInt8(ascii: "0"))) {
                // URL-encoded spaces in a query string: `%2B1+415+555+2671`, `%2B44%2020%207946%200958`.
                next = c == UInt8(ascii: "+") ? pos + 1 : pos + 3
            } else {
                break
            }
            let d = at(next)
            if Bytes.isDigit(d) || (d == UInt8(ascii: "(") && parenGroup < 0 && Bytes.isDigit(at(next + 1))) {
                if c == UInt8(ascii: ".") || c == UInt8(ascii: "/") || at(pos + 1) == UInt8(ascii: "/") { spaceOrDashOnly = false }
                pos = next
                continue
            }
            break
        }
        // An extension glued to the number ("555-123-4567x890", "…ext12") stays outside the span.
        var extensionOK = false
        if at(end) == UInt8(ascii: "x") && Bytes.isDigit(at(end + 1)) {
            extensionOK = true
        } else if hasIgnoringCase(end, "ext") && (Bytes.isDigit(at(end + 3)) || at(end + 3) == UInt8(ascii: ".")) {
            extensionOK = true
        }
        // The next CSV cell may be a number (`…,+14155552671,42`, `…,415-555-2671,0231`): a
        // grouped number, or an international one of 10+ digits, is no thousands or decimal part.
        // (Not an amount with thousands groups and a decimal comma, `+12 345 678,90`.)
        var nextCell = at(end) == UInt8(ascii: ",") && Bytes.isDigit(at(end + 1)) && (groups.count >= 2 || (plus && groups.total >= 10))
        if nextCell && groups.count >= 2 && groups.total < 10 && groups[0] <= 3 {
            var thousands = true
            for g in 1..<groups.count where groups[g] != 3 { thousands = false; break }
            if thousands { nextCell = false }
        }
        guard extensionOK || nextCell || numberRightOK(end) else { return nil }
        // A CSV cell after a word: a grouped number ending the cell or the line.
        if csvCell {
            let c = at(end)
            guard groups.count >= 2, end >= n || c == UInt8(ascii: ",") || c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r")
                    || c == UInt8(ascii: "\\") || c == UInt8(ascii: "\"") else { return nil }
        }
        // A part number or SKU ("0412-345-678-A"): a dash and a letter or digit glued to the end.
        if at(end) == UInt8(ascii: "-") && Bytes.isAlnum(at(end + 1)) { return nil }
        if !spaceOrDashOnly && groups.count == 4 && parenGroup < 0 && groups[0] <= 3 && groups[1] <= 3 && groups[2] <= 3 && groups[3] <= 3 {
            var dotsOnly = true
            for k in start..<end where !Bytes.isDigit(p[k]) && p[k] != UInt8(ascii: ".") { dotsOnly = false; break }
            if dotsOnly { return nil }  // dotted quad: an IPv4 address or a version, never a phone
        }
        let d0 = p[firstDigit]
        let d1 = at(firstDigit + 1)
        if plus {
            guard d0 != UInt8(ascii: "0") else { return nil }
            var effective = groups.total
            if parenGroup > 0 && groups[parenGroup] == 1 { effective -= 1 }  // the "(0)" trunk in +44 (0)20 …
            return effective >= 8 && effective <= 15 ? end : nil
        }
        let dateLike = groups.count == 3 && groups.total == 8 && (groups.equals(4, 2, 2) || groups.equals(2, 2, 4))
        if dateLike { return nil }
        // The shape of a US SSN (`062-00-9624`): one that failed the SSN rules is no phone number either.
        if groups.equals(3, 2, 4) && parenGroup < 0 && at(firstDigit + 3) == UInt8(ascii: "-") && at(firstDigit + 6) == UInt8(ascii: "-") { return nil }
        if d0 == UInt8(ascii: "0") {
            if d1 == UInt8(ascii: "0") {
                // `00` and the country code: grouped, or ungrouped right after a phone word or key
                // (`Home phone: 0017025550176`).
                if groups.count >= 2 && groups.total - 2 >= 8 { return end }
                return groups.count == 1 && parenGroup < 0 && groups.total - 2 >= 8 && groups.total <= 15
                    && (rightAfterPhoneWord(start) || afterPhoneKey(start)) ? end : nil
            }
            if groups.count >= 2 && groups.total >= 9 && groups.total <= 12 {
                var minLen = 99
                for g in 0..<groups.count where g != parenGroup { minLen = min(minLen, groups[g]) }
                if minLen >= 2 { return end }
            }
            if phoneContextAccepts(groups, parenGroup, start, end) { return end }
            // Ungrouped national number with a trunk zero ("02079460958", "09876543210"); not
            // right after "ISBN" (ISBN-10s may start with 0).
            if groups.count == 1 && parenGroup < 0 && (groups.total == 10 || groups.total == 11) && start - isbnContextEnd > 12
                && !afterIdentifierWord(start) { return end }
            return nil
        }
        // Russia, trunk 8: "8 (495) 123-45-67", "8 800 555-35-35", "8-916-123-45-67".
        if d0 == UInt8(ascii: "8") && groups.count == 5 && groups[0] == 1 && groups[1] == 3 && groups[2] == 3 && groups[3] == 2
            && groups[4] == 2 && spaceOrDashOnly && (parenGroup < 0 || parenGroup == 1) {
            return end
        }
        // Brazil: "(11) 91234-5678", "(11) 3456-7890": a two-digit area code in parentheses, then
        // 4 or 5 digits (a mobile's 5 start with 9), `-` and 4.
        if parenGroup == 0 && groups.count == 3 && groups[0] == 2 && groups[2] == 4 && at(end - 5) == UInt8(ascii: "-")
            && (groups[1] == 4 || (groups[1] == 5 && p[end - 10] == UInt8(ascii: "9"))) {
            return end
        }
        // China mobile numbers, 1[3-9] and 9 more digits, right after 电话, 手机, 联系…
        if d0 == UInt8(ascii: "1") && d1 >= UInt8(ascii: "3") && groups.total == 11 && parenGroup < 0
            && (groups.count == 1 || groups.equals(3, 4, 4)) && spaceOrDashOnly && afterChinesePhoneWord(start) {
            return end
        }
        if groups.equals(3, 3, 4) { return end }
        // Australian local-rate and free-call numbers: "1300 123 456", "1800 801 920".
        if groups.equals(4, 3, 3) && at(start + 4) == UInt8(ascii: " ") && at(start + 8) == UInt8(ascii: " ")
            && (has(start, "1300") || has(start, "1800")) { return end }
        if groups.equals(1, 3, 3, 4) && d0 == UInt8(ascii: "1") { return end }
        if groups.equals(5, 5) && d0 >= UInt8(ascii: "6") && spaceOrDashOnly { return end }
        if phoneContextAccepts(groups, parenGroup, start, end) { return end }
        return nil
    }

    /// Whether a phone word or key vouches for the number `start..<end` (`groups`): a phone word
    /// within 40 bytes, or a phone-ish key right before it (`afterPhoneKey`), allows a looser
    /// shape (`contextShapeOK`); a phone word or key right before it (`phone: 612345678`,
    /// `"phone_number": "4155552671"`) also an ungrouped 8–15 digits. The key is looked up only
    /// when the shape alone does not decide.
    func phoneContextAccepts(_ groups: Groups, _ parenGroup: Int, _ start: Int, _ end: Int) -> Bool {
        if groups.count == 1 && parenGroup < 0 && groups.total >= 8 && groups.total <= 15
            && (rightAfterPhoneWord(start) || afterPhoneKey(start) || phoneSymbolBefore(start)) { return true }
        guard contextShapeOK(groups, start, end) else { return false }
        return start - phoneContextEnd <= 40 || afterPhoneKey(start) || phoneSymbolBefore(start)
    }

    /// Whether a telephone symbol stands right before `start` (blanks and a `:` between): ☎ ☏ ✆
    /// 📞 📱 (U+260E, U+260F, U+2706, U+1F4DE, U+1F4F1), perhaps with the variation selector U+FE0F.
    func phoneSymbolBefore(_ start: Int) -> Bool {
        var k = start
        while k > 0 && start - k < 4 && (p[k - 1] == UInt8(ascii: " ") || p[k - 1] == UInt8(ascii: ":") || p[k - 1] == 0x09) { k -= 1 }
        if has(k - 3, "\u{FE0F}") { k -= 3 }
        return has(k - 3, "\u{260E}") || has(k - 3, "\u{260F}") || has(k - 3, "\u{2706}") || has(k - 4, "\u{1F4DE}") || has(k - 4, "\u{1F4F1}")
    }

    /// Whether only key-value punctuation stands between the last phone word and `start`: at
    /// most six of `` :="'\.#`` and spaces (`phone: `, `Tel.: `, `phone\":\"` in JSON logged
    /// inside a string), or up to two short connecting words (`call me at `, `Llámame al `,
    /// `mi teléfono es `, `Liguem para `, `bel me op `).
    @inline(__always) func rightAfterPhoneWord(_ start: Int) -> Bool {
        let gap = start - phoneContextEnd
        guard gap >= 0 && gap <= 16 else { return false }
        var k = phoneContextEnd, words = 0
        while k < start {
            if Self.isKeyValuePunctuation(p[k]) { k += 1; continue }
            var e = k
            while e < start && Bytes.isLetter(p[e]) { e += 1 }
            guard e > k, words < 2, isConnectingWord(k, e - k) else { return false }
            words += 1
            k = e
        }
        return gap <= 6 || words > 0
    }

    /// Whether the `length` letters at `k` are a word that connects a phone word to its number
    /// ("at", "to", "al", "es", "para"…).
    func isConnectingWord(_ k: Int, _ length: Int) -> Bool {
        switch length {
        case 1: return Bytes.lower(p[k]) == UInt8(ascii: "a")
        case 2:
            for word in ["at", "to", "on", "al", "au", "me", "no", "na", "el", "en", "op", "is", "es", "am", "us", "em"] as [StaticString]
            where hasIgnoringCase(k, word) { return true }
            return false
        case 3: return hasIgnoringCase(k, "ist") || hasIgnoringCase(k, "est") || hasIgnoringCase(k, "pra") || hasIgnoringCase(k, "via")
            || hasIgnoringCase(k, "mim") || hasIgnoringCase(k, "nos") || hasIgnoringCase(k, "per")
        case 4: return hasIgnoringCase(k, "para") || hasIgnoringCase(k, "pelo")
        case 5: return hasIgnoringCase(k, "unter")
        default: return false
        }
    }

    @inline(__always) static func isKeyValuePunctuation(_ c: UInt8) -> Bool {
        c == UInt8(ascii: " ") || c == UInt8(ascii: ":") || c == UInt8(ascii: "=") || c == UInt8(ascii: "\"") || c == UInt8(ascii: "'")
            || c == UInt8(ascii: "\\") || c == UInt8(ascii: ".") || c == UInt8(ascii: "#") || c == 0x09
    }

    /// Whether the number at `start` is the value of a key naming a phone number: an identifier
    /// (letters, digits, `_`, `-`, up to 40 bytes) with at most six of `` :="'\`` between, one of
    /// whose parts (split at `_`, `-` and lower-to-upper case changes) is `phone`, `phones`,
    /// `telephone`, `mobile`, `cellphone`, `whatsapp`, `fax`, `msisdn`, `telefon`, `telefono`, or
    /// `cell`, `tel`, `contact`, `sms` with a part `number`, `no`, `num` or `nr` (`phone_number`,
    /// `phoneNumber`, `home_phone`, `mobilePhone`, `whatsapp_number`, `contact_no`), and none is
    /// `id`, `ids`, `count`, `type`, `ext`, `extension`, `hash`, `verified` or `code`. Reads at most
    /// 46 bytes back.
    func afterPhoneKey(_ start: Int) -> Bool {
        var k = start
        while start - k < 6, k > 0, Self.isKeyValuePunctuation(p[k - 1]) && p[k - 1] != UInt8(ascii: ".") && p[k - 1] != UInt8(ascii: "#") { k -= 1 }
        guard k < start else { return false }
        var w = k
        while w > 0 && k - w < 40 && (Bytes.isAlnum(p[w - 1]) || p[w - 1] == UInt8(ascii: "_") || p[w - 1] == UInt8(ascii: "-")) { w -= 1 }
        guard k - w >= 3, !(w > 0 && (Bytes.isAlnum(p[w - 1]) || p[w - 1] == UInt8(ascii: "_"))) else { return false }
        var strong = false, weak = false, number = false
        var s = w
        var j = w
        while j <= k {
            let separator = j < k && (p[j] == UInt8(ascii: "_") || p[j] == UInt8(ascii: "-"))
            let caseChange = j < k && j > s && Bytes.isUpper(p[j]) && Bytes.isLower(p[j - 1])
            if j == k || separator || caseChange {
                let len = j - s
                if len > 0 {
                    func part(_ word: StaticString) -> Bool { len == word.utf8CodeUnitCount && hasIgnoringCase(s, word) }
                    if part("phone") || part("phones") || part("telephone") || part("mobile") || part("cellphone") || part("whatsapp")
                        || part("fax") || part("msisdn") || part("telefon") || part("telefono") {
                        strong = true
                    } else if part("cell") || part("tel") || part("contact") || part("sms") {
                        weak = true
                    } else if part("number") || part("no") || part("num") || part("nr") {
                        number = true
                    } else if part("id") || part("ids") || part("count") || part("type") || part("ext") || part("extension")
                                || part("hash") || part("verified") || part("code") {
                        return false  // about a phone number, not one: `phone_id`, `phone_count`, `phone_ext`
                    }
                }
                s = separator ? j + 1 : j
            }
            j += 1
        }
        return strong || (weak && number)
    }

    /// Whether `start` follows a Chinese phone word (电话, 手机, 手机号, 联系, 号码, 電話, 手機, 拨打 "dial", 致电 "call"),
    /// then optionally spaces and a colon (`:` or `：`) or a copula (是, 为, 為). Reads at most 30
    /// bytes back.
    func afterChinesePhoneWord(_ start: Int) -> Bool {
        var k = start
        while at(k - 1) == UInt8(ascii: " ") && start - k < 3 { k -= 1 }
        if at(k - 1) == UInt8(ascii: ":") { k -= 1 } else if has(k - 3, "：") { k -= 3 }
        while at(k - 1) == UInt8(ascii: " ") && start - k < 8 { k -= 1 }
        // A copula between: 我的手机号是138…, 联系电话为138….
        if has(k - 3, "是") || has(k - 3, "为") || has(k - 3, "為") {
            k -= 3
            while at(k - 1) == UInt8(ascii: " ") && start - k < 12 { k -= 1 }
        }
        for word in ["电话", "手机", "手机号", "联系", "号码", "電話", "手機", "號碼", "拨打", "撥打", "致电", "致電"] as [StaticString]
        where has(k - word.utf8CodeUnitCount, word) {
            return true
        }
        return false
    }

    /// Whether the number at `start` follows the name of an identifier — `id` as a word or at the
    /// end of one (`customer id`, `user_id=`, `customerId:`), `account`, `acct`, `order`, `invoice`,
    /// `ticket`, `case`, `ref` — with at most four of ` : = # " '` between (`customer id 0976299298`
    /// is an id, not an ungrouped phone number; a caller id is a number). Reads at most 24 bytes back.
    func afterIdentifierWord(_ start: Int) -> Bool {
        var k = start
        while start - k < 4, k > 0, let c = Optional(p[k - 1]), c == UInt8(ascii: " ") || c == UInt8(ascii: ":") || c == UInt8(ascii: "=")
                || c == UInt8(ascii: "#") || c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") { k -= 1 }
        var w = k
        while w > 0 && k - w < 12 && Bytes.isLetter(p[w - 1]) { w -= 1 }
        let len = k - w
        guard len >= 2, !(w > 0 && Bytes.isLetter(p[w - 1])) else { return false }
        if Bytes.lower(p[k - 2]) == UInt8(ascii: "i") && Bytes.lower(p[k - 1]) == UInt8(ascii: "d")
            && (len == 2 || (Bytes.isUpper(p[k - 2]) && Bytes.isLower(p[k - 3]))) {
            // A caller id is a telephone number (`Caller ID: 02079460958`, `callerId=…`).
            return !(hasIgnoringCase(w, "caller") || hasIgnoringCase(w - 7, "caller"))
        }
        switch len {
        case 3: return hasIgnoringCase(w, "ref")
        case 4: return hasIgnoringCase(w, "acct") || hasIgnoringCase(w, "case")
        case 5: return hasIgnoringCase(w, "order")
        case 6: return hasIgnoringCase(w, "ticket")
        case 7: return hasIgnoringCase(w, "account") || hasIgnoringCase(w, "invoice")
        default: return false
        }
    }

    /// After a phone word, a looser shape is enough: 7+ digits, grouped or at least 10 long,
    /// the last group 3+ digits (or the Spanish 3-2-2-2, "612 34 56 78"), and not a
    /// decimal amount ("Tel Aviv | 15423.71").
    func contextShapeOK(_ groups: Groups, _ start: Int, _ end: Int) -> Bool {
        // Numbers ending in pairs: Spanish mobiles `612 34 56 78`; Spanish and Polish landlines
        // `91 234 56 78`, `22 122 51 35`; Turkish `0 (212) 529 93 10` (a phone word vouches).
        var pairs = groups.equals(3, 2, 2, 2)
        if !pairs && groups.count >= 4 && groups[groups.count - 1] == 2 && groups[groups.count - 2] == 2 && groups.total >= 8 && groups.total <= 12 {
            // (The first group has at most three digits: `2024 10 01 12` is a date and time.)
            pairs = groups[0] <= 3
            for g in 0..<(groups.count - 2) where groups[g] < 1 || groups[g] > 4 { pairs = false; break }
        }
        guard groups.total >= 7, groups.count >= 2 || groups.total >= 10, groups[groups.count - 1] >= 3 || pairs else { return false }
        // A count with spaces between thousands ("sells 1 300 000 copies", "12 345 678").
        if groups.count >= 3 && groups[0] <= 2 {
            var thousands = true
            for g in 1..<groups.count where groups[g] != 3 { thousands = false; break }
            if thousands {
                for k in start..<end where !Bytes.isDigit(p[k]) && p[k] != UInt8(ascii: " ") { thousands = false; break }
            }
            if thousands { return false }
        }
        if groups.count == 2 {
            for k in start..<end where p[k] == UInt8(ascii: ".") { return false }
            // A range of years ("1820-1850", "2019 - 2024").
            if groups[0] == 4 && groups[1] == 4 && (p[start] == UInt8(ascii: "1") || p[start] == UInt8(ascii: "2")) {
                var a = 0, b = 0
                for k in start..<(start + 4) { a = a * 10 + Int(p[k]) - 48 }
                for k in (end - 4)..<end { b = b * 10 + Int(p[k]) - 48 }
                if a >= 1000 && a <= 2099 && b >= a && b <= 2099 { return false }
            }
        }
        return true
    }
}
