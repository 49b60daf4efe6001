/// A route handler. It runs on the server's own connection thread (never the Swift concurrency pool), so it may
/// block on disk I/O. Throw ``HTTPError`` for a specific error status; any other error becomes a 500.
public typealias HTTPHandler = @Sendable (HTTPRequest) throws -> HTTPResponse

/// Method + path-pattern routing.
///
/// Patterns are absolute paths whose segments are literals or `{name}` parameters, e.g. `/v1/records/{id}`.
/// A parameter matches one non-empty, percent-decoded segment. When several patterns match, the one with a literal
/// at the first differing segment wins (`/v1/records/stats` beats `/v1/records/{id}`). `HEAD` falls back to the
/// `GET` route of the same pattern. Build the router before starting the server; it is a value.
public struct HTTPRouter: Sendable {
    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    struct Route: Sendable {
        let method: HTTPMethod
        let pattern: String
        let segments: [Segment]
        let maxBodyBytes: Int?
        let handler: HTTPHandler
    }

    /// The outcome of matching a request.
    enum Match {
        case found(Route, [String: String])
        case methodNotAllowed(allowed: [String])
        case notFound
    }

    private(set) var routes: [Route] = []

    /// Creates an empty router.
    public init() {}

    /// Registers `handler` for `method` and `pattern`.
    /// - Parameters:
    ///   - maxBodyBytes: this route's body limit, overriding the server's default (larger or smaller).
    /// - Precondition: `pattern` starts with `/`, parameter names are non-empty and unique within the pattern, and
    ///   the same method and pattern shape are not registered twice (programmer errors).
    public mutating func add(_ method: HTTPMethod, _ pattern: String, maxBodyBytes: Int? = nil,
                             handler: @escaping HTTPHandler) {
        let segments = HTTPRouter.compile(pattern)
        precondition(!routes.contains { $0.method == method && $0.segments.map(\.shape) == segments.map(\.shape) },
                     "route \(method) \(pattern) registered twice")
        routes.append(Route(method: method, pattern: pattern, segments: segments, maxBodyBytes: maxBodyBytes,
                            handler: handler))
        routes.sort { HTTPRouter.isMoreSpecific($0.segments, than: $1.segments) }
    }

    /// Registers a `GET` route (also answering `HEAD`).
    public mutating func get(_ pattern: String, handler: @escaping HTTPHandler) {
        add(.get, pattern, handler: handler)
    }

    /// Registers a `POST` route.
    public mutating func post(_ pattern: String, maxBodyBytes: Int? = nil, handler: @escaping HTTPHandler) {
        add(.post, pattern, maxBodyBytes: maxBodyBytes, handler: handler)
    }

    /// Registers a `PUT` route.
    public mutating func put(_ pattern: String, maxBodyBytes: Int? = nil, handler: @escaping HTTPHandler) {
        add(.put, pattern, maxBodyBytes: maxBodyBytes, handler: handler)
    }

    /// Registers a `DELETE` route.
    public mutating func delete(_ pattern: String, handler: @escaping HTTPHandler) {
        add(.delete, pattern, handler: handler)
    }

    /// The registered `(method, pattern)` pairs in matching order.
    public var registeredRoutes: [(method: HTTPMethod, pattern: String)] {
        routes.map { ($0.method, $0.pattern) }
    }

    /// Matches decoded path segments. O(routes × segments).
    func match(method: HTTPMethod, segments: [String]) -> Match {
        var allowed: [String] = []
        var getFallback: (Route, [String: String])?
        for route in routes {
            guard let params = HTTPRouter.bind(route.segments, to: segments) else { continue }
            if route.method == method { return .found(route, params) }
            if method == .head && route.method == .get && getFallback == nil { getFallback = (route, params) }
            if !allowed.contains(route.method.rawValue) { allowed.append(route.method.rawValue) }
        }
        if let getFallback { return .found(getFallback.0, getFallback.1) }
        if allowed.isEmpty { return .notFound }
        if allowed.contains("GET") && !allowed.contains("HEAD") { allowed.append("HEAD") }
        return .methodNotAllowed(allowed: allowed)
    }

    private static func bind(_ pattern: [Segment], to segments: [String]) -> [String: String]? {
        guard pattern.count == segments.count else { return nil }
        var params: [String: String] = [:]
        for (p, s) in zip(pattern, segments) {
            switch p {
            case .literal(let l): if l != s { return nil }
            case .parameter(let name):
                if s.isEmpty { return nil }
                params[name] = s
            }
        }
        return params
    }

    static func compile(_ pattern: String) -> [Segment] {
        precondition(pattern.hasPrefix("/"), "route pattern must start with /")
        if pattern == "/" { return [] }
        var names: Set<String> = []
        return pattern.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map { part in
            if part.hasPrefix("{") && part.hasSuffix("}") {
                let name = String(part.dropFirst().dropLast())
                precondition(!name.isEmpty && !name.contains("{") && !name.contains("}"), "bad parameter in \(pattern)")
                precondition(names.insert(name).inserted, "duplicate parameter \(name) in \(pattern)")
                return .parameter(name)
            }
            precondition(!part.contains("{") && !part.contains("}"), "bad segment in \(pattern)")
            return .literal(String(part))
        }
    }

    /// Literal before parameter at the first differing segment; otherwise shorter first (stable order).
    private static func isMoreSpecific(_ a: [Segment], than b: [Segment]) -> Bool {
        for (x, y) in zip(a, b) {
            switch (x, y) {
            case (.literal, .parameter): return true
            case (.parameter, .literal): return false
            default: continue
            }
        }
        return false
    }
}

extension HTTPRouter.Segment {
    /// Literals compare by text; all parameters have the same shape.
    var shape: String {
        switch self {
        case .literal(let l): return "l:" + l
        case .parameter: return "{}"
        }
    }
}
