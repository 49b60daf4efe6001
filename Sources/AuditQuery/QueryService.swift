import Foundation
import AuditFormat
import AuditStore
import GatelogCrypto
import JSON

/// Appends an entry to the access log for every read, verification and token change.
public protocol AccessRecorder: Sendable {
    /// Records that `principal` did `action` with `parameters`, touching `results` records.
    func record(principal: Principal, action: String, parameters: JSONValue, results: Int, outcome: String)
}

/// The one entry point for reads, verification and administration, used by the CLI and the
/// HTTP service alike: every call checks the principal's role and scope here, never in callers,
/// and is written to the access log.
public final class QueryService: Sendable {
    public let configuration: StoreConfiguration
    public let tokens: TokenStore
    private let recorder: (any AccessRecorder)?

    public init(configuration: StoreConfiguration, tokens: TokenStore, recorder: (any AccessRecorder)?) {
        self.configuration = configuration
        self.tokens = tokens
        self.recorder = recorder
    }

    func audit(_ principal: Principal, _ action: String, _ parameters: [JSONMember], results: Int, outcome: String = "ok") {
        recorder?.record(principal: principal, action: action, parameters: .object(parameters), results: results, outcome: outcome)
    }

    /// Regions the principal may see among those that exist (the access log only for admins).
    public func visibleRegions(_ principal: Principal, requested: [String] = []) -> [String] {
        let existing = LogStoreLayout(configuration: configuration).regions()
        return existing.filter { region in
            (requested.isEmpty || requested.contains(region)) && principal.scope.allows(region: region)
                && (!region.hasPrefix("_") || principal.can(.admin))
        }
    }

    // MARK: Verification and checkpoints

    /// Verifies the principal's regions. Requires `verify`.
    public func verify(_ principal: Principal, regions requested: [String] = [], outsideCheckpoints: [SignedCheckpoint] = [],
                       pinnedKeys: [LogVerifierKey] = []) throws -> [RegionVerification] {
        try principal.require(.verify)
        var keyring = VerifierKeyring()
        if pinnedKeys.isEmpty {
            for k in try KeyStore.publicKeys(dataDirectory: configuration.dataDirectory) { keyring.add(k) }
        } else {
            for k in pinnedKeys { keyring.add(k) }
        }
        var reports: [RegionVerification] = []
        for region in visibleRegions(principal, requested: requested) {
            var verifier = RegionVerifier(region: region, directory: configuration.regionDirectory(region), keyring: keyring)
            verifier.externalCheckpoints = outsideCheckpoints.filter { $0.checkpoint.region == region }
            reports.append(try verifier.verify())
        }
        audit(principal, "verify", [JSONMember("regions", .array(requested.map { .string($0) }))], results: reports.count,
              outcome: reports.allSatisfy(\.isIntact) ? "intact" : "broken")
        return reports
    }

    /// The latest signed checkpoint of a region. Requires `read_envelope` or `verify`, and the region in scope;
    /// a region outside the scope looks like one that does not exist.
    public func latestCheckpoint(_ principal: Principal, region: String) throws -> SignedCheckpoint {
        guard principal.can(.readEnvelope) || principal.can(.verify) else {
            throw AccessError.forbidden("role '\(principal.role.name)' cannot read checkpoints")
        }
        guard visibleRegions(principal, requested: [region]).contains(region) else { throw AccessError.notFound("region") }
        let path = "\(configuration.regionDirectory(region))/checkpoints.log"
        guard FileIO.exists(path),
              let latest = CheckpointLog.parse(try FileIO.readFile(path)).entries.compactMap(\.checkpoint)
                .max(by: { $0.checkpoint.treeSize < $1.checkpoint.treeSize }) else {
            throw AccessError.notFound("checkpoint")
        }
        return latest
    }

    // MARK: Tokens

    /// Creates a token. Requires `admin`.
    public func createToken(_ principal: Principal, role: String, scope: Scope, expiresIn: TimeInterval?,
                            description: String? = nil) throws -> (TokenRecord, String) {
        try principal.require(.admin)
        let created = try tokens.create(role: role, scope: scope, expiresIn: expiresIn, description: description)
        audit(principal, "token.create", [JSONMember("token_id", .string(created.0.id)), JSONMember("role", .string(role)),
                                          JSONMember("scope", .string(scope.text))], results: 1)
        return created
    }

    /// Lists tokens (never their secrets). Requires `admin`.
    public func listTokens(_ principal: Principal) throws -> [TokenRecord] {
        try principal.require(.admin)
        let list = try tokens.list()
        audit(principal, "token.list", [], results: list.count)
        return list
    }

    /// Revokes a token. Requires `admin`.
    public func revokeToken(_ principal: Principal, id: String) throws {
        try principal.require(.admin)
        try tokens.revoke(id: id)
        audit(principal, "token.revoke", [JSONMember("token_id", .string(id))], results: 1)
    }

    /// Rotates a token. Requires `admin`.
    public func rotateToken(_ principal: Principal, id: String) throws -> (TokenRecord, String) {
        try principal.require(.admin)
        let created = try tokens.rotate(id: id)
        audit(principal, "token.rotate", [JSONMember("token_id", .string(id)), JSONMember("new_token_id", .string(created.0.id))], results: 1)
        return created
    }
}
