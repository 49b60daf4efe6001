import Foundation
import AuditQuery
import AuditStore
import Gatelog
import GatelogServer
import HTTPServer
import JSON
import AuditFormat

/// `gatelog serve`: the HTTP service on the data directory.
enum ServeCommand {
    static func run(_ raw: [String]) throws -> Int32 {
        var args = try Arguments(raw, flags: [])
        var config = StoreConfiguration(dataDirectory: dataDirectory(&args))
        try config.loadConfigFile()
        var options = APIServer.Options()
        if let listen = args.value("listen") {
            guard HTTPListenAddress(parsing: listen) != nil else {
                throw UsageError("--listen must be HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080")
            }
            options.listen = listen
        }
        if let s = args.value("segment-size") {
            guard let n = ByteSize.parse(s), n >= 4096 else { throw UsageError("--segment-size must be a size ≥ 4KiB, like 1MiB") }
            config.segmentMaxBytes = n
        }
        if let d = try args.int("batch-delay") { config.durability = try durability(batchDelayMilliseconds: d) }
        if let m = args.value("max-body") {
            // A body is held in memory while it is read: at most 4 GiB.
            guard let n = ByteSize.parse(m), n >= 1024, n <= 4 << 30 else { throw UsageError("--max-body must be a size from 1KiB to 4GiB") }
            options.maxBodyBytes = Int(n)
        }
        let cert = args.value("tls-cert"), key = args.value("tls-key")
        let policyPath = args.value("policy")
        try args.rejectUnknown()
        if (cert == nil) != (key == nil) { throw UsageError("--tls-cert and --tls-key go together") }
        if let cert, let key {
            let tls = TLSConfiguration(certificateChainPath: cert, privateKeyPath: key)
            // Bad TLS files stop the start before the data directory is created or opened.
            try tls.check()
            options.tls = tls
        }

        let service = try GatelogService(configuration: config, redaction: try redactionSetting(policyPath))
        for (region, error) in service.openExistingRegions() {
            say("gatelog: region \(region) could not be opened (\(error)); its requests will fail until it is repaired")
        }
        service.indexer?.keepIDFiltersBuilt()
        // Everything that can stop the start (TLS files, the listen address, binding the socket) comes
        // before the first admin token is made: a failed start must not use up its one-time banner.
        let server: APIServer
        let port: Int
        do {
            server = try APIServer(service: service, options: options)
            port = try server.start()
        } catch {
            service.close()
            throw error
        }
        do {
            if try !service.tokens.hasActiveTokens() {
                let (record, token) = try service.query.createToken(.localAdmin, role: "admin", scope: Scope(), expiresIn: nil,
                                                                    description: "created on first start")
                say("No tokens existed: created admin token \(record.id). It is shown only this once; keep it safe:")
                say(token)
            }
        } catch {
            server.shutdown()
            throw error
        }
        let scheme = options.tls == nil ? "http" : "https"
        let host = options.listen.hasPrefix("[") ? String(options.listen[...options.listen.firstIndex(of: "]")!]) : String(options.listen.split(separator: ":").first ?? "127.0.0.1")
        say("gatelog serving \(scheme)://\(host):\(port) (data \(config.dataDirectory)); SIGTERM or Ctrl-C stops it gracefully")
        let stop = DispatchSemaphore(value: 0)
        let observer = SignalObserver.install { _ in stop.signal() }
        stop.wait()
        say("gatelog: shutting down: finishing in-flight requests and making everything acknowledged durable")
        server.shutdown()
        _ = observer
        say("gatelog: stopped")
        return 0
    }
}

/// `gatelog token create|list|revoke|rotate`
enum TokenCommand {
    static func run(_ raw: [String]) throws -> Int32 {
        var args = try Arguments(raw, flags: ["json"])
        let data = dataDirectory(&args)
        let asJSON = args.flag("json")
        let role = args.value("role")
        // Several --scope options add up, like key=value pairs joined by commas.
        let scopes = args.values("scope")
        let scopeText = scopes.isEmpty ? nil : scopes.joined(separator: ",")
        let expires = args.value("expires")
        let description = args.value("description")
        try args.rejectUnknown()
        let subcommand = args.positionals.first
        guard ["create", "list", "revoke", "rotate"].contains(subcommand ?? "") else {
            throw UsageError("usage: gatelog token create --role R [--scope region=…,tenant=…] [--expires 30d] [--json] | list | revoke ID | rotate ID")
        }
        // Only `token create` may start a new store (its first token); the others act on tokens that exist.
        if subcommand != "create" { try requireDataDirectory(data) }
        // Usage mistakes (an unknown role, a malformed scope, an unknown token id) exit 2, like a missing --role.
        do {
            return try run(subcommand!, args: args, data: data, asJSON: asJSON, role: role, scopeText: scopeText, expires: expires,
                           description: description)
        } catch let e as AccessError {
            switch e {
            case .invalidScope, .unknownRole, .notFound: throw UsageError(e.description)
            default: throw e
            }
        }
    }

    private static func run(_ subcommand: String, args: Arguments, data: String, asJSON: Bool, role: String?, scopeText: String?,
                            expires: String?, description: String?) throws -> Int32 {
        // With a server running, its process owns the access log: change the token file only.
        var service: GatelogService?
        let query: QueryService
        do {
            service = try GatelogService(configuration: StoreConfiguration(dataDirectory: data), withIndex: false)
            query = service!.query
        } catch StoreError.dataDirectoryInUse(let holder) {
            printError("gatelog token: a server (\(holder)) holds the data directory; the change takes effect there on the next request and is recorded in the token file only")
            var config = StoreConfiguration(dataDirectory: data)
            try config.loadConfigFile()
            query = QueryService(configuration: config, tokens: TokenStore(dataDirectory: data), recorder: nil)
        }
        defer { service?.close() }
        switch subcommand {
        case "create":
            guard let role else { throw UsageError("token create needs --role (admin, ingest, auditor, analyst, viewer, monitor)") }
            let scope = try Scope.parseRequest(scopeText ?? "")
            var ttl: TimeInterval?
            if let expires {
                guard let d = DurationText.parse(expires) else { throw UsageError("--expires must look like 30d, 12h or 90m") }
                ttl = d
            }
            let (record, token) = try query.createToken(.localAdmin, role: role, scope: scope, expiresIn: ttl, description: description)
            if asJSON {
                printJSON(.object([JSONMember("id", .string(record.id)), JSONMember("token", .string(token))]))
            } else {
                print("created token \(record.id): role \(record.role), scope \(scope.isUnrestricted ? "unrestricted" : scope.text)\(record.expiresAt.map { ", expires \(Timestamp(ms: $0))" } ?? "")")
                print("the token is shown only this once:")
                print(token)
            }
        case "list":
            let list = try query.listTokens(.localAdmin)
            if asJSON {
                printJSON(.object([JSONMember("tokens", .array(list.map { $0.publicJSON() }))]))
            } else {
                for t in list {
                    print("\(t.id)  \(t.role)  \(t.scope.isUnrestricted ? "-" : t.scope.text)  \(t.revokedAt != nil ? "revoked" : (t.expiresAt.map { "expires \(Timestamp(ms: $0))" } ?? "active"))")
                }
            }
        case "revoke":
            guard args.positionals.count == 2 else { throw UsageError("usage: gatelog token revoke ID") }
            try query.revokeToken(.localAdmin, id: args.positionals[1])
            print("revoked \(args.positionals[1])")
        case "rotate":
            guard args.positionals.count == 2 else { throw UsageError("usage: gatelog token rotate ID") }
            let (record, token) = try query.rotateToken(.localAdmin, id: args.positionals[1])
            if asJSON {
                printJSON(.object([JSONMember("id", .string(record.id)), JSONMember("token", .string(token))]))
            } else {
                print("revoked \(args.positionals[1]); new token \(record.id), shown only this once:")
                print(token)
            }
        default:
            throw UsageError("usage: gatelog token create --role R [--scope region=…,tenant=…] [--expires 30d] [--json] | list | revoke ID | rotate ID")
        }
        return 0
    }
}

/// Formats milliseconds as RFC 3339.
func Timestamp(ms: Int64) -> String { AuditFormat.Timestamp.format(milliseconds: ms) }

/// Writes a line to standard output unbuffered (the service's messages must appear at once).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
