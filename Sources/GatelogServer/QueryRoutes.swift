import Foundation
import AuditFormat
import AuditIndex
import AuditQuery
import Gatelog
import HTTPServer
import JSON

extension APIServer {
    /// `GET /v1/records`, `GET /v1/records/{id}`, `GET /v1/stats`.
    static func installQueryRoutes(_ router: inout HTTPRouter, service: GatelogService,
                                   guarded: (@escaping @Sendable (HTTPRequest, Principal) throws -> HTTPResponse) -> HTTPHandler) {
        let query = service.query

        /// A query option; an empty value counts as absent. Given twice, it is a 400 (`limit=1&limit=abc`
        /// must not quietly mean the first).
        @Sendable func option(_ request: HTTPRequest, _ name: String) throws -> String? {
            var values = request.query.lazy.filter { $0.name == name }.map(\.value).filter { !$0.isEmpty }.makeIterator()
            guard let value = values.next() else { return nil }
            guard values.next() == nil else { throw HTTPError.badRequest("\(name) may be given only once") }
            return value
        }

        /// A boolean option: `true` or `false` (the convention of every boolean parameter, filters included);
        /// absent or empty gives `default`. Anything else is a 400 naming the parameter, never silently a default.
        @Sendable func boolOption(_ request: HTTPRequest, _ name: String, default value: Bool) throws -> Bool {
            switch try option(request, name) {
            case nil: return value
            case "true": return true
            case "false": return false
            default: throw HTTPError.badRequest("\(name) must be true or false")
            }
        }

        @Sendable func filter(_ request: HTTPRequest, ignoring: Set<String>) throws -> IndexFilter {
            var pairs: [(name: String, value: String)] = []
            for item in request.query where !ignoring.contains(item.name) {
                guard FilterArguments.names.contains(item.name) else {
                    throw HTTPError.badRequest("unknown query parameter '\(item.name)'")
                }
                // An empty value (`region=`, as forms send unused fields) is no filter.
                if item.value.isEmpty { continue }
                pairs.append((item.name, item.value))
            }
            do { return try FilterArguments.parse(pairs) } catch let e as IndexError {
                throw HTTPError.badRequest(e.message)
            }
        }

        router.get("/v1/records", handler: guarded { request, principal in
            try query.refuseUnlessPermitted(principal, .readEnvelope, action: "search")
            let f = try filter(request, ignoring: ["limit", "cursor", "format", "order", "content"])
            let limit = try option(request, "limit").map { v -> Int in
                guard let n = Int(v), (1...10_000).contains(n) else { throw HTTPError.badRequest("limit must be 1…10000") }
                return n
            } ?? 100
            let order: SearchOrder
            switch try option(request, "order") ?? "newest" {
            case "newest": order = .newestFirst
            case "oldest": order = .oldestFirst
            default: throw HTTPError.badRequest("order must be newest or oldest")
            }
            let format = try OutputFormat.parse(option(request, "format"))
            let content = try boolOption(request, "content", default: true)
            var page: QueryPage
            do {
                page = try query.search(principal, filter: f, limit: limit, cursor: option(request, "cursor"), order: order,
                                        includeContent: content && format != .csv)
            } catch let e as IndexError where e.kind == .invalidArgument {
                throw HTTPError.badRequest(e.message)
            }
            // Asked for by name but not allowed: say so rather than answer as if there were none.
            if try option(request, "content") == "true", !principal.can(.readContent) {
                page.warnings.append(AnswerWarning(message: "content is not included: the token's role may not read request and response bodies",
                                                   headerText: AnswerWarning.contentWithheldHeader))
            }
            var headers = HTTPHeaders()
            if let next = page.nextCursor { headers.add(name: "X-Next-Cursor", value: next) }
            for w in page.warnings { headers.add(name: "X-Gatelog-Warning", value: w.headerText) }
            switch format {
            case .json:
                var out = Array(#"{"count":"#.utf8) + Array(String(page.records.count).utf8) + Array(#","next_cursor":"#.utf8)
                if let next = page.nextCursor { JSONWriter.appendString(next, to: &out) } else { out += Array("null".utf8) }
                if !page.warnings.isEmpty {
                    out += Array(#","warnings":"#.utf8)
                    JSONWriter.append(.array(page.warnings.map { .string($0.message) }), to: &out)
                }
                out += Array(#","records":["#.utf8)
                for (i, r) in page.records.enumerated() {
                    if i > 0 { out.append(UInt8(ascii: ",")) }
                    out += r.json
                }
                out += Array("]}".utf8)
                return .json(out, headers: headers)
            case .ndjson:
                let records = page.records
                return HTTPResponse(status: .ok, headers: headers, contentType: format.contentType) { writer in
                    for r in records { try writer.write(r.json + [0x0A]) }
                }
            case .csv:
                let entries = page.records.map(\.entry)
                return HTTPResponse(status: .ok, headers: headers, contentType: format.contentType) { writer in
                    try writer.write(CSVRendering.recordHeader())
                    for e in entries { try writer.write(CSVRendering.recordLine(e)) }
                }
            }
        })

        // A compliance bundle (docs/FORMAT.md §12), streamed: the filters of a search, no paging.
        router.get("/v1/export", handler: guarded { request, principal in
            try query.refuseUnlessPermitted(principal, .export, action: "export")
            let f = try filter(request, ignoring: [])
            let prepared: PreparedExport
            do { prepared = try query.prepareExport(principal, filter: f) } catch let e as IndexError where e.kind == .invalidArgument {
                throw HTTPError.badRequest(e.message)
            }
            var headers = HTTPHeaders()
            headers.add(name: "Content-Disposition", value: #"attachment; filename="gatelog-bundle.ndjson""#)
            for w in query.answerWarnings(f, for: principal) { headers.add(name: "X-Gatelog-Warning", value: w.headerText) }
            return HTTPResponse(status: .ok, headers: headers, contentType: OutputFormat.ndjson.contentType) { writer in
                var buffer = [UInt8]()
                do {
                    _ = try prepared.write { bytes in
                        buffer += bytes
                        if buffer.count >= 256 << 10 { try writer.write(buffer); buffer.removeAll(keepingCapacity: true) }
                    }
                } catch let e as HTTPServerError {
                    throw e  // the client went away
                } catch {
                    // Damaged segments, a purged record or a failing disk, found while the bundle is
                    // built: before its first bytes are sent, the client gets why (the CLI's message)
                    // instead of a bare 500.
                    throw HTTPError(.serviceUnavailable, code: "storage_error", message: "the bundle cannot be built: \(error)")
                }
                if !buffer.isEmpty { try writer.write(buffer) }
            }
        })

        router.get("/v1/records/{id}", handler: guarded { request, principal in
            guard let id = request.pathParameter("id"), !id.isEmpty else { throw HTTPError.badRequest("missing id") }
            try query.refuseUnlessPermitted(principal, .readEnvelope, action: "get")
            try rejectUnknownParameters(request, allowed: ["region"])
            return .json(try query.getJSON(principal, id: id, region: option(request, "region")))
        })

        router.get("/v1/stats", handler: guarded { request, principal in
            try query.refuseUnlessPermitted(principal, .aggregate, action: "stats")
            let f = try filter(request, ignoring: ["group_by", "bucket", "format"])
            let groupBy: [GroupField]
            let bucket: TimeBucket?
            do {
                groupBy = try option(request, "group_by").map { text -> [GroupField] in
                    // `model,,user` or a trailing comma is a malformed list, not a shorter one.
                    guard !text.split(separator: ",", omittingEmptySubsequences: false).contains(where: \.isEmpty) else {
                        throw HTTPError.badRequest("group_by must be a comma-separated list of fields without empty entries")
                    }
                    return try GroupField.parseList(text)
                } ?? []
                bucket = try option(request, "bucket").map { try TimeBucket.parse($0) }
            } catch let e as IndexError { throw HTTPError.badRequest(e.message) }
            let format = try OutputFormat.parse(option(request, "format"))
            // Aggregates come as JSON or CSV only: ndjson must not silently become JSON.
            guard format != .ndjson else { throw HTTPError.badRequest("format must be json or csv") }
            let groups = try query.stats(principal, filter: f, groupBy: groupBy, bucket: bucket)
            let warnings = query.answerWarnings(f, for: principal)
            var response: HTTPResponse
            if format == .csv {
                response = HTTPResponse.text(CSVRendering.groups(groups, groupBy: groupBy, bucket: bucket != nil), contentType: format.contentType)
            } else {
                var members = [JSONMember("groups", .array(groups.map { $0.jsonValue(groupBy: groupBy) }))]
                if !warnings.isEmpty { members.append(JSONMember("warnings", .array(warnings.map { .string($0.message) }))) }
                response = HTTPResponse.json(.object(members))
            }
            for w in warnings { response.headers.add(name: "X-Gatelog-Warning", value: w.headerText) }
            return response
        })
    }
}
