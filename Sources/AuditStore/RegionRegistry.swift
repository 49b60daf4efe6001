import Foundation
import AuditFormat
import JSON
#if canImport(Glibc)
import Glibc
#endif

/// Which regions a store has created, kept in the data directory (`region-registry/<region>.json`):
/// a region whose directory later holds nothing (deleted, or on a disk that is not mounted) is
/// then reported and refused, not silently started again as a new, empty chain at position 0 —
/// which would, among other things, let the index map ids to other records once the old
/// directory came back. One small file per region, written atomically when the region's writer
/// first creates its directory (and, for regions created before the registry existed, the next
/// time their writer opens them).
public enum RegionRegistry {
    /// The registry directory of a data directory.
    public static func directory(_ dataDirectory: String) -> String { "\(dataDirectory)/region-registry" }

    /// What the registry holds for one region.
    public struct Entry: Sendable, Equatable {
        /// The region directory when the region was registered.
        public var directory: String
        /// When it was registered, milliseconds since the Unix epoch.
        public var registeredAt: Int64
    }

    /// The entry of `region`, nil when it was never registered (or the file cannot be read).
    public static func entry(_ region: String, dataDirectory: String) -> Entry? {
        guard let bytes = try? FileIO.readFile(path(region, dataDirectory: dataDirectory)),
              let value = try? JSONValue.parse(bytes), let dir = value["directory"]?.stringValue else { return nil }
        return Entry(directory: dir, registeredAt: value["registered_at"]?.int64Value ?? 0)
    }

    /// The registry file of `region`. The `.json` suffix keeps a temporary file of an interrupted
    /// write (`….json.tmp.<pid>.<n>`) from reading as a region of its own.
    static func path(_ region: String, dataDirectory: String) -> String { "\(directory(dataDirectory))/\(region).json" }

    /// Every registered region name, sorted.
    public static func regions(dataDirectory: String) -> [String] {
        ((try? FileIO.list(directory(dataDirectory))) ?? []).compactMap { name in
            name.hasSuffix(".json") ? String(name.dropLast(5)) : nil
        }.filter { Region.isValidName($0) }.sorted()
    }

    /// Registers `region` at `regionDirectory` (atomically and durably).
    public static func register(_ region: String, regionDirectory: String, dataDirectory: String) throws(FileIOError) {
        let dir = directory(dataDirectory)
        try FileIO.makeDirectories(dir)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let value = JSONValue.object([JSONMember("region", .string(region)), JSONMember("directory", .string(regionDirectory)),
                                      JSONMember("registered_at", .int(now))])
        try FileIO.writeAtomically(path(region, dataDirectory: dataDirectory), bytes: value.serialized() + [0x0A], mode: 0o644)
    }

    /// True when a region directory holds a region's segments. A registered region always has
    /// one (it is registered once its first segment exists, and segments are never removed): a
    /// directory with only an empty `checkpoints.log` put there is not the region.
    public static func holdsRegion(_ regionDirectory: String) -> Bool {
        !((try? SegmentScanner.segmentNumbers(regionDirectory: regionDirectory)) ?? []).isEmpty
    }

    /// Why `region` must not be started afresh at `regionDirectory`, or nil when it may: it was
    /// registered, and the directory holds none of its segments now.
    public static func missingRegionProblem(_ region: String, regionDirectory: String, dataDirectory: String) -> String? {
        guard !holdsRegion(regionDirectory), let entry = entry(region, dataDirectory: dataDirectory) else { return nil }
        // No paths: the message may reach HTTP clients. The registry file names the directory.
        let when = Timestamp.format(milliseconds: entry.registeredAt)
        return "region \(region) was created on \(when), but its directory holds none of its files: deleted, or its "
            + "disk is not mounted? gatelog does not start it again as a new chain; mount or restore the directory "
            + "(region-registry/\(region).json in the data directory says where it was), or remove that file to start over"
    }
}
