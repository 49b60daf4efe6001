#if canImport(Glibc)
import Glibc
#endif

/// Columns of tables whose header names them: CSV (`,` or `;`), TSV, and pipe tables (Markdown,
/// SQL clients' ASCII output). A cell under a header such as `phone`, `Mobile #`, `SSN`,
/// `Soc Sec No` or `password` is read as that value, formatted or not (`0160190647`,
/// `402342941`, `Rocket1976!`): the header is the label the main pass would want next to it.
/// A row of two cells whose first cell is such a name (`| Temporary VPN password | X |`) reads
/// its second cell the same way.
///
/// Linear: one pass over the lines. A line that is no table row costs at most the bytes up to
/// its first cell longer than `maxNameLength` (or its end); rows of an open table are split once.
extension TextScanner {
    /// What a column's cells hold.
    enum ColumnKind: UInt8 {
        case phone, ssn, secret
    }

    /// Longest header cell taken as a column name, in bytes.
    static let maxNameLength = 40
    /// Most cells in a header or row.
    static let maxCells = 64

    /// A cell of a row: its trimmed content (quotes excluded).
    struct Cell {
        var start: Int
        var end: Int
    }

    /// Whether a part of the word `w[0..<length]` (ASCII, 2–40 bytes) starts like a column name
    /// `columnKind` knows: `phone`, `mobil`, `tel`, `tlf`, `cel`, `fax`, `handy`, `ssn`, `soc`,
    /// `pass`, `pwd`, `pw`, `secret`, `token`, `key`. Cheap: most words fail at their first byte.
    static func mayNameColumn(_ w: UnsafePointer<UInt8>, _ length: Int) -> Bool {
        // Only where a part of the name starts: the word's start, after `_` or `-`, or at a
        // lower-to-upper case change (`phone_number`, `homePhone`; not `hotel`, `cancel`).
        if namePartStarts(w, 0, length) { return true }
        var k = 1
        while k < length - 1 {
            let c = w[k]
            if c == UInt8(ascii: "_") || c == UInt8(ascii: "-") {
                if namePartStarts(w, k + 1, length) { return true }
            } else if Bytes.isUpper(c) && Bytes.isLower(w[k - 1]) {
                if namePartStarts(w, k, length) { return true }
            }
            k += 1
        }
        return false
    }

    /// Whether a column-name part (`mayNameColumn`) starts at `w[k]`.
    @inline(__always) private static func namePartStarts(_ w: UnsafePointer<UInt8>, _ k: Int, _ length: Int) -> Bool {
        @inline(__always) func has(_ literal: StaticString) -> Bool {
            let m = literal.utf8CodeUnitCount
            guard k + m <= length else { return false }
            for x in 0..<m where Bytes.lower(w[k + x]) != literal.utf8Start[x] { return false }
            return true
        }
        switch w[k] | 0x20 {
        case UInt8(ascii: "p"): return has("phone") || has("pass") || has("pwd") || (length == 2 && has("pw"))
        case UInt8(ascii: "m"): return has("mobil") || has("msisdn")
        case UInt8(ascii: "t"): return has("tel") || has("tlf") || has("token")
        case UInt8(ascii: "c"): return has("cel")
        case UInt8(ascii: "f"): return has("fax")
        case UInt8(ascii: "h"): return has("handy")
        case UInt8(ascii: "s"): return has("ssn") || has("soc") || has("secret")
        case UInt8(ascii: "k"): return has("key")
        case UInt8(ascii: "w"): return has("whatsapp")
        default: return false
        }
    }

    /// Runs the table pass over the whole text (called after the main loop when the text has
    /// more than one line and a word that may name a column).
    mutating func tableColumns() {
        var columns: [(index: Int, kind: ColumnKind)] = []
        var delimiter: UInt8 = 0
        var width = 0
        var cells: [Cell] = []
        var lineStart = 0
        // A header names a column with a word `mayNameColumn` accepts: only lines holding one of
        // `columnWords` are tried as headers (most lines of most texts are not).
        for k in columnWords.indices.dropFirst() where columnWords[k] < columnWords[k - 1] {
            columnWords.sort()
            break
        }
        var nextColumnWord = 0
        while lineStart < n {
            let lineEnd = nextLineEnd(lineStart)
            defer { lineStart = lineEnd + 1 }
            if !columns.isEmpty {
                if isRuleLine(lineStart, lineEnd) { continue }
                if splitRow(lineStart, lineEnd, delimiter: delimiter, into: &cells), rowFits(cells, width: width, delimiter: delimiter) {
                    for column in columns { readCell(cells[column.index], as: column.kind) }
                    continue
                }
                columns.removeAll(keepingCapacity: true)
            }
            while nextColumnWord < columnWords.count && columnWords[nextColumnWord] < lineStart { nextColumnWord += 1 }
            guard nextColumnWord < columnWords.count else {
                // No header can follow: the table pass is done.
                return
            }
            guard columnWords[nextColumnWord] < lineEnd, let d = headerDelimiter(lineStart, lineEnd),
                  splitRow(lineStart, lineEnd, delimiter: d, into: &cells, namesOnly: true), cells.count >= 2 else { continue }
            let prose = d == UInt8(ascii: ",") || d == UInt8(ascii: ";")
            if cells.count == 2 && !prose, let kind = columnKind(cells[0]) {
                // A label cell and its value in a table (`| SSN | 402-34-2941 |`, `Password<TAB>X`);
                // not after a comma ("Here is my private key, is it RSA?").
                readCell(cells[1], as: kind)
                continue
            }
            // A CSV header has at least three names of at most four words each.
            if prose && cells.count < 3 { continue }
            var found: [(index: Int, kind: ColumnKind)] = []
            for (index, cell) in cells.enumerated() {
                guard cell.end - cell.start <= Self.maxNameLength, hasLetter(cell), !prose || words(cell) <= 4 else { found = []; break }
                if let kind = columnKind(cell) { found.append((index, kind)) }
            }
            if !found.isEmpty {
                columns = found
                delimiter = d
                width = cells.count
            }
        }
    }

    /// Whether a row split into `cells` belongs to a table of `width` columns: as many cells, or
    /// one more that is empty (the `,` ending a row of an SQL `INSERT … VALUES` list), or, in a
    /// CSV table, up to four more (dates and amounts with unquoted commas, `Sep 28, 2021`, in
    /// later cells: the cells are read from the left, and each must still fit its column's shape).
    func rowFits(_ cells: [Cell], width: Int, delimiter: UInt8) -> Bool {
        if cells.count == width { return true }
        if cells.count == width + 1 && cells[width].start == cells[width].end { return true }
        return delimiter == UInt8(ascii: ",") && cells.count > width && cells.count <= width + 4
    }

    /// End of the line starting at `from` (the `\n`, or `n`).
    @inline(__always) func nextLineEnd(_ from: Int) -> Int {
        guard from < n, let found = memchr(p + from, 0x0A, n - from) else { return n }
        return UnsafeRawPointer(p).distance(to: UnsafeRawPointer(found))
    }

    /// A Markdown separator (`|---|:--:|`) or an ASCII border (`+----+-----+`) between rows.
    func isRuleLine(_ s: Int, _ e: Int) -> Bool {
        var dashes = 0
        for k in s..<e {
            switch p[k] {
            case UInt8(ascii: "-"), UInt8(ascii: "="): dashes += 1
            case UInt8(ascii: "|"), UInt8(ascii: "+"), UInt8(ascii: ":"), UInt8(ascii: " "), 0x09, 0x0D: break
            default: return false
            }
        }
        return dashes >= 3
    }

    /// The delimiter of a line that may be a header: `|` when it starts with one (after blanks),
    /// else the first of tab, `;` and `,` met within the first cell (at most `maxNameLength`
    /// bytes in). Nil for lines that cannot be a header.
    func headerDelimiter(_ s: Int, _ e: Int) -> UInt8? {
        var k = s
        while k < e && (p[k] == UInt8(ascii: " ") || p[k] == 0x09) { k += 1 }
        if k < e && p[k] == UInt8(ascii: "|") { return UInt8(ascii: "|") }
        let limit = min(e, k + Self.maxNameLength + 3)
        while k < limit {
            switch p[k] {
            case 0x09, UInt8(ascii: ";"), UInt8(ascii: ","), UInt8(ascii: "|"): return p[k]
            default: k += 1
            }
        }
        return nil
    }

    /// Splits the line `s..<e` at `delimiter` into trimmed cells (pipe rows without their outer
    /// empty cells; CSV cells in double quotes with `""` inside). With `namesOnly`, gives up
    /// (false) at the first cell longer than `maxNameLength`, so a line of prose costs little.
    func splitRow(_ s: Int, _ e: Int, delimiter: UInt8, into cells: inout [Cell], namesOnly: Bool = false) -> Bool {
        cells.removeAll(keepingCapacity: true)
        var end = e
        if end > s && p[end - 1] == 0x0D { end -= 1 }
        var k = s
        let pipe = delimiter == UInt8(ascii: "|")
        if pipe {
            while k < end && (p[k] == UInt8(ascii: " ") || p[k] == 0x09) { k += 1 }
            // psql's output has no outer pipes (` 92673 | jane@x.io | 667 851 010`): then the
            // line needs one inside.
            if k < end && p[k] == UInt8(ascii: "|") {
                k += 1
                while end > k && (p[end - 1] == UInt8(ascii: " ") || p[end - 1] == 0x09) { end -= 1 }
                if end > k && p[end - 1] == UInt8(ascii: "|") { end -= 1 }
            } else if memchr(p + k, Int32(UInt8(ascii: "|")), end - k) == nil {
                return false
            }
        }
        while true {
            guard cells.count < Self.maxCells else { return false }
            var cs = k
            while cs < end && (p[cs] == UInt8(ascii: " ") || (p[cs] == 0x09 && delimiter != 0x09)) { cs += 1 }
            var cellEnd: Int
            var next: Int
            // A quoted cell: up to the closing quote (a doubled quote is one inside). Double
            // quotes in CSV; single quotes in SQL value lists (`('jane@x.io', '040-99022556'),`),
            // where a cell without its closing quote is read as unquoted (`'s-Hertogenbosch`).
            let quote = !pipe && cs < end && (p[cs] == UInt8(ascii: "\"") || p[cs] == UInt8(ascii: "'")) ? p[cs] : 0
            var closing = end
            if quote != 0 {
                var q = cs + 1
                while q < end {
                    if p[q] == quote {
                        if q + 1 < end && p[q + 1] == quote { q += 2; continue }
                        break
                    }
                    q += 1
                }
                closing = q
                if closing >= end && quote == UInt8(ascii: "\"") { return false }
            }
            if quote != 0 && closing < end {
                cellEnd = closing
                cs += 1
                next = closing + 1
                while next < end && p[next] != delimiter { next += 1 }
            } else {
                next = cs
                while next < end && p[next] != delimiter { next += 1 }
                cellEnd = next
            }
            while cellEnd > cs && (p[cellEnd - 1] == UInt8(ascii: " ") || p[cellEnd - 1] == 0x09) { cellEnd -= 1 }
            if namesOnly && cellEnd - cs > Self.maxNameLength { return false }
            cells.append(Cell(start: cs, end: cellEnd))
            if next >= end { break }
            k = next + 1
        }
        return true
    }

    /// Blank-separated words in a cell.
    func words(_ cell: Cell) -> Int {
        var count = 0
        var inWord = false
        for k in cell.start..<cell.end {
            let blank = p[k] == UInt8(ascii: " ") || p[k] == 0x09
            if !blank && !inWord { count += 1 }
            inWord = !blank
        }
        return count
    }

    @inline(__always) func hasLetter(_ cell: Cell) -> Bool {
        for k in cell.start..<cell.end where Bytes.isLetter(p[k]) || p[k] >= 0x80 { return true }
        return false
    }

    /// The kind of values a header cell names, or nil. Letters only, lower-cased, are compared:
    /// phone words (`phone`, `Phone Number`, `mobile_no`, `Tel.`, `Handynummer`, `teléfono`,
    /// `celular`, `fax`), SSN names (`SSN`, `SSN#`, `ssn_full`, `Soc Sec No`, `Social Security
    /// Number`), and credential names (`password`, `API key`, `client_secret`: `classifyKey`).
    func columnKind(_ cell: Cell) -> ColumnKind? {
        let length = cell.end - cell.start
        guard length >= 2, length <= Self.maxNameLength else { return nil }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.maxNameLength) { buffer -> ColumnKind? in
            // A name: letters, blanks and `_ - . # / ( ) &` (not JSON, not `key: value`).
            var m = 0
            for k in cell.start..<cell.end {
                let c = p[k]
                if Bytes.isLetter(c) || c >= 0x80 {
                    buffer[m] = Bytes.lower(c)
                    m += 1
                } else if !(c == UInt8(ascii: " ") || c == UInt8(ascii: "_") || c == UInt8(ascii: "-") || c == UInt8(ascii: ".")
                            || c == UInt8(ascii: "#") || c == UInt8(ascii: "/") || c == UInt8(ascii: "(") || c == UInt8(ascii: ")")
                            || c == UInt8(ascii: "&")) {
                    return nil
                }
            }
            guard m >= 2 else { return nil }
            let name = UnsafeBufferPointer(rebasing: buffer[0..<m])
            func has(_ word: StaticString) -> Bool {
                let l = word.utf8CodeUnitCount
                guard l <= m else { return false }
                let q = word.utf8Start
                outer: for s in 0...(m - l) {
                    for x in 0..<l where name[s + x] != q[x] { continue outer }
                    return true
                }
                return false
            }
            func starts(_ word: StaticString) -> Bool {
                let l = word.utf8CodeUnitCount
                guard l <= m else { return false }
                for x in 0..<l where name[x] != word.utf8Start[x] { return false }
                return true
            }
            func equals(_ word: StaticString) -> Bool { m == word.utf8CodeUnitCount && starts(word) }
            // Things about a value, not the value: `phone_type`, `password_last_set`, `phone ext`,
            // `password hash` (names with digits, `ssn_last4`, are refused above).
            for about in ["type", "verified", "country", "ext", "last", "set", "date", "hint", "policy", "status",
                          "count", "length", "hash", "id", "changed", "expires", "expiry"] as [StaticString] {
                let l = about.utf8CodeUnitCount
                guard m > l else { continue }
                var same = true
                for x in 0..<l where name[m - l + x] != about.utf8Start[x] { same = false; break }
                if same { return nil }
            }
            if has("phone") || has("mobile") || starts("telef") || starts("teleph") || starts("tlf") || starts("handy")
                || starts("celular") || starts("cellulare") || starts("cellphone") || has("whatsapp") || has("msisdn")
                || equals("tel") || equals("telno") || equals("telnr") || equals("telnum") || equals("telnumber") || equals("cell")
                || equals("cellno") || equals("mob") || equals("mobil") || equals("mobileno") || equals("fax") || equals("gsm")
                || equals("ph") || equals("phno") || equals("contactno") || equals("contactnumber") || has("m\u{f3}vil")
                || has("t\u{e9}l\u{e9}phone") || has("tel\u{e9}fono") || equals("numertelefonu") || equals("telefonnummer") {
                return .phone
            }
            if starts("ssn") || has("socialsecurity") || has("socsec")
                || (m >= 4 && name[m - 3] == UInt8(ascii: "s") && name[m - 2] == UInt8(ascii: "s") && name[m - 1] == UInt8(ascii: "n")
                    && !has("assn")) {
                return .ssn
            }
            if equals("pwd") || equals("pw") || equals("pass") || has("password") || has("passwort") || has("passcode") {
                return .secret
            }
            switch Self.classifyKey(name.baseAddress!, m) {
            case .credential?, .authorization?: return .secret
            default: return nil
            }
        }
    }

    /// Reads a cell of a named column: emits the value when its shape fits the column.
    mutating func readCell(_ cell: Cell, as kind: ColumnKind) {
        let s = cell.start, e = cell.end
        guard e > s else { return }
        switch kind {
        case .phone:
            if let end = phoneCell(s, e) { emit(s, end, .phone) }
        case .ssn:
            if ssnCell(s, e) { emit(s, e, .usSSN) }
        case .secret:
            if let value = secretCell(cell) { emit(value.start, value.end, .secret) }
        }
    }

    /// A phone number filling a cell: `+`, digits, spaces and `-.()/`, 7–15 digits, then perhaps
    /// an extension (`x204`, `ext. 12`, `#682`, `poste 920`). Returns the end of the number.
    func phoneCell(_ s: Int, _ e: Int) -> Int? {
        var digits = 0
        var k = s
        var last = s
        if p[k] == UInt8(ascii: "+") { k += 1 }
        while k < e {
            let c = p[k]
            if Bytes.isDigit(c) { digits += 1; last = k + 1 }
            else if !(c == UInt8(ascii: " ") || c == UInt8(ascii: "-") || c == UInt8(ascii: ".") || c == UInt8(ascii: "(")
                      || c == UInt8(ascii: ")") || c == UInt8(ascii: "/")) { break }
            k += 1
        }
        guard digits >= 7, digits <= 15, Bytes.isDigit(p[last - 1]) else { return nil }
        if k < e {
            // Only an extension may follow.
            var x = k
            while x < e && Bytes.isLetter(p[x]) { x += 1 }
            let word = x - k
            guard word <= 5 || p[k] == UInt8(ascii: "#") else { return nil }
            if p[k] == UInt8(ascii: "#") { x = k + 1 }
            while x < e && (p[x] == UInt8(ascii: ".") || p[x] == UInt8(ascii: " ") || p[x] == UInt8(ascii: ":")) { x += 1 }
            var extDigits = 0
            while x < e && Bytes.isDigit(p[x]) { x += 1; extDigits += 1 }
            guard extDigits >= 1, extDigits <= 6, x == e else { return nil }
        }
        return last
    }

    /// Nine digits filling a cell, ungrouped or as 3-2-4 (`-`, space or `.`), with a valid area,
    /// group and serial.
    func ssnCell(_ s: Int, _ e: Int) -> Bool {
        var value = 0
        var digits = 0
        var groups: [Int] = []
        var run = 0
        for k in s..<e {
            let c = p[k]
            if Bytes.isDigit(c) {
                value = value * 10 + Int(c) - 48
                digits += 1
                run += 1
            } else if c == UInt8(ascii: "-") || c == UInt8(ascii: " ") || c == UInt8(ascii: ".") {
                if run > 0 { groups.append(run); run = 0 }
            } else {
                return false
            }
        }
        if run > 0 { groups.append(run) }
        guard digits == 9, groups == [9] || groups == [3, 2, 4] else { return false }
        let area = value / 1_000_000, group = (value / 10_000) % 100, serial = value % 10_000
        return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
    }

    /// A credential filling a cell (in backticks or not): one word of 4–200 bytes that
    /// passes the checks of a password in prose (`isPlausibleValue`: not `required`, `bcrypt`,
    /// `string`, `n/a`, `${PW}`…), and not a mask of one repeated character (`****`, `••••`).
    mutating func secretCell(_ cell: Cell) -> Cell? {
        var s = cell.start, e = cell.end
        if e - s >= 2 && p[s] == UInt8(ascii: "`") && p[e - 1] == UInt8(ascii: "`") { s += 1; e -= 1 }
        let length = e - s
        guard length >= 4, length <= 200 else { return nil }
        for k in s..<e where p[k] == UInt8(ascii: " ") || p[k] == 0x09 { return nil }
        if Self.isPlaceholderValue(p + s, length) || Self.isProseWord(p + s, length) { return nil }
        // Every character the same UTF-8 sequence as the first.
        var width = 1
        while width < 4 && s + width < e && p[s + width] & 0xC0 == 0x80 { width += 1 }
        var same = length % width == 0
        var k = s
        while same && k < e {
            for x in 0..<width where p[k + x] != p[s + x] { same = false; break }
            k += width
        }
        guard !same, isPlausibleValue(s, e, quoted: false, prose: true, proseMinimum: Int.max) else { return nil }
        return Cell(start: s, end: e)
    }
}
