import Foundation
import XCTest
@testable import HTTPServer

/// Real clients (curl, Python's http.client) against a real server on loopback.
final class ClientInteropTests: XCTestCase {
    private func curl() throws -> String {
        guard let path = which("curl") else { throw XCTSkip("curl is not installed") }
        return path
    }

    private func python() throws -> String {
        guard let path = which("python3") else { throw XCTSkip("python3 is not installed") }
        return path
    }

    func testCurl() throws {
        let curl = try curl()
        let server = try startServer(routes: installTestRoutes)
        let base = "http://127.0.0.1:\(server.port)"

        let simple = try run(curl, ["-sS", "-i", "\(base)/hello"])
        XCTAssertEqual(simple.status, 0, simple.stderr)
        XCTAssertTrue(simple.stdout.hasPrefix("HTTP/1.1 200 OK\r\n"))
        XCTAssertTrue(simple.stdout.hasSuffix("\r\n\r\nhello\n"))

        // Two URLs in one invocation reuse the keep-alive connection.
        let reuse = try run(curl, ["-sS", "-v", "\(base)/hello", "\(base)/v1/records/a%20b?q=1"])
        XCTAssertEqual(reuse.status, 0, reuse.stderr)
        XCTAssertTrue(reuse.stderr.contains("Re-using existing connection"), reuse.stderr)
        XCTAssertTrue(reuse.stdout.contains(#"{"id":"a b","q":"1"}"#))

        // A chunked upload of 300 KB.
        let payload = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 % 251) })
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("curl-echo-\(getpid())")
        defer { try? FileManager.default.removeItem(at: output) }
        let chunked = try run(curl, ["-sS", "-H", "Transfer-Encoding: chunked", "-H", "Content-Type: application/octet-stream",
                                     "--data-binary", "@-", "-D", "/dev/stderr", "-o", output.path, "\(base)/echo"], stdin: payload)
        XCTAssertEqual(chunked.status, 0, chunked.stderr)
        XCTAssertEqual(try Data(contentsOf: output), payload)
        XCTAssertTrue(chunked.stderr.lowercased().contains("x-body-length: 300000"))

        // Expect: 100-continue.
        let expect = try run(curl, ["-sS", "-v", "-H", "Expect: 100-continue", "--data-binary", "@-", "\(base)/echo"],
                             stdin: Data("continued".utf8))
        XCTAssertEqual(expect.status, 0, expect.stderr)
        XCTAssertTrue(expect.stderr.contains("HTTP/1.1 100 Continue"), expect.stderr)
        XCTAssertEqual(expect.stdout, "continued")

        // A streamed response.
        let stream = try run(curl, ["-sS", "--raw", "-D", "/dev/stderr", "\(base)/stream?n=2000", "-o", "/dev/null", "-w", "%{size_download}"])
        XCTAssertEqual(stream.status, 0, stream.stderr)
        XCTAssertTrue(stream.stderr.lowercased().contains("transfer-encoding: chunked"))
        let decoded = try run(curl, ["-sS", "\(base)/stream?n=2000"])
        XCTAssertEqual(decoded.stdout.split(separator: "\n").count, 2000)

        // HEAD, 404 and 405 as JSON.
        let head = try run(curl, ["-sS", "-I", "\(base)/hello"])
        XCTAssertTrue(head.stdout.contains("Content-Length: 6"))
        let missing = try run(curl, ["-sS", "-w", "\n%{http_code}", "\(base)/missing"])
        XCTAssertTrue(missing.stdout.hasSuffix("\n404"))
        XCTAssertTrue(missing.stdout.contains(#""code":"not_found""#))
        let wrong = try run(curl, ["-sS", "-X", "DELETE", "-w", "\n%{http_code}", "\(base)/hello"])
        XCTAssertTrue(wrong.stdout.hasSuffix("\n405"))

        // HTTP/1.0.
        let old = try run(curl, ["-sS", "-0", "-i", "\(base)/hello"])
        XCTAssertTrue(old.stdout.contains("Connection: close"))
    }

    func testPythonHTTPClient() throws {
        let python = try python()
        let server = try startServer(routes: installTestRoutes)
        let script = #"""
import http.client, json, sys
port = int(sys.argv[1])
out = {}
c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
c.request("GET", "/v1/records/abc?q=x&q=y")
r = c.getresponse(); out["get"] = [r.status, r.read().decode()]
sock = c.sock
c.request("POST", "/echo", body=b"x" * 100000, headers={"Content-Type": "application/octet-stream"})
r = c.getresponse(); body = r.read(); out["post"] = [r.status, len(body), r.getheader("X-Body-Length")]
def gen():
    for i in range(50):
        yield (b"%d," % i) * 10
c.request("POST", "/echo", body=gen(), encode_chunked=True)
r = c.getresponse(); body = r.read(); out["chunked"] = [r.status, "equal" if body == b"".join((b"%d," % i) * 10 for i in range(50)) else "differs"]
c.request("GET", "/stream?n=1500")
r = c.getresponse(); lines = r.read().splitlines(); out["stream"] = [r.status, r.getheader("Transfer-Encoding"), len(lines), json.loads(lines[-1])["i"]]
c.request("HEAD", "/hello")
r = c.getresponse(); out["head"] = [r.status, r.getheader("Content-Length"), r.read()]
c.request("GET", "/nope")
r = c.getresponse(); out["404"] = [r.status, json.loads(r.read())["error"]["code"]]
out["same_socket"] = "same" if c.sock is sock else "new"
c.close()
c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
c.putrequest("GET", "/hello", skip_host=True)
c.endheaders()
r = c.getresponse(); out["no_host"] = [r.status, json.loads(r.read())["error"]["code"], r.getheader("Connection")]
out["head"][2] = len(out["head"][2])
print(json.dumps(out))
"""#
        let result = try run(python, ["-c", script, String(server.port)])
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["get"] as? [AnyHashable], [200, #"{"id":"abc","q":"x,y"}"#])
        XCTAssertEqual(object["post"] as? [AnyHashable], [200, 100000, "100000"])
        XCTAssertEqual(object["chunked"] as? [AnyHashable], [200, "equal"])
        XCTAssertEqual(object["stream"] as? [AnyHashable], [200, "chunked", 1500, 1499])
        XCTAssertEqual(object["head"] as? [AnyHashable], [200, "6", 0])
        XCTAssertEqual(object["404"] as? [AnyHashable], [404, "not_found"])
        XCTAssertEqual(object["same_socket"] as? String, "same")
        XCTAssertEqual(object["no_host"] as? [AnyHashable], [400, "bad_request", "close"])
    }

    /// A client that writes its whole body before it reads (Python's http.client and urllib, Node's http module)
    /// must get the 413 (size announced, or a chunked body running over the limit) and the 401 (large body, bad
    /// token) as JSON, not a broken pipe or a reset because the server closed with the rest of the body unread.
    func testBodyRefusedUnreadStillReachesAClientThatWritesBeforeReading() throws {
        let python = try python()
        let server = try startServer({ $0.limits.maxBodyBytes = 32 << 20 }, bodyAdmission: { head, _ in
            head.headers["Authorization"] == "Bearer good" ? nil
                : .error(.unauthorized, code: "unauthorized", message: "the token is not valid")
        }, routes: installTestRoutes)
        let script = #"""
import http.client, json, sys
port = int(sys.argv[1])
big = b"a" * (40 << 20)    # over the 32 MiB limit
allowed = b"a" * (24 << 20)  # within it, but refused for its token
def chunks():
    for i in range(96):
        yield b"a" * (512 << 10)
out = {}
for name, body, token, chunked in [("413", big, "good", False), ("413-chunked", chunks(), "good", True), ("401", allowed, "bad", False)]:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        c.request("POST", "/echo", body=body, headers={"Authorization": "Bearer " + token}, encode_chunked=chunked)
        r = c.getresponse()
        out[name] = [r.status, json.loads(r.read())["error"]["code"]]
    except OSError as e:
        out[name] = ["error", type(e).__name__]
    c.close()
c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
c.request("GET", "/hello")
out["after"] = c.getresponse().status
print(json.dumps(out))
"""#
        let result = try run(python, ["-c", script, String(server.port)])
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["413"] as? [AnyHashable], [413, "payload_too_large"], result.stdout)
        XCTAssertEqual(object["413-chunked"] as? [AnyHashable], [413, "payload_too_large"], result.stdout)
        XCTAssertEqual(object["401"] as? [AnyHashable], [401, "unauthorized"], result.stdout)
        XCTAssertEqual(object["after"] as? Int, 200)
    }
}
