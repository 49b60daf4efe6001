import Synchronization

/// The time range of every position block (table `block`), kept in memory so that a query does
/// not read the table first (one statement less per search, ~10 µs of a GET by id).
///
/// Invariant, as for `BlockIDFilters`: **every range here contains the committed range of its
/// block.** The writer widens a block's range here *before* the transaction that widens it in
/// the table commits, and the ranges are loaded from the table when the index opens. Ranges only
/// ever widen (the table's do too), so a rolled-back batch leaves a range wider than needed,
/// which only makes a query look at a block that holds nothing for it. A block listed here that a
/// reader's snapshot does not have yet likewise yields no rows. Like the id filters this relies
/// on the index having one writer, this `AuditIndex` (the data directory's `ServiceLock`).
final class BlockRangeCache: Sendable {
    /// The ranges by block number, and the same sorted by block number (rebuilt when one changes,
    /// once per writer batch, so that readers take the array as it is).
    private let state = Mutex<(byBlock: [Int64: BlockRange], sorted: [BlockRange])>(([:], []))

    /// Widens (or adds) each block's range.
    func widen<S: Sequence>(_ updates: S) where S.Element == (key: Int64, value: (min: Int64, max: Int64)) {
        state.withLock { state in
            var changed = false
            for (block, range) in updates {
                let old = state.byBlock[block]
                let new = BlockRange(blk: block, tsMin: Swift.min(old?.tsMin ?? range.min, range.min),
                                     tsMax: Swift.max(old?.tsMax ?? range.max, range.max))
                if old?.tsMin != new.tsMin || old?.tsMax != new.tsMax {
                    state.byBlock[block] = new
                    changed = true
                }
            }
            if changed { state.sorted = state.byBlock.values.sorted { $0.blk < $1.blk } }
        }
    }

    /// Every block with its range, by block number (the `block` table's order).
    var all: [BlockRange] { state.withLock { $0.sorted } }
}
