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
    private let checkpointBox: Mutex<SignedCheckpoint?>
    /// The writer's state. The writer thread holds the lock while it works through its commands;
    /// `appendOnCallingThread` holds it to write on the caller's thread instead. `nil` once closed.
    private let coreBox: Mutex<WriterCore?>
    private let maxQueuedBytes: Int
    private let finished = DispatchSemaphore(value: 0)

    /// Opens (creating if needed) the region, recovers a torn tail left by a crash, and starts
    /// the writer thread. Blocks until recovery is done.
    ///
    /// - Parameter onDurable: called with each group of records right after they became durable,
    ///   on the thread that made them durable (the writer's, its syncer's, or the caller's of
    ///   `appendOnCallingThread`, while the writer's state is locked); it must return quickly
    ///   (hand the work to another queue) and must not call into this writer.
    public static func open(region: String, configuration: StoreConfiguration, signingKey: LogSigningKey,
                            onDurable: (@Sendable ([DurableRecord]) -> Void)? = nil) throws(StoreError) -> RegionWriter {
        guard Region.isValidName(region) else { throw .invalidRegion(region) }
        let wakeup = DispatchSemaphore(value: 0)
        let core: WriterCore
        do {
            core = try WriterCore(region: region, configuration: configuration, key: signingKey, onDurable: onDurable,
                                  wake: { wakeup.signal() })
        } catch let e as StoreError {
            throw e
        } catch {
            throw .integrity(region: region, detail: "\(error)")
        }
        let writer = RegionWriter(region: region, core: core, maxQueuedBytes: configuration.maxQueuedBytes, wakeup: wakeup)
        let thread = Thread { writer.run() }
        thread.name = "gatelog-writer-\(region)"
        thread.start()
        return writer
    }

    private init(region: String, core: consuming sending WriterCore, maxQueuedBytes: Int, wakeup: DispatchSemaphore) {
        self.region = region
        self.wakeup = wakeup
        self.statusBox = Mutex(core.status())
        self.checkpointBox = Mutex(core.lastCheckpoint)
        self.maxQueuedBytes = maxQueuedBytes
        self.coreBox = Mutex(core)
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

    /// Like `append`, but when the writer is idle (nothing queued, its thread not working) the
    /// records are framed, written and made durable on the calling thread, and the ticket is
    /// complete on return. For a caller whose next append cannot come before this one is durable
    /// (the access log's group commit): it saves the hand-offs to the writer thread and back,
    /// which under load were most of the wait for a read's audit entry. Checkpoints and segment
    /// rolls stay on the writer thread (woken when one comes due). The fdatasync runs with the
    /// writer's state locked, so the writer thread cannot prepare the next group meanwhile (no
    /// pipelining): not for bulk ingest. In `batch` durability mode this is `append`.
    public func appendOnCallingThread(_ records: [StagedRecord]) throws(StoreError) -> AppendTicket {
        let ticket = AppendTicket()
        if records.isEmpty { ticket.complete(.success([])); return ticket }
        let (written, wakeWriter) = coreBox.withLock { box -> (Bool, Bool) in
            guard let core = box, case .durable = core.configuration.durability,
                  queue.withLock({ !$0.isClosed && $0.commands.isEmpty }) else { return (false, false) }
            // The writer thread sleeps until its last deadline: wake it when these records start
            // a new checkpoint or segment-age period, or when maintenance is due now.
            let startsPeriod = !core.hasUncheckpointedRecords || core.segmentRecordCount == 0
            core.adoptTrainedDictionary()
            core.write([(records, ticket)], syncHere: true)
            publish(core)
            return (true, startsPeriod || core.isMaintenanceDue)
        }
        if wakeWriter { wakeup.signal() }
        if !written {
            let bytes = records.reduce(0) { $0 + $1.prepared.envelope.count + $1.prepared.content.count }
            try enqueue(.append(records, ticket), bytes: bytes)
        }
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

    private func run() {
        defer { finished.signal() }
        while true {
            let queuedSince = queue.withLock { $0.commands.isEmpty ? nil : $0.firstQueuedAt }
            guard let timeout = coreBox.withLock({ $0?.nextDeadline(queueStartedAt: queuedSince) }) else { return }
            _ = wakeup.wait(timeout: timeout)
            let closed = coreBox.withLock { box -> Bool in
                guard let core = box else { return true }
                guard work(core) else { return false }
                box = nil
                return true
            }
            if closed { return }
        }
    }

    /// One round of the writer thread: the queued commands, then periodic work. Returns true
    /// once the writer is closed. Runs with `coreBox` locked.
    private func work(_ core: WriterCore) -> Bool {
        core.adoptTrainedDictionary()
        if case .batch(let delay) = core.configuration.durability {
            // Gather more records for up to `delay` ms unless a frame's worth is already queued.
            let (first, bytes, closing) = queue.withLock { ($0.firstQueuedAt, $0.queuedBytes, $0.isClosed) }
            let due = first + UInt64(delay) * 1_000_000
            if !closing && bytes > 0 && bytes < core.configuration.frameTargetBytes * 4 && DispatchTime.now().uptimeNanoseconds < due {
                return false
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
                let r = core.signCheckpointIfNeeded(force: false)
                publish(core) // before the ticket: `checkpoint()` reads the published checkpoint
                t.complete(r.map { [] })
            case .seal(let t):
                let r = core.sealAndRoll()
                publish(core)
                t.complete(r.map { [] })
            case .close(let t):
                let r = core.signCheckpointIfNeeded(force: false)
                core.shutdown()
                publish(core)
                t.complete(r.map { [] })
                return true
            case .append: break
            }
        }
        publish(core)
        return false
    }

    private func publish(_ core: WriterCore) {
        let s = core.status()
        statusBox.withLock { $0 = s }
        let cp = core.lastCheckpoint
        checkpointBox.withLock { $0 = cp }
    }
}
