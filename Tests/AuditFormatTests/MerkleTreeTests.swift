import XCTest
import GatelogCrypto
@testable import AuditFormat

/// `MerkleTree` and its `Prefix` against the reference functions (`LogHash.merkleRoot`,
/// `MerkleProof.inclusionPath`, which the RFC 9162 vectors in VectorTests pin down).
final class MerkleTreeTests: XCTestCase {
    func testPrefixRootsAndProofsMatchTheReferenceForEverySizeAndLeaf() {
        let leaves = (0..<70).map { SHA256.hash("leaf \($0)") }
        var tree = MerkleTree()
        for leaf in leaves { tree.append(leaf) }
        for size in 1...leaves.count {
            let prefix = MerkleTree.Prefix(tree: tree, size: size)
            let reference = LogHash.merkleRoot(leaves[0..<size])
            XCTAssertEqual(prefix.root, reference, "root of \(size)")
            XCTAssertEqual(tree.root(size: size), reference)
            for index in 0..<size {
                let path = MerkleProof.inclusionPath(index: index, leaves: leaves[0..<size])
                XCTAssertEqual(prefix.inclusionProof(index: index), path, "leaf \(index) of \(size)")
                XCTAssertEqual(tree.inclusionProof(index: index, size: size), path)
                XCTAssertTrue(MerkleProof.verifyInclusion(leaf: leaves[index], index: UInt64(index), treeSize: UInt64(size),
                                                          path: path, root: reference))
            }
        }
    }
}
