import XCTest
import Foundation
import AuditFormat
import GatelogCrypto

/// The Swift implementation against `Tests/Vectors/hashing.json` and `checkpoint-note.txt`,
/// which `Tests/Vectors/make_vectors.py` computes independently from the specification.
final class VectorTests: XCTestCase {
    static let vectorsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Vectors")

    func vectors() throws -> [String: Any] {
        let data = try Data(contentsOf: Self.vectorsDirectory.appendingPathComponent("hashing.json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func digest(_ any: Any?) throws -> Digest32 { try XCTUnwrap(Digest32(hex: try XCTUnwrap(any as? String))) }

    /// Record text → envelope and content bytes (the real parser's split) → digests → leaf → chain.
    func testFixedRecords() throws {
        let records = try XCTUnwrap(try vectors()["records"] as? [[String: Any]])
        XCTAssertEqual(records.count, 2)
        var chain = Digest32.zero
        for r in records {
            let input = try XCTUnwrap(r["input"] as? String)
            let record = try AuditRecord.parse(Array(input.utf8))
            let envelope = record.envelopeBytes()
            let content = record.contentBytes()
            XCTAssertEqual(String(decoding: envelope, as: UTF8.self), r["envelope"] as? String)
            XCTAssertEqual(String(decoding: content, as: UTF8.self), r["content"] as? String)
            let prepared = PreparedRecord(id: record.fields.id, envelope: envelope, content: content)
            XCTAssertEqual(prepared.envelopeDigest, try digest(r["envelope_digest"]))
            XCTAssertEqual(prepared.contentDigest, try digest(r["content_digest"]))
            XCTAssertEqual(prepared.leafHash, try digest(r["leaf_hash"]))
            XCTAssertEqual(LogHash.leaf(envelopeDigest: prepared.envelopeDigest, contentDigest: prepared.contentDigest), prepared.leafHash)
            XCTAssertEqual(String(prepared.idHash, radix: 16).leftPadded(to: 16), r["id_hash"] as? String)
            let position = try XCTUnwrap(r["position"] as? Int)
            chain = LogHash.chain(previous: chain, position: UInt64(position), leaf: prepared.leafHash)
            XCTAssertEqual(chain, try digest(r["chain_hash"]), "chain hash at position \(position)")
        }
    }

    func testMerkleRootsAndInclusionProofs() throws {
        let merkle = try XCTUnwrap(try vectors()["merkle"] as? [String: Any])
        let leaves = try XCTUnwrap(merkle["leaves"] as? [String]).map { try digest($0) }
        XCTAssertEqual(leaves, (0..<8).map { Self.deterministic($0).leafHash })
        let roots = try XCTUnwrap(merkle["roots"] as? [[String: Any]])
        XCTAssertEqual(roots.count, 9)
        var frontier = MerkleFrontier()
        for entry in roots {
            let n = try XCTUnwrap(entry["size"] as? Int)
            let root = try digest(entry["root"])
            XCTAssertEqual(LogHash.merkleRoot(leaves[0..<n]), root, "root of \(n) leaves")
            XCTAssertEqual(frontier.size, UInt64(n))
            XCTAssertEqual(frontier.root, root, "frontier root of \(n) leaves")
            if n < leaves.count { frontier.append(leaves[n]) }
        }
        XCTAssertEqual(LogHash.emptyTreeRoot.hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let proofs = try XCTUnwrap(merkle["inclusion"] as? [[String: Any]])
        XCTAssertEqual(proofs.count, 36)
        for p in proofs {
            let n = try XCTUnwrap(p["size"] as? Int), m = try XCTUnwrap(p["index"] as? Int)
            let path = try XCTUnwrap(p["path"] as? [String]).map { try digest($0) }
            let root = LogHash.merkleRoot(leaves[0..<n])
            XCTAssertEqual(MerkleProof.inclusionPath(index: m, leaves: leaves[0..<n]), path, "path for leaf \(m) of \(n)")
            XCTAssertTrue(MerkleProof.verifyInclusion(leaf: leaves[m], index: UInt64(m), treeSize: UInt64(n), path: path, root: root))
            // Any change to the leaf, the index, the size or a path element fails.
            XCTAssertFalse(MerkleProof.verifyInclusion(leaf: leaves[m], index: UInt64(n), treeSize: UInt64(n), path: path, root: root))
            if n > 1 {
                XCTAssertFalse(MerkleProof.verifyInclusion(leaf: leaves[(m + 1) % n], index: UInt64(m), treeSize: UInt64(n), path: path, root: root))
                XCTAssertFalse(MerkleProof.verifyInclusion(leaf: leaves[m], index: UInt64((m + 1) % n), treeSize: UInt64(n), path: path, root: root))
                var bad = path
                bad[bad.count - 1] = SHA256.hash("x")
                XCTAssertFalse(MerkleProof.verifyInclusion(leaf: leaves[m], index: UInt64(m), treeSize: UInt64(n), path: bad, root: root))
                XCTAssertFalse(MerkleProof.verifyInclusion(leaf: leaves[m], index: UInt64(m), treeSize: UInt64(n), path: path + [root], root: root))
                XCTAssertFalse(MerkleProof.verifyInclusion(leaf: leaves[m], index: UInt64(m), treeSize: UInt64(n), path: Array(path.dropLast()), root: root))
            }
        }
    }

    /// The deterministic record `i`, through the real parser and split.
    static func deterministic(_ i: Int) -> PreparedRecord {
        let text = #"{"id":"rec-\#(i)","ts":"2026-01-01T00:00:00.000Z","region":"vector","n":\#(i),"request":{"i":\#(i)}}"#
        let record = try! AuditRecord.parse(Array(text.utf8))
        return PreparedRecord(id: record.fields.id, envelope: record.envelopeBytes(), content: record.contentBytes())
    }

    func testAccumulatedTenThousandRecords() throws {
        let accumulated = try XCTUnwrap(try vectors()["accumulated"] as? [String: Any])
        let count = try XCTUnwrap(accumulated["count"] as? Int)
        XCTAssertEqual(count, 10_000)
        var snapshots: [Int: (chain: Digest32, root: Digest32)] = [:]
        for s in try XCTUnwrap(accumulated["snapshots"] as? [[String: Any]]) {
            snapshots[try XCTUnwrap(s["size"] as? Int)] = (try digest(s["chain_head"]), try digest(s["merkle_root"]))
        }
        XCTAssertEqual(snapshots.count, 7)
        let first = Self.deterministic(0)
        XCTAssertEqual(String(decoding: first.envelope, as: UTF8.self), #"{"id":"rec-0","ts":"2026-01-01T00:00:00.000Z","region":"vector","n":0}"#)
        XCTAssertEqual(String(decoding: first.content, as: UTF8.self), #"{"request":{"i":0}}"#)
        var chain = Digest32.zero
        var frontier = MerkleFrontier()
        var leaves: [Digest32] = []
        for i in 0..<count {
            let leaf = Self.deterministic(i).leafHash
            leaves.append(leaf)
            chain = LogHash.chain(previous: chain, position: UInt64(i), leaf: leaf)
            frontier.append(leaf)
            if let s = snapshots[i + 1] {
                XCTAssertEqual(chain, s.chain, "chain head at size \(i + 1)")
                XCTAssertEqual(frontier.root, s.root, "Merkle root at size \(i + 1)")
            }
        }
        XCTAssertEqual(chain, try digest(accumulated["chain_head"]))
        XCTAssertEqual(frontier.root, try digest(accumulated["merkle_root"]))
        XCTAssertEqual(LogHash.merkleRoot(leaves[...]), frontier.root, "the frontier and the recursive definition agree")
        // A few inclusion proofs in the big tree.
        for index in [0, 1, 4095, 4096, 9998, 9999] {
            let path = MerkleProof.inclusionPath(index: index, leaves: leaves[...])
            XCTAssertTrue(MerkleProof.verifyInclusion(leaf: leaves[index], index: UInt64(index), treeSize: UInt64(count), path: path, root: frontier.root))
        }
    }

    /// A checkpoint signed with the RFC 8032 test key is byte-identical to the note openssl produced.
    func testCheckpointNoteGolden() throws {
        let v = try vectors()
        let cp = try XCTUnwrap(v["checkpoint"] as? [String: Any])
        let accumulated = try XCTUnwrap(v["accumulated"] as? [String: Any])
        let key = LogSigningKey(name: try XCTUnwrap(cp["key_name"] as? String),
                                privateKey: try Ed25519PrivateKey(seed: try XCTUnwrap(Hex.decode(try XCTUnwrap(cp["seed"] as? String)))))
        XCTAssertEqual(Hex.encode(key.privateKey.publicKey.raw), cp["public_key"] as? String)
        XCTAssertEqual(key.verifier.encoded, cp["verifier_key"] as? String)
        let checkpoint = Checkpoint(origin: try XCTUnwrap(cp["origin"] as? String), treeSize: UInt64(try XCTUnwrap(cp["tree_size"] as? Int)),
                                    rootHash: try digest(accumulated["merkle_root"]), chainHead: try digest(accumulated["chain_head"]),
                                    time: Int64(try XCTUnwrap(cp["time"] as? Int)))
        let signed = try checkpoint.signed(with: key)
        let golden = try String(contentsOf: Self.vectorsDirectory.appendingPathComponent("checkpoint-note.txt"), encoding: .utf8)
        XCTAssertEqual(signed.noteText, golden)

        let parsed = try XCTUnwrap(SignedCheckpoint.parse(note: golden))
        XCTAssertEqual(parsed, signed)
        XCTAssertEqual(parsed.checkpoint.region, "vector")
        let keyring = VerifierKeyring([try XCTUnwrap(LogVerifierKey(encoded: try XCTUnwrap(cp["verifier_key"] as? String)))])
        XCTAssertTrue(parsed.isSigned(by: keyring))
        XCTAssertFalse(parsed.isSigned(by: VerifierKeyring()))
        // One changed character in the body breaks the signature.
        let edited = try XCTUnwrap(SignedCheckpoint.parse(note: golden.replacingOccurrences(of: "\n10000\n", with: "\n10001\n")))
        XCTAssertFalse(edited.isSigned(by: keyring))
        // The checkpoint log round-trips the note.
        let log = CheckpointLog.parse(CheckpointLog.encode(signed) + CheckpointLog.encode(signed))
        XCTAssertEqual(log.entries.count, 2)
        XCTAssertNil(log.tornTail)
        XCTAssertEqual(log.entries.compactMap(\.checkpoint), [signed, signed])
    }

    /// The committed vectors are exactly what the independent Python implementation computes.
    func testPythonCrossCheck() throws {
        let candidates = ["/usr/bin/python3", "/usr/local/bin/python3"] + (ProcessInfo.processInfo.environment["PATH"] ?? "")
            .split(separator: ":").map { "\($0)/python3" }
        guard let python = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("python3 is not installed; run Tests/Vectors/make_vectors.py --check by hand")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [Self.vectorsDirectory.appendingPathComponent("make_vectors.py").path, "--check"]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, message)
    }
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
