import JSON

/// An HTTP status code with its reason phrase.
public struct HTTPStatus: Hashable, Sendable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    /// The three-digit code.
    public let code: Int

    /// Creates a status from its code (100...999).
    public init(_ code: Int) {
        precondition((100...999).contains(code), "HTTP status codes have three digits")
        self.code = code
    }

    /// Creates a status from an integer literal, e.g. `let s: HTTPStatus = 404`.
    public init(integerLiteral value: Int) { self.init(value) }

    /// The standard reason phrase, or `Unknown`.
    public var reasonPhrase: String {
        switch code {
        case 100: return "Continue"
        case 200: return "OK"
        case 201: return "Created"
        case 202: return "Accepted"
        case 204: return "No Content"
        case 206: return "Partial Content"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 304: return "Not Modified"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 406: return "Not Acceptable"
        case 408: return "Request Timeout"
        case 409: return "Conflict"
        case 410: return "Gone"
        case 411: return "Length Required"
        case 412: return "Precondition Failed"
        case 413: return "Content Too Large"
        case 414: return "URI Too Long"
        case 415: return "Unsupported Media Type"
        case 417: return "Expectation Failed"
        case 422: return "Unprocessable Content"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 503: return "Service Unavailable"
        case 505: return "HTTP Version Not Supported"
        case 507: return "Insufficient Storage"
        default: return "Unknown"
        }
    }

    /// `code reason`.
    public var description: String { "\(code) \(reasonPhrase)" }

    /// Whether a response with this status never has a body (1xx, 204, 304).
    public var forbidsBody: Bool { code < 200 || code == 204 || code == 304 }

    /// 200.
    public static let ok = HTTPStatus(200)
    /// 201.
    public static let created = HTTPStatus(201)
    /// 202.
    public static let accepted = HTTPStatus(202)
    /// 204.
    public static let noContent = HTTPStatus(204)
    /// 400.
    public static let badRequest = HTTPStatus(400)
    /// 401.
    public static let unauthorized = HTTPStatus(401)
    /// 403.
    public static let forbidden = HTTPStatus(403)
    /// 404.
    public static let notFound = HTTPStatus(404)
    /// 405.
    public static let methodNotAllowed = HTTPStatus(405)
    /// 408.
    public static let requestTimeout = HTTPStatus(408)
    /// 411.
    public static let lengthRequired = HTTPStatus(411)
    /// 413.
    public static let payloadTooLarge = HTTPStatus(413)
    /// 415.
    public static let unsupportedMediaType = HTTPStatus(415)
    /// 422.
    public static let unprocessableContent = HTTPStatus(422)
    /// 429.
    public static let tooManyRequests = HTTPStatus(429)
    /// 500.
    public static let internalServerError = HTTPStatus(500)
    /// 501.
    public static let notImplemented = HTTPStatus(501)
    /// 503.
    public static let serviceUnavailable = HTTPStatus(503)
}

/// A request as handed to a route handler: head, complete body, route match and connection facts.
public struct HTTPRequest: Sendable {
    /// The method (for a `HEAD` request routed to a `GET` handler, this is still `HEAD`).
    public var method: HTTPMethod
    /// The raw request-target as sent.
    public var target: String
    /// The raw (percent-encoded) path.
    public var path: String
    /// The decoded query parameters, repeated names kept in order.
    public var query: QueryParameters
    /// The protocol version.
    public var version: HTTPVersion
    /// The header fields.
    public var headers: HTTPHeaders
    /// The complete body with any chunked framing removed.
    public var body: [UInt8]
    /// Trailer fields of a chunked body.
    public var trailers: HTTPHeaders
    /// Decoded values of `{name}` segments of the matched route pattern.
    public var pathParameters: [String: String]
    /// The matched route pattern, e.g. `/v1/records/{id}`.
    public var routePattern: String
    /// The peer address as `host:port` (`[v6]:port` for IPv6).
    public var remoteAddress: String
    /// Whether the request arrived over TLS.
    public var isSecure: Bool

    /// Creates a request (the server does this; public for handler unit tests).
    public init(method: HTTPMethod, target: String, path: String, query: QueryParameters = QueryParameters(),
                version: HTTPVersion = .http1_1, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [],
                trailers: HTTPHeaders = HTTPHeaders(), pathParameters: [String: String] = [:],
                routePattern: String = "", remoteAddress: String = "", isSecure: Bool = false) {
        self.method = method
        self.target = target
        self.path = path
        self.query = query
        self.version = version
        self.headers = headers
        self.body = body
        self.trailers = trailers
        self.pathParameters = pathParameters
        self.routePattern = routePattern
        self.remoteAddress = remoteAddress
        self.isSecure = isSecure
    }

    /// The decoded value of path parameter `name`, or nil.
    public func pathParameter(_ name: String) -> String? { pathParameters[name] }
}

/// A function that produces a streamed body by writing to a ``ChunkWriter``. It runs on the connection's thread
/// after the status line and headers are decided; throwing aborts the response (see ``ChunkWriter``).
public typealias HTTPBodyStreamer = @Sendable (ChunkWriter) throws -> Void

/// A response: status, headers and either a complete body or a streamed one.
///
/// The server owns the framing headers: any `Content-Length`, `Transfer-Encoding` or `Connection` set here is
/// replaced. Header names and values must not contain CR or LF; a response that does is replaced by a 500.
public struct HTTPResponse: Sendable {
    /// The body of a response.
    public enum Body: Sendable {
        /// A complete body sent with `Content-Length`.
        case bytes([UInt8])
        /// A body produced incrementally, sent with `Transfer-Encoding: chunked` (or close-delimited to HTTP/1.0
        /// clients). Not invoked for `HEAD` requests.
        case stream(HTTPBodyStreamer)
    }

    /// The status.
    public var status: HTTPStatus
    /// Header fields (excluding the framing fields the server sets).
    public var headers: HTTPHeaders
    /// The body.
    public var body: Body
    /// Whether the server must close the connection after this response.
    public var closesConnection: Bool

    /// Creates a response with a complete body.
    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [],
                closesConnection: Bool = false) {
        self.status = status
        self.headers = headers
        self.body = .bytes(body)
        self.closesConnection = closesConnection
    }

    /// Creates a streamed response; `contentType` becomes the Content-Type field.
    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders(), contentType: String,
                stream: @escaping HTTPBodyStreamer) {
        self.status = status
        var h = headers
        h.replaceOrAdd(name: "Content-Type", value: contentType)
        self.headers = h
        self.body = .stream(stream)
        self.closesConnection = false
    }

    /// A response with a JSON body (`Content-Type: application/json`).
    public static func json(_ body: [UInt8], status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var h = headers
        h.replaceOrAdd(name: "Content-Type", value: "application/json")
        return HTTPResponse(status: status, headers: h, body: body)
    }

    /// A response with a JSON body serialised from `value`.
    public static func json(_ value: JSONValue, status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var out: [UInt8] = []
        JSONWriter.append(value, to: &out)
        return json(out, status: status, headers: headers)
    }

    /// A response with a plain-text body (`text/plain; charset=utf-8` unless `contentType` is given).
    public static func text(_ text: String, status: HTTPStatus = .ok,
                            contentType: String = "text/plain; charset=utf-8") -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": contentType], body: Array(text.utf8))
    }

    /// The standard JSON error response: `{"error":{"code":code,"message":message}}`.
    public static func error(_ status: HTTPStatus, code: String, message: String) -> HTTPResponse {
        json(errorBody(code: code, message: message), status: status)
    }

    /// The bytes of the standard JSON error body.
    public static func errorBody(code: String, message: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(40 + code.utf8.count + message.utf8.count)
        out.append(contentsOf: #"{"error":{"code":"#.utf8)
        JSONWriter.appendString(code, to: &out)
        out.append(contentsOf: #","message":"#.utf8)
        JSONWriter.appendString(message, to: &out)
        out.append(contentsOf: "}}".utf8)
        return out
    }
}

/// An error a handler can throw to answer with a specific status and JSON error body. Any other error thrown by a
/// handler becomes `500 internal_error` (its description is not sent to the client).
public struct HTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The status to answer with.
    public var status: HTTPStatus
    /// The machine-readable code, e.g. `not_found`.
    public var code: String
    /// A human message. It is sent to the client, so it must not contain sensitive values.
    public var message: String
    /// Extra header fields for the error response (e.g. `WWW-Authenticate`).
    public var headers: HTTPHeaders

    /// Creates an error.
    public init(_ status: HTTPStatus, code: String, message: String, headers: HTTPHeaders = HTTPHeaders()) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    /// `status code: message`.
    public var description: String { "\(status.code) \(code): \(message)" }

    /// The response this error is sent as.
    public var response: HTTPResponse {
        var r = HTTPResponse.error(status, code: code, message: message)
        for field in headers { r.headers.add(name: field.name, value: field.value) }
        return r
    }

    /// 400 `bad_request`.
    public static func badRequest(_ message: String) -> HTTPError { HTTPError(.badRequest, code: "bad_request", message: message) }
    /// 404 `not_found`.
    public static func notFound(_ message: String = "no such resource") -> HTTPError {
        HTTPError(.notFound, code: "not_found", message: message)
    }
}
