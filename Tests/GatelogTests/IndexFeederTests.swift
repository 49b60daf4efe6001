import XCTest
import Foundation
import AuditStore
import AuditQuery
import AuditIndex
import Gatelog

/// The indexer when index writes fail for a while: a real second SQLite connection (Python's
/// sqlite3) holds the index's write lock, so inserts fail with SQLITE_BUSY.
final class IndexFeederTests: XCTestCase {
    /// Holds `BEGIN IMMEDIATE` on `path` until `release()`.
    final class WriteLockHolder {
        let process = Process()
        let input = Pipe(), output = Pipe()

        init(path: String) throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c", """
                import sqlite3, sys
                c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
                c.execute("BEGIN IMMEDIATE")
                print("locked", flush=True)
                sys.stdin.read()
                c.execute("ROLLBACK")
                """, path]
            process.standardInput = input
            process.standardOutput = output
            try process.run()
            let line = output.fileHandleForReading.availableData
            guard String(decoding: line, as: UTF8.self).contains("locked") else { throw CocoaError(.fileLocking) }
        }

        func release() {
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
        }
    }

    func testWhileInsertsFailTheQueueStaysBoundedAndTheIndexCatchesUpFromTheSegments() throws {
        let tmp = TemporaryDirectory()
        let config = StoreConfiguration(dataDirectory: tmp.path)
        let feeder = try IndexFeeder(configuration: config, maxPendingWhileFailing: 5, writerBusyTimeoutMilliseconds: 50)
        defer { feeder.close() }
        let store = try LogStore(configuration: config, onDurable: { feeder.enqueue($0) })
        defer { store.close() }
        let ingestor = Ingestor(store: store, redactor: nil)
        func ingest(_ ids: Range<Int>) {
            let lines = ids.map { Array(Fixture.record("q-\($0)").utf8)[...] }
            XCTAssertEqual(ingestor.ingest(lines: lines, source: "test").accepted, ids.count)
        }
        ingest(0..<3)
        XCTAssertTrue(feeder.waitUntilDrained(timeout: 10))
        XCTAssertEqual(try feeder.index.recordCount(), 3)

        let lock = try WriteLockHolder(path: feeder.path)
        ingest(3..<13)
        // The first insert attempt fails (after the feeder's batching delay and the busy timeout).
        let deadline = Date().addingTimeInterval(10)
        while feeder.failure == nil, Date() < deadline { usleep(20_000) }
        XCTAssertNotNil(feeder.failure, "inserts fail while the lock is held")
        ingest(13..<15)
        XCTAssertEqual(feeder.pendingCount, 0, "over the bound, queued records are let go (they are in the segments)")
        XCTAssertEqual(try feeder.index.recordCount(), 3)

        lock.release()
        let caughtUp = Date().addingTimeInterval(20)
        while (try? feeder.index.recordCount()) != 15, Date() < caughtUp { usleep(50_000) }
        XCTAssertEqual(try feeder.index.recordCount(), 15, "every durable record is indexed after the catch-up")
        XCTAssertNil(feeder.failure)
        // And the feeder goes on as usual.
        ingest(15..<17)
        XCTAssertTrue(feeder.waitUntilDrained(timeout: 10))
        XCTAssertEqual(try feeder.index.recordCount(), 17)
    }
    /// A stored record whose cost or latency the index cannot hold (one accepted before ingest
    /// bounded them; schemathesis sent `cost_usd` 1e10 and the index then refused every insert
    /// after it) is indexed with those values absent, live and when caught up from the segments,
    /// and the records after it are indexed too.
    func testOutOfRangeCostOrLatencyNeverStopsTheIndex() throws {
        let tmp = TemporaryDirectory()
        var config = StoreConfiguration(dataDirectory: tmp.path)
        config.limits.costUSDBound = .infinity       // a store written before the bounds existed
        config.limits.latencyMsBound = .infinity
        let big = #"{"id":"huge","ts":"2026-03-01T12:00:00Z","region":"eu-west-1","tenant":"acme","cost_usd":1e10,"#
            + #""latency_ms":{"total":1e300,"ttft":-9e15,"itl":2.5}}"#
        let lines = [Array(Fixture.record("before").utf8)[...], Array(big.utf8)[...], Array(Fixture.record("after").utf8)[...]]
        do {
            let feeder = try IndexFeeder(configuration: config)
            defer { feeder.close() }
            let store = try LogStore(configuration: config, onDurable: { feeder.enqueue($0) })
            defer { store.close() }
            XCTAssertEqual(Ingestor(store: store, redactor: nil).ingest(lines: lines, source: "test").accepted, 3)
            XCTAssertTrue(feeder.waitUntilDrained(timeout: 10))
            XCTAssertNil(feeder.failure)
            XCTAssertEqual(try feeder.index.recordCount(), 3)
        }
        // Rebuilt from the segments by a service with today's bounds.
        try FileManager.default.removeItem(atPath: tmp.path + "/index")
        let service = try Fixture.open(tmp.path)
        defer { service.close() }
        XCTAssertEqual(try service.query.index!.recordCount(), 3)
        XCTAssertNil(service.indexer?.failure)
        XCTAssertEqual(try Fixture.allIDs(service).sorted(), ["after", "before", "huge"])
        let stats = try service.query.stats(Fixture.admin, filter: IndexFilter(), groupBy: [], bucket: nil)
        XCTAssertEqual(stats.first?.count, 3)
        // And ingest today refuses such a value, naming the field.
        let refused = try service.ingest(body: Array((big.replacingOccurrences(of: "huge", with: "huge-2") + "\n").utf8),
                                         principal: Fixture.admin, source: "t")
        XCTAssertEqual(refused.rejected.count, 1)
        XCTAssertTrue(refused.rejected.first?.reason.contains("cost_usd") ?? false, refused.rejected.first?.reason ?? "")
    }

    /// An index that keeps up too slowly (inserts wait, not fail) does not hold an unbounded
    /// queue: beyond `maxPendingWhileSlow` the queued records are let go and read back from the
    /// segments, and waiters wait for that catch-up (nothing acknowledged looks absent meanwhile).
    func testASlowIndexLetsGoOfItsQueueAndCatchesUpFromTheSegments() throws {
        let tmp = TemporaryDirectory()
        let config = StoreConfiguration(dataDirectory: tmp.path)
        let feeder = try IndexFeeder(configuration: config, maxPendingWhileSlow: 5)
        defer { feeder.close() }
        let store = try LogStore(configuration: config, onDurable: { feeder.enqueue($0) })
        defer { store.close() }
        let ingestor = Ingestor(store: store, redactor: nil)
        func ingest(_ ids: Range<Int>) {
            let lines = ids.map { Array(Fixture.record("w-\($0)").utf8)[...] }
            XCTAssertEqual(ingestor.ingest(lines: lines, source: "test").accepted, ids.count)
        }
        ingest(0..<3)
        XCTAssertTrue(feeder.waitUntilDrained(timeout: 10))
        let lock = try WriteLockHolder(path: feeder.path)
        // One by one: the feeder takes at most one batch (its insert then waits for the lock), so
        // the queue builds up past the bound even on a slow machine.
        for i in 3..<33 { ingest(i..<(i + 1)) }
        XCTAssertTrue(feeder.lag.catchingUpFromSegments, "over the bound, the queue is let go for a catch-up")
        XCTAssertLessThanOrEqual(feeder.pendingCount, 5)
        XCTAssertFalse(feeder.waitUntilDrained(timeout: 1), "still behind: the dropped records are not indexed yet")
        XCTAssertNil(feeder.failure, "slow, not failing")
        lock.release()
        XCTAssertTrue(feeder.waitUntilDrained(timeout: 20))
        XCTAssertEqual(try feeder.index.recordCount(), 33)
        ingest(33..<35)
        XCTAssertTrue(feeder.waitUntilDrained(timeout: 10))
        XCTAssertEqual(try feeder.index.recordCount(), 35)
    }

    /// A catch-up while the writers run indexes only what was handed over as durable: frames of a
    /// region that never reported them durable (here: written by a store without the feeder's
    /// hook, standing for frames written but not yet fdatasync'd) are left for later.
    func testRuntimeCatchUpStopsAtWhatWasReportedDurable() throws {
        let tmp = TemporaryDirectory()
        let config = StoreConfiguration(dataDirectory: tmp.path)
        let feeder = try IndexFeeder(configuration: config, maxPendingWhileFailing: 2, writerBusyTimeoutMilliseconds: 50)
        defer { feeder.close() }
        let store = try LogStore(configuration: config, onDurable: { feeder.enqueue($0) })
        defer { store.close() }
        let ingestor = Ingestor(store: store, redactor: nil)
        let lock = try WriteLockHolder(path: feeder.path)
        func ingest(_ ids: Range<Int>) {
            let lines = ids.map { Array(Fixture.record("d-\($0)").utf8)[...] }
            XCTAssertEqual(ingestor.ingest(lines: lines, source: "test").accepted, ids.count)
        }
        ingest(0..<3)
        let deadline = Date().addingTimeInterval(10)
        while feeder.failure == nil, Date() < deadline { usleep(20_000) }
        XCTAssertNotNil(feeder.failure, "inserts fail while the lock is held")
        ingest(3..<6)
        XCTAssertEqual(feeder.pendingCount, 0, "over the bound, queued records are let go")
        // Frames the feeder was never told about, in another region.
        let unreported = try LogStore(configuration: config)
        let other = Ingestor(store: unreported, redactor: nil)
        let otherLines = (0..<4).map { Array(Fixture.record("u-\($0)", region: "us-east-1").utf8)[...] }
        XCTAssertEqual(other.ingest(lines: otherLines, source: "test").accepted, 4)
        unreported.close()

        lock.release()
        let caughtUp = Date().addingTimeInterval(20)
        while (try? feeder.index.recordCount()) != 6, Date() < caughtUp { usleep(50_000) }
        usleep(200_000)
        XCTAssertEqual(try feeder.index.recordCount(), 6, "only the records reported durable are indexed by the catch-up")
        XCTAssertNil(feeder.indexedPositions["us-east-1"].flatMap { $0 > 0 ? $0 : nil })
        // On the next open (the store's files recovered and synced), they are indexed.
        store.close()
        feeder.close()
        let reopened = try IndexFeeder(configuration: config)
        defer { reopened.close() }
        XCTAssertEqual(try reopened.index.recordCount(), 10)
        XCTAssertEqual(reopened.indexedPositions["us-east-1"], 4)
    }
    /// While index inserts fail, a lookup of an acknowledged record that is not indexed yet is a
    /// 503-class storage error, never "not found", and searches refuse rather than answer without
    /// acknowledged records; once inserts work again, everything is found.
    func testAFailingIndexNeverSaysAnAcknowledgedRecordDoesNotExist() throws {
        let tmp = TemporaryDirectory()
        let service = try Fixture.open(tmp.path)
        defer { service.close() }
        let indexer = try XCTUnwrap(service.indexer)
        func ingest(_ ids: Range<Int>) {
            let lines = ids.map { Array(Fixture.record("f-\($0)").utf8) }
            XCTAssertEqual(try service.ingest(body: Fixture.ndjson(lines), principal: Fixture.admin, source: "t").accepted, ids.count)
        }
        ingest(0..<3)
        XCTAssertTrue(indexer.waitUntilDrained(timeout: 10))
        let lock = try WriteLockHolder(path: indexer.path)
        ingest(3..<6)
        let deadline = Date().addingTimeInterval(30)
        while indexer.failure == nil, Date() < deadline { usleep(50_000) }
        XCTAssertNotNil(indexer.failure, "inserts fail while the lock is held")
        XCTAssertThrowsError(try service.query.get(Fixture.admin, id: "f-4")) { error in
            guard case AccessError.storage(let message) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("index"), message)
        }
        XCTAssertThrowsError(try service.query.search(Fixture.admin, filter: IndexFilter(), limit: 10)) { error in
            guard case AccessError.storage = error else { return XCTFail("\(error)") }
        }
        XCTAssertNoThrow(try service.query.get(Fixture.admin, id: "f-1"), "an indexed record is still found")
        lock.release()
        let caughtUp = Date().addingTimeInterval(20)
        while (try? service.query.get(Fixture.admin, id: "f-4")) == nil, Date() < caughtUp { usleep(100_000) }
        XCTAssertNoThrow(try service.query.get(Fixture.admin, id: "f-4"))
    }

    /// A slow index (inserts waiting, not failing) behind an acknowledged record: a get of that
    /// record is "try again" (503 index_behind), not "not found" (a soak test saw 9 such 404s
    /// with the index 30,000 records behind).
    func testASlowIndexNeverSaysAnAcknowledgedRecordDoesNotExist() throws {
        let tmp = TemporaryDirectory()
        let service = try Fixture.open(tmp.path)
        defer { service.close() }
        let indexer = try XCTUnwrap(service.indexer)
        XCTAssertEqual(try service.ingest(body: Array(Fixture.record("s-0").utf8), principal: Fixture.admin, source: "t").accepted, 1)
        XCTAssertTrue(indexer.waitUntilDrained(timeout: 10))
        // Inserts wait for the lock (busy timeout 10 s) without failing.
        let lock = try WriteLockHolder(path: indexer.path)
        XCTAssertEqual(try service.ingest(body: Array(Fixture.record("s-1").utf8), principal: Fixture.admin, source: "t").accepted, 1)
        XCTAssertThrowsError(try service.query.get(Fixture.admin, id: "s-1")) { error in
            guard case AccessError.indexBehind(let message) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("behind"), message)
        }
        XCTAssertNil(indexer.failure, "slow, not failing")
        lock.release()
        XCTAssertTrue(indexer.waitUntilDrained(timeout: 20))
        XCTAssertNoThrow(try service.query.get(Fixture.admin, id: "s-1"))
        XCTAssertThrowsError(try service.query.get(Fixture.admin, id: "never-stored")) { error in
            XCTAssertEqual(error as? AccessError, .notFound("record"), "a caught-up index says not found")
        }
    }
}
