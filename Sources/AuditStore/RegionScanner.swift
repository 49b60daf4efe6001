import Foundation
import AuditFormat
import GatelogCrypto
#if canImport(Glibc)
import Glibc
#endif

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
    /// Stops at the first damaged or incomplete frame (a writer may be appending). O(frames).
    public func forEachFrame(from position: UInt64 = 0,
                             _ body: (_ segment: UInt64, _ offset: UInt64, _ header: FrameHeader) throws -> Void) throws {
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
            guard case .success(let scan) = try SegmentScanner.scan(path: path, number: n, checkTrailers: false) else { return }
            for frame in scan.frames where frame.header.positions.upperBound > position {
                try body(n, frame.offset, frame.header)
            }
            if scan.residue != nil { return }
        }
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

