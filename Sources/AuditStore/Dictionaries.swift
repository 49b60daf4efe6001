import Foundation
import Synchronization
import AuditFormat
#if canImport(Glibc)
import Glibc
#endif

/// Why a dictionary file cannot be used.
public struct DictionaryFileError: Error, CustomStringConvertible, Equatable {
    /// The dictionary ID the file should hold.
    public var id: UInt32
    /// What is wrong, in words (never the dictionary's bytes).
    public var reason: String

    /// The message verify and the writer report: `dictionary N missing/unreadable (file: reason)`.
    public var description: String { "dictionary \(id) missing/unreadable (\(DictionaryNaming.fileName(id)): \(reason))" }
}

/// The zstd dictionaries of one region, `<region>/dictionaries/NNNNNNNNNN.zdict`, digested for
/// decompression on first use and cached. Safe to use from many threads.
public final class RegionDictionaries: Sendable {
    /// The region's directory.
    public let regionDirectory: String
    private let cache = Mutex<[UInt32: ZstdDecompressionDictionary]>([:])

    /// The dictionaries of the region stored in `regionDirectory`.
    public init(regionDirectory: String) { self.regionDirectory = regionDirectory }

    /// The decompression dictionary with this ID, or nil when its file is missing, unreadable,
    /// or does not hold a zstd dictionary with that ID. Successful loads are cached, failures
    /// are not (a writer in another process may create the file later). O(dictionary size) on
    /// the first call for an ID, O(1) after.
    public func decompressionDictionary(_ id: UInt32) -> ZstdDecompressionDictionary? {
        try? loadDecompressionDictionary(id)
    }

    /// As `decompressionDictionary`, but says why a dictionary cannot be used.
    public func loadDecompressionDictionary(_ id: UInt32) throws(DictionaryFileError) -> ZstdDecompressionDictionary {
        if let cached = cache.withLock({ $0[id] }) { return cached }
        let bytes = try RegionDictionaries.read(regionDirectory: regionDirectory, id: id)
        let dictionary: ZstdDecompressionDictionary
        do { dictionary = try ZstdDecompressionDictionary(bytes: bytes) } catch {
            throw DictionaryFileError(id: id, reason: "zstd cannot load it")
        }
        return cache.withLock { c in
            if let existing = c[id] { return existing }
            c[id] = dictionary
            return dictionary
        }
    }

    /// The `dictionaries/` directory of a region.
    public static func directory(regionDirectory: String) -> String { "\(regionDirectory)/dictionaries" }

    /// The path of dictionary `id` in a region.
    public static func path(regionDirectory: String, id: UInt32) -> String {
        "\(directory(regionDirectory: regionDirectory))/\(DictionaryNaming.fileName(id))"
    }

    /// IDs of the dictionary files present, ascending (none when the directory does not exist).
    public static func ids(regionDirectory: String) throws(FileIOError) -> [UInt32] {
        let dir = directory(regionDirectory: regionDirectory)
        guard FileIO.exists(dir) else { return [] }
        return try FileIO.list(dir).compactMap(DictionaryNaming.id(fromFileName:)).sorted()
    }

    /// Reads dictionary `id` and checks that the file holds a zstd dictionary with that ID.
    public static func read(regionDirectory: String, id: UInt32) throws(DictionaryFileError) -> [UInt8] {
        let bytes: [UInt8]
        do { bytes = try FileIO.readFile(path(regionDirectory: regionDirectory, id: id)) } catch {
            throw DictionaryFileError(id: id, reason: error.code == ENOENT ? "no such file" : FileIOError.explain(error.code))
        }
        guard let stored = ZstdDictionary.id(of: bytes) else { throw DictionaryFileError(id: id, reason: "not a zstd dictionary") }
        guard stored == id else { throw DictionaryFileError(id: id, reason: "the file holds dictionary \(stored)") }
        return bytes
    }

    /// Stores dictionary `id` durably: creates `dictionaries/` if needed (and fsyncs the region
    /// directory), then writes `NAME.tmp`, fsyncs it, renames it to `NAME` and fsyncs
    /// `dictionaries/` (FileIO.writeAtomically). When this returns, a frame may use the dictionary:
    /// after any crash the file is either absent or complete.
    public static func persist(_ bytes: [UInt8], id: UInt32, regionDirectory: String) throws(FileIOError) {
        let dir = directory(regionDirectory: regionDirectory)
        if !FileIO.exists(dir) {
            try FileIO.makeDirectories(dir)
            try FileIO.syncDirectory(regionDirectory)
        }
        try FileIO.writeAtomically(path(regionDirectory: regionDirectory, id: id), bytes: bytes, mode: 0o644)
    }

    /// Removes the temporary files of writes a crash interrupted (never renamed, so never used).
    static func removeTemporaryFiles(regionDirectory: String) throws(FileIOError) {
        let dir = directory(regionDirectory: regionDirectory)
        guard FileIO.exists(dir) else { return }
        var removed = false
        for name in try FileIO.list(dir) where name.contains(".zdict.tmp") {
            if unlink("\(dir)/\(name)") != 0 && errno != ENOENT { throw FileIOError(operation: "unlink", path: "\(dir)/\(name)", code: errno) }
            removed = true
        }
        if removed { try FileIO.syncDirectory(dir) }
    }
}

/// Trains one dictionary on a thread of its own, so the writer thread never waits for it, then
/// stores it durably and digests it for compression. The writer polls `result`.
final class DictionaryTrainer: Sendable {
    /// What training produced.
    enum Outcome: Sendable {
        /// Durable on disk and ready for new frames.
        case ready(ZstdCompressionDictionary)
        /// Training or storing failed; the writer goes on without a dictionary.
        case failed(String)
    }

    let id: UInt32
    private let state = Mutex<(outcome: Outcome?, isCancelled: Bool)>((nil, false))
    private let done = DispatchSemaphore(value: 0)

    /// Starts training dictionary `id` from `samples` (concatenated; `sampleSizes` in order),
    /// at most `capacity` bytes, for compression `level`; `wake` is called once an outcome exists.
    init(id: UInt32, samples: [UInt8], sampleSizes: [Int], capacity: Int, level: Int32, regionDirectory: String,
         wake: @escaping @Sendable () -> Void) {
        self.id = id
        let thread = Thread { [self] in
            ThreadPriority.becomeBackground()
            train(samples: samples, sampleSizes: sampleSizes, capacity: capacity, level: level, regionDirectory: regionDirectory)
            wake()
        }
        thread.name = "gatelog-dictionary"
        thread.start()
    }

    private func train(samples: [UInt8], sampleSizes: [Int], capacity: Int, level: Int32, regionDirectory: String) {
        defer { done.signal() }
        let outcome: Outcome
        do {
            let bytes = try ZstdDictionary.train(samples: samples, sampleSizes: sampleSizes, capacity: capacity, id: id, level: level)
            let dictionary = try ZstdCompressionDictionary(bytes: bytes, level: level)
            // Closed meanwhile: write nothing (the writer lock is about to be released).
            if state.withLock({ $0.isCancelled }) { return }
            try RegionDictionaries.persist(bytes, id: id, regionDirectory: regionDirectory)
            outcome = .ready(dictionary)
        } catch let e as ZstdError {
            outcome = .failed("training dictionary \(id): \(e)")
        } catch {
            outcome = .failed("storing dictionary \(id): \(error)")
        }
        state.withLock { $0.outcome = outcome }
    }

    /// The outcome once training finished, nil before.
    var result: Outcome? { state.withLock { $0.outcome } }

    /// Stops a training that has not stored its dictionary yet from storing it, and waits until
    /// the thread is done, so nothing writes in the region after its writer closed.
    func cancelAndWait() {
        state.withLock { $0.isCancelled = true }
        done.wait()
        done.signal()
    }
}
