import XCTest
import Foundation
import AuditFormat
import AuditIndex
import AuditQuery
import AuditStore
import Gatelog
import JSON

/// The ingest pipeline through `GatelogService`: body shapes, per-line results, quarantine,
/// reserved regions, duplicates and scope-restricted writers.
final class IngestTests: XCTestCase {
    func testSplitBodyShapes() throws {
        let a = Fixture.record("a"), b = Fixture.record("b")
        // NDJSON, with blank lines and CRLF.
        let nd = try Ingestor.splitBody(Array("\(a)\n\n\(b)\r\n".utf8))
        XCTAssertEqual(nd.count, 3)
        XCTAssertEqual(String(decoding: nd[0], as: UTF8.self), a)
        // An array: one record per element, even pretty-printed.
        let arr = try Ingestor.splitBody(Array(" [\n \(a),\n  \(b)\n]\n".utf8))
        XCTAssertEqual(arr.map { String(decoding: $0, as: UTF8.self) }, [a, b])
        // A single object spread over several lines is one record.
        let pretty = "{\n  \"id\": \"p\",\n  \"ts\": \"2026-03-01T12:00:00Z\",\n  \"region\": \"eu-west-1\"\n}\n"
        let single = try Ingestor.splitBody(Array(pretty.utf8))
        XCTAssertEqual(single.count, 1)
        XCTAssertEqual(try AuditRecord.parse(Array(single[0])).fields.id, "p")
        // Empty and whitespace-only bodies are no records.
        XCTAssertEqual(try Ingestor.splitBody([]).count, 0)
        XCTAssertEqual(try Ingestor.splitBody(Array(" \n\t".utf8)).count, 0)
        // A broken array is an error, not a silently shorter batch.
        XCTAssertThrowsError(try Ingestor.splitBody(Array("[\(a), {\"id\":".utf8)))
        XCTAssertThrowsError(try Ingestor.splitBody(Array("[\(a)] trailing".utf8)))
    }

    func testMixedLinesAreStoredOrQuarantinedWithLineNumbers() throws {
        let tmp = TemporaryDirectory()
        let service = try Fixture.open(tmp.path)
        defer { service.close() }
        let lines = [
            Fixture.record("ok-1"),                                                   // 1
            #"{"id":"bad-json","region":"us-east-1","#,                                // 2 invalid JSON
            "",                                                                       // 3 blank: no result
            #"{"id":"no-ts","region":"us-east-1"}"#,                                   // 4 missing ts
            Fixture.record("ok-2", region: "us-east-1"),                              // 5
            #"[1,2]"#,                                                                // 6 not an object
            #"{"id":"bad-region","ts":"2026-03-01T12:00:00Z","region":"../etc"}"#,    // 7 invalid region name
        ]
        let body = Array(lines.joined(separator: "\n").utf8)
        let summary = try service.ingest(body: body, principal: Fixture.admin, source: "test")
        XCTAssertEqual(summary.accepted, 2)
        XCTAssertEqual(summary.rejected.map(\.line), [2, 4, 6, 7])
        XCTAssertEqual(summary.results.map(\.line), [1, 2, 4, 5, 6, 7], "blank lines have no result, the rest keep input order")
        guard case .accepted(let region, let position, _) = summary.results[3].result else { return XCTFail("line 5 accepted") }
        XCTAssertEqual(region, "us-east-1")
        XCTAssertEqual(position, 0)

        // Rejected lines land in the quarantine of the region they name (when it parses), else `quarantine/`.
        let config = service.store.configuration
        let usQuarantine = try quarantineEntries("\(config.regionDirectory("us-east-1"))/quarantine.ndjson")
        XCTAssertEqual(usQuarantine.map { $0["line"]?.int64Value }, [4], "only the parseable us-east-1 line")
        XCTAssertEqual(usQuarantine.first?["source"]?.stringValue, "test")
        XCTAssertNotNil(usQuarantine.first?["reason"]?.stringValue)
        let unrouted = try quarantineEntries("\(tmp.path)/quarantine/quarantine.ndjson")
        XCTAssertEqual(unrouted.compactMap { $0["line"]?.int64Value }.sorted(), [2, 6, 7])
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(config.regionDirectory("eu-west-1"))/quarantine.ndjson"))

        service.indexer?.waitUntilDrained()
        XCTAssertEqual(Set(try Fixture.allIDs(service)), ["ok-1", "ok-2"])
    }

    /// A line beyond the record size limit is quarantined up to that size, with its size and a
    /// flag: the quarantine does not grow by whatever a client sends.
    func testOversizedLinesAreQuarantinedTruncated() throws {
        let tmp = TemporaryDirectory()
        let service = try Fixture.open(tmp.path)
        defer { service.close() }
        let limit = service.store.configuration.limits.maxRecordBytes
        // Multi-byte characters, so the cut must land on a character boundary.
        let filler = String(repeating: "é", count: limit)
        let big = #"{"id":"huge","ts":"2026-03-01T12:00:00Z","region":"eu-west-1","request":{"text":""# + filler + #""}}"#
        let summary = try service.ingest(body: Array(big.utf8), principal: Fixture.admin, source: "test")
        XCTAssertEqual(summary.rejected.first?.code, "too_large")
        let entries = try quarantineEntries("\(tmp.path)/quarantine/quarantine.ndjson")
        XCTAssertEqual(entries.count, 1)
        let entry = try XCTUnwrap(entries.first)
        XCTAssertEqual(entry["text_truncated"]?.boolValue, true)
        XCTAssertEqual(entry["size"]?.int64Value, Int64(big.utf8.count))
        let kept = try XCTUnwrap(entry["text"]?.stringValue)
        XCTAssertLessThanOrEqual(kept.utf8.count, limit)
        XCTAssertGreaterThan(kept.utf8.count, limit - 4)
        XCTAssertFalse(kept.contains("\u{FFFD}"), "cut at a character boundary")
        XCTAssertTrue(kept.hasPrefix(#"{"id":"huge""#))
    }

    func testRejectedLinesNeverCreateRegionsNorReachReservedOnes() throws {
        let tmp = TemporaryDirectory()
        let service = try Fixture.open(tmp.path)
        defer { service.close() }
        let lines = [
            #"{"id":"a","region":"fresh-region"}"#,                                   // 1 no ts, region never stored
            Fixture.record("reserved", region: "_access"),                            // 2 gatelog's own region
            #"{"id":"b","region":"_access"}"#,                                        // 3 unparseable, names it
        ]
        let summary = try service.ingest(body: Array(lines.joined(separator: "\n").utf8), principal: Fixture.admin, source: "test")
        XCTAssertEqual(summary.rejected.map(\.line), [1, 2, 3])
        let config = service.store.configuration
        XCTAssertFalse(FileManager.default.fileExists(atPath: config.regionDirectory("fresh-region")), "a rejected line creates no region")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(config.regionDirectory("_access"))/quarantine.ndjson"))
        let unrouted = try quarantineEntries("\(tmp.path)/quarantine/quarantine.ndjson")
        XCTAssertEqual(unrouted.compactMap { $0["line"]?.int64Value }.sorted(), [1, 2, 3])
    }

    func testArrayBodyAndDuplicates() throws {
        let tmp = TemporaryDirectory()
        let service = try Fixture.open(tmp.path)
        defer { service.close() }
        let first = try service.ingest(body: Array("[\(Fixture.record("d1")),\(Fixture.record("d2"))]".utf8),
                                       principal: Fixture.admin, source: "t")
        XCTAssertEqual(first.accepted, 2)
        // The same ids again (a gateway retry), and a repeat inside one batch.
        let again = try service.ingest(body: Array("\(Fixture.record("d2"))\n\(Fixture.record("d3"))\n\(Fixture.record("d3"))".utf8),
                                       principal: Fixture.admin, source: "t")
        XCTAssertEqual(again.accepted, 1)
        XCTAssertEqual(again.duplicates, 2)
        guard case .duplicate(_, let existing) = again.results[0].result else { return XCTFail("d2 is a duplicate") }
        XCTAssertEqual(existing, 1, "a duplicate names the first position")
        service.indexer?.waitUntilDrained()
        XCTAssertEqual(try Fixture.allIDs(service).sorted(), ["d1", "d2", "d3"])
    }

    func testReservedAccessRegionIsRefusedForClients() throws {
        let tmp = TemporaryDirectory()
        let service = try Fixture.open(tmp.path)
        defer { service.close() }
        for region in ["_access", "_other"] {
            let s = try service.ingest(body: Array(Fixture.record("forged-\(region)", region: region).utf8),
                                       principal: Fixture.admin, source: "t")
            XCTAssertEqual(s.accepted, 0)
            XCTAssertEqual(s.rejected.count, 1)
            XCTAssertTrue(s.rejected[0].reason.contains("reserved"), s.rejected[0].reason)
        }
        // Nothing forged is in the access log, even for an admin asking for it by name.
        var f = IndexFilter()
        f.regions = ["_access"]
        service.indexer?.waitUntilDrained()
        XCTAssertFalse(try Fixture.allIDs(service, filter: f).contains { $0.hasPrefix("forged") })
    }

    /// The index numbers regions in 8 bits: a 256th region used to be stored and then refused by
    /// the index at every insert and catch-up (index stopped, reads 503). Clients may create one
    /// region fewer than the limit (a slot stays for the access log); records naming a region
    /// beyond it are rejected with `region_limit`, and the rest of the batch is stored.
    func testRegionsBeyondTheLimitAreRejectedAndTheIndexGoesOn() throws {
        let tmp = TemporaryDirectory()
        var configuration = StoreConfiguration(dataDirectory: tmp.path)
        configuration.maxRegions = 4
        let service = try GatelogService(configuration: configuration)
        defer { service.close() }
        let lines = (0..<5).map { Fixture.record("r\($0)", region: "region-\($0)") } + [Fixture.record("again", region: "region-0")]
        let s = try service.ingest(body: Array(lines.joined(separator: "\n").utf8), principal: Fixture.admin, source: "t")
        XCTAssertEqual(s.accepted, 4, "three new regions and one more record in an existing one")
        XCTAssertEqual(s.rejected.map(\.code), ["region_limit", "region_limit"])
        XCTAssertTrue(s.rejected[0].reason.contains("3 regions"), s.rejected[0].reason)
        // Reads are audited in the slot kept for the access log, and the index keeps up.
        XCTAssertEqual(try Fixture.allIDs(service).sorted(), ["again", "r0", "r1", "r2"])
        service.indexer?.waitUntilDrained()
        XCTAssertNil(service.indexer?.failure)
        XCTAssertEqual(service.store.regions().count, 4, "three client regions and _access")
    }

    func testScopeRestrictedIngest() throws {
        let tmp = TemporaryDirectory()
        let service = try Fixture.open(tmp.path)
        defer { service.close() }
        let eu = try Fixture.principal("ingest", scope: "region=eu-west-1")
        let body = Array([Fixture.record("in-scope"), Fixture.record("out-of-scope", region: "us-east-1")].joined(separator: "\n").utf8)
        let s = try service.ingest(body: body, principal: eu, source: "t")
        XCTAssertEqual(s.accepted, 1)
        XCTAssertEqual(s.rejected.map(\.id), ["out-of-scope"])
        XCTAssertTrue(s.rejected[0].reason.contains("scope"))
        // Tenant scope too.
        let acme = try Fixture.principal("ingest", scope: "tenant=acme")
        let t = try service.ingest(body: Array(Fixture.record("other-tenant", tenant: "globex").utf8), principal: acme, source: "t")
        XCTAssertEqual(t.accepted, 0)
        // Roles without `ingest` cannot write at all.
        for role in ["auditor", "analyst", "viewer", "monitor"] {
            XCTAssertThrowsError(try service.ingest(body: Array(Fixture.record("x-\(role)").utf8), principal: try Fixture.principal(role),
                                                    source: "t")) { e in
                guard case AccessError.forbidden = e else { return XCTFail("\(role): \(e)") }
            }
        }
        service.indexer?.waitUntilDrained()
        XCTAssertEqual(try Fixture.allIDs(service), ["in-scope"])
        XCTAssertFalse(LogStoreLayout(configuration: service.store.configuration).regions().contains("us-east-1"),
                       "a refused record creates no region")
    }

    private func quarantineEntries(_ path: String) throws -> [JSONValue] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONValue.parse(Array($0.utf8)) }
    }

    /// `serve` opens every region on disk at start: recovery runs there, not in a first request.
    func testOpenExistingRegionsOpensEveryRegionOnDisk() throws {
        let tmp = TemporaryDirectory()
        do {
            let service = try Fixture.open(tmp.path)
            let body = Array("\(Fixture.record("o-1", region: "eu-west-1"))\n\(Fixture.record("o-2", region: "us-east-1"))".utf8)
            XCTAssertEqual(try service.ingest(body: body, principal: Fixture.admin, source: "test").accepted, 2)
            _ = try service.query.search(Fixture.admin, filter: IndexFilter()) // leaves an access-log entry
            service.close()
        }
        let service = try Fixture.open(tmp.path)
        defer { service.close() }
        XCTAssertEqual(service.store.openWriters.count, 0, "regions open lazily")
        let failures = service.openExistingRegions()
        XCTAssertTrue(failures.isEmpty, "\(failures)")
        XCTAssertEqual(Set(service.store.openWriters.map(\.region)), ["_access", "eu-west-1", "us-east-1"])
    }

    func testTheIndexerKeepsIDFiltersBuiltAndGetsStillFindRecords() throws {
        let tmp = TemporaryDirectory()
        let service = try Fixture.open(tmp.path)
        defer { service.close() }
        let body = Array((0..<20).map { Fixture.record("f-\($0)", region: $0 % 2 == 0 ? "eu-west-1" : "us-east-1") }.joined(separator: "\n").utf8)
        XCTAssertEqual(try service.ingest(body: body, principal: Fixture.admin, source: "test").accepted, 20)
        let indexer = try XCTUnwrap(service.indexer)
        XCTAssertTrue(indexer.waitUntilDrained(timeout: 10))
        XCTAssertEqual(indexer.index.idFiltersBuilt, 0, "built only when asked")
        indexer.keepIDFiltersBuilt()
        let deadline = Date().addingTimeInterval(10)
        while indexer.index.idFiltersBuilt < 2, Date() < deadline { usleep(10_000) }
        XCTAssertGreaterThanOrEqual(indexer.index.idFiltersBuilt, 2, "one block per region")
        // Records that arrive after the build are found too (the writer adds them to the filters).
        let more = Array((20..<30).map { Fixture.record("f-\($0)", region: "eu-west-1") }.joined(separator: "\n").utf8)
        XCTAssertEqual(try service.ingest(body: more, principal: Fixture.admin, source: "test").accepted, 10)
        for i in 0..<30 {
            let got = try service.query.get(Fixture.admin, id: "f-\(i)")
            XCTAssertEqual(got["record"]?["id"]?.stringValue, "f-\(i)")
        }
        XCTAssertThrowsError(try service.query.get(Fixture.admin, id: "f-404"))
    }

    /// `ingestStream` reads in chunks; lines cross chunk boundaries, some are longer than a chunk,
    /// the last has no newline. Every record is stored once and rejections name the right line,
    /// from a file (staging overlaps durability) and from a pipe.
    func testIngestStreamSplitsLinesAcrossChunksFromFilesAndPipes() throws {
        var lines = Fixture.sampleLines(count: 60, seed: 11)
        lines.insert(Array("{not json".utf8), at: 17)      // line 18
        lines.insert([], at: 30)                           // line 31: blank, skipped
        lines.insert(Array("{\"id\":\"x\"}".utf8), at: 44) // line 45: no ts, no region
        var body = Fixture.ndjson(lines)
        if body.last == 0x0A { body.removeLast() }
        let expectedIDs = Set(Fixture.sampleLines(count: 60, seed: 11).compactMap { line -> String? in
            (try? JSONValue.parse(line))?["id"]?.stringValue
        })
        for chunk in [64, 1000, 1 << 20] {
            for usePipe in [false, true] {
                let tmp = TemporaryDirectory()
                let service = try Fixture.open(tmp.path + "/data")
                defer { service.close() }
                let fd: Int32
                if usePipe {
                    var ends: [Int32] = [0, 0]
                    XCTAssertEqual(pipe(&ends), 0)
                    let writer = ends[1]
                    let bytes = body
                    let feeding = Thread {
                        bytes.withUnsafeBytes { b in
                            var off = 0
                            while off < b.count { let n = write(writer, b.baseAddress! + off, min(777, b.count - off)); if n <= 0 { break }; off += n }
                        }
                        close(writer)
                    }
                    feeding.start()
                    fd = ends[0]
                } else {
                    let path = tmp.path + "/in.ndjson"
                    XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(body)))
                    fd = open(path, O_RDONLY)
                }
                defer { close(fd) }
                let summary = try service.ingestStream(fd: fd, source: "test", keepResults: true, chunkBytes: chunk)
                XCTAssertEqual(summary.accepted, 60, "chunk \(chunk), pipe \(usePipe)")
                XCTAssertEqual(summary.rejected.map(\.line), [18, 45], "chunk \(chunk), pipe \(usePipe)")
                XCTAssertEqual(summary.results.count, 62)
                XCTAssertTrue(service.indexer!.waitUntilDrained(timeout: 10))
                XCTAssertEqual(Set(try Fixture.allIDs(service)), expectedIDs, "chunk \(chunk), pipe \(usePipe)")
            }
        }
    }
}
