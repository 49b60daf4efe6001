/// How far the index says a region is indexed (`region_state`), once checked against its rows.
public struct IndexedRegionProgress: Sendable, Equatable {
    /// Every position below `next` is indexed (the contiguous prefix: catch-up resumes there).
    public var next: UInt64
    /// One past the highest position indexed (0: none).
    public var end: UInt64

    public init(next: UInt64, end: UInt64) {
        self.next = next
        self.end = end
    }
}

extension AuditIndex {
    /// The `operation` of the error `checkRegionProgress()` throws when the state disagrees with the rows.
    public static let regionProgressCheck = "check region progress"

    /// The recorded progress of every region that has rows or a `region_state` row, by region
    /// name, after checking it against the rows themselves. The writer keeps these invariants
    /// (rows are never deleted), so any break means the file is not what the writer left: a
    /// `region_state` row edited or older than the rows, or rows without their state.
    /// - `end` is one past the highest indexed position (the highest row id of the region's
    ///   highest block in `block`), 0 for a region without rows;
    /// - `next <= end`; position `next - 1` is indexed; position `next` is not (when `next < end`);
    /// - every region number with a state or a block has a name.
    ///
    /// Throws `.corrupt` (`requiresRebuild`) naming the first disagreement: region, recorded and
    /// actual positions, never record content. Cost: O(blocks) plus, per region, a scan of its
    /// highest block's id postings (at most 2^blockBits small rows: ~2 ms for 30,000 rows) and
    /// three point lookups. Meant for opening, before catch-up trusts `region_state`.
    public func checkRegionProgress() throws(IndexError) -> [String: IndexedRegionProgress] {
        let operation = AuditIndex.regionProgressCheck
        return try withReadTransaction(operation) { (conn: Connection) throws(IndexError) -> [String: IndexedRegionProgress] in
            var names: [Int64: String] = [:]
            let dict = try conn.prepare("SELECT id, value FROM dict WHERE kind = \(DictKind.region.rawValue)", operation: operation)
            while try dict.step() { names[dict.int64(at: 0)] = dict.string(at: 1) }

            var recorded: [Int64: IndexedRegionProgress] = [:]
            let state = try conn.prepare("SELECT region, next_position, end_position FROM region_state", operation: operation)
            while try state.step() {
                recorded[state.int64(at: 0)] = IndexedRegionProgress(next: UInt64(bitPattern: state.int64(at: 1)),
                                                                     end: UInt64(bitPattern: state.int64(at: 2)))
            }

            // `blk` = block sequence << 8 | region number, so the highest block of a region is its max.
            var highestBlock: [Int64: Int64] = [:]
            let blocks = try conn.prepare("SELECT blk & \(FieldEncoding.regionMask), max(blk) FROM block GROUP BY 1",
                                          operation: operation)
            while try blocks.step() { highestBlock[blocks.int64(at: 0)] = blocks.int64(at: 1) }

            let lastRow = try conn.prepare("SELECT max(rid) FROM by_id WHERE blk = ?", operation: operation)
            let row = try conn.prepare("SELECT 1 FROM record WHERE rid = ?", operation: operation)
            func isIndexed(_ region: Int64, _ position: UInt64) throws(IndexError) -> Bool {
                defer { row.reset() }
                try row.bind(FieldEncoding.rowID(region: region, position: position), at: 1)
                return try row.step()
            }

            var problems: [String] = []
            var result: [String: IndexedRegionProgress] = [:]
            for region in Set(recorded.keys).union(highestBlock.keys).sorted() {
                guard let name = names[region] else {
                    problems.append("region number \(region) has rows or a state but no name")
                    continue
                }
                let progress = recorded[region] ?? IndexedRegionProgress(next: 0, end: 0)
                var rowsEnd: UInt64 = 0
                if let block = highestBlock[region] {
                    defer { lastRow.reset() }
                    try lastRow.bind(block, at: 1)
                    guard try lastRow.step(), let rid = lastRow.optionalInt64(at: 0) else {
                        problems.append("region \(name): block \(block >> FieldEncoding.regionBits) is recorded but holds no rows")
                        continue
                    }
                    rowsEnd = FieldEncoding.position(ofRowID: rid) + 1
                }
                let label = "region \(name): region_state has next_position \(progress.next) and end_position \(progress.end)"
                if progress.end != rowsEnd {
                    problems.append(rowsEnd == 0 ? "\(label), but the region has no rows"
                                                 : "\(label), but the highest indexed position is \(rowsEnd - 1)")
                } else if progress.next > progress.end {
                    problems.append("\(label): next_position is past end_position")
                } else if progress.next > 0, try !isIndexed(region, progress.next - 1) {
                    problems.append("\(label), but position \(progress.next - 1) is not indexed")
                } else if progress.next < progress.end, try isIndexed(region, progress.next) {
                    problems.append("\(label), but position \(progress.next) is indexed")
                } else {
                    result[name] = progress
                }
            }
            if let first = problems.first {
                let more = problems.count > 1 ? " (and \(problems.count - 1) more)" : ""
                throw IndexError(kind: .corrupt, message: first + more, operation: operation)
            }
            return result
        }
    }
}
