import XCTest
import Foundation
import AuditQuery
import AuditStore
import Gatelog
import GatelogServer
import JSON
#if canImport(Glibc)
import Glibc
#endif

/// A temporary directory removed when the value goes away.
final class TemporaryDirectory: Sendable {
    let path: String

    init(_ label: String = "gatelog-srv") {
        var template = Array("\(NSTemporaryDirectory())/\(label)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// SplitMix64 for reproducible randomness.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// A parsed HTTP response.
struct Response {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    var text: String { String(decoding: body, as: UTF8.self) }
    var json: JSONValue? { try? JSONValue.parse(body) }
}

/// A tiny blocking HTTP/1.1 client over a TCP socket to 127.0.0.1 (one request per connection
/// unless the caller keeps the connection), with a receive timeout so a hang fails the test.
final class RawConnection {
    let fd: Int32
    private var buffer: [UInt8] = []

    init(port: Int, timeoutSeconds: Int = 10) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket failed") }
        var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { close(fd); throw TestFailure("connect to \(port) failed: errno \(errno)") }
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) throws {
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 { if errno == EINTR { continue }; throw TestFailure("send failed: errno \(errno)") }
            off += n
        }
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Reads more bytes; false at EOF.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno == EINTR { continue }
                throw TestFailure("recv failed (timeout?): errno \(errno)")
            }
            if n == 0 { return false }
            buffer += chunk[..<n]
            return true
        }
    }

    /// True when the server closed the connection (reads EOF, or a reset) without sending more.
    func isClosedByPeer() -> Bool {
        do { return try !fill() && buffer.isEmpty } catch { return true }
    }

    /// Reads one response (Content-Length, chunked, or until close).
    func readResponse(head: Bool = false) throws -> Response {
        var end: Int?
        while end == nil {
            if let r = findHeaderEnd() { end = r; break }
            guard try fill() else { throw TestFailure("connection closed before a response (\(buffer.count) bytes)") }
        }
        let headText = String(decoding: buffer[..<end!], as: UTF8.self)
        buffer.removeFirst(end! + 4)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw TestFailure("bad status line \(headText.prefix(80))") }
        let headers = lines.compactMap { l -> (String, String)? in
            guard let c = l.firstIndex(of: ":") else { return nil }
            return (String(l[..<c]), l[l.index(after: c)...].trimmingCharacters(in: .whitespaces))
        }
        var response = Response(status: status, headers: headers, body: [])
        if head || status == 204 || status == 304 { return response }
        if response.header("Transfer-Encoding")?.lowercased() == "chunked" {
            while true {
                var lineEnd: Int?
                while lineEnd == nil {
                    lineEnd = findCRLF()
                    if lineEnd == nil { guard try fill() else { throw TestFailure("eof in chunk size") } }
                }
                let sizeText = String(decoding: buffer[..<lineEnd!], as: UTF8.self).split(separator: ";").first ?? ""
                guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else { throw TestFailure("bad chunk size") }
                buffer.removeFirst(lineEnd! + 2)
                while buffer.count < size + 2 { guard try fill() else { throw TestFailure("eof in chunk") } }
                response.body += buffer[..<size]
                buffer.removeFirst(size + 2)
                if size == 0 { break }
            }
        } else if let length = response.header("Content-Length").flatMap({ Int($0) }) {
            while buffer.count < length { guard try fill() else { throw TestFailure("eof in body") } }
            response.body = Array(buffer[..<length])
            buffer.removeFirst(length)
        } else {
            while try fill() {}
            response.body = buffer
            buffer = []
        }
        return response
    }

    private func findHeaderEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for i in 0...(buffer.count - 4) where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 { return i }
        return nil
    }

    private func findCRLF() -> Int? {
        guard buffer.count >= 2 else { return nil }
        for i in 0...(buffer.count - 2) where buffer[i] == 13 && buffer[i + 1] == 10 { return i }
        return nil
    }
}

/// Client helpers: one request per connection.
struct Client {
    let port: Int

    func request(_ method: String, _ target: String, token: String? = nil, body: [UInt8]? = nil,
                 headers: [String: String] = [:]) throws -> Response {
        let c = try RawConnection(port: port)
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\nContent-Type: application/json\r\n" }
        try c.send(Array((head + "\r\n").utf8) + (body ?? []))
        return try c.readResponse(head: method == "HEAD")
    }

    func get(_ target: String, token: String?) throws -> Response { try request("GET", target, token: token) }
    func post(_ target: String, token: String?, _ body: String) throws -> Response {
        try request("POST", target, token: token, body: Array(body.utf8))
    }
}

/// An `APIServer` on 127.0.0.1 port 0 over a temporary data directory, with an admin token.
final class RunningServer {
    let dir: TemporaryDirectory
    let api: APIServer
    let port: Int
    let admin: String
    var client: Client { Client(port: port) }

    /// Serves `dir` (a new temporary directory unless given: pass a stopped server's to restart on its data).
    init(dir: TemporaryDirectory = TemporaryDirectory(), _ configure: (inout StoreConfiguration) -> Void = { _ in }) throws {
        self.dir = dir
        var configuration = StoreConfiguration(dataDirectory: dir.path)
        configure(&configuration)
        let service = try GatelogService(configuration: configuration)
        admin = try service.query.createToken(.localAdmin, role: "admin", scope: Scope(), expiresIn: nil).1
        var options = APIServer.Options()
        options.listen = "127.0.0.1:0"
        options.maxBodyBytes = 1 << 20
        api = try APIServer(service: service, options: options)
        port = try api.start()
    }

    var service: GatelogService { api.service }

    /// A token for `role` with `scope`; returns (id, secret).
    func token(_ role: String, scope: String = "", expires: TimeInterval? = nil) throws -> (id: String, token: String) {
        let (record, secret) = try service.query.createToken(.localAdmin, role: role, scope: try Scope.parse(scope), expiresIn: expires)
        return (record.id, secret)
    }

    func stop() { api.shutdown() }
}

enum Records {
    static func record(_ id: String, region: String = "eu-west-1", tenant: String = "acme", customer: String = "acme-1",
                       model: String = "openai/gpt-4o", ms: Int = 0, status: Int = 200) -> String {
        #"{"id":"\#(id)","ts":"2026-03-01T12:\#(String(format: "%02d", (ms / 60000) % 60)):\#(String(format: "%02d", (ms / 1000) % 60)).\#(String(format: "%03d", ms % 1000))Z","#
            + #""region":"\#(region)","tenant":"\#(tenant)","user":"u-\#(id)@\#(tenant).example","model":"\#(model)","status":\#(status),"#
            + #""usage":{"input_tokens":10,"output_tokens":5},"cost_usd":0.25,"latency_ms":{"total":120,"ttft":30,"itl":5},"#
            + #""metadata":{"customer_id":"\#(customer)"},"request":{"messages":[{"role":"user","content":"PROMPT-\#(id)"}]},"#
            + #""response":{"choices":[{"text":"ANSWER-\#(id)"}]}}"#
    }
}
