import Foundation
import XCTest
@testable import AuditIndex

/// The write path: the writer's dictionary map, region ends, statement chunking, values bound
/// without copies, and the upgrade of a schema-2 file.
final class WriterTests: XCTestCase {
    private func entry(_ region: String, _ position: UInt64, tenant: String? = nil, user: String? = nil,
                       metadata: [(key: String, value: String)] = [], trace: String? = nil) -> IndexEntry {
        IndexEntry(region: region, position: position, id: "\(region)-\(position)", ts: Pools.baseTime + Int64(position),
                   tenant: tenant, user: user, traceID: trace, metadata: metadata,
                   location: RecordLocation(segment: 1, frameOffset: position * 10, recordInFrame: 0),
                   chainHash: [UInt8](repeating: UInt8(position % 256), count: 32))
    }

    /// Every row of every table, in a canonical order (for comparing two index files).
    private func dump(_ path: String) throws -> [String] {
        let connection = try Connection(path: path, options: ConnectionOptions())
        var rows: [String] = []
        for table in ["dict", "region_state", "record", "meta", "by_user", "by_id", "by_trace", "block", "setting"] {
            let statement = try connection.prepare("SELECT * FROM \(table) ORDER BY 1, 2", operation: "test")
            while try statement.step() {
                var fields: [String] = [table]
                for column in 0..<statement.columnCount {
                    fields.append(statement.isNull(at: column) ? "NULL"
                        : statement.isBlob(at: column) ? statement.blob(at: column).map { String($0) }.joined(separator: ".")
                        : statement.string(at: column))
                }
                rows.append(fields.joined(separator: "|"))
            }
        }
        return rows
    }

    private func dictionaryRows(_ path: String) throws -> (total: Int64, distinctValues: Int64, maxIDGap: Int64) {
        let connection = try Connection(path: path, options: ConnectionOptions())
        let total = try connection.scalarInt("SELECT count(*) FROM dict", operation: "test") ?? -1
        let distinct = try connection.scalarInt("SELECT count(*) FROM (SELECT DISTINCT kind, value FROM dict)", operation: "test") ?? -1
        // Ids are numbered 1...n per kind without holes.
        let gap = try connection.scalarInt("SELECT max(m - c) FROM (SELECT max(id) AS m, count(*) AS c FROM dict GROUP BY kind)",
                                           operation: "test") ?? -1
        return (total, distinct, gap)
    }

    func testDictionaryIDsSurviveReopenWithoutDuplicates() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("index.sqlite")
        let first = generateEntries(count: 400, seed: 31)
        let second = generateEntries(count: 400, seed: 32, startPositions: Dictionary(
            Pools.regions.map { region in (region, UInt64(first.filter { $0.region == region }.count)) },
            uniquingKeysWith: { a, _ in a }))
        do {
            let index = try AuditIndex.open(path: path)
            try index.insert(first)
        }
        let before = try dictionaryRows(path)
        // A new session starts with an empty writer map: it must find the existing ids, not add rows.
        let index = try AuditIndex.open(path: path)
        try index.insert(second)
        let after = try dictionaryRows(path)
        XCTAssertEqual(after.total, after.distinctValues)
        XCTAssertEqual(after.maxIDGap, 0)
        XCTAssertEqual(after.total, before.total, "the same pools of strings must not add dictionary rows")
        var brute = BruteForce()
        brute.add(first)
        brute.add(second)
        for filter in [IndexFilter(tenants: ["tenant-2"]), IndexFilter(users: ["user3@example.com"]),
                       IndexFilter(metadata: [MetadataCondition(key: "customer_id", values: ["cust-7"])])] {
            assertSameEntries(try allPages(index, filter, limit: 50, order: .newestFirst),
                              brute.search([filter], order: .newestFirst), "\(filter)")
        }
    }

    func testRolledBackBatchLeavesNoStaleDictionaryIDs() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("index.sqlite")
        let index = try AuditIndex.open(path: path)
        // 255 regions: the most a file holds.
        try index.insert((1...255).map { entry("region-\($0)", 0) })
        // New strings are interned (dict rows, writer map) before the 256th region fails the batch.
        let failing = [entry("region-1", 1, tenant: "new-tenant", user: "new-user", metadata: [("new-key", "new-value")]),
                       entry("region-256", 0, tenant: "other-tenant")]
        XCTAssertThrowsError(try index.insert(failing)) { error in
            XCTAssertEqual((error as? IndexError)?.kind, .invalidArgument)
        }
        XCTAssertEqual(try index.recordCount(), 255)
        XCTAssertEqual(try dictionaryRows(path).total, 255, "the rolled-back strings are gone")
        // Strings first seen after the rollback take the ids the rolled-back ones had: a stale
        // map would give two strings one id, or a record an id without a dictionary row.
        let retried = [entry("region-1", 1, tenant: "another-tenant", user: "another-user", metadata: [("another-key", "v")]),
                       entry("region-1", 2, tenant: "new-tenant", user: "new-user", metadata: [("new-key", "new-value")])]
        try index.insert(retried)
        let rows = try dictionaryRows(path)
        XCTAssertEqual(rows.total, rows.distinctValues)
        XCTAssertEqual(rows.maxIDGap, 0)
        for e in retried {
            XCTAssertEqual(try index.lookup(region: "region-1", id: e.id), e)
        }
        XCTAssertEqual(try index.search(filter: IndexFilter(tenants: ["new-tenant"])).entries.map(\.position), [2])
        XCTAssertEqual(try index.search(filter: IndexFilter(users: ["another-user"])).entries.map(\.position), [1])
        XCTAssertEqual(try index.count(filter: IndexFilter(metadata: [MetadataCondition(key: "new-key", values: ["new-value"])])), 1)
        XCTAssertEqual(try index.regions().count, 255)
    }

    func testRegionEndsSurviveReopenAndPositionsBelowThemAreChecked() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("index.sqlite")
        do {
            let index = try AuditIndex.open(path: path)
            try index.insert([entry("a", 10), entry("a", 12), entry("b", 0)])
            XCTAssertNil(try index.indexedPosition(region: "a"))
        }
        let index = try AuditIndex.open(path: path)
        // 10 and 12 are below a's end (13): checked, found, skipped; 11 is in the gap: new.
        try index.insert([entry("a", 12, user: "second copy"), entry("a", 11), entry("a", 10), entry("a", 13)])
        XCTAssertEqual(try index.recordCount(), 5)
        XCTAssertEqual(try index.lookup(region: "a", id: "a-12")?.user, nil, "the first copy stays")
        // Duplicates inside one batch: the first one wins.
        try index.insert([entry("a", 14, user: "first"), entry("a", 14, user: "second"), entry("b", 1), entry("b", 1)])
        XCTAssertEqual(try index.lookup(region: "a", id: "a-14")?.user, "first")
        XCTAssertEqual(try index.recordCount(), 7)
        // Filling 0...9 absorbs everything indexed out of order.
        try index.insert((0..<10).reversed().map { entry("a", $0) })
        XCTAssertEqual(try index.indexedPosition(region: "a"), 14)
        XCTAssertEqual(try index.indexedPosition(region: "b"), 1)
        XCTAssertEqual(try index.search(filter: IndexFilter(regions: ["a"]), limit: 100).entries.map(\.position),
                       Array((0...14).reversed()))
    }

    /// The chunking of records (16 per statement) and postings (32) must not change a byte of
    /// the result: the same entries in batches of every size around those boundaries give
    /// identical tables.
    func testBatchSizesGiveIdenticalTables() throws {
        let directory = try TemporaryDirectory()
        let entries = generateEntries(count: 700, seed: 33, increasingTime: true)
        var dumps: [[String]] = []
        for size in [1, 15, 16, 17, 31, 32, 33, 700] {
            let path = directory.path("index-\(size).sqlite")
            let index = try AuditIndex.open(path: path, options: AuditIndex.Options(blockBits: 6))
            for start in stride(from: 0, to: entries.count, by: size) {
                try index.insert(Array(entries[start..<min(start + size, entries.count)]))
            }
            try index.checkpoint()
            dumps.append(try dump(path))
        }
        XCTAssertGreaterThan(dumps[0].count, 700 * 4)
        for (i, other) in dumps.enumerated().dropFirst() {
            XCTAssertEqual(other.count, dumps[0].count, "batch size #\(i)")
            if let difference = zip(other, dumps[0]).first(where: { $0.0 != $0.1 }) {
                XCTFail("batch size #\(i): \(difference.0) instead of \(difference.1)")
            }
        }
    }

    func testBindBufferEncodesAsFieldEncoding() throws {
        var rng = SplitMix64(seed: 34)
        let buffer = BindBuffer(capacity: 16)
        let alphabet = Array("0123456789abcdefABCDEFxyz-é".unicodeScalars)
        for round in 0..<2000 {
            buffer.removeAll()
            // Random text, often hex, sometimes long enough to grow the buffer several times.
            let length = rng.chance(0.1) ? Int.random(in: 0..<3000, using: &rng) : Int.random(in: 0..<70, using: &rng)
            let hexOnly = rng.chance(0.6)
            var scalars = String.UnicodeScalarView()
            for _ in 0..<length { scalars.append(hexOnly ? alphabet[Int.random(in: 0..<16, using: &rng)] : rng.pick(alphabet)) }
            let text = String(scalars)
            var pairs: [(key: Int64, value: Int64)] = []
            for _ in 0..<Int.random(in: 0..<6, using: &rng) {
                pairs.append((Int64.random(in: 0...Int64.max >> Int.random(in: 0...62, using: &rng), using: &rng),
                              Int64.random(in: Int64.min...Int64.max, using: &rng)))
            }
            let prefix = buffer.append(text)
            let hex = buffer.appendHexDecoded(text)
            let blob = buffer.appendMetadataBlob(pairs[...])
            let chain = buffer.append((0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) })
            try buffer.withBytes { base in
                func bytes(_ span: BindBuffer.Span) -> [UInt8] {
                    Array(UnsafeRawBufferPointer(start: base + span.offset, count: span.count))
                }
                XCTAssertEqual(bytes(prefix), Array(text.utf8), "round \(round)")
                switch FieldEncoding.traceValue(text) {
                case .blob(let expected): XCTAssertEqual(hex.map(bytes), expected, "round \(round)")
                default: XCTAssertNil(hex, "round \(round)")
                }
                XCTAssertEqual(bytes(blob), FieldEncoding.metadataBlob(pairs), "round \(round)")
                XCTAssertEqual(chain.count, 32)
            }
        }
    }

    func testLongAndUnusualValuesRoundTrip() throws {
        let directory = try TemporaryDirectory()
        let index = try AuditIndex.open(path: directory.path("index.sqlite"))
        var entries: [IndexEntry] = []
        let traces = [String(repeating: "ab", count: 64), String(repeating: "ab", count: 65), "abc", "", "a", "ABCD", "ü0",
                      String(repeating: "x", count: 5000)]
        for (i, trace) in traces.enumerated() {
            var e = entry("r", UInt64(i), user: String(repeating: "u", count: i * 700), trace: trace)
            if i == 1 { e.id = "" }
            if i % 2 == 0 { e.id = String(repeating: "id\(i)-", count: 3000) }
            e.metadata = [("k\(i)", String(repeating: "v", count: i * 900)), ("", "")]
            entries.append(e)
        }
        try index.insert(entries)
        for e in entries {
            XCTAssertEqual(try index.lookup(region: "r", id: e.id), e)
            XCTAssertEqual(try index.search(filter: IndexFilter(traceIDs: [e.traceID!])).entries.map(\.position),
                           Array(entries.filter { $0.traceID == e.traceID }.map(\.position).reversed()))
        }
    }

    /// A file written by the previous schema (indexes on `record` for users, id and trace
    /// hashes; no region ends) answers the same after the upgrade, and inserts continue.
    func testSchemaTwoFileIsUpgraded() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("index.sqlite")
        let old = [entry("r", 0, tenant: "t1", user: "alice", metadata: [("customer_id", "c1"), ("env", "prod")],
                         trace: "4bf92f3577b34da6a3ce929d0e0e4736"),
                   entry("r", 1, tenant: "t2", user: "bob", metadata: [("customer_id", "c2")], trace: "TRACE-1"),
                   entry("r", 2, user: "alice"),
                   entry("r", 5, tenant: "t1", user: "bob", metadata: [("env", "prod")])]
        do {
            let connection = try Connection(path: path, options: ConnectionOptions())
            try AuditIndex.prepareSchema(connection, migrations: Array(Schema.migrations.prefix(2)))
            XCTAssertEqual(try connection.userVersion(), 2)
            // As the schema-2 writer stored them (block bits 16: every position here is in block 0).
            let strings: [(kind: DictKind, value: String)] = [(.region, "r"), (.tenant, "t1"), (.tenant, "t2"), (.user, "alice"),
                                                              (.user, "bob"), (.metadataKey, "customer_id"), (.metadataKey, "env")]
            var ids: [String: Int64] = [:]
            var next: [Int64: Int64] = [:]
            func intern(_ kind: Int64, _ value: String) throws -> Int64 {
                let key = "\(kind)/\(value)"
                if let id = ids[key] { return id }
                let id = next[kind, default: 1]
                next[kind] = id + 1
                let insert = try connection.prepare("INSERT INTO dict (kind, id, value) VALUES (?, ?, ?)", operation: "test")
                try insert.bind(kind, at: 1)
                try insert.bind(id, at: 2)
                try insert.bind(value, at: 3)
                try insert.run()
                ids[key] = id
                return id
            }
            for s in strings { _ = try intern(s.kind.rawValue, s.value) }
            for e in old {
                let rid = FieldEncoding.rowID(region: 1, position: e.position)
                var pairs: [(key: Int64, value: Int64)] = []
                for pair in e.metadata {
                    let key = try intern(DictKind.metadataKey.rawValue, pair.key)
                    pairs.append((key, try intern(DictKind.metadataValue(key: key), pair.value)))
                }
                let insert = try connection.prepare("""
                    INSERT INTO record (rid, ts, blk, tenant, usr, trace, idh, meta, seg, foff, rif, id, chain, trh)
                    VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, operation: "test")
                try insert.bind(rid, at: 1)
                try insert.bind(e.ts, at: 2)
                try insert.bind(try e.tenant.map { try intern(DictKind.tenant.rawValue, $0) }, at: 3)
                try insert.bind(try e.user.map { try intern(DictKind.user.rawValue, $0) }, at: 4)
                try insert.bind(e.traceID.map(FieldEncoding.traceValue) ?? .null, at: 5)
                try insert.bind(FieldEncoding.hash32(e.id), at: 6)
                try insert.bind(blob: FieldEncoding.metadataBlob(pairs), at: 7)
                try insert.bind(Int64(e.location.segment), at: 8)
                try insert.bind(Int64(e.location.frameOffset), at: 9)
                try insert.bind(Int64(e.location.recordInFrame), at: 10)
                try insert.bind(e.id, at: 11)
                try insert.bind(blob: e.chainHash, at: 12)
                try insert.bind(e.traceID.map(FieldEncoding.hash32), at: 13)
                try insert.run()
                for pair in pairs {
                    let meta = try connection.prepare("INSERT OR IGNORE INTO meta (blk, k, v, ts, rid) VALUES (1, ?, ?, ?, ?)",
                                                      operation: "test")
                    try meta.bind(pair.key, at: 1)
                    try meta.bind(pair.value, at: 2)
                    try meta.bind(e.ts, at: 3)
                    try meta.bind(rid, at: 4)
                    try meta.run()
                }
            }
            try connection.execute("INSERT INTO region_state (region, next_position) VALUES (1, 3)", operation: "test")
            try connection.execute("INSERT INTO block (blk, ts_min, ts_max) VALUES (1, \(Pools.baseTime), \(Pools.baseTime + 5))",
                                   operation: "test")
        }

        var index = try AuditIndex.open(path: path)
        func check(_ entries: [IndexEntry]) throws {
            for e in entries {
                XCTAssertEqual(try index.lookup(region: "r", id: e.id), e)
                if let trace = e.traceID {
                    XCTAssertEqual(try index.search(filter: IndexFilter(traceIDs: [trace])).entries, [e])
                }
            }
            for user in ["alice", "bob"] {
                XCTAssertEqual(try index.search(filter: IndexFilter(users: [user])).entries,
                               entries.filter { $0.user == user }.reversed())
            }
            XCTAssertEqual(try index.search(filter: IndexFilter(metadata: [MetadataCondition(key: "env", values: ["prod"])])).entries,
                           entries.filter { $0.metadataValue(forKey: "env") == "prod" }.reversed())
        }
        try check(old)
        XCTAssertEqual(try index.indexedPosition(region: "r"), 2)
        // 5 is below the end the upgrade computed (6): re-inserting it is a no-op; 3 and 4 close the gap.
        let new = [entry("r", 5, user: "someone else"), entry("r", 4, user: "alice", trace: "abcd"), entry("r", 3, user: "carol")]
        try index.insert(new)
        XCTAssertEqual(try index.indexedPosition(region: "r"), 5)
        XCTAssertEqual(try index.recordCount(), 6)
        try check((old.prefix(3) + new.reversed().prefix(2) + [old[3]]).map { $0 })
        index = try AuditIndex.open(path: path)
        try index.checkIntegrity()
        try check((old.prefix(3) + new.reversed().prefix(2) + [old[3]]).map { $0 })
    }
}
