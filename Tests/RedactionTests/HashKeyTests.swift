import Dispatch
import Foundation
import Synchronization
import XCTest
@testable import Redaction

/// Key files: created once, 0600, 32 bytes, reused; unsafe files are refused.
final class HashKeyTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "gatelog-hashkey-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func permissions(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! NSNumber).intValue
    }

    func testCreateThenLoadSameKey() throws {
        let path = directory + "/eu.hashkey"
        XCTAssertNil(try HashKeyFile.load(at: path))
        let created = try HashKeyFile.loadOrCreate(at: path)
        XCTAssertEqual(try permissions(path), 0o600)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)).count, 32)
        XCTAssertEqual(try HashKeyFile.loadOrCreate(at: path), created)
        XCTAssertEqual(try HashKeyFile.load(at: path), created)
        // No temporary files are left behind.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["eu.hashkey"])
        XCTAssertEqual("\(created)", "HashKey(32 bytes)")
    }

    func testRefusesReadableOrMalformedFiles() throws {
        let open = directory + "/open.hashkey"
        XCTAssertTrue(FileManager.default.createFile(atPath: open, contents: Data(repeating: 1, count: 32), attributes: [.posixPermissions: 0o644]))
        XCTAssertThrowsError(try HashKeyFile.loadOrCreate(at: open)) { error in
            XCTAssertTrue("\(error)".contains("permissions 644"), "\(error)")
        }
        let short = directory + "/short.hashkey"
        XCTAssertTrue(FileManager.default.createFile(atPath: short, contents: Data(repeating: 1, count: 31), attributes: [.posixPermissions: 0o600]))
        XCTAssertThrowsError(try HashKeyFile.loadOrCreate(at: short)) { error in
            XCTAssertTrue("\(error)".contains("expected 32 bytes, found 31"), "\(error)")
        }
        XCTAssertThrowsError(try HashKeyFile.loadOrCreate(at: directory + "/missing-dir/x.hashkey"))
        XCTAssertThrowsError(try HashKey(bytes: [1, 2, 3]))
    }

    func testDirectoryProviderPerRegionAndConcurrentCreation() throws {
        let provider = HashKeyDirectory(directory: directory)
        let keys = Mutex<[HashKey]>([])
        DispatchQueue.concurrentPerform(iterations: 16) { _ in
            if let key = try? provider.hashKey(forRegion: "eu-west-1") { keys.withLock { $0.append(key) } }
        }
        let all = keys.withLock { $0 }
        XCTAssertEqual(all.count, 16)
        XCTAssertEqual(Set(all.map(\.bytes)).count, 1)
        XCTAssertEqual(try HashKeyFile.load(at: directory + "/eu-west-1.hashkey"), all[0])
        XCTAssertNotEqual(try provider.hashKey(forRegion: "us"), all[0])
        // A second provider (another process, a restart) reads the same keys.
        XCTAssertEqual(try HashKeyDirectory(directory: directory).hashKey(forRegion: "eu-west-1"), all[0])
        for bad in ["", "../etc", ".hidden", "a/b", String(repeating: "x", count: 65)] {
            XCTAssertThrowsError(try provider.hashKey(forRegion: bad), bad)
        }
    }

    func testEngineUsesDirectoryKeys() throws {
        let policy = try RedactionPolicy.parse(#"{"version":"k","defaults":{"EMAIL":"hash"}}"#)
        let engine = RedactionEngine(policy: policy, hashKeys: HashKeyDirectory(directory: directory))
        let first = try engine.redactText("a@example.com", region: "eu").text
        let again = try RedactionEngine(policy: policy, hashKeys: HashKeyDirectory(directory: directory)).redactText("a@example.com", region: "eu").text
        XCTAssertEqual(first, again)
        XCTAssertNotEqual(first, try engine.redactText("a@example.com", region: "us").text)
        let failing = RedactionEngine(policy: policy, hashKeys: HashKeyDirectory(directory: directory + "/nope"))
        XCTAssertThrowsError(try failing.redactText("a@example.com", region: "eu")) { error in
            guard case RedactionError.hashKeyUnavailable = error else { return XCTFail("\(error)") }
        }
    }
}
