internal import CZstd

/// Errors from zstd.
public struct ZstdError: Error, CustomStringConvertible, Equatable {
    /// zstd's own error name.
    public var message: String
    public var description: String { "zstd: \(message)" }
}

/// A reusable zstd compression context. Not thread-safe: one per writer thread.
public final class ZstdCompressor {
    private let context: OpaquePointer
    /// The compression level (1-19; 3 is zstd's default).
    public let level: Int32

    /// Creates a context at `level`.
    public init(level: Int32 = 3) {
        context = ZSTD_createCCtx()!
        self.level = level
    }

    deinit { ZSTD_freeCCtx(context) }

    /// Compresses `input` into one zstd frame appended to `output`. O(n).
    public func compress(_ input: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]) throws(ZstdError) -> Int {
        let bound = ZSTD_compressBound(input.count)
        let start = output.count
        output.reserveCapacity(start + bound)
        var written = 0
        var failure: ZstdError?
        output.append(contentsOf: repeatElement(0, count: bound))
        output.withUnsafeMutableBytes { out in
            let r = ZSTD_compressCCtx(context, out.baseAddress! + start, bound, input.baseAddress, input.count, level)
            if ZSTD_isError(r) != 0 { failure = ZstdError(message: String(cString: ZSTD_getErrorName(r))) } else { written = r }
        }
        output.removeLast(bound - written)
        if let failure { output.removeLast(written); throw failure }
        return written
    }
}

/// A reusable zstd decompression context. Not thread-safe: one per reading thread.
public final class ZstdDecompressor {
    private let context: OpaquePointer

    /// Creates a context.
    public init() { context = ZSTD_createDCtx()! }
    deinit { ZSTD_freeDCtx(context) }

    /// Decompresses one frame whose decompressed size must be exactly `expectedSize`. O(n).
    public func decompress(_ input: UnsafeRawBufferPointer, expectedSize: Int) throws(ZstdError) -> [UInt8] {
        if expectedSize == 0 && input.isEmpty { return [] }
        var failure: ZstdError?
        let out = [UInt8](unsafeUninitializedCapacity: expectedSize) { buffer, count in
            let r = ZSTD_decompressDCtx(context, buffer.baseAddress, expectedSize, input.baseAddress, input.count)
            if ZSTD_isError(r) != 0 {
                failure = ZstdError(message: String(cString: ZSTD_getErrorName(r)))
                count = 0
            } else if r != expectedSize {
                failure = ZstdError(message: "decompressed \(r) bytes, expected \(expectedSize)")
                count = 0
            } else {
                count = r
            }
        }
        if let failure { throw failure }
        return out
    }
}
