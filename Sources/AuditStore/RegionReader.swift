import Foundation
import Synchronization
import AuditFormat
import GatelogCrypto
#if canImport(Glibc)
import Glibc
#endif

/// A record read back from a segment.
public struct StoredRecord: Sendable {
    public var region: String
    public var position: UInt64
    public var location: RecordLocation
    /// Envelope bytes; nil when purged by retention.
    public var envelope: [UInt8]?
    /// Content bytes; nil when purged by retention or not requested.
    public var content: [UInt8]?
    public var envelopeDigest: Digest32
    public var contentDigest: Digest32
    public var chainHash: Digest32
    public var leafHash: Digest32 { LogHash.leaf(envelopeDigest: envelopeDigest, contentDigest: contentDigest) }
}

/// Decompressed frames kept for reads, under one byte budget shared by every reader that uses
/// it (least recently used first out). The query service gives all its regions one cache, so
/// `read_cache_mib` bounds the memory in total, however many regions there are.
public final class FrameCache: Sendable {
    /// One decompressed frame.
    struct Frame {
        var header: FrameHeader
        var envelopes: [UInt8]?
        var contents: [UInt8]?
        /// Chain hashes of the first records, extended on demand (`RegionReader.chainHash`).
        var chainHashes: [Digest32]
        var bytes: Int
        var lastUse: UInt64
    }
    /// A frame of one reader: readers get a number when they join the cache.
    struct Key: Hashable {
        var reader: UInt32
        var location: RecordLocation
    }
    private struct State {
        var frames: [Key: Frame] = [:]
        var bytes = 0
        var clock: UInt64 = 0
        var readers: UInt32 = 0
    }
    private let state = Mutex(State())
    /// The budget in bytes of decompressed frames (0: nothing is kept).
    public let limit: Int

    /// A cache keeping up to `limit` bytes of decompressed frames.
    public init(limit: Int) {
        self.limit = limit
    }

    /// A number for a new reader, which keys its frames.
    func join() -> UInt32 {
        state.withLock { s in
            s.readers += 1
            return s.readers
        }
    }

    /// The frame at `key`, marked as just used.
    func frame(_ key: Key) -> Frame? {
        state.withLock { s in
            s.clock += 1
            guard var f = s.frames[key] else { return nil }
            f.lastUse = s.clock
            s.frames[key] = f
            return f
        }
    }

    /// Keeps `frame`; when over budget, evicts the least recently used frames down to 7/8 of the
    /// limit in one pass (one O(n log n) sort per n/8 misses instead of a scan per miss).
    func insert(_ frame: Frame, at key: Key) {
        guard limit > 0 else { return }
        state.withLock { s in
            s.clock += 1
            var f = frame
            f.lastUse = s.clock
            if let old = s.frames[key] { s.bytes -= old.bytes }
            s.bytes += f.bytes
            s.frames[key] = f
            if s.bytes > limit, s.frames.count > 1 {
                let byAge = s.frames.sorted { $0.value.lastUse < $1.value.lastUse }
                for victim in byAge where s.bytes > limit - limit / 8 && s.frames.count > 1 {
                    s.bytes -= victim.value.bytes
                    s.frames[victim.key] = nil
                }
            }
        }
    }

    /// Keeps chain hashes computed for a cached frame, if they extend what it has.
    func extendChainHashes(_ hashes: [Digest32], at key: Key) {
        state.withLock { s in
            if var f = s.frames[key], f.chainHashes.count < hashes.count {
                f.chainHashes = hashes
                s.frames[key] = f
            }
        }
    }

    /// Bytes of the frames kept now.
    public var bytes: Int { state.withLock { $0.bytes } }
}

/// Random access to records by location, with a bounded cache of decompressed frames.
/// Safe to use from many threads; every frame read is checked against its digests.
public final class RegionReader: Sendable {
    public let region: String
    public let directory: String
    private let cache: FrameCache
    private let cacheID: UInt32
    private let dictionaries: RegionDictionaries

    /// A reader for a region's directory with a cache of its own, of up to `cacheBytes` of
    /// decompressed frames.
    public convenience init(region: String, directory: String, cacheBytes: Int = 64 << 20) {
        self.init(region: region, directory: directory, cache: FrameCache(limit: cacheBytes))
    }

    /// A reader for a region's directory that keeps decompressed frames in `cache` (which other
    /// readers may share).
    public init(region: String, directory: String, cache: FrameCache) {
        self.region = region
        self.directory = directory
        self.cache = cache
        self.cacheID = cache.join()
        self.dictionaries = RegionDictionaries(regionDirectory: directory)
    }

    /// Reads one record. O(frame size) on a cache miss, O(record size) on a hit.
    public func read(_ location: RecordLocation, includeContent: Bool = true) throws(StoreError) -> StoredRecord {
        let frameKey = FrameCache.Key(reader: cacheID,
                                      location: RecordLocation(segment: location.segment, frameOffset: location.frameOffset, indexInFrame: 0))
        let frame: FrameCache.Frame
        if let cached = cache.frame(frameKey) { frame = cached } else { frame = try load(frameKey) }
        let k = location.indexInFrame
        guard k < frame.header.recordCount else { throw .notFound("record \(k) in frame at \(location.frameOffset)") }
        let directory = frame.header.directory
        let entry = directory[k]
        var envelopeStart = 0, contentStart = 0
        for e in directory[..<k] {
            envelopeStart += Int(e.envelopeLength)
            contentStart += Int(e.contentLength)
        }
        let envelopeRange = envelopeStart..<(envelopeStart + Int(entry.envelopeLength))
        let contentRange = contentStart..<(contentStart + Int(entry.contentLength))
        // What is returned must be what was hashed: a changed dictionary decompresses the frame
        // into other bytes without failing (the frame digest covers only the compressed bytes).
        let envelope = frame.envelopes.map { Array($0[envelopeRange]) }
        let content = includeContent ? frame.contents.map { Array($0[contentRange]) } : nil
        if let envelope, SHA256.hash(envelope) != entry.envelopeDigest {
            throw .integrity(region: region, detail: "\(SegmentNaming.fileName(location.segment)) frame at byte \(location.frameOffset): record \(k) does not match its envelope digest")
        }
        if let content, SHA256.hash(content) != entry.contentDigest {
            throw .integrity(region: region, detail: "\(SegmentNaming.fileName(location.segment)) frame at byte \(location.frameOffset): record \(k) does not match its content digest")
        }
        return StoredRecord(region: region, position: frame.header.firstPosition + UInt64(k), location: location,
                            envelope: envelope,
                            content: content,
                            envelopeDigest: entry.envelopeDigest, contentDigest: entry.contentDigest,
                            chainHash: chainHash(k, in: frame, key: frameKey))
    }

    /// The chain hash of record `k` of a cached frame. Chain hashes are computed on demand, from
    /// the frame's previous chain hash up to the record asked for, and kept with the frame.
    private func chainHash(_ k: Int, in frame: FrameCache.Frame, key: FrameCache.Key) -> Digest32 {
        if k < frame.chainHashes.count { return frame.chainHashes[k] }
        var hashes = frame.chainHashes
        hashes.reserveCapacity(frame.header.recordCount)
        var chain = hashes.last ?? frame.header.previousChain
        for j in hashes.count...k {
            chain = LogHash.chain(previous: chain, position: frame.header.firstPosition + UInt64(j), leaf: frame.header.directory[j].leafHash)
            hashes.append(chain)
        }
        cache.extendChainHashes(hashes, at: key)
        return chain
    }

    /// The leaf hashes of every record in the frame at `location` (no decompression).
    public func frameHeader(_ location: RecordLocation) throws(StoreError) -> FrameHeader {
        let (header, _) = try readFrameBytes(location)
        return header
    }

    private func readFrameBytes(_ location: RecordLocation) throws(StoreError) -> (FrameHeader, [UInt8]) {
        let path = SegmentScanner.segmentPath(regionDirectory: directory, number: location.segment)
        let fd: Int32
        do { fd = try FileIO.open(path, flags: O_RDONLY) } catch { throw .io(error) }
        defer { close(fd) }
        do {
            var head = try FileIO.pread(fd, count: 16 << 10, offset: location.frameOffset, path: path)
            var parsed = head.withUnsafeBytes { FrameCodec.parseHeader($0) }
            if case .needMore(let n) = parsed {
                head = try FileIO.pread(fd, count: n, offset: location.frameOffset, path: path)
                parsed = head.withUnsafeBytes { FrameCodec.parseHeader($0) }
            }
            guard case .header(let h) = parsed else {
                throw StoreError.integrity(region: region, detail: "\(SegmentNaming.fileName(location.segment)) has no valid frame at byte \(location.frameOffset)")
            }
            let bytes = head.count >= h.totalSize ? Array(head[0..<h.totalSize])
                : try FileIO.pread(fd, count: h.totalSize, offset: location.frameOffset, path: path)
            guard bytes.count == h.totalSize, bytes.withUnsafeBytes({ FrameCodec.hasValidTrailer($0, header: h) }) else {
                throw StoreError.integrity(region: region, detail: "\(SegmentNaming.fileName(location.segment)) frame at byte \(location.frameOffset) fails its digest")
            }
            return (h, bytes)
        } catch let e as FileIOError { throw .io(e) } catch let e as StoreError { throw e } catch { throw .notFound("frame") }
    }

    /// The calling thread's zstd decompression context, created on its first use and freed with
    /// the thread. A context holds ~100 KiB of tables: creating and freeing one per frame read
    /// cost an mmap/munmap pair each time (seen under GET load).
    static func threadDecompressor() -> ZstdDecompressor {
        let key = "gatelog.region-reader.zstd-context"
        if let existing = Thread.current.threadDictionary[key] as? ZstdDecompressor { return existing }
        let created = ZstdDecompressor()
        Thread.current.threadDictionary[key] = created
        return created
    }

    private func load(_ cacheKey: FrameCache.Key) throws(StoreError) -> FrameCache.Frame {
        let key = cacheKey.location
        let (h, bytes) = try readFrameBytes(key)
        // Nothing may purge before retention (and its signed log) exists: a purged frame was erased.
        if h.isContentPurged || h.isEnvelopePurged {
            throw .integrity(region: region, detail: "\(SegmentNaming.fileName(key.segment)) frame at byte \(key.frameOffset) is marked purged, but no signed retention record authorizes a purge")
        }
        let decompressor = RegionReader.threadDecompressor()
        let envelopes: [UInt8]?
        let contents: [UInt8]?
        do {
            envelopes = try bytes.withUnsafeBytes {
                try FrameCodec.envelopes($0, header: h, decompressor: decompressor, dictionaries: dictionaries.decompressionDictionary)
            }
            contents = try bytes.withUnsafeBytes {
                try FrameCodec.contents($0, header: h, decompressor: decompressor, dictionaries: dictionaries.decompressionDictionary)
            }
        } catch {
            throw .integrity(region: region, detail: "\(SegmentNaming.fileName(key.segment)) frame at byte \(key.frameOffset) cannot be decompressed: \(error)")
        }
        let frame = FrameCache.Frame(header: h, envelopes: envelopes, contents: contents, chainHashes: [],
                                     bytes: (envelopes?.count ?? 0) + (contents?.count ?? 0) + 256, lastUse: 0)
        cache.insert(frame, at: cacheKey)
        return frame
    }
}
