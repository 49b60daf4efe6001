import XCTest
import Foundation
import AuditFormat
import GatelogCrypto
import JSON

/// `GET /v1/records/{id}` returns an RFC 9162 inclusion proof; checked here with an independent
/// implementation of the verification algorithm against the signed checkpoint's root.
final class ProofTests: XCTestCase {
    /// RFC 9162 §2.1.3.2.
    static func verifyInclusion(leaf: Digest32, index: UInt64, size: UInt64, path: [Digest32], root: Digest32) -> Bool {
        guard index < size else { return false }
        var fn = index, sn = size - 1, r = leaf
        for p in path {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                r = LogHash.node(p, r)
                if fn & 1 == 0 { while fn & 1 == 0 && fn != 0 { fn >>= 1; sn >>= 1 } }
            } else {
                r = LogHash.node(r, p)
            }
            fn >>= 1; sn >>= 1
        }
        return sn == 0 && r == root
    }

    func testEveryRecordProofVerifiesAgainstTheSignedCheckpoint() throws {
        let s = try RunningServer()
        defer { s.stop() }
        for batch in 0..<4 {
            let body = (0..<(3 + batch * 4)).map { Records.record("proof-\(batch)-\($0)", region: "proof-r", ms: batch * 100 + $0) }
            XCTAssertEqual(try s.client.post("/v1/records", token: s.admin, body.joined(separator: "\n")).status, 200)
        }
        s.service.indexer?.waitUntilDrained()
        let checkpoint = try s.client.get("/v1/checkpoints/latest?region=proof-r", token: s.admin)
        XCTAssertEqual(checkpoint.status, 200, checkpoint.text)
        let note = try s.client.request("GET", "/v1/checkpoints/latest?region=proof-r", token: s.admin, headers: ["Accept": "text/plain"])
        XCTAssertEqual(note.text, checkpoint.json?["note"]?.stringValue)
        let size = UInt64(checkpoint.json?["tree_size"]?.int64Value ?? 0)
        let root = Digest32(hex: checkpoint.json?["root_hash"]?.stringValue ?? "")
        XCTAssertGreaterThan(size, 0)
        let records = try s.client.get("/v1/records?region=proof-r&limit=100&order=oldest", token: s.admin).json?["records"]?.arrayValue ?? []
        XCTAssertEqual(records.count, 3 + 7 + 11 + 15)
        var verified = 0
        for record in records {
            let id = record["id"]!.stringValue!
            let r = try s.client.get("/v1/records/\(id)", token: s.admin)
            XCTAssertEqual(r.status, 200)
            guard let proof = r.json?["proof"], proof["status"]?.stringValue == "ok" else {
                XCTAssertEqual(r.json?["proof"]?["status"]?.stringValue, "not yet covered by a checkpoint", "\(id): \(r.text.suffix(300))")
                XCTAssertGreaterThanOrEqual(UInt64(record["gatelog"]!["position"]!.int64Value!), size)
                continue
            }
            let leaf = Digest32(hex: proof["leaf_hash"]!.stringValue!)!
            XCTAssertEqual(leaf.hex, r.json?["record"]?["gatelog"]?["leaf_hash"]?.stringValue)
            let index = UInt64(proof["leaf_index"]!.int64Value!)
            XCTAssertEqual(Int64(index), r.json?["record"]?["gatelog"]?["position"]?.int64Value)
            let path = proof["inclusion_path"]!.arrayValue!.map { Digest32(hex: $0.stringValue!)! }
            let proofRoot = Digest32(hex: proof["root_hash"]!.stringValue!)!
            let proofSize = UInt64(proof["tree_size"]!.int64Value!)
            XCTAssertTrue(Self.verifyInclusion(leaf: leaf, index: index, size: proofSize, path: path, root: proofRoot), id)
            if proofSize == size { XCTAssertEqual(proofRoot, root, "the proof is against the latest checkpoint") }
            XCTAssertTrue(proof["checkpoint"]!.stringValue!.contains("\(proofSize)\n"), "the proof names its signed checkpoint")
            // A tampered path or leaf does not verify.
            if !path.isEmpty {
                var bad = path
                bad[0] = LogHash.node(bad[0], bad[0])
                XCTAssertFalse(Self.verifyInclusion(leaf: leaf, index: index, size: proofSize, path: bad, root: proofRoot))
            }
            XCTAssertFalse(Self.verifyInclusion(leaf: LogHash.node(leaf, leaf), index: index, size: proofSize, path: path, root: proofRoot))
            verified += 1
        }
        print("proofs verified: \(verified) of \(records.count), checkpoint size \(size)")
        XCTAssertGreaterThan(verified, 0, "at least the records under the latest checkpoint have proofs")
    }
}
