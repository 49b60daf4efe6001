internal import CCrypto
import Foundation

/// Errors raised by the cryptographic primitives. They never carry key material.
public enum CryptoError: Error, Equatable, CustomStringConvertible {
    /// OpenSSL failed inside the named operation.
    case openssl(operation: String)
    /// A key had the wrong length or encoding.
    case invalidKey(String)
    /// The system random generator failed.
    case randomFailure

    public var description: String {
        switch self {
        case .openssl(let op): return "OpenSSL failed during \(op)"
        case .invalidKey(let why): return "invalid key: \(why)"
        case .randomFailure: return "the system random generator failed"
        }
    }
}

/// The SHA-256 algorithm object, fetched once.
///
/// `nonisolated(unsafe)` is sound here: an `EVP_MD` returned by `EVP_MD_fetch` is
/// immutable and documented as safe to share between threads; it is never freed.
nonisolated(unsafe) private let sha256Algorithm: OpaquePointer = EVP_MD_fetch(nil, "SHA256", nil)!

/// A 32-byte SHA-256 digest, stored inline (no heap allocation).
public struct Digest32: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var a: UInt64, b: UInt64, c: UInt64, d: UInt64

    /// The all-zero digest (used as the chain's genesis value).
    public static let zero = Digest32(a: 0, b: 0, c: 0, d: 0)

    public init(a: UInt64, b: UInt64, c: UInt64, d: UInt64) { self.a = a; self.b = b; self.c = c; self.d = d }

    /// Reads 32 bytes from `pointer` (no alignment needed).
    public init(_ pointer: UnsafeRawPointer) {
        a = UInt64(bigEndian: pointer.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        b = UInt64(bigEndian: pointer.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        c = UInt64(bigEndian: pointer.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
        d = UInt64(bigEndian: pointer.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
    }

    /// Builds a digest from exactly 32 bytes; nil otherwise.
    public init?<C: Collection>(bytes: C) where C.Element == UInt8 {
        guard bytes.count == 32 else { return nil }
        let array = Array(bytes)
        self = array.withUnsafeBytes { Digest32($0.baseAddress!) }
    }

    /// Parses 64 hexadecimal characters.
    public init?(hex: String) {
        guard let bytes = Hex.decode(hex), bytes.count == 32 else { return nil }
        self.init(bytes: bytes)!
    }

    /// Writes the 32 bytes to `pointer`.
    public func store(to pointer: UnsafeMutableRawPointer) {
        pointer.storeBytes(of: a.bigEndian, toByteOffset: 0, as: UInt64.self)
        pointer.storeBytes(of: b.bigEndian, toByteOffset: 8, as: UInt64.self)
        pointer.storeBytes(of: c.bigEndian, toByteOffset: 16, as: UInt64.self)
        pointer.storeBytes(of: d.bigEndian, toByteOffset: 24, as: UInt64.self)
    }

    /// The digest as 32 bytes.
    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        out.withUnsafeMutableBytes { store(to: $0.baseAddress!) }
        return out
    }

    /// Appends the 32 bytes to `buffer`.
    public func append(to buffer: inout [UInt8]) {
        withUnsafeBytes(of: (a.bigEndian, b.bigEndian, c.bigEndian, d.bigEndian)) { buffer.append(contentsOf: $0) }
    }

    /// Lower-case hexadecimal form.
    public var hex: String { Hex.encode(bytes) }
    /// Standard base64 form (as used in checkpoints).
    public var base64: String { Data(bytes).base64EncodedString() }
    public var description: String { hex }

    public static func < (l: Digest32, r: Digest32) -> Bool { (l.a, l.b, l.c, l.d) < (r.a, r.b, r.c, r.d) }
}

/// SHA-256 through OpenSSL's SHA256_* functions (a context on the stack; see CCrypto/shim.h).
public enum SHA256 {
    /// Hashes a contiguous buffer.
    public static func hash(_ buffer: UnsafeRawBufferPointer) -> Digest32 {
        var out = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        withUnsafeMutableBytes(of: &out) { outBuf in
            gatelog_sha256(buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, buffer.count,
                           outBuf.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        return withUnsafeBytes(of: out) { Digest32($0.baseAddress!) }
    }

    /// Hashes any contiguous byte sequence.
    public static func hash<D: ContiguousBytes>(_ data: D) -> Digest32 {
        data.withUnsafeBytes { hash($0) }
    }

    /// Hashes a string's UTF-8 bytes.
    public static func hash(_ string: String) -> Digest32 {
        var s = string
        return s.withUTF8 { hash(UnsafeRawBufferPointer($0)) }
    }
}

/// An incremental SHA-256 computation (for whole files and segments).
public final class SHA256Hasher {
    private let context: UnsafeMutablePointer<SHA256_CTX>

    /// Starts a new computation.
    public init() {
        context = .allocate(capacity: 1)
        SHA256_Init(context)
    }

    deinit { context.deallocate() }

    /// Feeds bytes.
    public func update(_ buffer: UnsafeRawBufferPointer) {
        guard buffer.count > 0 else { return }
        SHA256_Update(context, buffer.baseAddress, buffer.count)
    }

    /// Feeds any contiguous bytes.
    public func update<D: ContiguousBytes>(_ data: D) { data.withUnsafeBytes { update($0) } }

    /// Finishes and returns the digest; the hasher is reset for reuse.
    public func finalize() -> Digest32 {
        var out = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        withUnsafeMutableBytes(of: &out) { _ = SHA256_Final($0.baseAddress!.assumingMemoryBound(to: UInt8.self), context) }
        SHA256_Init(context)
        return withUnsafeBytes(of: out) { Digest32($0.baseAddress!) }
    }
}

/// HMAC-SHA256 (used for keyed hashing of redacted values).
public enum HMACSHA256 {
    /// Computes HMAC-SHA256(key, message).
    public static func authenticate(key: [UInt8], message: UnsafeRawBufferPointer) -> Digest32 {
        var out = [UInt8](repeating: 0, count: 32)
        var len: UInt32 = 32
        key.withUnsafeBytes { k in
            _ = HMAC(sha256Algorithm, k.baseAddress, Int32(k.count),
                     message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count, &out, &len)
        }
        return Digest32(bytes: out)!
    }

    /// Computes HMAC-SHA256 over a string's UTF-8 bytes.
    public static func authenticate(key: [UInt8], message: String) -> Digest32 {
        var s = message
        return s.withUTF8 { authenticate(key: key, message: UnsafeRawBufferPointer($0)) }
    }
}

/// Cryptographically secure random bytes from OpenSSL's DRBG.
public enum SecureRandom {
    /// Returns `count` random bytes.
    public static func bytes(_ count: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        guard count == 0 || RAND_bytes(&out, Int32(count)) == 1 else { throw CryptoError.randomFailure }
        return out
    }
}

/// Comparison whose time does not depend on where the inputs differ.
public enum ConstantTime {
    /// True when both byte arrays are equal; runs in time proportional to their length only.
    public static func equals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<lhs.count { diff |= lhs[i] ^ rhs[i] }
        return diff == 0
    }
}

/// An Ed25519 private key (RFC 8032) held by OpenSSL.
public final class Ed25519PrivateKey: Sendable {
    /// The 32-byte seed. Never logged or printed.
    public let seed: [UInt8]
    /// The matching public key.
    public let publicKey: Ed25519PublicKey
    /// The OpenSSL key object, created once (deriving the public key costs a scalar multiplication).
    ///
    /// `nonisolated(unsafe)` is sound: the EVP_PKEY is never mutated after `init`, OpenSSL 3
    /// documents read-only use of one EVP_PKEY from several threads as safe (each signature uses
    /// its own EVP_MD_CTX), and it is freed only in `deinit`, when no other reference exists.
    nonisolated(unsafe) private let pkey: OpaquePointer

    /// Generates a fresh key from the system random generator.
    public convenience init() throws {
        try self.init(seed: try SecureRandom.bytes(32))
    }

    /// Loads a key from its 32-byte seed.
    public init(seed: [UInt8]) throws {
        guard seed.count == 32 else { throw CryptoError.invalidKey("an Ed25519 seed is 32 bytes") }
        self.seed = seed
        guard let pkey = seed.withUnsafeBufferPointer({ EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, $0.baseAddress, 32) }) else {
            throw CryptoError.openssl(operation: "loading an Ed25519 private key")
        }
        var pub = [UInt8](repeating: 0, count: 32)
        var len = 32
        guard EVP_PKEY_get_raw_public_key(pkey, &pub, &len) == 1, len == 32 else {
            EVP_PKEY_free(pkey)
            throw CryptoError.openssl(operation: "deriving an Ed25519 public key")
        }
        self.pkey = pkey
        self.publicKey = try Ed25519PublicKey(raw: pub)
    }

    deinit { EVP_PKEY_free(pkey) }

    /// Signs `message` (pure Ed25519, no pre-hash); returns the 64-byte signature.
    public func sign(_ message: [UInt8]) throws -> [UInt8] {
        guard let ctx = EVP_MD_CTX_new() else { throw CryptoError.openssl(operation: "allocating a signing context") }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestSignInit(ctx, nil, nil, nil, pkey) == 1 else { throw CryptoError.openssl(operation: "EVP_DigestSignInit") }
        var signature = [UInt8](repeating: 0, count: 64)
        var sigLen = 64
        let ok = message.withUnsafeBufferPointer { m in
            EVP_DigestSign(ctx, &signature, &sigLen, m.baseAddress ?? UnsafePointer(bitPattern: 1)!, m.count)
        }
        guard ok == 1, sigLen == 64 else { throw CryptoError.openssl(operation: "EVP_DigestSign") }
        return signature
    }
}

/// An Ed25519 public key.
public struct Ed25519PublicKey: Hashable, Sendable {
    /// The 32 raw bytes.
    public let raw: [UInt8]

    /// Wraps 32 raw bytes.
    public init(raw: [UInt8]) throws {
        guard raw.count == 32 else { throw CryptoError.invalidKey("an Ed25519 public key is 32 bytes") }
        self.raw = raw
    }

    /// True when `signature` is a valid Ed25519 signature of `message` under this key.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        guard signature.count == 64 else { return false }
        guard let pkey = raw.withUnsafeBufferPointer({ EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, $0.baseAddress, 32) }) else {
            return false
        }
        defer { EVP_PKEY_free(pkey) }
        guard let ctx = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestVerifyInit(ctx, nil, nil, nil, pkey) == 1 else { return false }
        let ok = signature.withUnsafeBufferPointer { s in
            message.withUnsafeBufferPointer { m in
                EVP_DigestVerify(ctx, s.baseAddress, 64, m.baseAddress ?? UnsafePointer(bitPattern: 1)!, m.count)
            }
        }
        ERR_clear_error()
        return ok == 1
    }
}

/// Hexadecimal encoding and decoding.
public enum Hex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Lower-case hex of `bytes`.
    public static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes hex (either case); nil on odd length or a non-hex character.
    public static func decode(_ string: String) -> [UInt8]? {
        let chars = Array(string.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(chars.count / 2)
        var i = 0
        while i < chars.count {
            guard let hi = value(chars[i]), let lo = value(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
