import Foundation
#if canImport(Glibc)
import Glibc
#endif
import GatelogCrypto
import JSON

/// Why redaction refused a record or text. Messages name entity types and JSON paths, never values.
public enum RedactionError: Error, Equatable, CustomStringConvertible {
    /// The policy blocks `entity`, and one was found at `path` (`request.messages[0].content`,
    /// `metadata.user`, or `text` for free text).
    case blocked(entity: EntityType, path: String)
    /// The record content is not valid JSON (offset and reason only).
    case invalidContent(JSONError)
    /// The policy hashes values but no key is available for the region.
    case hashKeyUnavailable(region: String, reason: String)

    /// A sentence naming the type and path (never the value).
    public var description: String {
        switch self {
        case .blocked(let entity, let path):
            return "record rejected: the redaction policy blocks \(entity.name), found at \(path)"
        case .invalidContent(let error):
            return "record content is not valid JSON: \(error.description)"
        case .hashKeyUnavailable(let region, let reason):
            return "no hash key for region '\(region)': \(reason)"
        }
    }
}

/// Redacted free text and its report.
public struct RedactedText: Sendable, Equatable {
    /// The text with sensitive values replaced.
    public let text: String
    /// What was found and done.
    public let report: RedactionReport
}

/// A redacted audit record: content, metadata and the report for its envelope.
///
/// Member names are scanned too (those that may hold an entity: see `Redactor.nameMayHoldEntity`)
/// and rewritten like values (`{"jane@example.com":1}` → `{"[EMAIL]":1}`); two names of one object
/// that would read the same are told apart with `#2`, `#3`, … (`JSONMemberNames.unique`).
public struct RedactedRecord: Sendable {
    /// The content re-emitted as compact JSON (unchanged strings copied byte for byte).
    public let content: [UInt8]
    /// Metadata with redacted keys and values, in the original order, minus dropped entries.
    public let metadata: [(key: String, value: String)]
    /// What was found and done.
    public let report: RedactionReport
    /// Members of the content's top-level object whose names were redacted: new name → original
    /// name (for callers that put those members back in an envelope by name); nil when none was.
    public var renamedMembers: [String: String]?
}

/// Paths of redacted values as error messages name them: member names that may hold data are
/// not shown (messages reach HTTP answers and quarantine files, which are never redacted later).
public enum RedactionPath {
    /// A member name as a path shows it: letters, `_`, `-`, `.` and at most four digits, at most
    /// 64 bytes; anything else is `(a name not shown)`.
    public static func shown(_ name: String) -> String {
        var digits = 0
        let plain = !name.isEmpty && name.utf8.count <= 64 && name.utf8.allSatisfy { c in
            if c >= 0x30 && c <= 0x39 { digits += 1; return true }
            return (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == UInt8(ascii: "_") || c == UInt8(ascii: "-") || c == UInt8(ascii: ".")
        }
        return plain && digits <= 4 ? name : "(a name not shown)"
    }

    /// `JSONPathComponent.render` with each name as `shown` shows it.
    public static func render<C: Collection>(_ path: C) -> String where C.Element == JSONPathComponent {
        JSONPathComponent.render(path.map { component in
            if case .key(let k) = component { return .key(shown(k)) }
            return component
        })
    }

    /// Where a blocked entity in a member name is reported: the path of its object, then `(a member name)`.
    static func memberName(in objectPath: String) -> String {
        objectPath.isEmpty ? "(a member name)" : objectPath + ".(a member name)"
    }
}

/// Applies a `RedactionPolicy` to records and text. Immutable and `Sendable`: build one per
/// policy and share it between threads.
///
/// Cost: one linear pass of the built-in detectors over each string, plus custom expressions when
/// the policy has any. Strings without a candidate are not copied (JSON strings are left byte for
/// byte in the output).
public struct RedactionEngine: Sendable {
    /// The policy applied.
    public let policy: RedactionPolicy
    let hashKeys: (any HashKeyProvider)?
    /// What a `Redactor` reads, behind one reference (a redaction copies the reference, not
    /// every table).
    let tables: Tables
    let resolvedRules: [RuleKey: ResolvedRules]
    /// The rules outside any configured region or tenant (all that the standard policy has).
    let defaultRules: ResolvedRules

    var kinds: [EntityType] { tables.kinds }

    struct RuleKey: Hashable, Sendable {
        let region: String?
        let tenant: String?
    }

    /// The actions and field rules for one (region, tenant) pair.
    final class ResolvedRules: Sendable {
        let actions: [RedactionAction]
        let fieldRules: [FieldRule]
        let usesHash: Bool

        init(actions: [RedactionAction], fieldRules: [FieldRule], usesHash: Bool) {
            self.actions = actions
            self.fieldRules = fieldRules
            self.usesHash = usesHash
        }
    }

    /// The entity types, their labels and the custom detectors of a policy.
    final class Tables: Sendable {
        let policy: RedactionPolicy
        let kinds: [EntityType]
        /// Kind numbers in entity-name order (the order of report entries).
        let kindsByName: [Int]
        /// `[TYPE]` per kind.
        let labels: [[UInt8]]
        /// Whether the policy has custom expressions (checked for every string).
        let hasCustomDetectors: Bool

        init(policy: RedactionPolicy) {
            self.policy = policy
            self.hasCustomDetectors = !policy.customDetectors.isEmpty
            let kinds = policy.entityTypes
            self.kinds = kinds
            self.kindsByName = kinds.indices.sorted { kinds[$0] < kinds[$1] }
            self.labels = kinds.map { Array("[\($0.name)]".utf8) }
        }

        /// Matches of the policy's custom expressions in `text`, appended to `raw`.
        func runCustomDetectors(on text: String, into raw: inout [RawSpan]) {
            guard !policy.customDetectors.isEmpty, !text.isEmpty else { return }
            let whole = NSRange(text.startIndex..<text.endIndex, in: text)
            for (k, detector) in policy.customDetectors.enumerated() {
                for match in detector.regex.matches(in: text, options: [], range: whole) {
                    guard match.range.length > 0, let range = Range(match.range, in: text) else { continue }
                    let start = text.utf8.distance(from: text.startIndex, to: range.lowerBound)
                    let end = text.utf8.distance(from: text.startIndex, to: range.upperBound)
                    raw.append(RawSpan(start: start, end: end, kind: EntityType.builtIn.count + k, priority: 8))
                }
            }
        }
    }

    /// Prepares the policy for fast lookups: the actions for every configured (region, tenant)
    /// pair are resolved once here. O(regions × tenants × types).
    /// - Parameters:
    ///   - policy: the policy to apply.
    ///   - hashKeys: where per-region keys come from; needed only if the policy uses `hash`.
    public init(policy: RedactionPolicy = .standard, hashKeys: (any HashKeyProvider)? = nil) {
        self.policy = policy
        self.hashKeys = hashKeys
        let tables = Tables(policy: policy)
        self.tables = tables
        var table: [RuleKey: ResolvedRules] = [:]
        let regions: [String?] = [nil] + policy.regions.keys.sorted()
        let tenants: [String?] = [nil] + policy.tenants.keys.sorted()
        for r in regions {
            for t in tenants {
                let actions = tables.kinds.map { policy.action(for: $0, region: r ?? "", tenant: t) }
                table[RuleKey(region: r, tenant: t)] = ResolvedRules(
                    actions: actions, fieldRules: policy.fieldRules(region: r ?? "", tenant: t),
                    usesHash: actions.contains(.hash))
            }
        }
        self.resolvedRules = table
        self.defaultRules = table[RuleKey(region: nil, tenant: nil)]!
    }

    func rules(region: String, tenant: String?) -> ResolvedRules {
        if policy.regions.isEmpty && policy.tenants.isEmpty { return defaultRules }
        let r: String? = policy.regions[region] != nil ? region : nil
        let t: String? = tenant.flatMap { policy.tenants[$0] != nil ? $0 : nil }
        return resolvedRules[RuleKey(region: r, tenant: t)]!
    }

    func hashKey(for rules: ResolvedRules, region: String) throws -> HashKey? {
        guard rules.usesHash else { return nil }
        guard let hashKeys else {
            throw RedactionError.hashKeyUnavailable(region: region, reason: "the policy hashes values but the engine has no hash key provider")
        }
        do {
            return try hashKeys.hashKey(forRegion: region)
        } catch let error as HashKeyError {
            throw RedactionError.hashKeyUnavailable(region: region, reason: error.description)
        } catch {
            throw RedactionError.hashKeyUnavailable(region: region, reason: "\(type(of: error))")
        }
    }

    // MARK: - Detection only

    /// The sensitive values in `text` (built-in and custom detectors), overlaps merged, in order.
    /// Offsets are UTF-8 byte offsets. O(n) for the built-in detectors.
    public func detect(_ text: String) -> [Detection] {
        var raw: [RawSpan] = []
        var resolved: [ResolvedSpan] = []
        var copy = text
        copy.withUTF8 { buffer in
            TextScanner.scan(buffer, into: &raw)
        }
        runCustomDetectors(on: text, into: &raw)
        TextScanner.resolve(&raw, into: &resolved)
        return resolved.map { Detection(range: $0.start..<$0.end, entity: kinds[$0.kind]) }
    }

    func runCustomDetectors(on text: String, into raw: inout [RawSpan]) {
        tables.runCustomDetectors(on: text, into: &raw)
    }

    // MARK: - Free text

    /// Redacts free text (a quarantined raw line, the `text` of `gatelog redact`).
    /// - Throws: `RedactionError.blocked` (path `text`) when the policy blocks a type found in it;
    ///   `hashKeyUnavailable` when hashing is configured without a key.
    public func redactText(_ text: String, region: String, tenant: String? = nil) throws -> RedactedText {
        let rules = rules(region: region, tenant: tenant)
        var redactor = Redactor(engine: self, rules: rules, key: try hashKey(for: rules, region: region))
        let replaced = redactor.redact(text, wholeValueIsSecret: false, path: { "text" })
        if let blocked = redactor.blocked { throw RedactionError.blocked(entity: kinds[blocked.kind], path: blocked.path) }
        return RedactedText(text: replaced ?? text, report: redactor.report(droppedFields: 0))
    }

    // MARK: - Records

    /// Redacts one audit record before it is hashed and stored.
    ///
    /// Every string in `content` (any JSON value; normally `{"request":…,"response":…}`) and every
    /// metadata value is scanned; field rules drop or skip members by path (metadata entries are
    /// `metadata.<key>`); a string under a credential-like key (`password`, `api_key`,
    /// `authorization`, `*_token`, `cookie`…) is a SECRET as a whole.
    /// - Returns: compact content bytes, redacted metadata and the report. O(size of the record).
    /// - Throws: `RedactionError.blocked` with the JSON path of the first blocked value,
    ///   `invalidContent` for malformed JSON, `hashKeyUnavailable`.
    public func redactRecord(content: UnsafeRawBufferPointer, metadata: [(key: String, value: String)] = [], region: String,
                             tenant: String? = nil) throws -> RedactedRecord {
        try redactRecord(content: content, original: nil, metadata: metadata, region: region, tenant: tenant)
    }

    /// `redactRecord` over a byte array. When nothing in the content is replaced and it is
    /// already compact, the returned content is `content` itself (no copy); metadata that
    /// nothing changed is returned as the same array too.
    public func redactRecord(content: [UInt8], metadata: [(key: String, value: String)] = [], region: String,
                             tenant: String? = nil) throws -> RedactedRecord {
        try content.withUnsafeBytes { try redactRecord(content: $0, original: content, metadata: metadata, region: region, tenant: tenant) }
    }

    /// `redactRecord(content:…)` for content already validated as JSON, such as
    /// `AuditRecord.contentBytes()` of a parsed record: its strings are delimited without checking
    /// their UTF-8 and escapes again. The result is the same as `redactRecord(content:…)` for
    /// valid JSON; for anything else it is unspecified (but memory-safe). O(size of the record).
    public func redactRecord(validatedContent content: [UInt8], metadata: [(key: String, value: String)] = [], region: String,
                             tenant: String? = nil) throws -> RedactedRecord {
        try content.withUnsafeBytes {
            try redactRecord(content: $0, original: content, metadata: metadata, region: region, tenant: tenant, validated: true)
        }
    }

    /// The record path: the fast walk (`RecordWalker`) when no field rule applies, else (or when
    /// the walk fails, to report the exact JSON error) the general rewriter.
    func redactRecord(content: UnsafeRawBufferPointer, original: [UInt8]?, metadata: [(key: String, value: String)], region: String,
                      tenant: String?, validated: Bool = false) throws -> RedactedRecord {
        let rules = rules(region: region, tenant: tenant)
        let start = Redactor(engine: self, rules: rules, key: try hashKey(for: rules, region: region))
        var redactor: Redactor
        var droppedFields = 0
        let output: [UInt8]
        if rules.fieldRules.isEmpty, let walked = try? RecordWalker.rewrite(content, redactor: start, validated: validated) {
            output = walked.output ?? original ?? Array(content)
            redactor = walked.redactor
        } else {
            var visitor = RecordVisitor(redactor: start, fieldRules: rules.fieldRules)
            do {
                (output, visitor) = try JSONRewriter.rewrite(content, visitor: visitor)
            } catch let error as JSONError {
                throw RedactionError.invalidContent(error)
            }
            redactor = visitor.redactor
            droppedFields = visitor.droppedFields
        }
        // The metadata array is only rebuilt from the first entry that changes or is dropped;
        // until then (usually to the end) the input is returned as it is.
        var newMetadata: [(key: String, value: String)]?
        // Set on the first metadata key renamed: the keys as sent, and the new ones given so far.
        var names: (originals: Set<String>, taken: Set<String>)?
        for (k, (key, value)) in metadata.enumerated() {
            if redactor.blocked != nil { break }
            let decision = rules.fieldRules.isEmpty ? .keep : RecordVisitor.fieldDecision([.key("metadata"), .key(key)], rules: rules.fieldRules)
            var replacement: String?
            var newKey: String?
            switch decision {
            case .drop:
                droppedFields += 1
                if newMetadata == nil { newMetadata = Array(metadata[..<k]) }
                continue
            case .keepUnscanned:
                newKey = redactor.redactName(key, path: { RedactionPath.memberName(in: "metadata") })
            case .keep:
                // One look at the key's bytes for both questions.
                let kind = redactor.classifyMetadataKey(key)
                if kind.mayHoldEntity {
                    newKey = redactor.redact(key, wholeValueIsSecret: false, path: { RedactionPath.memberName(in: "metadata") })
                }
                replacement = redactor.redact(value, wholeValueIsSecret: kind.isCredential, path: { "metadata.\(RedactionPath.shown(key))" })
            }
            if let candidate = newKey {
                if names == nil { names = (Set(metadata.map(\.key)), []) }
                let unique = JSONMemberNames.unique(candidate, originals: names!.originals, taken: names!.taken)
                names!.taken.insert(unique)
                newKey = unique
            }
            if (replacement != nil || newKey != nil) && newMetadata == nil { newMetadata = Array(metadata[..<k]) }
            newMetadata?.append((newKey ?? key, replacement ?? value))
        }
        if let blocked = redactor.blocked { throw RedactionError.blocked(entity: kinds[blocked.kind], path: blocked.path) }
        return RedactedRecord(content: output, metadata: newMetadata ?? metadata, report: redactor.report(droppedFields: droppedFields),
                              renamedMembers: redactor.renamedMembers)
    }
}

/// Visits a record's members and strings for `JSONRewriter`.
struct RecordVisitor: JSONStringVisitor {
    var redactor: Redactor
    let fieldRules: [FieldRule]
    var droppedFields = 0
    /// Whether the member at each depth of the current path has a credential-like name; set
    /// when the rewriter announces the member (`decide`), so each name is classified once.
    var credentialAtDepth: [Bool] = []
    /// Scratch for unescaping strings, reused across strings.
    var unescaped: [UInt8] = []
    /// A member name that may hold an entity is scanned like a value (as `RecordWalker` does).
    mutating func rewriteName(path: [JSONPathComponent]) -> String? {
        guard redactor.blocked == nil, case .key(let key)? = path.last else { return nil }
        return redactor.redactName(key, path: { RedactionPath.memberName(in: RedactionPath.render(path.dropLast())) })
    }

    mutating func renamed(path: [JSONPathComponent], to name: String) {
        if path.count == 1, case .key(let key) = path[0] { redactor.renamedMembers = (redactor.renamedMembers ?? [:]).merging([name: key]) { _, new in new } }
    }

    func fieldDecision(_ path: [JSONPathComponent]) -> JSONMemberDecision {
        Self.fieldDecision(path, rules: fieldRules)
    }

    /// What the first matching field rule does with the member at `path` (`keep` when none matches).
    static func fieldDecision(_ path: [JSONPathComponent], rules: [FieldRule]) -> JSONMemberDecision {
        for rule in rules where rule.matches(path) {
            return rule.kind == .drop ? .drop : .keepUnscanned
        }
        return .keep
    }

    mutating func decide(path: [JSONPathComponent]) -> JSONMemberDecision {
        if redactor.blocked != nil { return .keepUnscanned }
        let depth = path.count - 1
        while credentialAtDepth.count <= depth { credentialAtDepth.append(false) }
        if case .key(let key) = path[depth] { credentialAtDepth[depth] = Redactor.isCredentialKey(key, includeCookies: true) }
        if fieldRules.isEmpty { return .keep }
        let decision = fieldDecision(path)
        if case .drop = decision { droppedFields += 1 }
        return decision
    }

    /// Whether the nearest member name above `path` is credential-like. O(path length).
    func nearestKeyIsCredential(_ path: [JSONPathComponent]) -> Bool {
        var k = path.count - 1
        while k >= 0 {
            if case .key = path[k] { return k < credentialAtDepth.count && credentialAtDepth[k] }
            k -= 1
        }
        return false
    }

    mutating func rewrite(_ string: String, path: [JSONPathComponent]) -> String? {
        if redactor.blocked != nil || string.isEmpty { return nil }
        return redactor.redact(string, wholeValueIsSecret: nearestKeyIsCredential(path), path: { RedactionPath.render(path) })
    }

    /// Scans string bytes directly (unescaping into a reused buffer when needed), so no String
    /// is built unless something is found or a custom detector needs one.
    mutating func rewrite(rawBody: UnsafeRawBufferPointer, hasEscapes: Bool, path: [JSONPathComponent]) -> String? {
        if redactor.blocked != nil || rawBody.isEmpty { return nil }
        let credential = nearestKeyIsCredential(path)
        if !hasEscapes {
            let bytes = UnsafeBufferPointer(start: rawBody.baseAddress!.assumingMemoryBound(to: UInt8.self), count: rawBody.count)
            return redactor.redact(bytes: bytes, makeText: { String(decoding: bytes, as: UTF8.self) },
                                   wholeValueIsSecret: credential, path: { RedactionPath.render(path) })
        }
        var buffer: [UInt8] = []
        swap(&buffer, &unescaped)
        defer { swap(&buffer, &unescaped) }
        JSONUnescaper.unescape(rawBody, into: &buffer)
        return buffer.withUnsafeBufferPointer { bytes in
            redactor.redact(bytes: bytes, makeText: { String(decoding: bytes, as: UTF8.self) },
                            wholeValueIsSecret: credential, path: { RedactionPath.render(path) })
        }
    }

    /// Numbers are scanned too when they could hide a value: 13+ digits (a card number) or any
    /// number under a credential-like key (`"pin_code": 123456`, `"password": 1234567`). A
    /// replaced number becomes a JSON string.
    mutating func rewriteNumber(_ number: UnsafeRawBufferPointer, path: [JSONPathComponent]) -> String? {
        if redactor.blocked != nil { return nil }
        let credential = nearestKeyIsCredential(path)
        guard credential || number.count >= 13 else { return nil }
        let bytes = UnsafeBufferPointer(start: number.baseAddress!.assumingMemoryBound(to: UInt8.self), count: number.count)
        return redactor.redact(bytes: bytes, makeText: { String(decoding: bytes, as: UTF8.self) },
                               wholeValueIsSecret: credential, path: { RedactionPath.render(path) })
    }
}

/// Decodes the body of a validated JSON string into bytes.
enum JSONUnescaper {
    /// Unescapes `raw` (between the quotes, already validated by the JSON scanner) into `out`.
    /// Runs without escapes are copied in bulk. O(n).
    static func unescape(_ raw: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        out.reserveCapacity(raw.count)
        let n = raw.count
        guard let base = raw.baseAddress else { return }
        var i = 0
        while i < n {
            guard let hit = memchr(base + i, Int32(UInt8(ascii: "\\")), n - i) else {
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[i..<n]))
                return
            }
            let k = base.distance(to: UnsafeRawPointer(hit))
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[i..<k]))
            guard k + 1 < n else { return }
            let e = raw[k + 1]
            i = k + 2
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                var scalar = hex4(raw, i)
                i += 4
                if scalar >= 0xD800 && scalar < 0xDC00 && i + 6 <= n && raw[i] == UInt8(ascii: "\\") && raw[i + 1] == UInt8(ascii: "u") {
                    let low = hex4(raw, i + 2)
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low &- 0xDC00)
                    i += 6
                }
                UTF8.encode(Unicode.Scalar(scalar) ?? "\u{FFFD}") { out.append($0) }
            default: out.append(e)  // \" \\ \/
            }
        }
    }

    static func hex4(_ raw: UnsafeRawBufferPointer, _ at: Int) -> UInt32 { JSONSyntax.hexQuad(raw, at) ?? 0xFFFD }
}

/// The per-call state of an engine applying one set of rules: scratch buffers and counts.
struct Redactor {
    let tables: RedactionEngine.Tables
    let rules: RedactionEngine.ResolvedRules
    let key: HashKey?
    var raw: [RawSpan] = []
    var resolved: [ResolvedSpan] = []
    var counts: [Int] = []
    var output: [UInt8] = []
    var blocked: (kind: Int, path: String)?
    /// Members of the content's top-level object whose names were redacted: new name → original
    /// name; nil while none was (the usual case costs no dictionary).
    var renamedMembers: [String: String]?
    /// The policy has custom detectors: every member name is scanned (`nameMayHoldEntity`). Kept
    /// here so that the per-name test reads no class property (no retain and release per name).
    let scansEveryName: Bool

    init(engine: RedactionEngine, rules: RedactionEngine.ResolvedRules, key: HashKey?) {
        self.tables = engine.tables
        self.scansEveryName = engine.tables.hasCustomDetectors
        self.rules = rules
        self.key = key
    }

    /// Position of an action in `RedactionAction.allCases` (the layout of `counts`).
    @inline(__always) static func actionIndex(_ action: RedactionAction) -> Int {
        switch action {
        case .redact: return 0
        case .mask: return 1
        case .hash: return 2
        case .allow: return 3
        case .block: return 4
        }
    }

    /// Whether a member name (`count` bytes at `p`, as written: escapes not decoded) may hold an
    /// entity the detectors find, by one look at its bytes, so that the usual names (`role`,
    /// `content`, `finish_reason`) cost no scan: a digit, `:`, `;`, `<`, `=`, `>`, `?`, `@` or a
    /// non-ASCII byte in a name of at least 6 bytes (an escaped name has digits: `\u0040`), or any
    /// name of 24 bytes or more (a secret without digits). With custom detectors (policy
    /// expressions) every name is scanned. O(n).
    @inline(__always) func nameMayHoldEntity(_ p: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        Self.nameMayHoldEntity(p, count, scansEveryName: scansEveryName)
    }

    /// `nameMayHoldEntity` without the redactor (closures that call it capture no copy of it).
    @inline(__always) static func nameMayHoldEntity(_ p: UnsafePointer<UInt8>, _ count: Int, scansEveryName: Bool) -> Bool {
        if count >= 24 { return true }
        if scansEveryName { return count > 0 }
        guard count >= 6 else { return false }
        // Eight bytes at a time (this runs for every member of every record), the last word
        // overlapping the one before; 6 or 7 bytes as two overlapping 4-byte words. Only the
        // name's own bytes are read.
        let raw = UnsafeRawPointer(p)
        if count < 8 {
            let w = UInt64(raw.loadUnaligned(as: UInt32.self)) | UInt64(raw.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)) << 32
            return wordMayHoldEntity(w)
        }
        var i = 0
        while i + 8 < count {
            if wordMayHoldEntity(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) { return true }
            i += 8
        }
        return wordMayHoldEntity(raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self))
    }

    /// Whether one of the 8 bytes of `w` is in 0x30...0x40 (digits, `:`, `;`, `<`, `=`, `>`, `?`,
    /// `@`) or non-ASCII (SWAR). An escaped name has digits too (`\u0040`).
    @inline(__always) static func wordMayHoldEntity(_ w: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, high: UInt64 = 0x8080_8080_8080_8080
        // The "has a byte between m and n" bit trick, m = 0x2F, n = 0x41, exact for bytes below
        // 0x80; a word with a byte from 0x80 up counts whatever it gives.
        let between = (ones &* (127 + 0x41) &- w) & ~w & (w &+ ones &* (127 - 0x2F))
        return (between | w) & high != 0
    }

    /// The redacted form of a member name, or nil when it is kept (nothing found, or too plain to
    /// hold anything: `nameMayHoldEntity`). A blocked entity sets `blocked` with `path`.
    mutating func redactName(_ name: String, path: () -> String) -> String? {
        guard classifyMetadataKey(name).mayHoldEntity else { return nil }
        return redact(name, wholeValueIsSecret: false, path: path)
    }

    static func isCredentialKey(_ key: String, includeCookies: Bool) -> Bool {
        var k = key
        return k.withUTF8 { buffer in
            guard let base = buffer.baseAddress else { return false }
            return isCredentialKey(base, buffer.count, includeCookies: includeCookies)
        }
    }

    /// `isCredentialKey` over the name's UTF-8 bytes.
    @inline(__always) static func isCredentialKey(_ base: UnsafePointer<UInt8>, _ count: Int, includeCookies: Bool) -> Bool {
        guard count >= 2, count <= 64 else { return false }
        switch TextScanner.classifyKey(base, count) {
        case .credential?, .authorization?: return true
        case .cookie?: return includeCookies
        case .randomKey?: return false
        case nil: return false
        }
    }

    /// For a metadata key, in one look at its bytes: whether it is credential-like (its value is
    /// then a secret as a whole) and whether it may hold an entity (`nameMayHoldEntity`).
    func classifyMetadataKey(_ key: String) -> (isCredential: Bool, mayHoldEntity: Bool) {
        let everyName = scansEveryName
        var k = key
        return k.withUTF8 { buffer in
            guard let base = buffer.baseAddress else { return (false, false) }
            return (Self.isCredentialKey(base, buffer.count, includeCookies: true),
                    Self.nameMayHoldEntity(base, buffer.count, scansEveryName: everyName))
        }
    }

    /// The report for everything redacted so far.
    func report(droppedFields: Int) -> RedactionReport {
        guard !counts.isEmpty else { return RedactionReport(policyVersion: tables.policy.version, droppedFields: droppedFields) }
        var entries: [RedactionReport.Entry] = []
        for kind in tables.kindsByName {
            for a in 0..<5 {
                let n = counts[kind * 5 + a]
                if n > 0 { entries.append(RedactionReport.Entry(entity: tables.kinds[kind], action: Self.actions[a], count: n)) }
            }
        }
        return RedactionReport(policyVersion: tables.policy.version, sortedEntries: entries, droppedFields: droppedFields)
    }

    static let actions: [RedactionAction] = [.redact, .mask, .hash, .allow, .block]

    /// Redacts one string; nil when nothing changes (or when a blocked type was found: then
    /// `blocked` is set and the caller stops).
    mutating func redact(_ text: String, wholeValueIsSecret: Bool, path: () -> String) -> String? {
        if let result = text.utf8.withContiguousStorageIfAvailable({
            redact(bytes: $0, makeText: { text }, wholeValueIsSecret: wholeValueIsSecret, path: path)
        }) {
            return result
        }
        var copy = text
        copy.makeContiguousUTF8()
        return copy.utf8.withContiguousStorageIfAvailable {
            redact(bytes: $0, makeText: { copy }, wholeValueIsSecret: wholeValueIsSecret, path: path)
        } ?? nil
    }

    /// Redacts the UTF-8 `bytes`; `makeText` gives the same text as a String, needed only by
    /// custom detectors.
    mutating func redact(bytes: UnsafeBufferPointer<UInt8>, makeText: () -> String, wholeValueIsSecret: Bool,
                         path: () -> String) -> String? {
        guard redactIntoOutput(bytes: bytes, makeText: makeText, wholeValueIsSecret: wholeValueIsSecret, path: path) else { return nil }
        return String(decoding: output, as: UTF8.self)
    }

    /// `redact(bytes:…)` without the String: true when something is replaced, the new text
    /// then being in `output` (UTF-8 bytes, the input's bytes between the replacements).
    mutating func redactIntoOutput(bytes: UnsafeBufferPointer<UInt8>, makeText: () -> String, wholeValueIsSecret: Bool,
                                   path: () -> String) -> Bool {
        raw.removeAll(keepingCapacity: true)
        if wholeValueIsSecret, bytes.count > 0 {
            let scanner = TextScanner(bytes, spans: [])
            if scanner.isPlausibleValue(0, bytes.count, quoted: true) {
                raw.append(RawSpan(start: 0, end: bytes.count, kind: Int(BuiltinKind.secret.rawValue), priority: 9))
            }
        }
        if raw.isEmpty { TextScanner.scan(bytes, into: &raw) }
        if tables.hasCustomDetectors { tables.runCustomDetectors(on: makeText(), into: &raw) }
        if raw.isEmpty { return false }
        resolved.removeAll(keepingCapacity: true)
        TextScanner.resolve(&raw, into: &resolved)

        let actionCount = 5  // RedactionAction.allCases.count
        if counts.isEmpty { counts = [Int](repeating: 0, count: tables.kinds.count * actionCount) }
        var changed = false
        for span in resolved {
            let action = rules.actions[span.kind]
            counts[span.kind * actionCount + Self.actionIndex(action)] += 1
            switch action {
            case .block:
                blocked = (span.kind, path())
                return false
            case .allow:
                continue
            default:
                changed = true
            }
        }
        guard changed else { return false }
        output.removeAll(keepingCapacity: true)
        output.reserveCapacity(bytes.count + 16)
        var position = 0
        for span in resolved {
            let action = rules.actions[span.kind]
            if action == .allow { continue }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[position..<span.start]))
            let value = UnsafeBufferPointer(rebasing: bytes[span.start..<span.end])
            switch action {
            case .mask: appendMask(kind: span.kind, value: value)
            case .hash: appendHash(kind: span.kind, value: value)
            default: output.append(contentsOf: tables.labels[span.kind])
            }
            position = span.end
        }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[position..<bytes.count]))
        return true
    }

    /// `[TYPE:…4242]`: the last four ASCII letters or digits, or fewer so that at least half
    /// of them stay hidden.
    mutating func appendMask(kind: Int, value: UnsafeBufferPointer<UInt8>) {
        var alnum = 0
        for c in value where Bytes.isAlnum(c) { alnum += 1 }
        let keep = min(4, alnum / 2)
        var kept: [UInt8] = []
        var i = value.count - 1
        while i >= 0 && kept.count < keep {
            if Bytes.isAlnum(value[i]) { kept.append(value[i]) }
            i -= 1
        }
        let name = tables.labels[kind].dropLast()  // "[TYPE"
        output.append(contentsOf: name)
        output.append(UInt8(ascii: ":"))
        output.append(contentsOf: [0xE2, 0x80, 0xA6])  // …
        output.append(contentsOf: kept.reversed())
        output.append(UInt8(ascii: "]"))
    }

    /// `[TYPE:5f2a9c1e]`: the first 8 hex digits of HMAC-SHA256(region key, type NUL value),
    /// where the value is normalised so that formatting does not break correlation (digits and
    /// letters only, upper-cased, for cards, phones, SSNs and IBANs; lower-cased e-mails).
    mutating func appendHash(kind: Int, value: UnsafeBufferPointer<UInt8>) {
        var message = Array(tables.kinds[kind].name.utf8)
        message.append(0)
        switch kind {
        case Int(BuiltinKind.creditCard.rawValue), Int(BuiltinKind.phone.rawValue), Int(BuiltinKind.usSSN.rawValue), Int(BuiltinKind.iban.rawValue):
            for c in value where Bytes.isAlnum(c) { message.append(Bytes.upper(c)) }
        case Int(BuiltinKind.email.rawValue):
            for c in value { message.append(Bytes.lower(c)) }
        default:
            message.append(contentsOf: value)
        }
        // `key` is non-nil whenever an action is `hash` (checked before redaction starts).
        let digest = message.withUnsafeBytes { HMACSHA256.authenticate(key: key!.bytes, message: $0) }
        let prefix = Hex.encode(digest.bytes.prefix(4))
        output.append(contentsOf: tables.labels[kind].dropLast())
        output.append(UInt8(ascii: ":"))
        output.append(contentsOf: prefix.utf8)
        output.append(UInt8(ascii: "]"))
    }
}

extension TextScanner {
    /// Runs the built-in detectors over `buffer`, appending raw (overlapping) spans to `spans`.
    static func scan(_ buffer: UnsafeBufferPointer<UInt8>, into spans: inout [RawSpan]) {
        guard buffer.count > 0 else { return }
        var scanner = TextScanner(buffer, spans: [])
        swap(&scanner.spans, &spans)
        scanner.run()
        // Text escaped once more than it should be (`\n4111…`, `\u0022sk-…`): one more scan.
        if scanner.sawBackslash && scanner.hasUncoveredTextEscape() { scanner.escapeFoldedScan() }
        swap(&scanner.spans, &spans)
    }
}
