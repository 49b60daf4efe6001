import Foundation
import Synchronization
import AuditFormat
import GatelogCrypto

/// A validated, redacted record ready to append, with its typed fields for the index.
///
/// A class, not a struct: a staged record is handed from the staging threads to the region
/// writer and on to the index feeder, and each hand-over of a struct retained a dozen strings and
/// arrays. It is immutable, so sharing it between threads is safe.
public final class StagedRecord: Sendable {
    public let fields: RecordFields
    public let prepared: PreparedRecord
    /// Size of the record as received (for raw-byte metrics).
    public let inputSize: Int

    public init(fields: RecordFields, prepared: PreparedRecord, inputSize: Int) {
        self.fields = fields
        self.prepared = prepared
        self.inputSize = inputSize
    }
}

/// What happened to one appended record.
public enum AppendOutcome: Sendable, Equatable {
    /// Stored at `position`, durable, with its chain hash.
    case accepted(position: UInt64, chainHash: Digest32)
    /// A record with the same id is already stored at `existingPosition`; nothing was written.
    case duplicate(existingPosition: UInt64)
}

/// Where a record lives on disk.
public struct RecordLocation: Sendable, Hashable {
    public var segment: UInt64
    public var frameOffset: UInt64
    public var indexInFrame: Int

    public init(segment: UInt64, frameOffset: UInt64, indexInFrame: Int) {
        self.segment = segment
        self.frameOffset = frameOffset
        self.indexInFrame = indexInFrame
    }
}

/// A record that has just become durable, handed to observers (the index).
public struct DurableRecord: Sendable {
    public var region: String
    public var position: UInt64
    public var chainHash: Digest32
    public var location: RecordLocation
    public var staged: StagedRecord
}

/// Completion of an append: wait for it (blocking or async) to learn each record's outcome
/// once it is durable.
public final class AppendTicket: Sendable {
    private struct State {
        var result: Result<[AppendOutcome], StoreError>?
        var continuations: [CheckedContinuation<Result<[AppendOutcome], StoreError>, Never>] = []
        var blockingWaiters = 0
    }
    private let state = Mutex(State())
    private let semaphore = DispatchSemaphore(value: 0)

    init() {}

    func complete(_ result: Result<[AppendOutcome], StoreError>) {
        let (continuations, waiters) = state.withLock { s -> ([CheckedContinuation<Result<[AppendOutcome], StoreError>, Never>], Int) in
            guard s.result == nil else { return ([], 0) }
            s.result = result
            defer { s.continuations = []; s.blockingWaiters = 0 }
            return (s.continuations, s.blockingWaiters)
        }
        for c in continuations { c.resume(returning: result) }
        for _ in 0..<waiters { semaphore.signal() }
    }

    /// True once the outcome is known.
    public var isComplete: Bool { state.withLock { $0.result != nil } }

    /// Blocks the calling thread until the records are durable (or failed).
    public func wait() -> Result<[AppendOutcome], StoreError> {
        let ready = state.withLock { s -> Result<[AppendOutcome], StoreError>? in
            if let r = s.result { return r }
            s.blockingWaiters += 1
            return nil
        }
        if let ready { return ready }
        semaphore.wait()
        return state.withLock { $0.result! }
    }

    /// Suspends until the records are durable (or failed).
    public func durable() async -> Result<[AppendOutcome], StoreError> {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { s -> Result<[AppendOutcome], StoreError>? in
                if let r = s.result { return r }
                s.continuations.append(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}

/// A snapshot of a region's log, published by its writer after every write.
public struct RegionStatus: Sendable {
    public var region: String
    /// Number of records (the Merkle tree size).
    public var treeSize: UInt64
    public var chainHead: Digest32
    public var merkleRoot: Digest32
    public var segmentCount: Int
    public var currentSegment: UInt64
    /// Bytes of segment files.
    public var storedBytes: UInt64
    /// Bytes of stored records before compression (envelope + content).
    public var rawBytes: UInt64
    public var lastCheckpointSize: UInt64
    public var lastCheckpointTime: Int64
    public var queuedBytes: Int
    /// Set when the writer stopped after a storage failure.
    public var failure: String?
    /// Why the latest write failed (a short reason without paths: "no space left on the device"),
    /// while writes fail without stopping the writer; the next write that succeeds clears it.
    public var lastWriteError: String? = nil
    /// The zstd dictionary new frames are compressed with; nil while none is trained (or when
    /// dictionaries are off).
    public var dictionaryID: UInt32? = nil
    /// Why training a dictionary failed, if it did (frames are then written without one).
    public var dictionaryProblem: String? = nil
}
