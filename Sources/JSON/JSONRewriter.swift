/// One step of a path into a JSON document.
public enum JSONPathComponent: Sendable, Equatable, CustomStringConvertible {
    case key(String)
    case index(Int)

    public var description: String {
        switch self {
        case .key(let k): return k
        case .index(let i): return "[\(i)]"
        }
    }

    /// Dotted form of a path: `request.messages[0].content`.
    public static func render(_ path: [JSONPathComponent]) -> String {
        var out = ""
        for c in path {
            switch c {
            case .key(let k): if !out.isEmpty { out += "." }; out += k
            case .index(let i): out += "[\(i)]"
            }
        }
        return out
    }
}

/// What a rewriter does with one object member.
public enum JSONMemberDecision: Sendable {
    /// Keep it and visit the strings inside.
    case keep
    /// Remove the member from the output.
    case drop
    /// Keep it verbatim without visiting its strings.
    case keepUnscanned
}

/// Member names of one object made unique after some were rewritten (redacted): two names that
/// become the same text, or a new name equal to a name the object already has, must not make a
/// JSON object with a member name twice (readers would disagree on which one counts).
public enum JSONMemberNames {
    /// `candidate` when it is none of the object's original names (`originals`) and not given to
    /// another rewritten member yet (`taken`); else the first of `candidate#2`, `candidate#3`, …
    /// that is neither. Deterministic: the object's members are renamed in input order.
    public static func unique(_ candidate: String, originals: Set<String>, taken: Set<String>) -> String {
        if !originals.contains(candidate) && !taken.contains(candidate) { return candidate }
        var n = 2
        while true {
            let next = "\(candidate)#\(n)"
            if !originals.contains(next) && !taken.contains(next) { return next }
            n += 1
        }
    }

    /// The (decoded) names of the object that starts at `start` in `bytes`; empty when it is not
    /// a valid object. O(size of the object).
    public static func names(_ bytes: UnsafeRawBufferPointer, objectAt start: Int) -> Set<String> {
        var end = start
        guard (try? JSONSyntax.skipValue(bytes, &end)) != nil,
              let members = try? JSONSyntax.topLevelMembers(UnsafeRawBufferPointer(rebasing: bytes[start..<end])) else { return [] }
        return Set(members.map(\.key))
    }
}

/// Receives the members and strings of a document being rewritten.
public protocol JSONStringVisitor {
    /// Decides the fate of the object member at `path` (whose last component is its key).
    mutating func decide(path: [JSONPathComponent]) -> JSONMemberDecision
    /// Returns a new name for the member at `path` (whose last component is its key), or nil to
    /// keep it. The rewriter makes the names of each object unique (`JSONMemberNames.unique`).
    /// The default keeps every name.
    mutating func rewriteName(path: [JSONPathComponent]) -> String?
    /// Told the name a renamed member got, after `rewriteName` (made unique). The default ignores it.
    mutating func renamed(path: [JSONPathComponent], to name: String)
    /// Returns a replacement for the string value at `path`, or nil to keep it.
    mutating func rewrite(_ string: String, path: [JSONPathComponent]) -> String?
    /// Like `rewrite(_:path:)`, given the string's raw body between the quotes (still escaped
    /// when `hasEscapes`; valid UTF-8). Lets a visitor inspect bytes without building a String.
    /// The default decodes the body and calls `rewrite(_:path:)`.
    mutating func rewrite(rawBody: UnsafeRawBufferPointer, hasEscapes: Bool, path: [JSONPathComponent]) -> String?
    /// Returns a replacement (written as a JSON string) for the number whose text is `number`,
    /// or nil to keep it. The default keeps every number.
    mutating func rewriteNumber(_ number: UnsafeRawBufferPointer, path: [JSONPathComponent]) -> String?
}

extension JSONStringVisitor {
    public mutating func rewrite(rawBody: UnsafeRawBufferPointer, hasEscapes: Bool, path: [JSONPathComponent]) -> String? {
        rewrite(hasEscapes ? JSONSyntax.unescape(rawBody) : String(decoding: rawBody, as: UTF8.self), path: path)
    }

    public mutating func rewriteNumber(_ number: UnsafeRawBufferPointer, path: [JSONPathComponent]) -> String? { nil }

    public mutating func rewriteName(path: [JSONPathComponent]) -> String? { nil }

    public mutating func renamed(path: [JSONPathComponent], to name: String) {}
}

/// Streams a JSON value to compact output, letting a visitor replace string values
/// and drop members, without building a tree. Unchanged strings and numbers are
/// copied byte for byte. Time and memory are linear in the input.
public struct JSONRewriter<Visitor: JSONStringVisitor> {
    private let input: UnsafeRawBufferPointer
    private var index = 0
    private var path: [JSONPathComponent] = []
    private let maxDepth: Int
    /// The output bytes.
    public private(set) var output: [UInt8] = []
    /// The visitor, with whatever it accumulated.
    public private(set) var visitor: Visitor

    /// Rewrites a whole JSON text.
    public static func rewrite(_ input: UnsafeRawBufferPointer, visitor: Visitor, basePath: [JSONPathComponent] = [],
                               maxDepth: Int = 128) throws -> (output: [UInt8], visitor: Visitor) {
        var r = JSONRewriter(input: input, maxDepth: maxDepth, visitor: visitor)
        r.path = basePath
        r.output.reserveCapacity(input.count)
        JSONSyntax.skipWhitespace(input, &r.index)
        try r.value(depth: 0)
        JSONSyntax.skipWhitespace(input, &r.index)
        guard r.index == input.count else { throw JSONError(offset: r.index, reason: "unexpected data after the JSON value") }
        return (r.output, r.visitor)
    }

    private init(input: UnsafeRawBufferPointer, maxDepth: Int, visitor: Visitor) {
        self.input = input
        self.maxDepth = maxDepth
        self.visitor = visitor
    }

    private mutating func copy(_ range: Range<Int>) {
        output.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[range]))
    }

    /// Writes the name token `token` of the member at `path`, or the visitor's new name for it,
    /// unique in the object that starts at `objectStart`.
    private mutating func writeName(_ token: Range<Int>, objectStart: Int, names: inout (originals: Set<String>, taken: Set<String>)?) {
        guard let candidate = visitor.rewriteName(path: path) else { return copy(token) }
        if names == nil { names = (JSONMemberNames.names(input, objectAt: objectStart), []) }
        let name = JSONMemberNames.unique(candidate, originals: names!.originals, taken: names!.taken)
        names!.taken.insert(name)
        visitor.renamed(path: path, to: name)
        JSONWriter.appendString(name, to: &output)
    }

    private mutating func value(depth: Int) throws {
        guard index < input.count else { throw JSONError(offset: index, reason: "unexpected end of input") }
        switch input[index] {
        case UInt8(ascii: "\""):
            let start = index
            let hasEscapes = try JSONSyntax.skipString(input, &index)
            let body = UnsafeRawBufferPointer(rebasing: input[(start + 1)..<(index - 1)])
            if let replacement = visitor.rewrite(rawBody: body, hasEscapes: hasEscapes, path: path) {
                JSONWriter.appendString(replacement, to: &output)
            } else {
                copy(start..<index)
            }
        case UInt8(ascii: "{"):
            guard depth < maxDepth else { throw JSONError(offset: index, reason: "nesting deeper than \(maxDepth)") }
            let objectStart = index
            // Set on the first renamed member: the object's names, and the new names given so far.
            var names: (originals: Set<String>, taken: Set<String>)?
            index += 1
            output.append(UInt8(ascii: "{"))
            var wroteMember = false
            JSONSyntax.skipWhitespace(input, &index)
            if index < input.count, input[index] == UInt8(ascii: "}") { index += 1; output.append(UInt8(ascii: "}")); return }
            while true {
                JSONSyntax.skipWhitespace(input, &index)
                guard index < input.count, input[index] == UInt8(ascii: "\"") else {
                    throw JSONError(offset: index, reason: "expected a member name")
                }
                let keyStart = index
                let key = try JSONSyntax.decodeString(input, &index)
                let keyEnd = index
                JSONSyntax.skipWhitespace(input, &index)
                guard index < input.count, input[index] == UInt8(ascii: ":") else {
                    throw JSONError(offset: index, reason: "expected ':' after a member name")
                }
                index += 1
                JSONSyntax.skipWhitespace(input, &index)
                path.append(.key(key))
                switch visitor.decide(path: path) {
                case .drop:
                    var d = depth + 1
                    try JSONSyntax.skipValue(input, &index, depth: &d, maxDepth: maxDepth)
                case .keepUnscanned:
                    if wroteMember { output.append(UInt8(ascii: ",")) }
                    writeName(keyStart..<keyEnd, objectStart: objectStart, names: &names)
                    output.append(UInt8(ascii: ":"))
                    let start = index
                    var d = depth + 1
                    try JSONSyntax.skipValue(input, &index, depth: &d, maxDepth: maxDepth)
                    copy(start..<index)
                    wroteMember = true
                case .keep:
                    if wroteMember { output.append(UInt8(ascii: ",")) }
                    writeName(keyStart..<keyEnd, objectStart: objectStart, names: &names)
                    output.append(UInt8(ascii: ":"))
                    try value(depth: depth + 1)
                    wroteMember = true
                }
                path.removeLast()
                JSONSyntax.skipWhitespace(input, &index)
                guard index < input.count else { throw JSONError(offset: index, reason: "unexpected end of input in an object") }
                if input[index] == UInt8(ascii: ",") { index += 1; continue }
                if input[index] == UInt8(ascii: "}") { index += 1; output.append(UInt8(ascii: "}")); return }
                throw JSONError(offset: index, reason: "expected ',' or '}' in an object")
            }
        case UInt8(ascii: "["):
            guard depth < maxDepth else { throw JSONError(offset: index, reason: "nesting deeper than \(maxDepth)") }
            index += 1
            output.append(UInt8(ascii: "["))
            JSONSyntax.skipWhitespace(input, &index)
            if index < input.count, input[index] == UInt8(ascii: "]") { index += 1; output.append(UInt8(ascii: "]")); return }
            var element = 0
            while true {
                JSONSyntax.skipWhitespace(input, &index)
                if element > 0 { output.append(UInt8(ascii: ",")) }
                path.append(.index(element))
                try value(depth: depth + 1)
                path.removeLast()
                element += 1
                JSONSyntax.skipWhitespace(input, &index)
                guard index < input.count else { throw JSONError(offset: index, reason: "unexpected end of input in an array") }
                if input[index] == UInt8(ascii: ",") { index += 1; continue }
                if input[index] == UInt8(ascii: "]") { index += 1; output.append(UInt8(ascii: "]")); return }
                throw JSONError(offset: index, reason: "expected ',' or ']' in an array")
            }
        default:
            let start = index
            var d = depth
            try JSONSyntax.skipValue(input, &index, depth: &d, maxDepth: maxDepth)
            let first = input[start]
            if first == UInt8(ascii: "-") || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")),
               let replacement = visitor.rewriteNumber(UnsafeRawBufferPointer(rebasing: input[start..<index]), path: path) {
                JSONWriter.appendString(replacement, to: &output)
            } else {
                copy(start..<index)
            }
        }
    }
}
