import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// An I/O failure with the operation, the path and the errno turned into a sentence.
public struct FileIOError: Error, Equatable, CustomStringConvertible {
    /// What was being done ("fdatasync", "open", …).
    public var operation: String
    /// The file involved.
    public var path: String
    /// The errno value.
    public var code: Int32

    public init(operation: String, path: String, code: Int32) {
        self.operation = operation
        self.path = path
        self.code = code
    }

    public var description: String { "\(operation) \(path): \(FileIOError.explain(code))" }

    /// True when the device is full (ENOSPC or EDQUOT).
    public var isDiskFull: Bool { code == ENOSPC || code == EDQUOT }

    /// A sentence a person can act on for common errno values.
    public static func explain(_ code: Int32) -> String {
        switch code {
        case ENOSPC: return "no space left on the device (free some space and try again)"
        case EDQUOT: return "disk quota exceeded"
        case EACCES, EPERM: return "permission denied"
        case ENOENT: return "no such file or directory"
        case EEXIST: return "already exists"
        case EROFS: return "the file system is read-only"
        case EIO: return "input/output error from the device"
        case EMFILE, ENFILE: return "too many open files"
        case EISDIR: return "is a directory"
        case ENOTDIR: return "a path component is not a directory"
        default: return String(cString: strerror(code))
        }
    }
}

/// Thin wrappers over POSIX file calls: every call retried on EINTR, errors typed.
/// Numbers the temporary files of `FileIO.writeAtomically` within the process.
private let temporarySerial = Atomic<UInt64>(0)

public enum FileIO {
    /// Opens `path`; throws a FileIOError on failure.
    public static func open(_ path: String, flags: Int32, mode: mode_t = 0o644) throws(FileIOError) -> Int32 {
        while true {
            // O_NONBLOCK: a FIFO (or device) put where a store file belongs must not hang the open;
            // it is refused below. (The flag changes nothing for regular files and directories.)
            let fd = Glibc.open(path, flags | O_CLOEXEC | O_NONBLOCK, mode)
            if fd >= 0 {
                var st = stat()
                let type = fstat(fd, &st) == 0 ? st.st_mode & S_IFMT : 0
                guard type == S_IFREG || type == S_IFDIR else {
                    Glibc.close(fd)
                    throw FileIOError(operation: "open (not a regular file)", path: path, code: EINVAL)
                }
                return fd
            }
            if errno == EINTR { continue }
            throw FileIOError(operation: "open", path: path, code: errno)
        }
    }

    /// Writes all of `buffer` at the current offset.
    public static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, path: String) throws(FileIOError) {
        var offset = 0
        while offset < buffer.count {
            let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw FileIOError(operation: "write", path: path, code: errno)
            }
            offset += n
        }
    }

    /// Writes all of `bytes` at the current offset.
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(FileIOError) {
        var failure: FileIOError?
        bytes.withUnsafeBytes { b in
            do throws(FileIOError) { try writeAll(fd, b, path: path) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Reads up to `count` bytes at `offset`; fewer only at end of file.
    public static func pread(_ fd: Int32, count: Int, offset: UInt64, path: String) throws(FileIOError) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: count)
        var got = 0
        var failure: FileIOError?
        result.withUnsafeMutableBytes { b in
            while got < count {
                let n = Glibc.pread(fd, b.baseAddress! + got, count - got, off_t(offset) + off_t(got))
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = FileIOError(operation: "read", path: path, code: errno)
                    return
                }
                if n == 0 { break }
                got += n
            }
        }
        if let failure { throw failure }
        if got < count { result.removeLast(count - got) }
        return result
    }

    /// Flushes file data (and the metadata needed to read it) to stable storage.
    public static func dataSync(_ fd: Int32, path: String) throws(FileIOError) {
        while fdatasync(fd) != 0 {
            if errno == EINTR { continue }
            throw FileIOError(operation: "fdatasync", path: path, code: errno)
        }
    }

    /// Flushes a file or directory entirely.
    public static func sync(_ fd: Int32, path: String) throws(FileIOError) {
        while fsync(fd) != 0 {
            if errno == EINTR { continue }
            throw FileIOError(operation: "fsync", path: path, code: errno)
        }
    }

    /// fsyncs a directory so that entries created or renamed in it are durable.
    public static func syncDirectory(_ path: String) throws(FileIOError) {
        let fd = try open(path, flags: O_RDONLY | O_DIRECTORY)
        defer { close(fd) }
        try sync(fd, path: path)
    }

    /// Truncates an open file to `length`.
    public static func truncate(_ fd: Int32, to length: UInt64, path: String) throws(FileIOError) {
        while ftruncate(fd, off_t(length)) != 0 {
            if errno == EINTR { continue }
            throw FileIOError(operation: "truncate", path: path, code: errno)
        }
    }

    /// Size of an open file.
    public static func size(_ fd: Int32, path: String) throws(FileIOError) -> UInt64 {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw FileIOError(operation: "stat", path: path, code: errno) }
        return UInt64(st.st_size)
    }

    /// Reads a whole file.
    public static func readFile(_ path: String) throws(FileIOError) -> [UInt8] {
        let fd = try open(path, flags: O_RDONLY)
        defer { close(fd) }
        let n = try size(fd, path: path)
        return try pread(fd, count: Int(n), offset: 0, path: path)
    }

    /// True when `path` exists.
    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// Whether `path` is a directory (following symbolic links).
    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// What `path` is when it exists but is not a regular file (following symbolic links):
    /// "a directory", "a FIFO", "a device", "a socket", "a symbolic link to nothing"; nil for a
    /// regular file or a missing path.
    public static func nonRegularKind(_ path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0 else {
            // A symbolic link whose target is gone (or a loop) names no file at all.
            let failure = errno
            let dangling = (failure == ENOENT || failure == ELOOP) && lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK
            return dangling ? "a symbolic link to nothing" : nil
        }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO"
        case S_IFCHR, S_IFBLK: return "a device"
        case S_IFSOCK: return "a socket"
        default: return "not a regular file"
        }
    }

    /// Creates a directory and its parents (mode 0700 for new ones).
    public static func makeDirectories(_ path: String, mode: mode_t = 0o700) throws(FileIOError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, mode) != 0 && errno != EEXIST {
                throw FileIOError(operation: "mkdir", path: current, code: errno)
            }
        }
    }

    /// Replaces `path` atomically and durably with `bytes`:
    /// write `path.tmp`, fsync it, rename over `path`, fsync the directory.
    /// After a crash, `path` holds either the old or the new bytes, never a mix.
    public static func writeAtomically(_ path: String, bytes: [UInt8], mode: mode_t = 0o600) throws(FileIOError) {
        // A temporary name of its own per call: two writers of the same file (threads or processes)
        // must not rename each other's half-written file, or find theirs already renamed.
        let temp = "\(path).tmp.\(getpid()).\(temporarySerial.add(1, ordering: .relaxed).newValue)"
        let fd = try open(temp, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: mode)
        do {
            fchmod(fd, mode)
            try writeAll(fd, bytes, path: temp)
            try sync(fd, path: temp)
            close(fd)
        } catch {
            close(fd)
            unlink(temp)
            throw error
        }
        guard rename(temp, path) == 0 else { throw FileIOError(operation: "rename", path: path, code: errno) }
        try syncDirectory((path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent)
    }

    /// Names in a directory (no `.`/`..`), sorted.
    public static func list(_ path: String) throws(FileIOError) -> [String] {
        guard let dir = opendir(path) else { throw FileIOError(operation: "opendir", path: path, code: errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }
}
