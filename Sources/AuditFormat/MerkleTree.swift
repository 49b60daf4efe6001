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

extension MerkleTree {
    /// The tree of the first `size` leaves of a `MerkleTree`, with the roots of its right edge
    /// (the ranges `[start, size)` that are not complete subtrees) computed once: its root and
    /// every inclusion proof then take O(log n) lookups and no hashing, instead of O(log² n)
    /// hashes per proof. Every other range a proof needs is a complete, aligned subtree, which
    /// the tree stores. Build one per checkpoint size and reuse it for every proof against it.
    public struct Prefix: Sendable {
        /// Number of leaves.
        public let size: Int
        private let tree: MerkleTree
        /// MTH over `[start, size)` for each `start` of the right edge.
        private let edge: [Int: Digest32]

        /// The first `size` leaves of `tree`. O(log n) hashes.
        public init(tree: MerkleTree, size: Int) {
            precondition(size <= tree.size, "prefix larger than the tree")
            self.tree = tree
            self.size = size
            // The right edge: from 0, split off the largest power of two below the rest until
            // the rest is a complete subtree (stored) or a single leaf.
            var starts: [Int] = []
            var start = 0
            while size - start > 1, (size - start) & (size - start - 1) != 0 {
                starts.append(start)
                var split = 1
                while split << 1 < size - start { split <<= 1 }
                start += split
            }
            var edge: [Int: Digest32] = [:]
            var right = tree.rootHash(start, size) // the last piece: a stored subtree or a leaf
            var end = start
            for s in starts.reversed() {
                right = LogHash.node(tree.rootHash(s, end), right)
                edge[s] = right
                end = s
            }
            self.edge = edge
        }

        /// MTH of the `size` leaves (RFC 9162 §2.1.1).
        public var root: Digest32 { rootHash(0, size) }

        private func rootHash(_ start: Int, _ end: Int) -> Digest32 {
            if end == size, let h = edge[start] { return h }
            return tree.rootHash(start, end)
        }

        /// The RFC 9162 inclusion proof of leaf `index` (the same as `MerkleTree.inclusionProof`).
        public func inclusionProof(index: Int) -> [Digest32] {
            precondition(index < size, "inclusion proof outside the tree")
            var siblings: [Digest32] = []
            var m = index, start = 0, end = size
            while end - start > 1 {
                let n = end - start
                var k = 1
                while k << 1 < n { k <<= 1 }
                if m < k {
                    siblings.append(rootHash(start + k, end))
                    end = start + k
                } else {
                    siblings.append(rootHash(start, start + k))
                    m -= k
                    start += k
                }
            }
            return siblings.reversed()
        }
    }
}
