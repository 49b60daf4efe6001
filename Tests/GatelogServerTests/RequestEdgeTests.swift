import XCTest
import Foundation
import AuditFormat
import JSON
#if canImport(Glibc)
import Glibc
#endif

/// Requests a black-box tester found mishandled: content-coded bodies, POSTs without a length,
/// lax search parameters, and readiness while a region cannot be opened.
final class RequestEdgeTests: XCTestCase {
    /// Bytes that look like a gzip stream, with newlines and braces so that read as NDJSON they
    /// would make many rejected lines.
    private static func gzipLikeBody(_ count: Int) -> [UInt8] {
        var rng = SplitMix64(seed: 0x6A1B)
        var body: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03]
        while body.count < count {
            let b = UInt8(truncatingIfNeeded: rng.next())
            body.append(b % 7 == 0 ? 0x0A : b % 11 == 0 ? UInt8(ascii: "{") : b)
        }
        return body
    }

    private func quarantineFiles(_ dir: String) -> [String] {
        let e = FileManager.default.enumerator(atPath: dir)
        var found: [String] = []
        while let path = e?.nextObject() as? String {
            if path.hasSuffix("quarantine.ndjson") { found.append(path) }
        }
        return found
    }

    private func assertRefusedCoding(_ r: Response, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, 415, "\(what): \(r.text)", file: file, line: line)
        XCTAssertEqual(r.json?["error"]?["code"]?.stringValue, "unsupported_content_encoding", what, file: file, line: line)
        XCTAssertNotNil(r.json?["error"]?["message"]?.stringValue, what, file: file, line: line)
        XCTAssertEqual(r.header("Accept-Encoding"), "identity", what, file: file, line: line)
    }

    // MARK: 1. Content-Encoding

    func testContentCodedBodiesAreRefusedWith415BeforeAnythingParsesThem() throws {
        let s = try RunningServer()
        defer { s.stop() }
        let junk = Self.gzipLikeBody(8 << 10)
        for coding in ["gzip", "GZIP", "br", "deflate", "x-custom", "gzip, identity", "identity, gzip"] {
            let r = try s.client.request("POST", "/v1/records", token: s.admin, body: junk, headers: ["Content-Encoding": coding])
            assertRefusedCoding(r, "records with \(coding)")
            XCTAssertFalse(r.text.lowercased().contains("gzip") || r.text.contains("x-custom"), "the header value is not repeated")
        }
        // Nothing was parsed: no quarantined junk, no records, no region created.
        XCTAssertEqual(quarantineFiles(s.dir.path), [])
        s.service.indexer?.waitUntilDrained()
        XCTAssertEqual(try s.client.get("/v1/records", token: s.admin).json?["count"]?.int64Value, 0)

        // Every endpoint that takes a body, with a valid body that is declared coded.
        let (id, _) = try s.token("viewer")
        for (target, body) in [("/v1/records", Records.record("coded-1")), ("/v1/verify", "{}"), ("/v1/tokens", #"{"role":"viewer"}"#),
                               ("/v1/tokens/\(id)/rotate", "")] {
            let r = try s.client.request("POST", target, token: s.admin, body: Array(body.utf8), headers: ["Content-Encoding": "gzip"])
            assertRefusedCoding(r, target)
        }
        XCTAssertEqual(try s.service.query.listTokens(.localAdmin).count, 2, "no token was created or rotated")

        // `identity` (or an empty value) is no coding: the body is read as it is.
        for coding in ["identity", "Identity", ""] {
            let ok = try s.client.request("POST", "/v1/records", token: s.admin, body: Array(Records.record("plain-\(coding)").utf8),
                                          headers: ["Content-Encoding": coding])
            XCTAssertEqual(ok.status, 200, "\(coding): \(ok.text)")
        }

        // A small refused body is read and the connection stays usable.
        let c = try RawConnection(port: s.port)
        try c.send(Array("POST /v1/records HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(s.admin)\r\nContent-Encoding: gzip\r\nContent-Length: \(junk.count)\r\n\r\n".utf8) + junk)
        assertRefusedCoding(try c.readResponse(), "keep-alive")
        try c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try c.readResponse().status, 200)

        // A large one is refused unread, and without a valid token the 401 still comes first.
        let big = Self.gzipLikeBody(600 << 10)
        let large = try s.client.request("POST", "/v1/records", token: s.admin, body: big, headers: ["Content-Encoding": "gzip"])
        assertRefusedCoding(large, "large body")
        XCTAssertEqual(large.header("Connection"), "close")
        let anonymous = try s.client.request("POST", "/v1/records", token: "glt_wrong", body: big, headers: ["Content-Encoding": "gzip"])
        XCTAssertEqual(anonymous.status, 401)
        XCTAssertEqual(quarantineFiles(s.dir.path), [])
    }

    // MARK: 2. POST without Content-Length

    func testAPostWithoutLengthHasAnEmptyBody() throws {
        let s = try RunningServer()
        defer { s.stop() }
        XCTAssertEqual(try s.client.post("/v1/records", token: s.admin, Records.record("nl-1")).status, 200)
        // `curl -X POST …/v1/verify` sends neither Content-Length nor Transfer-Encoding.
        let verify = try s.client.request("POST", "/v1/verify", token: s.admin)
        XCTAssertEqual(verify.status, 200, verify.text)
        XCTAssertEqual(verify.json?["intact"], .bool(true))
        XCTAssertTrue(verify.json?["regions"]?.arrayValue?.contains { $0["region"]?.stringValue == "eu-west-1" } == true, verify.text)
        let oneRegion = try s.client.request("POST", "/v1/verify?region=eu-west-1", token: s.admin)
        XCTAssertEqual(oneRegion.json?["regions"]?.arrayValue?.count, 1, oneRegion.text)
        // Ingest answers an empty body as it always has; token creation says what it needs.
        let records = try s.client.request("POST", "/v1/records", token: s.admin)
        XCTAssertEqual(records.status, 400, records.text)
        XCTAssertEqual(records.json?["error"]?["code"]?.stringValue, "empty_body")
        XCTAssertEqual(try s.client.request("POST", "/v1/tokens", token: s.admin).status, 400)
        let (id, _) = try s.token("viewer")
        XCTAssertEqual(try s.client.request("POST", "/v1/tokens/\(id)/rotate", token: s.admin).status, 201)
        // Without a token it is still a 401, and the connection stays in sync for the next request.
        let c = try RawConnection(port: s.port)
        try c.send("POST /v1/verify HTTP/1.1\r\nHost: x\r\n\r\nPOST /v1/verify HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(s.admin)\r\n\r\n")
        XCTAssertEqual(try c.readResponse().status, 401)
        XCTAssertEqual(try c.readResponse().status, 200)
    }

    // MARK: 3. Search parameters

    func testOutOfRangeStatusesAndNonBooleansAreRefused() throws {
        let s = try RunningServer()
        defer { s.stop() }
        XCTAssertEqual(try s.client.post("/v1/records", token: s.admin, Records.record("p-1", status: 503)).status, 200)
        s.service.indexer?.waitUntilDrained()
        func get(_ target: String) throws -> Response { try s.client.get(target, token: s.admin) }
        func refused(_ target: String, naming parameter: String, file: StaticString = #filePath, line: UInt = #line) throws {
            let r = try get(target)
            XCTAssertEqual(r.status, 400, "\(target): \(r.text)", file: file, line: line)
            let message = r.json?["error"]?["message"]?.stringValue ?? ""
            XCTAssertTrue(message.contains(parameter), "\(target): \(message)", file: file, line: line)
        }
        // Records hold statuses 0–999: codes and classes outside that are refused.
        for status in ["10xx", "abc", "5xx,abc", "200,1000", "4x", "1000", "-1", "x", "0", "42"] {
            try refused("/v1/records?status=\(status)", naming: "status")
            try refused("/v1/stats?status=\(status)", naming: "status")
        }
        for status in ["5xx", "5XX", "503", "100", "599", "000", "999", "6xx", "0xx", "1xx,2xx,3xx,4xx,5xx"] {
            XCTAssertEqual(try get("/v1/records?status=\(status)").status, 200, status)
        }
        XCTAssertEqual(try get("/v1/records?status=5xx").json?["count"]?.int64Value, 1)
        for value in ["maybe", "yes", "1", "0", "TRUE", "no-such-secret-value"] {
            try refused("/v1/records?content=\(value)", naming: "content")
            try refused("/v1/records?fallback=\(value)", naming: "fallback")
            XCTAssertFalse(try get("/v1/records?content=\(value)").text.contains(value) && value.count > 2, "the value is not echoed")
        }
        let withContent = try get("/v1/records?content=true").json?["records"]?.arrayValue?.first
        XCTAssertNotNil(withContent?["request"], "content=true includes content")
        let withoutContent = try get("/v1/records?content=false").json?["records"]?.arrayValue?.first
        XCTAssertNotNil(withoutContent?["id"])
        XCTAssertNil(withoutContent?["request"], "content=false leaves content out")
        XCTAssertEqual(try get("/v1/records?content=").status, 200, "an empty value is no value")
        // Other enums: ndjson is no stats format, an empty group_by entry is malformed.
        try refused("/v1/stats?format=ndjson", naming: "format")
        try refused("/v1/stats?group_by=model,,status", naming: "group_by")
        try refused("/v1/stats?group_by=model,", naming: "group_by")
        XCTAssertEqual(try get("/v1/stats?group_by=model,status&format=csv").status, 200)
    }

    // MARK: 4. Readiness

    func testReadinessFailsWhileARegionCannotBeOpened() throws {
        let dir = TemporaryDirectory()
        do {
            let s = try RunningServer(dir: dir)
            XCTAssertEqual(try s.client.post("/v1/records", token: s.admin, Records.record("r-1", region: "eu-west-1")).status, 200)
            XCTAssertEqual(try s.client.post("/v1/records", token: s.admin, Records.record("r-2", region: "us-east-1")).status, 200)
            XCTAssertEqual(try s.client.get("/readyz", token: s.admin).status, 200)
            s.stop()
        }
        // Damage eu-west-1 so that its writer cannot open: its first segment goes missing.
        let segments = "\(dir.path)/regions/eu-west-1/segments"
        try FileManager.default.moveItem(atPath: "\(segments)/\(SegmentNaming.fileName(1))", toPath: "\(segments)/\(SegmentNaming.fileName(2))")
        // And a configured region whose directory cannot be created (its parent is a file).
        let blocker = "\(dir.path)/not-a-directory"
        XCTAssertTrue(FileManager.default.createFile(atPath: blocker, contents: Data("x".utf8)))
        let s = try RunningServer(dir: dir) { $0.regionPaths["ap-south-1"] = "\(blocker)/ap-south-1" }
        defer { s.stop() }

        // Writes to the damaged region fail …
        let write = try s.client.post("/v1/records", token: s.admin, Records.record("r-3", region: "eu-west-1"))
        XCTAssertEqual(write.status, 503, write.text)
        // … so the service is not ready, and says which regions and why, without paths.
        let ready = try s.client.get("/readyz", token: s.admin)
        XCTAssertEqual(ready.status, 503, ready.text)
        XCTAssertEqual(ready.json?["status"]?.stringValue, "failing")
        let problems = ready.json?["regions"]?.arrayValue ?? []
        XCTAssertEqual(problems.compactMap { $0["region"]?.stringValue }, ["ap-south-1", "eu-west-1"], ready.text)
        XCTAssertTrue(problems.last?["reason"]?.stringValue?.contains("integrity") == true, ready.text)
        XCTAssertEqual(ready.json?["problems"]?.arrayValue?.count, 2)
        XCTAssertFalse(ready.text.contains(dir.path), "no file paths: \(ready.text)")
        XCTAssertFalse(ready.text.contains(".seg"), "no file names: \(ready.text)")
        // A monitor sees the same; liveness is unaffected.
        XCTAssertEqual(try s.client.get("/readyz", token: try s.token("monitor").token).status, 503)
        XCTAssertEqual(try s.client.get("/healthz", token: nil).status, 200)
        // The healthy region still takes writes.
        XCTAssertEqual(try s.client.post("/v1/records", token: s.admin, Records.record("r-4", region: "us-east-1")).status, 200)

        // Once repaired, readiness comes back without a restart: the next write opens the region (a
        // readiness probe itself retries a failed open at most every 10 s, and reports the last
        // failure meanwhile).
        try FileManager.default.moveItem(atPath: "\(segments)/\(SegmentNaming.fileName(2))", toPath: "\(segments)/\(SegmentNaming.fileName(1))")
        try FileManager.default.removeItem(atPath: blocker)
        let cached = try s.client.get("/readyz", token: s.admin)
        XCTAssertEqual(cached.status, 503, "a failed open is not retried by every probe: \(cached.text)")
        XCTAssertEqual(try s.client.post("/v1/records", token: s.admin, Records.record("r-5", region: "eu-west-1")).status, 200)
        let again = try s.client.get("/readyz", token: s.admin)
        XCTAssertEqual(again.status, 200, again.text)
    }
}
