import Foundation
import Synchronization
import AuditFormat
import AuditQuery
import AuditStore
import AuditIndex
import Gatelog
import GatelogCrypto
import HTTPServer
import JSON

/// The gatelog HTTP API on top of `HTTPServer`: routes, authentication, error mapping, metrics.
/// Handlers only translate HTTP to `GatelogService` / `QueryService` calls; access rules live there.
public final class APIServer: Sendable {
    public let service: GatelogService
    public let server: HTTPServer

    /// Options of `gatelog serve`.
    public struct Options: Sendable {
        public var listen = "127.0.0.1:8080"
        public var maxBodyBytes = 16 << 20
        public var tls: TLSConfiguration?
        public init() {}
    }

    /// Whether an `Accept` header (all its fields) asks for `text/plain` over `application/json` (RFC 9110 §12.5.1):
    /// media ranges are case-insensitive, `q=0` means "not acceptable", the most specific range that matches a type
    /// gives its weight, and at equal weight the more specific match, then the one listed first, wins. Without a
    /// preference (no field, or neither type acceptable) the answer is JSON. So curl's `*/*` and axios's default
    /// `application/json, text/plain, */*` get JSON, and `Accept: text/plain` the note alone.
    static func prefersPlainText(accept fields: [String]) -> Bool {
        // (q, specificity, position) of the best range matching each type; specificity 3 = type/subtype.
        var plain: (q: Double, specificity: Int, position: Int)?
        var json: (q: Double, specificity: Int, position: Int)?
        var position = 0
        for field in fields {
            for element in field.split(separator: ",") {
                let parts = element.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                guard let range = parts.first, !range.isEmpty else { continue }
                var q = 1.0
                for parameter in parts.dropFirst() where parameter.hasPrefix("q=") {
                    q = Double(parameter.dropFirst(2)) ?? 1.0
                }
                position += 1
                func consider(_ best: inout (q: Double, specificity: Int, position: Int)?, type: String, subtype: String) {
                    let specificity: Int
                    if range == "\(type)/\(subtype)" { specificity = 3 }
                    else if range == "\(type)/*" { specificity = 2 }
                    else if range == "*/*" { specificity = 1 }
                    else { return }
                    // The most specific matching range decides the weight (RFC 9110 §12.5.1).
                    if let current = best, current.specificity >= specificity { return }
                    best = (q, specificity, position)
                }
                consider(&plain, type: "text", subtype: "plain")
                consider(&json, type: "application", subtype: "json")
            }
        }
        guard let plain, plain.q > 0 else { return false }
        guard let json, json.q > 0 else { return true }
        if plain.q != json.q { return plain.q > json.q }
        if plain.specificity != json.specificity { return plain.specificity > json.specificity }
        return plain.position < json.position
    }

    public init(service: GatelogService, options: Options) throws {
        self.service = service
        guard let address = HTTPListenAddress(parsing: options.listen) else {
            throw HTTPError.badRequest("--listen must be HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080")
        }
        var router = HTTPRouter()
        APIServer.install(&router, service: service, maxBodyBytes: options.maxBodyBytes)
        let metrics = service.metrics
        var config = HTTPServerConfiguration(address: address)
        config.limits.maxBodyBytes = options.maxBodyBytes
        // RFC 9112 §6.3: a request with neither Content-Length nor Transfer-Encoding has an empty body. Every
        // POST here answers an empty body itself (verify and rotate need none; ingest and token creation say
        // what is missing), so `curl -X POST` without data is not refused with 411.
        config.requiresLengthForBodyMethods = false
        config.tls = options.tls
        server = try HTTPServer(configuration: config, router: router, observer: { o in
            let route = o.routePattern ?? "unmatched"
            // Labels come from a fixed set: a client's own method text must never become a series
            // (one per distinct method would grow the registry without bound).
            metrics.add("gatelog_http_requests_total", [route, APIServer.methodLabel(o.method), String(o.status)])
            let c = o.duration.components
            metrics.observe("gatelog_http_request_duration_seconds", [route], Double(c.seconds) + Double(c.attoseconds) / 1e18)
        }, logger: { line in
            FileHandle.standardError.write(Data("gatelog: \(line)\n".utf8))
        }, bodyAdmission: { head, route in
            // Large bodies are read only for a valid token: no unauthenticated client can make the
            // server buffer megabytes (the handler authenticates again, and checks permissions).
            guard route != "/healthz" else { return nil }
            if head.headers.values(for: "Authorization").count > 1 {
                return HTTPResponse.error(.badRequest, code: "bad_request", message: "more than one Authorization header field")
            }
            do throws(AccessError) {
                _ = try service.tokens.authenticate(authorization: head.headers["Authorization"])
                return nil
            } catch {
                metrics.add("gatelog_auth_failures_total", [error.reason])
                if case .storage = error { return HTTPResponse.error(.serviceUnavailable, code: "token_store_unavailable",
                                                                     message: "tokens cannot be checked right now; the server log says why") }
                var r = HTTPResponse.error(.unauthorized, code: "unauthorized", message: error.description)
                r.headers.add(name: "WWW-Authenticate", value: "Bearer realm=\"gatelog\"")
                return r
            }
        })
    }

    /// The metrics label of a request method: the standard methods by name, anything else `other`.
    static func methodLabel(_ method: HTTPMethod) -> String {
        switch method.rawValue {
        case "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT": return method.rawValue
        default: return "other"
        }
    }

    /// Starts listening; returns the bound port.
    public func start() throws -> Int {
        try server.start()
        return server.port
    }

    /// Stops accepting, finishes in-flight requests, then closes the store (everything acknowledged is durable).
    public func shutdown() {
        server.shutdown(gracePeriod: .seconds(10))
        server.waitUntilStopped()
        service.close()
    }

    // MARK: Readiness

    /// Regions that cannot take writes, each with a short reason: a writer that stopped after a storage failure,
    /// a region on disk whose writer cannot be opened (`gatelog serve` opens them all at start; one that failed is
    /// tried again here, so readiness returns once it is repaired), and a configured region not created yet whose
    /// directory could not be created. Reasons name no file path, errno detail or record content: the server log
    /// has those.
    static func readinessProblems(_ store: LogStore) -> [(region: String, reason: String)] {
        var problems: [(region: String, reason: String)] = []
        var open = Set<String>()
        for w in store.openWriters.sorted(by: { $0.region < $1.region }) {
            open.insert(w.region)
            let status = w.status
            if status.failure != nil {
                problems.append((w.region, "its writer stopped after a storage failure; restart to recover"))
            } else if let reason = status.lastWriteError,
                      !(reason == FileIOError.explain(ENOSPC) && hasSpaceAgain(store.configuration.regionDirectory(w.region))) {
                problems.append((w.region, "its latest write failed (\(reason)); writes resume once it can write again"))
            }
        }
        let onDisk = store.regions()
        let now = DispatchTime.now().uptimeNanoseconds
        for region in onDisk where !open.contains(region) {
            // A region that failed to open is tried again at most every `openRetryInterval`: opens are
            // serialised and recovery may read a whole segment, so a probe every second must not
            // re-run a failing recovery each time.
            let key = "\(store.configuration.dataDirectory)\u{0}\(region)"
            if let recent = failedOpens.withLock({ $0[key] }), now &- recent.at < openRetryInterval {
                problems.append((region, recent.reason))
                continue
            }
            do {
                let w = try store.writer(for: region)
                failedOpens.withLock { _ = $0.removeValue(forKey: key) }
                if w.status.failure != nil {
                    problems.append((region, "its writer stopped after a storage failure; restart to recover"))
                }
            } catch {
                if case .closed = error { continue }
                let reason = "it cannot be opened: \(openFailureReason(error))"
                failedOpens.withLock { $0[key] = (now, reason) }
                problems.append((region, reason))
            }
        }
        let configured = store.configuration.regionPaths
        let layout = LogStoreLayout(configuration: store.configuration)
        for region in configured.keys.sorted() where !open.contains(region) && !onDisk.contains(region) {
            if let missing = layout.missingRegionProblem(region) {
                problems.append((region, "it cannot be opened: \(missing)"))
            } else if !canCreateDirectory(configured[region]!) {
                problems.append((region, "it cannot be opened: its configured directory cannot be created"))
            }
        }
        // Regions the store created whose directory now holds nothing (deleted, or not mounted).
        for region in RegionRegistry.regions(dataDirectory: store.configuration.dataDirectory)
        where !open.contains(region) && !onDisk.contains(region) && configured[region] == nil {
            if let missing = layout.missingRegionProblem(region) { problems.append((region, "it cannot be opened: \(missing)")) }
        }
        return problems.sorted { $0.region < $1.region }
    }

    /// After a write failed for lack of space, whether the region's file system has room again (one
    /// `statvfs`, cheap enough for a probe polled every second). Writes resume by themselves once
    /// there is space, but the failure is cleared only by the next successful write: without this
    /// re-check a load balancer that stops sending traffic on 503 would keep the instance out for good.
    static func hasSpaceAgain(_ directory: String) -> Bool {
        var st = statvfs()
        guard statvfs(directory, &st) == 0 else { return false }
        return UInt64(st.f_bavail) * UInt64(st.f_frsize) >= spaceAgainThreshold
    }

    /// Free bytes a region's file system needs for readiness to count a full-disk failure as over:
    /// a few frames and a new segment's header, with room to spare.
    static let spaceAgainThreshold: UInt64 = 8 << 20

    /// Regions whose open failed in a readiness check (by data directory and region): when, and why.
    private static let failedOpens = Mutex<[String: (at: UInt64, reason: String)]>([:])
    /// How long a failed open is reported without being tried again.
    static let openRetryInterval: UInt64 = 10_000_000_000

    /// A short reason for a failed region open, without paths or details.
    static func openFailureReason(_ error: StoreError) -> String {
        switch error {
        case .io(let e): return "file error (\(FileIOError.explain(e.code)))"
        case .regionLocked: return "locked by another writer"
        case .integrity: return "integrity failure (run gatelog verify)"
        case .invalidConfiguration: return "invalid configuration"
        case .invalidRegion: return "invalid region name"
        case .writerFailed: return "its writer stopped after a storage failure"
        case .keys: return "signing keys unavailable"
        case .compression: return "compression failure"
        default: return "storage error"
        }
    }

    /// Whether `path` could be created by `mkdir -p` (without creating anything): its nearest existing ancestor is
    /// a writable directory.
    static func canCreateDirectory(_ path: String) -> Bool {
        var candidate = path
        while true {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory) {
                return isDirectory.boolValue && access(candidate, W_OK | X_OK) == 0
            }
            var parent = (candidate as NSString).deletingLastPathComponent
            if parent.isEmpty { parent = "." }
            if parent == candidate { return false }
            candidate = parent
        }
    }

    // MARK: Routes

    /// Query parameters are checked, not guessed: one an endpoint does not take (a typo such as
    /// `regoin=`) is a 400 naming it, never silently ignored.
    static func rejectUnknownParameters(_ request: HTTPRequest, allowed: Set<String>) throws {
        if let item = request.query.first(where: { !allowed.contains($0.name) }) {
            throw HTTPError.badRequest("unknown query parameter '\(item.name)'")
        }
    }

    static func install(_ router: inout HTTPRouter, service: GatelogService, maxBodyBytes: Int) {
        let query = service.query
        @Sendable func authenticate(_ request: HTTPRequest) throws -> Principal {
            // RFC 9110 makes Authorization a singleton: with two, which one counts would be a guess
            // (a proxy adding its own could silently change the caller).
            if request.headers.values(for: "Authorization").count > 1 {
                throw HTTPError.badRequest("more than one Authorization header field")
            }
            do {
                return try service.tokens.authenticate(authorization: request.headers["Authorization"])
            } catch {
                let e = error
                service.metrics.add("gatelog_auth_failures_total", [e.reason])
                if case .storage = e {
                    // The token file's path and the OS error are for the operator, not for an
                    // unauthenticated client.
                    FileHandle.standardError.write(Data("gatelog: cannot check a token: \(e.description)\n".utf8))
                    throw HTTPError(.serviceUnavailable, code: "token_store_unavailable",
                                    message: "tokens cannot be checked right now; the server log says why")
                }
                throw HTTPError(.unauthorized, code: "unauthorized", message: e.description,
                                headers: ["WWW-Authenticate": "Bearer realm=\"gatelog\""])
            }
        }
        func guarded(_ body: @escaping @Sendable (HTTPRequest, Principal) throws -> HTTPResponse) -> HTTPHandler {
            return { request in
                let principal = try authenticate(request)
                do {
                    return try body(request, principal)
                } catch let e as AccessError {
                    if case .storage = e {} else if case .indexBehind = e {} else { service.metrics.add("gatelog_auth_failures_total", [e.reason]) }
                    switch e {
                    case .forbidden: throw HTTPError(.forbidden, code: "forbidden", message: e.description)
                    case .notFound: throw HTTPError(.notFound, code: "not_found", message: e.description)
                    case .invalidScope, .unknownRole: throw HTTPError(.badRequest, code: "bad_request", message: e.description)
                    case .storage: throw HTTPError(.serviceUnavailable, code: "storage_error", message: e.description)
                    case .indexBehind:
                        throw HTTPError(.serviceUnavailable, code: "index_behind", message: e.description, headers: ["Retry-After": "1"])
                    default: throw HTTPError(.unauthorized, code: "unauthorized", message: e.description)
                    }
                } catch let e as AmbiguousIDError {
                    throw HTTPError(HTTPStatus(409), code: "ambiguous_id", message: e.description)
                } catch let e as RecordError {
                    if case .tooManyRecords = e { throw HTTPError(.payloadTooLarge, code: e.code, message: e.description) }
                    throw HTTPError(.badRequest, code: e.code, message: e.description)
                } catch let e as StoreError {
                    if e.isDiskFull { throw HTTPError(HTTPStatus(507), code: "insufficient_storage", message: e.description) }
                    if case .overloaded = e { throw HTTPError(.serviceUnavailable, code: "overloaded", message: e.description, headers: ["Retry-After": "1"]) }
                    throw HTTPError(.serviceUnavailable, code: "storage_error", message: e.description)
                } catch let e as FileIOError {
                    throw HTTPError(.serviceUnavailable, code: "storage_error", message: e.description)
                } catch let e as IndexError {
                    if e.kind == .invalidArgument { throw HTTPError.badRequest(e.message) }
                    if e.kind == .timedOut { throw HTTPError(.serviceUnavailable, code: "query_timeout", message: e.message) }
                    throw HTTPError(.serviceUnavailable, code: "index_error", message: e.description)
                }
            }
        }

        router.get("/healthz") { _ in .json(.object([JSONMember("status", "ok")])) }

        installQueryRoutes(&router, service: service, guarded: guarded)

        router.get("/readyz", handler: guarded { _, principal in
            try principal.require(.metrics)
            var problems = readinessProblems(service.store)
            if let problem = service.indexProblem {
                problems.append(("index", problem))
            } else if service.indexer?.failure != nil {
                // Writes are still acknowledged (the segments are the source of truth), but searches
                // and lookups would miss records: not ready. (The reason names no path: the log has it.)
                problems.append(("index", "its inserts fail (see the server log; a full disk?): searches would miss records"))
            }
            // Searches and stats in a region whose segments the index could not read to the end would
            // miss what lies after the damage: not ready.
            for region in (service.indexer?.damagedRegions.keys.sorted() ?? []) {
                problems.append((region, "the index could not read its segments to the end (damaged; run gatelog verify): searches and stats miss records"))
            }
            if !problems.isEmpty {
                return .json(.object([
                    JSONMember("status", "failing"),
                    JSONMember("problems", .array(problems.map { .string("\($0.region): \($0.reason)") })),
                    JSONMember("regions", .array(problems.map {
                        .object([JSONMember("region", .string($0.region)), JSONMember("reason", .string($0.reason))])
                    })),
                ]), status: .serviceUnavailable)
            }
            return .json(.object([JSONMember("status", "ready")]))
        })

        router.get("/metrics", handler: guarded { _, principal in
            try principal.require(.metrics)
            service.refreshGauges()
            return .text(service.metrics.render(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        })

        // Like every endpoint but /healthz, the API description needs a token (any role).
        router.get("/openapi.json", handler: guarded { _, _ in .json(Array(OpenAPISpec.json.utf8)) })

        router.post("/v1/records", maxBodyBytes: maxBodyBytes, handler: guarded { request, principal in
            try principal.require(.ingest)
            try rejectUnknownParameters(request, allowed: [])
            guard request.body.contains(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) else {
                // Blank lines count toward the per-request limit (README): more than it is a 413
                // `too_many_records` (thrown here), not an empty body.
                _ = try Ingestor.splitBody(request.body, maxRecords: service.store.configuration.limits.maxRecordsPerRequest)
                throw HTTPError(.badRequest, code: "empty_body", message: "the body holds no record (send a JSON object, an array or NDJSON)")
            }
            let summary = try service.ingest(body: request.body, principal: principal, source: "http:\(request.remoteAddress)")
            let storageFailures = summary.rejected.filter { $0.code == "storage_error" || $0.code == "disk_full" }
            var status: HTTPStatus = .ok
            if !storageFailures.isEmpty {
                status = storageFailures.contains { $0.code == "disk_full" } ? HTTPStatus(507) : .serviceUnavailable
            } else if summary.accepted == 0 && summary.duplicates == 0 && !summary.rejected.isEmpty {
                status = .unprocessableContent
            }
            // A duplicate may be another tenant's record: a scoped caller is not told where it sits.
            return .json(summary.jsonValue(includeResults: true, duplicatePositions: principal.scope.isUnrestricted), status: status)
        })

        router.get("/v1/checkpoints/latest", handler: guarded { request, principal in
            try query.refuseUnlessPermitted(principal, anyOf: [.readEnvelope, .verify], action: "checkpoint")
            try rejectUnknownParameters(request, allowed: ["region"])
            guard let region = request.query["region"] else { throw HTTPError.badRequest("the region query parameter is required") }
            let cp = try query.latestCheckpoint(principal, region: region)
            if APIServer.prefersPlainText(accept: request.headers.values(for: "Accept")) {
                return .text(cp.noteText, contentType: "text/plain; charset=utf-8")
            }
            return .json(.object([
                JSONMember("region", .string(region)), JSONMember("tree_size", .int(cp.checkpoint.treeSize)),
                JSONMember("root_hash", .string(cp.checkpoint.rootHash.hex)), JSONMember("chain_head", .string(cp.checkpoint.chainHead.hex)),
                JSONMember("time", .string(Timestamp.format(milliseconds: cp.checkpoint.time))), JSONMember("note", .string(cp.noteText)),
            ]))
        })

        router.post("/v1/verify", maxBodyBytes: 1 << 20, handler: guarded { request, principal in
            try query.refuseUnlessPermitted(principal, .verify, action: "verify")
            try query.refuseVerifyBelowRegions(principal)
            try rejectUnknownParameters(request, allowed: ["region"])
            // An empty value (`region=`) counts as absent, as for every query parameter.
            var regions = request.query.values(for: "region").filter { !$0.isEmpty }
            // A body that is present must say what it means: a malformed one is a 400, never
            // silently read as "verify everything".
            if !request.body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
                let invalid = HTTPError.badRequest("body must be a JSON object with \"region\": string and/or \"regions\": [string]")
                guard let body = try? JSONValue.parse(request.body), body.objectMembers != nil else { throw invalid }
                if let r = body["region"] {
                    guard let name = r.stringValue else { throw invalid }
                    regions.append(name)
                }
                if let rs = body["regions"] {
                    guard let list = rs.arrayValue else { throw invalid }
                    for r in list {
                        guard let name = r.stringValue else { throw invalid }
                        regions.append(name)
                    }
                }
            }
            let reports = try query.verify(principal, regions: regions)
            let intact = reports.allSatisfy(\.isIntact)
            return .json(.object([JSONMember("intact", .bool(intact)), JSONMember("regions", .array(reports.map { $0.jsonValue() }))]))
        })

        router.post("/v1/tokens", maxBodyBytes: 64 << 10, handler: guarded { request, principal in
            try query.refuseUnlessPermitted(principal, .admin, action: "token.create")
            try rejectUnknownParameters(request, allowed: [])
            guard let body = try? JSONValue.parse(request.body), let role = body["role"]?.stringValue else {
                throw HTTPError.badRequest("body must be a JSON object with a \"role\"")
            }
            // A misspelt member (`"scopes"`, `"expiry"`) must not silently give an unrestricted or
            // never-expiring token.
            let allowedMembers: Set<String> = ["role", "scope", "expires", "description"]
            if let unknown = body.objectMembers?.first(where: { !allowedMembers.contains($0.key) }) {
                throw HTTPError.badRequest("unknown member \"\(unknown.key)\" (the body takes role, scope, expires and description)")
            }
            // A scope or expiry of the wrong type must not silently become "unrestricted" or "never".
            for field in ["scope", "expires", "description"] where body[field].map({ $0.stringValue == nil }) ?? false {
                throw HTTPError.badRequest("\"\(field)\" must be a string")
            }
            let scope = try Scope.parseRequest(body["scope"]?.stringValue ?? "")
            var expires: TimeInterval?
            if let e = body["expires"]?.stringValue {
                guard let d = DurationText.parse(e) else { throw HTTPError.badRequest("expires must look like 30d, 12h or 90m") }
                expires = d
            }
            let (record, token) = try query.createToken(principal, role: role, scope: scope, expiresIn: expires,
                                                        description: body["description"]?.stringValue)
            var members = record.publicJSON().objectMembers ?? []
            members.append(JSONMember("token", .string(token)))
            return .json(.object(members), status: .created)
        })

        router.get("/v1/tokens", handler: guarded { request, principal in
            try query.refuseUnlessPermitted(principal, .admin, action: "token.list")
            try rejectUnknownParameters(request, allowed: [])
            return .json(.object([JSONMember("tokens", .array(try query.listTokens(principal).map { $0.publicJSON() }))]))
        })

        router.add(.delete, "/v1/tokens/{id}", maxBodyBytes: nil, handler: guarded { request, principal in
            try query.refuseUnlessPermitted(principal, .admin, action: "token.revoke")
            try rejectUnknownParameters(request, allowed: [])
            try query.revokeToken(principal, id: request.pathParameter("id") ?? "")
            return HTTPResponse(status: .noContent)
        })

        router.post("/v1/tokens/{id}/rotate", maxBodyBytes: 1 << 10, handler: guarded { request, principal in
            try query.refuseUnlessPermitted(principal, .admin, action: "token.rotate")
            try rejectUnknownParameters(request, allowed: [])
            let (record, token) = try query.rotateToken(principal, id: request.pathParameter("id") ?? "")
            var members = record.publicJSON().objectMembers ?? []
            members.append(JSONMember("token", .string(token)))
            return .json(.object(members), status: .created)
        })

    }
}
