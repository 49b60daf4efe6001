import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive lock on a data directory (`<data>/service.lock`, flock(2)), held by the process
/// that owns the derived index and the access log (`gatelog serve`, `ingest`, and the CLI read
/// commands), so two processes never write them at once. Released when the process exits.
public final class ServiceLock: Sendable {
    private let fd: Int32
    private let released = Mutex(false)

    private init(fd: Int32) { self.fd = fd }

    /// Releases the lock now (otherwise it is released when this object is freed). Idempotent.
    public func release() {
        let first = released.withLock { r -> Bool in defer { r = true }; return !r }
        guard first else { return }
        flock(fd, LOCK_UN)
        close(fd)
    }

    /// Takes the lock, or throws `.regionLocked`-style `StoreError.dataDirectoryInUse` naming the holder.
    public static func acquire(dataDirectory: String) throws(StoreError) -> ServiceLock {
        do { try FileIO.makeDirectories(dataDirectory) } catch { throw .io(error) }
        let path = "\(dataDirectory)/service.lock"
        let fd: Int32
        do { fd = try FileIO.open(path, flags: O_RDWR | O_CREAT, mode: 0o600) } catch { throw .io(error) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let holder = (try? FileIO.pread(fd, count: 32, offset: 0, path: path)).map { String(decoding: $0, as: UTF8.self) } ?? ""
            close(fd)
            let pid = holder.trimmingCharacters(in: .whitespacesAndNewlines)
            throw .dataDirectoryInUse(holder: pid.isEmpty ? "another process" : "pid \(pid)")
        }
        _ = ftruncate(fd, 0)
        let pid = Array("\(getpid())\n".utf8)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        return ServiceLock(fd: fd)
    }

    deinit { release() }
}
