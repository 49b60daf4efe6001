@testable import Redaction

/// The scanner's loop as it was written first, byte by byte: every word start and trigger is
/// visited, every letter word goes through the two-letter gate (`WordGate.table`), and context
/// words are noted whether or not a number follows. `TextScanner.run()` skips words and bytes
/// with bit masks and length tables; `ScannerEquivalenceTests` checks that both find exactly
/// the same raw spans.
extension TextScanner {
    mutating func referenceRun() {
        var i = 0
        let word = ByteClass.word
        while i < n {
            let f = t[Int(p[i])]
            if f & word != 0 {
                var e = i + 1
                if p[i] < 0x80 {
                    while e < n && t[Int(p[e])] & word != 0 && p[e] < 0x80 { e += 1 }
                } else {
                    while e < n && p[e] >= 0x80 { e += 1 }
                }
                let resume: Int
                var u = i
                while u < e && p[u] == UInt8(ascii: "_") { u += 1 }
                if u > i && u < e && Bytes.isDigit(p[u]) && opensEmphasis(u - 1) {
                    resume = numeric(u)  // `_4111 1111 1111 1111_`, `___415-555-0132___`: emphasis, form blanks
                } else if f & ByteClass.digit != 0 {
                    resume = numeric(i)
                } else if f & ByteClass.letter != 0 {
                    resume = referenceLetterWord(i, e)
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
        for k in 0..<n where p[k] >= 0x80 { sawNonASCII = true; break }
        if sawNonASCII { nonASCIIPass() }
        if (sawSoftBreak || sawFoldedFormat || sawTie) && !isFoldedCopy { unfoldedScan() }
        if !columnWords.isEmpty && n > 8 && nextLineEnd(2) < n - 1 { tableColumns() }
    }

    mutating func referenceLetterWord(_ i: Int, _ e: Int) -> Int {
        let len = e - i
        if len >= 4, Bytes.isLetter(p[i + 1]), Bytes.isDigit(p[i + 2]), Bytes.isDigit(p[i + 3]), let end = iban(i) {
            emit(i, end, .iban)
            return end
        }
        let lengthGate = WordGate.lengths[WordGate.lengthIndex(p[i], at(i + 1))] & (UInt16(1) << UInt16(Swift.min(len, 15)))
        if lengthGate != 0 && len >= 2 && len <= 40 && Self.mayNameColumn(p + i, len) { columnWords.append(i) }
        let gate = WordGate.table[WordGate.index(p[i], at(i + 1))]
        if gate == 0 { return e }
        if gate & WordGate.secret != 0, let end = secretAtWord(i, e) { return end }
        if gate & WordGate.password != 0, let end = passwordInProse(i, e) { return end }
        if gate & WordGate.context != 0 && len <= 25 { noteContextWord(i, e) }
        return e
    }

    /// Raw spans of `bytes` as (start, end, kind, priority), from the fast or the reference loop.
    static func rawSpans(_ bytes: [UInt8], reference: Bool) -> [[Int]] {
        bytes.withUnsafeBufferPointer { buffer in
            guard buffer.count > 0 else { return [] }
            var scanner = TextScanner(buffer, spans: [])
            if reference { scanner.referenceRun() } else { scanner.run() }
            return scanner.spans.map { [$0.start, $0.end, $0.kind, $0.priority] }
        }
    }
}
