import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Server settings. Every property has the documented default.
public struct HTTPServerConfiguration: Sendable {
    /// Where to listen. Default `127.0.0.1:8080`.
    public var address: HTTPListenAddress
    /// Parser size limits (header bytes, header count, default body size).
    public var limits: HTTPParserLimits
    /// Time allowed to receive a complete request head, counted from the connection's accept (first request) or
    /// from the request's first byte (later requests). A client that trickles its head is cut off with 408.
    /// Default 10 s. Also bounds the TLS handshake.
    public var headerTimeout: Duration
    /// Longest silence allowed between body bytes. Default 30 s.
    public var bodyTimeout: Duration
    /// Time allowed for a whole request body, however steadily it trickles in. Default 120 s
    /// (a 16 MiB body then needs at least ~140 KB/s).
    public var bodyTotalTimeout: Duration = .seconds(120)
    /// How long an idle keep-alive connection stays open waiting for the next request. Default 60 s.
    public var keepAliveTimeout: Duration
    /// Time allowed for each write to the client (a whole fixed body, or one chunk of a streamed body) before the
    /// connection is dropped. Default 30 s.
    public var writeTimeout: Duration
    /// Maximum simultaneously open connections (each has its own thread); beyond it new connections get a 503 and
    /// are closed. Default 512.
    public var maxConnections: Int
    /// Answer `POST`, `PUT` and `PATCH` requests that carry neither Content-Length nor Transfer-Encoding with
    /// 411 `length_required`. Default true.
    public var requiresLengthForBodyMethods: Bool
    /// Answer a request whose body is content-coded (a `Content-Encoding` other than `identity`, e.g. `gzip`) with
    /// 415 `unsupported_content_encoding` and `Accept-Encoding: identity`, before the handler runs: the server never
    /// decodes bodies, so a handler would otherwise read compressed bytes as if they were the content. Applies to
    /// requests with a body and to every `POST`, `PUT` and `PATCH`. Default true.
    public var refusesContentCodedBodies: Bool = true
    /// Serve TLS with these files instead of plain HTTP. Default nil.
    public var tls: TLSConfiguration?
    /// Stack size of connection threads (handlers run on them). Default 1 MiB.
    public var threadStackSize: Int
    /// Listen backlog. Default 1024.
    public var listenBacklog: Int32
    /// Approximate chunk size of streamed responses. Default 32 KiB.
    public var streamChunkSize: Int
    /// The `Server` header value, or nil for none. Default `gatelog`.
    public var serverName: String?

    /// Creates a configuration; every parameter has the documented default.
    public init(address: HTTPListenAddress = HTTPListenAddress(), limits: HTTPParserLimits = HTTPParserLimits(),
                headerTimeout: Duration = .seconds(10), bodyTimeout: Duration = .seconds(30),
                keepAliveTimeout: Duration = .seconds(60), writeTimeout: Duration = .seconds(30),
                maxConnections: Int = 512, requiresLengthForBodyMethods: Bool = true, tls: TLSConfiguration? = nil,
                threadStackSize: Int = 1 << 20, listenBacklog: Int32 = 1024, streamChunkSize: Int = 32 * 1024,
                serverName: String? = "gatelog") {
        self.address = address
        self.limits = limits
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.keepAliveTimeout = keepAliveTimeout
        self.writeTimeout = writeTimeout
        self.maxConnections = maxConnections
        self.requiresLengthForBodyMethods = requiresLengthForBodyMethods
        self.tls = tls
        self.threadStackSize = threadStackSize
        self.listenBacklog = listenBacklog
        self.streamChunkSize = streamChunkSize
        self.serverName = serverName
    }
}

/// Decides from a request head and its matched route pattern whether its body is read: nil to go on, or the
/// response to send instead (the connection is then closed without reading the body).
public typealias HTTPBodyAdmission = @Sendable (HTTPRequestHead, String) -> HTTPResponse?

/// One finished request, reported to the server's observer (for metrics and access logs).
///
/// Contains no header values, query or body content.
public struct HTTPRequestObservation: Sendable {
    /// The request method; `-` when the request line could not be parsed.
    public var method: HTTPMethod
    /// The matched route pattern (e.g. `/v1/records/{id}`), or nil when no route matched or the request was
    /// rejected before routing. Use it, not the path, as a metrics label.
    public var routePattern: String?
    /// The status code sent.
    public var status: Int
    /// From the complete request head to the last response byte written (to the rejection for parse errors).
    public var duration: Duration
    /// Request body bytes received (after removing chunked framing).
    public var requestBodyBytes: Int
    /// Response body bytes sent (before chunked framing; 0 for HEAD).
    public var responseBodyBytes: Int
    /// The peer address.
    public var remoteAddress: String
    /// False when the response could not be completed (client gone, or a streamer threw mid-body).
    public var isComplete: Bool
}

/// Called once per answered request on the connection's thread, after the response was written. Keep it fast.
public typealias HTTPObserver = @Sendable (HTTPRequestObservation) -> Void

/// A small, strict HTTP/1.1 server on POSIX sockets with one thread per connection.
///
/// ```swift
/// var router = HTTPRouter()
/// router.get("/healthz") { _ in .text("ok\n") }
/// let server = try HTTPServer(configuration: .init(address: .init(host: "127.0.0.1", port: 8080)), router: router)
/// try server.start()
/// let signals = SignalObserver.install { _ in server.shutdown() }
/// server.waitUntilStopped()
/// ```
///
/// Each accepted connection gets its own thread, which reads, parses, runs the handler and writes the response,
/// so handlers may block. Slow clients are bounded by the timeouts and by ``HTTPServerConfiguration/maxConnections``.
/// See docs/decisions/http-server.md for the design.
public final class HTTPServer: Sendable {
    private enum Phase { case created, running, stopping, stopped }

    private struct State {
        var phase: Phase = .created
        var listenFD: Int32 = -1
        var port = 0
        var acceptThreadRunning = false
        var connections: Set<Int32> = []
        /// Open connections waiting for a request (not yet a byte of one: fresh, in the TLS
        /// handshake, or idle between keep-alive requests), by the time they started waiting.
        var waiting: [Int32: UInt64] = [:]
        /// Waiting connections shut down to make room for a new one, until their threads end.
        var evicted: Set<Int32> = []
    }

    /// Bodies larger than this (by Content-Length) go through the body admission before they are read.
    /// Smaller ones are read first: closing a connection with unread bytes makes the client see a reset
    /// instead of the response.
    public static let admissionBodyThreshold = 256 << 10

    /// The configuration the server was created with.
    public let configuration: HTTPServerConfiguration
    let router: HTTPRouter
    let observer: HTTPObserver?
    /// Decides, from the head alone, whether a large or `Expect: 100-continue` body is read at all.
    let bodyAdmission: HTTPBodyAdmission?
    let tlsContext: TLSContext?
    private let state = Mutex(State())
    /// Set once shutdown begins; read on every request without taking the state lock.
    private let shuttingDown = Atomic<Bool>(false)
    /// Readable once shutdown begins: wakes the accept loop and idle keep-alive connections.
    let wakeReadFD: Int32
    private let wakeWriteFD: Int32
    private let stopped = DispatchGroup()
    private let logger: (@Sendable (String) -> Void)?

    /// Creates a server; loads the TLS certificate and key when configured.
    /// - Parameters:
    ///   - observer: called after every answered request (see ``HTTPRequestObservation``).
    ///   - logger: receives operational messages (accept failures, thread creation failures). They never contain
    ///     request content.
    ///   - bodyAdmission: asked before a body of more than ``HTTPServer/admissionBodyThreshold`` bytes, a chunked
    ///     body (its size is unknown), or one the client holds back with `Expect: 100-continue`, is read; a response it returns is sent instead and the
    ///     connection closed (e.g. 401 for a request without a valid token, so that nobody unauthenticated can make
    ///     the server read megabytes).
    /// - Throws: ``HTTPServerError`` when TLS files cannot be loaded or the wake pipe cannot be created.
    public init(configuration: HTTPServerConfiguration = HTTPServerConfiguration(), router: HTTPRouter,
                observer: HTTPObserver? = nil, logger: (@Sendable (String) -> Void)? = nil,
                bodyAdmission: HTTPBodyAdmission? = nil) throws(HTTPServerError) {
        self.configuration = configuration
        self.router = router
        self.observer = observer
        self.bodyAdmission = bodyAdmission
        self.logger = logger
        self.tlsContext = try configuration.tls.map { (c) throws(HTTPServerError) in try TLSContext(c) }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            throw HTTPServerError(.bindFailed, "cannot create the shutdown pipe", errno: errno)
        }
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        wakeReadFD = fds[0]
        wakeWriteFD = fds[1]
        stopped.enter()
    }

    deinit {
        // Only a never-started server can be released before stopping (running threads retain it); balance the
        // group entered in init so Dispatch does not treat it as released while in use.
        let (fd, phase) = state.withLock { ($0.listenFD, $0.phase) }
        if phase == .created { stopped.leave() }
        if fd >= 0 { close(fd) }
        close(wakeReadFD)
        close(wakeWriteFD)
    }

    /// The bound TCP port (useful with port 0), or 0 before ``start()``.
    public var port: Int { state.withLock { $0.port } }

    /// The number of open client connections.
    public var openConnectionCount: Int { state.withLock { $0.connections.count } }

    /// Whether ``shutdown(gracePeriod:)`` has begun.
    public var isShuttingDown: Bool {
        shuttingDown.load(ordering: .acquiring)
    }

    /// Binds, listens and starts accepting on a dedicated thread. Returns once the socket is listening.
    /// Also sets SIGPIPE to ignored for the process (writes to closed sockets must fail, not kill the process).
    /// - Throws: ``HTTPServerError`` when the address cannot be bound or the server was already started.
    public func start() throws(HTTPServerError) {
        try state.withLock { (s) throws(HTTPServerError) in
            guard s.phase == .created else { throw HTTPServerError(.invalidState, "the server was already started") }
            s.phase = .running
        }
        signal(SIGPIPE, SIG_IGN)
        if let warning = tlsContext?.certificateWarning { logger?("http: warning: \(warning)") }
        let fd: Int32
        let port: Int
        do {
            (fd, port) = try Sockets.listen(on: configuration.address, backlog: configuration.listenBacklog)
        } catch {
            state.withLock { $0.phase = .stopped }
            shuttingDown.store(true, ordering: .releasing)
            stopped.leave()
            throw error
        }
        state.withLock {
            $0.listenFD = fd
            $0.port = port
            $0.acceptThreadRunning = true
        }
        do {
            try Threads.spawn(stackSize: 256 * 1024) { [self] in acceptLoop(listenFD: fd) }
        } catch {
            state.withLock {
                $0.acceptThreadRunning = false
                $0.listenFD = -1
                $0.phase = .stopped
            }
            shuttingDown.store(true, ordering: .releasing)
            close(fd)
            stopped.leave()
            throw error
        }
    }

    /// Stops accepting, closes idle keep-alive connections, lets in-flight requests finish for up to `gracePeriod`,
    /// then forcibly shuts down the remaining connections. Blocks until done; safe to call more than once and from
    /// any thread except a handler's (which would wait for itself).
    public func shutdown(gracePeriod: Duration = .seconds(10)) {
        let proceed = state.withLock { s -> Bool in
            switch s.phase {
            case .created:
                s.phase = .stopped
                shuttingDown.store(true, ordering: .releasing)
                stopped.leave()
                return false
            case .running:
                s.phase = .stopping
                shuttingDown.store(true, ordering: .releasing)
                return true
            case .stopping, .stopped:
                return false
            }
        }
        guard proceed else {
            waitUntilStopped()
            return
        }
        var byte: UInt8 = 1
        _ = write(wakeWriteFD, &byte, 1)
        let deadline = Monotonic.now() + Monotonic.nanoseconds(gracePeriod)
        while Monotonic.now() < deadline {
            let busy = state.withLock { $0.acceptThreadRunning || !$0.connections.isEmpty }
            if !busy { break }
            usleep(2_000)
        }
        // Past the grace period: unblock remaining connections; their threads see errors and exit.
        state.withLock { s in
            for fd in s.connections { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
        }
        let hardDeadline = Monotonic.now() + 2_000_000_000
        while Monotonic.now() < hardDeadline {
            if state.withLock({ !$0.acceptThreadRunning && $0.connections.isEmpty }) { break }
            usleep(2_000)
        }
        state.withLock { $0.phase = .stopped }
        stopped.leave()
    }

    /// Blocks the calling thread until ``shutdown(gracePeriod:)`` has completed.
    public func waitUntilStopped() {
        stopped.wait()
    }

    // MARK: - Accepting

    private func acceptLoop(listenFD: Int32) {
        var fds = [pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: wakeReadFD, events: Int16(POLLIN), revents: 0)]
        outer: while true {
            let n = poll(&fds, 2, -1)
            if n < 0 {
                if errno == EINTR { continue }
                logger?("http: poll on the listening socket failed (errno \(errno))")
                usleep(10_000)
                continue
            }
            if fds[1].revents != 0 { break }
            while true {
                var storage = sockaddr_storage()
                var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
                let fd = withUnsafeMutablePointer(to: &storage) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        accept(listenFD, $0, &len)
                    }
                }
                if fd >= 0 {
                    _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                }
                if fd < 0 {
                    let e = errno
                    if e == EINTR || e == ECONNABORTED { continue }
                    if e == EAGAIN || e == EWOULDBLOCK { break }
                    if e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM {
                        logger?("http: accept failed for lack of resources (errno \(e)); pausing")
                        usleep(10_000)
                        break
                    }
                    logger?("http: accept failed (errno \(e))")
                    break
                }
                let admitted = state.withLock { s -> Bool in
                    guard s.phase == .running else { return false }
                    if s.connections.count - s.evicted.count >= configuration.maxConnections {
                        // Full: make room by closing the connection that has waited longest for a
                        // request (silent sockets and stalled TLS handshakes would otherwise lock
                        // everyone out until their timeouts). Requests in progress are never cut.
                        guard let oldest = s.waiting.min(by: { $0.value < $1.value })?.key else { return false }
                        s.waiting[oldest] = nil
                        s.evicted.insert(oldest)
                        _ = Glibc.shutdown(oldest, Int32(SHUT_RDWR))
                    }
                    s.connections.insert(fd)
                    s.waiting[fd] = Monotonic.now()
                    return true
                }
                guard admitted else {
                    rejectOverloaded(fd)
                    if isShuttingDown { break outer }
                    continue
                }
                let peer = Sockets.describe(storage)
                do {
                    try Threads.spawn(stackSize: configuration.threadStackSize) { [self] in
                        serve(fd: fd, peer: peer)
                    }
                } catch {
                    logger?("http: cannot start a connection thread: \(error)")
                    rejectOverloaded(fd, registered: true)
                }
            }
        }
        close(listenFD)
        state.withLock {
            $0.listenFD = -1
            $0.acceptThreadRunning = false
        }
    }

    /// Answers 503 on a fresh connection and closes it (on the accept thread: the send buffer is empty, so the
    /// non-blocking send does not wait).
    private func rejectOverloaded(_ fd: Int32, registered: Bool = false) {
        if tlsContext != nil {
            // A TLS port cannot answer before a handshake: a plaintext 503 would read as a protocol
            // error. Close the connection (the client sees a reset and may retry).
            if registered { forget(fd) }
            close(fd)
            return
        }
        var out: [UInt8] = []
        var dateCache = HTTPDateCache()
        let body = HTTPResponse.errorBody(code: "service_unavailable", message: "too many open connections")
        ResponseHead.serialize(status: .serviceUnavailable, headers: ["Content-Type": "application/json"],
                               date: dateCache.current(), serverName: configuration.serverName,
                               contentLength: body.count, chunked: false, connection: "close", into: &out)
        out.append(contentsOf: body)
        _ = out.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        _ = Glibc.shutdown(fd, Int32(SHUT_WR))
        var scratch = [UInt8](repeating: 0, count: 4096)
        var reads = 0
        while reads < 16 && recv(fd, &scratch, scratch.count, 0) > 0 { reads += 1 }  // Only what is already here.
        if registered { forget(fd) }
        close(fd)
    }

    /// Drops a connection from the bookkeeping (before its descriptor is closed).
    private func forget(_ fd: Int32) {
        state.withLock { s in
            s.connections.remove(fd)
            s.waiting[fd] = nil
            s.evicted.remove(fd)
        }
    }

    /// The connection on `fd` now waits for a request (it may be closed to make room when the
    /// server is full), or has started receiving one (it may not).
    func connection(_ fd: Int32, isWaitingForRequest waiting: Bool) {
        state.withLock { s in
            guard s.connections.contains(fd), !s.evicted.contains(fd) else { return }
            s.waiting[fd] = waiting ? Monotonic.now() : nil
        }
    }

    /// Runs one connection to completion on its own thread, then releases its descriptor.
    private func serve(fd: Int32, peer: String) {
        let acceptTime = Monotonic.now()
        Sockets.setNoDelay(fd)
        do {
            let transport: (any Transport)?
            if let tlsContext {
                // The handshake also ends when shutdown begins (nothing is in flight yet).
                transport = TLSTransport(context: tlsContext, fd: fd,
                                         deadline: acceptTime + Monotonic.nanoseconds(configuration.headerTimeout), wakeFD: wakeReadFD)
            } else {
                transport = PlainTransport(fd: fd)
            }
            if let transport {
                let connection = Connection(server: self, transport: transport, fd: fd, peer: peer, acceptTime: acceptTime)
                connection.run()
            }
        }
        forget(fd)
        close(fd)
    }
}

/// Thread creation with an explicit stack size (handlers must not run on the Swift concurrency pool).
enum Threads {
    private final class Start {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// Starts a detached thread running `body`.
    static func spawn(stackSize: Int, _ body: @escaping @Sendable () -> Void) throws(HTTPServerError) {
        var attr = pthread_attr_t()
        pthread_attr_init(&attr)
        defer { pthread_attr_destroy(&attr) }
        pthread_attr_setdetachstate(&attr, Int32(PTHREAD_CREATE_DETACHED))
        pthread_attr_setstacksize(&attr, max(stackSize, 64 * 1024))
        let context = Unmanaged.passRetained(Start(body)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, &attr, { raw in
            let start = Unmanaged<Start>.fromOpaque(raw!).takeRetainedValue()
            start.body()
            return nil
        }, context)
        if rc != 0 {
            Unmanaged<Start>.fromOpaque(context).release()
            throw HTTPServerError(.threadFailed, "cannot create a thread", errno: rc)
        }
    }
}

