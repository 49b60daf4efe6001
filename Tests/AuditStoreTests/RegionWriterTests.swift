import XCTest
import Foundation
import Synchronization
import AuditFormat
import AuditStore
import GatelogCrypto
#if canImport(Glibc)
import Glibc
#endif

final class RegionWriterTests: XCTestCase {
    /// On an idle writer, `appendOnCallingThread` returns with the records durable (the ticket is
    /// complete) and they read back after a reopen.
    func testAppendOnCallingThreadIsDurableOnReturnWhenIdle() throws {
        let tmp = TemporaryDirectory()
        let config = Fixtures.configuration(tmp.path, segmentMaxBytes: 1 << 20, frameTargetBytes: 16 << 10)
        let writer = try RegionWriter.open(region: "eu-test", configuration: config, signingKey: Fixtures.storeKey)
        for batch in 0..<5 {
            let ticket = try writer.appendOnCallingThread((0..<3).map { Fixtures.staged(batch * 3 + $0) })
            XCTAssertTrue(ticket.isComplete, "batch \(batch) was not written on the calling thread")
            let outcomes = try ticket.wait().get()
            XCTAssertEqual(outcomes.count, 3)
            for (k, o) in outcomes.enumerated() {
                guard case .accepted(let position, _) = o else { return XCTFail("\(o)") }
                XCTAssertEqual(position, UInt64(batch * 3 + k))
            }
        }
        XCTAssertEqual(writer.status.treeSize, 15)
        writer.close()
        XCTAssertThrowsError(try writer.appendOnCallingThread([Fixtures.staged(99)])) { error in
            guard case .closed = error as? StoreError else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try Fixtures.storedIDs(config, region: "eu-test").count, 15)
        XCTAssertTrue(try Fixtures.verify(config).isIntact)
    }

    /// Callers writing on their own threads and callers queueing for the writer thread, at once,
    /// across segment rolls and checkpoints: every record gets one position, no position is used
    /// twice, and the log verifies.
    func testCallingThreadAndQueuedAppendsInterleave() throws {
        let tmp = TemporaryDirectory()
        var config = Fixtures.configuration(tmp.path, segmentMaxBytes: 24 << 10, frameTargetBytes: 2048)
        config.checkpointInterval = 0.01
        let writer = try RegionWriter.open(region: "eu-test", configuration: config, signingKey: Fixtures.storeKey)
        let positions = Mutex<[UInt64: Int]>([:])
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 6) { worker in
            for round in 0..<25 {
                let records = (0..<4).map { Fixtures.staged(worker * 1000 + round * 4 + $0) }
                do {
                    let ticket = worker % 2 == 0 ? try writer.appendOnCallingThread(records) : try writer.append(records)
                    for o in try ticket.wait().get() {
                        guard case .accepted(let p, _) = o else { failures.withLock { $0.append("\(o)") }; continue }
                        positions.withLock { $0[p, default: 0] += 1 }
                    }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
        }
        writer.close()
        XCTAssertEqual(failures.withLock { $0 }, [])
        let seen = positions.withLock { $0 }
        XCTAssertEqual(seen.count, 600)
        XCTAssertEqual(seen.values.max(), 1)
        XCTAssertEqual(seen.keys.max(), 599)
        XCTAssertGreaterThan(writer.status.segmentCount, 2, "the test should cross segment rolls")
        let report = try Fixtures.verify(config)
        XCTAssertTrue(report.isIntact, report.summary)
        XCTAssertEqual(try Fixtures.storedIDs(config, region: "eu-test").count, 600)
    }
    /// Verifying a region while its writer runs never reports a break: a segment sealed (and its
    /// checkpoint signed) after the verifier read the checkpoint log used to be reported as
    /// "no checkpoint covers sealed segment …: checkpoints were removed" (found by a soak test).
    func testVerifyWhileTheWriterSealsSegmentsReportsNoBreak() throws {
        let tmp = TemporaryDirectory()
        var config = Fixtures.configuration(tmp.path, segmentMaxBytes: 8 << 10, frameTargetBytes: 1024)
        config.checkpointInterval = 0.01
        let writer = try RegionWriter.open(region: "eu-test", configuration: config, signingKey: Fixtures.storeKey)
        // A long checkpoint log makes each verify read it for longer (a wider window for a seal).
        for round in 0..<40 { _ = try writer.append((0..<3).map { Fixtures.staged(round * 3 + $0) }).wait().get() }
        let stop = Atomic<Bool>(false)
        let writing = DispatchGroup()
        DispatchQueue.global().async(group: writing) {
            var i = 1000
            while !stop.load(ordering: .relaxed) {
                _ = try? writer.append([Fixtures.staged(i)]).wait().get()
                i += 1
            }
        }
        var broken: [String] = []
        let deadline = Date().addingTimeInterval(3)
        var runs = 0
        while Date() < deadline && broken.isEmpty {
            var v = RegionVerifier(region: "eu-test", directory: config.regionDirectory("eu-test"), keyring: Fixtures.trusted)
            v.maxBreaks = 5
            let report = try v.verify()
            if !report.isIntact { broken.append(report.summary) }
            runs += 1
        }
        stop.store(true, ordering: .relaxed)
        writing.wait()
        writer.close()
        XCTAssertEqual(broken, [], "after \(runs) verifications")
        XCTAssertGreaterThan(writer.status.segmentCount, 20, "the test should cross many segment seals")
    }

    /// Records written on a caller's thread are checkpointed by the writer thread on time (it is
    /// woken for them, not left asleep until its old deadline), and the caller does not sign.
    func testCallingThreadAppendsAreCheckpointedOnTime() throws {
        let tmp = TemporaryDirectory()
        var config = Fixtures.configuration(tmp.path, segmentMaxBytes: 1 << 20, frameTargetBytes: 16 << 10)
        config.checkpointInterval = 0.05
        let writer = try RegionWriter.open(region: "eu-test", configuration: config, signingKey: Fixtures.storeKey)
        defer { writer.close() }
        _ = try writer.appendOnCallingThread([Fixtures.staged(0)]).wait().get()
        usleep(300_000) // the writer's idle sleep is 1 s: only a wake-up gets the checkpoint in time
        _ = try writer.appendOnCallingThread([Fixtures.staged(1)]).wait().get()
        XCTAssertEqual(writer.latestCheckpoint?.checkpoint.treeSize, 1, "the first record's checkpoint came from the writer thread")
        let deadline = Date().addingTimeInterval(0.4)
        while writer.latestCheckpoint?.checkpoint.treeSize != 2 && Date() < deadline { usleep(10_000) }
        XCTAssertEqual(writer.latestCheckpoint?.checkpoint.treeSize, 2)
    }
    /// A roll whose next segment cannot be created (here: a directory in its place; in life a full
    /// disk or a read-only mount) does not stop the writer: appends fail with a clear error until
    /// the segment can be created, then go on without a restart, and the log verifies.
    func testARollThatCannotStartTheNextSegmentIsRetriedNotFatal() throws {
        let tmp = TemporaryDirectory()
        let config = Fixtures.configuration(tmp.path, segmentMaxBytes: 1 << 20, frameTargetBytes: 16 << 10)
        let writer = try RegionWriter.open(region: "eu-test", configuration: config, signingKey: Fixtures.storeKey)
        _ = try writer.appendAndWait((0..<5).map { Fixtures.staged($0) })
        let blocker = Fixtures.segmentPath(config, 2)
        XCTAssertEqual(mkdir(blocker, 0o755), 0)
        XCTAssertThrowsError(try writer.seal())
        XCTAssertThrowsError(try writer.appendAndWait([Fixtures.staged(5)]), "no segment to write to yet")
        XCTAssertNil(writer.status.failure, "the writer has not stopped")
        XCTAssertNotNil(writer.status.lastWriteError, "readiness can tell that writes fail")
        XCTAssertEqual(rmdir(blocker), 0)
        let outcomes = try writer.appendAndWait((5..<8).map { Fixtures.staged($0) })
        guard case .accepted(let position, _) = outcomes[0] else { return XCTFail("\(outcomes)") }
        XCTAssertEqual(position, 5)
        XCTAssertNil(writer.status.lastWriteError)
        writer.close()
        let report = try Fixtures.verify(config)
        XCTAssertTrue(report.isIntact, report.summary)
        XCTAssertEqual(try Fixtures.storedIDs(config, region: "eu-test").count, 8)
    }
}
