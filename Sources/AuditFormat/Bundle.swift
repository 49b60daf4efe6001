import Foundation
import GatelogCrypto
import JSON

/// A compliance bundle (docs/FORMAT.md §12): records exported with their RFC 9162 inclusion
/// proofs against signed checkpoints, in one NDJSON file that a third party verifies offline
/// with nothing but the store's public key. This type writes the lines; `BundleVerifier` checks
/// them.
public enum ComplianceBundle {
    /// The `type` of the first line.
    public static let formatName = "gatelog-bundle"
    public static let version = 1

    /// The first line: what was exported, when and by whom.
    public static func headerLine(created: Int64, exportedBy: String, filter: JSONValue, contentIncluded: Bool,
                                  warnings: [String]) -> [UInt8] {
        var members = [JSONMember("type", .string(formatName)), JSONMember("version", .int(version)),
                       JSONMember("created", .string(Timestamp.format(milliseconds: created))),
                       JSONMember("exported_by", .string(exportedBy)), JSONMember("filter", filter),
                       JSONMember("content", .bool(contentIncluded))]
        if !warnings.isEmpty { members.append(JSONMember("warnings", .array(warnings.map { .string($0) }))) }
        return line(.object(members))
    }

    /// A region's signed checkpoint, before the first record of that region; `keys` are the
    /// verifier keys (C2SP text) of the store, for a verifier that has none pinned.
    public static func checkpointLine(region: String, note: String, keys: [LogVerifierKey]) -> [UInt8] {
        line(.object([JSONMember("type", "checkpoint"), JSONMember("region", .string(region)), JSONMember("note", .string(note)),
                      JSONMember("keys", .array(keys.map { .string($0.encoded) }))]))
    }

    /// One record: its stored envelope and content bytes (as JSON strings holding them exactly),
    /// or the content digest alone when the content is not exported, and its inclusion path.
    public static func recordLine(region: String, position: UInt64, envelope: [UInt8], content: [UInt8]?,
                                  contentDigest: Digest32, inclusionPath: [Digest32]) -> [UInt8] {
        var out = Array(#"{"type":"record","region":"#.utf8)
        JSONWriter.appendString(region, to: &out)
        out += Array(#","position":\#(position),"envelope":"#.utf8)
        envelope.withUnsafeBufferPointer { JSONWriter.appendString(utf8: $0, to: &out) }
        if let content {
            out += Array(#","content":"#.utf8)
            content.withUnsafeBufferPointer { JSONWriter.appendString(utf8: $0, to: &out) }
        } else {
            out += Array(#","content_digest":""#.utf8) + Array(contentDigest.hex.utf8) + [UInt8(ascii: "\"")]
        }
        out += Array(#","inclusion_path":["#.utf8)
        for (i, d) in inclusionPath.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out += [UInt8(ascii: "\"")] + Array(d.hex.utf8) + [UInt8(ascii: "\"")]
        }
        out += Array("]}\n".utf8)
        return out
    }

    /// The last line: counts, and the SHA-256 of every byte before it (a cut or altered file is
    /// told from a complete one; authenticity comes from the checkpoints' signatures).
    public static func endLine(records: Int, uncovered: Int, digest: Digest32) -> [UInt8] {
        line(.object([JSONMember("type", "end"), JSONMember("records", .int(records)), JSONMember("uncovered", .int(uncovered)),
                      JSONMember("sha256", .string(digest.hex))]))
    }

    static func line(_ value: JSONValue) -> [UInt8] {
        var out = [UInt8]()
        JSONWriter.append(value, to: &out)
        out.append(0x0A)
        return out
    }
}

/// What `BundleVerifier` found.
public struct BundleVerification: Sendable {
    /// Per region: the checkpoint the records are proven against, and how many records.
    public struct Region: Sendable {
        public var region: String
        public var treeSize: UInt64
        public var checkpointTime: Int64
        public var records: Int
        /// Every position `0 ..< treeSize` is in the bundle: the region's whole log up to the
        /// checkpoint (nothing left out). A filtered export is not complete in this sense.
        public var complete: Bool
    }

    /// One problem, at a 1-based line of the bundle (0: the file as a whole).
    public struct Problem: Sendable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { line > 0 ? "line \(line): \(message)" : message }
    }

    public var regions: [Region] = []
    public var records = 0
    public var contentIncluded = false
    public var created: String?
    public var exportedBy: String?
    /// What the exporter warned about the selection (the header's `warnings`), e.g. a region whose
    /// index stopped at damage. Not signed, like the rest of the header.
    public var exportWarnings: [String] = []
    /// The records the export left out because no checkpoint covered them yet (from the end line).
    public var uncovered = 0
    public var problems: [Problem] = []
    /// Notes that are not failures (e.g. keys taken from the bundle itself).
    public var notes: [String] = []
    public var problemsTruncated = false

    public var isValid: Bool { problems.isEmpty }
}

/// Checks a compliance bundle offline, line by line (any size, constant memory but one position
/// set per region): the header and end line (counts and SHA-256 over the bytes), every
/// checkpoint's signature under a trusted key, and for every record its digests, leaf hash and
/// inclusion proof against its region's checkpoint. docs/FORMAT.md §12.
///
/// Feed each line (without its newline) to `add(line:)`, then call `finish()`.
public final class BundleVerifier {
    /// The keys a checkpoint must be signed by. Nil: the keys the bundle carries (which only shows
    /// that the bundle is consistent; pin the store's keys for authenticity).
    public let trustedKeys: VerifierKeyring?
    /// At most this many problems are listed.
    public var maxProblems = 100

    private struct RegionState {
        var checkpoint: Checkpoint
        var positions = Set<UInt64>()
    }
    private var result = BundleVerification()
    private var regions: [String: RegionState] = [:]
    private var regionOrder: [String] = []
    private let hasher = SHA256Hasher()
    private var lineNumber = 0
    private var sawHeader = false
    private var sawEnd = false
    private var stopped = false
    private var contentIncluded = false
    private var unprovenRegions = Set<String>()

    public init(trustedKeys: VerifierKeyring? = nil) {
        self.trustedKeys = trustedKeys
        if trustedKeys == nil {
            result.notes.append("no keys pinned: checkpoints were checked against the keys in the bundle itself, which shows it is consistent, not who made it (pass the store's public keys)")
        }
    }

    /// Verifies a whole bundle held in memory.
    public static func verify(_ bytes: [UInt8], trustedKeys: VerifierKeyring? = nil) -> BundleVerification {
        let verifier = BundleVerifier(trustedKeys: trustedKeys)
        var start = 0
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
            verifier.add(line: bytes[start..<end], terminated: end < bytes.count)
            start = end + 1
        }
        return verifier.finish()
    }

    private func problem(_ line: Int, _ message: String) {
        if result.problems.count >= maxProblems { result.problemsTruncated = true; return }
        result.problems.append(.init(line: line, message: message))
    }

    /// One line of the bundle, without its newline; `terminated` is false for a last line that
    /// has none (a cut file).
    public func add(line: ArraySlice<UInt8>, terminated: Bool = true) {
        guard !stopped else { return }
        lineNumber += 1
        if sawEnd { problem(lineNumber, "data after the end line"); stopped = true; return }
        if !terminated { problem(lineNumber, "the last line has no newline: the bundle was cut short") }
        if line.contains(0x0D) { problem(lineNumber, "a carriage return outside a string (lines end in LF only)") }
        let value: JSONValue
        do { value = try JSONValue.parse(Array(line)) } catch {
            problem(lineNumber, "not a JSON object (\(error))")
            hash(line)
            return
        }
        let type = value["type"]?.stringValue
        // One reading only: a member given twice (which one a JSON reader keeps differs from one
        // reader to the next) or one this version does not define makes the line invalid.
        guard let members = value.objectMembers else {
            problem(lineNumber, "not a JSON object")
            hash(line)
            return
        }
        guard members.first?.key == "type" else {
            problem(lineNumber, "the first member is not type")
            hash(line)
            return
        }
        var names = Set<String>()
        for m in members where !names.insert(m.key).inserted {
            problem(lineNumber, "member '\(m.key)' appears twice")
            hash(line)
            return
        }
        if let allowed = type.flatMap({ Self.members[$0] }), let unknown = names.subtracting(allowed).sorted().first {
            problem(lineNumber, "member '\(unknown)' is not part of a \(type!) line")
            hash(line)
            return
        }
        if !sawHeader {
            guard type == ComplianceBundle.formatName else {
                problem(lineNumber, "the first line is not a \(ComplianceBundle.formatName) header")
                stopped = true
                return
            }
            guard Self.count(value["version"]) == UInt64(ComplianceBundle.version) else {
                problem(lineNumber, "bundle version \(value["version"]?.serializedString ?? "missing") is not supported (this verifier reads version \(ComplianceBundle.version))")
                stopped = true
                return
            }
            guard let content = value["content"]?.boolValue else {
                problem(lineNumber, "the header's content member must be true or false")
                stopped = true
                return
            }
            sawHeader = true
            result.contentIncluded = content
            contentIncluded = result.contentIncluded
            result.created = value["created"]?.stringValue
            result.exportedBy = value["exported_by"]?.stringValue
            result.exportWarnings = (value["warnings"]?.arrayValue ?? []).compactMap(\.stringValue)
            hash(line)
            return
        }
        switch type {
        case "checkpoint": checkpoint(value)
        case "record": record(value)
        case "end":
            sawEnd = true
            if value["sha256"]?.stringValue != hasher.finalize().hex {
                problem(lineNumber, "the bundle's bytes do not match the end line's sha256 (lines were altered, added or removed)")
            }
            if Self.count(value["records"]) != UInt64(result.records) {
                problem(lineNumber, "the end line counts \(value["records"]?.serializedString ?? "no") records, the bundle holds \(result.records)")
            }
            result.uncovered = Int(clamping: Self.count(value["uncovered"]) ?? 0)
            return  // the end line is not part of its own digest
        default:
            problem(lineNumber, "unknown line type \(type.map { "'\($0)'" } ?? "(none)")")
        }
        hash(line)
    }

    /// The members each line type has (version 1).
    static let members: [String: Set<String>] = [
        ComplianceBundle.formatName: ["type", "version", "created", "exported_by", "filter", "content", "warnings"],
        "checkpoint": ["type", "region", "note", "keys"],
        "record": ["type", "region", "position", "envelope", "content", "content_digest", "inclusion_path"],
        "end": ["type", "records", "uncovered", "sha256"],
    ]

    /// A JSON integer written as digits only (`12`, not `12.0` or `1e1`), ≥ 0.
    static func count(_ value: JSONValue?) -> UInt64? {
        guard case .number(let text)? = value, !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              text == "0" || !text.hasPrefix("0") else { return nil }
        return UInt64(text)
    }

    /// A digest as §12 writes every one: 64 lowercase hex digits. Upper-case digits would give
    /// the same bytes, but a bundle has one spelling, so that its lines read one way (and its
    /// end line's sha256, compared as text, is held to the same rule).
    static func lowercaseDigest(_ text: String) -> Digest32? {
        guard text.utf8.count == 64, text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else { return nil }
        return Digest32(hex: text)
    }

    private func hash(_ line: ArraySlice<UInt8>) {
        line.withUnsafeBytes { hasher.update($0) }
        hasher.update([UInt8(0x0A)])
    }

    private func checkpoint(_ value: JSONValue) {
        guard let region = value["region"]?.stringValue, let note = value["note"]?.stringValue,
              let signed = SignedCheckpoint.parse(note: note) else {
            return problem(lineNumber, "malformed checkpoint line")
        }
        guard signed.checkpoint.origin == Checkpoint.origin(region: region) else {
            return problem(lineNumber, "the checkpoint is for origin '\(signed.checkpoint.origin)', not region \(region)")
        }
        var keyring = trustedKeys ?? VerifierKeyring()
        if trustedKeys == nil {
            for text in value["keys"]?.arrayValue ?? [] {
                if let s = text.stringValue, let key = LogVerifierKey(encoded: s) { keyring.add(key) }
            }
        }
        guard signed.isSigned(by: keyring) else {
            return problem(lineNumber, "the checkpoint of region \(region) (size \(signed.checkpoint.treeSize)) has no valid signature from a trusted key")
        }
        guard regions[region] == nil else { return problem(lineNumber, "a second checkpoint for region \(region)") }
        regions[region] = RegionState(checkpoint: signed.checkpoint)
        regionOrder.append(region)
    }

    private func record(_ value: JSONValue) {
        result.records += 1
        guard let region = value["region"]?.stringValue, let unsignedPosition = Self.count(value["position"]), unsignedPosition <= 1 << 62,
              let envelope = value["envelope"]?.stringValue, let path = value["inclusion_path"]?.arrayValue else {
            return problem(lineNumber, "malformed record line")
        }
        let position = Int64(unsignedPosition)
        if (value["content"] != nil) != contentIncluded {
            return problem(lineNumber, contentIncluded ? "a record without content in a bundle whose header says content is included"
                                                       : "a record with content in a bundle whose header says content is not included")
        }
        guard var state = regions[region] else {
            // Once per region: with the wrong key pinned, every record would say it again.
            if unprovenRegions.insert(region).inserted {
                problem(lineNumber, "a record of region \(region) before (or without) a valid checkpoint of that region (and every later one)")
            }
            return
        }
        let contentDigest: Digest32
        if value["content"] != nil && value["content_digest"] != nil {
            return problem(lineNumber, "a record has content or content_digest, not both")
        }
        if let content = value["content"]?.stringValue {
            contentDigest = SHA256.hash(Array(content.utf8))
        } else if let stated = value["content_digest"]?.stringValue, let d = Self.lowercaseDigest(stated) {
            contentDigest = d
        } else if value["content_digest"] != nil {
            return problem(lineNumber, "content_digest is not 64 lowercase hex digits")
        } else {
            return problem(lineNumber, "a record needs content or content_digest")
        }
        let proof = path.compactMap { $0.stringValue.flatMap(Self.lowercaseDigest) }
        guard proof.count == path.count else { return problem(lineNumber, "malformed inclusion_path (each element is 64 lowercase hex digits)") }
        let leaf = LogHash.leaf(envelopeDigest: SHA256.hash(Array(envelope.utf8)), contentDigest: contentDigest)
        let cp = state.checkpoint
        if UInt64(position) >= cp.treeSize {
            return problem(lineNumber, "position \(position) of region \(region) is beyond its checkpoint (size \(cp.treeSize))")
        }
        guard MerkleProof.verifyInclusion(leaf: leaf, index: UInt64(position), treeSize: cp.treeSize, path: proof, root: cp.rootHash) else {
            return problem(lineNumber, "record at position \(position) of region \(region) does not match the signed checkpoint (altered, or its proof is wrong)")
        }
        guard state.positions.insert(UInt64(position)).inserted else {
            return problem(lineNumber, "position \(position) of region \(region) appears twice")
        }
        regions[region] = state
    }

    /// The result, once every line was added.
    public func finish() -> BundleVerification {
        if !sawHeader { problem(0, "not a \(ComplianceBundle.formatName): no header line") }
        else if !sawEnd && !stopped { problem(0, "no end line: the bundle was cut short") }
        result.regions = regionOrder.map { name in
            let s = regions[name]!
            return .init(region: name, treeSize: s.checkpoint.treeSize, checkpointTime: s.checkpoint.time, records: s.positions.count,
                         complete: UInt64(s.positions.count) == s.checkpoint.treeSize)
        }
        return result
    }
}
