import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Writes a streamed response body. The server gives one to a ``HTTPBodyStreamer`` closure.
///
/// Writes are buffered and sent as chunks of about ``HTTPServerConfiguration/streamChunkSize`` bytes
/// (`Transfer-Encoding: chunked` to HTTP/1.1 clients; the raw bytes, ended by closing the connection, to HTTP/1.0
/// clients). The status line and headers are sent with the first chunk, so a closure that throws before anything
/// was flushed still gets a proper error response (its ``HTTPError``, or a 500). A closure that throws after data
/// was sent makes the server close the connection without the terminating chunk, so the client sees a truncated
/// body rather than a silently short one.
///
/// Not thread-safe: use it only inside the closure, on the thread that called it.
public final class ChunkWriter {
    private let transport: any Transport
    private let chunked: Bool
    private let threshold: Int
    private let writeTimeout: UInt64
    private var head: [UInt8]?
    private var pending: [UInt8] = []
    private var frame: [UInt8] = []
    private var isFinished = false

    /// Body bytes accepted so far (before chunk framing).
    public private(set) var bytesWritten = 0

    /// Whether the status line and headers have been sent.
    public var hasSentHead: Bool { head == nil }

    init(transport: any Transport, head: [UInt8], chunked: Bool, threshold: Int, writeTimeout: UInt64) {
        self.transport = transport
        self.head = head
        self.chunked = chunked
        self.threshold = max(1, threshold)
        self.writeTimeout = writeTimeout
        pending.reserveCapacity(self.threshold)
    }

    /// Appends body bytes, sending a chunk when the buffer reaches the chunk size. O(bytes).
    /// - Throws: ``HTTPServerError`` when the client is gone or stops reading (write timeout).
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        precondition(!isFinished, "ChunkWriter used after its response finished")
        guard !bytes.isEmpty else { return }
        bytesWritten += bytes.count
        if pending.count + bytes.count < threshold {
            pending.append(contentsOf: bytes)
            return
        }
        var rest = bytes
        while pending.count + rest.count >= threshold {
            let take = threshold - pending.count
            pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: rest[..<take]))
            rest = UnsafeRawBufferPointer(rebasing: rest[take...])
            try flush()
        }
        pending.append(contentsOf: rest)
    }

    /// Appends body bytes; see ``write(_:)-(UnsafeRawBufferPointer)``.
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Appends body bytes; see ``write(_:)-(UnsafeRawBufferPointer)``.
    public func write(_ bytes: ArraySlice<UInt8>) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Appends the UTF-8 bytes of `string`; see ``write(_:)-(UnsafeRawBufferPointer)``.
    public func write(_ string: String) throws {
        var s = string
        try s.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }

    /// Sends buffered bytes now as one chunk (e.g. to show progress to the client). Does nothing when empty,
    /// except sending the head if it is still pending.
    public func flush() throws {
        frame.removeAll(keepingCapacity: true)
        if let head {
            frame.append(contentsOf: head)
            self.head = nil
        }
        if !pending.isEmpty {
            if chunked {
                HTTPBytes.appendHex(pending.count, to: &frame)
                frame.append(contentsOf: [HTTPBytes.cr, HTTPBytes.lf])
                frame.append(contentsOf: pending)
                frame.append(contentsOf: [HTTPBytes.cr, HTTPBytes.lf])
            } else {
                frame.append(contentsOf: pending)
            }
            pending.removeAll(keepingCapacity: true)
        }
        guard !frame.isEmpty else { return }
        let deadline = Monotonic.now() + writeTimeout
        try frame.withUnsafeBytes { b in try transport.write(b, deadline: deadline) }
    }

    /// Sends what is buffered and the terminating chunk.
    func finish() throws {
        try flush()
        isFinished = true
        if chunked {
            let deadline = Monotonic.now() + writeTimeout
            try [UInt8]("0\r\n\r\n".utf8).withUnsafeBytes { b in
                try transport.write(b, deadline: deadline)
            }
        }
    }

    /// Marks the writer unusable (after a failure).
    func invalidate() { isFinished = true }
}

/// The `Date` header value, formatted at most once per second. One per connection (no shared lock on the
/// request path).
struct HTTPDateCache {
    private var second = -1
    private var bytes: [UInt8] = []

    /// IMF-fixdate for the current second, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
    mutating func current() -> [UInt8] {
        var now = time(nil)
        if Int(now) == second { return bytes }
        var tm = tm()
        gmtime_r(&now, &tm)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let text = "\(days[Int(tm.tm_wday)]), \(two(tm.tm_mday)) \(months[Int(tm.tm_mon)]) \(tm.tm_year + 1900) "
            + "\(two(tm.tm_hour)):\(two(tm.tm_min)):\(two(tm.tm_sec)) GMT"
        second = Int(now)
        bytes = Array(text.utf8)
        return bytes
    }
}

enum ResponseHead {
    /// Whether every header name is a token and every value holds only field-value bytes (no CR/LF/NUL).
    static func isValid(_ headers: HTTPHeaders) -> Bool {
        for field in headers {
            if field.name.isEmpty { return false }
            for c in field.name.utf8 where !HTTPBytes.isToken(c) { return false }
            for c in field.value.utf8 where !HTTPBytes.isFieldValueByte(c) { return false }
        }
        return true
    }

    /// Serialises the status line and headers, skipping the framing fields the server owns, then adds the given
    /// framing and connection fields and the final empty line.
    static func serialize(status: HTTPStatus, headers: HTTPHeaders, date: [UInt8], serverName: String?,
                          contentLength: Int?, chunked: Bool, connection: String?, into out: inout [UInt8]) {
        out.append(contentsOf: "HTTP/1.1 ".utf8)
        HTTPBytes.appendDecimal(status.code, to: &out)
        out.append(HTTPBytes.space)
        out.append(contentsOf: status.reasonPhrase.utf8)
        out.append(contentsOf: "\r\nDate: ".utf8)
        out.append(contentsOf: date)
        out.append(contentsOf: [HTTPBytes.cr, HTTPBytes.lf])
        if let serverName {
            out.append(contentsOf: "Server: ".utf8)
            out.append(contentsOf: serverName.utf8)
            out.append(contentsOf: [HTTPBytes.cr, HTTPBytes.lf])
        }
        for field in headers {
            switch field.name.utf8.count {
            case 10 where HTTPHeaders.namesEqual(field.name, "connection"): continue
            case 14 where HTTPHeaders.namesEqual(field.name, "content-length"): continue
            case 17 where HTTPHeaders.namesEqual(field.name, "transfer-encoding"): continue
            default: break
            }
            out.append(contentsOf: field.name.utf8)
            out.append(contentsOf: ": ".utf8)
            out.append(contentsOf: field.value.utf8)
            out.append(contentsOf: [HTTPBytes.cr, HTTPBytes.lf])
        }
        if let contentLength {
            out.append(contentsOf: "Content-Length: ".utf8)
            HTTPBytes.appendDecimal(contentLength, to: &out)
            out.append(contentsOf: [HTTPBytes.cr, HTTPBytes.lf])
        }
        if chunked { out.append(contentsOf: "Transfer-Encoding: chunked\r\n".utf8) }
        if let connection {
            out.append(contentsOf: "Connection: ".utf8)
            out.append(contentsOf: connection.utf8)
            out.append(contentsOf: [HTTPBytes.cr, HTTPBytes.lf])
        }
        out.append(contentsOf: [HTTPBytes.cr, HTTPBytes.lf])
    }
}
