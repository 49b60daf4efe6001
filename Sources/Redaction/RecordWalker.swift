import JSON

/// The fast walk gave up: the content is not valid JSON, or is nested too deeply. The engine then
/// runs the general rewriter (`JSONRewriter` + `RecordVisitor`), which reports the exact error.
struct RecordWalkFailure: Error {}

/// Redacts record content for rules without field rules (the standard policy), in one pass over
/// the bytes, with the same result as `JSONRewriter` driven by `RecordVisitor`:
///
/// - strings are validated 16 bytes at a time (or, for content `AuditRecord.parse` already
///   validated, only delimited) and scanned in place; escaped ones are decoded into a reused
///   buffer in the same pass. No String and no path is built unless a detector fires, and the
///   path is rendered only when a blocked value must be named;
/// - member names are classified (credential-like or not) from their bytes;
/// - nothing is written while the output would equal the input: when no value is replaced and
///   the content is already compact, `output` stays nil and the caller keeps the input bytes.
///   Otherwise the output is the input without whitespace outside strings and with replaced
///   values, as the rewriter emits it.
///
/// Time O(n) in the content plus the detectors' cost; memory O(depth) unless the output differs.
struct RecordWalker {
    let p: UnsafePointer<UInt8>
    let n: Int
    /// The content as a raw buffer (for the `JSONSyntax` helpers used on numbers and literals).
    let raw: UnsafeRawBufferPointer
    var index = 0
    var redactor: Redactor
    /// The rewritten content, set once it differs from the input: the input before `flushedTo`
    /// rewritten, the rest still to copy.
    var output: [UInt8]?
    var flushedTo = 0
    /// Scratch for unescaping strings, reused across strings.
    var unescaped: [UInt8] = []
    /// Where the walk is, to name a blocked value: member names as ranges of the input.
    var path: [PathStep] = []
    /// The content is known to be valid JSON (`AuditRecord.parse` checked it): strings are
    /// then delimited without checking their UTF-8 and control characters again.
    let validated: Bool
    /// For each object (by its start offset) open now in which a member was renamed (rare): the
    /// object's names as sent and the new names given so far. Nil (nothing kept) until then.
    var objectNames: [Int: (originals: Set<String>, taken: Set<String>)]?

    /// One step of the current path, as offsets into the input.
    enum PathStep {
        /// A member name: the body of its string token and whether it has escapes.
        case key(start: Int, end: Int, escaped: Bool)
        case index(Int)
    }

    /// Depth limit of `JSONRewriter.rewrite`'s default, so the walk fails exactly where it would.
    static let maxDepth = 128

    /// Walks `content`. Returns the rewritten bytes (nil when they would equal the input) and
    /// the redactor with its counts (and `blocked`, when a blocked type was found).
    /// - Throws: `RecordWalkFailure` for anything `JSONRewriter` would reject.
    /// - Parameter validated: the caller guarantees `content` is valid JSON; its strings are not
    ///   checked again (the result on invalid bytes is then unspecified, though memory-safe).
    static func rewrite(_ content: UnsafeRawBufferPointer, redactor: Redactor, validated: Bool = false) throws(RecordWalkFailure)
        -> (output: [UInt8]?, redactor: Redactor) {
        guard let base = content.baseAddress, content.count > 0 else { throw RecordWalkFailure() }
        var walker = RecordWalker(p: base.assumingMemoryBound(to: UInt8.self), n: content.count, raw: content, redactor: redactor,
                                  validated: validated)
        walker.path.reserveCapacity(16)  // one allocation instead of one per level reached
        walker.skipWhitespace()
        try walker.value(depth: 0, credential: false)
        walker.skipWhitespace()
        guard walker.index == walker.n else { throw RecordWalkFailure() }
        if walker.output != nil { walker.flush(upTo: walker.n) }
        return (walker.output, walker.redactor)
    }

    @inline(__always) static func isWhitespace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 }

    /// Appends the input bytes `flushedTo..<position` to the output (creating it if needed).
    @inline(__always) mutating func flush(upTo position: Int) {
        if output == nil {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(n)
            output = bytes
        }
        output!.append(contentsOf: UnsafeBufferPointer(start: p + flushedTo, count: position - flushedTo))
        flushedTo = position
    }

    /// Skips whitespace; the output drops it (as the rewriter's compact output does).
    @inline(__always) mutating func skipWhitespace() {
        guard index < n, Self.isWhitespace(p[index]) else { return }
        flush(upTo: index)
        repeat { index += 1 } while index < n && Self.isWhitespace(p[index])
        flushedTo = index
    }

    mutating func value(depth: Int, credential: Bool) throws(RecordWalkFailure) {
        guard index < n else { throw RecordWalkFailure() }
        switch p[index] {
        case UInt8(ascii: "\""):
            let start = index
            let escaped = try skipString(unescaping: redactor.blocked == nil)
            if redactor.blocked == nil && index - start > 2 { scanString(start: start, escaped: escaped, credential: credential) }
        case UInt8(ascii: "{"):
            guard depth < Self.maxDepth else { throw RecordWalkFailure() }
            let objectStart = index
            index += 1
            skipWhitespace()
            if index < n, p[index] == UInt8(ascii: "}") { index += 1; return }
            path.append(.index(0))
            let step = path.count - 1
            while true {
                skipWhitespace()
                guard index < n, p[index] == UInt8(ascii: "\"") else { throw RecordWalkFailure() }
                let keyStart = index
                let keyEscaped = try skipString(unescaping: false)
                let keyEnd = index
                // Member names are client data too: one that may hold an entity (a cheap look at
                // its bytes) is scanned like a value and rewritten when something is redacted.
                if redactor.blocked == nil && redactor.nameMayHoldEntity(p + keyStart + 1, keyEnd - keyStart - 2) {
                    scanName(start: keyStart, end: keyEnd, escaped: keyEscaped, objectStart: objectStart, depth: depth)
                }
                skipWhitespace()
                guard index < n, p[index] == UInt8(ascii: ":") else { throw RecordWalkFailure() }
                index += 1
                skipWhitespace()
                path[step] = .key(start: keyStart + 1, end: keyEnd - 1, escaped: keyEscaped)
                let isCredential = redactor.blocked == nil && isCredentialKey(start: keyStart + 1, end: keyEnd - 1, escaped: keyEscaped)
                try value(depth: depth + 1, credential: isCredential)
                skipWhitespace()
                guard index < n else { throw RecordWalkFailure() }
                if p[index] == UInt8(ascii: ",") { index += 1; continue }
                if p[index] == UInt8(ascii: "}") { index += 1; break }
                throw RecordWalkFailure()
            }
            path.removeLast()
            if objectNames != nil { objectNames![objectStart] = nil }
        case UInt8(ascii: "["):
            guard depth < Self.maxDepth else { throw RecordWalkFailure() }
            index += 1
            skipWhitespace()
            if index < n, p[index] == UInt8(ascii: "]") { index += 1; return }
            path.append(.index(0))
            let step = path.count - 1
            var element = 0
            while true {
                skipWhitespace()
                path[step] = .index(element)
                // Elements inherit the nearest member name (`"api_keys": ["…"]`).
                try value(depth: depth + 1, credential: credential)
                element += 1
                skipWhitespace()
                guard index < n else { throw RecordWalkFailure() }
                if p[index] == UInt8(ascii: ",") { index += 1; continue }
                if p[index] == UInt8(ascii: "]") { index += 1; break }
                throw RecordWalkFailure()
            }
            path.removeLast()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = index
            do { _ = try JSONSyntax.scanNumber(raw, &index) } catch { throw RecordWalkFailure() }
            // As `RecordVisitor.rewriteNumber`: 13+ characters (a card number) or under a credential-like name.
            if redactor.blocked == nil && (credential || index - start >= 13) { scanNumber(start: start, credential: credential) }
        default:
            do { try JSONSyntax.skipValue(raw, &index) } catch { throw RecordWalkFailure() }
        }
    }

    /// Whether the member name with body `start..<end` is credential-like (`password`,
    /// `api_key`, `authorization`, `cookie`…), as `Redactor.isCredentialKey(_:includeCookies: true)`.
    @inline(__always) func isCredentialKey(start: Int, end: Int, escaped: Bool) -> Bool {
        if escaped { return Redactor.isCredentialKey(JSONSyntax.unescape(UnsafeRawBufferPointer(start: p + start, count: end - start)), includeCookies: true) }
        let length = end - start
        guard length >= 2, length <= 64 else { return false }
        switch TextScanner.classifyKey(p + start, length) {
        case .credential?, .authorization?, .cookie?: return true
        case .randomKey?, nil: return false
        }
    }

    /// Scans the string token `start..<index` and replaces it when something is redacted.
    mutating func scanString(start: Int, escaped: Bool, credential: Bool) {
        let body = UnsafeBufferPointer(start: p + start + 1, count: index - start - 2)
        // The path is moved out (not copied) for the call, which renders it only to name a
        // blocked value.
        var steps: [PathStep] = []
        swap(&steps, &path)
        defer { swap(&steps, &path) }
        let base = p
        let replaced: Bool
        if !escaped {
            replaced = redactor.redactIntoOutput(bytes: body, makeText: { String(decoding: body, as: UTF8.self) },
                                                 wholeValueIsSecret: credential, path: { Self.render(steps, base) })
        } else {
            // `skipString(unescaping: true)` decoded the body into `unescaped`.
            var buffer: [UInt8] = []
            swap(&buffer, &unescaped)
            replaced = buffer.withUnsafeBufferPointer { bytes in
                redactor.redactIntoOutput(bytes: bytes, makeText: { String(decoding: bytes, as: UTF8.self) },
                                          wholeValueIsSecret: credential, path: { Self.render(steps, base) })
            }
            swap(&buffer, &unescaped)
        }
        if replaced { replaceWithRedactorOutput(start: start) }
    }

    /// Scans the member name token `start..<end` (in the object at `objectStart`, at `depth`) and,
    /// when something in it is redacted, writes the redacted name instead, made unique in its
    /// object (`JSONMemberNames.unique`). A blocked entity in a name is reported at the path of
    /// the object with `(a member name)`, never with the name.
    mutating func scanName(start: Int, end: Int, escaped: Bool, objectStart: Int, depth: Int) {
        let body = UnsafeRawBufferPointer(start: p + start + 1, count: end - start - 2)
        let original = escaped ? JSONSyntax.unescape(body) : String(decoding: body, as: UTF8.self)
        // The path above this member: its last step is this object's previous member (or none yet).
        var steps: [PathStep] = []
        swap(&steps, &path)
        defer { swap(&steps, &path) }
        let base = p
        var text = original
        let replaced = text.withUTF8 { bytes in
            redactor.redactIntoOutput(bytes: bytes, makeText: { original }, wholeValueIsSecret: false,
                                      path: { RedactionPath.memberName(in: Self.render(Array(steps.dropLast()), base)) })
        }
        guard replaced else { return }
        let candidate = String(decoding: redactor.output, as: UTF8.self)
        var names = objectNames?[objectStart] ?? (JSONMemberNames.names(raw, objectAt: objectStart), [])
        let name = JSONMemberNames.unique(candidate, originals: names.originals, taken: names.taken)
        names.taken.insert(name)
        objectNames = objectNames ?? [:]
        objectNames![objectStart] = names
        if depth == 0 { redactor.renamedMembers = (redactor.renamedMembers ?? [:]).merging([name: original]) { _, new in new } }
        flush(upTo: start)
        JSONWriter.appendString(name, to: &output!)
        flushedTo = end
    }

    /// Scans the number token `start..<index`; a replaced number becomes a JSON string.
    mutating func scanNumber(start: Int, credential: Bool) {
        let bytes = UnsafeBufferPointer(start: p + start, count: index - start)
        var steps: [PathStep] = []
        swap(&steps, &path)
        defer { swap(&steps, &path) }
        let base = p
        if redactor.redactIntoOutput(bytes: bytes, makeText: { String(decoding: bytes, as: UTF8.self) },
                                     wholeValueIsSecret: credential, path: { Self.render(steps, base) }) {
            replaceWithRedactorOutput(start: start)
        }
    }

    /// Writes the redactor's output as a JSON string in place of the input token
    /// `start..<index`, as `JSONWriter.appendString(String(decoding: output, as: UTF8.self))`
    /// would: bytes are escaped directly when they are valid UTF-8 (String would repair
    /// anything else, so that rare case takes the String path).
    mutating func replaceWithRedactorOutput(start: Int) {
        flush(upTo: start)
        let valid = redactor.output.withUnsafeBufferPointer { JSONEscaper.isValidUTF8($0) }
        if valid {
            redactor.output.withUnsafeBufferPointer { JSONWriter.appendString(utf8: $0, to: &output!) }
        } else {
            JSONWriter.appendString(String(decoding: redactor.output, as: UTF8.self), to: &output!)
        }
        flushedTo = index
    }

    /// The dotted path (`request.messages[0].content`) for `steps`, as `RedactionPath.render`
    /// (names that may hold data are not shown).
    static func render(_ steps: [PathStep], _ p: UnsafePointer<UInt8>) -> String {
        RedactionPath.render(steps.map { step -> JSONPathComponent in
            switch step {
            case .key(let start, let end, let escaped):
                let body = UnsafeRawBufferPointer(start: p + start, count: end - start)
                return .key(escaped ? JSONSyntax.unescape(body) : String(decoding: body, as: UTF8.self))
            case .index(let i):
                return .index(i)
            }
        })
    }

    // MARK: - String validation

    /// Validates the string token at `index` (an opening quote) as strictly as
    /// `JSONSyntax.skipString`, 16 bytes at a time where no byte needs a look (no quote,
    /// backslash, control character or non-ASCII byte). Leaves `index` after the closing quote
    /// and returns whether the body has escapes. With `unescaping`, a body with escapes is also
    /// decoded into `unescaped` in the same pass (as `JSONUnescaper.unescape` decodes it).
    @inline(__always) mutating func skipString(unescaping: Bool) throws(RecordWalkFailure) -> Bool {
        var i = index + 1
        var escaped = false
        var run = i
        while true {
            i = validated ? nextQuoteOrBackslash(from: i) : nextAttention(from: i)
            guard i < n else { throw RecordWalkFailure() }
            let c = p[i]
            if c == UInt8(ascii: "\"") {
                if escaped && unescaping { unescaped.append(contentsOf: UnsafeBufferPointer(start: p + run, count: i - run)) }
                index = i + 1
                return escaped
            }
            if c == UInt8(ascii: "\\") {
                if unescaping {
                    if !escaped { unescaped.removeAll(keepingCapacity: true) }
                    unescaped.append(contentsOf: UnsafeBufferPointer(start: p + run, count: i - run))
                }
                escaped = true
                let (end, scalar) = try escape(at: i)
                if unescaping {
                    if scalar < 0x80 {
                        unescaped.append(UInt8(truncatingIfNeeded: scalar))
                    } else {
                        UTF8.encode(Unicode.Scalar(scalar) ?? "\u{FFFD}") { unescaped.append($0) }
                    }
                }
                i = end
                run = i
            } else if c < 0x20 {
                throw RecordWalkFailure()
            } else if c < 0x80 {
                i += 1
            } else {
                i = try utf8ScalarEnd(i)
            }
        }
    }

    /// The first `"` or `\` at or after `start`; `n` when there is none.
    @inline(__always) func nextQuoteOrBackslash(from start: Int) -> Int {
        JSONSyntax.nextQuoteOrBackslash(p, from: start, end: n)
    }

    /// The first byte at or after `start` that is `"`, `\`, a control character or non-ASCII;
    /// `n` when there is none.
    @inline(__always) func nextAttention(from start: Int) -> Int {
        JSONSyntax.nextAttention(p, from: start, end: n)
    }

    /// The escape sequence at `i` (a backslash), validated as `JSONSyntax.skipString` does: the
    /// index after it and the scalar it stands for (a surrogate pair gives one scalar).
    @inline(__always) func escape(at i: Int) throws(RecordWalkFailure) -> (end: Int, scalar: UInt32) {
        guard i + 1 < n else { throw RecordWalkFailure() }
        switch p[i + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return (i + 2, UInt32(p[i + 1]))
        case UInt8(ascii: "b"): return (i + 2, 0x08)
        case UInt8(ascii: "f"): return (i + 2, 0x0C)
        case UInt8(ascii: "n"): return (i + 2, 0x0A)
        case UInt8(ascii: "r"): return (i + 2, 0x0D)
        case UInt8(ascii: "t"): return (i + 2, 0x09)
        case UInt8(ascii: "u"):
            let unit = try hex4(i + 2)
            let next = i + 6
            if unit >= 0xD800 && unit < 0xDC00 {
                guard next + 1 < n, p[next] == UInt8(ascii: "\\"), p[next + 1] == UInt8(ascii: "u") else { throw RecordWalkFailure() }
                let low = try hex4(next + 2)
                guard low >= 0xDC00 && low < 0xE000 else { throw RecordWalkFailure() }
                return (next + 6, 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
            }
            if unit >= 0xDC00 && unit < 0xE000 { throw RecordWalkFailure() }
            return (next, unit)
        default:
            throw RecordWalkFailure()
        }
    }

    @inline(__always) func hex4(_ at: Int) throws(RecordWalkFailure) -> UInt32 {
        guard let v = JSONSyntax.hexQuad(UnsafeRawBufferPointer(start: p, count: n), at) else { throw RecordWalkFailure() }
        return v
    }

    /// The index after the multi-byte UTF-8 sequence at `i`, validated as `JSONSyntax.skipString`
    /// does (no overlong forms, no surrogates, nothing beyond U+10FFFF).
    @inline(__always) func utf8ScalarEnd(_ i: Int) throws(RecordWalkFailure) -> Int {
        let c = p[i]
        @inline(__always) func isContinuation(_ j: Int) -> Bool { j < n && p[j] & 0xC0 == 0x80 }
        if c >= 0xC2 && c <= 0xDF {
            guard isContinuation(i + 1) else { throw RecordWalkFailure() }
            return i + 2
        }
        if c >= 0xE0 && c <= 0xEF {
            guard isContinuation(i + 1), isContinuation(i + 2) else { throw RecordWalkFailure() }
            let b1 = p[i + 1]
            if (c == 0xE0 && b1 < 0xA0) || (c == 0xED && b1 >= 0xA0) { throw RecordWalkFailure() }
            return i + 3
        }
        if c >= 0xF0 && c <= 0xF4 {
            guard isContinuation(i + 1), isContinuation(i + 2), isContinuation(i + 3) else { throw RecordWalkFailure() }
            let b1 = p[i + 1]
            if (c == 0xF0 && b1 < 0x90) || (c == 0xF4 && b1 >= 0x90) { throw RecordWalkFailure() }
            return i + 4
        }
        throw RecordWalkFailure()
    }
}

/// UTF-8 checks for writing redacted bytes with `JSONWriter.appendString(utf8:to:)`.
enum JSONEscaper {
    /// Whether `bytes` are well-formed UTF-8 (what `String(decoding:as:)` keeps unchanged).
    /// ASCII is checked 8 bytes at a time. O(n).
    static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let p = bytes.baseAddress else { return true }
        let n = bytes.count
        var i = 0
        @inline(__always) func isContinuation(_ j: Int) -> Bool { j < n && p[j] & 0xC0 == 0x80 }
        while i < n {
            if i + 8 <= n, UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { i += 8; continue }
            let c = p[i]
            if c < 0x80 { i += 1; continue }
            if c >= 0xC2 && c <= 0xDF {
                guard isContinuation(i + 1) else { return false }
                i += 2
            } else if c >= 0xE0 && c <= 0xEF {
                guard isContinuation(i + 1), isContinuation(i + 2) else { return false }
                let b1 = p[i + 1]
                if (c == 0xE0 && b1 < 0xA0) || (c == 0xED && b1 >= 0xA0) { return false }
                i += 3
            } else if c >= 0xF0 && c <= 0xF4 {
                guard isContinuation(i + 1), isContinuation(i + 2), isContinuation(i + 3) else { return false }
                let b1 = p[i + 1]
                if (c == 0xF0 && b1 < 0x90) || (c == 0xF4 && b1 >= 0x90) { return false }
                i += 4
            } else {
                return false
            }
        }
        return true
    }
}
