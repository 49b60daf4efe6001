#if canImport(Glibc)
import Glibc
#endif

/// One client connection, driven by its own thread: read, parse, route, run the handler, write; repeat while
/// keep-alive allows. Requests on a connection are processed strictly in order (pipelining-safe).
final class Connection {
    private let server: HTTPServer
    private let transport: any Transport
    /// The socket, to tell the server when the connection waits for a request.
    private let fd: Int32
    private let peer: String
    private let acceptTime: UInt64
    private var parser: HTTPRequestParser
    private let readBuffer: UnsafeMutableRawBufferPointer
    private var output: [UInt8] = []
    private var dateCache = HTTPDateCache()

    private let headerTimeout: UInt64
    private let bodyTimeout: UInt64
    private let bodyTotalTimeout: UInt64
    private let keepAliveTimeout: UInt64
    private let writeTimeout: UInt64

    init(server: HTTPServer, transport: any Transport, fd: Int32, peer: String, acceptTime: UInt64) {
        self.server = server
        self.transport = transport
        self.fd = fd
        self.peer = peer
        self.acceptTime = acceptTime
        self.parser = HTTPRequestParser(limits: server.configuration.limits)
        self.readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        let c = server.configuration
        headerTimeout = Monotonic.nanoseconds(c.headerTimeout)
        bodyTimeout = Monotonic.nanoseconds(c.bodyTimeout)
        bodyTotalTimeout = Monotonic.nanoseconds(c.bodyTotalTimeout)
        keepAliveTimeout = Monotonic.nanoseconds(c.keepAliveTimeout)
        writeTimeout = Monotonic.nanoseconds(c.writeTimeout)
        output.reserveCapacity(1024)
    }

    deinit {
        readBuffer.deallocate()
    }

    private enum ReadOutcome {
        case data
        case closeQuietly
        case timedOut
    }

    /// Reads more bytes into the parser.
    private func fill(deadline: UInt64, wakeOnShutdown: Bool) -> ReadOutcome {
        switch transport.read(into: readBuffer, deadline: deadline, wakeFD: wakeOnShutdown ? server.wakeReadFD : nil) {
        case .bytes(let n):
            parser.append(UnsafeRawBufferPointer(rebasing: readBuffer[0..<n]))
            return .data
        case .timeout:
            return .timedOut
        case .endOfStream, .failed, .woken:
            return .closeQuietly
        }
    }

    func run() {
        var isFirstRequest = true
        var idleSince = acceptTime
        while true {
            // Phase 1: the request head.
            var headStart: UInt64? = isFirstRequest ? acceptTime : (parser.isIdle ? nil : Monotonic.now())
            let head: HTTPRequestHead
            readHead: while true {
                do {
                    if let event = try parser.nextEvent() {
                        guard case .head(let h) = event else { preconditionFailure("body event before head") }
                        head = h
                        // Only a whole head takes the connection out of the ones the server may close
                        // to make room: a client that trickles a head in (slowloris) stays evictable.
                        server.connection(fd, isWaitingForRequest: false)
                        break readHead
                    }
                } catch {
                    reject(error.status, code: error.code, message: error.message, method: nil, started: Monotonic.now())
                    return
                }
                let idle = parser.isIdle
                if idle && server.isShuttingDown { return }
                let deadline: UInt64
                if let headStart {
                    deadline = headStart + headerTimeout
                } else {
                    deadline = idleSince + keepAliveTimeout
                }
                switch fill(deadline: deadline, wakeOnShutdown: idle) {
                case .data:
                    if headStart == nil { headStart = Monotonic.now() }
                case .closeQuietly:
                    return
                case .timedOut:
                    if parser.isIdle { return }
                    reject(408, code: "request_timeout", message: "the request head was not received in time",
                           method: nil, started: Monotonic.now())
                    return
                }
            }
            isFirstRequest = false
            let started = Monotonic.now()

            // Phase 2: routing and early decisions that need no body.
            var earlyResponse: HTTPResponse?
            var route: HTTPRouter.Route?
            var parameters: [String: String] = [:]
            var bodyLimit = parser.limits.maxBodyBytes
            let target = RequestTarget.parse(head.target)
            if let target {
                switch server.router.match(method: head.method, segments: target.segments) {
                case .found(let r, let p):
                    route = r
                    parameters = p
                    if let limit = r.maxBodyBytes { bodyLimit = limit }
                case .notFound:
                    earlyResponse = .error(.notFound, code: "not_found", message: "no route matches the request path")
                case .methodNotAllowed(let allowed):
                    var r = HTTPResponse.error(.methodNotAllowed, code: "method_not_allowed",
                                               message: "the method is not allowed for this path")
                    r.headers.add(name: "Allow", value: allowed.joined(separator: ", "))
                    earlyResponse = r
                }
            } else {
                earlyResponse = .error(.badRequest, code: "bad_request", message: "malformed request target")
                earlyResponse?.closesConnection = true
            }
            let isBodyMethod = head.method == .post || head.method == .put || head.method == .patch
            if earlyResponse == nil && server.configuration.requiresLengthForBodyMethods && head.contentLength == nil
                && !head.isChunked && isBodyMethod {
                earlyResponse = .error(.lengthRequired, code: "length_required",
                                       message: "the request needs a Content-Length or a chunked body")
            }
            // A content-coded body is refused before anything reads it as content (after the body admission, so
            // that an unauthenticated client still gets its 401 first and cannot make the server read megabytes).
            let refusesCoding = earlyResponse == nil && route != nil && server.configuration.refusesContentCodedBodies
                && (head.hasBody || isBodyMethod) && Connection.hasContentCoding(head.headers)
            if !head.hasBody && refusesCoding { earlyResponse = Connection.contentCodingRefusal() }
            if head.hasBody {
                if let length = head.contentLength, length > bodyLimit {
                    reject(413, code: "payload_too_large", message: Connection.bodyTooLargeMessage(limit: bodyLimit),
                           method: head.method, route: route?.pattern, started: started,
                           drainBytes: Connection.refusedBodyDrainBudget(head))
                    return
                }
                if earlyResponse == nil, let route, let admission = server.bodyAdmission,
                   head.expectsContinue || head.isChunked || (head.contentLength ?? 0) > HTTPServer.admissionBodyThreshold,
                   var refusal = admission(head, route.pattern) {
                    refusal.closesConnection = true
                    finish(refusal, head: head, route: route.pattern, requestBodyBytes: 0, started: started)
                    // Discard what the client is still sending (up to 1 s, and up to the body it announced), so
                    // that it reads the refusal instead of a reset.
                    lingeringClose(waitingUpTo: 1_000_000_000, maxBytes: Connection.refusedBodyDrainBudget(head))
                    return
                }
                if refusesCoding {
                    earlyResponse = Connection.contentCodingRefusal()
                    if head.isChunked || (head.contentLength ?? 0) > HTTPServer.admissionBodyThreshold {
                        // Not worth reading: answer now and close (discarding what the client still sends).
                        var r = earlyResponse!
                        r.closesConnection = true
                        finish(r, head: head, route: route?.pattern, requestBodyBytes: 0, started: started)
                        lingeringClose(waitingUpTo: 1_000_000_000, maxBytes: Connection.refusedBodyDrainBudget(head))
                        return
                    }
                }
                if head.expectsContinue {
                    if let earlyResponse {
                        // The client waits for permission; answer now and close rather than read a body we refuse.
                        var r = earlyResponse
                        r.closesConnection = true
                        finish(r, head: head, route: nil, requestBodyBytes: 0, started: started)
                        return
                    }
                    output.removeAll(keepingCapacity: true)
                    output.append(contentsOf: "HTTP/1.1 100 Continue\r\n\r\n".utf8)
                    guard writeOutput() else { return }
                }
            }
            parser.setBodyLimit(bodyLimit)

            // Phase 3: the body.
            var body: [UInt8] = []
            var trailers = HTTPHeaders()
            let bodyDeadline = Monotonic.now() + bodyTotalTimeout
            readBody: while true {
                do {
                    if let event = try parser.nextEvent() {
                        guard case .end(let b, let t) = event else { preconditionFailure("head event inside body") }
                        body = b
                        trailers = t
                        break readBody
                    }
                } catch {
                    reject(error.status, code: error.code,
                           message: error == .bodyTooLarge ? Connection.bodyTooLargeMessage(limit: bodyLimit) : error.message,
                           method: head.method, route: route?.pattern, started: started,
                           drainBytes: error == .bodyTooLarge ? Connection.refusedBodyDrainBudget(head) : Connection.lingerDrainBytes)
                    return
                }
                switch fill(deadline: min(Monotonic.now() + bodyTimeout, bodyDeadline), wakeOnShutdown: false) {
                case .data:
                    continue
                case .closeQuietly:
                    return
                case .timedOut:
                    reject(408, code: "request_timeout", message: "the request body was not received in time",
                           method: head.method, route: route?.pattern, started: started)
                    return
                }
            }

            // Phase 4: the handler and the response.
            var response: HTTPResponse
            if let earlyResponse {
                response = earlyResponse
            } else if let route, let target {
                let request = HTTPRequest(
                    method: head.method, target: head.target, path: target.path, query: target.query,
                    version: head.version, headers: head.headers, body: body, trailers: trailers,
                    pathParameters: parameters, routePattern: route.pattern, remoteAddress: peer,
                    isSecure: server.tlsContext != nil)
                do {
                    response = try route.handler(request)
                } catch let error as HTTPError {
                    response = error.response
                } catch {
                    response = .error(.internalServerError, code: "internal_error", message: "internal server error")
                }
            } else {
                preconditionFailure("no response and no route")
            }
            let keepAlive = finish(response, head: head, route: route?.pattern, requestBodyBytes: body.count,
                                   started: started)
            guard keepAlive else { return }
            idleSince = Monotonic.now()
            server.connection(fd, isWaitingForRequest: true)
        }
    }

    /// Whether `Content-Encoding` names a coding other than `identity` (all fields, comma-separated lists,
    /// ASCII case-insensitive; empty elements ignored).
    /// The 413 message, stating the limit (`request body exceeds the size limit of 16 MiB (16777216 bytes)`).
    static func bodyTooLargeMessage(limit: Int) -> String {
        let readable: String
        if limit >= 1 << 20 && limit % (1 << 20) == 0 {
            readable = "\(limit >> 20) MiB (\(limit) bytes)"
        } else if limit >= 1 << 10 && limit % (1 << 10) == 0 {
            readable = "\(limit >> 10) KiB (\(limit) bytes)"
        } else {
            readable = "\(limit) bytes"
        }
        return "request body exceeds the size limit of \(readable)"
    }

    static func hasContentCoding(_ headers: HTTPHeaders) -> Bool {
        for value in headers.values(for: "Content-Encoding") {
            for element in value.utf8.split(separator: UInt8(ascii: ",")) {
                let coding = HTTPBytes.trimmed(element)
                if !coding.isEmpty && !HTTPBytes.equalsIgnoringCase(coding, "identity") { return true }
            }
        }
        return false
    }

    /// The 415 for a content-coded request body. Names no value from the request.
    static func contentCodingRefusal() -> HTTPResponse {
        var r = HTTPResponse.error(.unsupportedMediaType, code: "unsupported_content_encoding",
                                   message: "request bodies must not be content-coded: send them uncompressed, "
                                       + "without Content-Encoding (or with Content-Encoding: identity)")
        r.headers.add(name: "Accept-Encoding", value: "identity")
        return r
    }

    // MARK: - Writing

    private func writeOutput() -> Bool {
        let deadline = Monotonic.now() + writeTimeout
        do {
            try output.withUnsafeBytes { b in try transport.write(b, deadline: deadline) }
            return true
        } catch {
            return false
        }
    }

    /// Writes `response`, reports it to the observer and says whether the connection may serve another request.
    @discardableResult
    private func finish(_ original: HTTPResponse, head: HTTPRequestHead, route: String?, requestBodyBytes: Int,
                        started: UInt64) -> Bool {
        var response = original
        if !ResponseHead.isValid(response.headers) {
            response = .error(.internalServerError, code: "internal_error", message: "internal server error")
        }
        let isHead = head.method == .head
        var keepAlive = head.isKeepAlive && !response.closesConnection && !server.isShuttingDown
        let connectionField: String? = keepAlive ? (head.version == .http1_0 ? "keep-alive" : nil) : "close"
        let date = dateCache.current()
        let config = server.configuration
        var complete = true
        var responseBytes = 0
        output.removeAll(keepingCapacity: true)

        switch response.body {
        case .bytes(let bytes):
            let forbids = response.status.forbidsBody
            ResponseHead.serialize(status: response.status, headers: response.headers, date: date,
                                   serverName: config.serverName, contentLength: forbids ? nil : bytes.count,
                                   chunked: false, connection: connectionField, into: &output)
            if !isHead && !forbids {
                responseBytes = bytes.count
                if bytes.count <= 64 * 1024 {
                    output.append(contentsOf: bytes)
                    complete = writeOutput()
                } else {
                    complete = writeOutput()
                    if complete {
                        let deadline = Monotonic.now() + writeTimeout
                        do {
                            try bytes.withUnsafeBytes { b in
                                try transport.write(b, deadline: deadline)
                            }
                        } catch {
                            complete = false
                        }
                    }
                }
            } else {
                complete = writeOutput()
            }

        case .stream(let streamer):
            if response.status.forbidsBody || isHead {
                let chunked = !response.status.forbidsBody && head.version == .http1_1
                if head.version == .http1_0 && !response.status.forbidsBody { keepAlive = false }
                ResponseHead.serialize(status: response.status, headers: response.headers, date: date,
                                       serverName: config.serverName, contentLength: nil, chunked: chunked,
                                       connection: keepAlive ? connectionField : "close", into: &output)
                complete = writeOutput()
                break
            }
            let chunked = head.version == .http1_1
            if !chunked { keepAlive = false }  // HTTP/1.0: the body ends when the connection closes.
            ResponseHead.serialize(status: response.status, headers: response.headers, date: date,
                                   serverName: config.serverName, contentLength: nil, chunked: chunked,
                                   connection: keepAlive ? connectionField : "close", into: &output)
            let writer = ChunkWriter(transport: transport, head: output, chunked: chunked,
                                     threshold: config.streamChunkSize, writeTimeout: writeTimeout)
            do {
                try streamer(writer)
                try writer.finish()
                responseBytes = writer.bytesWritten
            } catch {
                writer.invalidate()
                responseBytes = writer.bytesWritten
                if !writer.hasSentHead && !(error is HTTPServerError) {
                    // Nothing sent yet: answer with a proper error instead.
                    var fallback = (error as? HTTPError)?.response
                        ?? .error(.internalServerError, code: "internal_error", message: "internal server error")
                    fallback.closesConnection = !keepAlive
                    return finish(fallback, head: head, route: route, requestBodyBytes: requestBodyBytes,
                                  started: started)
                }
                complete = false
            }
        }

        if !complete { keepAlive = false }
        server.observer?(HTTPRequestObservation(
            method: head.method, routePattern: route, status: response.status.code,
            duration: .nanoseconds(Int64(Monotonic.now() - started)), requestBodyBytes: requestBodyBytes,
            responseBodyBytes: responseBytes, remoteAddress: peer, isComplete: complete))
        // The request was read completely, so only pipelined extra input can be pending: drain what is there.
        if !keepAlive && complete { lingeringClose(waitingUpTo: 0) }
        return keepAlive
    }

    /// Sends a JSON error with `Connection: close`, reports it, and closes gracefully. Used when framing is lost
    /// or limits are exceeded; the message never includes request content.
    private func reject(_ status: Int, code: String, message: String, method: HTTPMethod?, route: String? = nil,
                        started: UInt64, drainBytes: Int = Connection.lingerDrainBytes) {
        let body = HTTPResponse.errorBody(code: code, message: message)
        output.removeAll(keepingCapacity: true)
        ResponseHead.serialize(status: HTTPStatus(status), headers: ["Content-Type": "application/json"],
                               date: dateCache.current(), serverName: server.configuration.serverName,
                               contentLength: body.count, chunked: false, connection: "close", into: &output)
        output.append(contentsOf: body)
        let complete = writeOutput()
        server.observer?(HTTPRequestObservation(
            method: method ?? HTTPMethod("-"), routePattern: route, status: status,
            duration: .nanoseconds(Int64(Monotonic.now() - started)), requestBodyBytes: 0,
            responseBodyBytes: body.count, remoteAddress: peer, isComplete: complete))
        if complete { lingeringClose(waitingUpTo: 1_000_000_000, maxBytes: drainBytes) }
    }

    /// What a lingering close discards at most by default.
    static let lingerDrainBytes = 1 << 20

    /// The most a lingering close discards of a body refused before it was read (413, a refused admission, a
    /// content-coded body), still within the lingering deadline.
    static let refusedBodyDrainLimit = 64 << 20

    /// How much of a refused body to discard: what the client announced (a chunked body: up to
    /// ``refusedBodyDrainLimit``), at least ``lingerDrainBytes``. Clients that write the whole body before they
    /// read the answer (Python's http.client and urllib, Node's http module) would otherwise get a reset
    /// (EPIPE/ECONNRESET) instead of the 413 or 401 once the server stops reading and closes.
    static func refusedBodyDrainBudget(_ head: HTTPRequestHead) -> Int {
        guard let length = head.contentLength else { return refusedBodyDrainLimit }
        return max(lingerDrainBytes, min(length, refusedBodyDrainLimit))
    }

    /// Half-closes, then discards what the client still sends (for up to `nanoseconds` and `maxBytes`), so that
    /// closing with unread input does not reset the connection before the client has read our response.
    private func lingeringClose(waitingUpTo nanoseconds: UInt64, maxBytes: Int = Connection.lingerDrainBytes) {
        transport.finishWrites()
        let deadline = Monotonic.now() + nanoseconds
        var drained = 0
        while drained < maxBytes {
            guard case .bytes(let n) = transport.read(into: readBuffer, deadline: deadline, wakeFD: nil) else { return }
            drained += n
        }
    }
}
