import Foundation
import GatelogCrypto

/// A signed statement of a region log's state, in the C2SP tlog-checkpoint format
/// carried in a C2SP signed note. See docs/FORMAT.md, "Checkpoints".
///
/// ```
/// gatelog/eu-west-1
/// 1042
/// <base64 Merkle root>
/// chain <base64 chain head>
/// time <unix milliseconds>
///
/// — gatelog-1a2b3c4d <base64(key hash || Ed25519 signature)>
/// ```
public struct Checkpoint: Sendable, Equatable {
    /// The log's origin line: `gatelog/<region>`.
    public var origin: String
    /// Number of records (leaves) covered.
    public var treeSize: UInt64
    /// RFC 9162 Merkle tree hash over the first `treeSize` leaves.
    public var rootHash: Digest32
    /// Chain hash of record `treeSize - 1` (all zero when the log is empty).
    public var chainHead: Digest32
    /// Signing time, milliseconds since the epoch.
    public var time: Int64

    public init(origin: String, treeSize: UInt64, rootHash: Digest32, chainHead: Digest32, time: Int64) {
        self.origin = origin
        self.treeSize = treeSize
        self.rootHash = rootHash
        self.chainHead = chainHead
        self.time = time
    }

    /// The origin for a region.
    public static func origin(region: String) -> String { "gatelog/\(region)" }

    /// The region named by the origin, if it is a gatelog origin.
    public var region: String? {
        origin.hasPrefix("gatelog/") ? String(origin.dropFirst("gatelog/".count)) : nil
    }

    /// The note body (the signed text), ending with a newline.
    public var body: String {
        "\(origin)\n\(treeSize)\n\(rootHash.base64)\nchain \(chainHead.base64)\ntime \(time)\n"
    }

    /// Signs the checkpoint, producing the full signed note text.
    public func signed(with key: LogSigningKey) throws -> SignedCheckpoint {
        let message = Array(body.utf8)
        let signature = try key.sign(message)
        let line = SignatureLine(name: key.name, keyHash: key.verifier.keyHashValue, signature: signature)
        return SignedCheckpoint(checkpoint: self, signatures: [line])
    }

    /// Parses a note body; nil when it is not exactly the body `body` gives for its fields (the
    /// five lines of docs/FORMAT.md §6, in order, nothing else).
    public static func parse(body: String) -> Checkpoint? {
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 6, lines.last == "", !lines[0].isEmpty,
              let size = UInt64(lines[1]), String(size) == lines[1],
              let rootData = Data(base64Encoded: String(lines[2])), let root = Digest32(bytes: rootData) else { return nil }
        var chain: Digest32?
        var time: Int64?
        for line in lines[3..<(lines.count - 1)] {
            if line.hasPrefix("chain "), let d = Data(base64Encoded: String(line.dropFirst(6))) { chain = Digest32(bytes: d) }
            if line.hasPrefix("time ") { time = Int64(line.dropFirst(5)) }
        }
        guard let chain, let time else { return nil }
        let checkpoint = Checkpoint(origin: String(lines[0]), treeSize: size, rootHash: root, chainHead: chain, time: time)
        // Signatures are verified over `body` as gatelog writes it, so only that exact text is a
        // checkpoint: an added line, another order or another spelling of a value would pass a
        // check over the re-serialised fields although the stored bytes differ from what was signed.
        guard checkpoint.body == body else { return nil }
        return checkpoint
    }
}

/// One signature line of a signed note: `— <name> <base64(key hash || signature)>`.
public struct SignatureLine: Sendable, Equatable {
    public var name: String
    public var keyHash: UInt32
    public var signature: [UInt8]

    /// The line text without its newline.
    public var text: String {
        var blob = withUnsafeBytes(of: keyHash.bigEndian) { Array($0) }
        blob.append(contentsOf: signature)
        return "\u{2014} \(name) \(Data(blob).base64EncodedString())"
    }

    /// Parses a signature line; nil when malformed. The base64 must be canonical (as the body's
    /// is): padded, and with the unused bits of its last character zero — re-encoding the bytes
    /// must give the same text, so that an edit of the line that keeps its bytes is caught too.
    public static func parse(_ line: Substring) -> SignatureLine? {
        guard line.hasPrefix("\u{2014} ") else { return nil }
        let parts = line.dropFirst(2).split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty else { return nil }
        let text = String(parts[1])
        guard let blob = Data(base64Encoded: text), blob.count == 68, blob.base64EncodedString() == text else { return nil }
        let bytes = Array(blob)
        let hash = bytes[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return SignatureLine(name: String(parts[0]), keyHash: hash, signature: Array(bytes[4...]))
    }
}

/// A checkpoint with its signatures.
public struct SignedCheckpoint: Sendable, Equatable {
    public var checkpoint: Checkpoint
    public var signatures: [SignatureLine]

    /// The signed note text: body, blank line, signature lines (each ending in a newline).
    public var noteText: String {
        checkpoint.body + "\n" + signatures.map { $0.text + "\n" }.joined()
    }

    /// True when at least one signature verifies under a key in `keyring`.
    public func isSigned(by keyring: VerifierKeyring) -> Bool {
        let message = Array(checkpoint.body.utf8)
        return signatures.contains { keyring.verify(keyHash: $0.keyHash, name: $0.name, signature: $0.signature, message: message) }
    }

    /// Parses one signed note. Throws a description of what is malformed.
    public static func parse(note: String) -> SignedCheckpoint? {
        guard let split = note.range(of: "\n\n") else { return nil }
        let body = String(note[note.startIndex...split.lowerBound])
        let sigText = note[split.upperBound...]
        guard let checkpoint = Checkpoint.parse(body: body) else { return nil }
        var lines = sigText.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.last == "" else { return nil }
        lines.removeLast()
        guard !lines.isEmpty else { return nil }
        var signatures: [SignatureLine] = []
        for line in lines {
            guard let s = SignatureLine.parse(line) else { return nil }
            signatures.append(s)
        }
        return SignedCheckpoint(checkpoint: checkpoint, signatures: signatures)
    }
}

/// The checkpoint log: signed notes one after another, each followed by one empty line.
public enum CheckpointLog {
    /// One parsed entry with its byte range in the file.
    public struct Entry: Sendable {
        public var checkpoint: SignedCheckpoint?
        public var range: Range<Int>
        /// Set when the entry could not be parsed.
        public var problem: String?
    }

    /// Encodes one entry.
    public static func encode(_ checkpoint: SignedCheckpoint) -> [UInt8] {
        Array((checkpoint.noteText + "\n").utf8)
    }

    /// Splits a checkpoint log into entries. A final entry without its terminating empty line
    /// is returned in `tornTail` (crash residue of an interrupted append) when it can be one
    /// (`isInterruptedAppend`); otherwise it is a malformed entry: whole entries with their
    /// blank lines altered must not pass for residue that recovery may cut off.
    public static func parse(_ bytes: [UInt8]) -> (entries: [Entry], tornTail: Range<Int>?) {
        var entries: [Entry] = []
        var start = 0
        var i = 0
        var sawBlank = false
        let n = bytes.count
        while i < n {
            guard let nl = bytes[i...].firstIndex(of: 0x0A) else { break }
            let isBlank = nl == i
            if isBlank {
                if sawBlank {
                    let range = start..<(nl + 1)
                    let text = String(decoding: bytes[start..<nl], as: UTF8.self)
                    if let cp = SignedCheckpoint.parse(note: text) {
                        entries.append(Entry(checkpoint: cp, range: range, problem: nil))
                    } else {
                        entries.append(Entry(checkpoint: nil, range: range, problem: Self.problem(note: text)))
                    }
                    start = nl + 1
                    sawBlank = false
                } else {
                    sawBlank = true
                }
            }
            i = nl + 1
        }
        guard start < n else { return (entries, nil) }
        if isInterruptedAppend(bytes[start..<n]) { return (entries, start..<n) }
        entries.append(Entry(checkpoint: nil, range: start..<n,
                             problem: "\(n - start) bytes at the end are neither a complete entry nor the start of one"))
        return (entries, nil)
    }

    /// What is wrong with a note `SignedCheckpoint.parse` refused, as far as it says more than
    /// "malformed": a signature line whose base64 decodes but is not canonical.
    static func problem(note: String) -> String {
        if let split = note.range(of: "\n\n") {
            for (i, line) in note[split.upperBound...].split(separator: "\n").enumerated() where SignatureLine.parse(line) == nil {
                let parts = line.dropFirst(2).split(separator: " ", omittingEmptySubsequences: false)
                if line.hasPrefix("\u{2014} "), parts.count == 2, let blob = Data(base64Encoded: String(parts[1])), blob.count == 68 {
                    return "signature line \(i + 1) is not canonical base64 (its text was edited)"
                }
                return "signature line \(i + 1) is malformed"
            }
        }
        return "malformed checkpoint note"
    }

    /// Longest tail accepted as an interrupted append: one entry is a few hundred bytes.
    public static let maxInterruptedAppendBytes = 4096

    /// Whether `tail` (the bytes after the last complete entry) can be the start of one entry
    /// cut short by a crash: at most `maxInterruptedAppendBytes`, no control characters, and its
    /// complete lines in the order of a signed note — origin, tree size (digits), root hash
    /// (base64), extension lines, the empty line, signature lines (`— name sig`). O(n).
    public static func isInterruptedAppend(_ tail: ArraySlice<UInt8>) -> Bool {
        guard !tail.isEmpty, tail.count <= maxInterruptedAppendBytes else { return false }
        if tail.contains(where: { ($0 < 0x20 && $0 != 0x0A) || $0 == 0x7F }) { return false }
        let dash: [UInt8] = [0xE2, 0x80, 0x94, 0x20] // "— "
        var state = 0 // 0 origin, 1 size, 2 root, 3 extensions or the empty line, 4 signatures
        var lineStart = tail.startIndex
        while let nl = tail[lineStart...].firstIndex(of: 0x0A) {
            let line = tail[lineStart..<nl]
            switch state {
            case 0: guard !line.isEmpty else { return false }
            case 1: guard !line.isEmpty, line.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return false }
            case 2:
                guard !line.isEmpty, line.allSatisfy({ Base64Alphabet.isStandard($0) }) else { return false }
            case 3:
                if line.isEmpty { state = 4; lineStart = nl + 1; continue }
                guard !line.starts(with: dash) else { return false }
                lineStart = nl + 1
                continue
            default: guard line.starts(with: dash) else { return false }
            }
            if state < 3 { state += 1 }
            lineStart = nl + 1
        }
        // The last line, still being written: in the signatures, the start of one.
        let partial = tail[lineStart...]
        if state == 4 && !partial.isEmpty {
            return partial.count >= dash.count ? partial.starts(with: dash) : dash.starts(with: partial)
        }
        return true
    }
}

/// The standard base64 alphabet (RFC 4648 §4) with padding.
enum Base64Alphabet {
    static func isStandard(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x2B || b == 0x2F || b == 0x3D
    }
}
