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
    ///
    /// Only the first creation of a store makes a key: when the key file is missing but the store
    /// has signed before — public keys in `keys/public/`, a region registered in `region-registry/`,
    /// or a checkpoint log or segment in one of `regionDirectories` (the regions on disk and in the
    /// configuration) — this throws, naming the file, instead of inventing a key that would sign on
    /// without continuing the store's chain of keys (and that a plain `verify` would trust).
    public static func loadOrCreateSigningKey(dataDirectory: String, regionDirectories: [String] = []) throws(StoreError) -> LogSigningKey {
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
        // The public keys may be gone too: the regions still show that the store signed before.
        let registered = RegionRegistry.regions(dataDirectory: dataDirectory)
        if let region = registered.first {
            throw .keys("\(path) is missing, but this store has created regions before (region-registry/\(region).json): restore the file from a backup; gatelog does not make a new key for a store that had one")
        }
        for regionDirectory in regionDirectories where hasSigned(regionDirectory: regionDirectory) {
            let region = (regionDirectory as NSString).lastPathComponent
            throw .keys("\(path) is missing, but region \(region) holds checkpoints or segments this store signed: restore the file from a backup; gatelog does not make a new key for a store that had one")
        }
        return try create(dataDirectory: dataDirectory)
    }

    /// True when a region directory holds a non-empty checkpoint log or a segment file.
    static func hasSigned(regionDirectory: String) -> Bool {
        var st = stat()
        if stat("\(regionDirectory)/checkpoints.log", &st) == 0, st.st_size > 0 { return true }
        return RegionRegistry.holdsRegion(regionDirectory)
    }

    /// The store's signing key as `verify` sees it: only its public half and predecessor matter
    /// there (whether it continues the keys that signed each region's newest checkpoint).
    public enum SigningKeyState: Sendable {
        /// `keys/signing.key` holds this key, naming the key it replaced (after `key rotate`).
        case present(LogVerifierKey, predecessor: LogVerifierKey?)
        /// There is no `keys/signing.key`.
        case missing
        /// The file is there but is not a signing key file (what is wrong, without key material).
        case malformed(String)
        /// The file could not be read (e.g. permissions): nothing can be said about it.
        case unreadable(String)
    }

    /// Reads `keys/signing.key` for `verify`, which never writes: the file's mode is not checked
    /// here (a writer refuses a key readable by others, with that reason).
    public static func signingKeyState(dataDirectory: String) -> SigningKeyState {
        let path = "\(directory(dataDirectory))/signing.key"
        guard FileIO.exists(path) else { return .missing }
        let bytes: [UInt8]
        do { bytes = try FileIO.readFile(path) } catch { return .unreadable(FileIOError.explain(error.code)) }
        do throws(StoreError) {
            let key = try parse(bytes, path: path)
            return .present(key.verifier, predecessor: key.predecessor)
        } catch {
            return .malformed("\(error)")
        }
    }

    /// Why a writer holding `key` (whose predecessor is `predecessor`) must not continue a region
    /// whose checkpoint log holds `checkpoints` (validly signed, in file order), or nil. Shared by
    /// the writer, which refuses the region, and `verify`, which reports it
    /// (`signing_key_mismatch`), so that the two never disagree.
    public enum ContinuityProblem: Sendable, Equatable {
        /// The newest checkpoint is signed neither by the key nor by its predecessor.
        case newestNotSigned(treeSize: UInt64)
        /// A checkpoint signed by another key follows the first one `key` signed in this log
        /// (after a rotation, the replaced key signs nothing more).
        case oldKeyAfterRotation(treeSize: UInt64)
    }

    /// See `ContinuityProblem`. `checkpoints` must hold only entries of the region's origin.
    public static func continuityProblem(_ checkpoints: [SignedCheckpoint], key: LogVerifierKey,
                                         predecessor: LogVerifierKey?) -> ContinuityProblem? {
        let currentOnly = VerifierKeyring([key])
        if let rotatedHere = checkpoints.firstIndex(where: { $0.isSigned(by: currentOnly) }),
           let stale = checkpoints[rotatedHere...].first(where: { !$0.isSigned(by: currentOnly) }) {
            return .oldKeyAfterRotation(treeSize: stale.checkpoint.treeSize)
        }
        guard let newest = checkpoints.map(\.checkpoint.treeSize).max() else { return nil }
        let writerKeys = VerifierKeyring([key] + (predecessor.map { [$0] } ?? []))
        if !checkpoints.contains(where: { $0.checkpoint.treeSize == newest && $0.isSigned(by: writerKeys) }) {
            return .newestNotSigned(treeSize: newest)
        }
        return nil
    }

    /// Writes the signing key's public key to `public/` when it is not there (deleted by
    /// mistake): without it, `verify` could not check anything this key signs from now on.
    /// Public keys of earlier keys cannot be restored; `verify` reports what they signed.
    /// A key that does not belong to the store is not published: when `public/` holds other keys
    /// and none of them is this key's predecessor, the key file was replaced (another store's key
    /// copied in) — publishing it would make a plain `verify` trust what it signs. The writer then
    /// refuses each region (its newest checkpoint is not signed by this key) and `verify` reports it.
    static func publishIfMissing(_ key: LogSigningKey, dataDirectory: String) throws(StoreError) {
        let dir = "\(directory(dataDirectory))/public"
        let path = "\(dir)/\(key.name).pub"
        guard !FileIO.exists(path) else { return }
        let published = (try? publicKeysAndMalformedFiles(dataDirectory: dataDirectory))?.keys ?? []
        if !published.isEmpty && !published.contains(where: { $0 == key.predecessor }) { return }
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
        return try parse(bytes, path: path)
    }

    /// Parses the bytes of a signing key file (`path` only names it in errors).
    static func parse(_ bytes: [UInt8], path: String) throws(StoreError) -> LogSigningKey {
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
