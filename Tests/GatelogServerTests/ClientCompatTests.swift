import XCTest
import Foundation
import GatelogServer
import JSON

/// Findings of the real-clients compatibility campaign (walk 9), each reproduced against a real server on loopback.
final class ClientCompatTests: XCTestCase {
    /// `GET /v1/checkpoints/latest` negotiates its format from `Accept` as RFC 9110 says: axios's default
    /// (`application/json, text/plain, */*`) and curl's `*/*` get JSON, `text/plain;q=0` is "not acceptable",
    /// media types are case-insensitive, and a client that asks for text/plain (alone, first, or with a higher
    /// weight) gets the note.
    func testCheckpointAcceptNegotiation() throws {
        let s = try RunningServer()
        defer { s.stop() }
        XCTAssertEqual(try s.client.post("/v1/records", token: s.admin, Records.record("cp-accept-1")).status, 200)
        let cases: [(accept: String?, plain: Bool)] = [
            (nil, false),
            ("*/*", false),
            ("application/json", false),
            ("application/json, text/plain, */*", false),  // axios's default
            ("application/json, text/plain;q=0.5", false),
            ("text/plain;q=0, application/json", false),
            ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", false),  // a browser
            ("text/plain", true),
            ("TEXT/PLAIN", true),
            ("text/plain; charset=utf-8", true),
            ("text/plain, application/json", true),
            ("application/json;q=0.5, text/plain", true),
            ("text/*", true),
        ]
        for c in cases {
            var headers: [String: String] = [:]
            if let accept = c.accept { headers["Accept"] = accept }
            let r = try s.client.request("GET", "/v1/checkpoints/latest?region=eu-west-1", token: s.admin, headers: headers)
            XCTAssertEqual(r.status, 200, "\(c.accept ?? "-"): \(r.text)")
            let type = r.header("Content-Type") ?? ""
            if c.plain {
                XCTAssertTrue(type.hasPrefix("text/plain"), "Accept \(c.accept ?? "-") gave \(type)")
                XCTAssertTrue(r.text.hasPrefix("gatelog/eu-west-1\n"), r.text)
            } else {
                XCTAssertTrue(type.hasPrefix("application/json"), "Accept \(c.accept ?? "-") gave \(type)")
                XCTAssertEqual(r.json?["region"]?.stringValue, "eu-west-1", r.text)
            }
        }
    }
}
