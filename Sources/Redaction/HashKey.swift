#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GatelogCrypto
import Synchronization

/// A 32-byte HMAC-SHA256 key for the `hash` action. Its bytes are never printed.
public struct HashKey: Sendable, Equatable, CustomStringConvertible {
    /// The key bytes.
    public let bytes: [UInt8]

    /// Wraps exactly 32 bytes.
    public init(bytes: [UInt8]) throws {
        guard bytes.count == 32 else { throw HashKeyError(path: nil, message: "a hash key is 32 bytes, got \(bytes.count)") }
        self.bytes = bytes
    }

    /// A fresh key from the system random generator.
    public static func random() throws -> HashKey {
        try HashKey(bytes: try SecureRandom.bytes(32))
    }

    /// Never shows the key bytes.
    public var description: String { "HashKey(32 bytes)" }
}

/// A failure loading or creating a hash key. Never contains key bytes.
public struct HashKeyError: Error, Equatable, CustomStringConvertible {
    /// The key file, when a file was involved.
    public let path: String?
    /// What went wrong, in words.
    public let message: String

    /// Makes an error.
    public init(path: String?, message: String) {
        self.path = path
        self.message = message
    }

    /// The message, with the file when there is one.
    public var description: String {
        if let path { return "hash key file \(path): \(message)" }
        return "hash key: \(message)"
    }
}

/// Supplies the per-region key for the `hash` action.
public protocol HashKeyProvider: Sendable {
    /// The key for `region`. May create it (see `HashKeyDirectory`).
    func hashKey(forRegion region: String) throws -> HashKey
}

/// Keys held in memory, e.g. loaded by the caller or for a command-line dry run.
public struct FixedHashKeys: HashKeyProvider {
    let keys: [String: HashKey]
    let fallback: HashKey?

    /// Keys by region, with an optional key for every other region.
    public init(_ keys: [String: HashKey], fallback: HashKey? = nil) {
        self.keys = keys
        self.fallback = fallback
    }

    /// The region's key, else the fallback; throws when neither exists.
    public func hashKey(forRegion region: String) throws -> HashKey {
        if let key = keys[region] ?? fallback { return key }
        throw HashKeyError(path: nil, message: "no hash key for region '\(region)'")
    }
}

/// One key file per region, `<directory>/<region>.hashkey`, created on first use (0600) and
/// cached in memory. Thread-safe.
public final class HashKeyDirectory: HashKeyProvider {
    /// The directory holding the key files.
    public let directory: String
    private let cache = Mutex<[String: HashKey]>([:])

    /// Uses `directory`, which must exist.
    public init(directory: String) {
        self.directory = directory
    }

    /// Loads (or creates) the region's key file. O(1) after the first call for a region.
    public func hashKey(forRegion region: String) throws -> HashKey {
        if let key = cache.withLock({ $0[region] }) { return key }
        guard Self.isSafeFileName(region) else {
            throw HashKeyError(path: nil, message: "region name '\(region)' cannot be used as a file name")
        }
        let key = try HashKeyFile.loadOrCreate(at: directory + "/" + region + ".hashkey")
        // Two threads may race to here; both read the same file, so both hold the same key.
        return cache.withLock { cache in
            if let existing = cache[region] { return existing }
            cache[region] = key
            return key
        }
    }

    static func isSafeFileName(_ name: String) -> Bool {
        let b = Array(name.utf8)
        guard !b.isEmpty, b.count <= 64, b[0] != UInt8(ascii: ".") else { return false }
        return b.allSatisfy { Bytes.isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }
}

/// Reading and creating key files.
public enum HashKeyFile {
    /// Returns the 32-byte key in the file at `path`, creating it with fresh random bytes when it
    /// does not exist.
    ///
    /// An existing file must be exactly 32 bytes and must not be readable or writable by group or
    /// others (mode 0600 or stricter); otherwise this throws rather than use a key that may have
    /// leaked.
    ///
    /// Creation is atomic and durable, and never replaces a key another process created first:
    /// 1. write the key to `<path>.tmp-<pid>-<random>` opened with `O_CREAT|O_EXCL`, mode 0600;
    /// 2. `fsync` the temporary file, close it;
    /// 3. `link` it to `path` (fails with `EEXIST` if someone else won the race: their key is
    ///    read and used instead), then unlink the temporary name; on file systems without hard
    ///    links, `rename` is used;
    /// 4. `fsync` the directory so the new name survives a crash.
    /// A crash at any point leaves either no key file (a new one is made next time) or a
    /// complete one; at worst a stray `.tmp-` file remains.
    public static func loadOrCreate(at path: String) throws -> HashKey {
        if let key = try load(at: path) { return key }
        let random = try SecureRandom.bytes(32)
        let suffix = Hex.encode(try SecureRandom.bytes(6))
        let temp = "\(path).tmp-\(getpid())-\(suffix)"
        let fd = retryingEINTR { open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600) }
        guard fd >= 0 else { throw error(path: temp, "cannot create the temporary key file") }
        var ok = false
        defer {
            if !ok { unlink(temp) }
        }
        do {
            defer { close(fd) }
            var written = 0
            while written < 32 {
                let r = random.withUnsafeBytes { buf in
                    retryingEINTR { write(fd, buf.baseAddress! + written, 32 - written) }
                }
                guard r > 0 else { throw error(path: temp, "cannot write the key") }
                written += r
            }
            guard retryingEINTR({ fsync(fd) }) == 0 else { throw error(path: temp, "cannot fsync the key") }
        }
        if link(temp, path) == 0 {
            unlink(temp)
        } else {
            let linkErrno = errno
            if linkErrno == EEXIST {
                unlink(temp)
                ok = true
                guard let key = try load(at: path) else { throw HashKeyError(path: path, message: "the key file vanished while being created") }
                return key
            }
            if linkErrno == EPERM || linkErrno == EOPNOTSUPP || linkErrno == ENOSYS || linkErrno == EXDEV {
                guard rename(temp, path) == 0 else { throw error(path: path, "cannot rename the temporary key file into place") }
            } else {
                errno = linkErrno
                throw error(path: path, "cannot link the key file into place")
            }
        }
        ok = true
        try syncDirectory(of: path)
        return try HashKey(bytes: random)
    }

    /// Reads an existing key file; nil when it does not exist.
    public static func load(at path: String) throws -> HashKey? {
        // O_NONBLOCK: a FIFO in place of the key file must not hang the open (a read then fails).
        let fd = retryingEINTR { open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK) }
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw error(path: path, "cannot open")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw error(path: path, "cannot stat") }
        guard st.st_mode & 0o077 == 0 else {
            throw HashKeyError(path: path, message: "permissions \(String(st.st_mode & 0o777, radix: 8)) allow group or other access; expected 600")
        }
        guard st.st_size == 32 else { throw HashKeyError(path: path, message: "expected 32 bytes, found \(st.st_size)") }
        var bytes = [UInt8](repeating: 0, count: 32)
        var got = 0
        while got < 32 {
            let r = bytes.withUnsafeMutableBytes { buf in retryingEINTR { read(fd, buf.baseAddress! + got, 32 - got) } }
            guard r > 0 else { throw error(path: path, "cannot read") }
            got += r
        }
        return try HashKey(bytes: bytes)
    }

    static func syncDirectory(of path: String) throws {
        let dir: String
        if let slash = path.lastIndex(of: "/") {
            dir = slash == path.startIndex ? "/" : String(path[..<slash])
        } else {
            dir = "."
        }
        let fd = retryingEINTR { open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard fd >= 0 else { throw error(path: dir, "cannot open the directory to fsync it") }
        defer { close(fd) }
        guard retryingEINTR({ fsync(fd) }) == 0 else { throw error(path: dir, "cannot fsync the directory") }
    }

    static func error(path: String, _ what: String) -> HashKeyError {
        HashKeyError(path: path, message: "\(what): \(String(cString: strerror(errno)))")
    }

    static func retryingEINTR<T: BinaryInteger>(_ call: () -> T) -> T {
        while true {
            let r = call()
            if r == -1 && errno == EINTR { continue }
            return r
        }
    }
}
