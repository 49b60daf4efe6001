import GatelogCrypto

/// The hash functions that bind records into the log. See docs/FORMAT.md, "Hashing".
///
/// - envelope digest = SHA-256(envelope bytes)
/// - content digest  = SHA-256(content bytes)
/// - leaf hash       = SHA-256(0x00 || envelope digest || content digest)   (RFC 9162 leaf)
/// - chain hash[i]   = SHA-256(0x02 || chain hash[i-1] || uint64be(i) || leaf hash[i]), chain hash[-1] = 32 zero bytes
/// - Merkle node     = SHA-256(0x01 || left || right)                         (RFC 9162 node)
public enum LogHash {
    /// RFC 9162 leaf hash over the 64-byte leaf data `envelopeDigest || contentDigest`.
    public static func leaf(envelopeDigest: Digest32, contentDigest: Digest32) -> Digest32 {
        withUnsafeTemporaryAllocation(byteCount: 65, alignment: 8) { b in
            b[0] = 0x00
            envelopeDigest.store(to: b.baseAddress! + 1)
            contentDigest.store(to: b.baseAddress! + 33)
            return SHA256.hash(UnsafeRawBufferPointer(b))
        }
    }

    /// The chain hash of the record at `position`.
    public static func chain(previous: Digest32, position: UInt64, leaf: Digest32) -> Digest32 {
        withUnsafeTemporaryAllocation(byteCount: 73, alignment: 8) { b in
            b[0] = 0x02
            previous.store(to: b.baseAddress! + 1)
            b.storeBytes(of: position.bigEndian, toByteOffset: 33, as: UInt64.self)
            leaf.store(to: b.baseAddress! + 41)
            return SHA256.hash(UnsafeRawBufferPointer(b))
        }
    }

    /// An RFC 9162 interior node.
    public static func node(_ left: Digest32, _ right: Digest32) -> Digest32 {
        withUnsafeTemporaryAllocation(byteCount: 65, alignment: 8) { b in
            b[0] = 0x01
            left.store(to: b.baseAddress! + 1)
            right.store(to: b.baseAddress! + 33)
            return SHA256.hash(UnsafeRawBufferPointer(b))
        }
    }

    /// The Merkle tree hash of the empty tree: SHA-256 of the empty string.
    public static let emptyTreeRoot = SHA256.hash([UInt8]())

    /// The RFC 9162 Merkle tree hash of `leaves` (leaf hashes). O(n).
    public static func merkleRoot(_ leaves: ArraySlice<Digest32>) -> Digest32 {
        if leaves.isEmpty { return emptyTreeRoot }
        if leaves.count == 1 { return leaves.first! }
        var k = 1
        while k << 1 < leaves.count { k <<= 1 }
        let mid = leaves.startIndex + k
        return node(merkleRoot(leaves[leaves.startIndex..<mid]), merkleRoot(leaves[mid...]))
    }
}

/// The right edge of an RFC 9162 Merkle tree: the roots of its perfect subtrees,
/// largest first. Appending is amortised O(1); the root is O(log n).
public struct MerkleFrontier: Sendable, Equatable {
    /// Number of leaves.
    public private(set) var size: UInt64 = 0
    /// Roots of the perfect subtrees, from the largest (leftmost) to the smallest.
    public private(set) var subtrees: [Digest32] = []

    /// An empty tree.
    public init() {}

    /// Rebuilds a frontier from its parts (as stored in a segment footer or a snapshot).
    public init?(size: UInt64, subtrees: [Digest32]) {
        guard size.nonzeroBitCount == subtrees.count else { return nil }
        self.size = size
        self.subtrees = subtrees
    }

    /// Appends one leaf hash.
    public mutating func append(_ leaf: Digest32) {
        var node = leaf
        var s = size
        while s & 1 == 1 {
            node = LogHash.node(subtrees.removeLast(), node)
            s >>= 1
        }
        subtrees.append(node)
        size += 1
    }

    /// The Merkle tree hash over all appended leaves.
    public var root: Digest32 {
        guard var hash = subtrees.last else { return LogHash.emptyTreeRoot }
        for subtree in subtrees.dropLast().reversed() { hash = LogHash.node(subtree, hash) }
        return hash
    }
}

/// RFC 9162 inclusion proofs over a list of leaf hashes.
public enum MerkleProof {
    /// The audit path for leaf `index` in the tree made of `leaves` (RFC 9162 §2.1.3.1). O(n).
    public static func inclusionPath(index: Int, leaves: ArraySlice<Digest32>) -> [Digest32] {
        if leaves.count <= 1 { return [] }
        var k = 1
        while k << 1 < leaves.count { k <<= 1 }
        let mid = leaves.startIndex + k
        if index < k {
            return inclusionPath(index: index, leaves: leaves[leaves.startIndex..<mid]) + [LogHash.merkleRoot(leaves[mid...])]
        }
        return inclusionPath(index: index - k, leaves: leaves[mid...]) + [LogHash.merkleRoot(leaves[leaves.startIndex..<mid])]
    }

    /// Verifies an inclusion proof (RFC 9162 §2.1.3.2). O(log n).
    public static func verifyInclusion(leaf: Digest32, index: UInt64, treeSize: UInt64, path: [Digest32], root: Digest32) -> Bool {
        guard index < treeSize else { return false }
        var fn = index
        var sn = treeSize - 1
        var r = leaf
        for p in path {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                r = LogHash.node(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 { fn >>= 1; sn >>= 1 }
                }
            } else {
                r = LogHash.node(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && r == root
    }
}
