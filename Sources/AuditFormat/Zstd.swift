internal import CZstd

/// Errors from zstd.
public struct ZstdError: Error, CustomStringConvertible, Equatable {
    /// zstd's own error name.
    public var message: String
    /// The dictionary the failed operation needed, when it needed one (a frame's RFC 8878
    /// Dictionary_ID); set together with `isDictionaryMissing` when that dictionary was not available.
    public var dictionaryID: UInt32?
    /// True when the frame references a dictionary the caller could not provide.
    public var isDictionaryMissing = false

    /// An error with zstd's message.
    public init(message: String, dictionaryID: UInt32? = nil, isDictionaryMissing: Bool = false) {
        self.message = message
        self.dictionaryID = dictionaryID
        self.isDictionaryMissing = isDictionaryMissing
    }

    public var description: String {
        if isDictionaryMissing, let id = dictionaryID { return "zstd: dictionary \(id) missing/unreadable" }
        if let id = dictionaryID { return "zstd: \(message) (frame uses dictionary \(id))" }
        return "zstd: \(message)"
    }

    static func code(_ r: Int) -> ZstdError { ZstdError(message: String(cString: ZSTD_getErrorName(r))) }
}

/// A zstd dictionary digested for compression at one level (a `ZSTD_CDict`).
///
/// Sendable: zstd documents that a CDict "can be created once and shared by multiple threads
/// concurrently, since its usage is read-only" (zstd.h, ZSTD_createCDict). This class creates it
/// in `init`, only ever passes it as `const ZSTD_CDict*`, and frees it in `deinit`, so no thread
/// can observe a mutation.
public final class ZstdCompressionDictionary: @unchecked Sendable {
    let pointer: OpaquePointer
    /// The dictionary's ID (RFC 8878 Dictionary_ID), written into every frame compressed with it.
    public let id: UInt32
    /// The compression level the dictionary was digested for (every frame made with it uses it).
    public let level: Int32

    /// Digests `bytes`, a zstd dictionary (magic 0xEC30A437) with a non-zero ID, for `level`.
    /// O(dictionary size).
    public init(bytes: [UInt8], level: Int32) throws(ZstdError) {
        guard let id = ZstdDictionary.id(of: bytes) else { throw ZstdError(message: "not a zstd dictionary") }
        guard let p = bytes.withUnsafeBytes({ ZSTD_createCDict($0.baseAddress, $0.count, level) }) else {
            throw ZstdError(message: "cannot digest the dictionary", dictionaryID: id)
        }
        self.pointer = p
        self.id = id
        self.level = level
    }

    deinit { ZSTD_freeCDict(pointer) }
}

/// A zstd dictionary digested for decompression (a `ZSTD_DDict`).
///
/// Sendable: after `ZSTD_createDDict` the DDict is only ever passed to zstd as
/// `const ZSTD_DDict*` (ZSTD_decompress_usingDDict) and zstd never writes to it; like a CDict it
/// is meant to be digested once and referenced by many decompression contexts, each thread
/// using its own `ZSTD_DCtx`. This class frees it only in `deinit`.
public final class ZstdDecompressionDictionary: @unchecked Sendable {
    let pointer: OpaquePointer
    /// The dictionary's ID (RFC 8878 Dictionary_ID).
    public let id: UInt32

    /// Digests `bytes`, a zstd dictionary with a non-zero ID. O(dictionary size).
    public init(bytes: [UInt8]) throws(ZstdError) {
        guard let id = ZstdDictionary.id(of: bytes) else { throw ZstdError(message: "not a zstd dictionary") }
        guard let p = bytes.withUnsafeBytes({ ZSTD_createDDict($0.baseAddress, $0.count) }) else {
            throw ZstdError(message: "cannot digest the dictionary", dictionaryID: id)
        }
        self.pointer = p
        self.id = id
    }

    deinit { ZSTD_freeDDict(pointer) }
}

/// Training and inspection of zstd dictionaries (RFC 8878 §5).
public enum ZstdDictionary {
    /// Dictionary IDs free for private use (RFC 8878 §5: 0…32767 and ≥ 2^31 are reserved).
    public static let privateIDs: ClosedRange<UInt32> = 32_768...0x7FFF_FFFF

    /// Trains a dictionary of at most `capacity` bytes from `samples` (the samples concatenated;
    /// `sampleSizes` gives each one's length, in order) with one fastCover pass at fixed
    /// parameters (segment size k = 1024, d-mer size d = 8), gives it the ID `id` and entropy
    /// statistics tuned for `level`. Fails when the samples are too few or too small to make a
    /// useful dictionary.
    ///
    /// Fixed parameters rather than `ZDICT_trainFromBuffer`'s search over k: on gateway records the
    /// search settled on k = 537…1998 and cost 0.4–0.7 s per 2 MiB of samples, while k = 1024 trains
    /// in ~0.1 s and compresses as well (docs/PERFORMANCE.md, "Dictionary training").
    /// O(samples) CPU; call it off latency-sensitive threads.
    public static func train(samples: [UInt8], sampleSizes: [Int], capacity: Int, id: UInt32, level: Int32) throws(ZstdError) -> [UInt8] {
        precondition(privateIDs.contains(id), "dictionary IDs must be in the private range")
        precondition(sampleSizes.reduce(0, +) == samples.count, "sample sizes must add up to the samples")
        guard capacity >= 1024, sampleSizes.count >= 8 else { throw ZstdError(message: "too few samples to train a dictionary") }
        var parameters = ZDICT_fastCover_params_t()
        parameters.k = 1024
        parameters.d = 8
        parameters.f = 20
        parameters.accel = 1
        parameters.zParams = ZDICT_params_t(compressionLevel: level, notificationLevel: 0, dictID: id)
        var trained = [UInt8](repeating: 0, count: capacity)
        let size = trained.withUnsafeMutableBytes { out in
            samples.withUnsafeBytes { s in
                sampleSizes.withUnsafeBufferPointer { sizes in
                    ZDICT_trainFromBuffer_fastCover(out.baseAddress, capacity, s.baseAddress, sizes.baseAddress, UInt32(sizes.count), parameters)
                }
            }
        }
        if ZDICT_isError(size) != 0 { throw ZstdError(message: String(cString: ZDICT_getErrorName(size))) }
        let headerSize = trained.withUnsafeBytes { ZDICT_getDictHeaderSize($0.baseAddress, size) }
        if ZDICT_isError(headerSize) != 0 || headerSize >= size {
            throw ZstdError(message: "trained dictionary has no content")
        }
        trained.removeLast(capacity - size)
        return trained
    }

    /// The ID of a zstd dictionary (RFC 8878 §5 Dictionary_ID), or nil when `bytes` is not a
    /// zstd dictionary or its ID is 0.
    public static func id(of bytes: [UInt8]) -> UInt32? {
        let id = bytes.withUnsafeBytes { ZDICT_getDictID($0.baseAddress, $0.count) }
        return id == 0 ? nil : id
    }

    /// The Dictionary_ID in the header of the zstd frame starting `frame`; 0 when the frame
    /// needs no dictionary (or its header cannot be read).
    public static func frameDictionaryID(_ frame: UnsafeRawBufferPointer) -> UInt32 {
        guard !frame.isEmpty else { return 0 }
        return ZSTD_getDictID_fromFrame(frame.baseAddress, frame.count)
    }
}

/// A reusable zstd compression context. Not thread-safe: one per writer thread.
public final class ZstdCompressor {
    fileprivate let context: OpaquePointer
    /// The compression level (1-19; 3 is zstd's default), used when no dictionary is given.
    public let level: Int32
    /// The dictionary the context references (ZSTD_CCtx_refCDict) between frames, so that the
    /// next frame with the same dictionary needs only a session reset. Held strongly: the CDict
    /// must outlive its reference in the context.
    fileprivate var referencedDictionary: ZstdCompressionDictionary?

    /// Creates a context at `level`.
    public init(level: Int32 = 3) {
        context = ZSTD_createCCtx()!
        self.level = level
    }

    deinit { ZSTD_freeCCtx(context) }

    /// Compresses `input` into one zstd frame appended to `output`; with a dictionary, the frame
    /// header carries its ID and the dictionary's level is used. O(n).
    public func compress(_ input: UnsafeRawBufferPointer, appendingTo output: inout [UInt8],
                         dictionary: ZstdCompressionDictionary? = nil) throws(ZstdError) -> Int {
        let bound = ZSTD_compressBound(input.count)
        let start = output.count
        output.reserveCapacity(start + bound)
        var written = 0
        var failure: ZstdError?
        output.append(contentsOf: repeatElement(0, count: bound))
        output.withUnsafeMutableBytes { out in
            if let dictionary {
                do throws(ZstdError) {
                    written = try compressStreaming(input, into: out.baseAddress! + start, capacity: bound, dictionary: dictionary)
                } catch { failure = error }
            } else {
                if referencedDictionary != nil {
                    _ = ZSTD_CCtx_reset(context, ZSTD_reset_session_and_parameters)
                    referencedDictionary = nil
                }
                let r = ZSTD_compressCCtx(context, out.baseAddress! + start, bound, input.baseAddress, input.count, level)
                if ZSTD_isError(r) != 0 { failure = .code(r) } else { written = r }
            }
        }
        output.removeLast(bound - written)
        if let failure { output.removeLast(written); throw failure }
        return written
    }
}

extension ZstdCompressor {
    /// Compresses with `dictionary` referenced by the context (ZSTD_CCtx_refCDict) through the
    /// streaming API, without announcing the input size first. With an unknown size zstd refers
    /// to the dictionary's digested tables in place instead of copying them into the context for
    /// every frame (ZSTD_shouldAttachDict): at 64 KiB frames and level 3 that copy made
    /// compression ~25% slower, for the same output. The frame then has no Frame_Content_Size
    /// field (RFC 8878 §3.1.1.1.4, optional); gatelog records every block's raw length itself.
    /// The context keeps referencing the dictionary after the frame: the next frame with the same
    /// dictionary resets only the session (ZSTD_reset_session_only), which lets zstd reuse the
    /// context's tables instead of re-deriving its parameters and workspace (~8% less compression
    /// time on 128 KiB frames, docs/PERFORMANCE.md "Session 7"). Returns the compressed size.
    fileprivate func compressStreaming(_ input: UnsafeRawBufferPointer, into destination: UnsafeMutableRawPointer, capacity: Int,
                                       dictionary: ZstdCompressionDictionary) throws(ZstdError) -> Int {
        func check(_ r: Int) throws(ZstdError) -> Int {
            if ZSTD_isError(r) != 0 { throw .code(r) }
            return r
        }
        if referencedDictionary === dictionary {
            _ = try check(ZSTD_CCtx_reset(context, ZSTD_reset_session_only))
        } else {
            referencedDictionary = nil
            _ = try check(ZSTD_CCtx_reset(context, ZSTD_reset_session_and_parameters))
            _ = try check(ZSTD_CCtx_refCDict(context, dictionary.pointer))
            referencedDictionary = dictionary
        }
        // After a failure the frame is abandoned mid-way: start the next one from scratch.
        var finished = false
        defer {
            if !finished {
                _ = ZSTD_CCtx_reset(context, ZSTD_reset_session_and_parameters)
                referencedDictionary = nil
            }
        }
        var source = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        var sink = ZSTD_outBuffer(dst: destination, size: capacity, pos: 0)
        _ = try check(ZSTD_compressStream2(context, &sink, &source, ZSTD_e_continue))
        // `capacity` is ZSTD_compressBound(input), so the frame fits: ZSTD_e_end finishes it.
        var remaining = try check(ZSTD_compressStream2(context, &sink, &source, ZSTD_e_end))
        while remaining != 0 {
            guard sink.pos < sink.size else { throw ZstdError(message: "compressed frame does not fit its bound") }
            remaining = try check(ZSTD_compressStream2(context, &sink, &source, ZSTD_e_end))
        }
        finished = true
        return sink.pos
    }
}

/// A reusable zstd decompression context. Not thread-safe: one per reading thread.
public final class ZstdDecompressor {
    private let context: OpaquePointer

    /// Creates a context.
    public init() { context = ZSTD_createDCtx()! }
    deinit { ZSTD_freeDCtx(context) }

    /// Decompresses one frame whose decompressed size must be exactly `expectedSize`. A frame
    /// whose header names a dictionary is decompressed with `dictionaries(id)`; when that
    /// returns nil the error says the dictionary is missing. O(n).
    public func decompress(_ input: UnsafeRawBufferPointer, expectedSize: Int,
                           dictionaries: (UInt32) -> ZstdDecompressionDictionary? = { _ in nil }) throws(ZstdError) -> [UInt8] {
        if expectedSize == 0 && input.isEmpty { return [] }
        let dictionaryID = ZstdDictionary.frameDictionaryID(input)
        var dictionary: ZstdDecompressionDictionary?
        if dictionaryID != 0 {
            guard let d = dictionaries(dictionaryID), d.id == dictionaryID else {
                throw ZstdError(message: "dictionary missing", dictionaryID: dictionaryID, isDictionaryMissing: true)
            }
            dictionary = d
        }
        var failure: ZstdError?
        let out = [UInt8](unsafeUninitializedCapacity: expectedSize) { buffer, count in
            let r: Int
            if let dictionary {
                r = ZSTD_decompress_usingDDict(context, buffer.baseAddress, expectedSize, input.baseAddress, input.count, dictionary.pointer)
            } else {
                r = ZSTD_decompressDCtx(context, buffer.baseAddress, expectedSize, input.baseAddress, input.count)
            }
            if ZSTD_isError(r) != 0 {
                failure = .code(r)
                count = 0
            } else if r != expectedSize {
                failure = ZstdError(message: "decompressed \(r) bytes, expected \(expectedSize)")
                count = 0
            } else {
                count = r
            }
        }
        if var failure {
            if dictionaryID != 0 { failure.dictionaryID = dictionaryID }
            throw failure
        }
        return out
    }
}
