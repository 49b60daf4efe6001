import XCTest
import Foundation
@testable import GatelogServer
import AuditQuery
import AuditStore
import Gatelog
import HTTPServer
import JSON
#if canImport(Glibc)
import Glibc
#endif

/// Hostile and malformed requests against the real server, output formats, the OpenAPI document
/// and the Prometheus exposition.
final class ProtocolTests: XCTestCase {
    nonisolated(unsafe) static var shared: RunningServer?

    private func server() throws -> RunningServer {
        if let s = Self.shared { return s }
        let s = try RunningServer()
        let lines = (0..<40).map { i in Records.record("fmt-\(i)", region: i % 4 == 0 ? "us-east-1" : "eu-west-1", tenant: i % 2 == 0 ? "acme" : "Ac,me \\\"q\\\"",
                                                      model: i % 3 == 0 ? "=cmd()" : "openai/gpt-4o", ms: i * 1500, status: i % 5 == 0 ? 503 : 200) }
        let r = try s.client.post("/v1/records", token: s.admin, lines.joined(separator: "\n"))
        XCTAssertEqual(r.status, 200, r.text)
        XCTAssertEqual(r.json?["accepted"]?.int64Value, 40, r.text)
        s.service.indexer?.waitUntilDrained()
        Self.shared = s
        return s
    }

    override class func tearDown() {
        shared?.stop()
        shared = nil
    }

    // MARK: Hostile requests

    /// Sends raw bytes, half-closes, and returns the response (nil when the server just closed).
    private func raw(_ s: RunningServer, _ bytes: [UInt8], halfClose: Bool = true) throws -> Response? {
        let c = try RawConnection(port: s.port, timeoutSeconds: 15)
        try c.send(bytes)
        if halfClose { shutdown(c.fd, Int32(SHUT_WR)) }
        return try? c.readResponse()
    }

    private func assertJSONError(_ r: Response?, _ status: ClosedRange<Int>, _ what: String, closeAllowed: Bool = false,
                                 file: StaticString = #filePath, line: UInt = #line) {
        guard let r else {
            if closeAllowed { return }
            return XCTFail("\(what): connection closed without a response", file: file, line: line) }
        XCTAssertTrue(status.contains(r.status), "\(what): status \(r.status) \(r.text.prefix(200))", file: file, line: line)
        XCTAssertNotNil(r.json?["error"]?["code"]?.stringValue, "\(what): JSON error body, got \(r.text.prefix(200))", file: file, line: line)
        XCTAssertNotNil(r.json?["error"]?["message"]?.stringValue, what, file: file, line: line)
    }

    func testMalformedRequestsGetJSONErrorsAndOthersAreStillServed() throws {
        let s = try server()
        let token = s.admin
        // A slow client holding a connection with half a request line must not block anyone.
        let slow = try RawConnection(port: s.port)
        try slow.send("GET /v1/rec")

        let cases: [(String, [UInt8], ClosedRange<Int>)] = [
            ("bad request line", Array("GARBAGE\r\n\r\n".utf8), 400...400),
            ("binary junk", (0..<64).map { UInt8(($0 * 37) & 0xFF) } + Array("\r\n\r\n".utf8), 400...400),
            ("bad version", Array("GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n".utf8), 400...505),
            ("huge header", Array("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 100_000))\r\n\r\n".utf8), 400...431),
            ("too many headers", Array(("GET /healthz HTTP/1.1\r\nHost: x\r\n" + (0..<500).map { "X-\($0): v\r\n" }.joined() + "\r\n").utf8), 400...431),
            ("invalid content length", Array("POST /v1/records HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\nContent-Length: abc\r\n\r\n".utf8), 400...400),
            ("two content lengths", Array("POST /v1/records HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd".utf8), 400...400),
            ("short body", Array("POST /v1/records HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\nContent-Length: 500\r\n\r\n{\"id\":".utf8), 400...400),
            ("truncated chunked body", Array("POST /v1/records HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{\"id\":\"x\"".utf8), 400...400),
            ("bad chunk size", Array("POST /v1/records HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n".utf8), 400...400),
            ("body too large", Array("POST /v1/records HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\nContent-Length: \(64 << 20)\r\n\r\n".utf8), 413...413),
            ("invalid JSON array", Array("POST /v1/records HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\nContent-Length: 9\r\n\r\n[{\"id\":1,".utf8), 400...422),
            ("invalid token JSON", Array("POST /v1/tokens HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\nContent-Length: 5\r\n\r\n{role".utf8), 400...400),
            ("unknown filter", Array("GET /v1/records?colour=red HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\n\r\n".utf8), 400...400),
            ("bad limit", Array("GET /v1/records?limit=-4 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\n\r\n".utf8), 400...400),
            ("bad status filter", Array("GET /v1/records?status=abc HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\n\r\n".utf8), 400...400),
            ("bad time", Array("GET /v1/records?from=yesterday-ish HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\n\r\n".utf8), 400...400),
            ("bad format", Array("GET /v1/records?format=xml HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\n\r\n".utf8), 400...400),
            ("bad group", Array("GET /v1/stats?group_by=colour HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\n\r\n".utf8), 400...400),
            ("bad bucket", Array("GET /v1/stats?bucket=fortnight HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\n\r\n".utf8), 400...400),
            ("missing region", Array("GET /v1/checkpoints/latest HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\n\r\n".utf8), 400...400),
            ("bad percent escape", Array("GET /v1/records/%zz HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\n\r\n".utf8), 400...404),
            ("length and chunked (smuggling)", Array("POST /v1/records HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n".utf8), 400...400),
            ("unsupported transfer coding", Array("POST /v1/records HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\nTransfer-Encoding: gzip\r\n\r\n".utf8), 400...501),
            ("negative length", Array("POST /v1/records HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\nContent-Length: -1\r\n\r\n".utf8), 400...400),
            ("obsolete line folding", Array("GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\r\n  folded\r\n\r\n".utf8), 400...400),
            ("NUL in header", Array("GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\u{0}b\r\n\r\n".utf8), 400...400),
            ("space before colon", Array("GET /healthz HTTP/1.1\r\nHost : x\r\n\r\n".utf8), 400...400),
            ("unknown route", Array("GET /v2/nothing HTTP/1.1\r\nHost: x\r\n\r\n".utf8), 404...404),
            ("wrong method", Array("PUT /v1/records HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n".utf8), 405...405),
        ]
        for (name, bytes, status) in cases {
            // A client that stops sending mid-body may get a 400 or just a closed connection.
            assertJSONError(try raw(s, bytes), status, name, closeAllowed: name == "short body" || name.hasPrefix("truncated"))
            // Someone else is served between every hostile request.
            XCTAssertEqual(try s.client.get("/healthz", token: nil).status, 200, "after \(name)")
        }
        // Hostile token expiries are a 400, not a crash (an infinite or huge expiry used to trap in Int64(_:)).
        for expires in ["1e400d", "inf" + "d", "200000000000d", "101y", "0s", "-1d", "nanh", "1e308w"] {
            let r = try s.client.post("/v1/tokens", token: token, #"{"role":"viewer","expires":"\#(expires)"}"#)
            XCTAssertEqual(r.status, 400, "expires \(expires): \(r.text)")
        }
        XCTAssertEqual(try s.client.post("/v1/tokens", token: token, #"{"role":"viewer","expires":"36500d"}"#).status, 201)
        // A scope or expiry of the wrong type is a 400: it used to be ignored, creating an unrestricted
        // or never-expiring token.
        for body in [#"{"role":"viewer","scope":5}"#, #"{"role":"viewer","scope":["region=eu-west-1"]}"#,
                     #"{"role":"viewer","scope":{"region":"eu-west-1"}}"#, #"{"role":"viewer","scope":null}"#,
                     #"{"role":"viewer","expires":3600}"#, #"{"role":"viewer","expires":null}"#, #"{"role":"viewer","description":7}"#] {
            let r = try s.client.post("/v1/tokens", token: token, body)
            XCTAssertEqual(r.status, 400, "\(body): \(r.text)")
        }
        XCTAssertEqual(try s.client.get("/healthz", token: nil).status, 200)
        // Filter mistakes are named as such (not as scope problems).
        for q in ["format=xml", "min_cost=abc", "fallback=maybe", "colour=red"] {
            let r = try s.client.get("/v1/records?\(q)", token: token)
            XCTAssertEqual(r.status, 400)
            XCTAssertFalse(r.json?["error"]?["message"]?.stringValue?.contains("scope") ?? true, "\(q): \(r.text)")
        }
        // A body whose every line is invalid: 422 with per-line results (the documented ingest response).
        let invalid = try s.client.post("/v1/records", token: token, "{not json\n[1]")
        XCTAssertEqual(invalid.status, 422)
        XCTAssertEqual(invalid.json?["errors"]?.arrayValue?.compactMap { $0["code"]?.stringValue }, ["invalid_json", "not_an_object"])
        XCTAssertEqual(invalid.json?["errors"]?.arrayValue?.compactMap { $0["line"]?.int64Value }, [1, 2])
        // Verify with a malformed body is a 400, never "verify everything".
        for body in [#"{"regions": ["eu-west-1""#, #"{"regions": [{}]}"#, #"{"region": 5}"#, #"["eu-west-1"]"#, #"{"regions": "eu-west-1"}"#, #"{"regions": null}"#] {
            let v = try s.client.post("/v1/verify", token: token, body)
            XCTAssertEqual(v.status, 400, "verify \(body): \(v.text)")
            XCTAssertEqual(v.json?["error"]?["code"]?.stringValue, "bad_request")
        }
        let one = try s.client.post("/v1/verify?region=us-east-1", token: token, #"{"regions": ["eu-west-1"]}"#)
        XCTAssertEqual(one.json?["regions"]?.arrayValue?.count, 2, one.text)
        XCTAssertEqual(try s.client.request("POST", "/v1/verify", token: token, body: []).json?["intact"]?.boolValue, true)
        // Truncated bodies stored nothing.
        XCTAssertEqual(try s.client.get("/v1/records/x", token: token).status, 404)
        XCTAssertEqual(try s.client.get("/v1/records?limit=1", token: token).status, 200)
        // The slow client's connection is still open and completes normally.
        try slow.send("ords?limit=1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(try slow.readResponse().status, 200)
    }

    func testKeepAliveAndChunkedIngest() throws {
        let s = try server()
        let c = try RawConnection(port: s.port)
        // Three requests on one connection, the second with a chunked body.
        try c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try c.readResponse().status, 200)
        let body = Array((Records.record("chunked-1", region: "ap-south-1") + "\n" + Records.record("chunked-2", region: "ap-south-1")).utf8)
        var chunked = Array("POST /v1/records HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(s.admin)\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
        var rest = body[...]
        while !rest.isEmpty {
            let n = min(100, rest.count)
            chunked += Array(String(n, radix: 16).utf8) + [13, 10] + rest.prefix(n) + [13, 10]
            rest = rest.dropFirst(n)
        }
        chunked += Array("0\r\n\r\n".utf8)
        try c.send(chunked)
        let r = try c.readResponse()
        XCTAssertEqual(r.status, 200, r.text)
        XCTAssertEqual(r.json?["accepted"]?.int64Value, 2)
        let results = r.json?["results"]?.arrayValue ?? []
        XCTAssertEqual(results.map { $0["status"]?.stringValue }, ["accepted", "accepted"])
        XCTAssertNotNil(results.first?["position"]?.int64Value)
        XCTAssertEqual(results.first?["chain_hash"]?.stringValue?.count, 64)
        // Same records again: duplicates, still 200.
        try c.send("POST /v1/records HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(s.admin)\r\nContent-Length: \(body.count)\r\n\r\n")
        try c.send(body)
        let again = try c.readResponse()
        XCTAssertEqual(again.status, 200)
        XCTAssertEqual(again.json?["duplicates"]?.int64Value, 2)
        // Reserved region: rejected with a reason, 422 when nothing was accepted.
        let reserved = try s.client.post("/v1/records", token: s.admin, Records.record("forged", region: "_access"))
        XCTAssertEqual(reserved.status, 422)
        XCTAssertEqual(reserved.json?["errors"]?.arrayValue?.first?["code"]?.stringValue, "invalid_value")
    }

    func testHeadAndReadiness() throws {
        let s = try server()
        let head = try s.client.request("HEAD", "/healthz")
        XCTAssertEqual(head.status, 200)
        let ready = try s.client.get("/readyz", token: s.admin)
        XCTAssertEqual(ready.json?["status"]?.stringValue, "ready")
        XCTAssertEqual(try s.client.get("/readyz", token: nil).status, 401)
    }

    // MARK: Formats

    func testSearchFormats() throws {
        let s = try server()
        let json = try s.client.get("/v1/records?region=eu-west-1&limit=1000&order=oldest", token: s.admin)
        XCTAssertEqual(json.status, 200)
        XCTAssertTrue(json.header("Content-Type")?.hasPrefix("application/json") == true)
        let records = json.json?["records"]?.arrayValue ?? []
        XCTAssertEqual(records.count, 30)
        XCTAssertEqual(json.json?["count"]?.int64Value, 30)
        XCTAssertNotNil(records.first?["gatelog"]?["chain_hash"]?.stringValue)

        let nd = try s.client.get("/v1/records?region=eu-west-1&limit=1000&order=oldest&format=ndjson", token: s.admin)
        XCTAssertEqual(nd.status, 200)
        XCTAssertTrue(nd.header("Content-Type")?.hasPrefix("application/x-ndjson") == true)
        let lines = nd.text.split(separator: "\n")
        XCTAssertEqual(lines.count, 30)
        XCTAssertEqual(try lines.map { try JSONValue.parse(String($0))["id"]?.stringValue }, records.map { $0["id"]?.stringValue })

        let csv = try s.client.get("/v1/records?region=eu-west-1&limit=1000&order=oldest&format=csv", token: s.admin)
        XCTAssertEqual(csv.status, 200)
        XCTAssertTrue(csv.header("Content-Type")?.hasPrefix("text/csv") == true)
        let rows = parseCSV(csv.text)
        XCTAssertEqual(rows.first, CSVRendering.recordColumns)
        XCTAssertEqual(rows.count, 31)
        let idColumn = CSVRendering.recordColumns.firstIndex(of: "id")!
        let tenantColumn = CSVRendering.recordColumns.firstIndex(of: "tenant")!, modelColumn = CSVRendering.recordColumns.firstIndex(of: "model")!
        XCTAssertEqual(rows.dropFirst().map { $0[idColumn] }, records.map { $0["id"]?.stringValue ?? "" })
        XCTAssertTrue(rows.contains { $0[tenantColumn] == "Ac,me \"q\"" }, "quoted fields round-trip")
        XCTAssertTrue(rows.contains { $0[modelColumn] == "'=cmd()" }, "formulas are neutralised")
        XCTAssertTrue(rows.dropFirst().allSatisfy { $0.count == CSVRendering.recordColumns.count })

        // Paging via the header and the body agree.
        let page = try s.client.get("/v1/records?limit=5", token: s.admin)
        XCTAssertEqual(page.header("X-Next-Cursor"), page.json?["next_cursor"]?.stringValue)
        XCTAssertNotNil(page.header("X-Next-Cursor"))
    }

    func testStatsFormats() throws {
        let s = try server()
        let json = try s.client.get("/v1/stats?group_by=region,status", token: s.admin)
        XCTAssertEqual(json.status, 200, json.text)
        let groups = json.json?["groups"]?.arrayValue ?? []
        XCTAssertEqual(groups.compactMap { $0["count"]?.int64Value }.reduce(0, +), try visibleCount(s))
        let csv = try s.client.get("/v1/stats?group_by=region,status&format=csv", token: s.admin)
        XCTAssertTrue(csv.header("Content-Type")?.hasPrefix("text/csv") == true)
        let rows = parseCSV(csv.text)
        XCTAssertEqual(Array(rows.first?.prefix(4) ?? []), ["region", "status", "count", "errors"])
        XCTAssertEqual(rows.count, groups.count + 1)
        XCTAssertEqual(rows.dropFirst().map { Int64($0[2])! }.reduce(0, +), try visibleCount(s))
        let bucketed = parseCSV(try s.client.get("/v1/stats?bucket=minute&format=csv&region=eu-west-1", token: s.admin).text)
        XCTAssertEqual(bucketed.first?.first, "bucket")
        XCTAssertGreaterThan(bucketed.count, 1)
    }

    /// A list filter given several times is one list (how HTTP clients send lists); any other
    /// parameter given twice is a 400, never a silent pick.
    func testRepeatedParameters() throws {
        let s = try server()
        let both = try s.client.get("/v1/records?region=eu-west-1&region=us-east-1&limit=1000", token: s.admin)
        XCTAssertEqual(both.status, 200, both.text)
        XCTAssertEqual(both.json?["count"]?.int64Value, 40)
        let commas = try s.client.get("/v1/records?region=eu-west-1,us-east-1&limit=1000", token: s.admin)
        XCTAssertEqual(commas.json?["count"]?.int64Value, 40)
        let statuses = try s.client.get("/v1/records?status=503&status=200&region=us-east-1&limit=1000", token: s.admin)
        XCTAssertEqual(statuses.json?["count"]?.int64Value, 10)
        for query in ["limit=1&limit=abc", "format=csv&format=json", "from=-1h&from=-2h", "order=oldest&order=newest"] {
            let r = try s.client.get("/v1/records?\(query)", token: s.admin)
            XCTAssertEqual(r.status, 400, "\(query): \(r.text)")
            XCTAssertTrue(r.text.contains("may be given only once"), r.text)
        }
        XCTAssertEqual(try s.client.get("/v1/stats?group_by=model&group_by=region", token: s.admin).status, 400)
    }

    private func visibleCount(_ s: RunningServer) throws -> Int64 {
        Int64(try s.client.get("/v1/records?limit=10000", token: s.admin).json?["count"]?.int64Value ?? -1)
    }

    /// RFC 4180 parser (quoted fields, doubled quotes, CRLF rows).
    private func parseCSV(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = "", quoted = false
        var chars = Array(text)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" { if chars.first == "\"" { field.append("\""); chars.removeFirst() } else { quoted = false } } else { field.append(c) }
            } else if c == "\"" { quoted = true
            } else if c == "," { row.append(field); field = ""
            } else if c == "\r\n" || c == "\n" { row.append(field); rows.append(row); row = []; field = ""
            } else { field.append(c) }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }

    // MARK: OpenAPI

    func testOpenAPIDocumentIsTheGoldenFileAndCoversEveryRoute() throws {
        let s = try server()
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let golden = try String(contentsOf: root.appendingPathComponent("docs/openapi.json"), encoding: .utf8)
        XCTAssertEqual(OpenAPISpec.json.trimmingCharacters(in: .whitespacesAndNewlines), golden.trimmingCharacters(in: .whitespacesAndNewlines),
                       "docs/openapi.json and OpenAPISpec.json differ")
        let served = try s.client.get("/openapi.json", token: s.admin)
        XCTAssertEqual(served.text, OpenAPISpec.json)
        guard let paths = served.json?["paths"]?.objectMembers else { return XCTFail("no paths") }

        var router = HTTPRouter()
        APIServer.install(&router, service: s.service, maxBodyBytes: 1 << 20)
        let registered = router.registeredRoutes
        XCTAssertGreaterThanOrEqual(registered.count, 14)
        for route in registered {
            guard let item = paths.first(where: { $0.key == route.pattern })?.value else {
                XCTFail("\(route.pattern) is served but not documented"); continue
            }
            XCTAssertNotNil(item[route.method.rawValue.lowercased()], "\(route.method.rawValue) \(route.pattern) is not documented")
        }
        // And nothing documented is missing from the server.
        for member in paths {
            let path = member.key
            for method in member.value.objectMembers?.map({ $0.key }) ?? [] where ["get", "post", "put", "delete", "patch"].contains(method) {
                XCTAssertTrue(registered.contains { $0.pattern == path && $0.method.rawValue.lowercased() == method },
                              "\(method) \(path) is documented but not served")
            }
        }
    }

    // MARK: Prometheus

    func testMetricsExpositionIsValid() throws {
        let s = try server()
        _ = try s.client.get("/v1/records?limit=3", token: s.admin)
        _ = try s.client.get("/v1/records", token: "nope")
        let r = try s.client.get("/metrics", token: s.admin)
        XCTAssertEqual(r.status, 200)
        XCTAssertTrue(r.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
        let problems = PrometheusText.validate(r.text)
        XCTAssertEqual(problems, [], problems.joined(separator: "\n"))
        for family in ["gatelog_records_ingested_total", "gatelog_http_requests_total", "gatelog_http_request_duration_seconds_bucket",
                       "gatelog_region_records", "gatelog_auth_failures_total", "gatelog_append_duration_seconds_count", "gatelog_index_lag_records"] {
            XCTAssertTrue(r.text.contains("\n\(family)"), "\(family) missing")
        }
        // Counter values match what this server was sent (only the fixture went to us-east-1).
        XCTAssertTrue(r.text.contains("gatelog_records_ingested_total{region=\"us-east-1\"} 10\n"), r.text)
        XCTAssertTrue(r.text.contains(#"gatelog_records_ingested_total{region="eu-west-1"}"#))
        XCTAssertTrue(r.text.contains("gatelog_region_records{region=\"us-east-1\"} 10\n"))
        XCTAssertTrue(r.text.contains("gatelog_index_lag_records{region=\"us-east-1\"} 0\n"))
        // The validator itself rejects broken exposition.
        XCTAssertFalse(PrometheusText.validate("# TYPE x histogram\nx_bucket{le=\"1\"} 5\nx_bucket{le=\"2\"} 3\nx_bucket{le=\"+Inf\"} 5\nx_count 5\nx_sum 1\n").isEmpty)
        XCTAssertFalse(PrometheusText.validate("# TYPE x histogram\nx_bucket{le=\"+Inf\"} 4\nx_count 5\nx_sum 1\n").isEmpty)
        XCTAssertFalse(PrometheusText.validate("# TYPE x counter\nx{a=\"b} 1\n").isEmpty)
        XCTAssertFalse(PrometheusText.validate("y 1\n# TYPE y counter\n").isEmpty)

        // promtool, when installed, must agree.
        guard let promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("promtool is not installed")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: promtool)
        p.arguments = ["check", "metrics"]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        p.standardError = output
        try p.run()
        input.fileHandleForWriting.write(Data(r.text.utf8))
        try input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "promtool: \(text)")
    }
}

/// A validator of the Prometheus text exposition format 0.0.4: comment syntax, TYPE before samples,
/// metric and label names, label value escapes, numeric values, and histogram consistency
/// (cumulative buckets non-decreasing, `+Inf` bucket equal to `_count`, `_sum` present).
enum PrometheusText {
    static func validate(_ text: String) -> [String] {
        var problems: [String] = []
        var types: [String: String] = [:]
        var sampled: Set<String> = []
        // histogram series (family + labels without le) → ([(le, value)], count, sum)
        var histograms: [String: (buckets: [(Double, Double)], count: Double?, sum: Double?)] = [:]
        let nameRE = try! NSRegularExpression(pattern: "^[a-zA-Z_:][a-zA-Z0-9_:]*$")
        func isName(_ s: String) -> Bool { nameRE.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil }
        func number(_ s: String) -> Double? {
            switch s { case "+Inf": return .infinity; case "-Inf": return -.infinity; case "NaN": return .nan; default: return Double(s) }
        }
        guard text.isEmpty || text.hasSuffix("\n") else { return ["the exposition must end with a newline"] }
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().enumerated() {
            let where_ = "line \(n + 1)"
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
                guard parts.count >= 3, parts[0] == "#" else { continue }
                if parts[1] == "TYPE" {
                    guard parts.count == 4, isName(parts[2]), ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3]) else {
                        problems.append("\(where_): bad TYPE line"); continue
                    }
                    if types[parts[2]] != nil { problems.append("\(where_): second TYPE for \(parts[2])") }
                    if sampled.contains(parts[2]) { problems.append("\(where_): TYPE after samples of \(parts[2])") }
                    types[parts[2]] = parts[3]
                } else if parts[1] == "HELP" {
                    if !isName(parts[2]) { problems.append("\(where_): bad HELP name") }
                }
                continue
            }
            // name{labels} value [timestamp]
            var rest = Substring(line)
            let nameEnd = rest.firstIndex { $0 == "{" || $0 == " " } ?? rest.endIndex
            let name = String(rest[..<nameEnd])
            guard isName(name) else { problems.append("\(where_): bad metric name '\(name)'"); continue }
            rest = rest[nameEnd...]
            var labels: [(String, String)] = []
            if rest.first == "{" {
                rest = rest.dropFirst()
                var ok = true
                while rest.first != "}" {
                    guard let eq = rest.firstIndex(of: "="), isName(String(rest[..<eq])), rest[rest.index(after: eq)...].first == "\"" else { ok = false; break }
                    let key = String(rest[..<eq])
                    rest = rest[rest.index(eq, offsetBy: 2)...]
                    var value = ""
                    var closed = false
                    while let c = rest.first {
                        rest = rest.dropFirst()
                        if c == "\\" {
                            guard let e = rest.first, ["\\", "\"", "n"].contains(e) else { ok = false; break }
                            value.append(e == "n" ? "\n" : e); rest = rest.dropFirst()
                        } else if c == "\"" { closed = true; break } else if c == "\n" { ok = false; break } else { value.append(c) }
                    }
                    guard ok, closed else { ok = false; break }
                    labels.append((key, value))
                    if rest.first == "," { rest = rest.dropFirst() } else if rest.first != "}" { ok = false; break }
                }
                guard ok, rest.first == "}" else { problems.append("\(where_): bad label set"); continue }
                rest = rest.dropFirst()
            }
            let fields = rest.split(separator: " ")
            guard rest.first == " ", (1...2).contains(fields.count), let value = number(String(fields[0])) else {
                problems.append("\(where_): bad sample value"); continue
            }
            if Set(labels.map(\.0)).count != labels.count { problems.append("\(where_): repeated label") }
            // Family and histogram bookkeeping.
            var family = name
            var suffix = ""
            for s in ["_bucket", "_count", "_sum"] where name.hasSuffix(s) && types[String(name.dropLast(s.count))] == "histogram" {
                family = String(name.dropLast(s.count)); suffix = s
            }
            guard let type = types[family] else { problems.append("\(where_): sample of \(family) without a TYPE"); continue }
            sampled.insert(family)
            if (type == "counter" && (value < 0 || value.isNaN)) { problems.append("\(where_): negative counter") }
            if type == "histogram" {
                guard !suffix.isEmpty else { problems.append("\(where_): histogram sample without suffix"); continue }
                let key = family + "{" + labels.filter { $0.0 != "le" }.map { "\($0.0)=\($0.1)" }.joined(separator: ",") + "}"
                var h = histograms[key] ?? ([], nil, nil)
                switch suffix {
                case "_bucket":
                    guard let le = labels.first(where: { $0.0 == "le" }).flatMap({ number($0.1) }) else {
                        problems.append("\(where_): bucket without a numeric le"); continue
                    }
                    h.buckets.append((le, value))
                case "_count": h.count = value
                default: h.sum = value
                }
                histograms[key] = h
            }
        }
        for (key, h) in histograms {
            let sortedBounds = h.buckets.map(\.0)
            if sortedBounds != sortedBounds.sorted() { problems.append("\(key): buckets out of order") }
            for (a, b) in zip(h.buckets, h.buckets.dropFirst()) where b.1 < a.1 { problems.append("\(key): bucket le=\(b.0) below le=\(a.0)") }
            guard let inf = h.buckets.last, inf.0 == .infinity else { problems.append("\(key): no +Inf bucket"); continue }
            if h.count == nil || h.count != inf.1 { problems.append("\(key): +Inf bucket \(inf.1) != count \(h.count ?? -1)") }
            if h.sum == nil { problems.append("\(key): no _sum") }
        }
        return problems
    }
}

/// CSV cells: quoting and formula neutralisation, byte by byte.
final class CSVEscapeTests: XCTestCase {
    func testLineBreaksOfEveryKindAreQuotedSoNoValueForgesARow() {
        XCTAssertEqual(CSVRendering.escape("acme\r\nforged-region"), "\"acme\r\nforged-region\"")
        XCTAssertEqual(CSVRendering.escape("a\nb"), "\"a\nb\"")
        XCTAssertEqual(CSVRendering.escape("a\rb"), "\"a\rb\"")
        XCTAssertEqual(CSVRendering.escape("say \"hi\", ok"), "\"say \"\"hi\"\", ok\"")
        XCTAssertEqual(CSVRendering.escape("plain"), "plain")
    }

    func testFormulaStartsAreNeutralisedButNumbersAreNot() {
        XCTAssertEqual(CSVRendering.escape("=cmd()"), "'=cmd()")
        XCTAssertEqual(CSVRendering.escape("\t=cmd()"), "'\t=cmd()")
        XCTAssertEqual(CSVRendering.escape("\r\n=1+1"), "\"'\r\n=1+1\"")
        XCTAssertEqual(CSVRendering.escape("-1.5"), "-1.5")
        XCTAssertEqual(CSVRendering.escape("+44"), "+44")
    }
}
