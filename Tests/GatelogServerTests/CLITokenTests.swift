import XCTest
import Foundation
import JSON
#if canImport(Glibc)
import Glibc
#endif

/// `gatelog token …` run as a separate process while `gatelog serve` holds the data directory:
/// the change reaches the running server on its next request, without a restart.
final class CLITokenTests: XCTestCase {
    private func run(_ binary: String, _ args: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, text)
    }

    func testTokenCommandsTakeEffectOnARunningServer() throws {
        let binary = try ServerCrashTests.gatelogBinary()
        let tmp = TemporaryDirectory("gatelog-clitoken")
        let data = "\(tmp.path)/data"
        let server = try ServerCrashTests.ServeProcess(binary: binary, data: data, log: "\(tmp.path)/err.log")
        defer { server.stop(SIGTERM) }
        guard let admin = server.printedToken else { return XCTFail("no first-start token") }
        let client = Client(port: server.port)
        XCTAssertEqual(try client.post("/v1/records", token: admin,
                                       Records.record("cli-1") + "\n" + Records.record("cli-2", region: "us-east-1")).status, 200)

        let created = try run(binary, ["token", "create", "--data", data, "--role", "viewer", "--scope", "region=us-east-1", "--json"])
        XCTAssertEqual(created.status, 0, created.output)
        let json = try JSONValue.parse(String(created.output.split(separator: "\n").last { $0.hasPrefix("{") } ?? ""))
        guard let id = json["id"]?.stringValue, let token = json["token"]?.stringValue else { return XCTFail(created.output) }
        XCTAssertTrue(created.output.contains("holds the data directory"), "the CLI says the server owns the access log")

        // At once usable, and scoped.
        let page = try client.get("/v1/records", token: token)
        XCTAssertEqual(page.status, 200, page.text)
        XCTAssertEqual((page.json?["records"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }, ["cli-2"])
        XCTAssertEqual(try client.get("/v1/records/cli-1", token: token).status, 404)

        // Listed without secrets, revoked without a restart.
        let list = try run(binary, ["token", "list", "--data", data, "--json"])
        XCTAssertEqual(list.status, 0, list.output)
        XCTAssertTrue(list.output.contains(id))
        XCTAssertFalse(list.output.contains(token) || list.output.contains(admin), "the listing never prints secrets")
        let revoke = try run(binary, ["token", "revoke", "--data", data, id])
        XCTAssertEqual(revoke.status, 0, revoke.output)
        XCTAssertEqual(try client.get("/v1/records", token: token).status, 401)
        XCTAssertEqual(try client.get("/v1/records", token: admin).status, 200)

        // Bad input is a usage error, not a crash.
        XCTAssertNotEqual(try run(binary, ["token", "create", "--data", data, "--role", "emperor"]).status, 0)
        XCTAssertNotEqual(try run(binary, ["token", "create", "--data", data, "--role", "viewer", "--scope", "planet=mars"]).status, 0)
        XCTAssertNotEqual(try run(binary, ["token", "revoke", "--data", data, "tok_000000000000"]).status, 0)
        // Several --scope options add up (the last one alone used to be kept: a wider token);
        // an option that takes one value, given twice, is a usage error.
        let both = try run(binary, ["token", "create", "--data", data, "--role", "viewer", "--scope", "region=us-east-1",
                                    "--scope", "tenant=acme", "--json"])
        XCTAssertEqual(both.status, 0, both.output)
        let bothJSON = try JSONValue.parse(String(both.output.split(separator: "\n").last { $0.hasPrefix("{") } ?? ""))
        let listed = try run(binary, ["token", "list", "--data", data, "--json"])
        let bothID = try XCTUnwrap(bothJSON["id"]?.stringValue)
        let line = listed.output.split(separator: "\n").first { $0.contains(bothID) } ?? ""
        XCTAssertTrue(line.contains("region=us-east-1,tenant=acme"), listed.output)
        // Help right after a command prints its usage lines; a stray -h elsewhere is not help
        // (and never turns `verify` into exit 0).
        let help = try run(binary, ["serve", "--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.output.contains("--listen"), help.output)
        XCTAssertTrue(try run(binary, ["token", "create", "-h"]).output.contains("--role"))
        XCTAssertNotEqual(try run(binary, ["verify", "--data", data, "-h"]).status, 0)
        XCTAssertEqual(try run(binary, ["bogus", "--help"]).status, 2)
        let twice = try run(binary, ["token", "create", "--data", data, "--role", "viewer", "--role", "admin"])
        XCTAssertNotEqual(twice.status, 0)
        XCTAssertTrue(twice.output.contains("--role was given more than once"), twice.output)
    }
}
