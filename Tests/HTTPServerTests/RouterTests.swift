import XCTest
@testable import HTTPServer

final class RouterTests: XCTestCase {
    private func makeRouter() -> HTTPRouter {
        var r = HTTPRouter()
        r.get("/v1/records/{id}") { _ in .text("id") }
        r.get("/v1/records/stats") { _ in .text("stats") }
        r.post("/v1/records", maxBodyBytes: 99) { _ in .text("post") }
        r.get("/v1/records") { _ in .text("list") }
        r.get("/") { _ in .text("root") }
        r.add("DELETE", "/v1/tenants/{tenant}/records/{id}") { _ in .text("del") }
        return r
    }

    private func pattern(_ m: HTTPRouter.Match) -> String? {
        if case .found(let route, _) = m { return route.pattern }
        return nil
    }

    func testLiteralBeatsParameterRegardlessOfOrder() {
        let r = makeRouter()
        XCTAssertEqual(pattern(r.match(method: .get, segments: ["v1", "records", "stats"])), "/v1/records/stats")
        XCTAssertEqual(pattern(r.match(method: .get, segments: ["v1", "records", "abc"])), "/v1/records/{id}")
        XCTAssertEqual(pattern(r.match(method: .get, segments: [])), "/")
    }

    func testParametersAreBound() {
        let r = makeRouter()
        guard case .found(let route, let params) = r.match(method: .delete, segments: ["v1", "tenants", "acme", "records", "a/b"])
        else { return XCTFail("no match") }
        XCTAssertEqual(route.pattern, "/v1/tenants/{tenant}/records/{id}")
        XCTAssertEqual(params, ["tenant": "acme", "id": "a/b"])
    }

    func testEmptyParameterDoesNotMatch() {
        let r = makeRouter()
        guard case .notFound = r.match(method: .get, segments: ["v1", "records", "abc", ""]) else { return XCTFail() }
        // "/v1/records/" has an empty last segment: not the {id} route.
        guard case .notFound = r.match(method: .get, segments: ["v1", "records", ""]) else { return XCTFail() }
    }

    func testMethodNotAllowedListsMethodsAndHeadFallsBackToGet() {
        let r = makeRouter()
        guard case .methodNotAllowed(let allowed) = r.match(method: .put, segments: ["v1", "records"]) else {
            return XCTFail("expected 405")
        }
        XCTAssertEqual(Set(allowed), ["POST", "GET", "HEAD"])
        XCTAssertEqual(pattern(r.match(method: .head, segments: ["v1", "records"])), "/v1/records")
        guard case .notFound = r.match(method: .get, segments: ["nope"]) else { return XCTFail("expected 404") }
        guard case .found(let route, _) = r.match(method: .post, segments: ["v1", "records"]) else { return XCTFail() }
        XCTAssertEqual(route.maxBodyBytes, 99)
    }

    func testRequestTargetParsing() throws {
        let t = try XCTUnwrap(RequestTarget.parse("/v1/records/a%2Fb%20c?region=eu&x=1+2&x=%E2%9C%93&flag&&=v"))
        XCTAssertEqual(t.path, "/v1/records/a%2Fb%20c")
        XCTAssertEqual(t.segments, ["v1", "records", "a/b c"])
        XCTAssertEqual(t.query["region"], "eu")
        XCTAssertEqual(t.query.values(for: "x"), ["1 2", "✓"])
        XCTAssertEqual(t.query["flag"], "")
        XCTAssertEqual(t.query[""], "v")
        XCTAssertEqual(t.query.names, ["region", "x", "flag", ""])
        XCTAssertEqual(t.rawQuery, "region=eu&x=1+2&x=%E2%9C%93&flag&&=v")
        XCTAssertEqual(RequestTarget.parse("/")?.segments, [])
        XCTAssertEqual(RequestTarget.parse("/a/")?.segments, ["a", ""])
        XCTAssertEqual(RequestTarget.parse("/a+b")?.segments, ["a+b"], "+ is literal in paths")
        XCTAssertEqual(RequestTarget.parse("http://example.com/a/b?q=1")?.segments, ["a", "b"])
        XCTAssertEqual(RequestTarget.parse("http://example.com/a/b?q=1")?.query["q"], "1")
        XCTAssertEqual(RequestTarget.parse("http://example.com")?.segments, [])
        XCTAssertEqual(RequestTarget.parse("*")?.path, "*")
        for bad in ["a/b", "/a%2", "/a%zz", "/x?q=%", "/x?q=%C3%28", "/%FF", "ftp://h/x", ""] {
            XCTAssertNil(RequestTarget.parse(bad), bad)
        }
    }

    func testPercentDecoding() {
        XCTAssertEqual(PercentDecoding.decode(Array("a%41%62+".utf8), plusAsSpace: true), "aAb ")
        XCTAssertEqual(PercentDecoding.decode(Array("a%41%62+".utf8), plusAsSpace: false), "aAb+")
        XCTAssertNil(PercentDecoding.decode(Array("%".utf8), plusAsSpace: false))
        XCTAssertNil(PercentDecoding.decode(Array("%4".utf8), plusAsSpace: false))
        XCTAssertEqual(PercentDecoding.decode(Array("%00".utf8), plusAsSpace: false), "\u{0}")
    }

    func testErrorBodyIsEscapedJSON() {
        let body = HTTPResponse.errorBody(code: "bad_request", message: "quote \" and \\ and \n")
        XCTAssertEqual(String(decoding: body, as: UTF8.self),
                       #"{"error":{"code":"bad_request","message":"quote \" and \\ and \n"}}"#)
    }

    func testHexAndDecimalFormatting() {
        for v in [0, 1, 9, 10, 15, 16, 255, 4096, 65535, 1 << 40, Int.max] {
            var d: [UInt8] = []
            HTTPBytes.appendDecimal(v, to: &d)
            XCTAssertEqual(String(decoding: d, as: UTF8.self), String(v))
            var h: [UInt8] = []
            HTTPBytes.appendHex(v, to: &h)
            XCTAssertEqual(String(decoding: h, as: UTF8.self), String(v, radix: 16))
        }
    }

    func testListenAddressParsing() {
        XCTAssertEqual(HTTPListenAddress(parsing: "127.0.0.1:8080"), HTTPListenAddress(host: "127.0.0.1", port: 8080))
        XCTAssertEqual(HTTPListenAddress(parsing: "[::1]:0"), HTTPListenAddress(host: "::1", port: 0))
        XCTAssertEqual(HTTPListenAddress(parsing: ":9000"), HTTPListenAddress(host: "127.0.0.1", port: 9000))
        XCTAssertEqual(HTTPListenAddress(parsing: "9000"), HTTPListenAddress(host: "127.0.0.1", port: 9000))
        XCTAssertEqual(HTTPListenAddress(parsing: "localhost:1"), HTTPListenAddress(host: "localhost", port: 1))
        for bad in ["::1:80", "[::1]80", "[::1", "host:", "host:70000", "host:-1", "host"] {
            XCTAssertNil(HTTPListenAddress(parsing: bad), bad)
        }
        XCTAssertEqual(HTTPListenAddress(host: "::1", port: 5).description, "[::1]:5")
    }
}
