import Foundation
import Synchronization
import AuditFormat
import AuditQuery
import AuditStore
import GatelogCrypto
import JSON

/// The access log: every search, get, stats, verify, export and token change appended as a record
/// to the reserved region `_access` — hash-chained, signed and verifiable like any region, and
/// searchable by admins. Entries are durable before the call that caused them returns.
///
/// Group commit: at most one batch of entries is being made durable at a time. Entries that
/// arrive meanwhile wait and go together in the next batch, so under concurrent queries one
/// frame, one Ed25519 signature and one fdatasync serve many entries. Handing every entry to the
/// region writer on its own gave batches of one or two (the writer overlaps writing with the
/// previous fdatasync), and the per-batch cost was then most of a GET's CPU time.
public final class AccessLog: AccessRecorder, Sendable {
    public static let region = "_access"
    private let store: LogStore
    private let ingestor: Ingestor
    private let batches = AccessBatches()

    public init(store: LogStore, ingestor: Ingestor) {
        self.store = store
        self.ingestor = ingestor
    }

    /// Appends the entry and waits until it is durable. Fails closed: when the entry cannot be
    /// written, the error is logged for the operator and thrown, so the access is refused.
    public func record(principal: Principal, action: String, parameters: JSONValue, results: Int, outcome: String) throws(AccessError) {
        let bytes = AccessLog.entry(principal: principal, action: action, parameters: parameters, results: results, outcome: outcome)
        let staged: StagedRecord
        do {
            staged = try bytes.withUnsafeBytes { b throws(RecordError) in try ingestor.stage(b) }
        } catch {
            FileHandle.standardError.write(Data("gatelog: access log entry rejected: \(error)\n".utf8))
            throw .storage("the access log cannot record this request")
        }
        let written = batches.commit(staged) { batch -> Bool in
            do {
                let ticket = try store.writer(for: AccessLog.region).appendOnCallingThread(batch)
                if case .failure(let e) = ticket.wait() {
                    FileHandle.standardError.write(Data("gatelog: access log append failed: \(e)\n".utf8))
                    return false
                }
                return true
            } catch {
                FileHandle.standardError.write(Data("gatelog: access log append failed: \(error)\n".utf8))
                return false
            }
        }
        if !written { throw .storage("the access log cannot be written; reads and token changes are refused until it can (the server log says why)") }
    }

    /// The entry as JSON bytes: a record of kind `access` in the wire form of any audit record.
    /// Written directly (no `JSONValue` tree). Ids are `acc_<ms>_<process nonce><counter>`: the
    /// nonce (random per process) keeps ids unique across restarts, the counter within one.
    static func entry(principal: Principal, action: String, parameters: JSONValue, results: Int, outcome: String) -> [UInt8] {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let serial = AccessLog.serial.add(1, ordering: .relaxed).newValue
        var out = [UInt8]()
        out.reserveCapacity(512)
        func member(_ key: String, _ value: String) {
            out.append(out.isEmpty ? UInt8(ascii: "{") : UInt8(ascii: ","))
            JSONWriter.appendString(key, to: &out)
            out.append(UInt8(ascii: ":"))
            JSONWriter.appendString(value, to: &out)
        }
        member("id", "acc_\(now)_\(AccessLog.nonce)\(String(serial, radix: 16))")
        member("ts", Timestamp.format(milliseconds: now))
        member("region", AccessLog.region)
        member("user", principal.id)
        member("kind", "access")
        out.append(contentsOf: #","metadata":"#.utf8)
        JSONWriter.append(.object([JSONMember("action", .string(action)), JSONMember("role", .string(principal.role.name)),
                                   JSONMember("outcome", .string(outcome))]), to: &out)
        out.append(contentsOf: #","request":"#.utf8)
        JSONWriter.append(.object([JSONMember("action", .string(action)), JSONMember("parameters", parameters),
                                   JSONMember("scope", .string(principal.scope.text))]), to: &out)
        out.append(contentsOf: #","response":"#.utf8)
        JSONWriter.append(.object([JSONMember("results", .int(results)), JSONMember("outcome", .string(outcome))]), to: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    private static let nonce: String = ((try? SecureRandom.bytes(6)).map(Hex.encode) ?? String(UInt64.random(in: 0...UInt64.max), radix: 16)) + "_"
    private static let serial = Atomic<UInt64>(0)
}

/// Leader/follower group commit of access-log entries. `commit` returns once the batch holding
/// the entry has been written by `flush`, run by the caller that leads that batch: the first
/// caller when no batch is in flight, otherwise the first caller that arrived while the previous
/// batch was being flushed (handed the lead when it ends).
///
/// Each waiting caller has its own semaphore and is woken exactly once: when its batch is done,
/// or to lead the next one. (A shared condition woke every waiter at the end of each batch, and
/// those of the next batch went back to sleep: context switches that cost a GET's CPU.)
final class AccessBatches: Sendable {
    /// A caller waiting for its batch.
    private final class Waiter: Sendable {
        let wakeup = DispatchSemaphore(value: 0)
        /// Set (before `wakeup` is signalled) when the waiter's entry has been flushed; clear
        /// when it is woken to lead the next batch.
        let done = Atomic<Bool>(false)
        /// Whether the flush of the waiter's batch succeeded (stored before `done`).
        let written = Atomic<Bool>(false)
    }

    private struct State {
        /// Entries of the next batch, and the callers waiting for them (but for its leader).
        var pending: [StagedRecord] = []
        var waiters: [Waiter] = []
        /// A batch is being flushed (it has a leader).
        var flushing = false
    }
    private let state = Mutex(State())

    /// Returns whether the batch holding `record` was written (`flush`'s result for it).
    func commit(_ record: StagedRecord, flush: ([StagedRecord]) -> Bool) -> Bool {
        let waiter = Waiter()
        let leads = state.withLock { s -> Bool in
            s.pending.append(record)
            if s.flushing {
                s.waiters.append(waiter)
                return false
            }
            s.flushing = true
            return true
        }
        if !leads {
            waiter.wakeup.wait()
            if waiter.done.load(ordering: .acquiring) { return waiter.written.load(ordering: .relaxed) }
            // Handed the lead: this entry is among the pending ones.
        }
        let (batch, members) = state.withLock { s -> ([StagedRecord], [Waiter]) in
            defer { s.pending = []; s.waiters = [] }
            return (s.pending, s.waiters)
        }
        let written = flush(batch)
        // Entries that arrived during the flush: their first caller leads the next batch (woken
        // first, so that the next flush starts as soon as possible).
        let next = state.withLock { s -> Waiter? in
            if s.waiters.isEmpty {
                s.flushing = false
                return nil
            }
            return s.waiters.removeFirst()
        }
        next?.wakeup.signal()
        for member in members {
            member.written.store(written, ordering: .relaxed)
            member.done.store(true, ordering: .releasing)
            member.wakeup.signal()
        }
        return written
    }
}
