import XCTest
import Synchronization
import Foundation
import AuditFormat
import AuditQuery
import AuditStore
import Gatelog
import GatelogServer
import JSON

/// Role-based access over the real HTTP server: every role against every endpoint, 401 for every
/// kind of bad token, and nothing outside a scope leaking through search, counts, stats, get,
/// checkpoints, cursors or content.
final class AccessControlTests: XCTestCase {
    /// One server with data for the whole class.
    nonisolated(unsafe) static var shared: RunningServer?

    static let records: [String] = {
        var out: [String] = []
        for i in 0..<30 { out.append(Records.record("eu-acme-\(i)", region: "eu-west-1", tenant: "acme", customer: "acme-\(i % 3)", ms: i * 1000)) }
        for i in 0..<20 { out.append(Records.record("us-globex-\(i)", region: "us-east-1", tenant: "globex", customer: "globex-7", ms: i * 1000 + 500)) }
        for i in 0..<10 { out.append(Records.record("eu-globex-\(i)", region: "eu-west-1", tenant: "globex", customer: "globex-7", ms: i * 1000 + 250,
                                                     status: 500)) }
        return out
    }()

    private func server() throws -> RunningServer {
        if let s = Self.shared { return s }
        let s = try RunningServer()
        let r = try s.client.post("/v1/records", token: s.admin, Self.records.joined(separator: "\n"))
        XCTAssertEqual(r.status, 200, r.text)
        XCTAssertEqual(r.json?["accepted"]?.int64Value, Int64(Self.records.count))
        s.service.indexer?.waitUntilDrained()
        Self.shared = s
        return s
    }

    override class func tearDown() {
        shared?.stop()
        shared = nil
    }

    // MARK: The matrix

    struct Endpoint {
        var name: String
        var method: String
        var target: String
        var body: String?
        /// The permission needed, or nil for the admin-only token routes.
        var allowed: Set<String>
        var success: Int
    }

    private func endpoints(_ s: RunningServer) throws -> [Endpoint] {
        let readers: Set<String> = ["admin", "auditor", "analyst", "viewer"]
        return [
            Endpoint(name: "readyz", method: "GET", target: "/readyz", allowed: ["admin", "monitor"], success: 200),
            Endpoint(name: "metrics", method: "GET", target: "/metrics", allowed: ["admin", "monitor"], success: 200),
            Endpoint(name: "ingest", method: "POST", target: "/v1/records", body: nil, allowed: ["admin", "ingest"], success: 200),
            Endpoint(name: "search", method: "GET", target: "/v1/records?region=eu-west-1&limit=5", allowed: readers, success: 200),
            Endpoint(name: "get", method: "GET", target: "/v1/records/eu-acme-1", allowed: readers, success: 200),
            Endpoint(name: "stats", method: "GET", target: "/v1/stats?group_by=model", allowed: ["admin", "auditor", "analyst"], success: 200),
            Endpoint(name: "checkpoint", method: "GET", target: "/v1/checkpoints/latest?region=eu-west-1", allowed: readers, success: 200),
            Endpoint(name: "verify", method: "POST", target: "/v1/verify", body: #"{"region":"eu-west-1"}"#, allowed: ["admin", "auditor"], success: 200),
            Endpoint(name: "token-list", method: "GET", target: "/v1/tokens", allowed: ["admin"], success: 200),
            Endpoint(name: "token-create", method: "POST", target: "/v1/tokens", body: #"{"role":"viewer","scope":"region=eu-west-1"}"#,
                     allowed: ["admin"], success: 201),
            Endpoint(name: "token-revoke", method: "DELETE", target: "/v1/tokens/{victim}", allowed: ["admin"], success: 204),
            Endpoint(name: "token-rotate", method: "POST", target: "/v1/tokens/{victim}/rotate", body: "", allowed: ["admin"], success: 201),
        ]
    }

    func testEveryRoleAgainstEveryEndpoint() throws {
        let s = try server()
        let roles = ["admin", "ingest", "auditor", "analyst", "viewer", "monitor"]
        var n = 0
        for role in roles {
            let token = try s.token(role).token
            for e in try endpoints(s) {
                var target = e.target
                if target.contains("{victim}") { target = target.replacingOccurrences(of: "{victim}", with: try s.token("viewer").id) }
                var body = e.body.map { Array($0.utf8) }
                if e.name == "ingest" { body = Array(Records.record("rbac-\(role)-\(n)").utf8) }
                n += 1
                let r = try s.client.request(e.method, target, token: token, body: body)
                let expected = e.allowed.contains(role) ? e.success : 403
                XCTAssertEqual(r.status, expected, "\(role) \(e.name): \(r.text.prefix(200))")
                if expected == 403 {
                    XCTAssertEqual(r.json?["error"]?["code"]?.stringValue, "forbidden", "\(role) \(e.name)")
                }
            }
        }
        // /healthz needs nothing; everything else, the API description included, needs a token (any role).
        XCTAssertEqual(try s.client.get("/healthz", token: nil).status, 200)
        XCTAssertEqual(try s.client.get("/openapi.json", token: nil).status, 401)
        for role in ["ingest", "viewer", "analyst", "auditor"] {
            XCTAssertEqual(try s.client.get("/openapi.json", token: try s.token(role).token).status, 200, role)
        }
    }

    func testBadTokensAreUnauthorizedEverywhere() throws {
        let s = try server()
        let revoked = try s.token("admin")
        try s.service.query.revokeToken(.localAdmin, id: revoked.id)
        let expiring = try s.token("admin", expires: 0.05)
        usleep(120_000)
        let valid = try s.token("admin").token
        let tampered = String(valid.dropLast()) + (valid.last == "A" ? "B" : "A")
        let cases: [(String, [String: String], String)] = [
            ("missing", [:], "missing"),
            ("not bearer", ["Authorization": "Basic YWRtaW46YWRtaW4="], "invalid"),
            ("garbage", ["Authorization": "Bearer nonsense"], "invalid"),
            ("unknown id", ["Authorization": "Bearer glt_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"], "invalid"),
            ("tampered secret", ["Authorization": "Bearer \(tampered)"], "invalid"),
            ("revoked", ["Authorization": "Bearer \(revoked.token)"], "revoked"),
            ("expired", ["Authorization": "Bearer \(expiring.token)"], "expired"),
        ]
        for e in try endpoints(s) {
            for (name, headers, _) in cases {
                let target = e.target.replacingOccurrences(of: "{victim}", with: revoked.id)
                let r = try s.client.request(e.method, target, token: nil, body: e.body.map { Array($0.utf8) } ?? (e.method == "POST" ? [] : nil),
                                             headers: headers)
                XCTAssertEqual(r.status, 401, "\(e.name) with \(name) token: \(r.text.prefix(200))")
                XCTAssertEqual(r.json?["error"]?["code"]?.stringValue, "unauthorized", "\(e.name) \(name)")
                XCTAssertNotNil(r.header("WWW-Authenticate"), "\(e.name) \(name)")
                XCTAssertFalse(r.text.contains(valid) || r.text.contains(revoked.token), "no token echoed")
            }
        }
        // The reasons are distinguishable in messages without revealing the token.
        let expired = try s.client.get("/v1/records", token: expiring.token)
        XCTAssertTrue(expired.json?["error"]?["message"]?.stringValue?.contains("expired") == true, expired.text)
        XCTAssertEqual(try s.client.get("/v1/records", token: try s.token("monitor").token).status, 403)
        let metrics = try s.client.get("/metrics", token: s.admin).text
        for reason in ["missing", "invalid", "revoked", "expired", "forbidden"] {
            XCTAssertTrue(metrics.contains("gatelog_auth_failures_total{reason=\"\(reason)\"}"), reason)
        }
    }

    // MARK: Leaks

    private func ids(_ r: Response) -> [String] {
        (r.json?["records"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
    }

    /// Region, tenant and customer of a stored record id (records written by other tests are
    /// `rbac-…`: eu-west-1, acme, acme-1).
    private func attributes(_ id: String) -> (region: String, tenant: String, customer: String) {
        if let line = Self.records.first(where: { $0.contains("\"id\":\"\(id)\"") }), let v = try? JSONValue.parse(line) {
            return (v["region"]!.stringValue!, v["tenant"]!.stringValue!, v["metadata"]!["customer_id"]!.stringValue!)
        }
        return ("eu-west-1", "acme", "acme-1")
    }

    func testScopedTokensSeeNothingOutsideTheirScope() throws {
        let s = try server()
        typealias Attributes = (region: String, tenant: String, customer: String)
        let scopes: [(String, (Attributes) -> Bool)] = [
            ("region=eu-west-1", { $0.region == "eu-west-1" }),
            ("tenant=globex", { $0.tenant == "globex" }),
            ("meta.customer_id=acme-1", { $0.customer == "acme-1" }),
            ("region=eu-west-1,tenant=globex", { $0.region == "eu-west-1" && $0.tenant == "globex" }),
            ("region=eu-west-1,region=us-east-1,meta.customer_id=globex-7", { $0.customer == "globex-7" }),
        ]
        let all = ids(try s.client.get("/v1/records?limit=10000", token: s.admin))
        XCTAssertGreaterThanOrEqual(all.count, Self.records.count)
        for (scope, inScope) in scopes {
            let expected = Set(all.filter { inScope(attributes($0)) })
            XCTAssertFalse(expected.isEmpty)
            XCTAssertLessThan(expected.count, all.count)
            for role in ["auditor", "analyst", "viewer"] {
                let token = try s.token(role, scope: scope).token
                // Search, all pages, with filters that name out-of-scope values too.
                for query in ["", "region=us-east-1", "tenant=acme,globex", "meta=customer_id=globex-7", "status=5xx"] {
                    var seen: [String] = []
                    var cursor: String?
                    repeat {
                        var target = "/v1/records?limit=7" + (query.isEmpty ? "" : "&\(query)")
                        if let cursor { target += "&cursor=\(cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }
                        let r = try s.client.get(target, token: token)
                        XCTAssertEqual(r.status, 200, r.text)
                        let page = ids(r)
                        XCTAssertEqual(r.json?["count"]?.int64Value, Int64(page.count))
                        seen += page
                        cursor = r.json?["next_cursor"]?.stringValue
                    } while cursor != nil
                    XCTAssertEqual(seen.count, Set(seen).count)
                    XCTAssertTrue(Set(seen).isSubset(of: expected), "\(role) \(scope) \(query): \(Set(seen).subtracting(expected))")
                    if query.isEmpty { XCTAssertEqual(Set(seen), expected, "\(role) \(scope) sees all it may") }
                }
                // Get: out of scope is exactly "does not exist".
                let missing = try s.client.get("/v1/records/no-such-record", token: token)
                XCTAssertEqual(missing.status, 404)
                for id in all where !expected.contains(id) {
                    let r = try s.client.get("/v1/records/\(id)", token: token)
                    XCTAssertEqual(r.status, 404, "\(role) \(scope) get \(id)")
                    XCTAssertEqual(r.body, missing.body, "\(role) \(scope): same body as a nonexistent id")
                }
                let hiddenWithRegion = all.first { !expected.contains($0) }!
                XCTAssertEqual(try s.client.get("/v1/records/\(hiddenWithRegion)?region=\(attributes(hiddenWithRegion).region)", token: token).body,
                               missing.body)
                let inside = try s.client.get("/v1/records/\(expected.sorted()[0])", token: token)
                XCTAssertEqual(inside.status, 200, inside.text)
                // Stats: counts and groups cover only the scope.
                if role != "viewer" {
                    let st = try s.client.get("/v1/stats", token: token)
                    XCTAssertEqual(st.status, 200, st.text)
                    let total = (st.json?["groups"]?.arrayValue ?? []).compactMap { $0["count"]?.int64Value }.reduce(0, +)
                    XCTAssertEqual(total, Int64(expected.count), "\(role) \(scope) stats")
                    let csv = try s.client.get("/v1/stats?group_by=tenant,region&format=csv", token: token)
                    XCTAssertEqual(csv.status, 200)
                    let rows = csv.text.split(separator: "\r\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
                    let visiblePairs = Set(expected.map { "\(attributes($0).tenant),\(attributes($0).region)" })
                    XCTAssertEqual(Set(rows.map { "\($0[0]),\($0[1])" }), visiblePairs, "\(role) \(scope) stats groups")
                    XCTAssertEqual(rows.map { Int($0[2])! }.reduce(0, +), expected.count)
                }
            }
            // Checkpoints of regions outside the scope look like regions that do not exist.
            if scope.hasPrefix("region=eu-west-1,tenant") {
                let token = try s.token("viewer", scope: scope).token
                let hidden = try s.client.get("/v1/checkpoints/latest?region=us-east-1", token: token)
                let none = try s.client.get("/v1/checkpoints/latest?region=no-such-region", token: token)
                XCTAssertEqual(hidden.status, 404)
                XCTAssertEqual(hidden.body, none.body)
                XCTAssertEqual(try s.client.get("/v1/checkpoints/latest?region=eu-west-1", token: token).status, 200)
            }
        }
    }

    func testCursorsDoNotRevealOtherRecords() throws {
        let s = try server()
        let viewer = try s.token("viewer", scope: "region=us-east-1").token
        // A cursor from an unrestricted search, positioned among eu-west-1 records.
        let adminPage = try s.client.get("/v1/records?limit=3&region=eu-west-1", token: s.admin)
        guard let cursor = adminPage.json?["next_cursor"]?.stringValue else { return XCTFail("admin cursor") }
        let r = try s.client.get("/v1/records?limit=100&cursor=\(cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)", token: viewer)
        if r.status == 200 {
            XCTAssertTrue(ids(r).allSatisfy { $0.hasPrefix("us-") }, r.text)
        } else {
            XCTAssertEqual(r.status, 400, r.text)
        }
        // A forged cursor is a 400 with a JSON error, not a 500.
        let forged = try s.client.get("/v1/records?cursor=AAAA%2F%2F%2Fzzzz", token: viewer)
        XCTAssertEqual(forged.status, 400, forged.text)
        XCTAssertNotNil(forged.json?["error"]?["code"]?.stringValue)
    }

    func testContentOnlyForRolesThatMayReadIt() throws {
        let s = try server()
        for (role, sees) in [("auditor", true), ("admin", true), ("analyst", false), ("viewer", false)] {
            let token = try s.token(role).token
            for target in ["/v1/records?limit=100", "/v1/records?limit=100&format=ndjson", "/v1/records/eu-acme-3"] {
                let r = try s.client.get(target, token: token)
                XCTAssertEqual(r.status, 200)
                XCTAssertEqual(r.text.contains("PROMPT-"), sees, "\(role) \(target) request content")
                XCTAssertEqual(r.text.contains("ANSWER-"), sees, "\(role) \(target) response content")
            }
            XCTAssertFalse(try s.client.get("/v1/records?format=csv", token: token).text.contains("PROMPT-"), "CSV never carries content")
            // Asked for by name: a role without content access is told it is withheld.
            let asked = try s.client.get("/v1/records?limit=5&content=true", token: token)
            XCTAssertEqual(asked.status, 200)
            XCTAssertEqual(asked.header("X-Gatelog-Warning") == AnswerWarning.contentWithheldHeader, !sees, "\(role): \(asked.headers)")
            XCTAssertEqual(asked.json?["warnings"] != nil, !sees, "\(role)")
        }
    }

    func testRevocationAndRotationTakeEffectOnTheNextRequest() throws {
        let s = try server()
        let created = try s.client.post("/v1/tokens", token: s.admin, #"{"role":"auditor","scope":"tenant=acme","expires":"1h"}"#)
        XCTAssertEqual(created.status, 201, created.text)
        guard let id = created.json?["id"]?.stringValue, let token = created.json?["token"]?.stringValue else { return XCTFail(created.text) }
        XCTAssertEqual(try s.client.get("/v1/records?limit=1", token: token).status, 200)
        // The listing never shows secrets or hashes.
        let list = try s.client.get("/v1/tokens", token: s.admin)
        XCTAssertFalse(list.text.contains(token))
        XCTAssertFalse(list.text.contains("hash"))

        // Rotate: the new one works at once, the old one stops at once.
        let rotated = try s.client.request("POST", "/v1/tokens/\(id)/rotate", token: s.admin, body: [])
        XCTAssertEqual(rotated.status, 201, rotated.text)
        guard let newID = rotated.json?["id"]?.stringValue, let newToken = rotated.json?["token"]?.stringValue else { return XCTFail() }
        XCTAssertEqual(rotated.json?["scope"]?.stringValue, "tenant=acme", "rotation keeps the scope")
        XCTAssertEqual(try s.client.get("/v1/records?limit=1", token: token).status, 401)
        XCTAssertEqual(try s.client.get("/v1/records?limit=1", token: newToken).status, 200)

        // Revoke through the CLI's path (the token file changes under the running server).
        try TokenStore(dataDirectory: s.dir.path).revoke(id: newID)
        let after = try s.client.get("/v1/records?limit=1", token: newToken)
        XCTAssertEqual(after.status, 401)
        XCTAssertTrue(after.text.contains("revoked"), after.text)
        XCTAssertEqual(try s.client.request("DELETE", "/v1/tokens/tok_000000000000", token: s.admin).status, 404)
        XCTAssertEqual(try s.client.request("POST", "/v1/tokens/\(newID)/rotate", token: s.admin, body: []).status, 404,
                       "a revoked token cannot be rotated")
        XCTAssertEqual(try s.client.post("/v1/tokens", token: s.admin, #"{"role":"emperor"}"#).status, 400)
        XCTAssertEqual(try s.client.post("/v1/tokens", token: s.admin, #"{"role":"viewer","scope":"planet=mars"}"#).status, 400)
    }

    func testAccessLogRecordsWhoWhatAndHowMany() throws {
        let s = try server()
        let auditor = try s.token("auditor", scope: "tenant=globex")
        let search = try s.client.get("/v1/records?region=us-east-1&limit=4", token: auditor.token)
        XCTAssertEqual(search.status, 200)
        XCTAssertEqual(ids(search).count, 4)
        XCTAssertEqual(try s.client.get("/v1/records/us-globex-3", token: auditor.token).status, 200)
        s.service.indexer?.waitUntilDrained()

        let log = try s.client.get("/v1/records?region=_access&user=\(auditor.id)&limit=100&order=oldest", token: s.admin)
        XCTAssertEqual(log.status, 200, log.text)
        let entries = log.json?["records"]?.arrayValue ?? []
        XCTAssertEqual(entries.count, 2, log.text)
        let first = entries.first
        XCTAssertEqual(first?["metadata"]?["action"]?.stringValue, "search")
        XCTAssertEqual(first?["metadata"]?["role"]?.stringValue, "auditor")
        XCTAssertEqual(first?["response"]?["results"]?.int64Value, 4)
        XCTAssertEqual(first?["request"]?["scope"]?.stringValue, "tenant=globex")
        XCTAssertEqual(first?["request"]?["parameters"]?["region"]?.arrayValue?.first?.stringValue, "us-east-1")
        XCTAssertEqual(entries.last?["metadata"]?["action"]?.stringValue, "get")
        // When: the entry's timestamp is the time of the request.
        let when = first?["ts"]?.stringValue.flatMap { Timestamp.parseMilliseconds($0) } ?? 0
        XCTAssertLessThan(abs(Double(when) / 1000 - Date().timeIntervalSince1970), 60, "the access entry is stamped with the time of access")

        // Token changes are in the access log, never a token secret.
        let all = try s.client.get("/v1/records?region=_access&limit=10000", token: s.admin)
        XCTAssertTrue(all.text.contains("token.create"))
        XCTAssertFalse(all.text.contains("glt_"), "a token secret in the access log")
        // Nobody but an admin asking by name sees the access log.
        let auditorView = try s.client.get("/v1/records?region=_access", token: auditor.token)
        XCTAssertEqual(ids(auditorView), [])
        XCTAssertFalse(ids(try s.client.get("/v1/records?limit=10000", token: s.admin)).contains { $0.hasPrefix("acc_") },
                       "unnamed searches leave the access log out")
        // And the access log verifies like any region.
        let v = try s.client.post("/v1/verify", token: s.admin, #"{"regions":["_access","eu-west-1","us-east-1"]}"#)
        XCTAssertEqual(v.json?["intact"]?.boolValue, true, v.text)
        XCTAssertEqual(v.json?["regions"]?.arrayValue?.count, 3, v.text)
    }

    /// Concurrent GETs: every one leaves exactly one access entry (entries are group-committed:
    /// `AccessBatchesTests` checks the batching itself), and the access log still verifies.
    func testConcurrentGetsAreEachLoggedOnce() throws {
        let s = try server()
        let reader = try s.token("auditor")
        let threads = 8, perThread = 25
        let port = s.port
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            for k in 0..<perThread {
                do {
                    let r = try Client(port: port).get("/v1/records/eu-acme-\((t + k) % 30)", token: reader.token)
                    if r.status != 200 { failures.withLock { $0.append("\(r.status) \(r.text.prefix(120))") } }
                } catch { failures.withLock { $0.append("\(error)") } }
            }
        }
        XCTAssertEqual(failures.withLock { $0 }, [])
        let log = try s.client.get("/v1/records?region=_access&user=\(reader.id)&limit=1000", token: s.admin)
        let entries = log.json?["records"]?.arrayValue ?? []
        XCTAssertEqual(entries.count, threads * perThread, "one access entry per GET")
        XCTAssertEqual(Set(entries.compactMap { $0["id"]?.stringValue }).count, threads * perThread, "entry ids are unique")
        XCTAssertTrue(entries.allSatisfy { $0["metadata"]?["action"]?.stringValue == "get" })
        let v = try s.client.post("/v1/verify", token: s.admin, #"{"regions":["_access"]}"#)
        XCTAssertEqual(v.json?["intact"]?.boolValue, true, v.text)
        // Without named regions, an admin's verify covers the access log too (as the CLI's does);
        // an auditor's does not see it.
        let all = try s.client.post("/v1/verify", token: s.admin, "")
        XCTAssertTrue(all.json?["regions"]?.arrayValue?.contains { $0["region"]?.stringValue == "_access" } == true, all.text)
        let audited = try s.client.post("/v1/verify", token: try s.token("auditor").token, "")
        XCTAssertEqual(audited.status, 200, audited.text)
        XCTAssertFalse(audited.text.contains("_access"), audited.text)
    }

    /// A search right after a POST is answered finds what the POST stored (the search waits
    /// for the index to take in what is already durable).
    func testSearchFindsARecordRightAfterItsPost() throws {
        let s = try server()
        for i in 0..<15 {
            let id = "ryw-\(i)"
            let posted = try s.client.post("/v1/records", token: s.admin, Records.record(id, ms: 40_000 + i))
            XCTAssertEqual(posted.status, 200, posted.text)
            let found = try s.client.get("/v1/records?user=u-\(id)@acme.example&limit=5", token: s.admin)
            XCTAssertEqual(ids(found), [id], found.text)
        }
    }

    /// The scheme name is case-insensitive and blanks around the credentials are ignored.
    func testAuthorizationHeaderSpellings() throws {
        let s = try server()
        for header in ["Bearer \(s.admin)", "bearer \(s.admin)", "BEARER \(s.admin)", "  Bearer   \(s.admin) \t", "Bearer\t\(s.admin)"] {
            let r = try s.client.request("GET", "/v1/records?limit=1", token: nil, headers: ["Authorization": header])
            XCTAssertEqual(r.status, header.hasPrefix("Bearer\t") ? 401 : 200, "\(header.debugDescription): \(r.text.prefix(120))")
        }
    }

    func testScopedVerifyAndIngestStayInsideTheScope() throws {
        let s = try server()
        let auditor = try s.token("auditor", scope: "region=us-east-1").token
        let v = try s.client.post("/v1/verify", token: auditor, #"{"regions":["eu-west-1"]}"#)
        // Not verified, and answered exactly like a region that does not exist (never an empty "intact" report).
        let none = try s.client.post("/v1/verify", token: auditor, #"{"regions":["no-such-region"]}"#)
        XCTAssertEqual(v.status, 404, v.text)
        XCTAssertEqual(v.json?["error"]?["code"]?.stringValue, "not_found")
        XCTAssertEqual(v.body, none.body, "a region outside the scope looks like one that does not exist")
        // A report counts every tenant's records: a scope narrower than regions cannot verify.
        let narrow = try s.token("auditor", scope: "region=us-east-1,tenant=acme").token
        let refused = try s.client.post("/v1/verify", token: narrow, #"{"regions":["us-east-1"]}"#)
        XCTAssertEqual(refused.status, 403, refused.text)
        XCTAssertEqual(try s.client.post("/v1/verify", token: narrow, "{bad").status, 403, "refused before the body is read")
        let ingest = try s.token("ingest", scope: "region=eu-west-1").token
        let r = try s.client.post("/v1/records", token: ingest, Records.record("late-us", region: "us-east-1"))
        XCTAssertEqual(r.status, 422, r.text)
        XCTAssertEqual(r.json?["errors"]?.arrayValue?.first?["id"]?.stringValue, "late-us")
    }

    /// Found by a black-box hunt (session 7): store-wide permissions held by a scoped token.
    /// A region-scoped admin minted an unscoped admin token and rotated the real admin's token;
    /// it also read the access log's checkpoint and verify report, and a scoped monitor read
    /// every region's counts from /metrics.
    func testStoreWidePermissionsNeedAnUnscopedToken() throws {
        let s = try server()
        let scopedAdmin = try s.token("admin", scope: "region=eu-west-1").token
        // What the scope allows still works.
        XCTAssertEqual(try s.client.get("/v1/records?region=eu-west-1&limit=1", token: scopedAdmin).status, 200)
        // Token management: 403, whatever the body.
        for body in [#"{"role":"admin"}"#, #"{"role":"viewer","scope":"region=eu-west-1"}"#, "{bad", ""] {
            let r = try s.client.post("/v1/tokens", token: scopedAdmin, body)
            XCTAssertEqual(r.status, 403, "\(body): \(r.text)")
        }
        XCTAssertEqual(try s.client.get("/v1/tokens", token: scopedAdmin).status, 403)
        let victim = try s.token("viewer")
        XCTAssertEqual(try s.client.request("POST", "/v1/tokens/\(victim.id)/rotate", token: scopedAdmin, body: []).status, 403)
        XCTAssertEqual(try s.client.request("DELETE", "/v1/tokens/\(victim.id)", token: scopedAdmin).status, 403)
        XCTAssertEqual(try s.client.get("/v1/records?limit=1", token: victim.token).status, 200, "the victim's token still works")
        // The access log: not searchable, no checkpoint, not verified.
        XCTAssertEqual(ids(try s.client.get("/v1/records?region=_access&limit=5", token: scopedAdmin)), [])
        XCTAssertEqual(try s.client.get("/v1/checkpoints/latest?region=_access", token: scopedAdmin).status, 404)
        let v = try s.client.post("/v1/verify", token: scopedAdmin, #"{"region":"_access"}"#)
        XCTAssertEqual(v.status, 404, "like a region that does not exist: \(v.text)")
        XCTAssertNil(v.json?["regions"], v.text)
        // Metrics and readiness cover every region: not for a scoped token.
        let scopedMonitor = try s.token("monitor", scope: "region=eu-west-1").token
        XCTAssertEqual(try s.client.get("/metrics", token: scopedMonitor).status, 403)
        XCTAssertEqual(try s.client.get("/readyz", token: scopedMonitor).status, 403)
        XCTAssertEqual(try s.client.get("/metrics", token: try s.token("monitor").token).status, 200)
        // The unscoped admin keeps everything.
        XCTAssertEqual(try s.client.get("/v1/tokens", token: s.admin).status, 200)
        XCTAssertEqual(try s.client.get("/v1/checkpoints/latest?region=_access", token: s.admin).status, 200)
    }

    /// A caller without the permission is refused (403, logged as forbidden) before its request
    /// is parsed: a malformed request used to be a 400 that the access log never saw.
    func testRefusalsComeBeforeParsingAndAreLogged() throws {
        let s = try server()
        let viewer = try s.token("viewer")
        let ingest = try s.token("ingest").token
        let cases: [(String, String, String?, String)] = [
            ("POST", "/v1/tokens", "{bad", viewer.token), ("POST", "/v1/tokens", #"{"role":"admin","expires":"0s"}"#, viewer.token),
            ("POST", "/v1/verify", "{bad", viewer.token), ("GET", "/v1/stats?group_by=bogus", nil, ingest),
            ("GET", "/v1/records?limit=abc", nil, ingest), ("POST", "/v1/records", "", viewer.token),
        ]
        for (method, target, body, token) in cases {
            let r = try s.client.request(method, target, token: token, body: body.map { Array($0.utf8) })
            XCTAssertEqual(r.status, 403, "\(method) \(target): \(r.text)")
        }
        s.service.indexer?.waitUntilDrained()
        let log = try s.client.get("/v1/records?region=_access&limit=100&content=false&user=\(viewer.id)", token: s.admin)
        XCTAssertEqual(log.status, 200, log.text)
        let forbidden = (log.json?["records"]?.arrayValue ?? []).filter { $0["metadata"]?["outcome"]?.stringValue == "forbidden" }
        XCTAssertGreaterThanOrEqual(forbidden.count, 3, log.text)
    }

    /// A line an ingest token may not write, which is also malformed, is quarantined in no region
    /// outside the token's scope (it was filed in the region it named).
    func testScopedIngestNeverQuarantinesInAnotherRegion() throws {
        let s = try server()
        let ingest = try s.token("ingest", scope: "region=eu-west-1").token
        let marker = "payload-\(UInt64.random(in: 1...UInt64.max))"
        let line = #"{"id":"x","ts":"2026-11-24T10:00:00Z","region":"us-east-1","tenant":7,"request":"\#(marker)"}"#
        let r = try s.client.post("/v1/records", token: ingest, line)
        XCTAssertEqual(r.status, 422, r.text)
        let usQuarantine = (try? String(contentsOfFile: s.dir.path + "/regions/us-east-1/quarantine.ndjson", encoding: .utf8)) ?? ""
        XCTAssertFalse(usQuarantine.contains(marker), "written into a region outside the token's scope")
        let unrouted = (try? String(contentsOfFile: s.dir.path + "/quarantine/quarantine.ndjson", encoding: .utf8)) ?? ""
        XCTAssertTrue(unrouted.contains(marker), "kept in the unrouted quarantine")
        // A record inside the region but outside a tenant scope names the field.
        let tenantIngest = try s.token("ingest", scope: "tenant=acme").token
        let t = try s.client.post("/v1/records", token: tenantIngest, Records.record("other-tenant", tenant: "globex"))
        XCTAssertEqual(t.status, 422)
        XCTAssertTrue(t.text.contains("tenant"), t.text)
    }

    /// Rotating an expired token used to give it a new lifetime.
    func testAnExpiredTokenCannotBeRotated() throws {
        let s = try server()
        let short = try s.token("viewer", expires: 0.2)
        Thread.sleep(forTimeInterval: 0.4)
        XCTAssertEqual(try s.client.get("/v1/records?limit=1", token: short.token).status, 401)
        XCTAssertEqual(try s.client.request("POST", "/v1/tokens/\(short.id)/rotate", token: s.admin, body: []).status, 404)
    }
}
