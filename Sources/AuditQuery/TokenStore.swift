import Foundation
import Synchronization
import AuditFormat
import AuditStore
import GatelogCrypto
import JSON
#if canImport(Glibc)
import Glibc
#endif

/// A stored token: only the SHA-256 of its secret is kept.
public struct TokenRecord: Sendable, Equatable {
    public var id: String
    public var role: String
    public var scope: Scope
    public var createdAt: Int64
    public var expiresAt: Int64?
    public var revokedAt: Int64?
    /// SHA-256 of the whole token text.
    public var secretHash: Digest32
    public var description: String?

    func jsonValue() -> JSONValue {
        var m = [JSONMember("id", .string(id)), JSONMember("role", .string(role)), JSONMember("scope", .string(scope.text)),
                 JSONMember("created_at", .int(createdAt)), JSONMember("hash", .string(secretHash.hex))]
        if let expiresAt { m.append(JSONMember("expires_at", .int(expiresAt))) }
        if let revokedAt { m.append(JSONMember("revoked_at", .int(revokedAt))) }
        if let description { m.append(JSONMember("description", .string(description))) }
        return .object(m)
    }

    /// The public view (no hash).
    public func publicJSON() -> JSONValue {
        var m = [JSONMember("id", .string(id)), JSONMember("role", .string(role)), JSONMember("scope", .string(scope.text)),
                 JSONMember("created_at", .string(Timestamp.format(milliseconds: createdAt)))]
        m.append(JSONMember("expires_at", expiresAt.map { .string(Timestamp.format(milliseconds: $0)) } ?? .null))
        m.append(JSONMember("revoked", .bool(revokedAt != nil)))
        return .object(m)
    }
}

/// Tokens kept in `<data>/auth/tokens.json` (0600), rewritten atomically; a running server
/// notices changes (revocation, rotation) on the next request without a restart.
///
/// A token is `glt_<id>_<43 characters of base64url randomness>` (256 bits); it is shown once.
public final class TokenStore: Sendable {
    public let path: String
    private struct State {
        var tokens: [String: TokenRecord] = [:]
        var modified: timespec = timespec()
        var size: Int64 = -1
    }
    private let state = Mutex(State())
    /// Serialises changes within the process (with `flock` on `tokens.json.lock` across processes:
    /// the server and the CLI), so that no change is lost to a concurrent one.
    private let changeLock = Mutex(())
    /// Custom roles from the configuration, besides the built-in ones.
    public let roles: [String: Role]

    public init(dataDirectory: String, roles: [String: Role] = Role.builtIn) {
        self.path = "\(dataDirectory)/auth/tokens.json"
        self.roles = roles
    }

    /// A new token: its record and the secret (shown once, never stored), not stored yet (`add`
    /// stores it), so that the access-log entry of the change is written before the token can be
    /// used (`QueryService.createToken`). O(1).
    public func make(role: String, scope: Scope, expiresIn: TimeInterval?, description: String? = nil) throws(AccessError) -> (TokenRecord, String) {
        guard roles[role] != nil else { throw .unknownRole(role) }
        let idBytes: [UInt8]
        let secret: [UInt8]
        do {
            idBytes = try SecureRandom.bytes(6)
            secret = try SecureRandom.bytes(32)
        } catch { throw .storage("token store: no randomness") }
        let id = "tok_" + Hex.encode(idBytes)
        let token = "glt_\(id.dropFirst(4))_" + Data(secret).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let record = TokenRecord(id: id, role: role, scope: scope, createdAt: now,
                                 expiresAt: expiresIn.map { now + Int64($0 * 1000) }, revokedAt: nil,
                                 secretHash: SHA256.hash(token), description: description)
        return (record, token)
    }

    /// Stores a token made by `make`; from now on it authenticates.
    public func add(_ record: TokenRecord) throws(AccessError) {
        try mutate { $0[record.id] = record }
    }

    /// Revokes a token by id.
    public func revoke(id: String) throws(AccessError) {
        try mutate { tokens in
            guard var t = tokens[id] else { throw AccessError.notFound("token \(id)") }
            t.revokedAt = Int64(Date().timeIntervalSince1970 * 1000)
            tokens[id] = t
        }
    }

    /// The token that replaces `id` (same role, scope and remaining lifetime), not stored yet;
    /// `QueryService.rotateToken` stores it and revokes `id`. Throws `notFound` unless `id` is an
    /// active token.
    public func makeReplacement(for id: String) throws(AccessError) -> (TokenRecord, String) {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        // An expired token is not active: rotating it must not give it a new lifetime.
        guard let old = try list().first(where: { $0.id == id }), old.revokedAt == nil, (old.expiresAt ?? .max) > now else {
            throw .notFound("active token \(id)")
        }
        let remaining = old.expiresAt.map { Double($0 - now) / 1000 }
        return try make(role: old.role, scope: old.scope, expiresIn: remaining.map { max(0.001, $0) }, description: old.description)
    }

    /// Every token record, sorted by creation.
    public func list() throws(AccessError) -> [TokenRecord] {
        try reloadIfChanged()
        return state.withLock { Array($0.tokens.values) }.sorted { $0.createdAt < $1.createdAt }
    }

    /// True when at least one unrevoked token exists.
    public func hasActiveTokens() throws(AccessError) -> Bool { try list().contains { $0.revokedAt == nil } }

    /// Authenticates an `Authorization` header value. Constant-time comparison of the hash.
    public func authenticate(authorization: String?) throws(AccessError) -> Principal {
        // Byte-level: Foundation's `trimmingCharacters` showed in GET profiles.
        var bytes = Substring(authorization ?? "").utf8[...]
        func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }
        while let b = bytes.first, isBlank(b) { bytes = bytes.dropFirst() }
        while let b = bytes.last, isBlank(b) { bytes = bytes.dropLast() }
        guard !bytes.isEmpty else { throw .missingToken }
        guard bytes.count > 7, bytes.prefix(7).elementsEqual("bearer ".utf8, by: { $0 | 0x20 == $1 }) else { throw .invalidToken }
        bytes = bytes.dropFirst(7)
        while let b = bytes.first, isBlank(b) { bytes = bytes.dropFirst() }
        return try authenticate(token: String(Substring(bytes)))
    }

    /// Authenticates a bare token.
    public func authenticate(token: String) throws(AccessError) -> Principal {
        let parts = token.split(separator: "_", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "glt", parts[1].count == 12 else { throw .invalidToken }
        try reloadIfChanged()
        let id = "tok_" + parts[1]
        guard let record = state.withLock({ $0.tokens[id] }) else { throw .invalidToken }
        guard ConstantTime.equals(SHA256.hash(token).bytes, record.secretHash.bytes) else { throw .invalidToken }
        if record.revokedAt != nil { throw .revokedToken }
        if let e = record.expiresAt, e <= Int64(Date().timeIntervalSince1970 * 1000) { throw .expiredToken }
        guard let role = roles[record.role] else { throw .unknownRole(record.role) }
        return Principal(id: record.id, role: role, scope: record.scope)
    }

    // MARK: File

    private func mutate(_ change: (inout [String: TokenRecord]) throws -> Void) throws(AccessError) {
        try changeLock.withLock { _ throws(AccessError) in
            do { try FileIO.makeDirectories((path as NSString).deletingLastPathComponent) } catch { throw .storage("token store: \(error)") }
            let lockFD = open(path + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard lockFD >= 0 else { throw .storage("token store: cannot open \(path).lock (errno \(errno))") }
            defer { close(lockFD) } // closing releases the flock
            while flock(lockFD, LOCK_EX) != 0 {
                guard errno == EINTR else { throw .storage("token store: cannot lock \(path).lock (errno \(errno))") }
            }
            // Read what another process may have written since: the change applies to the latest file.
            state.withLock { $0.size = -1 }
            try mutateLocked(change)
        }
    }

    private func mutateLocked(_ change: (inout [String: TokenRecord]) throws -> Void) throws(AccessError) {
        try reloadIfChanged()
        var tokens = state.withLock { $0.tokens }
        do { try change(&tokens) } catch let e as AccessError { throw e } catch { throw .storage("token store: \(error)") }
        let file = JSONValue.object([JSONMember("version", 1),
                                     JSONMember("tokens", .array(tokens.values.sorted { $0.createdAt < $1.createdAt }.map { $0.jsonValue() }))])
        do {
            try FileIO.writeAtomically(path, bytes: file.serialized() + [0x0A], mode: 0o600)
        } catch { throw .storage("token store: \(error)") }
        state.withLock { $0.tokens = tokens; $0.size = -1 }
        try reloadIfChanged()
    }

    private func reloadIfChanged() throws(AccessError) {
        var st = stat()
        guard stat(path, &st) == 0 else {
            state.withLock { $0.tokens = [:]; $0.size = -1 }
            return
        }
        let unchanged = state.withLock { s in
            s.size == Int64(st.st_size) && s.modified.tv_sec == st.st_mtim.tv_sec && s.modified.tv_nsec == st.st_mtim.tv_nsec
        }
        if unchanged { return }
        if st.st_mode & 0o077 != 0 { throw .storage("token store: \(path) is readable by group or others; run chmod 600 on it") }
        let bytes: [UInt8]
        do { bytes = try FileIO.readFile(path) } catch { throw .storage("token store: \(error)") }
        guard let value = try? JSONValue.parse(bytes), let list = value["tokens"]?.arrayValue else { throw .storage("token store: \(path) is malformed") }
        var tokens: [String: TokenRecord] = [:]
        for t in list {
            guard let id = t["id"]?.stringValue, let role = t["role"]?.stringValue, let created = t["created_at"]?.int64Value,
                  let hashHex = t["hash"]?.stringValue, let hash = Digest32(hex: hashHex) else { throw .storage("token store: \(path) has a malformed token") }
            let scope = try Scope.parse(t["scope"]?.stringValue ?? "")
            tokens[id] = TokenRecord(id: id, role: role, scope: scope, createdAt: created, expiresAt: t["expires_at"]?.int64Value,
                                     revokedAt: t["revoked_at"]?.int64Value, secretHash: hash, description: t["description"]?.stringValue)
        }
        state.withLock { $0.tokens = tokens; $0.size = Int64(st.st_size); $0.modified = st.st_mtim }
    }
}

/// Parses durations like `30d`, `12h`, `90m`, `3600s`.
public enum DurationText {
    /// The longest accepted duration: 100 years (expiry times are milliseconds in an Int64).
    public static let maximum: TimeInterval = 100 * 365.25 * 86_400

    /// Seconds, or nil when the text is not a positive, finite duration of at most `maximum`.
    public static func parse(_ text: String) -> TimeInterval? {
        guard let unit = text.last, let n = Double(text.dropLast()), n > 0, n.isFinite else { return nil }
        let seconds: TimeInterval
        switch unit {
        case "s": seconds = n
        case "m": seconds = n * 60
        case "h": seconds = n * 3600
        case "d": seconds = n * 86_400
        case "w": seconds = n * 604_800
        default: return nil
        }
        return seconds <= maximum ? seconds : nil
    }
}
