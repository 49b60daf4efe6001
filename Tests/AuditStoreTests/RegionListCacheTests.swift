import XCTest
import Foundation
import AuditStore
#if canImport(Glibc)
import Glibc
#endif

final class RegionListCacheTests: XCTestCase {
    /// Sets a directory's modification time `secondsAgo` into the past.
    func age(_ path: String, secondsAgo: Int) {
        var times = [timespec(tv_sec: time(nil) - secondsAgo, tv_nsec: 0), timespec(tv_sec: time(nil) - secondsAgo, tv_nsec: 0)]
        XCTAssertEqual(utimensat(AT_FDCWD, path, &times, 0), 0)
    }

    func makeRegion(_ data: String, _ name: String, complete: Bool = true) throws {
        try FileManager.default.createDirectory(atPath: "\(data)/regions/\(name)\(complete ? "/segments" : "")", withIntermediateDirectories: true)
    }

    func testNewRegionsAppearAndIncompleteOnesAreNotCached() throws {
        let dir = TemporaryDirectory()
        let cache = RegionListCache(configuration: StoreConfiguration(dataDirectory: dir.path))
        XCTAssertEqual(cache.regions(), [])
        try makeRegion(dir.path, "eu")
        age("\(dir.path)/regions", secondsAgo: 10)
        XCTAssertEqual(cache.regions(), ["eu"])
        XCTAssertEqual(cache.regions(), ["eu"], "served from the cache")
        // A new region changes regions/'s time: listed again.
        try makeRegion(dir.path, "us")
        XCTAssertEqual(cache.regions(), ["eu", "us"])
        // A region directory without segments/ yet is not listed, and the listing is not kept,
        // so the region shows once its segments/ exists even though regions/ did not change.
        try makeRegion(dir.path, "ap", complete: false)
        age("\(dir.path)/regions", secondsAgo: 10)
        XCTAssertEqual(cache.regions(), ["eu", "us"])
        try FileManager.default.createDirectory(atPath: "\(dir.path)/regions/ap/segments", withIntermediateDirectories: true)
        XCTAssertEqual(cache.regions(), ["ap", "eu", "us"])
    }

    /// A listing taken while regions/ was modified less than two seconds ago is not trusted:
    /// directory times can be coarser than the clock, so a change in the same tick would be missed.
    func testFreshlyModifiedDirectoryIsListedEveryTime() throws {
        let dir = TemporaryDirectory()
        let cache = RegionListCache(configuration: StoreConfiguration(dataDirectory: dir.path))
        try makeRegion(dir.path, "eu")
        let stamp = "\(dir.path)/regions"
        age(stamp, secondsAgo: 0)
        XCTAssertEqual(cache.regions(), ["eu"])
        // Same time stamp as before, new region: still seen because nothing was cached.
        var st = stat()
        XCTAssertEqual(stat(stamp, &st), 0)
        try makeRegion(dir.path, "us")
        var times = [st.st_atim, st.st_mtim]
        XCTAssertEqual(utimensat(AT_FDCWD, stamp, &times, 0), 0)
        XCTAssertEqual(cache.regions(), ["eu", "us"])
    }
}
