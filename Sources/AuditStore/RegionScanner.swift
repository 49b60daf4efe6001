import Foundation
import AuditFormat
import GatelogCrypto
#if canImport(Glibc)
import Glibc
#endif

/// Where a sequential read of frames stopped: the segment and the byte offset of the next frame.
public struct FramePosition: Sendable, Equatable {
    public var segment: UInt64
    public var offset: UInt64
}

/// Sequential reading of a region's records and frame headers, for catching up and
/// rebuilding derived data (the index, leaf caches). Reads only; works while a writer runs.
public struct RegionScanner: Sendable {
    public let region: String
    public let directory: String
    private let reader: RegionReader

    public init(region: String, directory: String) {
        self.region = region
        self.directory = directory
        self.reader = RegionReader(region: region, directory: directory, cacheBytes: 8 << 20)
    }

    /// Calls `body` with every complete frame header at or after `position`, in log order.
    /// Stops at the first damaged or incomplete frame (a writer may be appending), and in the last
    /// segment at the first frame whose trailer digest fails (crash residue). O(frames).
    ///
    /// Returns why it stopped early when that was damage rather than the end of the log or a torn
    /// tail: a damaged segment header or frame before the last segment, bytes after which valid
    /// frames follow, or (with `keyring`) a final frame written whole and signed whose bytes changed
    /// (`FrameCodec.isCompleteSignedButDamaged`). Nil when it read to the end (or to crash residue).
    @discardableResult
    public func forEachFrame(from position: UInt64 = 0, keyring: VerifierKeyring? = nil,
                             _ body: (_ segment: UInt64, _ offset: UInt64, _ header: FrameHeader) throws -> Void) throws -> String? {
        let numbers = try SegmentScanner.segmentNumbers(regionDirectory: directory)
        // Skip whole segments that end before `position`, using the next segment's first position.
        var firstPositions: [UInt64] = []
        for n in numbers {
            let path = SegmentScanner.segmentPath(regionDirectory: directory, number: n)
            let fd = try FileIO.open(path, flags: O_RDONLY)
            defer { close(fd) }
            let head = try FileIO.pread(fd, count: 4096, offset: 0, path: path)
            guard case .success(let h) = head.withUnsafeBytes({ SegmentHeader.decode($0) }) else { break }
            firstPositions.append(h.firstPosition)
        }
        for (i, n) in numbers.enumerated() where i < firstPositions.count {
            if i + 1 < firstPositions.count, firstPositions[i + 1] <= position { continue }
            let path = SegmentScanner.segmentPath(regionDirectory: directory, number: n)
            // In the last segment a frame may be torn by a crash: its trailer is checked, and the scan
            // stops before it (recovery cuts it off) instead of handing it on.
            let isLast = i == numbers.count - 1
            guard case .success(let scan) = try SegmentScanner.scan(path: path, number: n, checkTrailers: isLast) else {
                return "\(SegmentNaming.fileName(n)) cannot be read past its header"
            }
            for frame in scan.frames where frame.header.positions.upperBound > position {
                try body(n, frame.offset, frame.header)
            }
            if let residue = scan.residue {
                let damage = "\(SegmentNaming.fileName(n)) is damaged at byte \(residue.offset) (\(residue.reason))"
                if !isLast || !scan.residueLooksTorn { return damage }
                if let keyring {
                    let fd = try FileIO.open(path, flags: O_RDONLY)
                    defer { close(fd) }
                    let tail = try FileIO.pread(fd, count: Int(scan.fileSize - residue.offset), offset: residue.offset, path: path)
                    if tail.withUnsafeBytes({ FrameCodec.isCompleteSignedButDamaged($0, fileOffset: residue.offset, region: region, keyring: keyring) }) {
                        return damage
                    }
                }
                return nil
            }
        }
        // A segment whose header cannot be read, before the last one (the last may be torn while rolling).
        if firstPositions.count < numbers.count - 1 {
            return "\(SegmentNaming.fileName(numbers[firstPositions.count])) has a damaged header"
        }
        return nil
    }

    /// Calls `body` with every complete frame header from `start` (nil: the region's beginning) on,
    /// reading headers only (no payload, no digests beyond the header's), and returns where it
    /// stopped so a later call continues there. O(new frames). Stops at an incomplete frame.
    public func forEachFrame(after start: FramePosition?, _ body: (FrameHeader) throws -> Void) throws -> FramePosition? {
        var numbers = try SegmentScanner.segmentNumbers(regionDirectory: directory)
        if let start { numbers = numbers.filter { $0 >= start.segment } }
        var position = start
        for n in numbers {
            let path = SegmentScanner.segmentPath(regionDirectory: directory, number: n)
            let fd = try FileIO.open(path, flags: O_RDONLY)
            defer { close(fd) }
            let size = try FileIO.size(fd, path: path)
            var offset: UInt64
            if let p = position, p.segment == n {
                offset = p.offset
            } else {
                let head = try FileIO.pread(fd, count: 4096, offset: 0, path: path)
                guard case .success(let h) = head.withUnsafeBytes({ SegmentHeader.decode($0) }) else { return position }
                offset = UInt64(h.size)
            }
            while offset + UInt64(FrameHeader.fixedSize) <= size {
                var bytes = try FileIO.pread(fd, count: 16 << 10, offset: offset, path: path)
                var parsed = bytes.withUnsafeBytes { FrameCodec.parseHeader($0) }
                if case .needMore(let need) = parsed {
                    bytes = try FileIO.pread(fd, count: need, offset: offset, path: path)
                    parsed = bytes.withUnsafeBytes { FrameCodec.parseHeader($0) }
                }
                guard case .header(let h) = parsed, offset + UInt64(h.totalSize) <= size else { break }
                try body(h)
                offset += UInt64(h.totalSize)
            }
            position = FramePosition(segment: n, offset: offset)
        }
        return position
    }

    /// Calls `body` with every record at or after `position`, in log order.
    public func forEachRecord(from position: UInt64 = 0, includeContent: Bool,
                              _ body: (StoredRecord) throws -> Void) throws {
        try forEachFrame(from: position) { segment, offset, header in
            for k in 0..<header.recordCount where header.firstPosition + UInt64(k) >= position {
                let record = try reader.read(RecordLocation(segment: segment, frameOffset: offset, indexInFrame: k),
                                             includeContent: includeContent)
                try body(record)
            }
        }
    }
}

