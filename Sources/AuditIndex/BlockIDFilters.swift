import Synchronization

/// In-memory Bloom filters over the id hashes of position blocks (`by_id.idh`), so that a lookup
/// by id seeks only the blocks that may hold the id instead of every block of every region
/// (docs/decisions/0004-index-schema.md, decision 9).
///
/// Correctness rests on one invariant: **a complete filter contains the hash of every id committed
/// to its block.** Three steps keep it:
/// - `startTracking(block:)` creates an empty filter while the caller holds the index's writer
///   lock, so no insert transaction is in flight: every transaction that commits later sees the
///   filter, and every earlier one has committed;
/// - the writer adds each new row's hash to its block's filter, if the block is tracked, *before*
///   its transaction commits;
/// - `complete(block:with:)` ORs in a filter built from a read snapshot taken after tracking
///   started (it holds every id committed before), and only then marks the filter complete.
/// Filters never lose bits, so rows rolled back or deleted later only cost a needless seek. The
/// file has exactly one writer, this `AuditIndex` (the data directory's `ServiceLock`); a filter
/// would not know rows another process wrote.
///
/// A block without a complete filter is always searched. Memory: 2^bitsLog2 bits per tracked
/// block (128 KiB for blocks of 2^16 positions: 16 bits per record, ~0.05% false positives), at
/// most `maxBlocks` blocks; beyond that the filters of the lowest-numbered blocks (the oldest
/// positions of each region) are dropped and those blocks are searched again.
final class BlockIDFilters: Sendable {
    /// log2 of the number of bits of each block's filter.
    let bitsLog2: Int
    /// Most blocks with a filter at once.
    let maxBlocks: Int
    /// Probes per hash.
    static let probes = 6
    private let filters = Mutex<[Int64: BlockFilter]>([:])

    /// Filters sized for blocks of 2^blockBits positions (16 bits per position, within
    /// 2^10...2^22 bits), using at most `memoryBytes` (0: none).
    init(blockBits: Int, memoryBytes: Int) {
        bitsLog2 = Swift.min(Swift.max(blockBits + 4, 10), 22)
        maxBlocks = Swift.max(0, memoryBytes / (1 << (bitsLog2 - 3)))
    }

    /// One block's bits; `complete` once the block's earlier rows were added.
    struct BlockFilter: Sendable {
        var words: [UInt64]
        var complete: Bool
    }

    /// An empty filter of this size (to fill with `insert` before `complete`).
    func emptyFilter() -> BlockFilter {
        BlockFilter(words: [UInt64](repeating: 0, count: 1 << (bitsLog2 - 6)), complete: false)
    }

    /// The bit positions of `hash` (a `FieldEncoding.hash32` value).
    @inline(__always) private func forEachBit(of hash: Int64, _ body: (Int) -> Void) {
        // splitmix64's finaliser spreads the 32 hash bits over 64; two halves drive double hashing.
        var h = UInt64(UInt32(truncatingIfNeeded: hash)) &* 0x9E37_79B9_7F4A_7C15
        h = (h ^ (h >> 30)) &* 0xBF58_476D_1CE4_E5B9
        h = (h ^ (h >> 27)) &* 0x94D0_49BB_1331_11EB
        h ^= h >> 31
        let mask = UInt64(1) << UInt64(bitsLog2) - 1
        let step = (h >> 32) | 1
        var position = h
        for _ in 0..<Self.probes {
            body(Int(truncatingIfNeeded: position & mask))
            position &+= step
        }
    }

    /// Adds `hash` to `filter`.
    func insert(_ hash: Int64, into filter: inout BlockFilter) {
        forEachBit(of: hash) { bit in filter.words[bit >> 6] |= 1 << UInt64(bit & 63) }
    }

    /// Starts keeping a filter for `block` (empty, incomplete). The caller must hold the index's
    /// writer lock (see the type's invariant). Returns false when the block is tracked already.
    func startTracking(block: Int64) -> Bool {
        filters.withLock { all in
            guard all[block] == nil else { return false }
            all[block] = emptyFilter()
            return true
        }
    }

    /// Drops the block's filter (the block is searched again; `startTracking` may start over).
    func stopTracking(block: Int64) {
        filters.withLock { all in all[block] = nil }
    }

    /// The writer's call, inside its transaction and before the commit: adds each (block, hash)
    /// whose block is tracked.
    func add<S: Sequence>(_ rows: S) where S.Element == (block: Int64, hash: Int64) {
        filters.withLock { all in
            guard !all.isEmpty else { return }
            for row in rows where all[row.block] != nil {
                insert(row.hash, into: &all[row.block]!)
            }
        }
    }

    /// Merges `built` (the block's ids from a snapshot taken after `startTracking`) into the
    /// block's filter and marks it complete; then drops the filters of the lowest-numbered
    /// complete blocks beyond `maxBlocks`. Does nothing if the block is no longer tracked.
    func complete(block: Int64, with built: BlockFilter) {
        filters.withLock { all in
            guard var existing = all[block] else { return }
            for i in existing.words.indices { existing.words[i] |= built.words[i] }
            existing.complete = true
            all[block] = existing
            if all.count > maxBlocks {
                let complete = all.filter { $0.value.complete }.map(\.key).sorted()
                for old in complete.prefix(all.count - maxBlocks) { all[old] = nil }
            }
        }
    }

    /// Blocks that have a filter (complete or being built).
    var trackedBlocks: Set<Int64> {
        filters.withLock { all in Set(all.keys) }
    }

    /// Blocks that have a complete filter.
    var completeBlocks: Set<Int64> {
        filters.withLock { all in Set(all.filter { $0.value.complete }.map(\.key)) }
    }

    /// The blocks of `blocks` that may hold one of `hashes`: blocks without a complete filter are
    /// kept. O(blocks · hashes).
    func blocksThatMayHold(_ hashes: [Int64], among blocks: [BlockRange]) -> [BlockRange] {
        filters.withLock { all in
            var kept: [BlockRange] = []
            kept.reserveCapacity(Swift.min(blocks.count, hashes.count * 2))
            for block in blocks {
                guard let filter = all[block.blk], filter.complete else { kept.append(block); continue }
                let mayHold = filter.words.withUnsafeBufferPointer { words in
                    hashes.contains { hash in
                        var present = true
                        forEachBit(of: hash) { bit in
                            if words[bit >> 6] & (1 << UInt64(bit & 63)) == 0 { present = false }
                        }
                        return present
                    }
                }
                if mayHold { kept.append(block) }
            }
            return kept
        }
    }
}
