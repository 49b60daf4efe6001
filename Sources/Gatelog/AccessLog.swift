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

    public func record(principal: Principal, action: String, parameters: JSONValue, results: Int, outcome: String) {
        let bytes = AccessLog.entry(principal: principal, action: action, parameters: parameters, results: results, outcome: outcome)
        let staged: StagedRecord
        do {
            staged = try bytes.withUnsafeBytes { b throws(RecordError) in try ingestor.stage(b) }
        } catch {
            FileHandle.standardError.write(Data("gatelog: access log entry rejected: \(error)\n".utf8))
            return
        }
        batches.commit(staged) { batch in
            do {
                let ticket = try store.writer(for: AccessLog.region).append(batch)
                if case .failure(let e) = ticket.wait() {
                    FileHandle.standardError.write(Data("gatelog: access log append failed: \(e)\n".utf8))
                }
            } catch {
                FileHandle.standardError.write(Data("gatelog: access log append failed: \(error)\n".utf8))
            }
        }
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
/// the entry has been written by `flush` (run by whichever caller finds no batch in flight).
///
/// Sendable: every stored property is guarded by `condition` (each access below holds its lock),
/// and `NSCondition` itself is thread-safe.
final class AccessBatches: @unchecked Sendable {
    private let condition = NSCondition()
    private var pending: [StagedRecord] = []
    /// Number of the batch that will take `pending` next; batches are numbered from 1.
    private var nextBatch: UInt64 = 1
    /// Every batch numbered up to this one has been flushed.
    private var flushedThrough: UInt64 = 0
    private var flushing = false

    func commit(_ record: StagedRecord, flush: ([StagedRecord]) -> Void) {
        condition.lock()
        let mine = nextBatch
        pending.append(record)
        while flushedThrough < mine {
            if flushing {
                condition.wait()
                continue
            }
            // Lead: take everything pending as one batch and flush it without holding the lock.
            flushing = true
            let batch = pending
            let number = nextBatch
            pending = []
            nextBatch += 1
            condition.unlock()
            flush(batch)
            condition.lock()
            flushedThrough = number
            flushing = false
            condition.broadcast()
        }
        condition.unlock()
    }
}
