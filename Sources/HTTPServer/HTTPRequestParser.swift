// Incremental, strict HTTP/1.1 request parser (RFC 9112). Standard library only, so that it compiles into the
// standalone fuzz target together with HTTPTypes.swift and Tests/Fuzz/HTTPParserFuzz.swift.

/// Size limits enforced while parsing requests.
public struct HTTPParserLimits: Sendable, Equatable {
    /// Maximum bytes of request line plus header section, including line endings and the final empty line.
    /// Exceeding it before the request line ends gives 414, afterwards 431. Default 16 KiB.
    public var maxHeaderBytes: Int
    /// Maximum number of header fields (and, separately, of trailer fields). Default 100.
    public var maxHeaderCount: Int
    /// Default maximum request body size in bytes (after removing chunked framing); routes may override it.
    /// Default 16 MiB.
    public var maxBodyBytes: Int
    /// Maximum length of one chunk-size line, including chunk extensions. Default 4096.
    public var maxChunkLineBytes: Int

    /// Creates limits; every parameter has the documented default.
    public init(maxHeaderBytes: Int = 16 * 1024, maxHeaderCount: Int = 100, maxBodyBytes: Int = 16 * 1024 * 1024,
                maxChunkLineBytes: Int = 4096) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
        self.maxChunkLineBytes = maxChunkLineBytes
    }
}

/// Why a request was rejected by the parser. Every case maps to an HTTP status and a stable error code.
///
/// Messages describe the rule that was broken and never contain bytes from the request.
/// After any of these errors the connection's framing is unreliable and the server closes it.
public enum HTTPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request line is not `method SP request-target SP HTTP-version CRLF`.
    case badRequestLine
    /// A well-formed version other than HTTP/1.0 or HTTP/1.1.
    case unsupportedVersion
    /// A line ended in LF without CR, or a CR appeared without LF.
    case badLineEnding
    /// A header line is malformed (no colon, empty or invalid name, whitespace before the colon, control bytes).
    case badHeader
    /// A header line starts with whitespace (obsolete line folding, RFC 9112 §5.2).
    case obsoleteLineFolding
    /// More than one Content-Length field.
    case duplicateContentLength
    /// A Content-Length value that is not a plain decimal number.
    case invalidContentLength
    /// Both Content-Length and Transfer-Encoding present (a request smuggling vector).
    case contentLengthWithTransferEncoding
    /// Transfer-Encoding lists `chunked` more than once, is empty, or is sent in an HTTP/1.0 request.
    case badTransferEncoding
    /// Transfer-Encoding names a coding other than `chunked`.
    case unsupportedTransferEncoding
    /// An HTTP/1.1 request without exactly one Host field.
    case badHost
    /// An Expect value other than `100-continue`.
    case unsupportedExpectation
    /// A malformed chunk-size line or missing CRLF after chunk data.
    case badChunk
    /// The request line alone exceeds the header size limit.
    case requestLineTooLong
    /// Request line plus headers (or the trailer section) exceed the header size limit.
    case headersTooLarge
    /// More header (or trailer) fields than allowed.
    case tooManyHeaders
    /// The body exceeds the body size limit.
    case bodyTooLarge

    /// The HTTP status code to answer with.
    public var status: Int {
        switch self {
        case .unsupportedVersion: return 505
        case .unsupportedTransferEncoding: return 501
        case .unsupportedExpectation: return 417
        case .requestLineTooLong: return 414
        case .headersTooLarge, .tooManyHeaders: return 431
        case .bodyTooLarge: return 413
        default: return 400
        }
    }

    /// A stable machine-readable code for the JSON error body.
    public var code: String {
        switch self {
        case .unsupportedVersion: return "http_version_not_supported"
        case .unsupportedTransferEncoding: return "not_implemented"
        case .unsupportedExpectation: return "expectation_failed"
        case .requestLineTooLong: return "uri_too_long"
        case .headersTooLarge, .tooManyHeaders: return "request_header_fields_too_large"
        case .bodyTooLarge: return "payload_too_large"
        default: return "bad_request"
        }
    }

    /// A human message naming the broken rule. Never includes request content.
    public var message: String {
        switch self {
        case .badRequestLine: return "malformed request line"
        case .unsupportedVersion: return "only HTTP/1.0 and HTTP/1.1 are supported"
        case .badLineEnding: return "lines must end with CRLF"
        case .badHeader: return "malformed header field"
        case .obsoleteLineFolding: return "obsolete header line folding is not allowed"
        case .duplicateContentLength: return "more than one Content-Length field"
        case .invalidContentLength: return "Content-Length must be a decimal number"
        case .contentLengthWithTransferEncoding: return "Content-Length and Transfer-Encoding must not both be present"
        case .badTransferEncoding: return "invalid Transfer-Encoding"
        case .unsupportedTransferEncoding: return "only the chunked transfer coding is supported"
        case .badHost: return "HTTP/1.1 requests need exactly one Host field"
        case .unsupportedExpectation: return "only Expect: 100-continue is supported"
        case .badChunk: return "malformed chunked body"
        case .requestLineTooLong: return "request line exceeds the size limit"
        case .headersTooLarge: return "header section exceeds the size limit"
        case .tooManyHeaders: return "too many header fields"
        case .bodyTooLarge: return "request body exceeds the size limit"
        }
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }
}

/// The request line and header section of a request, with framing already decided.
public struct HTTPRequestHead: Sendable, Equatable {
    /// The method token.
    public var method: HTTPMethod
    /// The request-target exactly as sent (visible ASCII, no spaces).
    public var target: String
    /// HTTP/1.0 or HTTP/1.1.
    public var version: HTTPVersion
    /// All header fields in order.
    public var headers: HTTPHeaders
    /// The declared Content-Length, if any.
    public var contentLength: Int?
    /// Whether the body uses chunked transfer coding.
    public var isChunked: Bool
    /// Whether the client allows the connection to stay open after this request
    /// (HTTP/1.1 unless `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`).
    public var isKeepAlive: Bool
    /// Whether the client sent `Expect: 100-continue` (HTTP/1.1 only) and waits before sending the body.
    public var expectsContinue: Bool

    /// Whether a body follows the head (chunked, or Content-Length greater than zero).
    public var hasBody: Bool { isChunked || (contentLength ?? 0) > 0 }
}

/// What the parser produced.
public enum HTTPParserEvent: Sendable, Equatable {
    /// A complete request head. The body (possibly empty) follows as `.end`.
    case head(HTTPRequestHead)
    /// The complete body (chunked framing removed) and any trailer fields; the request is finished.
    case end(body: [UInt8], trailers: HTTPHeaders)
}

/// An incremental HTTP/1.1 request parser: append bytes as they arrive, then call ``nextEvent()`` until it
/// returns nil (more bytes needed). Requests are produced strictly in order, so pipelined requests are safe.
///
/// Each request yields `.head` then `.end`. Between them the caller may lower or raise the body limit for this
/// request with ``setBodyLimit(_:)`` (e.g. per route). Once an error has been thrown the parser stays failed.
///
/// Memory is bounded by `maxHeaderBytes` plus the largest single append while reading a head, and by the body
/// limit while reading a body. Parsing is O(n) in the bytes appended.
public struct HTTPRequestParser {
    private enum State {
        case head
        case bodyPending
        case contentBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case emptyBodyEnd
    }

    /// The limits this parser enforces.
    public let limits: HTTPParserLimits

    private var buffer: [UInt8] = []
    private var readIndex = 0
    private var state: State = .head
    private var failure: HTTPParseError?

    // Head scanning, as offsets from readIndex (readIndex does not move while a head is incomplete).
    private var scanOffset = 0
    private var lineStartOffset = 0
    private var requestLineOffset: Int?

    // Per-request body state.
    private var head: HTTPRequestHead?
    private var bodyLimit: Int
    private var body: [UInt8] = []
    private var trailers = HTTPHeaders()
    private var trailerBytes = 0

    /// Creates a parser enforcing `limits`.
    public init(limits: HTTPParserLimits = HTTPParserLimits()) {
        self.limits = limits
        self.bodyLimit = limits.maxBodyBytes
    }

    /// Bytes received but not yet consumed by a produced event.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// Whether the parser is between requests with nothing buffered (a clean point to close a connection).
    public var isIdle: Bool {
        if case .head = state { return readIndex == buffer.count }
        return false
    }

    /// Whether the parser has produced a head and is now reading that request's body.
    public var isReadingBody: Bool {
        if case .head = state { return false }
        return true
    }

    /// Appends received bytes. O(bytes), amortised.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// Appends received bytes. O(bytes), amortised.
    public mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// Sets the body limit for the request whose head was just produced (resets to the default limit for the next
    /// request). Call before the next ``nextEvent()``.
    public mutating func setBodyLimit(_ limit: Int) {
        bodyLimit = max(0, limit)
    }

    /// Produces the next event, or nil when more bytes are needed.
    /// - Throws: ``HTTPParseError``; the parser then stays failed.
    public mutating func nextEvent() throws(HTTPParseError) -> HTTPParserEvent? {
        if let failure { throw failure }
        do {
            return try step()
        } catch {
            failure = error
            throw error
        }
    }

    // MARK: - Internals

    private mutating func compact() {
        guard readIndex > 0 else { return }
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            readIndex = 0
        } else if readIndex >= 4096 && readIndex * 2 >= buffer.count {
            buffer.removeSubrange(0..<readIndex)
            readIndex = 0
        }
    }

    private mutating func step() throws(HTTPParseError) -> HTTPParserEvent? {
        while true {
            switch state {
            case .head:
                guard let head = try scanHead() else { return nil }
                self.head = head
                bodyLimit = limits.maxBodyBytes
                body = []
                trailers = HTTPHeaders()
                trailerBytes = 0
                state = .bodyPending
                return .head(head)

            case .bodyPending:
                guard let head else { preconditionFailure("body without head") }
                if head.isChunked {
                    state = .chunkSize
                } else if let length = head.contentLength, length > 0 {
                    if length > bodyLimit { throw .bodyTooLarge }
                    body.reserveCapacity(length)
                    state = .contentBody(remaining: length)
                } else {
                    state = .emptyBodyEnd
                }

            case .emptyBodyEnd:
                return finishRequest()

            case .contentBody(let remaining):
                let available = buffer.count - readIndex
                if available == 0 { return nil }
                let n = min(available, remaining)
                body.append(contentsOf: buffer[readIndex..<(readIndex + n)])
                readIndex += n
                if n == remaining { return finishRequest() }
                state = .contentBody(remaining: remaining - n)
                return nil

            case .chunkSize:
                guard let size = try scanChunkSizeLine() else { return nil }
                if size == 0 {
                    state = .trailers
                } else {
                    if size > bodyLimit - body.count { throw .bodyTooLarge }
                    state = .chunkData(remaining: size)
                }

            case .chunkData(let remaining):
                let available = buffer.count - readIndex
                if available == 0 { return nil }
                let n = min(available, remaining)
                body.append(contentsOf: buffer[readIndex..<(readIndex + n)])
                readIndex += n
                if n == remaining {
                    state = .chunkDataEnd
                } else {
                    state = .chunkData(remaining: remaining - n)
                    return nil
                }

            case .chunkDataEnd:
                guard buffer.count - readIndex >= 2 else {
                    if buffer.count - readIndex == 1 && buffer[readIndex] != HTTPBytes.cr { throw .badChunk }
                    return nil
                }
                guard buffer[readIndex] == HTTPBytes.cr, buffer[readIndex + 1] == HTTPBytes.lf else { throw .badChunk }
                readIndex += 2
                state = .chunkSize

            case .trailers:
                guard let done = try scanTrailerLine() else { return nil }
                if done { return finishRequest() }
            }
        }
    }

    private mutating func finishRequest() -> HTTPParserEvent {
        let event = HTTPParserEvent.end(body: body, trailers: trailers)
        body = []
        trailers = HTTPHeaders()
        head = nil
        bodyLimit = limits.maxBodyBytes
        state = .head
        scanOffset = 0
        lineStartOffset = 0
        requestLineOffset = nil
        return event
    }

    /// Finds the end of the head (empty line) and parses it, or returns nil if more bytes are needed.
    private mutating func scanHead() throws(HTTPParseError) -> HTTPRequestHead? {
        let limit = limits.maxHeaderBytes
        var headEnd: Int?
        var scan = scanOffset
        var lineStart = lineStartOffset
        var requestLine = requestLineOffset
        try buffer.withUnsafeBufferPointer { (b) throws(HTTPParseError) in
            let base = readIndex
            var i = base + scan
            let stop = min(b.count, base + limit)
            while i < stop {
                if b[i] != HTTPBytes.lf { i += 1; continue }
                // A line ends at i; it must end in CRLF.
                let start = base + lineStart
                guard i > start, b[i - 1] == HTTPBytes.cr else { throw .badLineEnding }
                if i - 1 == start {
                    // Empty line: either a tolerated blank line before the request line, or the end of the head.
                    if requestLine != nil {
                        headEnd = i + 1
                        break
                    }
                } else if requestLine == nil {
                    requestLine = lineStart
                }
                lineStart = i + 1 - base
                i += 1
            }
            scan = i - base
        }
        scanOffset = scan
        lineStartOffset = lineStart
        requestLineOffset = requestLine
        if headEnd == nil {
            if buffer.count - readIndex >= limit {
                throw requestLineOffset == nil ? .requestLineTooLong : .headersTooLarge
            }
            return nil
        }
        let start = readIndex + (requestLineOffset ?? 0)
        let end = headEnd!
        let head = try buffer.withUnsafeBufferPointer { (b) throws(HTTPParseError) in
            try HTTPRequestParser.parseHead(UnsafeBufferPointer(rebasing: b[start..<end]), limits: limits)
        }
        readIndex = end
        return head
    }

    /// Parses a complete head whose every line is known to end in CRLF; `b` ends with the empty line.
    private static func parseHead(_ b: UnsafeBufferPointer<UInt8>,
                                  limits: HTTPParserLimits) throws(HTTPParseError) -> HTTPRequestHead {
        // Request line.
        var i = 0
        while i < b.count, HTTPBytes.isToken(b[i]) { i += 1 }
        guard i > 0, i < b.count, b[i] == HTTPBytes.space else { throw .badRequestLine }
        let method = HTTPMethod(String(decoding: UnsafeBufferPointer(rebasing: b[0..<i]), as: UTF8.self))
        i += 1
        let targetStart = i
        while i < b.count, b[i] > 0x20, b[i] < 0x7F, b[i] != UInt8(ascii: "#") { i += 1 }
        guard i > targetStart, i < b.count, b[i] == HTTPBytes.space else { throw .badRequestLine }
        let target = String(decoding: UnsafeBufferPointer(rebasing: b[targetStart..<i]), as: UTF8.self)
        i += 1
        // HTTP-version = "HTTP/" DIGIT "." DIGIT, then CRLF.
        guard i + 10 <= b.count,
              b[i] == UInt8(ascii: "H"), b[i + 1] == UInt8(ascii: "T"), b[i + 2] == UInt8(ascii: "T"),
              b[i + 3] == UInt8(ascii: "P"), b[i + 4] == UInt8(ascii: "/"),
              isDigit(b[i + 5]), b[i + 6] == UInt8(ascii: "."), isDigit(b[i + 7]),
              b[i + 8] == HTTPBytes.cr, b[i + 9] == HTTPBytes.lf
        else { throw .badRequestLine }
        let version = HTTPVersion(major: Int(b[i + 5] - 0x30), minor: Int(b[i + 7] - 0x30))
        guard version == .http1_1 || version == .http1_0 else { throw .unsupportedVersion }
        i += 10

        // Header fields.
        var fields: [HTTPField] = []
        fields.reserveCapacity(12)
        var contentLength: Int?
        var contentLengthCount = 0
        var transferEncodingSeen = false
        var chunkedCount = 0
        var codingCount = 0
        var unknownCoding = false
        var hostCount = 0
        var connectionClose = false
        var connectionKeepAlive = false
        var expectsContinue = false
        var badExpect = false

        while true {
            let lineStart = i
            while b[i] != HTTPBytes.lf { i += 1 }  // Every line ends in CRLF, guaranteed by the scanner.
            let lineEnd = i - 1
            i += 1
            if lineEnd == lineStart { break }  // The empty line.
            let line = UnsafeBufferPointer(rebasing: b[lineStart..<lineEnd])
            let (nameRange, valueRange) = try splitField(line)
            fields.append(HTTPField(
                name: String(decoding: UnsafeBufferPointer(rebasing: line[nameRange]), as: UTF8.self),
                value: String(decoding: UnsafeBufferPointer(rebasing: line[valueRange]), as: UTF8.self)))
            if fields.count > limits.maxHeaderCount { throw .tooManyHeaders }

            let name = line[nameRange]
            let value = line[valueRange]
            switch name.count {
            case 4 where HTTPBytes.equalsIgnoringCase(name, "host"):
                hostCount += 1
            case 6 where HTTPBytes.equalsIgnoringCase(name, "expect"):
                if HTTPBytes.equalsIgnoringCase(value, "100-continue") { expectsContinue = true } else { badExpect = true }
            case 10 where HTTPBytes.equalsIgnoringCase(name, "connection"):
                for element in value.split(separator: UInt8(ascii: ",")) {
                    let token = HTTPBytes.trimmed(element)
                    if HTTPBytes.equalsIgnoringCase(token, "close") { connectionClose = true }
                    else if HTTPBytes.equalsIgnoringCase(token, "keep-alive") { connectionKeepAlive = true }
                }
            case 14 where HTTPBytes.equalsIgnoringCase(name, "content-length"):
                contentLengthCount += 1
                if contentLengthCount > 1 { throw .duplicateContentLength }
                guard let n = parseDecimal(value) else { throw .invalidContentLength }
                contentLength = n
            case 17 where HTTPBytes.equalsIgnoringCase(name, "transfer-encoding"):
                transferEncodingSeen = true
                for element in value.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: true) {
                    let coding = HTTPBytes.trimmed(element)
                    if coding.isEmpty { continue }
                    codingCount += 1
                    if HTTPBytes.equalsIgnoringCase(coding, "chunked") { chunkedCount += 1 } else { unknownCoding = true }
                }
            default:
                break
            }
        }

        if transferEncodingSeen {
            if contentLengthCount > 0 { throw .contentLengthWithTransferEncoding }
            if version == .http1_0 || codingCount == 0 || chunkedCount > 1 { throw .badTransferEncoding }
            if unknownCoding { throw .unsupportedTransferEncoding }
        }
        if version == .http1_1 && hostCount != 1 { throw .badHost }
        if version == .http1_1 && badExpect { throw .unsupportedExpectation }

        let keepAlive = version == .http1_1 ? !connectionClose : (connectionKeepAlive && !connectionClose)
        return HTTPRequestHead(
            method: method, target: target, version: version, headers: HTTPHeaders(fields),
            contentLength: contentLength, isChunked: transferEncodingSeen,
            isKeepAlive: keepAlive, expectsContinue: expectsContinue && version == .http1_1)
    }

    /// Splits `name: value` into the name range and the trimmed value range, validating both.
    private static func splitField(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> (Range<Int>, Range<Int>) {
        guard let first = line.first else { throw .badHeader }
        if first == HTTPBytes.space || first == HTTPBytes.tab { throw .obsoleteLineFolding }
        var i = 0
        while i < line.count, HTTPBytes.isToken(line[i]) { i += 1 }
        guard i > 0, i < line.count, line[i] == HTTPBytes.colon else { throw .badHeader }
        let nameRange = 0..<i
        var s = i + 1
        var e = line.count
        while s < e, line[s] == HTTPBytes.space || line[s] == HTTPBytes.tab { s += 1 }
        while e > s, line[e - 1] == HTTPBytes.space || line[e - 1] == HTTPBytes.tab { e -= 1 }
        for j in s..<e where !HTTPBytes.isFieldValueByte(line[j]) { throw .badHeader }
        return (nameRange, s..<e)
    }

    @inline(__always)
    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    /// 1*DIGIT of at most 18 digits, else nil.
    private static func parseDecimal<C: Collection>(_ bytes: C) -> Int? where C.Element == UInt8 {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var n = 0
        for c in bytes {
            guard isDigit(c) else { return nil }
            n = n * 10 + Int(c - 0x30)
        }
        return n
    }

    @inline(__always)
    private static func hexValue(_ c: UInt8) -> Int? {
        switch c {
        case 0x30...0x39: return Int(c - 0x30)
        case 0x41...0x46: return Int(c - 0x41 + 10)
        case 0x61...0x66: return Int(c - 0x61 + 10)
        default: return nil
        }
    }

    /// Parses `chunk-size [chunk-ext] CRLF`, or returns nil if the line is incomplete.
    private mutating func scanChunkSizeLine() throws(HTTPParseError) -> Int? {
        let available = buffer.count - readIndex
        let window = min(available, limits.maxChunkLineBytes)
        var lineEnd: Int?
        var i = readIndex
        while i < readIndex + window {
            if buffer[i] == HTTPBytes.lf { lineEnd = i; break }
            i += 1
        }
        guard let lf = lineEnd else {
            if available >= limits.maxChunkLineBytes { throw .badChunk }
            // Reject early on bytes that can never start a valid line.
            if available > 0 && HTTPRequestParser.hexValue(buffer[readIndex]) == nil { throw .badChunk }
            return nil
        }
        guard lf > readIndex, buffer[lf - 1] == HTTPBytes.cr else { throw .badChunk }
        var j = readIndex
        var size = 0
        var digits = 0
        while j < lf - 1, let v = HTTPRequestParser.hexValue(buffer[j]) {
            digits += 1
            // Sizes beyond the body limit fail below; cap the digits so the value cannot overflow.
            if digits > 15 { throw .bodyTooLarge }
            size = size << 4 | v
            j += 1
        }
        guard digits > 0 else { throw .badChunk }
        if j < lf - 1 {
            // chunk-ext: BWS ";" ... ; validate that it starts with ';' after optional whitespace and holds no CTLs.
            var k = j
            while k < lf - 1, buffer[k] == HTTPBytes.space || buffer[k] == HTTPBytes.tab { k += 1 }
            guard k < lf - 1, buffer[k] == UInt8(ascii: ";") else { throw .badChunk }
            while k < lf - 1 {
                guard HTTPBytes.isFieldValueByte(buffer[k]) else { throw .badChunk }
                k += 1
            }
        }
        readIndex = lf + 1
        return size
    }

    /// Parses one trailer line; returns true at the final empty line, false after a field, nil if incomplete.
    private mutating func scanTrailerLine() throws(HTTPParseError) -> Bool? {
        let available = buffer.count - readIndex
        let budget = limits.maxHeaderBytes - trailerBytes
        let window = min(available, budget)
        var lineEnd: Int?
        var i = readIndex
        while i < readIndex + window {
            if buffer[i] == HTTPBytes.lf { lineEnd = i; break }
            i += 1
        }
        guard let lf = lineEnd else {
            if available >= budget { throw .headersTooLarge }
            return nil
        }
        guard lf > readIndex, buffer[lf - 1] == HTTPBytes.cr else { throw .badLineEnding }
        trailerBytes += lf + 1 - readIndex
        if lf - 1 == readIndex {
            readIndex = lf + 1
            return true
        }
        let start = readIndex
        let field = try buffer.withUnsafeBufferPointer { (b) throws(HTTPParseError) -> HTTPField in
            let line = UnsafeBufferPointer(rebasing: b[start..<(lf - 1)])
            let (n, v) = try HTTPRequestParser.splitField(line)
            return HTTPField(name: String(decoding: UnsafeBufferPointer(rebasing: line[n]), as: UTF8.self),
                             value: String(decoding: UnsafeBufferPointer(rebasing: line[v]), as: UTF8.self))
        }
        trailers.add(name: field.name, value: field.value)
        if trailers.count > limits.maxHeaderCount { throw .tooManyHeaders }
        readIndex = lf + 1
        return false
    }
}
