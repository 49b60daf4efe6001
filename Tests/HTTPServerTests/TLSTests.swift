import Foundation
import XCTest
@testable import HTTPServer

/// TLS with a self-signed certificate made by the openssl CLI, exercised by curl, Python's ssl module and a raw
/// plain-text client.
final class TLSTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("gatelog-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Makes a self-signed P-256 certificate for 127.0.0.1/localhost; returns (cert, key) paths.
    private func makeCertificate() throws -> (String, String) {
        guard let openssl = which("openssl") else { throw XCTSkip("the openssl CLI is not installed") }
        let cert = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let r = try run(openssl, ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                                  "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
                                  "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"])
        XCTAssertEqual(r.status, 0, r.stderr)
        return (cert, key)
    }

    func testTLSWithCurlPythonAndPlainClients() throws {
        let (cert, key) = try makeCertificate()
        let server = try startServer({
            $0.tls = TLSConfiguration(certificateChainPath: cert, privateKeyPath: key)
            $0.headerTimeout = .seconds(2)
        }, routes: installTestRoutes)
        let base = "https://127.0.0.1:\(server.port)"

        if let curl = which("curl") {
            let r = try run(curl, ["-sS", "--cacert", cert, "-v", "\(base)/hello", "\(base)/v1/records/t?q=s"])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertEqual(r.stdout, "hello\n" + #"{"id":"t","q":"s"}"#)
            XCTAssertTrue(r.stderr.contains("Re-using existing connection"), "keep-alive over TLS")
            let payload = Data((0..<200_000).map { UInt8(truncatingIfNeeded: $0 % 253) })
            let out = directory.appendingPathComponent("echo.bin")
            let post = try run(curl, ["-sS", "--cacert", cert, "-H", "Transfer-Encoding: chunked", "--data-binary", "@-",
                                      "-o", out.path, "\(base)/echo"], stdin: payload)
            XCTAssertEqual(post.status, 0, post.stderr)
            XCTAssertEqual(try Data(contentsOf: out), payload)
            let stream = try run(curl, ["-sS", "--cacert", cert, "\(base)/stream?n=5000"])
            XCTAssertEqual(stream.stdout.split(separator: "\n").count, 5000)
        }

        if let python = which("python3") {
            let script = """
            import http.client, ssl, sys, json
            ctx = ssl.create_default_context(cafile=sys.argv[2])
            c = http.client.HTTPSConnection("127.0.0.1", int(sys.argv[1]), context=ctx, timeout=10)
            c.request("POST", "/echo", body=b"tls" * 1000)
            r = c.getresponse(); a = [r.status, len(r.read())]
            c.request("GET", "/stream?n=100")
            r = c.getresponse(); b = [r.status, len(r.read().splitlines())]
            print(json.dumps([a, b, c.sock.version()]))
            """
            let r = try run(python, ["-c", script, String(server.port), cert])
            XCTAssertEqual(r.status, 0, r.stderr)
            let parsed = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [Any]
            XCTAssertEqual(parsed?[0] as? [Int], [200, 3000])
            XCTAssertEqual(parsed?[1] as? [Int], [200, 100])
            XCTAssertTrue(["TLSv1.2", "TLSv1.3"].contains(parsed?[2] as? String ?? ""))
        }

        // A plain-HTTP client on the TLS port is told so in plain HTTP (not reset) and closed;
        // the server keeps serving.
        let plain = try RawClient(port: server.port)
        try plain.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        let told = try plain.readResponse()
        XCTAssertEqual(told.status, 400)
        XCTAssertEqual(told.header("connection"), "close")
        XCTAssertTrue(String(decoding: told.body, as: UTF8.self).contains("plain_http_on_tls_port"))
        XCTAssertTrue(plain.waitForClose(timeout: 4))
        if let curl = which("curl") {
            let r = try run(curl, ["-sS", "http://127.0.0.1:\(server.port)/hello"])
            XCTAssertTrue(r.stdout.contains("use https://"), r.stdout + r.stderr)
        }
        // A client that connects and never starts the handshake is dropped after the header timeout.
        let silent = try RawClient(port: server.port)
        let t0 = Date()
        XCTAssertTrue(silent.waitForClose(timeout: 5))
        XCTAssertLessThan(Date().timeIntervalSince(t0), 4)
        if let curl = which("curl") {
            let again = try run(curl, ["-sS", "--cacert", cert, "\(base)/hello"])
            XCTAssertEqual(again.stdout, "hello\n")
        }
    }

    /// Found by a hostile-client campaign: a connection stalled in its TLS handshake held a
    /// SIGTERM until the handshake timeout, and a client over the connection limit on the TLS port
    /// got a plaintext 503 it could only read as a protocol error.
    func testStalledHandshakesNeitherHoldShutdownNorGetPlaintext() throws {
        let (cert, key) = try makeCertificate()
        let server = try startServer({
            $0.tls = TLSConfiguration(certificateChainPath: cert, privateKeyPath: key)
            $0.headerTimeout = .seconds(20)
            $0.maxConnections = 1
        }, routes: installTestRoutes)
        let stalled = try RawClient(port: server.port)  // TCP only: the handshake never starts
        try stalled.send("\u{16}\u{03}\u{01}")          // the first bytes of a ClientHello, then silence
        usleep(100_000)
        // One slot, and it is waiting for a request: the next connection takes it; nothing
        // plaintext is ever written on the TLS port.
        let next = try RawClient(port: server.port)
        XCTAssertTrue(stalled.waitForClose(timeout: 2))
        let t0 = Date()
        server.shutdown(gracePeriod: .seconds(10))
        XCTAssertLessThan(Date().timeIntervalSince(t0), 2, "a handshake in progress does not hold shutdown")
        XCTAssertTrue(next.waitForClose(timeout: 2))
    }

    /// An expired certificate loads (the operator may be replacing it), but the start warns:
    /// every client would refuse it.
    func testExpiredCertificateIsWarnedAbout() throws {
        guard let openssl = which("openssl") else { throw XCTSkip("the openssl CLI is not installed") }
        let key = directory.appendingPathComponent("old.key").path
        let csr = directory.appendingPathComponent("old.csr").path
        let cert = directory.appendingPathComponent("old.pem").path
        XCTAssertEqual(try run(openssl, ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                                         "-keyout", key, "-out", csr, "-subj", "/CN=localhost"]).status, 0)
        XCTAssertEqual(try run(openssl, ["x509", "-req", "-in", csr, "-signkey", key, "-out", cert, "-days", "-1"]).status, 0)
        let context = try TLSContext(TLSConfiguration(certificateChainPath: cert, privateKeyPath: key))
        XCTAssertTrue(context.certificateWarning?.contains("has expired") ?? false, "\(String(describing: context.certificateWarning))")
        let (fresh, freshKey) = try makeCertificate()
        XCTAssertNil(try TLSContext(TLSConfiguration(certificateChainPath: fresh, privateKeyPath: freshKey)).certificateWarning)
    }

    func testBadCertificateFilesAreReported() throws {
        let (cert, key) = try makeCertificate()
        var router = HTTPRouter()
        router.get("/") { _ in .text("") }
        let missing = TLSConfiguration(certificateChainPath: directory.appendingPathComponent("none.pem").path, privateKeyPath: key)
        XCTAssertThrowsError(try HTTPServer(configuration: HTTPServerConfiguration(tls: missing), router: router)) { error in
            XCTAssertEqual((error as? HTTPServerError)?.code, .tlsConfiguration)
            XCTAssertTrue("\(error)".contains("none.pem") && "\(error)".contains("No such file"), "names the file and why: \(error)")
        }
        // A directory where the key should be.
        let directoryKey = TLSConfiguration(certificateChainPath: cert, privateKeyPath: directory.path)
        XCTAssertThrowsError(try HTTPServer(configuration: HTTPServerConfiguration(tls: directoryKey), router: router)) { error in
            XCTAssertTrue("\(error)".contains("is a directory"), "\(error)")
        }
        // An encrypted key fails at once with a reason (OpenSSL would otherwise prompt on a terminal).
        if let openssl = which("openssl") {
            let encrypted = directory.appendingPathComponent("encrypted.pem").path
            let r = try run(openssl, ["pkey", "-in", key, "-aes256", "-passout", "pass:secret1", "-out", encrypted])
            XCTAssertEqual(r.status, 0, r.stderr)
            let t0 = Date()
            let config = TLSConfiguration(certificateChainPath: cert, privateKeyPath: encrypted)
            XCTAssertThrowsError(try HTTPServer(configuration: HTTPServerConfiguration(tls: config), router: router)) { error in
                XCTAssertTrue("\(error)".contains("encrypted"), "\(error)")
            }
            XCTAssertLessThan(Date().timeIntervalSince(t0), 2)
        }
        // A key that does not match the certificate.
        let (_, otherKey) = try { () throws -> (String, String) in
            let sub = directory.appendingPathComponent("other")
            try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
            let saved = directory
            directory = sub
            defer { directory = saved }
            return try makeCertificate()
        }()
        let mismatched = TLSConfiguration(certificateChainPath: cert, privateKeyPath: otherKey)
        XCTAssertThrowsError(try HTTPServer(configuration: HTTPServerConfiguration(tls: mismatched), router: router)) { error in
            XCTAssertEqual((error as? HTTPServerError)?.code, .tlsConfiguration)
            XCTAssertTrue("\(error)".contains("does not match"), "\(error)")
        }
    }
}
