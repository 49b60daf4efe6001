import Foundation
import Synchronization
import XCTest
@testable import HTTPServer
#if canImport(Glibc)
import Glibc
#endif

/// A response as read off the wire by ``RawClient``.
struct WireResponse {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]
    var wasChunked: Bool

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The `code` of a JSON error body, or nil.
    var errorCode: String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let error = object["error"] as? [String: Any] else { return nil }
        return error["code"] as? String
    }
}

struct ClientError: Error, CustomStringConvertible {
    var description: String
}

/// A blocking TCP client speaking raw bytes, with an HTTP/1.1 response reader for assertions.
final class RawClient {
    let fd: Int32
    private var buffer: [UInt8] = []

    init(port: Int, host: String = "127.0.0.1", receiveTimeout: Double = 5) throws {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let ai = result else {
            throw ClientError(description: "resolve failed")
        }
        defer { freeaddrinfo(result) }
        fd = socket(ai.pointee.ai_family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClientError(description: "socket failed") }
        guard connect(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen) == 0 else {
            close(fd)
            throw ClientError(description: "connect failed errno \(errno)")
        }
        setReceiveTimeout(receiveTimeout)
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { close(fd) }

    func setReceiveTimeout(_ seconds: Double) {
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw ClientError(description: "send failed errno \(errno)") }
            offset += n
        }
    }

    /// Reads more bytes; returns false on EOF or error (including the receive timeout).
    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = recv(fd, &chunk, chunk.count, 0)
        guard n > 0 else { return false }
        buffer.append(contentsOf: chunk[0..<n])
        return true
    }

    private func readLine() throws -> String {
        while true {
            if let i = buffer.firstIndex(of: 0x0A) {
                guard i > 0, buffer[i - 1] == 0x0D else { throw ClientError(description: "bare LF from server") }
                let line = String(decoding: buffer[0..<(i - 1)], as: UTF8.self)
                buffer.removeSubrange(0...i)
                return line
            }
            guard fill() else { throw ClientError(description: "connection ended mid-line") }
        }
    }

    private func readExactly(_ n: Int) throws -> [UInt8] {
        while buffer.count < n {
            guard fill() else { throw ClientError(description: "connection ended mid-body") }
        }
        let out = Array(buffer[0..<n])
        buffer.removeSubrange(0..<n)
        return out
    }

    /// Reads one response. `isHead` suppresses the body; 1xx responses are returned as they come.
    func readResponse(isHead: Bool = false) throws -> WireResponse {
        let statusLine = try readLine()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0] == "HTTP/1.1", let status = Int(parts[1]) else {
            throw ClientError(description: "bad status line \(statusLine)")
        }
        var headers: [(String, String)] = []
        while true {
            let line = try readLine()
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { throw ClientError(description: "bad header line") }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var response = WireResponse(status: status, headers: headers, body: [], wasChunked: false)
        if isHead || status < 200 || status == 204 || status == 304 { return response }
        if let te = response.header("Transfer-Encoding") {
            XCTAssertEqual(te, "chunked")
            response.wasChunked = true
            while true {
                let sizeLine = try readLine()
                guard let size = Int(sizeLine, radix: 16) else { throw ClientError(description: "bad chunk size") }
                if size == 0 {
                    while try !readLine().isEmpty {}
                    break
                }
                response.body += try readExactly(size)
                guard try readLine().isEmpty else { throw ClientError(description: "missing CRLF after chunk") }
            }
        } else if let cl = response.header("Content-Length") {
            response.body = try readExactly(Int(cl)!)
        } else {
            while fill() {}
            response.body = buffer
            buffer = []
        }
        return response
    }

    /// Whether the server closed the connection (EOF or reset) within `timeout` seconds, ignoring unread data.
    func waitForClose(timeout: Double = 3) -> Bool {
        setReceiveTimeout(timeout)
        buffer.removeAll()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n == 0 { return true }
            if n < 0 { return errno == ECONNRESET }
        }
    }

    /// Bytes already buffered but not consumed by a response.
    var unreadByteCount: Int { buffer.count }
}

/// Collects observations from the server's hook.
final class ObservationLog: Sendable {
    private let items = Mutex<[HTTPRequestObservation]>([])
    func record(_ o: HTTPRequestObservation) { items.withLock { $0.append(o) } }
    var all: [HTTPRequestObservation] { items.withLock { $0 } }

    /// The observations once there are at least `count` (they are reported just after the response is written).
    func waitFor(_ count: Int, timeout: Double = 3) -> [HTTPRequestObservation] {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let current = all
            if current.count >= count { return current }
            usleep(1_000)
        }
        return all
    }
}

extension XCTestCase {
    /// Starts a server on an ephemeral loopback port and shuts it down at teardown.
    func startServer(_ configure: (inout HTTPServerConfiguration) -> Void = { _ in },
                     log: ObservationLog? = nil, bodyAdmission: HTTPBodyAdmission? = nil,
                     routes: (inout HTTPRouter) -> Void) throws -> HTTPServer {
        var configuration = HTTPServerConfiguration(address: HTTPListenAddress(host: "127.0.0.1", port: 0))
        configure(&configuration)
        var router = HTTPRouter()
        routes(&router)
        var observer: HTTPObserver?
        if let log { observer = { o in log.record(o) } }
        let server = try HTTPServer(configuration: configuration, router: router, observer: observer, bodyAdmission: bodyAdmission)
        try server.start()
        addTeardownBlock { server.shutdown(gracePeriod: Duration.seconds(2)) }
        return server
    }

    /// Runs an external program, returning its exit status, stdout and stderr.
    func run(_ executable: String, _ arguments: [String], stdin: Data? = nil, timeout: Double = 30) throws
        -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        let outData = Mutex(Data()), errData = Mutex(Data())
        let group = DispatchGroup()
        let outHandle = out.fileHandleForReading, errHandle = err.fileHandleForReading
        DispatchQueue.global().async(group: group) { let d = outHandle.readDataToEndOfFile(); outData.withLock { $0 = d } }
        DispatchQueue.global().async(group: group) { let d = errHandle.readDataToEndOfFile(); errData.withLock { $0 = d } }
        if group.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            throw ClientError(description: "\(executable) timed out")
        }
        process.waitUntilExit()
        return (process.terminationStatus,
                String(decoding: outData.withLock { $0 }, as: UTF8.self),
                String(decoding: errData.withLock { $0 }, as: UTF8.self))
    }

    /// The absolute path of a program on PATH, or nil.
    func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
