import Foundation
import XCTest
@testable import HTTPServer

/// Golden HTTP transcripts: exact response bytes (Date normalised) for representative requests, so wire-format
/// changes are deliberate. Re-record with `GATELOG_RECORD_GOLDEN=1 swift test --filter TranscriptTests`; the test
/// fails while recording so a recording run is never mistaken for a passing one.
final class TranscriptTests: XCTestCase {
    private let requests: [String] = [
        "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "HEAD /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "GET /v1/records/a%2Fb?q=1&q=%C3%A9 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\nX-Trailer: t\r\n\r\n",
        "GET /stream?n=2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "GET /stream?n=2 HTTP/1.0\r\n\r\n",
        "GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "PUT /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        "POST /verify HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "GET /throws HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "GET / HTTP/2.0\r\nHost: x\r\n\r\n",
        "GET / HTTP/1.1\r\n\r\n",
        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
        "POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n",
    ]

    private var goldenURL: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/http-transcripts.txt")
    }

    func testTranscriptsMatchGolden() throws {
        let server = try startServer(routes: installTestRoutes)
        var transcript = ""
        for request in requests {
            let client = try RawClient(port: server.port)
            try client.send(request)
            _ = shutdown(client.fd, Int32(SHUT_WR))
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = recv(client.fd, &chunk, chunk.count, 0)
                if n <= 0 { break }
                bytes += chunk[0..<n]
            }
            let response = String(decoding: bytes, as: UTF8.self)
                .replacingOccurrences(of: #"Date: [A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT"#,
                                      with: "Date: <date>", options: .regularExpression)
            transcript += ">>> " + request.replacingOccurrences(of: "\r\n", with: "\\r\\n") + "\n"
            transcript += response.replacingOccurrences(of: "\r\n", with: "\\r\\n\n") + "\n\n"
        }
        if ProcessInfo.processInfo.environment["GATELOG_RECORD_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: goldenURL.deletingLastPathComponent(), withIntermediateDirectories: true)
            try transcript.write(to: goldenURL, atomically: true, encoding: .utf8)
            XCTFail("recorded \(goldenURL.path); unset GATELOG_RECORD_GOLDEN and run again")
            return
        }
        let golden = try String(contentsOf: goldenURL, encoding: .utf8)
        XCTAssertEqual(transcript, golden, "wire format changed; re-record if intended")
    }
}
