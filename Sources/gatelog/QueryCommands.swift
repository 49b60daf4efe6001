import Foundation
import AuditFormat
import AuditIndex
import AuditQuery
import AuditStore
import Gatelog
import JSON

/// The principal of a CLI call: `--token` (checked like an HTTP bearer token) or the local admin.
func principal(_ token: String?, service: GatelogService) throws -> Principal {
    guard let token else { return .localAdmin }
    return try service.tokens.authenticate(token: token)
}

/// Filter flags shared by search and stats.
func filterPairs(_ args: inout Arguments) -> [(name: String, value: String)] {
    var pairs: [(name: String, value: String)] = []
    for name in FilterArguments.names.sorted() where !name.contains("-") {
        let dashed = name.replacingOccurrences(of: "_", with: "-")
        for v in args.values(name) + (dashed != name ? args.values(dashed) : []) { pairs.append((name, v)) }
    }
    return pairs
}

/// `gatelog search`
enum SearchCommand {
    static func run(_ raw: [String]) throws -> Int32 {
        var args = try Arguments(raw, flags: ["oldest", "no-content"])
        let data = dataDirectory(&args)
        let token = args.value("token")
        let pairs = filterPairs(&args)
        let limit = try args.int("limit") ?? 100
        let cursor = args.value("cursor")
        let format = try OutputFormat.parse(args.value("format"))
        let oldest = args.flag("oldest")
        let noContent = args.flag("no-content")
        try args.rejectUnknown()
        guard (1...100_000).contains(limit) else { throw UsageError("--limit must be 1…100000") }
        guard args.positionals.isEmpty else { throw UsageError("search takes no positional arguments (filters are options, like --user U)") }
        try requireDataDirectory(data)
        let service = try GatelogService(configuration: StoreConfiguration(dataDirectory: data))
        defer { service.close() }
        let who = try principal(token, service: service)
        let filter: IndexFilter
        do { filter = try FilterArguments.parse(pairs) } catch let e as IndexError { throw UsageError(e.message) }
        let page = try service.query.search(who, filter: filter, limit: limit, cursor: cursor, order: oldest ? .oldestFirst : .newestFirst,
                                            includeContent: !noContent && format != .csv)
        var out = [UInt8]()
        switch format {
        case .json:
            out += Array(#"{"count":\#(page.records.count),"next_cursor":"#.utf8)
            if let n = page.nextCursor { JSONWriter.appendString(n, to: &out) } else { out += Array("null".utf8) }
            if !page.warnings.isEmpty {
                out += Array(#","warnings":"#.utf8)
                JSONWriter.append(.array(page.warnings.map { .string($0.message) }), to: &out)
            }
            out += Array(#","records":["#.utf8)
            for (i, r) in page.records.enumerated() { if i > 0 { out.append(0x2C) }; out += r.json }
            out += Array("]}\n".utf8)
        case .ndjson:
            for r in page.records { out += r.json + [0x0A] }
        case .csv:
            out += Array(CSVRendering.recordHeader().utf8)
            for r in page.records { out += Array(CSVRendering.recordLine(r.entry).utf8) }
        }
        FileHandle.standardOutput.write(Data(out))
        for w in page.warnings { printError("warning: \(w.message)") }
        if format != .json, let next = page.nextCursor { printError("next page: --cursor \(next)") }
        return 0
    }
}

/// `gatelog get ID`
enum GetCommand {
    static func run(_ raw: [String]) throws -> Int32 {
        var args = try Arguments(raw, flags: [])
        let data = dataDirectory(&args)
        let token = args.value("token")
        let region = args.value("region")
        try args.rejectUnknown()
        guard args.positionals.count == 1 else { throw UsageError("usage: gatelog get ID [--region R]") }
        try requireDataDirectory(data)
        let service = try GatelogService(configuration: StoreConfiguration(dataDirectory: data))
        defer { service.close() }
        do {
            printJSON(try service.query.get(try principal(token, service: service), id: args.positionals[0], region: region))
        } catch AccessError.notFound {
            printError("gatelog get: no record with that id")
            return 1
        } catch let e as AmbiguousIDError {
            printError("gatelog get: \(e)")
            return 1
        }
        return 0
    }
}

/// `gatelog stats`
enum StatsCommand {
    static func run(_ raw: [String]) throws -> Int32 {
        var args = try Arguments(raw, flags: [])
        let data = dataDirectory(&args)
        let token = args.value("token")
        let pairs = filterPairs(&args)
        let groupText = args.value("group-by")
        let bucketText = args.value("bucket")
        let format = try OutputFormat.parse(args.value("format"))
        try args.rejectUnknown()
        let groupBy: [GroupField]
        let bucket: TimeBucket?
        let filter: IndexFilter
        do {
            groupBy = try groupText.map { try GroupField.parseList($0) } ?? []
            bucket = try bucketText.map { try TimeBucket.parse($0) }
            filter = try FilterArguments.parse(pairs)
        } catch let e as IndexError { throw UsageError(e.message) }
        guard args.positionals.isEmpty else { throw UsageError("stats takes no positional arguments (filters are options, like --user U)") }
        try requireDataDirectory(data)
        let service = try GatelogService(configuration: StoreConfiguration(dataDirectory: data))
        defer { service.close() }
        let who = try principal(token, service: service)
        let groups = try service.query.stats(who, filter: filter, groupBy: groupBy, bucket: bucket)
        for w in service.query.answerWarnings(filter, for: who) { printError("warning: \(w.message)") }
        if format == .csv {
            FileHandle.standardOutput.write(Data(CSVRendering.groups(groups, groupBy: groupBy, bucket: bucket != nil).utf8))
        } else {
            printJSON(.object([JSONMember("groups", .array(groups.map { $0.jsonValue(groupBy: groupBy) }))]))
        }
        return 0
    }
}

/// `gatelog reindex`
enum ReindexCommand {
    static func run(_ raw: [String]) throws -> Int32 {
        var args = try Arguments(raw, flags: [])
        let data = dataDirectory(&args)
        try args.rejectUnknown()
        try requireDataDirectory(data)
        var config = StoreConfiguration(dataDirectory: data)
        try config.loadConfigFile()
        let lock = try ServiceLock.acquire(dataDirectory: data)
        let result = try IndexFeeder.rebuild(configuration: config)
        _ = lock
        print("rebuilt the index from the segments: \(result.records) records in \(String(format: "%.2f", result.seconds)) s")
        return 0
    }
}
