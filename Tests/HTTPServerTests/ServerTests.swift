import Foundation
import Synchronization
import XCTest
@testable import HTTPServer
#if canImport(Glibc)
import Glibc
#endif

/// Routes shared by the socket tests.
func installTestRoutes(_ r: inout HTTPRouter) {
    r.get("/hello") { _ in .text("hello\n") }
    r.get("/v1/records/{id}") { req in
        .json(Array(#"{"id":"\#(req.pathParameter("id")!)","q":"\#(req.query.values(for: "q").joined(separator: ","))"}"#.utf8))
    }
    r.post("/echo") { req in
        var h = HTTPHeaders()
        h.add(name: "X-Body-Length", value: String(req.body.count))
        if let t = req.trailers["X-Trailer"] { h.add(name: "X-Got-Trailer", value: t) }
        return HTTPResponse(status: .ok, headers: h, body: req.body)
    }
    r.post("/small", maxBodyBytes: 8) { req in .text("\(req.body.count)") }
    r.get("/stream") { req in
        let lines = Int(req.query["n"] ?? "1000") ?? 1000
        return HTTPResponse(contentType: "application/x-ndjson") { writer in
            for i in 0..<lines { try writer.write(#"{"i":\#(i),"pad":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}"# + "\n") }
        }
    }
    r.get("/stream-fails-early") { _ in
        HTTPResponse(contentType: "text/csv") { _ in throw HTTPError(.forbidden, code: "forbidden", message: "nope") }
    }
    r.get("/stream-fails-late") { _ in
        HTTPResponse(contentType: "text/csv") { writer in
            try writer.write([UInt8](repeating: 0x41, count: 100_000))
            throw HTTPError(.internalServerError, code: "boom", message: "late failure")
        }
    }
    r.get("/throws") { _ in throw HTTPError(.unprocessableContent, code: "invalid_filter", message: "bad filter") }
    r.get("/crashes") { _ in
        struct Secret: Error { let value = "SECRET-VALUE" }
        throw Secret()
    }
    r.get("/bad-header") { _ in HTTPResponse(headers: ["X-Injected": "a\r\nSet-Cookie: x"], body: []) }
    r.get("/slow") { _ in
        usleep(400_000)
        return .text("slow done")
    }
    r.add(.post, "/verify") { req in .text("verified \(req.body.count)") }
}

final class ServerTests: XCTestCase {
    func testKeepAliveServesSeveralRequestsOnOneConnection() throws {
        let log = ObservationLog()
        let server = try startServer(log: log, routes: installTestRoutes)
        let client = try RawClient(port: server.port)
        for i in 0..<5 {
            try client.send("GET /v1/records/r\(i)?q=a&q=b%20c HTTP/1.1\r\nHost: x\r\n\r\n")
            let r = try client.readResponse()
            XCTAssertEqual(r.status, 200)
            XCTAssertEqual(r.bodyText, #"{"id":"r\#(i)","q":"a,b c"}"#)
            XCTAssertEqual(r.header("Content-Type"), "application/json")
            XCTAssertNil(r.header("Connection"))
            XCTAssertNotNil(r.header("Date"))
        }
        let peers = Set(log.waitFor(5).map(\.remoteAddress))
        XCTAssertEqual(peers.count, 1, "all requests used one connection")
        XCTAssertEqual(log.all.map(\.routePattern), Array(repeating: "/v1/records/{id}", count: 5))
        try client.send("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let last = try client.readResponse()
        XCTAssertEqual(last.header("Connection"), "close")
        XCTAssertTrue(client.waitForClose())
    }

    func testPipelinedRequestsAreAnsweredInOrder() throws {
        let server = try startServer(routes: installTestRoutes)
        let client = try RawClient(port: server.port)
        var batch = ""
        for i in 0..<10 {
            if i % 3 == 0 {
                let body = "body-\(i)"
                batch += "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            } else {
                batch += "GET /v1/records/\(i) HTTP/1.1\r\nHost: x\r\n\r\n"
            }
        }
        try client.send(batch)
        for i in 0..<10 {
            let r = try client.readResponse()
            XCTAssertEqual(r.status, 200)
            if i % 3 == 0 { XCTAssertEqual(r.bodyText, "body-\(i)") } else { XCTAssertTrue(r.bodyText.contains(#""id":"\#(i)""#)) }
        }
    }

    func testChunkedRequestBodyWithTrailers() throws {
        let server = try startServer(routes: installTestRoutes)
        let client = try RawClient(port: server.port)
        let payload = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var wire = Array("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
        var i = 0
        var size = 1
        while i < payload.count {
            let n = min(size, payload.count - i)
            wire += Array((String(n, radix: 16) + ";ext=1\r\n").utf8) + payload[i..<(i + n)] + Array("\r\n".utf8)
            i += n
            size = size * 3 + 1
        }
        wire += Array("0\r\nX-Trailer: tv\r\n\r\n".utf8)
        // Send in small pieces to exercise incremental parsing over the socket.
        for start in stride(from: 0, to: wire.count, by: 700) {
            try client.send(Array(wire[start..<min(start + 700, wire.count)]))
        }
        let r = try client.readResponse()
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.body, payload)
        XCTAssertEqual(r.header("X-Got-Trailer"), "tv")
    }

    func testStreamedResponseIsChunkedAndComplete() throws {
        let log = ObservationLog()
        let server = try startServer({ $0.streamChunkSize = 4096 }, log: log, routes: installTestRoutes)
        let client = try RawClient(port: server.port)
        try client.send("GET /stream?n=3000 HTTP/1.1\r\nHost: x\r\n\r\n")
        let r = try client.readResponse()
        XCTAssertEqual(r.status, 200)
        XCTAssertTrue(r.wasChunked)
        XCTAssertEqual(r.header("Content-Type"), "application/x-ndjson")
        let lines = r.bodyText.split(separator: "\n")
        XCTAssertEqual(lines.count, 3000)
        XCTAssertEqual(lines.last, #"{"i":2999,"pad":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}"#)
        // The connection stays usable after a streamed response.
        try client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try client.readResponse().bodyText, "hello\n")
        XCTAssertEqual(log.waitFor(2).first?.responseBodyBytes, r.body.count)
        XCTAssertEqual(log.all.first?.isComplete, true)
    }

    func testStreamedResponseToHTTP10IsCloseDelimited() throws {
        let server = try startServer(routes: installTestRoutes)
        let client = try RawClient(port: server.port)
        try client.send("GET /stream?n=50 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        let r = try client.readResponse()
        XCTAssertFalse(r.wasChunked)
        XCTAssertEqual(r.header("Connection"), "close")
        XCTAssertEqual(r.bodyText.split(separator: "\n").count, 50)
    }

    func testStreamerFailingBeforeDataSendsItsError() throws {
        let server = try startServer(routes: installTestRoutes)
        let client = try RawClient(port: server.port)
        try client.send("GET /stream-fails-early HTTP/1.1\r\nHost: x\r\n\r\n")
        let r = try client.readResponse()
        XCTAssertEqual(r.status, 403)
        XCTAssertEqual(r.errorCode, "forbidden")
        try client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try client.readResponse().status, 200)
    }

    func testStreamerFailingMidBodyTruncatesAndCloses() throws {
        let log = ObservationLog()
        let server = try startServer({ $0.streamChunkSize = 8192 }, log: log, routes: installTestRoutes)
        let client = try RawClient(port: server.port)
        try client.send("GET /stream-fails-late HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertThrowsError(try client.readResponse(), "the terminating chunk must be missing")
        XCTAssertTrue(client.waitForClose())
        XCTAssertEqual(log.waitFor(1).first?.isComplete, false)
    }

    func testHeadHasHeadersButNoBody() throws {
        let server = try startServer(routes: installTestRoutes)
        let client = try RawClient(port: server.port)
        try client.send("HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        let r = try client.readResponse(isHead: true)
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.header("Content-Length"), "6")
        try client.send("HEAD /stream HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        let s = try client.readResponse(isHead: true)
        XCTAssertEqual(s.header("Transfer-Encoding"), "chunked")
        // Had a body been sent, this would read it instead of the next response.
        let next = try client.readResponse()
        XCTAssertEqual(next.bodyText, "hello\n")
    }

    /// Every malformed request gets the right status, a JSON error body that does not echo the request, and a
    /// closed connection.
    func testMalformedRequestsGetJSONErrorsAndTheConnectionCloses() throws {
        let log = ObservationLog()
        let server = try startServer({ $0.limits = HTTPParserLimits(maxHeaderBytes: 1024, maxHeaderCount: 10, maxBodyBytes: 1000) },
                                     log: log, routes: installTestRoutes)
        let marker = "SECRET123"
        let cases: [(String, Int, String)] = [
            ("GET /\(marker) HTTP/1.1 extra\r\nHost: x\r\n\r\n", 400, "bad_request"),
            ("GET / HTTP/3.0\r\nHost: \(marker)\r\n\r\n", 505, "http_version_not_supported"),
            ("GET / HTTP/1.1\r\nHost: x\r\nBad Header: \(marker)\r\n\r\n", 400, "bad_request"),
            ("GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n \(marker)\r\n\r\n", 400, "bad_request"),
            ("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabc", 400, "bad_request"),
            ("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "bad_request"),
            ("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501, "not_implemented"),
            ("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n\(marker)\r\n", 400, "bad_request"),
            ("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n", 400, "bad_request"),
            ("GET / HTTP/1.1\r\n\r\n", 400, "bad_request"),
            ("GET /\(String(repeating: "a", count: 2000)) HTTP/1.1\r\nHost: x\r\n\r\n", 414, "uri_too_long"),
            ("GET / HTTP/1.1\r\nHost: x\r\nX: \(String(repeating: "b", count: 2000))\r\n\r\n", 431, "request_header_fields_too_large"),
            ("GET / HTTP/1.1\r\nHost: x\r\n" + (0..<11).map { "H\($0): v\r\n" }.joined() + "\r\n", 431, "request_header_fields_too_large"),
            ("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n", 413, "payload_too_large"),
            ("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3e9\r\n", 413, "payload_too_large"),
            ("POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\n123456789", 413, "payload_too_large"),
            ("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: \(marker)\r\nContent-Length: 1\r\n\r\nx", 417, "expectation_failed"),
            ("GET /%ZZ\(marker) HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_request"),
            ("\u{16}\u{03}\u{01}\u{02}\u{00}\u{01}\u{00}\u{01}\u{fc}\u{03}\u{03}\r\n\r\n", 400, "bad_request"),
        ]
        for (request, status, code) in cases {
            let client = try RawClient(port: server.port)
            try client.send(request)
            let r = try client.readResponse()
            XCTAssertEqual(r.status, status, request.prefix(60).debugDescription)
            XCTAssertEqual(r.errorCode, code, request.prefix(60).debugDescription)
            XCTAssertEqual(r.header("Connection"), "close")
            XCTAssertFalse(r.bodyText.contains(marker), "error bodies must not echo request content")
            XCTAssertTrue(client.waitForClose(), "connection must close after \(request.prefix(40).debugDescription)")
        }
        // The server still works.
        let client = try RawClient(port: server.port)
        try client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try client.readResponse().status, 200)
        XCTAssertTrue(log.waitFor(cases.count + 1).contains { $0.status == 505 && $0.method.rawValue == "-" })
    }

    func testRoutingErrorsKeepTheConnection() throws {
        let log = ObservationLog()
        let server = try startServer(log: log, routes: installTestRoutes)
        let client = try RawClient(port: server.port)
        try client.send("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
        let notFound = try client.readResponse()
        XCTAssertEqual(notFound.status, 404)
        XCTAssertEqual(notFound.errorCode, "not_found")
        try client.send("DELETE /echo HTTP/1.1\r\nHost: x\r\n\r\n")
        let notAllowed = try client.readResponse()
        XCTAssertEqual(notAllowed.status, 405)
        XCTAssertEqual(notAllowed.header("Allow"), "POST")
        // A 404 for a request with a body still consumes the body and keeps the connection in sync.
        try client.send("POST /nope HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nabcdeGET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try client.readResponse().status, 404)
        XCTAssertEqual(try client.readResponse().bodyText, "hello\n")
        try client.send("POST /verify HTTP/1.1\r\nHost: x\r\n\r\n")
        let lengthRequired = try client.readResponse()
        XCTAssertEqual(lengthRequired.status, 411)
        XCTAssertEqual(lengthRequired.errorCode, "length_required")
        try client.send("POST /verify HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        XCTAssertEqual(try client.readResponse().bodyText, "verified 0")
        XCTAssertEqual(log.waitFor(6).first?.routePattern, nil)
        XCTAssertEqual(log.all.first?.status, 404)
    }

    func testContentCodedBodiesAreRefusedBeforeTheHandler() throws {
        let log = ObservationLog()
        let handled = Mutex(0)
        let server = try startServer(log: log) { r in
            installTestRoutes(&r)
            r.post("/count") { req in handled.withLock { $0 += 1 }; return .text("\(req.body.count)") }
        }
        let client = try RawClient(port: server.port)
        // A small coded body is read and discarded; the connection stays usable.
        for coding in ["gzip", "x-gzip, identity", "BR", "identity,deflate"] {
            try client.send("POST /count HTTP/1.1\r\nHost: x\r\nContent-Encoding: \(coding)\r\nContent-Length: 5\r\n\r\n\u{1F}babc")
            let r = try client.readResponse()
            XCTAssertEqual(r.status, 415, coding)
            XCTAssertEqual(r.errorCode, "unsupported_content_encoding", coding)
            XCTAssertEqual(r.header("Accept-Encoding"), "identity")
            XCTAssertFalse(r.bodyText.lowercased().contains("gzip") || r.bodyText.contains("BR"), "no request text in the message")
        }
        // Split over two fields, and without a body on a body method.
        try client.send("POST /count HTTP/1.1\r\nHost: x\r\nContent-Encoding: identity\r\nContent-Encoding: gzip\r\nContent-Length: 0\r\n\r\n")
        XCTAssertEqual(try client.readResponse().status, 415)
        // identity, or an empty value, is no coding; GET without a body is not affected.
        for coding in ["identity", "Identity", ""] {
            try client.send("POST /count HTTP/1.1\r\nHost: x\r\nContent-Encoding: \(coding)\r\nContent-Length: 3\r\n\r\nabc")
            XCTAssertEqual(try client.readResponse().bodyText, "3", coding)
        }
        try client.send("GET /hello HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\n\r\n")
        XCTAssertEqual(try client.readResponse().bodyText, "hello\n")
        XCTAssertEqual(handled.withLock { $0 }, 3, "no coded body reached the handler")

        // A chunked or large coded body is refused unread and the connection closed.
        let chunked = try RawClient(port: server.port)
        try chunked.send("POST /count HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n")
        let refused = try chunked.readResponse()
        XCTAssertEqual(refused.status, 415)
        XCTAssertEqual(refused.header("Connection"), "close")
        XCTAssertTrue(chunked.waitForClose())
        let expecting = try RawClient(port: server.port)
        try expecting.send("POST /count HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n")
        XCTAssertEqual(try expecting.readResponse().status, 415, "answered instead of 100 Continue")
        XCTAssertEqual(handled.withLock { $0 }, 3)

        // The check can be turned off for a server whose handlers decode bodies themselves.
        let lenient = try startServer({ $0.refusesContentCodedBodies = false }, routes: installTestRoutes)
        let c = try RawClient(port: lenient.port)
        try c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabc")
        XCTAssertEqual(try c.readResponse().bodyText, "abc")
    }

    func testHandlerErrors() throws {
        let server = try startServer(routes: installTestRoutes)
        let client = try RawClient(port: server.port)
        try client.send("GET /throws HTTP/1.1\r\nHost: x\r\n\r\n")
        let typed = try client.readResponse()
        XCTAssertEqual(typed.status, 422)
        XCTAssertEqual(typed.errorCode, "invalid_filter")
        try client.send("GET /crashes HTTP/1.1\r\nHost: x\r\n\r\n")
        let untyped = try client.readResponse()
        XCTAssertEqual(untyped.status, 500)
        XCTAssertEqual(untyped.errorCode, "internal_error")
        XCTAssertFalse(untyped.bodyText.contains("SECRET"))
        try client.send("GET /bad-header HTTP/1.1\r\nHost: x\r\n\r\n")
        let injected = try client.readResponse()
        XCTAssertEqual(injected.status, 500)
        XCTAssertNil(injected.header("Set-Cookie"))
    }

    func testExpectContinue() throws {
        let server = try startServer(routes: installTestRoutes)
        let client = try RawClient(port: server.port)
        try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
        let interim = try client.readResponse()
        XCTAssertEqual(interim.status, 100)
        try client.send("data")
        let final = try client.readResponse()
        XCTAssertEqual(final.status, 200)
        XCTAssertEqual(final.bodyText, "data")
        // Too large: refused at once, without 100, and closed.
        let refused = try RawClient(port: server.port)
        try refused.send("POST /small HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 100\r\n\r\n")
        XCTAssertEqual(try refused.readResponse().status, 413)
        XCTAssertTrue(refused.waitForClose())
        // Unknown route: answered at once and closed (the body is never sent).
        let missing = try RawClient(port: server.port)
        try missing.send("POST /nope HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 100\r\n\r\n")
        XCTAssertEqual(try missing.readResponse().status, 404)
        XCTAssertTrue(missing.waitForClose())
    }

    func testHTTP10() throws {
        let server = try startServer(routes: installTestRoutes)
        let plain = try RawClient(port: server.port)
        try plain.send("GET /hello HTTP/1.0\r\n\r\n")
        let r = try plain.readResponse()
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.header("Connection"), "close")
        XCTAssertTrue(plain.waitForClose())
        let keep = try RawClient(port: server.port)
        try keep.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        XCTAssertEqual(try keep.readResponse().header("Connection"), "keep-alive")
        try keep.send("GET /hello HTTP/1.0\r\n\r\n")
        XCTAssertEqual(try keep.readResponse().bodyText, "hello\n")
    }

    /// A client trickling its head one byte per second is cut off by the header timeout while another client is
    /// served normally.
    func testSlowlorisIsCutOffWhileOthersAreServed() throws {
        let server = try startServer({ $0.headerTimeout = .milliseconds(1500) }, routes: installTestRoutes)
        let port = server.port
        let slowResult = Mutex<(Int?, Bool, Double)>((nil, false, 0))
        let done = DispatchSemaphore(value: 0)
        let started = Date()
        let slowThread = Thread {
            guard let slow = try? RawClient(port: port) else { done.signal(); return }
            let head = Array("GET /hello HTTP/1.1\r\nHost: x\r\nX-Slow: ".utf8)
            for byte in head {
                guard (try? slow.send([byte])) != nil else { break }
                Thread.sleep(forTimeInterval: 1.0 / 8)  // Fast start, so the cut-off happens mid-header.
                if Date().timeIntervalSince(started) > 0.5 { break }
            }
            var i = 0
            while Date().timeIntervalSince(started) < 5 {
                guard (try? slow.send([UInt8(ascii: "a")])) != nil else { break }
                i += 1
                Thread.sleep(forTimeInterval: 1.0)
                var pfd = pollfd(fd: slow.fd, events: Int16(POLLIN), revents: 0)
                if poll(&pfd, 1, 0) > 0 { break }
            }
            let response = try? slow.readResponse()
            let closed = slow.waitForClose()
            slowResult.withLock { $0 = (response?.status, closed, Date().timeIntervalSince(started)) }
            done.signal()
        }
        slowThread.start()
        // Meanwhile another client is served promptly, many times.
        let fast = try RawClient(port: server.port)
        for _ in 0..<20 {
            let t0 = Date()
            try fast.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            XCTAssertEqual(try fast.readResponse().status, 200)
            XCTAssertLessThan(Date().timeIntervalSince(t0), 1.0)
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTAssertEqual(done.wait(timeout: .now() + 10), .success)
        let (status, closed, elapsed) = slowResult.withLock { $0 }
        XCTAssertEqual(status, 408)
        XCTAssertTrue(closed)
        XCTAssertGreaterThan(elapsed, 1.3)
        XCTAssertLessThan(elapsed, 3.5)
    }

    func testBodyIdleTimeout() throws {
        let server = try startServer({ $0.bodyTimeout = .milliseconds(300) }, routes: installTestRoutes)
        let client = try RawClient(port: server.port)
        try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        let t0 = Date()
        let r = try client.readResponse()
        XCTAssertEqual(r.status, 408)
        XCTAssertEqual(r.errorCode, "request_timeout")
        XCTAssertLessThan(Date().timeIntervalSince(t0), 2)
        XCTAssertTrue(client.waitForClose())
    }

    func testABodyTricklingInSteadilyIsCutOffAtTheTotalDeadline() throws {
        // Each byte arrives well within the idle timeout, but the whole body takes too long.
        let server = try startServer({ $0.bodyTimeout = .seconds(5); $0.bodyTotalTimeout = .milliseconds(800) },
                                     routes: installTestRoutes)
        let client = try RawClient(port: server.port)
        try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n")
        let t0 = Date()
        // One byte every 100 ms until the server answers (the answer makes the socket readable).
        for _ in 0..<40 {
            var p = pollfd(fd: client.fd, events: Int16(POLLIN), revents: 0)
            if poll(&p, 1, 100) > 0 { break }
            try client.send("a")
        }
        let r = try client.readResponse()
        XCTAssertEqual(r.status, 408)
        XCTAssertEqual(r.errorCode, "request_timeout")
        XCTAssertLessThan(Date().timeIntervalSince(t0), 3)
    }

    func testBodyAdmissionRefusesLargeAndHeldBackBodiesBeforeReadingThem() throws {
        let asked = Mutex(0)
        let server = try startServer(bodyAdmission: { head, route in
            asked.withLock { $0 += 1 }
            XCTAssertEqual(route, "/echo")
            return head.headers["Authorization"] == "Bearer ok" ? nil : .error(.unauthorized, code: "unauthorized", message: "no token")
        }, routes: installTestRoutes)
        // Expect: 100-continue without a token: refused at once, no 100, and closed.
        let held = try RawClient(port: server.port)
        try held.send("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n")
        XCTAssertEqual(try held.readResponse().status, 401)
        XCTAssertTrue(held.waitForClose())
        // A large declared body without a token: refused before a byte of it is sent.
        let large = try RawClient(port: server.port)
        try large.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: \(HTTPServer.admissionBodyThreshold + 1)\r\n\r\n")
        XCTAssertEqual(try large.readResponse().status, 401)
        XCTAssertTrue(large.waitForClose())
        // With the token, the same body is read and echoed.
        let body = [UInt8](repeating: 0x62, count: HTTPServer.admissionBodyThreshold + 1)
        let allowed = try RawClient(port: server.port)
        try allowed.send(Array("POST /echo HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ok\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
        let ok = try allowed.readResponse()
        XCTAssertEqual(ok.status, 200)
        XCTAssertEqual(ok.body.count, body.count)
        // A chunked body (size unknown) without a token: refused before it is read.
        let chunked = try RawClient(port: server.port)
        try chunked.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n")
        XCTAssertEqual(try chunked.readResponse().status, 401)
        // Small bodies are read first and left to the handler (closing with unread bytes would reset the client).
        let small = try RawClient(port: server.port)
        try small.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nabcd")
        XCTAssertEqual(try small.readResponse().status, 200)
        XCTAssertEqual(asked.withLock { $0 }, 4)
    }

    /// A body refused unread (413 by its announced size) is drained up to its announced length before the close, so
    /// that a client writing all of it before reading gets the answer instead of EPIPE/ECONNRESET; the lingering
    /// deadline still bounds how long that takes.
    func testOversizedBodyIsDrainedSoABlockingWriterReadsThe413() throws {
        let server = try startServer({ $0.limits.maxBodyBytes = 64 << 10 }, routes: installTestRoutes)
        let body = [UInt8](repeating: 0x61, count: 24 << 20)
        let client = try RawClient(port: server.port, receiveTimeout: 10)
        try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.count)\r\n\r\n")
        try client.send(body)  // blocks until the server has taken it: no reading meanwhile
        let r = try client.readResponse()
        XCTAssertEqual(r.status, 413)
        XCTAssertEqual(r.errorCode, "payload_too_large")
        XCTAssertEqual(r.header("Connection"), "close")
        XCTAssertTrue(client.waitForClose(timeout: 3))
    }

    func testIdleConnectionsAreClosedQuietly() throws {
        let server = try startServer({
            $0.keepAliveTimeout = .milliseconds(300)
            $0.headerTimeout = .milliseconds(400)
        }, routes: installTestRoutes)
        let client = try RawClient(port: server.port)
        try client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try client.readResponse().status, 200)
        let t0 = Date()
        XCTAssertTrue(client.waitForClose(timeout: 3))
        XCTAssertLessThan(Date().timeIntervalSince(t0), 2)
        XCTAssertEqual(client.unreadByteCount, 0)
        // A connection that never sends anything is closed after the header timeout, without a response.
        let silent = try RawClient(port: server.port)
        XCTAssertTrue(silent.waitForClose(timeout: 3))
    }

    func testManyConcurrentClients() throws {
        let server = try startServer(routes: installTestRoutes)
        let failures = Mutex(0)
        let served = Mutex(0)
        let port = server.port
        DispatchQueue.concurrentPerform(iterations: 32) { c in
            do {
                let client = try RawClient(port: port)
                for i in 0..<40 {
                    if i % 4 == 0 {
                        let body = "client \(c) request \(i)"
                        try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
                        let r = try client.readResponse()
                        if r.bodyText != body { failures.withLock { $0 += 1 } }
                    } else {
                        try client.send("GET /v1/records/c\(c)-\(i) HTTP/1.1\r\nHost: x\r\n\r\n")
                        let r = try client.readResponse()
                        if !r.bodyText.contains("c\(c)-\(i)") { failures.withLock { $0 += 1 } }
                    }
                    served.withLock { $0 += 1 }
                }
            } catch {
                failures.withLock { $0 += 1 }
            }
        }
        XCTAssertEqual(failures.withLock { $0 }, 0)
        XCTAssertEqual(served.withLock { $0 }, 32 * 40)
    }

    func testConnectionLimitAnswers503() throws {
        let server = try startServer({ $0.maxConnections = 2 }, routes: installTestRoutes)
        let a = try RawClient(port: server.port)
        let b = try RawClient(port: server.port)
        // Both inside a request (their heads are whole, their handlers run): neither may be closed.
        try a.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        try b.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        usleep(100_000)
        let c = try RawClient(port: server.port)
        let r = try c.readResponse()
        XCTAssertEqual(r.status, 503)
        XCTAssertEqual(r.errorCode, "service_unavailable")
        XCTAssertTrue(c.waitForClose())
        // The busy ones finish their requests undisturbed.
        XCTAssertEqual(try a.readResponse().status, 200)
        XCTAssertEqual(try b.readResponse().status, 200)
        // Slots waiting for requests again: new connections are served. (A connection counts as
        // waiting once its thread has finished the response, which may be a moment after the
        // client read it: a new client racing that moment is retried, as a real one would.)
        var status = 0
        for _ in 0..<50 {
            let d = try RawClient(port: server.port)
            try d.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            status = try d.readResponse().status
            if status == 200 { break }
            usleep(20_000)
        }
        XCTAssertEqual(status, 200)
    }

    /// Campaign 12: connections that trickle a request head in and stall (slowloris) filled every
    /// slot, and every other client got 503 until their header timeouts. A head that is not whole
    /// yet does not make a connection busy: the longest-waiting one is closed to make room.
    func testConnectionsStalledInTheirHeadMakeRoomAtTheLimit() throws {
        let server = try startServer({ $0.maxConnections = 2; $0.headerTimeout = .seconds(20) }, routes: installTestRoutes)
        let a = try RawClient(port: server.port)
        try a.send("GET /hello HTTP/1.1\r\n")
        usleep(20_000)
        let b = try RawClient(port: server.port)
        try b.send("GET /hello HTTP/1.1\r\nHost: x\r\n")
        usleep(100_000)
        let c = try RawClient(port: server.port)
        try c.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try c.readResponse().status, 200)
        XCTAssertTrue(a.waitForClose(timeout: 2), "the longest-waiting stalled head made room")
        // The other one may still finish its request.
        try b.send("\r\n")
        XCTAssertEqual(try b.readResponse().status, 200)
    }

    /// Found by a hostile-client campaign: connections that never send a request (or sit idle
    /// between keep-alive requests) filled every slot and locked everyone out until their
    /// timeouts. At the limit, the one that has waited longest is closed to make room.
    func testConnectionsWaitingForARequestMakeRoomAtTheLimit() throws {
        let server = try startServer({ $0.maxConnections = 3 }, routes: installTestRoutes)
        let silent1 = try RawClient(port: server.port)
        usleep(20_000)
        let silent2 = try RawClient(port: server.port)
        let keepAlive = try RawClient(port: server.port)
        try keepAlive.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try keepAlive.readResponse().status, 200)
        // Full. A new client is served; the oldest silent connection is closed for it.
        let fresh = try RawClient(port: server.port)
        try fresh.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try fresh.readResponse().status, 200)
        XCTAssertTrue(silent1.waitForClose(timeout: 2), "the longest-waiting connection made room")
        // Again: the next longest-waiting is the other silent one, then the idle keep-alive one.
        let fresh2 = try RawClient(port: server.port)
        try fresh2.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try fresh2.readResponse().status, 200)
        XCTAssertTrue(silent2.waitForClose(timeout: 2))
        XCTAssertLessThanOrEqual(server.openConnectionCount, 3)
    }

    func testGracefulShutdownFinishesInFlightRequests() throws {
        var router = HTTPRouter()
        installTestRoutes(&router)
        let server = try HTTPServer(configuration: HTTPServerConfiguration(address: HTTPListenAddress(host: "127.0.0.1", port: 0)),
                                    router: router)
        try server.start()
        let port = server.port
        let idle = try RawClient(port: port)
        try idle.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try idle.readResponse().status, 200)
        let busy = try RawClient(port: port)
        try busy.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        usleep(100_000)
        let t0 = Date()
        let shutdownDone = DispatchSemaphore(value: 0)
        Thread { server.shutdown(gracePeriod: .seconds(5)); shutdownDone.signal() }.start()
        // The idle keep-alive connection is closed promptly.
        XCTAssertTrue(idle.waitForClose(timeout: 2))
        XCTAssertLessThan(Date().timeIntervalSince(t0), 1.0, "idle connections close without waiting for the grace period")
        // The in-flight request completes, told that the connection closes.
        let r = try busy.readResponse()
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.bodyText, "slow done")
        XCTAssertEqual(r.header("Connection"), "close")
        XCTAssertEqual(shutdownDone.wait(timeout: .now() + 5), .success)
        XCTAssertLessThan(Date().timeIntervalSince(t0), 2)
        XCTAssertEqual(server.openConnectionCount, 0)
        // New connections are refused.
        XCTAssertThrowsError(try RawClient(port: port))
        server.waitUntilStopped()
        server.shutdown()  // Idempotent.
    }

    func testShutdownGracePeriodIsBounded() throws {
        var router = HTTPRouter()
        router.get("/hang") { _ in
            usleep(1_500_000)
            return .text("late")
        }
        let server = try HTTPServer(configuration: HTTPServerConfiguration(address: HTTPListenAddress(host: "127.0.0.1", port: 0)),
                                    router: router)
        try server.start()
        let client = try RawClient(port: server.port)
        try client.send("GET /hang HTTP/1.1\r\nHost: x\r\n\r\n")
        usleep(100_000)
        let t0 = Date()
        server.shutdown(gracePeriod: .milliseconds(200))
        XCTAssertLessThan(Date().timeIntervalSince(t0), 2.5)
        // The force-closed connection ends without a complete response.
        XCTAssertThrowsError(try client.readResponse())
    }

    func testPortZeroAndIPv6Loopback() throws {
        var pfd: Int32 = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        defer { if pfd >= 0 { close(pfd) } }
        var addr = sockaddr_in6()
        addr.sin6_family = sa_family_t(AF_INET6)
        addr.sin6_addr = in6addr_loopback
        let canBind = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(pfd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) == 0 }
        }
        close(pfd)
        pfd = -1
        guard canBind else { throw XCTSkip("IPv6 loopback unavailable") }
        let server = try startServer({ $0.address = HTTPListenAddress(parsing: "[::1]:0")! }, routes: installTestRoutes)
        XCTAssertGreaterThan(server.port, 0)
        let client = try RawClient(port: server.port, host: "::1")
        try client.send("GET /hello HTTP/1.1\r\nHost: [::1]\r\n\r\n")
        XCTAssertEqual(try client.readResponse().bodyText, "hello\n")
    }

    func testBindingErrors() throws {
        let server = try startServer(routes: installTestRoutes)
        var router = HTTPRouter()
        router.get("/") { _ in .text("") }
        let clash = try HTTPServer(configuration: HTTPServerConfiguration(address: HTTPListenAddress(host: "127.0.0.1", port: server.port)),
                                   router: router)
        XCTAssertThrowsError(try clash.start()) { error in
            XCTAssertEqual((error as? HTTPServerError)?.code, .bindFailed)
        }
        let bad = try HTTPServer(configuration: HTTPServerConfiguration(address: HTTPListenAddress(host: "not an address", port: 1)),
                                 router: router)
        XCTAssertThrowsError(try bad.start())
        XCTAssertThrowsError(try server.start(), "a started server cannot start again")
    }

    func testObservationsCarryRouteStatusAndDuration() throws {
        let log = ObservationLog()
        let server = try startServer(log: log, routes: installTestRoutes)
        let client = try RawClient(port: server.port)
        try client.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\nPOST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
        for _ in 0..<3 { _ = try client.readResponse() }
        let all = log.waitFor(3)
        XCTAssertEqual(all.map(\.status), [200, 200, 404])
        XCTAssertEqual(all.map(\.routePattern), ["/slow", "/echo", nil])
        XCTAssertEqual(all.map(\.method), [.get, .post, .get])
        XCTAssertEqual(all[1].requestBodyBytes, 3)
        XCTAssertEqual(all[1].responseBodyBytes, 3)
        XCTAssertGreaterThanOrEqual(all[0].duration, .milliseconds(350))
        XCTAssertLessThan(all[1].duration, .milliseconds(200))
    }

    func testSignalObserverDeliversSignals() throws {
        let received = Mutex<[Int32]>([])
        let got = DispatchSemaphore(value: 0)
        let observer = SignalObserver.install(signals: [SIGUSR2]) { number in
            received.withLock { $0.append(number) }
            got.signal()
        }
        kill(getpid(), SIGUSR2)
        XCTAssertEqual(got.wait(timeout: .now() + 2), .success)
        XCTAssertEqual(received.withLock { $0 }, [SIGUSR2])
        observer.cancel()
    }

    /// A signal observed with SignalObserver drives a graceful shutdown that finishes the in-flight request.
    func testSignalTriggersGracefulShutdown() throws {
        var router = HTTPRouter()
        installTestRoutes(&router)
        let server = try HTTPServer(configuration: HTTPServerConfiguration(address: HTTPListenAddress(host: "127.0.0.1", port: 0)),
                                    router: router)
        try server.start()
        let observer = SignalObserver.install(signals: [SIGUSR1]) { _ in server.shutdown(gracePeriod: .seconds(5)) }
        defer { observer.cancel() }
        let client = try RawClient(port: server.port)
        try client.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        usleep(100_000)
        kill(getpid(), SIGUSR1)
        let r = try client.readResponse()
        XCTAssertEqual(r.bodyText, "slow done")
        XCTAssertEqual(r.header("Connection"), "close")
        let stopped = DispatchSemaphore(value: 0)
        Thread { server.waitUntilStopped(); stopped.signal() }.start()
        XCTAssertEqual(stopped.wait(timeout: .now() + 5), .success)
        XCTAssertTrue(server.isShuttingDown)
    }

    /// Hostile random streams (fixed seed) over real sockets: every connection ends with well-formed responses and
    /// a close, never a hang, and the server keeps serving.
    func testRandomHostileStreamsNeverHangTheServer() throws {
        let server = try startServer({
            $0.limits = HTTPParserLimits(maxHeaderBytes: 512, maxHeaderCount: 8, maxBodyBytes: 256)
            $0.headerTimeout = .seconds(2)
        }, routes: installTestRoutes)
        var rng = SplitMix64(seed: 0xBAD5EED)
        let pieces = ["GET ", "POST ", "HEAD ", "/echo", "/hello", "/v1/records/%41", "/stream?n=3", "?q=%zz", " HTTP/1.1\r\n",
                      " HTTP/1.0\r\n", "Host: x\r\n", "Content-Length: 5\r\n", "Transfer-Encoding: chunked\r\n",
                      "Expect: 100-continue\r\n", "Connection: close\r\n", "\r\n", "5\r\nhello\r\n", "0\r\n\r\n",
                      "abc", " ", "\n", "\r", ":", "\u{0}", "ffffffff\r\n"]
        for round in 0..<150 {
            var stream: [UInt8] = []
            for _ in 0..<(1 + rng.next(14)) {
                if rng.next(10) == 0 {
                    stream += (0..<rng.next(8)).map { _ in UInt8(truncatingIfNeeded: rng.next(256)) }
                } else {
                    stream += Array(pieces[rng.next(pieces.count)].utf8)
                }
            }
            let client = try RawClient(port: server.port)
            try? client.send(stream)
            _ = shutdown(client.fd, Int32(SHUT_WR))
            // Read whatever comes back until the server closes; responses must parse.
            var responses = 0
            while let r = try? client.readResponse() {
                XCTAssertTrue((100...599).contains(r.status), "round \(round)")
                responses += 1
                if responses > 20 { break }
            }
            XCTAssertTrue(client.waitForClose(timeout: 3), "round \(round) did not close")
        }
        let client = try RawClient(port: server.port)
        try client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try client.readResponse().status, 200)
    }
}
