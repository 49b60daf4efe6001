import Foundation
import XCTest
@testable import HTTPServer

/// A request as the tests see it after parsing: head fields and the body.
struct ParsedRequest: Equatable {
    var head: HTTPRequestHead
    var body: [UInt8]
    var trailers: HTTPHeaders
}

/// Feeds `bytes` in pieces of the given sizes (cycling) and collects complete requests, or the first error.
func parseAll(_ bytes: [UInt8], pieces: [Int] = [Int.max], limits: HTTPParserLimits = HTTPParserLimits(),
              bodyLimit: Int? = nil) -> (requests: [ParsedRequest], error: HTTPParseError?, leftover: Int) {
    var parser = HTTPRequestParser(limits: limits)
    var requests: [ParsedRequest] = []
    var pendingHead: HTTPRequestHead?
    var offset = 0
    var p = 0
    while true {
        do {
            while let event = try parser.nextEvent() {
                switch event {
                case .head(let h):
                    pendingHead = h
                    if let bodyLimit { parser.setBodyLimit(bodyLimit) }
                case .end(let body, let trailers):
                    requests.append(ParsedRequest(head: pendingHead!, body: body, trailers: trailers))
                    pendingHead = nil
                }
            }
        } catch {
            return (requests, error, parser.bufferedByteCount)
        }
        if offset >= bytes.count { break }
        let size = min(pieces[p % pieces.count], bytes.count - offset)
        p += 1
        parser.append(Array(bytes[offset..<(offset + size)]))
        offset += size
    }
    return (requests, nil, parser.bufferedByteCount)
}

func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

final class ParserTests: XCTestCase {
    func testSimpleGet() throws {
        let r = parseAll(bytes("GET /v1/records?x=1 HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n"))
        XCTAssertNil(r.error)
        XCTAssertEqual(r.requests.count, 1)
        let head = r.requests[0].head
        XCTAssertEqual(head.method, .get)
        XCTAssertEqual(head.target, "/v1/records?x=1")
        XCTAssertEqual(head.version, .http1_1)
        XCTAssertEqual(head.headers["host"], "a")
        XCTAssertEqual(head.headers["ACCEPT"], "*/*")
        XCTAssertTrue(head.isKeepAlive)
        XCTAssertFalse(head.hasBody)
        XCTAssertEqual(r.requests[0].body, [])
        XCTAssertEqual(r.leftover, 0)
    }

    func testHeaderValuesAreTrimmedAndOrderKept() {
        let r = parseAll(bytes("GET / HTTP/1.1\r\nHost: h\r\nX-A: \t one two \t\r\nx-a:three\r\nEmpty:\r\n\r\n"))
        XCTAssertNil(r.error)
        let h = r.requests[0].head.headers
        XCTAssertEqual(h.values(for: "X-a"), ["one two", "three"])
        XCTAssertEqual(h["empty"], "")
        XCTAssertEqual(h.fields.map(\.name), ["Host", "X-A", "x-a", "Empty"])
    }

    func testObsTextInValuesIsAcceptedAndDecodedLossily() {
        let input = bytes("GET / HTTP/1.1\r\nHost: h\r\nX-Raw: a") + [0xF8, 0xE9] + bytes("b\r\n\r\n")
        let r = parseAll(input)
        XCTAssertNil(r.error)
        XCTAssertEqual(r.requests.first?.head.headers["x-raw"], "a\u{FFFD}\u{FFFD}b")
    }

    func testContentLengthBody() {
        let r = parseAll(bytes("POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello worldGET / HTTP/1.1\r\nHost: h\r\n\r\n"))
        XCTAssertNil(r.error)
        XCTAssertEqual(r.requests.count, 2)
        XCTAssertEqual(String(decoding: r.requests[0].body, as: UTF8.self), "hello world")
        XCTAssertEqual(r.requests[0].head.contentLength, 11)
        XCTAssertEqual(r.requests[1].head.method, .get)
    }

    func testChunkedBodyWithExtensionsAndTrailers() {
        let text = "POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" +
            "5;name=value\r\nhello\r\n1 ; x\r\n \r\nA\r\n0123456789\r\n0\r\nDigest: abc\r\nX-T: 1\r\n\r\n"
        let r = parseAll(bytes(text))
        XCTAssertNil(r.error)
        XCTAssertEqual(String(decoding: r.requests[0].body, as: UTF8.self), "hello 0123456789")
        XCTAssertTrue(r.requests[0].head.isChunked)
        XCTAssertEqual(r.requests[0].trailers["digest"], "abc")
        XCTAssertEqual(r.requests[0].trailers.count, 2)
    }

    func testTransferEncodingIsCaseInsensitive() {
        let r = parseAll(bytes("POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"))
        XCTAssertNil(r.error)
        XCTAssertEqual(r.requests.first?.body, bytes("abc"))
    }

    func testKeepAliveRules() {
        func head(_ s: String) -> HTTPRequestHead? { parseAll(bytes(s)).requests.first?.head }
        XCTAssertEqual(head("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")?.isKeepAlive, false)
        XCTAssertEqual(head("GET / HTTP/1.1\r\nHost: h\r\nConnection: foo, Close\r\n\r\n")?.isKeepAlive, false)
        XCTAssertEqual(head("GET / HTTP/1.0\r\n\r\n")?.isKeepAlive, false)
        XCTAssertEqual(head("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")?.isKeepAlive, true)
        XCTAssertEqual(head("GET / HTTP/1.1\r\nHost: h\r\n\r\n")?.isKeepAlive, true)
    }

    func testExpectContinue() {
        let r = parseAll(bytes("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\nx"))
        XCTAssertEqual(r.requests.first?.head.expectsContinue, true)
        XCTAssertEqual(parseAll(bytes("POST / HTTP/1.1\r\nHost: h\r\nExpect: bananas\r\n\r\n")).error, .unsupportedExpectation)
        // HTTP/1.0 ignores Expect.
        let old = parseAll(bytes("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n"))
        XCTAssertEqual(old.requests.first?.head.expectsContinue, false)
    }

    func testLeadingEmptyLinesAreTolerated() {
        let r = parseAll(bytes("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"))
        XCTAssertNil(r.error)
        XCTAssertEqual(r.requests.count, 1)
    }

    /// Every malformed input with the error it must produce.
    func testRejections() {
        let cases: [(String, HTTPParseError)] = [
            ("GET  / HTTP/1.1\r\nHost: h\r\n\r\n", .badRequestLine),
            ("GET / HTTP/1.1 \r\nHost: h\r\n\r\n", .badRequestLine),
            (" GET / HTTP/1.1\r\nHost: h\r\n\r\n", .badRequestLine),
            ("GET /\r\n\r\n", .badRequestLine),
            ("GET / http/1.1\r\nHost: h\r\n\r\n", .badRequestLine),
            ("GET / HTTP/1.10\r\nHost: h\r\n\r\n", .badRequestLine),
            ("GET /a\u{7F}b HTTP/1.1\r\nHost: h\r\n\r\n", .badRequestLine),
            ("GET /a#b HTTP/1.1\r\nHost: h\r\n\r\n", .badRequestLine),
            ("G(T / HTTP/1.1\r\nHost: h\r\n\r\n", .badRequestLine),
            ("GET / HTTP/2.0\r\nHost: h\r\n\r\n", .unsupportedVersion),
            ("GET / HTTP/0.9\r\n\r\n", .unsupportedVersion),
            ("GET / HTTP/1.1\nHost: h\r\n\r\n", .badLineEnding),
            ("GET / HTTP/1.1\r\nHost: h\n\r\n", .badLineEnding),
            ("GET / HTTP/1.1\r\nHost: h\r\n\n", .badLineEnding),
            ("GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n", .badHeader),
            ("GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n", .badHeader),
            ("GET / HTTP/1.1\r\nHost: h\r\nBad Name: v\r\n\r\n", .badHeader),
            ("GET / HTTP/1.1\r\nHost: h\r\nName : v\r\n\r\n", .badHeader),
            ("GET / HTTP/1.1\r\nHost: h\r\n: v\r\n\r\n", .badHeader),
            ("GET / HTTP/1.1\r\nHost: h\r\nX: a\u{1}b\r\n\r\n", .badHeader),
            ("GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n  folded\r\n\r\n", .obsoleteLineFolding),
            ("GET / HTTP/1.1\r\n Host: h\r\n\r\n", .obsoleteLineFolding),
            ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", .duplicateContentLength),
            ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx", .duplicateContentLength),
            ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1, 1\r\n\r\nx", .invalidContentLength),
            ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", .invalidContentLength),
            ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +1\r\n\r\n", .invalidContentLength),
            ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0x10\r\n\r\n", .invalidContentLength),
            ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: \r\n\r\n", .invalidContentLength),
            ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999\r\n\r\n", .invalidContentLength),
            ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", .contentLengthWithTransferEncoding),
            ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", .contentLengthWithTransferEncoding),
            ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n", .unsupportedTransferEncoding),
            ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", .unsupportedTransferEncoding),
            ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", .badTransferEncoding),
            ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", .badTransferEncoding),
            ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: \r\n\r\n", .badTransferEncoding),
            ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", .badTransferEncoding),
            ("GET / HTTP/1.1\r\n\r\n", .badHost),
            ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", .badHost),
            ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nz\r\n", .badChunk),
            ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", .badChunk),
            ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n", .badChunk),
            ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3x\r\nabc\r\n0\r\n\r\n", .badChunk),
            ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n", .badChunk),
            ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n0\r\n\r\n", .badChunk),
            ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc0\r\n\r\n", .badChunk),
            ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3;\u{1}\r\nabc\r\n0\r\n\r\n", .badChunk),
            ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\n", .bodyTooLarge),
            ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nBad Trailer: x\r\n\r\n", .badHeader),
            ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: y\n\r\n", .badLineEnding),
        ]
        for (text, expected) in cases {
            let r = parseAll(bytes(text))
            XCTAssertEqual(r.error, expected, "input \(text.debugDescription)")
            // The same verdict when fed one byte at a time.
            let slow = parseAll(bytes(text), pieces: [1])
            XCTAssertEqual(slow.error, expected, "byte-at-a-time input \(text.debugDescription)")
        }
    }

    func testErrorsMapToStatusesAndCodes() {
        XCTAssertEqual(HTTPParseError.badRequestLine.status, 400)
        XCTAssertEqual(HTTPParseError.unsupportedVersion.status, 505)
        XCTAssertEqual(HTTPParseError.unsupportedTransferEncoding.status, 501)
        XCTAssertEqual(HTTPParseError.requestLineTooLong.status, 414)
        XCTAssertEqual(HTTPParseError.headersTooLarge.status, 431)
        XCTAssertEqual(HTTPParseError.tooManyHeaders.status, 431)
        XCTAssertEqual(HTTPParseError.bodyTooLarge.status, 413)
        XCTAssertEqual(HTTPParseError.bodyTooLarge.code, "payload_too_large")
        XCTAssertEqual(HTTPParseError.unsupportedExpectation.status, 417)
    }

    func testHeaderLimits() {
        let limits = HTTPParserLimits(maxHeaderBytes: 200, maxHeaderCount: 3)
        let longTarget = "GET /" + String(repeating: "a", count: 300) + " HTTP/1.1\r\nHost: h\r\n\r\n"
        XCTAssertEqual(parseAll(bytes(longTarget), limits: limits).error, .requestLineTooLong)
        XCTAssertEqual(parseAll(bytes(longTarget), pieces: [7], limits: limits).error, .requestLineTooLong)
        let bigHeader = "GET / HTTP/1.1\r\nHost: h\r\nX: " + String(repeating: "v", count: 200) + "\r\n\r\n"
        XCTAssertEqual(parseAll(bytes(bigHeader), limits: limits).error, .headersTooLarge)
        let many = "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"
        XCTAssertEqual(parseAll(bytes(many), limits: limits).error, .tooManyHeaders)
        let three = "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n"
        XCTAssertNil(parseAll(bytes(three), limits: limits).error)
        // Exactly at the byte limit is accepted; one more byte is not.
        let base = "GET / HTTP/1.1\r\nHost: h\r\nX: \r\n\r\n"
        let exact = "GET / HTTP/1.1\r\nHost: h\r\nX: " + String(repeating: "v", count: 200 - base.utf8.count) + "\r\n\r\n"
        XCTAssertEqual(exact.utf8.count, 200)
        XCTAssertNil(parseAll(bytes(exact), limits: limits).error)
        XCTAssertEqual(parseAll(bytes(exact.replacingOccurrences(of: "X: v", with: "X: vv")), limits: limits).error,
                       .headersTooLarge)
        // Trailers share the header limits.
        let trailers = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n" +
            "T: " + String(repeating: "t", count: 250) + "\r\n\r\n"
        XCTAssertEqual(parseAll(bytes(trailers), limits: limits).error, .headersTooLarge)
    }

    func testBodyLimits() {
        let limits = HTTPParserLimits(maxBodyBytes: 10)
        XCTAssertEqual(parseAll(bytes("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n"), limits: limits).error,
                       .bodyTooLarge)
        XCTAssertNil(parseAll(bytes("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789"), limits: limits).error)
        let chunked = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n012345\r\n5\r\n01234\r\n0\r\n\r\n"
        XCTAssertEqual(parseAll(bytes(chunked), limits: limits).error, .bodyTooLarge)
        // A per-request override raises the limit.
        XCTAssertNil(parseAll(bytes(chunked), limits: limits, bodyLimit: 11).error)
        XCTAssertEqual(parseAll(bytes("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n12345"), bodyLimit: 4).error,
                       .bodyTooLarge)
        // Overlong chunk-size lines.
        let ext = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1;" + String(repeating: "e", count: 5000)
        XCTAssertEqual(parseAll(bytes(ext)).error, .badChunk)
    }

    func testFailedParserStaysFailed() {
        var parser = HTTPRequestParser()
        parser.append(bytes("BAD\r\n\r\n"))
        XCTAssertThrowsError(try parser.nextEvent())
        parser.append(bytes("GET / HTTP/1.1\r\nHost: h\r\n\r\n"))
        XCTAssertThrowsError(try parser.nextEvent())
    }

    func testIdleAndBodyStateFlags() throws {
        var parser = HTTPRequestParser()
        XCTAssertTrue(parser.isIdle)
        parser.append(bytes("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\na"))
        XCTAssertFalse(parser.isIdle)
        guard case .head = try parser.nextEvent() else { return XCTFail("expected head") }
        XCTAssertTrue(parser.isReadingBody)
        XCTAssertNil(try parser.nextEvent())
        parser.append(bytes("b"))
        guard case .end(let body, _) = try parser.nextEvent() else { return XCTFail("expected end") }
        XCTAssertEqual(body, bytes("ab"))
        XCTAssertTrue(parser.isIdle)
        XCTAssertFalse(parser.isReadingBody)
    }

    /// Truncating a valid pipelined stream at every position never errors and yields a prefix of the requests.
    func testTruncationAtEveryPositionIsNeverAnError() {
        let full = bytes("POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc" +
            "POST /b HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nxy\r\n0\r\nT: v\r\n\r\n" +
            "GET /c HTTP/1.1\r\nHost: h\r\n\r\n")
        let complete = parseAll(full)
        XCTAssertEqual(complete.requests.count, 3)
        for cut in 0..<full.count {
            let r = parseAll(Array(full[..<cut]))
            XCTAssertNil(r.error, "cut at \(cut)")
            XCTAssertEqual(r.requests, Array(complete.requests.prefix(r.requests.count)), "cut at \(cut)")
        }
    }

    /// Randomised round trip (fixed seed): random requests, serialised and split at random points, parse back equal.
    func testRandomisedRequestsRoundTripInRandomPieces() {
        var rng = SplitMix64(seed: 0x6A7E_1061)
        let methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "X-CUSTOM"]
        let tchars = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~".utf8)
        for _ in 0..<300 {
            var stream: [UInt8] = []
            var expected: [(String, String, [(String, String)], [UInt8], Bool)] = []
            for _ in 0..<(1 + rng.next(4)) {
                let method = methods[rng.next(methods.count)]
                let target = "/" + String((0..<rng.next(20)).map { _ in Character(UnicodeScalar(UInt8(0x21 + rng.next(0x5E))).asTargetChar) })
                var headers: [(String, String)] = [("Host", "example")]
                for _ in 0..<rng.next(6) {
                    let name = String(decoding: (0..<(1 + rng.next(10))).map { _ in tchars[rng.next(tchars.count)] }, as: UTF8.self)
                    if ["host", "content-length", "transfer-encoding", "expect", "connection"].contains(name.lowercased()) { continue }
                    let value = String(decoding: (0..<rng.next(30)).map { _ in UInt8(0x21 + rng.next(0x5E)) }, as: UTF8.self)
                    headers.append((name, value))
                }
                let body = (0..<rng.next(300)).map { _ in UInt8(truncatingIfNeeded: rng.next(256)) }
                let chunked = rng.next(2) == 0
                var text = "\(method) \(target) HTTP/1.1\r\n"
                for (n, v) in headers { text += "\(n): \(v)\r\n" }
                if chunked { text += "Transfer-Encoding: chunked\r\n\r\n" } else { text += "Content-Length: \(body.count)\r\n\r\n" }
                stream += bytes(text)
                if chunked {
                    var i = 0
                    while i < body.count {
                        let n = min(body.count - i, 1 + rng.next(64))
                        stream += bytes(String(n, radix: 16, uppercase: rng.next(2) == 0) + "\r\n")
                        stream += body[i..<(i + n)]
                        stream += bytes("\r\n")
                        i += n
                    }
                    stream += bytes("0\r\n\r\n")
                } else {
                    stream += body
                }
                expected.append((method, target, headers, body, chunked))
            }
            let pieces = (0..<8).map { _ in 1 + rng.next(40) }
            let r = parseAll(stream, pieces: pieces)
            XCTAssertNil(r.error)
            XCTAssertEqual(r.requests.count, expected.count)
            for (got, want) in zip(r.requests, expected) {
                XCTAssertEqual(got.head.method.rawValue, want.0)
                XCTAssertEqual(got.head.target, want.1)
                XCTAssertEqual(got.body, want.3)
                XCTAssertEqual(got.head.isChunked, want.4)
                for (n, v) in want.2 { XCTAssertTrue(got.head.headers.values(for: n).contains(v)) }
            }
        }
    }

    /// Random garbage never crashes the parser and, when it errors, the error is one of the declared cases.
    func testRandomGarbageNeverCrashes() {
        var rng = SplitMix64(seed: 42)
        let alphabet = bytes("GET POST / HTTP/1.1\r\n:Host: Content-Length: 5 Transfer-Encoding: chunked 0123456789abcdef;\t ")
        for _ in 0..<3000 {
            let n = rng.next(200)
            let input = (0..<n).map { _ in rng.next(4) == 0 ? UInt8(truncatingIfNeeded: rng.next(256)) : alphabet[rng.next(alphabet.count)] }
            let r = parseAll(input, pieces: [1 + rng.next(17)], limits: HTTPParserLimits(maxHeaderBytes: 128, maxHeaderCount: 4, maxBodyBytes: 64))
            if let e = r.error { XCTAssertTrue([400, 413, 414, 417, 431, 501, 505].contains(e.status)) }
        }
    }
}

/// A small deterministic PRNG for reproducible randomised tests.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func nextUInt64() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform-enough value in 0..<bound.
    mutating func next(_ bound: Int) -> Int { bound <= 1 ? 0 : Int(nextUInt64() % UInt64(bound)) }
}

private extension UnicodeScalar {
    /// Maps visible ASCII to characters allowed in a request target (no `#`).
    var asTargetChar: UnicodeScalar { self == "#" ? "_" : self }
}
