import Foundation
import GatelogCrypto

/// An Ed25519 signing key with a C2SP signed-note name and key hash.
public struct LogSigningKey: Sendable {
    /// The key name as it appears in signature lines (`gatelog-1a2b3c4d`).
    public let name: String
    /// The private key.
    public let privateKey: Ed25519PrivateKey
    /// The key this one replaced (`gatelog key rotate`), if any: the only other key whose
    /// signatures a writer accepts on a region's newest checkpoint and unsigned tail (so that a
    /// key merely dropped into `keys/public/` can never get forged records signed over).
    public let predecessor: LogVerifierKey?

    /// Wraps a private key under `name`.
    public init(name: String, privateKey: Ed25519PrivateKey, predecessor: LogVerifierKey? = nil) {
        self.name = name
        self.privateKey = privateKey
        self.predecessor = predecessor
    }

    /// The keys a writer accepts on what no checkpoint of its own covers yet: this key and its predecessor.
    public var writerKeyring: VerifierKeyring { VerifierKeyring([verifier] + (predecessor.map { [$0] } ?? [])) }

    /// The verifier for this key.
    public var verifier: LogVerifierKey { LogVerifierKey(name: name, publicKey: privateKey.publicKey) }

    /// Signs `message`.
    public func sign(_ message: [UInt8]) throws -> [UInt8] { try privateKey.sign(message) }
}

/// An Ed25519 public key with its signed-note name; parses and prints the C2SP
/// verifier key form `<name>+<hex key hash>+<base64(0x01 || public key)>`.
public struct LogVerifierKey: Sendable, Hashable {
    public let name: String
    public let publicKey: Ed25519PublicKey

    public init(name: String, publicKey: Ed25519PublicKey) {
        self.name = name
        self.publicKey = publicKey
    }

    /// The 4-byte key hash: the first 4 bytes of SHA-256(name || 0x0A || 0x01 || public key).
    public var keyHash: [UInt8] {
        var buffer = Array(name.utf8)
        buffer.append(0x0A)
        buffer.append(0x01)
        buffer.append(contentsOf: publicKey.raw)
        return Array(SHA256.hash(buffer).bytes.prefix(4))
    }

    /// The key hash as a big-endian integer (for quick lookup).
    public var keyHashValue: UInt32 { keyHash.reduce(0) { $0 << 8 | UInt32($1) } }

    /// The C2SP verifier key text.
    public var encoded: String {
        "\(name)+\(Hex.encode(keyHash))+\(Data([0x01] + publicKey.raw).base64EncodedString())"
    }

    /// Parses the C2SP verifier key text; nil when malformed or when the hash does not match.
    public init?(encoded text: String) {
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let keyData = Data(base64Encoded: String(parts[2])), keyData.count == 33, keyData.first == 0x01,
              let pub = try? Ed25519PublicKey(raw: Array(keyData.dropFirst())) else { return nil }
        self.init(name: String(parts[0]), publicKey: pub)
        guard Hex.encode(keyHash) == parts[1].lowercased() else { return nil }
    }

    /// True when `signature` is valid for `message` under this key.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        publicKey.isValidSignature(signature, for: message)
    }
}

/// A set of trusted verifier keys, looked up by key hash.
public struct VerifierKeyring: Sendable {
    private var byHash: [UInt32: [LogVerifierKey]] = [:]

    /// An empty keyring.
    public init() {}

    /// A keyring holding `keys`.
    public init(_ keys: [LogVerifierKey]) { for k in keys { add(k) } }

    /// Adds a key.
    public mutating func add(_ key: LogVerifierKey) {
        if byHash[key.keyHashValue]?.contains(key) == true { return }
        byHash[key.keyHashValue, default: []].append(key)
    }

    /// All keys.
    public var keys: [LogVerifierKey] { byHash.values.flatMap { $0 } }

    /// The keys whose hash is `keyHash` (and name is `name`, when given).
    public func keys(forHash keyHash: UInt32, name: String? = nil) -> [LogVerifierKey] {
        (byHash[keyHash] ?? []).filter { name == nil || $0.name == name }
    }

    /// True when some key with this hash validates the signature.
    public func verify(keyHash: UInt32, name: String? = nil, signature: [UInt8], message: [UInt8]) -> Bool {
        keys(forHash: keyHash, name: name).contains { $0.isValidSignature(signature, for: message) }
    }
}
