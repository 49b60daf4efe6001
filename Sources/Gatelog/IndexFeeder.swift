import Foundation
import Synchronization
import GatelogCrypto
import AuditFormat
import AuditIndex
import AuditStore
import JSON

/// Keeps the SQLite index up to date, off the acknowledgement path: the writers hand over
/// durable records, a dedicated thread inserts them in large transactions. On open it catches
/// up from the segments (the source of truth); a missing or corrupt index is rebuilt.
public final class IndexFeeder: Sendable {
    public let index: AuditIndex
    public let path: String
    private struct Queue {
        /// Durable records waiting for the index, as the entries the index inserts: their typed
        /// fields and where they live, without their stored bytes (a backlog of whole records cost
        /// ~2.5 KB each; only full-text regions keep the content). Built once, on the writers'
        /// threads, and handed to `AuditIndex.insert` as they are (no second copy of every string).
        var pending: [IndexEntry] = []
        var closing = false
        var inserted: [String: UInt64] = [:]
        var failure: String?
        /// Regions whose segments the catch-up could not read to the end (damage): why.
        var damagedRegions: [String: String] = [:]
        var oldestPendingAt: UInt64 = 0
        /// Callers waiting for the index to catch up (a search, a get that missed, a close).
        var drainRequests = 0
        /// Pending records of regions other than the access log.
        var pendingRecords = 0
        /// Records ever enqueued, and ever inserted (or given up on): a waiter waits until the
        /// second reaches the first as it was when it started waiting.
        var enqueuedTotal: UInt64 = 0
        var settledTotal: UInt64 = 0
        /// Whether this thread keeps the index's id filters built (`keepIDFiltersBuilt`), and
        /// whether the last attempt failed (reported once, not at every retry).
        var buildsIDFilters = false
        var idFilterBuildFailed = false
        /// Records were dropped from `pending` (inserts kept failing, or the index fell too far
        /// behind): catch up from the segments (the source of truth) before inserting anything else.
        var needsCatchUp = false
        /// A catch-up from the segments is running on the feeder's thread.
        var catchingUp = false
        /// Per region, one past the highest position known to be durable: what the store held
        /// when the index opened, raised by every record handed over. A catch-up while the
        /// writers run stops there: the segments may already hold frames that are written but not
        /// yet fdatasync'd, which an OS crash could take back and whose positions would then be
        /// reused by other records.
        var durableEnd: [String: UInt64] = [:]
    }
    private let queue = Mutex(Queue())
    private let wakeup = DispatchSemaphore(value: 0)
    private let stopped = DispatchSemaphore(value: 0)
    /// Regions whose redacted content goes into the full-text index.
    private let fullTextRegions: Set<String>
    private static let maxBatch = 20_000
    private let configuration: StoreConfiguration
    /// Most durable records kept in memory while inserts fail; beyond, they are dropped and the
    /// index catches up from the segments once inserts work again (memory stays bounded).
    private let maxPendingWhileFailing: Int
    /// Most durable records kept in memory while inserts work but cannot keep up (each holds its
    /// typed fields, a few hundred bytes): beyond, they are dropped and read back from the segments.
    private let maxPendingWhileSlow: Int

    /// Opens (or rebuilds) the index at `<data>/index/index.sqlite` and catches up with the segments.
    /// `fullTextRegions` defaults to the configuration's `fts_regions` (a rebuild that forgot them
    /// emptied full-text search).
    public init(configuration: StoreConfiguration, fullTextRegions: Set<String>? = nil, maxPendingWhileFailing: Int = 100_000,
                maxPendingWhileSlow: Int = 200_000, writerBusyTimeoutMilliseconds: Int32 = 10_000) throws {
        let dir = "\(configuration.dataDirectory)/index"
        try FileIO.makeDirectories(dir)
        path = "\(dir)/index.sqlite"
        let fullTextRegions = fullTextRegions ?? configuration.fullTextRegions
        self.fullTextRegions = fullTextRegions
        self.configuration = configuration
        self.maxPendingWhileFailing = max(maxPendingWhileFailing, 1)
        self.maxPendingWhileSlow = max(maxPendingWhileSlow, 1)
        var options = AuditIndex.Options(idFilterBytes: configuration.indexIDFilterMiB << 20)
        options.queryTimeoutSeconds = configuration.queryTimeoutSeconds
        options.writerBusyTimeoutMilliseconds = writerBusyTimeoutMilliseconds
        let opened = try IndexFeeder.openAndCatchUp(path: path, options: options, configuration: configuration,
                                                    fullTextRegions: fullTextRegions)
        index = opened.index
        queue.withLock { q in
            q.inserted = opened.reached
            q.durableEnd = opened.reached
            q.damagedRegions = opened.damaged
        }
        // Not niced (ThreadPriority): under flat-out ingest a niced indexer fell behind and the
        // drain at the end ran alone on one core; a GET under ingest gained nothing from it.
        let thread = Thread { [weak self] in self?.run() }
        thread.name = "gatelog-indexer"
        thread.start()
    }

    /// Opens the index; a corrupt or foreign file, or one whose region state disagrees with its own
    /// rows (`AuditIndex.checkRegionProgress`), is deleted and recreated empty so the caller
    /// rebuilds it. Returns the index and, per region, its checked progress.
    static func openOrRebuild(path: String, options: AuditIndex.Options = AuditIndex.Options()) throws
        -> (index: AuditIndex, progress: [String: IndexedRegionProgress]) {
        var problem: IndexError?
        do {
            let index = try AuditIndex.open(path: path, options: options)
            try index.checkIntegrity()
            let progress = try index.checkRegionProgress()
            return (index, progress)
        } catch {
            guard error.requiresRebuild else { throw error }
            problem = error
        }
        // The failed index is released by now: its connections are closed before its files go.
        if problem!.operation == AuditIndex.regionProgressCheck, problem!.sqliteCode == nil {
            FileHandle.standardError.write(Data("gatelog: the index disagrees with its own rows (\(problem!.message)); rebuilding it from the segments\n".utf8))
        } else {
            FileHandle.standardError.write(Data("gatelog: the index is unusable (\(problem!)); rebuilding it from the segments\n".utf8))
        }
        try AuditIndex.removeFiles(path: path)
        return (try AuditIndex.open(path: path, options: options), [:])
    }

    /// Opens the index (`openOrRebuild`) and catches up with the segments, checking on the way that
    /// the index holds no position the segments do not: an index ahead of its segments (the
    /// segments lost a tail the index had seen in an OS crash, or were restored from an older
    /// backup) would hide the records that take those positions again, so it is rebuilt. So is
    /// an index that the catch-up finds damaged (e.g. a row where `region_state` says none can be).
    /// Returns the index and, per region, the next position it expects.
    static func openAndCatchUp(path: String, options: AuditIndex.Options, configuration: StoreConfiguration,
                               fullTextRegions: Set<String>) throws -> (index: AuditIndex, reached: [String: UInt64], damaged: [String: String]) {
        let reason: String
        do {
            let (index, progress) = try openOrRebuild(path: path, options: options)
            do {
                let outcome = try catchUp(index: index, configuration: configuration, fullTextRegions: fullTextRegions,
                                          checkingAgainst: progress)
                guard let mismatch = outcome.mismatch else { return (index, outcome.reached, outcome.damaged) }
                reason = "the index is ahead of the segments (\(mismatch))"
            } catch let error as IndexError where error.requiresRebuild {
                reason = "the index is unusable (\(error))"
            }
        }
        // `index` is released here: its connections are closed before its files go.
        FileHandle.standardError.write(Data("gatelog: \(reason); rebuilding it from the segments\n".utf8))
        try AuditIndex.removeFiles(path: path)
        let index = try AuditIndex.open(path: path, options: options)
        let outcome = try catchUp(index: index, configuration: configuration, fullTextRegions: fullTextRegions)
        return (index, outcome.reached, outcome.damaged)
    }

    /// Deletes the index files and rebuilds them from the segments.
    public static func rebuild(configuration: StoreConfiguration) throws -> (records: Int, seconds: Double) {
        let path = "\(configuration.dataDirectory)/index/index.sqlite"
        try AuditIndex.removeFiles(path: path)
        let started = Date()
        let feeder = try IndexFeeder(configuration: configuration)
        let count = try feeder.index.recordCount()
        feeder.close()
        return (Int(count), Date().timeIntervalSince(started))
    }

    /// What a catch-up reached, and whether it found the index ahead of the segments.
    struct CatchUpOutcome {
        /// Per region of the store, the next position the index expects.
        var reached: [String: UInt64] = [:]
        /// Regions whose segments could not be read to the end (damage, not a torn tail): why.
        var damaged: [String: String] = [:]
        /// With `checkingAgainst`: the first region whose index holds positions the segments do not.
        var mismatch: String?
    }

    /// Indexes every record of every region that the index does not hold yet; with `durableEnds`
    /// (a catch-up while the writers run), only records below each region's durable end.
    func catchUp(configuration: StoreConfiguration, durableEnds: [String: UInt64]? = nil) throws {
        // A runtime catch-up stops when the service closes (the next open catches up anyway):
        // hundreds of thousands of records must not hold up a SIGTERM.
        let outcome = try IndexFeeder.catchUp(index: index, configuration: configuration, fullTextRegions: fullTextRegions,
                                              durableEnds: durableEnds, shouldStop: { self.queue.withLock { $0.closing } })
        queue.withLock { q in
            for (region, reached) in outcome.reached {
                q.inserted[region] = max(q.inserted[region] ?? 0, reached)
                if durableEnds == nil { q.durableEnd[region] = reached }
            }
        }
    }

    /// Indexes every record of every region that `index` does not hold yet; with `durableEnds`
    /// (a catch-up while the writers run), only records below each region's durable end.
    ///
    /// With `checkingAgainst` (at open: each region's progress as `index` recorded it, checked
    /// against its rows), also checks that the segments hold every position the index does. The
    /// scan starts at the frame holding the region's last indexed position instead of the next
    /// one, and reads on to the last valid frame anyway (the last segment's frames are read whole
    /// and their digests checked), so the check costs no extra read and no decompression. It stops
    /// at the first region found behind its index: the caller rebuilds.
    static func catchUp(index: AuditIndex, configuration: StoreConfiguration, fullTextRegions: Set<String>,
                        durableEnds: [String: UInt64]? = nil,
                        checkingAgainst indexed: [String: IndexedRegionProgress]? = nil,
                        shouldStop: () -> Bool = { false }) throws -> CatchUpOutcome {
        var outcome = CatchUpOutcome()
        let regions = LogStoreLayout(configuration: configuration).regions()
        // Trusted keys tell a damaged final frame (written whole and signed) from a torn one.
        let keyring = VerifierKeyring((try? KeyStore.publicKeys(dataDirectory: configuration.dataDirectory)) ?? [])
        if let indexed {
            // A region the index holds records of, without a region in the store: it holds none.
            for (region, progress) in indexed.sorted(by: { $0.key < $1.key })
            where progress.end > 0 && !regions.contains(region) {
                if let missing = LogStoreLayout(configuration: configuration).missingRegionProblem(region) {
                    // Not a shorter store: the region's files are away. Keep its rows (and its ids).
                    FileHandle.standardError.write(Data("gatelog: \(missing); the index keeps its rows\n".utf8))
                    continue
                }
                outcome.mismatch = "region \(region): the index holds positions up to \(progress.end - 1), the store has no such region"
                return outcome
            }
        }
        for region in regions {
            let next = try index.indexedPosition(region: region).map { $0 + 1 } ?? 0
            let end = durableEnds.map { $0[region] ?? 0 } ?? UInt64.max
            // The highest position the index holds, which the segments must hold too.
            let mustHold = indexed.flatMap { $0[region] }.flatMap { $0.end > 0 ? $0.end - 1 : nil }
            let collector = CatchUpBatch(index: index, region: region, limit: maxBatch)
            // One past the last valid frame met by the scan (which reads on to the region's end).
            var storeEnd: UInt64?
            // Why the scan stopped before the region's end, when that was damage.
            var damage: String?
            if next < end || mustHold != nil {
                let directory = configuration.regionDirectory(region)
                if durableEnds == nil { IndexFeeder.syncLastSegment(regionDirectory: directory) }
                let scanner = RegionScanner(region: region, directory: directory)
                let reader = RegionReader(region: region, directory: directory, cacheBytes: 8 << 20)
                let includeContent = fullTextRegions.contains(region)
                do {
                    damage = try scanner.forEachFrame(from: min(next, mustHold ?? next), keyring: keyring) { segment, offset, header in
                        if shouldStop() { throw StopScan() }
                        storeEnd = header.positions.upperBound
                        for k in 0..<header.recordCount {
                            let position = header.firstPosition + UInt64(k)
                            guard position >= next else { continue }
                            guard position < end else { throw StopScan() }
                            let record = try reader.read(RecordLocation(segment: segment, frameOffset: offset, indexInFrame: k),
                                                         includeContent: includeContent)
                            try collector.add(record)
                        }
                    }
                } catch is StopScan {
                } catch let error where error is StoreError || error is FileIOError {
                    // A frame that cannot be read (damaged, a changed dictionary): index what came before
                    // and go on with the other regions. One damaged region must not keep the service
                    // from starting; its reads fail, and verify says where.
                    FileHandle.standardError.write(Data("gatelog: region \(region): the index stops at position \(collector.last.map { $0 + 1 } ?? next): \(error)\n".utf8))
                    damage = "\(error)"
                }
                if let damage { outcome.damaged[region] = damage }
                if let mustHold, (storeEnd ?? 0) <= mustHold, let damage {
                    // Damaged segments are not shorter ones: keep the index's rows (its records past
                    // the damage are still readable, and its ids are evidence); reads of the damaged
                    // frames fail, and the region's writer refuses to open until it is repaired.
                    FileHandle.standardError.write(Data("gatelog: region \(region): \(damage); the index keeps its rows up to position \(mustHold) (run gatelog verify)\n".utf8))
                    outcome.reached[region] = next
                    continue
                }
                if let mustHold, (storeEnd ?? 0) <= mustHold {
                    // No valid frame holds the index's last position: find where the segments end.
                    if storeEnd == nil { try scanner.forEachFrame(from: 0) { _, _, header in storeEnd = header.positions.upperBound } }
                    outcome.mismatch = "region \(region): the index holds positions up to \(mustHold), "
                        + "the segments hold \(storeEnd ?? 0) records (positions below \(storeEnd ?? 0))"
                    return outcome
                }
                try collector.flush()
            }
            outcome.reached[region] = collector.last.map { $0 + 1 } ?? next
        }
        return outcome
    }

    private struct StopScan: Error {}

    /// fdatasyncs the last segment of a region before the index reads it at open: a previous
    /// process killed mid-write may have left frames in the page cache only, and indexing them
    /// before they are on disk would let an OS crash leave index rows for records that are gone
    /// (their positions then taken by other records). The region's writer, when it opens, does
    /// the same as part of its recovery.
    static func syncLastSegment(regionDirectory: String) {
        guard let last = try? SegmentScanner.segmentNumbers(regionDirectory: regionDirectory).last else { return }
        let path = SegmentScanner.segmentPath(regionDirectory: regionDirectory, number: last)
        // (FileIO.open refuses what is not a regular file: a FIFO there must not hang the start.)
        guard let fd = try? FileIO.open(path, flags: O_RDONLY) else { return }
        defer { Glibc.close(fd) }
        do {
            try FileIO.dataSync(fd, path: path)
        } catch {
            FileHandle.standardError.write(Data("gatelog: index catch-up: \(error)\n".utf8))
        }
    }

    static func entry(region: String, position: UInt64, fields f: RecordFields, segment: UInt64, frameOffset: UInt64,
                      indexInFrame: Int, chainHash: [UInt8], content: [UInt8]?) -> IndexEntry {
        IndexEntry(region: region, position: position, id: f.id, ts: f.timestamp, tenant: f.tenant, team: f.team, user: f.user,
                   apiKeyID: f.apiKeyID, kind: f.kind, model: f.model, provider: f.provider, status: f.status,
                   errorClass: f.errorClass, costUSD: f.costUSD, inputTokens: f.inputTokens, outputTokens: f.outputTokens,
                   latencyTotalMs: f.latencyTotalMs, ttftMs: f.ttftMs, itlMs: f.itlMs, traceID: f.traceID,
                   routeBackend: f.routeBackend, routeFallback: f.routeFallback, metadata: f.metadata,
                   location: IndexRecordLocation(segment: segment, frameOffset: frameOffset, recordInFrame: UInt16(indexInFrame)),
                   chainHash: chainHash, text: content.map { String(decoding: $0, as: UTF8.self) })
    }

    /// Entries of regions other than the reserved ones (the access log), counted in place: a
    /// closure over the elements would copy each entry, retaining every one of its strings.
    private static func recordRegionCount(_ entries: [IndexEntry]) -> Int {
        var count = 0
        for i in entries.indices where !Region.isReserved(entries[i].region) { count += 1 }
        return count
    }

    /// Called by the writers (on their threads) with records that just became durable. O(1).
    public func enqueue(_ records: [DurableRecord]) {
        let ofRecordRegions = records.count { !Region.isReserved($0.region) }
        // Outside the lock: keep the fields, let the stored bytes go with the staged records.
        var fullTextRegion: (name: String, on: Bool)?
        let items = records.map { r -> IndexEntry in
            var content: [UInt8]?
            if !fullTextRegions.isEmpty {
                if fullTextRegion?.name != r.region { fullTextRegion = (r.region, fullTextRegions.contains(r.region)) }
                if fullTextRegion?.on == true { content = r.staged.prepared.content }
            }
            return IndexFeeder.entry(region: r.region, position: r.position, fields: r.staged.fields,
                                     segment: r.location.segment, frameOffset: r.location.frameOffset,
                                     indexInFrame: r.location.indexInFrame, chainHash: r.chainHash.bytes, content: content)
        }
        queue.withLock { q in
            q.enqueuedTotal += UInt64(records.count)
            var region: String?
            var end: UInt64 = 0
            for r in records {
                if r.region != region {
                    if let region { q.durableEnd[region] = max(q.durableEnd[region] ?? 0, end) }
                    region = r.region
                    end = 0
                }
                end = max(end, r.position + 1)
            }
            if let region { q.durableEnd[region] = max(q.durableEnd[region] ?? 0, end) }
            // (While inserts work, only a queue that has built up counts: one large group commit
            // handed to an idle feeder is inserted, not dropped.)
            if q.failure != nil ? q.pending.count + records.count > maxPendingWhileFailing
                                : !q.pending.isEmpty && q.pending.count + records.count > maxPendingWhileSlow {
                // Inserts keep failing, or run far behind the writers: let go of what is queued
                // (it is durable in the segments) and catch up from the segments (once inserts work
                // again). Waiters keep waiting until that catch-up is done (`waitUntilDrained`).
                q.settledTotal += UInt64(q.pending.count + records.count)
                q.pending = []
                q.pendingRecords = 0
                q.needsCatchUp = true
                return
            }
            if q.pending.isEmpty { q.oldestPendingAt = DispatchTime.now().uptimeNanoseconds }
            // An idle feeder's empty queue takes the array as it is (no copy of every entry).
            if q.pending.isEmpty { q.pending = items } else { q.pending.append(contentsOf: items) }
            q.pendingRecords += ofRecordRegions
        }
        wakeup.signal()
    }

    // Batching: the feeder inserts whatever is pending as one transaction. Under load, records
    // accumulate while the previous transaction runs, so batches grow with the ingest rate.
    // Below `smallBatch` pending records the feeder waits up to `smallBatchDelay` for company
    // (`accessBatchDelay` when only access-log entries are pending). Why so long: the scattered
    // posting tables (ids, users, trace ids, metadata) take each batch's inserts all over the
    // current position block's pages, and SQLite's WAL writes every page a transaction dirties.
    // At 1,600 records/s in 100-record POSTs with a 5 ms wait that was ~33 KB of WAL per record
    // (300+ MB in 8 s), which made every fdatasync on the disk, the access log's included, wait
    // 10-50 ms; a 500 ms wait covers each page once per batch instead of once per POST. Readers
    // do not see the lag: a search, stats, a get that missed, `waitUntilDrained` and closing
    // all skip the wait and wait for the insert instead (read-your-writes).
    static let smallBatch = 8192
    static let smallBatchDelay: UInt64 = 500_000_000
    static let accessBatchDelay: UInt64 = 1_000_000_000

    /// From now on, the indexer thread builds the id filters of the index's blocks
    /// (`AuditIndex.prepareIDFilters`): at once for the blocks already indexed (a scan of the id
    /// postings: ~0.2 s per million records), then for each new block after the batch that
    /// started it. Lookups by id then seek one block instead of every block. For long-running
    /// processes (`serve`); a one-shot command would only pay for the build.
    public func keepIDFiltersBuilt() {
        queue.withLock { $0.buildsIDFilters = true }
        wakeup.signal()
    }

    private func buildIDFiltersIfAsked() {
        guard queue.withLock({ $0.buildsIDFilters && !$0.closing }) else { return }
        do {
            // Not for the access log: gets by id look there only when an admin names it.
            try index.prepareIDFilters(excludedRegions: [AccessLog.region])
            queue.withLock { $0.idFilterBuildFailed = false }
        } catch {
            // Only lookups get slower (every block is searched); the next batch retries.
            let first = queue.withLock { q in defer { q.idFilterBuildFailed = true }; return !q.idFilterBuildFailed }
            if first { FileHandle.standardError.write(Data("gatelog: cannot build the index's id filters (\(error)); retrying\n".utf8)) }
        }
    }

    /// Positions indexed per region (the next position the index expects).
    public var indexedPositions: [String: UInt64] { queue.withLock { $0.inserted } }

    /// Durable records waiting to be inserted.
    public var pendingCount: Int { queue.withLock { $0.pending.count } }

    /// Acknowledged records handed to the index and not in it yet (queued, being inserted, or let
    /// go and being read back from the segments), and whether such a catch-up is due or running.
    public var lag: (records: Int, catchingUpFromSegments: Bool) {
        queue.withLock { q in (Int(clamping: q.enqueuedTotal &- q.settledTotal), q.needsCatchUp || q.catchingUp) }
    }

    /// Why the index is missing durable records it cannot insert now (its inserts fail and records
    /// are pending or were let go for a catch-up), or nil. A slow index is not failing.
    public var missingRecordsReason: String? {
        queue.withLock { q in
            guard let failure = q.failure, q.settledTotal < q.enqueuedTotal || q.needsCatchUp || !q.pending.isEmpty else { return nil }
            return failure
        }
    }

    /// The last indexing failure, if any (the feeder keeps retrying).
    public var failure: String? { queue.withLock { $0.failure } }

    /// Regions whose segments the index could not read to the end when it opened (damage): why.
    /// Their searches and stats see only what comes before the damage.
    public var damagedRegions: [String: String] { queue.withLock { $0.damagedRegions } }

    /// Blocks until everything enqueued before the call is in the index (bounded by `timeout`);
    /// records enqueued meanwhile do not prolong the wait. Returns at once when nothing is pending
    /// and gives up as soon as an insert fails (the feeder keeps retrying; `failure` says why).
    /// Returns false when it gave up or timed out.
    @discardableResult
    public func waitUntilDrained(timeout: TimeInterval = 30) -> Bool {
        let target = queue.withLock { q -> UInt64? in
            // Nothing pending, or the index is failing (a full disk): answer from what it has
            // rather than make every search wait out the timeout.
            guard q.settledTotal < q.enqueuedTotal || q.needsCatchUp || q.catchingUp, q.failure == nil else { return nil }
            q.drainRequests += 1
            return q.enqueuedTotal
        }
        guard let target else { return true }
        defer { queue.withLock { $0.drainRequests -= 1 } }
        wakeup.signal()
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(max(timeout, 0) * 1e9)
        var pause: UInt32 = 50
        while DispatchTime.now().uptimeNanoseconds < deadline {
            let (settled, failing) = queue.withLock { q in
                (q.settledTotal >= target && !q.needsCatchUp && !q.catchingUp, q.failure != nil)
            }
            if settled { return true }
            if failing { return false }
            usleep(pause)
            pause = min(pause * 2, 1000)
        }
        return false
    }

    /// Waits before retrying a failed insert: 0.5 s, doubling after each failure in a row up to
    /// 30 s (a full disk: each attempt grows the WAL into space the segments need), in 50 ms steps
    /// so that closing is not held up.
    private func backOff(_ failuresInARow: Int) {
        let seconds = min(0.5 * pow(2, Double(max(failuresInARow - 1, 0))), 30)
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9)
        while DispatchTime.now().uptimeNanoseconds < deadline, !queue.withLock({ $0.closing }) { usleep(50_000) }
    }

    private func run() {
        defer { stopped.signal() }
        var failuresInARow = 0
        while true {
            _ = wakeup.wait(timeout: .now() + 0.05)
            while true {
                let wait = queue.withLock { q -> UInt64 in
                    guard !q.pending.isEmpty, q.pending.count < IndexFeeder.smallBatch, q.drainRequests == 0, !q.closing else { return 0 }
                    let delay = q.pendingRecords > 0 ? IndexFeeder.smallBatchDelay : IndexFeeder.accessBatchDelay
                    let age = DispatchTime.now().uptimeNanoseconds &- q.oldestPendingAt
                    return age < delay ? delay - age : 0
                }
                if wait == 0 { break }
                _ = wakeup.wait(timeout: .now() + .nanoseconds(Int(wait)))
            }
            let catchUpNow = queue.withLock { q -> Bool in
                // Cleared before the catch-up starts: records let go while it runs set it again.
                guard q.needsCatchUp && !q.closing else { return false }
                q.needsCatchUp = false
                q.catchingUp = true
                return true
            }
            if catchUpNow {
                // Records were let go while inserts failed: read them back from the segments first
                // (what is queued now follows them; re-inserting a row is ignored).
                do {
                    try catchUp(configuration: configuration, durableEnds: queue.withLock { $0.durableEnd })
                    let wasFailing = queue.withLock { q -> Bool in
                        defer { q.failure = nil; q.catchingUp = false }
                        return q.failure != nil
                    }
                    if wasFailing {
                        FileHandle.standardError.write(Data("gatelog: the index caught up from the segments after failing\n".utf8))
                    }
                } catch {
                    queue.withLock { $0.failure = "\(error)"; $0.needsCatchUp = true; $0.catchingUp = false }
                    failuresInARow += 1
                    backOff(failuresInARow)
                    continue
                }
            }
            let (batch, closing) = queue.withLock { q -> ([IndexEntry], Bool) in
                // Usually everything pending: hand the array over instead of copying it.
                let take: [IndexEntry]
                if q.pending.count <= IndexFeeder.maxBatch {
                    take = q.pending
                    q.pending = []
                } else {
                    take = Array(q.pending.prefix(IndexFeeder.maxBatch))
                    q.pending.removeFirst(take.count)
                }
                q.pendingRecords -= IndexFeeder.recordRegionCount(take)
                if !q.pending.isEmpty { q.oldestPendingAt = DispatchTime.now().uptimeNanoseconds }
                return (take, q.closing)
            }
            if batch.isEmpty {
                if closing { return }
                buildIDFiltersIfAsked()
                continue
            }
            do {
                try index.insert(batch)
                queue.withLock { q in
                    // By index: `for r in batch` would copy (retain) every string of every entry.
                    for i in batch.indices {
                        let region = batch[i].region
                        q.inserted[region] = max(q.inserted[region] ?? 0, batch[i].position + 1)
                    }
                    q.settledTotal += UInt64(batch.count)
                    q.failure = nil
                }
                failuresInARow = 0
                buildIDFiltersIfAsked()
            } catch {
                // Keep the records and retry: the index must not lose what the segments hold. When
                // closing, give up instead of hanging: the next open catches up from the segments.
                let giveUp = queue.withLock { q -> Bool in
                    q.failure = "\(error)"
                    if q.closing {
                        q.settledTotal = q.enqueuedTotal
                        q.pending = []
                        q.pendingRecords = 0
                        return true
                    }
                    q.pending.insert(contentsOf: batch, at: 0)
                    q.pendingRecords += IndexFeeder.recordRegionCount(batch)
                    return false
                }
                FileHandle.standardError.write(Data("gatelog: indexing failed (\(error)); \(giveUp ? "the index will catch up from the segments on the next start" : "retrying")\n".utf8))
                if giveUp { return }
                failuresInARow += 1
                backOff(failuresInARow)
            }
        }
    }

    /// Indexes what is queued and stops the thread.
    public func close() {
        let first = queue.withLock { q -> Bool in
            defer { q.closing = true }
            return !q.closing
        }
        guard first else { return }
        wakeup.signal()
        stopped.wait()
        try? index.checkpoint()
    }
}

/// Accumulates catch-up entries and inserts them in large batches.
final class CatchUpBatch {
    let index: AuditIndex
    let region: String
    let limit: Int
    var entries: [IndexEntry] = []
    var last: UInt64?

    init(index: AuditIndex, region: String, limit: Int) {
        self.index = index
        self.region = region
        self.limit = limit
    }

    func add(_ record: StoredRecord) throws {
        guard let envelope = record.envelope, let fields = try? RecordFields.extract(envelope: envelope) else { return }
        entries.append(IndexFeeder.entry(region: region, position: record.position, fields: fields,
                                         segment: record.location.segment, frameOffset: record.location.frameOffset,
                                         indexInFrame: record.location.indexInFrame, chainHash: record.chainHash.bytes,
                                         content: record.content))
        last = record.position
        if entries.count >= limit { try flush() }
    }

    func flush() throws {
        guard !entries.isEmpty else { return }
        try index.insert(entries)
        entries.removeAll(keepingCapacity: true)
    }
}
