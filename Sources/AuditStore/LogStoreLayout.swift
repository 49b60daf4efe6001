import Foundation
import AuditFormat
#if canImport(Glibc)
import Glibc
#endif

/// A read-only view of a data directory, usable while a writer runs in another process.
public struct LogStoreLayout: Sendable {
    public let configuration: StoreConfiguration

    public init(configuration: StoreConfiguration) { self.configuration = configuration }

    /// Regions present on disk or mapped in the configuration, sorted.
    public func regions() -> [String] {
        var names = Set(configuration.regionPaths.keys)
        if let listed = try? FileIO.list("\(configuration.dataDirectory)/regions") {
            names.formUnion(listed.filter { Region.isValidName($0) })
        }
        return names.filter { FileIO.exists("\(configuration.regionDirectory($0))/segments") }.sorted()
    }

    /// Sizes and counts of one region, from segment and frame headers (no decompression).
    public struct Summary: Sendable {
        public var segments = 0
        public var records: UInt64 = 0
        public var rawBytes: UInt64 = 0
        /// Bytes of the segment files and the zstd dictionaries their frames use.
        public var storedBytes: UInt64 = 0
        /// Dictionary files in `dictionaries/`.
        public var dictionaries = 0
        public var checkpointSize: UInt64 = 0
    }

    /// Scans a region's headers. O(frames).
    public func summary(region: String) throws(FileIOError) -> Summary {
        let dir = configuration.regionDirectory(region)
        var s = Summary()
        for n in try SegmentScanner.segmentNumbers(regionDirectory: dir) {
            let path = SegmentScanner.segmentPath(regionDirectory: dir, number: n)
            guard case .success(let scan) = try SegmentScanner.scan(path: path, number: n, checkTrailers: false) else { continue }
            s.segments += 1
            s.storedBytes += scan.fileSize
            for f in scan.frames {
                s.records += UInt64(f.header.recordCount)
                s.rawBytes += UInt64(f.header.envelopesRawLength) + UInt64(f.header.contentsRawLength)
            }
        }
        for id in try RegionDictionaries.ids(regionDirectory: dir) {
            let path = RegionDictionaries.path(regionDirectory: dir, id: id)
            let fd = try FileIO.open(path, flags: O_RDONLY)
            defer { close(fd) }
            s.storedBytes += try FileIO.size(fd, path: path)
            s.dictionaries += 1
        }
        let cpPath = "\(dir)/checkpoints.log"
        if FileIO.exists(cpPath) {
            s.checkpointSize = CheckpointLog.parse(try FileIO.readFile(cpPath)).entries.compactMap { $0.checkpoint?.checkpoint.treeSize }.max() ?? 0
        }
        return s
    }
}
