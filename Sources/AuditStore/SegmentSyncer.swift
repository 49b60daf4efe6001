import Foundation
import Synchronization
import AuditFormat
import GatelogCrypto

/// Makes written frames durable on a thread of its own, so a region's writer can frame, compress
/// and write the next group while the previous group's `fdatasync` runs (pipelined group commit).
/// A group is acknowledged — and handed to the index — only after an fdatasync that started after
/// its `write` returned; groups are acknowledged in the order they were written. After a failed
/// fdatasync nothing more is acknowledged: the page cache can no longer be trusted.
final class SegmentSyncer: Sendable {
    struct Group: Sendable {
        var fd: Int32
        var path: String
        var tickets: [(ticket: AppendTicket, outcomes: [AppendOutcome])]
        var durable: [DurableRecord]
    }
    private struct State {
        var queue: [Group] = []
        var inFlight = false
        var failure: String?
        var stopping = false
    }
    private let state = Mutex(State())
    private let wakeup = DispatchSemaphore(value: 0)
    private let stopped = DispatchSemaphore(value: 0)
    private let region: String
    private let onDurable: (@Sendable ([DurableRecord]) -> Void)?
    private let fsyncObserver: (@Sendable (Double) -> Void)?

    init(region: String, onDurable: (@Sendable ([DurableRecord]) -> Void)?, fsyncObserver: (@Sendable (Double) -> Void)?) {
        self.region = region
        self.onDurable = onDurable
        self.fsyncObserver = fsyncObserver
        let thread = Thread { [self] in self.run() }
        thread.name = "gatelog-sync-\(region)"
        thread.start()
    }

    /// The first fdatasync failure, if any.
    var failure: String? { state.withLock { $0.failure } }

    /// Queues a written group for durability. Fails it at once after an earlier fsync failure.
    func submit(_ group: Group) {
        let failed = state.withLock { s -> String? in
            if let f = s.failure { return f }
            s.queue.append(group)
            return nil
        }
        if let failed {
            for t in group.tickets { t.ticket.complete(.failure(.writerFailed(region: region, detail: failed))) }
            return
        }
        wakeup.signal()
    }

    /// Makes `group` durable on the calling thread (the writer thread, or the caller of
    /// `RegionWriter.appendOnCallingThread`) when no other group is queued or being synced, else
    /// queues it behind them (groups stay in order). For a writer whose next group cannot arrive
    /// before this one is acknowledged (the access log's group commit), the syncer thread would
    /// only add a hand-off to every group.
    func syncHereOrSubmit(_ group: Group) {
        let here = state.withLock { s -> Bool? in
            if s.failure != nil { return nil }
            guard s.queue.isEmpty && !s.inFlight else { return false }
            s.inFlight = true
            return true
        }
        guard here == true else { return submit(group) }
        process([group])
        state.withLock { $0.inFlight = false }
    }

    /// Blocks until every queued group is durable (or failed). O(pending groups).
    func drain() {
        while state.withLock({ !$0.queue.isEmpty || $0.inFlight }) {
            wakeup.signal()
            usleep(50)
        }
    }

    /// Drains and stops the thread.
    func stop() {
        drain()
        state.withLock { $0.stopping = true }
        wakeup.signal()
        stopped.wait()
    }

    private func run() {
        defer { stopped.signal() }
        while true {
            wakeup.wait()
            let (groups, stopping, earlierFailure) = state.withLock { s -> ([Group], Bool, String?) in
                let g = s.queue
                s.queue = []
                // (Not cleared when empty: a group may be being synced inline.)
                if !g.isEmpty { s.inFlight = true }
                return (g, s.stopping, s.failure)
            }
            if groups.isEmpty {
                if stopping { return }
                continue
            }
            if let earlierFailure {
                // Queued before an earlier group's fdatasync failed: a second fdatasync would report
                // success (Linux reports a writeback error once per file), although these frames
                // chain from pages that may never reach the disk. Nothing more is acknowledged.
                for g in groups { for t in g.tickets { t.ticket.complete(.failure(.writerFailed(region: region, detail: earlierFailure))) } }
                state.withLock { $0.inFlight = false }
                continue
            }
            process(groups)
            state.withLock { $0.inFlight = false }
        }
    }

    /// fdatasyncs the groups' files, then hands their records on and completes their tickets (or
    /// fails them all and remembers the failure). The caller has set `inFlight`.
    private func process(_ groups: [Group]) {
        var problem: String?
        var synced = Set<Int32>()
        for g in groups where !synced.contains(g.fd) {
            let started = DispatchTime.now().uptimeNanoseconds
            do {
                try FileIO.dataSync(g.fd, path: g.path)
                fsyncObserver?(Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
                synced.insert(g.fd)
            } catch {
                problem = error.description
                break
            }
        }
        if let problem {
            state.withLock { $0.failure = problem }
            for g in groups { for t in g.tickets { t.ticket.complete(.failure(.writerFailed(region: region, detail: problem))) } }
        } else {
            for g in groups {
                // Hand records to the index before acknowledging them, so a caller who waits for
                // the indexer after its acknowledgement reads its own writes.
                if let onDurable, !g.durable.isEmpty { onDurable(g.durable) }
                for t in g.tickets { t.ticket.complete(.success(t.outcomes)) }
            }
        }
    }
}
