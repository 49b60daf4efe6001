import Foundation
import AuditFormat
import GatelogCrypto
#if canImport(Glibc)
import Glibc
#endif

/// The store's Ed25519 signing key and the public keys kept for verification.
///
/// Layout: `<data>/keys/signing.key` (0600: `gatelog-ed25519-v1`, name, base64 seed, one per line,
/// and after a rotation a fourth line `previous <C2SP verifier key>` naming the key it replaced)
/// and `<data>/keys/public/<name>.pub` (C2SP verifier key text) for every key ever used.
public enum KeyStore {
    /// Directory of the keys.
    public static func directory(_ dataDirectory: String) -> String { "\(dataDirectory)/keys" }

    /// Loads the signing key, creating one on first start.
    public static func loadOrCreateSigningKey(dataDirectory: String) throws(StoreError) -> LogSigningKey {
        let dir = directory(dataDirectory)
        let path = "\(dir)/signing.key"
        if FileIO.exists(path) {
            let key = try load(path)
            try publishIfMissing(key, dataDirectory: dataDirectory)
            return key
        }
        // A store that has signed before (its public keys are there) lost its signing key: a new
        // key would sign on without continuing the chain of keys, and verify would trust it.
        let published = try publicKeysAndMalformedFiles(dataDirectory: dataDirectory)
        if !published.keys.isEmpty || !published.malformed.isEmpty {
            throw .keys("\(path) is missing, but this store has signed with \(published.keys.count) key(s) before (keys/public): restore the file from a backup; gatelog does not make a new key for a store that had one")
        }
        return try create(dataDirectory: dataDirectory)
    }

    /// Writes the signing key's public key to `public/` when it is not there (deleted by
    /// mistake): without it, `verify` could not check anything this key signs from now on.
    /// Public keys of earlier keys cannot be restored; `verify` reports what they signed.
    static func publishIfMissing(_ key: LogSigningKey, dataDirectory: String) throws(StoreError) {
        let dir = "\(directory(dataDirectory))/public"
        let path = "\(dir)/\(key.name).pub"
        guard !FileIO.exists(path) else { return }
        do {
            try FileIO.makeDirectories(dir)
            try FileIO.writeAtomically(path, bytes: Array((key.verifier.encoded + "\n").utf8), mode: 0o644)
        } catch { throw .io(error) }
        FileHandle.standardError.write(Data("gatelog: keys/public/\(key.name).pub was missing; written again from the signing key\n".utf8))
    }

    static func load(_ path: String) throws(StoreError) -> LogSigningKey {
        var st = stat()
        if stat(path, &st) == 0, st.st_mode & 0o077 != 0 {
            throw .keys("\(path) is readable by group or others (mode \(String(st.st_mode & 0o777, radix: 8))); run chmod 600 on it")
        }
        let bytes: [UInt8]
        do { bytes = try FileIO.readFile(path) } catch { throw .io(error) }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
        guard lines.count >= 3, lines[0] == "gatelog-ed25519-v1", let seed = Data(base64Encoded: String(lines[2])), seed.count == 32 else {
            throw .keys("\(path) is not a gatelog signing key file")
        }
        var predecessor: LogVerifierKey?
        for line in lines.dropFirst(3) {
            guard line.hasPrefix("previous "), let key = LogVerifierKey(encoded: String(line.dropFirst("previous ".count))) else {
                throw .keys("\(path) has a malformed line after the key (expected `previous <verifier key>`)")
            }
            predecessor = key
        }
        do {
            return LogSigningKey(name: String(lines[1]), privateKey: try Ed25519PrivateKey(seed: Array(seed)), predecessor: predecessor)
        } catch {
            throw .keys("\(path): cannot load the key")
        }
    }

    /// Creates a new signing key (0600), records its public key, and returns it.
    @discardableResult
    public static func create(dataDirectory: String, predecessor: LogVerifierKey? = nil) throws(StoreError) -> LogSigningKey {
        let dir = directory(dataDirectory)
        do { try FileIO.makeDirectories("\(dir)/public") } catch { throw .io(error) }
        let privateKey: Ed25519PrivateKey
        do { privateKey = try Ed25519PrivateKey() } catch { throw .keys("cannot generate a key") }
        let hash = LogVerifierKey(name: "gatelog", publicKey: privateKey.publicKey).keyHash
        let name = "gatelog-\(Hex.encode(hash))"
        let key = LogSigningKey(name: name, privateKey: privateKey, predecessor: predecessor)
        let text = "gatelog-ed25519-v1\n\(name)\n\(Data(privateKey.seed).base64EncodedString())\n"
            + (predecessor.map { "previous \($0.encoded)\n" } ?? "")
        do {
            try FileIO.writeAtomically("\(dir)/public/\(name).pub", bytes: Array((key.verifier.encoded + "\n").utf8), mode: 0o644)
            try FileIO.writeAtomically("\(dir)/signing.key", bytes: Array(text.utf8), mode: 0o600)
        } catch { throw .io(error) }
        return key
    }

    /// Replaces the signing key with a new one that names the old one as its predecessor; the old
    /// public key stays in `public/` for verification. The caller then opens every region with the
    /// new key (`LogStore.resignAll`), so that each region's newest checkpoint is signed by it.
    public static func rotate(dataDirectory: String) throws(StoreError) -> LogSigningKey {
        let old = try load("\(directory(dataDirectory))/signing.key")
        return try create(dataDirectory: dataDirectory, predecessor: old.verifier)
    }

    /// Every public key in `<data>/keys/public`; a file that is not one is an error (a writer
    /// must not guess which keys it may trust).
    public static func publicKeys(dataDirectory: String) throws(StoreError) -> [LogVerifierKey] {
        let found = try publicKeysAndMalformedFiles(dataDirectory: dataDirectory)
        if let bad = found.malformed.first { throw .keys("\(bad) is not a valid verifier key") }
        return found.keys
    }

    /// Every public key in `<data>/keys/public`, and the paths of `.pub` files that are not one
    /// (for `verify`, which checks with the keys it has and reports the rest).
    public static func publicKeysAndMalformedFiles(dataDirectory: String) throws(StoreError) -> (keys: [LogVerifierKey], malformed: [String]) {
        let dir = "\(directory(dataDirectory))/public"
        guard FileIO.exists(dir) else { return ([], []) }
        let names: [String]
        do { names = try FileIO.list(dir) } catch { throw .io(error) }
        var keys: [LogVerifierKey] = []
        var malformed: [String] = []
        for name in names.sorted() where name.hasSuffix(".pub") {
            let bytes: [UInt8]
            do { bytes = try FileIO.readFile("\(dir)/\(name)") } catch { throw .io(error) }
            if let key = LogVerifierKey(encoded: String(decoding: bytes, as: UTF8.self)) {
                keys.append(key)
            } else {
                malformed.append("\(dir)/\(name)")
            }
        }
        return (keys, malformed)
    }

    /// Reads verifier keys from a file holding one C2SP verifier key per line.
    public static func readVerifierKeys(file: String) throws(StoreError) -> [LogVerifierKey] {
        let bytes: [UInt8]
        do { bytes = try FileIO.readFile(file) } catch { throw .io(error) }
        var keys: [LogVerifierKey] = []
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let k = LogVerifierKey(encoded: String(line)) else { throw .keys("\(file) holds a malformed verifier key") }
            keys.append(k)
        }
        return keys
    }
}
