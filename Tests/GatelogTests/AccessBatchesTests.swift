import XCTest
import Foundation
import Synchronization
import AuditFormat
import AuditStore
@testable import Gatelog

/// The access log's group commit: every entry is flushed exactly once, before `commit` returns,
/// and entries arriving while a batch is being flushed go together in the next one.
final class AccessBatchesTests: XCTestCase {
    private func staged(_ i: Int) throws -> StagedRecord {
        let json = #"{"id":"acc-\#(i)","ts":"2026-11-24T09:00:00Z","region":"_access","kind":"access"}"#
        let record = try Array(json.utf8).withUnsafeBytes { b throws(RecordError) in try AuditRecord.parse(b) }
        return StagedRecord(fields: record.fields,
                            prepared: PreparedRecord(id: record.fields.id, envelope: record.envelopeBytes(), content: record.contentBytes()),
                            inputSize: json.utf8.count)
    }

    func testConcurrentEntriesAreFlushedOnceAndTogether() throws {
        let batches = AccessBatches()
        let records = try (0..<32).map(staged)
        let flushed = Mutex<[[String]]>([])
        let returnedBeforeFlush = Mutex<[String]>([])
        // One thread per entry (concurrentPerform would run only as many at once as there are cores).
        let done = DispatchGroup()
        for i in records.indices {
            done.enter()
            Thread {
                defer { done.leave() }
                let written = batches.commit(records[i]) { batch in
                usleep(20_000) // a slow disk: everyone else arrives meanwhile
                flushed.withLock { $0.append(batch.map(\.fields.id)) }
                return true
            }
                XCTAssertTrue(written)
                let mine = records[i].fields.id
                if !flushed.withLock({ $0.joined().contains(mine) }) { returnedBeforeFlush.withLock { $0.append(mine) } }
            }.start()
        }
        done.wait()
        let all = flushed.withLock { $0 }
        XCTAssertEqual(returnedBeforeFlush.withLock { $0 }, [], "commit returned before its entry was flushed")
        XCTAssertEqual(all.joined().sorted(), records.map(\.fields.id).sorted(), "each entry flushed exactly once")
        XCTAssertLessThan(all.count, records.count / 2, "entries that wait share a flush: \(all.map(\.count))")
    }

    func testALoneEntryIsFlushedAtOnce() throws {
        let batches = AccessBatches()
        var sizes: [Int] = []
        for i in 0..<3 { XCTAssertTrue(batches.commit(try staged(i)) { sizes.append($0.count); return true }) }
        XCTAssertEqual(sizes, [1, 1, 1])
    }

    /// Many rounds with a fast flush: every hand-over of the lead is exercised thousands of times;
    /// nothing is flushed twice, lost, or acknowledged early, and nobody waits forever.
    func testManyRoundsOfHandOverLoseNothing() throws {
        let batches = AccessBatches()
        let threads = 8, perThread = 1500
        let records = try (0..<threads * perThread).map(staged)
        let flushed = Mutex<Set<String>>([])
        let duplicates = Mutex(0), early = Mutex(0), mismatched = Mutex(0), batchCounter = Mutex(0)
        let outcomes = Mutex<[String: Bool]>([:])
        let done = DispatchGroup()
        for t in 0..<threads {
            done.enter()
            Thread {
                defer { done.leave() }
                for k in 0..<perThread {
                    let record = records[t * perThread + k]
                    // Every third batch "fails": each caller must get its own batch's result.
                    let written = batches.commit(record) { batch in
                        let ok = batchCounter.withLock { n -> Bool in n += 1; return n % 3 != 0 }
                        flushed.withLock { set in
                            for r in batch where !set.insert(r.fields.id).inserted { duplicates.withLock { $0 += 1 } }
                        }
                        outcomes.withLock { for r in batch { $0[r.fields.id] = ok } }
                        return ok
                    }
                    if !flushed.withLock({ $0.contains(record.fields.id) }) { early.withLock { $0 += 1 } }
                    if outcomes.withLock({ $0[record.fields.id] }) != written { mismatched.withLock { $0 += 1 } }
                }
            }.start()
        }
        XCTAssertEqual(done.wait(timeout: .now() + 60), .success, "a caller never returned")
        XCTAssertEqual(flushed.withLock { $0.count }, records.count)
        XCTAssertEqual(duplicates.withLock { $0 }, 0)
        XCTAssertEqual(early.withLock { $0 }, 0)
        XCTAssertEqual(mismatched.withLock { $0 }, 0, "a caller got another batch's result")
        XCTAssertGreaterThan(outcomes.withLock { $0.values.filter { !$0 }.count }, 0, "some batches failed")
    }
}
