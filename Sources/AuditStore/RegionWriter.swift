import Foundation
import Synchronization
import AuditFormat
import GatelogCrypto
import JSON
#if canImport(Glibc)
import Glibc
#endif

/// The single writer of one region's log: an append queue drained by a dedicated thread that
/// frames, compresses, hashes, signs, writes and fdatasyncs records in groups (group commit),
/// signs checkpoints, and rolls segments. A second writer on the same region is refused.
public final class RegionWriter: Sendable {
    /// The region written.
    public let region: String

    enum Command: Sendable {
        case append([StagedRecord], AppendTicket)
        case checkpoint(AppendTicket)
        case seal(AppendTicket)
        case close(AppendTicket)
    }

    private struct Queue {
        var commands: [Command] = []
        var queuedBytes = 0
        var isClosed = false
        var firstQueuedAt: UInt64 = 0
    }

    private let queue = Mutex(Queue())
    private let wakeup: DispatchSemaphore
    private let statusBox: Mutex<RegionStatus>
    private let checkpointBox = Mutex<SignedCheckpoint?>(nil)
    private let maxQueuedBytes: Int
    private let finished = DispatchSemaphore(value: 0)

    /// Opens (creating if needed) the region, recovers a torn tail left by a crash, and starts
    /// the writer thread. Blocks until recovery is done.
    ///
    /// - Parameter onDurable: called on the writer thread with each group of records right after
    ///   they became durable; it must return quickly (hand the work to another queue).
    public static func open(region: String, configuration: StoreConfiguration, signingKey: LogSigningKey,
                            onDurable: (@Sendable ([DurableRecord]) -> Void)? = nil) throws(StoreError) -> RegionWriter {
        guard Region.isValidName(region) else { throw .invalidRegion(region) }
        let opened = Mutex<Result<RegionStatus, StoreError>?>(nil)
        let ready = DispatchSemaphore(value: 0)
        let writerBox = Mutex<RegionWriter?>(nil)
        let writerReady = DispatchSemaphore(value: 0)
        let wakeup = DispatchSemaphore(value: 0)
        let thread = Thread {
            let core: WriterCore
            do {
                core = try WriterCore(region: region, configuration: configuration, key: signingKey, onDurable: onDurable,
                                      wake: { wakeup.signal() })
            } catch let e as StoreError {
                opened.withLock { $0 = .failure(e) }
                ready.signal()
                return
            } catch {
                opened.withLock { $0 = .failure(.integrity(region: region, detail: "\(error)")) }
                ready.signal()
                return
            }
            opened.withLock { $0 = .success(core.status()) }
            ready.signal()
            writerReady.wait() // Wait for the RegionWriter object to exist.
            guard let writer = writerBox.withLock({ $0 }) else { return }
            writer.run(core)
        }
        thread.name = "gatelog-writer-\(region)"
        thread.start()
        ready.wait()
        let result = opened.withLock { $0! }
        switch result {
        case .failure(let e): throw e
        case .success(let status):
            let writer = RegionWriter(region: region, status: status, maxQueuedBytes: configuration.maxQueuedBytes, wakeup: wakeup)
            writerBox.withLock { $0 = writer }
            writerReady.signal()
            return writer
        }
    }

    private init(region: String, status: RegionStatus, maxQueuedBytes: Int, wakeup: DispatchSemaphore) {
        self.region = region
        self.wakeup = wakeup
        self.statusBox = Mutex(status)
        self.maxQueuedBytes = maxQueuedBytes
    }

    /// Enqueues records without blocking. The ticket completes once they are durable.
    /// Throws `.overloaded` when the queue is over its bound, `.closed` after `close()`.
    public func append(_ records: [StagedRecord]) throws(StoreError) -> AppendTicket {
        let ticket = AppendTicket()
        if records.isEmpty { ticket.complete(.success([])); return ticket }
        let bytes = records.reduce(0) { $0 + $1.prepared.envelope.count + $1.prepared.content.count }
        try enqueue(.append(records, ticket), bytes: bytes)
        return ticket
    }

    /// Appends records and waits until they are durable.
    public func appendAndWait(_ records: [StagedRecord]) throws(StoreError) -> [AppendOutcome] {
        try append(records).wait().get()
    }

    /// Signs a checkpoint now (if records arrived since the last one) and returns the latest.
    public func checkpoint() throws(StoreError) -> SignedCheckpoint? {
        let ticket = AppendTicket()
        try enqueue(.checkpoint(ticket), bytes: 0)
        _ = try ticket.wait().get()
        return latestCheckpoint
    }

    /// Seals the current segment (if it holds records) and starts a new one.
    public func seal() throws(StoreError) {
        let ticket = AppendTicket()
        try enqueue(.seal(ticket), bytes: 0)
        _ = try ticket.wait().get()
    }

    /// Writes everything queued, signs a final checkpoint, stops the thread and releases the lock.
    public func close() {
        let ticket = AppendTicket()
        let accepted = queue.withLock { q -> Bool in
            guard !q.isClosed else { return false }
            q.commands.append(.close(ticket))
            q.isClosed = true
            return true
        }
        if accepted {
            wakeup.signal()
            _ = ticket.wait()
            finished.wait()
            finished.signal()
        }
    }

    /// The latest status snapshot.
    public var status: RegionStatus {
        var s = statusBox.withLock { $0 }
        s.queuedBytes = queue.withLock { $0.queuedBytes }
        return s
    }

    /// The latest signed checkpoint.
    public var latestCheckpoint: SignedCheckpoint? { checkpointBox.withLock { $0 } }

    private func enqueue(_ command: Command, bytes: Int) throws(StoreError) {
        let outcome = queue.withLock { q -> StoreError? in
            if q.isClosed { return .closed }
            if bytes > 0 && q.queuedBytes > 0 && q.queuedBytes + bytes > maxQueuedBytes { return .overloaded(region: region) }
            if q.commands.isEmpty { q.firstQueuedAt = DispatchTime.now().uptimeNanoseconds }
            q.commands.append(command)
            q.queuedBytes += bytes
            return nil
        }
        if let outcome { throw outcome }
        wakeup.signal()
    }

    // MARK: Writer thread

    private func run(_ core: WriterCore) {
        defer { finished.signal() }
        checkpointBox.withLock { $0 = core.lastCheckpoint }
        while true {
            let timeout = core.nextDeadline(queueStartedAt: queue.withLock { $0.commands.isEmpty ? nil : $0.firstQueuedAt })
            _ = wakeup.wait(timeout: timeout)
            core.adoptTrainedDictionary()
            if case .batch(let delay) = core.configuration.durability {
                // Gather more records for up to `delay` ms unless a frame's worth is already queued.
                let (first, bytes, closing) = queue.withLock { ($0.firstQueuedAt, $0.queuedBytes, $0.isClosed) }
                let due = first + UInt64(delay) * 1_000_000
                if !closing && bytes > 0 && bytes < core.configuration.frameTargetBytes * 4 && DispatchTime.now().uptimeNanoseconds < due {
                    continue
                }
            }
            let commands = queue.withLock { q -> [Command] in
                let c = q.commands
                q.commands = []
                q.queuedBytes = 0
                return c
            }
            var appends: [([StagedRecord], AppendTicket)] = []
            var controls: [Command] = []
            for c in commands {
                if case .append(let r, let t) = c { appends.append((r, t)) } else { controls.append(c) }
            }
            if !appends.isEmpty { core.write(appends) }
            core.maintain()
            for c in controls {
                switch c {
                case .checkpoint(let t):
                    t.complete(core.signCheckpointIfNeeded(force: false).map { [] })
                case .seal(let t):
                    t.complete(core.sealAndRoll().map { [] })
                case .close(let t):
                    let r = core.signCheckpointIfNeeded(force: false)
                    core.shutdown()
                    publish(core)
                    t.complete(r.map { [] })
                    return
                case .append: break
                }
            }
            publish(core)
        }
    }

    private func publish(_ core: WriterCore) {
        let s = core.status()
        statusBox.withLock { $0 = s }
        let cp = core.lastCheckpoint
        checkpointBox.withLock { $0 = cp }
    }
}
