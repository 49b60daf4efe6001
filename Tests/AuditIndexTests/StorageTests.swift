import Foundation
import XCTest
@testable import AuditIndex

/// Damaged, foreign and old index files, migrations, and the SQLite layer itself.
final class StorageTests: XCTestCase {
    private func assertNeedsRebuild(_ body: @autoclosure () throws -> Void, _ kinds: Set<String>,
                                    file: StaticString = #filePath, line: UInt = #line) {
        do {
            try body()
            XCTFail("expected an error", file: file, line: line)
        } catch let error as IndexError {
            XCTAssertTrue(error.requiresRebuild, "\(error)", file: file, line: line)
            XCTAssertTrue(kinds.contains("\(error.kind)"), "\(error.kind)", file: file, line: line)
        } catch {
            XCTFail("unexpected \(error)", file: file, line: line)
        }
    }

    /// True when `body` throws an `IndexError` that asks for a rebuild (fails the test on any other error).
    private func failsAskingForRebuild(file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) -> Bool {
        do {
            try body()
            return false
        } catch {
            let indexError = error as? IndexError
            XCTAssertEqual(indexError?.requiresRebuild, true, "\(error)", file: file, line: line)
            return indexError?.requiresRebuild == true
        }
    }

    func testGarbageFileIsReportedAsNotAnIndex() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("index.sqlite")
        var rng = SplitMix64(seed: 1)
        let garbage = Data((0..<65_536).map { _ in UInt8.random(in: 0...255, using: &rng) })
        try garbage.write(to: URL(fileURLWithPath: path))
        assertNeedsRebuild(_ = try AuditIndex.open(path: path), ["notAnIndex"])
        // The documented remedy: delete and rebuild.
        try AuditIndex.removeFiles(path: path)
        let index = try AuditIndex.open(path: path)
        try index.insert(generateEntries(count: 10, seed: 1))
        XCTAssertEqual(try index.recordCount(), 10)
    }

    func testAnotherApplicationsDatabaseIsNotAnIndex() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("other.sqlite")
        let connection = try Connection(path: path, options: ConnectionOptions())
        try connection.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT)", operation: "test")
        assertNeedsRebuild(_ = try AuditIndex.open(path: path), ["notAnIndex"])
        // Its tables are untouched.
        XCTAssertEqual(try connection.scalarInt("SELECT count(*) FROM sqlite_schema", operation: "test"), 1)
    }

    func testNewerSchemaIsRefused() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("index.sqlite")
        _ = try AuditIndex.open(path: path)
        let connection = try Connection(path: path, options: ConnectionOptions())
        try connection.execute("PRAGMA user_version = 99", operation: "test")
        assertNeedsRebuild(_ = try AuditIndex.open(path: path), ["schemaTooNew"])
    }

    func testMissingTableIsCorrupt() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("index.sqlite")
        _ = try AuditIndex.open(path: path)
        let connection = try Connection(path: path, options: ConnectionOptions())
        try connection.execute("DROP TABLE meta", operation: "test")
        assertNeedsRebuild(_ = try AuditIndex.open(path: path), ["corrupt"])
    }

    /// Overwrites pages in the middle of a real index: open, a full check or a query must fail
    /// with an error that asks for a rebuild; after a rebuild, answers are identical.
    func testDamagedPagesAreDetectedAndARebuildAnswersTheSame() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("index.sqlite")
        let entries = generateEntries(count: 3000, seed: 21)
        let filter = IndexFilter(tenants: ["tenant-1"], metadata: [MetadataCondition(key: "environment", values: ["prod"])])
        let expected: [IndexEntry]
        let expectedGroups: [AggregateGroup]
        do {
            let index = try AuditIndex.open(path: path)
            try index.insert(entries)
            try index.checkIntegrity()
            try index.checkpoint()
            expected = try allPages(index, filter, limit: 100, order: .newestFirst)
            expectedGroups = try index.aggregate(filter: IndexFilter(), groupBy: [.model, .metadata("customer_id")], bucket: .hour)
        }
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        XCTAssertGreaterThan(size, 100 * 4096)
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        var rng = SplitMix64(seed: 2)
        for page in stride(from: 10, to: size / 4096 - 10, by: 7) {
            try handle.seek(toOffset: UInt64(page * 4096 + 100))
            handle.write(Data((0..<512).map { _ in UInt8.random(in: 0...255, using: &rng) }))
        }
        try handle.close()

        let detected = failsAskingForRebuild {
            let index = try AuditIndex.open(path: path)
            try index.checkIntegrity()
        }
        XCTAssertTrue(detected, "damage went unnoticed")

        try AuditIndex.removeFiles(path: path)
        let rebuilt = try AuditIndex.open(path: path)
        // A rebuild feeds the entries again (here in a different batching).
        for start in stride(from: 0, to: entries.count, by: 700) {
            try rebuilt.insert(Array(entries[start..<min(start + 700, entries.count)]))
        }
        assertSameEntries(try allPages(rebuilt, filter, limit: 100, order: .newestFirst), expected, "after rebuild")
        XCTAssertEqual(try rebuilt.aggregate(filter: IndexFilter(), groupBy: [.model, .metadata("customer_id")], bucket: .hour),
                       expectedGroups)
    }

    func testTruncatedFileIsDetected() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("index.sqlite")
        do {
            let index = try AuditIndex.open(path: path)
            try index.insert(generateEntries(count: 2000, seed: 4))
            try index.checkpoint()
        }
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        XCTAssertEqual(truncate(path, off_t(size / 2)), 0)
        let detected = failsAskingForRebuild {
            let index = try AuditIndex.open(path: path)
            try index.checkIntegrity()
            _ = try index.aggregate(filter: IndexFilter(), groupBy: [.user])
        }
        XCTAssertTrue(detected)
    }

    func testMigrationsAreIdempotentAndUpgradeOldFiles() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("index.sqlite")
        // A file left at schema version 1 (before full-text search).
        do {
            let connection = try Connection(path: path, options: ConnectionOptions())
            try AuditIndex.prepareSchema(connection, migrations: Array(Schema.migrations.prefix(1)))
            XCTAssertEqual(try connection.userVersion(), 1)
        }
        func schema() throws -> [String] {
            let connection = try Connection(path: path, options: ConnectionOptions())
            let statement = try connection.prepare("SELECT type, name, sql FROM sqlite_schema ORDER BY name", operation: "test")
            var rows: [String] = []
            while try statement.step() { rows.append("\(statement.string(at: 0)) \(statement.string(at: 1)) \(statement.string(at: 2))") }
            return rows
        }
        XCTAssertFalse(try schema().contains { $0.contains("fts") })
        do {
            let index = try AuditIndex.open(path: path)
            try index.insert([IndexEntry(region: "r", position: 0, id: "a", ts: 0,
                                         location: RecordLocation(segment: 0, frameOffset: 0, recordInFrame: 0),
                                         chainHash: Array(repeating: 0, count: 32), text: "hello world")])
            XCTAssertEqual(try index.count(filter: IndexFilter(text: "hello")), 1)
        }
        let migrated = try schema()
        XCTAssertTrue(migrated.contains { $0.contains("fts") })
        // Opening again, and running the migrations again, changes nothing.
        for _ in 0..<2 { _ = try AuditIndex.open(path: path) }
        let connection = try Connection(path: path, options: ConnectionOptions())
        try connection.migrate(Schema.migrations)
        XCTAssertEqual(try connection.userVersion(), Schema.migrations.count)
        XCTAssertEqual(try schema(), migrated)
        XCTAssertEqual(try connection.scalarInt("PRAGMA application_id", operation: "test"), Schema.applicationID)
        XCTAssertEqual(try connection.scalarInt("SELECT count(*) FROM record", operation: "test"), 1)
    }

    // MARK: SQLite layer

    func testTransactionRollsBackWhenTheBodyThrows() throws {
        let directory = try TemporaryDirectory()
        let connection = try Connection(path: directory.path("db.sqlite"), options: ConnectionOptions())
        try connection.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)", operation: "test")
        let failure = IndexError.invalidArgument("stop", operation: "test")
        XCTAssertThrowsError(try connection.transaction(operation: "test") { () throws(IndexError) in
            let insert = try connection.cachedStatement("INSERT INTO t (k, v) VALUES (?, ?)", operation: "insert t")
            try insert.bind(1, at: 1)
            try insert.bind("one", at: 2)
            try insert.run()
            throw failure
        }) { XCTAssertEqual($0 as? IndexError, failure) }
        XCTAssertFalse(connection.isInTransaction)
        XCTAssertEqual(try connection.scalarInt("SELECT count(*) FROM t", operation: "test"), 0)
        try connection.transaction(operation: "test") { () throws(IndexError) in
            let insert = try connection.cachedStatement("INSERT INTO t (k, v) VALUES (?, ?)", operation: "insert t")
            try insert.bind(2, at: 1)
            try insert.bind("two", at: 2)
            try insert.run()
        }
        XCTAssertEqual(try connection.scalarInt("SELECT count(*) FROM t", operation: "test"), 1)
    }

    func testErrorsNameTheOperationButNeverTheBoundValues() throws {
        let directory = try TemporaryDirectory()
        let connection = try Connection(path: directory.path("db.sqlite"), options: ConnectionOptions())
        try connection.execute("CREATE TABLE t (email TEXT PRIMARY KEY)", operation: "test")
        let secret = "alice.secret@example.com"
        let insert = try connection.cachedStatement("INSERT INTO t (email) VALUES (?)", operation: "insert user")
        try insert.bind(secret, at: 1)
        try insert.run()
        try insert.bind(secret, at: 1)
        do {
            try insert.run()
            XCTFail("duplicate accepted")
        } catch {
            XCTAssertEqual(error.operation, "insert user")
            XCTAssertEqual(error.sqliteCode.map { $0 & 0xFF }, 19)  // SQLITE_CONSTRAINT
            XCTAssertFalse(error.description.contains(secret), error.description)
            XCTAssertFalse(error.message.contains("alice"), error.message)
        }
        XCTAssertThrowsError(try connection.prepare("SELEC nonsense", operation: "bad sql")) { error in
            XCTAssertEqual((error as? IndexError)?.operation, "bad sql")
        }
        // Typed reads and binds round-trip, including empty text and blobs and NULL.
        try connection.execute("CREATE TABLE v (a, b, c, d)", operation: "test")
        let put = try connection.prepare("INSERT INTO v VALUES (?, ?, ?, ?)", operation: "test")
        try put.bind("", at: 1)
        try put.bind(blob: [], at: 2)
        try put.bind(Optional<Double>.none, at: 3)
        try put.bind(blob: [0, 255, 7], at: 4)
        try put.run()
        let get = try connection.prepare("SELECT a, b, c, d FROM v", operation: "test")
        XCTAssertTrue(try get.step())
        XCTAssertEqual(get.optionalString(at: 0), "")
        XCTAssertFalse(get.isNull(at: 1))
        XCTAssertEqual(get.blob(at: 1), [])
        XCTAssertNil(get.optionalDouble(at: 2))
        XCTAssertEqual(get.blob(at: 3), [0, 255, 7])
    }

    func testOpenFailsClearlyWhenTheDirectoryIsMissing() throws {
        XCTAssertThrowsError(try AuditIndex.open(path: "/nonexistent-dir-\(UUID().uuidString)/index.sqlite")) { error in
            XCTAssertEqual((error as? IndexError)?.kind, .cannotOpen)
            XCTAssertEqual((error as? IndexError)?.requiresRebuild, false)
        }
    }

    /// A read past the query time limit stops with `.timedOut` (the SQLite progress handler
    /// interrupts it) and names the limit; the reader connection then serves the next query, and
    /// without a limit the same aggregate completes.
    func testReadsPastTheTimeLimitStopAndTheReaderServesTheNext() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("index.sqlite")
        do {
            let index = try AuditIndex.open(path: path)
            try index.insert(generateEntries(count: 20_000, seed: 5))
        }
        var options = AuditIndex.Options(readerCount: 1)
        options.queryTimeoutSeconds = 0.000_001
        let limited = try AuditIndex.open(path: path, options: options)
        XCTAssertThrowsError(try limited.aggregate(filter: IndexFilter(), groupBy: [.model, .user])) { error in
            let e = error as? IndexError
            XCTAssertEqual(e?.kind, .timedOut, "\(error)")
            XCTAssertTrue(e?.message.contains("query_timeout_seconds") == true, e?.message ?? "")
        }
        XCTAssertThrowsError(try limited.aggregate(filter: IndexFilter())) { XCTAssertEqual(($0 as? IndexError)?.kind, .timedOut) }
        // Without a limit, the same (only) reader connection completes the same aggregate: the
        // interrupted statements were reset and its deadline cleared.
        limited.setQueryTimeout(seconds: 0)
        let groups = try limited.aggregate(filter: IndexFilter(), groupBy: [.model, .user])
        XCTAssertEqual(groups.reduce(Int64(0)) { $0 + $1.count }, 20_000)
        XCTAssertEqual(try limited.search(filter: IndexFilter(), limit: 1).entries.count, 1)
    }
}
