#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An error from the server's socket, thread or TLS layer, with the failing operation and errno when known.
public struct HTTPServerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What failed.
    public enum Code: String, Sendable, Equatable {
        /// The listen address could not be parsed or resolved.
        case invalidAddress
        /// socket(), setsockopt(), bind() or listen() failed.
        case bindFailed
        /// A thread could not be created.
        case threadFailed
        /// The TLS certificate or key could not be loaded.
        case tlsConfiguration
        /// The server was already started or has been shut down.
        case invalidState
        /// Writing to the peer failed (disconnected or timed out).
        case writeFailed
    }

    /// The failure class.
    public var code: Code
    /// A human sentence naming the operation.
    public var message: String
    /// The errno, when a system call failed.
    public var errno: Int32?

    /// Creates an error.
    public init(_ code: Code, _ message: String, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.errno = errno
    }

    /// `message (strerror)`.
    public var description: String {
        guard let errno else { return message }
        return "\(message): \(String(cString: strerror(errno)))"
    }
}

/// A host and port to listen on.
public struct HTTPListenAddress: Sendable, Equatable, CustomStringConvertible {
    /// An IPv4 or IPv6 literal, or a name resolved with getaddrinfo (e.g. `localhost`).
    public var host: String
    /// The TCP port; 0 picks an ephemeral port (see ``HTTPServer/port``).
    public var port: Int

    /// Creates an address.
    public init(host: String = "127.0.0.1", port: Int = 8080) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT`, `[IPv6]:PORT`, `:PORT` (loopback) or a bare `PORT`. Returns nil when malformed.
    public init?(parsing text: String) {
        if let port = Int(text), (0...65535).contains(port) {
            self.init(host: "127.0.0.1", port: port)
            return
        }
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[text.startIndex..<colon]
            if host.contains(":") { return nil }  // IPv6 literals need brackets.
            portText = text[text.index(after: colon)...]
        }
        guard let port = Int(portText), (0...65535).contains(port) else { return nil }
        self.init(host: host.isEmpty ? "127.0.0.1" : String(host), port: port)
    }

    /// `host:port`, bracketing IPv6 literals.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

/// Monotonic nanoseconds for deadlines.
enum Monotonic {
    static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    static func nanoseconds(_ d: Duration) -> UInt64 {
        let (s, a) = d.components
        if s < 0 { return 0 }
        return UInt64(s) &* 1_000_000_000 &+ UInt64(a / 1_000_000_000)
    }

    /// Milliseconds until `deadline`, rounded up, clamped to Int32 for poll(); 0 when passed.
    static func pollTimeout(until deadline: UInt64) -> Int32 {
        let now = now()
        if deadline <= now { return 0 }
        let ms = (deadline - now + 999_999) / 1_000_000
        return Int32(min(ms, UInt64(Int32.max)))
    }
}

enum Sockets {
    /// Creates, binds and listens; returns the descriptor and the bound port.
    static func listen(on address: HTTPListenAddress, backlog: Int32) throws(HTTPServerError) -> (Int32, Int) {
        guard (0...65535).contains(address.port) else {
            throw HTTPServerError(.invalidAddress, "port \(address.port) is outside 0...65535")
        }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(address.host, String(address.port), &hints, &result)
        guard rc == 0, let first = result else {
            throw HTTPServerError(.invalidAddress, "cannot resolve listen host \(address.host)")
        }
        defer { freeaddrinfo(result) }
        var lastErrno: Int32 = 0
        var info: UnsafeMutablePointer<addrinfo>? = first
        while let ai = info {
            info = ai.pointee.ai_next
            let fd = socket(ai.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            if fd < 0 { lastErrno = Glibc.errno; continue }
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            if bind(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen) != 0 || Glibc.listen(fd, backlog) != 0 {
                lastErrno = Glibc.errno
                close(fd)
                continue
            }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            return (fd, localPort(fd))
        }
        throw HTTPServerError(.bindFailed, "cannot listen on \(address)", errno: lastErrno)
    }

    static func localPort(_ fd: Int32) -> Int {
        var storage = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) == 0 }
        }
        guard ok else { return 0 }
        return portOf(storage)
    }

    static func portOf(_ storage: sockaddr_storage) -> Int {
        var s = storage
        switch Int32(s.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &s) { $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) } }
        case AF_INET6:
            return withUnsafePointer(to: &s) { $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) } }
        default:
            return 0
        }
    }

    /// `host:port` of a peer address.
    static func describe(_ storage: sockaddr_storage) -> String {
        var s = storage
        var buf = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(s.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &s) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { p -> String in
                    var addr = p.pointee.sin_addr
                    inet_ntop(AF_INET, &addr, &buf, socklen_t(buf.count))
                    return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                        + ":\(UInt16(bigEndian: p.pointee.sin_port))"
                }
            }
        case AF_INET6:
            return withUnsafePointer(to: &s) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { p -> String in
                    var addr = p.pointee.sin6_addr
                    inet_ntop(AF_INET6, &addr, &buf, socklen_t(buf.count))
                    return "[" + String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                        + "]:\(UInt16(bigEndian: p.pointee.sin6_port))"
                }
            }
        default:
            return "unknown"
        }
    }

    static func setNoDelay(_ fd: Int32) {
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Polls one descriptor (and optionally a wake descriptor) for `events` until `deadline`.
    /// Returns `.ready`, `.timeout` or `.woken` (the wake descriptor became readable).
    static func wait(_ fd: Int32, events: Int16, deadline: UInt64, wakeFD: Int32?) -> WaitResult {
        // Two pollfds on the stack (no allocation per wait).
        var fds = (pollfd(fd: fd, events: events, revents: 0), pollfd(fd: wakeFD ?? -1, events: Int16(POLLIN), revents: 0))
        while true {
            let timeout = Monotonic.pollTimeout(until: deadline)
            if timeout == 0 && Monotonic.now() >= deadline { return .timeout }
            let n = withUnsafeMutablePointer(to: &fds) {
                $0.withMemoryRebound(to: pollfd.self, capacity: 2) { poll($0, nfds_t(wakeFD == nil ? 1 : 2), timeout) }
            }
            if n < 0 {
                if Glibc.errno == EINTR { continue }
                return .ready  // Let the following read/write report the error.
            }
            if n == 0 { continue }  // Re-check the deadline (poll may return early by rounding).
            if fds.0.revents != 0 { return .ready }
            if wakeFD != nil && fds.1.revents != 0 { return .woken }
        }
    }

    enum WaitResult { case ready, timeout, woken }
}

/// Where a read ended.
enum ReadResult {
    case bytes(Int)
    case endOfStream
    case timeout
    case woken
    case failed
}

/// A byte stream to one peer: plain TCP or TLS over a non-blocking socket. Used by one thread at a time.
protocol Transport: AnyObject {
    /// Reads into `buffer`, waiting until `deadline`; returns `.woken` when `wakeFD` becomes readable first.
    func read(into buffer: UnsafeMutableRawBufferPointer, deadline: UInt64, wakeFD: Int32?) -> ReadResult
    /// Writes all of `bytes` before `deadline`.
    func write(_ bytes: UnsafeRawBufferPointer, deadline: UInt64) throws
    /// Sends a TLS close_notify if applicable and shuts the write side down.
    func finishWrites()
}

final class PlainTransport: Transport {
    let fd: Int32

    init(fd: Int32) { self.fd = fd }

    func read(into buffer: UnsafeMutableRawBufferPointer, deadline: UInt64, wakeFD: Int32?) -> ReadResult {
        while true {
            let n = recv(fd, buffer.baseAddress, buffer.count, 0)
            if n > 0 { return .bytes(n) }
            if n == 0 { return .endOfStream }
            let e = Glibc.errno
            if e == EINTR { continue }
            guard e == EAGAIN || e == EWOULDBLOCK else { return .failed }
            switch Sockets.wait(fd, events: Int16(POLLIN), deadline: deadline, wakeFD: wakeFD) {
            case .ready: continue
            case .timeout: return .timeout
            case .woken: return .woken
            }
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer, deadline: UInt64) throws {
        var offset = 0
        while offset < bytes.count {
            let n = send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if n > 0 { offset += n; continue }
            let e = Glibc.errno
            if n < 0 && e == EINTR { continue }
            guard n < 0, e == EAGAIN || e == EWOULDBLOCK else {
                throw HTTPServerError(.writeFailed, "sending to the client failed", errno: e)
            }
            if case .timeout = Sockets.wait(fd, events: Int16(POLLOUT), deadline: deadline, wakeFD: nil) {
                throw HTTPServerError(.writeFailed, "sending to the client timed out")
            }
        }
    }

    func finishWrites() {
        _ = shutdown(fd, Int32(SHUT_WR))
    }
}
