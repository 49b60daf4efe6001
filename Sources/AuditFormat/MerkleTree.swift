import GatelogCrypto

/// An append-only RFC 9162 Merkle tree that keeps every level of complete subtrees, so the
/// hash of any range and any inclusion proof cost O(log² n) hashes instead of O(n).
/// Memory: about 2 × 32 bytes per leaf.
public struct MerkleTree: Sendable {
    /// `levels[k][j]` is the hash of the complete subtree over leaves `j·2^k ..< (j+1)·2^k`.
    private var levels: [[Digest32]] = [[]]

    /// An empty tree.
    public init() {}

    /// Number of leaves.
    public var size: Int { levels[0].count }

    /// The leaf hash at `index`.
    public func leaf(_ index: Int) -> Digest32 { levels[0][index] }

    /// Appends a leaf hash. Amortised O(1).
    public mutating func append(_ leaf: Digest32) {
        levels[0].append(leaf)
        var k = 0
        while levels[k].count % 2 == 0 {
            let n = levels[k].count
            let parent = LogHash.node(levels[k][n - 2], levels[k][n - 1])
            if levels.count == k + 1 { levels.append([]) }
            levels[k + 1].append(parent)
            k += 1
        }
    }

    /// MTH over leaves `[start, end)`. O(log² n).
    public func rootHash(_ start: Int, _ end: Int) -> Digest32 {
        let n = end - start
        if n == 0 { return LogHash.emptyTreeRoot }
        if n == 1 { return levels[0][start] }
        // A complete, aligned subtree is stored.
        if n & (n - 1) == 0 {
            let k = n.trailingZeroBitCount
            if start % n == 0, k < levels.count, start / n < levels[k].count { return levels[k][start / n] }
        }
        var split = 1
        while split << 1 < n { split <<= 1 }
        return LogHash.node(rootHash(start, start + split), rootHash(start + split, end))
    }

    /// MTH of the first `size` leaves.
    public func root(size: Int) -> Digest32 { rootHash(0, size) }

    /// The RFC 9162 inclusion proof of leaf `index` in the tree of the first `size` leaves.
    public func inclusionProof(index: Int, size: Int) -> [Digest32] {
        precondition(index < size && size <= self.size, "inclusion proof outside the tree")
        return path(index, 0, size)
    }

    private func path(_ m: Int, _ start: Int, _ end: Int) -> [Digest32] {
        let n = end - start
        if n <= 1 { return [] }
        var k = 1
        while k << 1 < n { k <<= 1 }
        if m < k { return path(m, start, start + k) + [rootHash(start + k, end)] }
        return path(m - k, start + k, end) + [rootHash(start, start + k)]
    }

    /// The RFC 9162 consistency proof between the trees of the first `old` and `new` leaves.
    public func consistencyProof(old: Int, new: Int) -> [Digest32] {
        precondition(0 < old && old <= new && new <= size, "consistency proof outside the tree")
        return subproof(old, 0, new, true)
    }

    private func subproof(_ m: Int, _ start: Int, _ end: Int, _ complete: Bool) -> [Digest32] {
        let n = end - start
        if m == n { return complete ? [] : [rootHash(start, end)] }
        var k = 1
        while k << 1 < n { k <<= 1 }
        if m <= k { return subproof(m, start, start + k, complete) + [rootHash(start + k, end)] }
        return subproof(m - k, start + k, end, false) + [rootHash(start, start + k)]
    }
}
