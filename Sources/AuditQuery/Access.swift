import Foundation
import Synchronization
import AuditFormat
import AuditStore
import GatelogCrypto
import JSON
#if canImport(Glibc)
import Glibc
#endif

/// What a principal may do.
public enum Permission: String, Sendable, CaseIterable, Codable {
    /// Append records.
    case ingest
    /// Read record envelopes (everything but request and response bodies).
    case readEnvelope = "read_envelope"
    /// Read request and response bodies.
    case readContent = "read_content"
    /// Counts, sums and latency percentiles.
    case aggregate
    /// Run integrity verification.
    case verify
    /// Export compliance bundles.
    case export
    /// Manage tokens and read the access log.
    case admin
    /// Read `/metrics` and `/readyz`.
    case metrics

    /// Permissions that act on the whole store: managing tokens and reading the access log
    /// (`admin`), store-wide counters and health (`metrics`). No scope can narrow them, so only a
    /// principal without a scope holds them: a region-scoped admin could otherwise mint itself an
    /// unscoped token, and metrics would tell a scoped monitor every region's record count.
    public static let storeWide: Set<Permission> = [.admin, .metrics]
}

/// A named set of permissions.
public struct Role: Sendable, Equatable {
    public var name: String
    public var permissions: Set<Permission>

    public init(name: String, permissions: Set<Permission>) {
        self.name = name
        self.permissions = permissions
    }

    /// The built-in roles.
    public static let builtIn: [String: Role] = [
        "admin": Role(name: "admin", permissions: Set(Permission.allCases)),
        "ingest": Role(name: "ingest", permissions: [.ingest]),
        "auditor": Role(name: "auditor", permissions: [.readEnvelope, .readContent, .aggregate, .verify, .export]),
        "analyst": Role(name: "analyst", permissions: [.readEnvelope, .aggregate]),
        "viewer": Role(name: "viewer", permissions: [.readEnvelope]),
        "monitor": Role(name: "monitor", permissions: [.metrics]),
    ]
}

/// Restrictions on which records a principal sees. Every set field must match (AND);
/// within a field any listed value matches (OR). Empty means unrestricted.
public struct Scope: Sendable, Equatable {
    public var regions: [String] = []
    public var tenants: [String] = []
    public var teams: [String] = []
    public var users: [String] = []
    public var metadata: [(key: String, value: String)] = []

    public init() {}

    public static func == (l: Scope, r: Scope) -> Bool {
        l.regions == r.regions && l.tenants == r.tenants && l.teams == r.teams && l.users == r.users
            && l.metadata.map(\.key) == r.metadata.map(\.key) && l.metadata.map(\.value) == r.metadata.map(\.value)
    }

    /// True when no restriction applies.
    public var isUnrestricted: Bool { regions.isEmpty && tenants.isEmpty && teams.isEmpty && users.isEmpty && metadata.isEmpty }

    /// Parses `region=eu-west-1,tenant=acme,meta.customer_id=acme-42` (repeat a key for several values).
    public static func parse(_ text: String) throws(AccessError) -> Scope {
        var scope = Scope()
        // Split on the scalars `,` and `=`, not on characters: a combining mark or emoji modifier
        // right after one would otherwise merge with it into another character.
        for partScalars in text.unicodeScalars.split(separator: ",") {
            let part = String(String.UnicodeScalarView(partScalars))
            guard !part.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            guard let eq = partScalars.firstIndex(of: "=") else { throw .invalidScope("'\(part)' is not key=value") }
            let key = String(String.UnicodeScalarView(partScalars[..<eq])).trimmingCharacters(in: .whitespaces)
            let value = String(String.UnicodeScalarView(partScalars[partScalars.index(after: eq)...])).trimmingCharacters(in: .whitespaces)
            guard !value.isEmpty else { throw .invalidScope("'\(key)' has an empty value") }
            switch key {
            case "region": scope.regions.append(value)
            case "tenant": scope.tenants.append(value)
            case "team": scope.teams.append(value)
            case "user": scope.users.append(value)
            default:
                if key.hasPrefix("meta.") || key.hasPrefix("metadata.") {
                    scope.metadata.append((String(key.drop(while: { $0 != "." }).dropFirst()), value))
                } else {
                    throw .invalidScope("unknown scope key '\(key)' (use region, tenant, team, user or meta.KEY)")
                }
            }
        }
        return scope
    }

    /// `parse` for a scope a caller sends (the HTTP API, `gatelog token create --scope`): an empty
    /// element (`region=a,,tenant=b`, a trailing comma) is a mistake to report, not skipped.
    public static func parseRequest(_ text: String) throws(AccessError) -> Scope {
        if !text.isEmpty,
           text.unicodeScalars.split(separator: ",", omittingEmptySubsequences: false)
               .contains(where: { String(String.UnicodeScalarView($0)).trimmingCharacters(in: .whitespaces).isEmpty }) {
            throw .invalidScope("empty element (a scope is key=value pairs separated by single commas)")
        }
        return try parse(text)
    }

    /// The text form accepted by `parse`.
    public var text: String {
        (regions.map { "region=\($0)" } + tenants.map { "tenant=\($0)" } + teams.map { "team=\($0)" } + users.map { "user=\($0)" }
            + metadata.map { "meta.\($0.key)=\($0.value)" }).joined(separator: ",")
    }

    /// True when a record with these fields is inside the scope.
    public func contains(_ f: RecordFields) -> Bool { firstFieldOutside(f) == nil }

    /// The first field of the record (`region`, `tenant`, `team`, `user` or `metadata`) that
    /// puts it outside the scope, or nil when the record is inside.
    public func firstFieldOutside(_ f: RecordFields) -> String? {
        if !regions.isEmpty && !regions.contains(f.region) { return "region" }
        if !tenants.isEmpty && !tenants.contains(f.tenant ?? "\u{0}") { return "tenant" }
        if !teams.isEmpty && !teams.contains(f.team ?? "\u{0}") { return "team" }
        if !users.isEmpty && !users.contains(f.user ?? "\u{0}") { return "user" }
        if !metadata.isEmpty {
            var byKey: [String: [String]] = [:]
            for m in metadata { byKey[m.key, default: []].append(m.value) }
            for (k, allowed) in byKey {
                guard let v = f.metadata.first(where: { $0.key == k })?.value, allowed.contains(v) else { return "metadata" }
            }
        }
        return nil
    }

    /// True when the region is visible at all.
    public func allows(region: String) -> Bool { regions.isEmpty || regions.contains(region) }
}

/// Who is asking.
public struct Principal: Sendable {
    /// Token id, or `local-admin` for the CLI's explicit local identity.
    public var id: String
    public var role: Role
    public var scope: Scope

    public init(id: String, role: Role, scope: Scope) {
        self.id = id
        self.role = role
        self.scope = scope
    }

    /// The identity of an operator with shell access to the data directory (CLI without --token).
    public static let localAdmin = Principal(id: "local-admin", role: Role.builtIn["admin"]!, scope: Scope())

    public func can(_ p: Permission) -> Bool {
        role.permissions.contains(p) && (scope.isUnrestricted || !Permission.storeWide.contains(p))
    }

    /// Throws `.forbidden` unless the principal holds `permission`.
    public func require(_ permission: Permission) throws(AccessError) {
        guard can(permission) else {
            if role.permissions.contains(permission) {
                throw .forbidden("the \(permission.rawValue) permission covers the whole store; a token with a scope does not hold it")
            }
            throw .forbidden("role '\(role.name)' lacks the \(permission.rawValue) permission")
        }
    }
}

/// A get by id without a region found the id in several regions the caller may see (ids are
/// unique per region only). HTTP 409 `ambiguous_id`; the CLI exits 1.
public struct AmbiguousIDError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The regions holding the id, sorted; only regions within the caller's scope.
    public let regions: [String]

    public init(regions: [String]) { self.regions = regions }

    public var description: String {
        "the id exists in several regions (\(regions.joined(separator: ", "))); name the region to get one of them"
    }
}

/// Authentication and authorisation failures. Messages never contain a token.
public enum AccessError: Error, Equatable, CustomStringConvertible {
    case missingToken
    case invalidToken
    case expiredToken
    case revokedToken
    case forbidden(String)
    case invalidScope(String)
    case unknownRole(String)
    case notFound(String)
    case storage(String)
    /// The index has not caught up with acknowledged records yet (it is slow, not failing):
    /// the answer could be wrong now and right in a moment.
    case indexBehind(String)

    public var description: String {
        switch self {
        case .missingToken: return "a bearer token is required"
        case .invalidToken: return "the token is not valid"
        case .expiredToken: return "the token has expired"
        case .revokedToken: return "the token was revoked"
        case .forbidden(let why): return "forbidden: \(why)"
        case .invalidScope(let why): return "invalid scope: \(why)"
        case .unknownRole(let r): return "unknown role '\(r)'"
        case .notFound(let what): return "\(what) not found"
        case .storage(let why): return why
        case .indexBehind(let why): return why
        }
    }

    /// Short machine-readable reason (also the metrics label).
    public var reason: String {
        switch self {
        case .missingToken: return "missing"
        case .invalidToken: return "invalid"
        case .expiredToken: return "expired"
        case .revokedToken: return "revoked"
        case .forbidden: return "forbidden"
        case .invalidScope: return "invalid_scope"
        case .unknownRole: return "unknown_role"
        case .notFound: return "not_found"
        case .storage: return "storage"
        case .indexBehind: return "index_behind"
        }
    }
}
