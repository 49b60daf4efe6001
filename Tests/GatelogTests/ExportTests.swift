import XCTest
import Foundation
import AuditFormat
import AuditIndex
import AuditQuery
import AuditStore
import Gatelog
import JSON
import GatelogCrypto

/// Compliance bundles: exported by the query layer under RBAC, checked offline by `BundleVerifier`
/// with nothing but the store's public keys; every alteration is caught.
final class ExportTests: XCTestCase {
    var tmp: TemporaryDirectory!
    var service: GatelogService!
    var keys: VerifierKeyring!

    override func setUpWithError() throws {
        tmp = TemporaryDirectory("gatelog-export")
        var lines: [String] = []
        for i in 0..<60 {
            lines.append(Fixture.record("x-\(i)", region: i % 3 == 0 ? "us-east-1" : "eu-west-1", tenant: i % 2 == 0 ? "acme" : "globex", ms: i * 10))
        }
        let first = try Fixture.open(tmp.path)
        XCTAssertEqual(try first.ingest(body: Array((lines.joined(separator: "\n") + "\n").utf8), principal: Fixture.admin, source: "t").accepted, 60)
        first.close()  // signs a checkpoint over everything
        service = try Fixture.open(tmp.path)
        keys = VerifierKeyring(try KeyStore.publicKeys(dataDirectory: tmp.path))
    }

    override func tearDown() {
        service?.close()
        service = nil
        tmp = nil
    }

    func export(_ principal: Principal, _ filter: IndexFilter = IndexFilter()) throws -> (bytes: [UInt8], summary: PreparedExport.Summary) {
        var out: [UInt8] = []
        let summary = try service.query.prepareExport(principal, filter: filter).write { out += $0 }
        return (out, summary)
    }

    func lines(_ bytes: [UInt8]) -> [[UInt8]] { bytes.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast().map(Array.init) }
    func join(_ lines: [[UInt8]]) -> [UInt8] { lines.flatMap { $0 + [0x0A] } }

    func testAWholeStoreExportVerifiesOfflineAndIsComplete() throws {
        let (bytes, summary) = try export(Fixture.admin)
        XCTAssertEqual(summary.records, 60)
        XCTAssertEqual(summary.uncovered, 0)
        let result = BundleVerifier.verify(bytes, trustedKeys: keys)
        XCTAssertTrue(result.isValid, "\(result.problems)")
        XCTAssertEqual(result.records, 60)
        XCTAssertTrue(result.contentIncluded)
        XCTAssertEqual(Set(result.regions.map(\.region)), ["eu-west-1", "us-east-1"])
        XCTAssertTrue(result.regions.allSatisfy(\.complete), "every record of both logs: \(result.regions)")
        XCTAssertEqual(result.notes, [], "keys were pinned")
        // Without pinned keys it is checked against the keys it carries, and says so.
        let unpinned = BundleVerifier.verify(bytes)
        XCTAssertTrue(unpinned.isValid)
        XCTAssertEqual(unpinned.notes.count, 1)
        // The export is in the access log.
        var accessFilter = IndexFilter()
        accessFilter.regions = ["_access"]
        let access = try service.query.search(Fixture.admin, filter: accessFilter, limit: 50)
        XCTAssertTrue(access.records.contains { String(decoding: $0.json, as: UTF8.self).contains(#""action":"export""#) })
    }

    func testAScopedExportHoldsOnlyItsScopeAndStillVerifies() throws {
        let auditor = try Fixture.principal("auditor", scope: "tenant=acme")
        let (bytes, summary) = try export(auditor)
        XCTAssertEqual(summary.records, 30)
        let text = String(decoding: bytes, as: UTF8.self)
        XCTAssertFalse(text.contains("globex"), "records outside the scope never appear")
        let result = BundleVerifier.verify(bytes, trustedKeys: keys)
        XCTAssertTrue(result.isValid, "\(result.problems)")
        XCTAssertFalse(result.regions.contains { $0.complete }, "a filtered export is not the whole log")

        // A role that may export but not read content: digests instead of content, still verifiable.
        let exporter = Principal(id: "exporter", role: Role(name: "exporter", permissions: [.export]), scope: Scope())
        let digestsOnly = try export(exporter).bytes
        XCTAssertFalse(String(decoding: digestsOnly, as: UTF8.self).contains("secret prompt"))
        let checked = BundleVerifier.verify(digestsOnly, trustedKeys: keys)
        XCTAssertTrue(checked.isValid, "\(checked.problems)")
        XCTAssertFalse(checked.contentIncluded)
        XCTAssertEqual(checked.records, 60)

        XCTAssertThrowsError(try export(try Fixture.principal("analyst"))) { error in
            guard case AccessError.forbidden = error else { return XCTFail("\(error)") }
        }
    }

    /// A region whose checkpoint log was emptied (or deleted) is damage: the export is refused, not
    /// a valid bundle of zero records with "export again later".
    func testARegionWithoutAnyCheckpointIsRefused() throws {
        let log = "\(StoreConfiguration(dataDirectory: tmp.path).regionDirectory("us-east-1"))/checkpoints.log"
        XCTAssertTrue(FileManager.default.createFile(atPath: log, contents: Data()))
        XCTAssertThrowsError(try export(Fixture.admin)) { error in
            guard case StoreError.integrity(let region, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(region, "us-east-1")
        }
        var euOnly = IndexFilter()
        euOnly.regions = ["eu-west-1"]
        XCTAssertEqual(try export(Fixture.admin, euOnly).summary.records, 40, "other regions still export")
    }

    /// The header (and the access log) state every condition that selected the records.
    func testTheHeaderStatesEveryFilterCondition() throws {
        let filter = try FilterArguments.parse([("status", "2xx"), ("min_cost", "0"), ("max_latency", "9000"), ("fallback", "false"),
                                                ("backend", "b1"), ("from", "2026-03-01T00:00:00Z"), ("tenant", "acme")])
        let header = try JSONValue.parse(Array(lines(try export(Fixture.admin, filter).bytes)[0]))
        let described = try XCTUnwrap(header["filter"]?.objectMembers).map(\.key)
        XCTAssertEqual(Set(described), ["status", "min_cost", "max_latency", "fallback", "backend", "from", "tenant"], "\(described)")
        XCTAssertEqual(header["filter"]?["from"]?.stringValue, "2026-03-01T00:00:00.000Z")
        XCTAssertEqual(header["filter"]?["status"]?.stringValue, "2xx")
    }

    /// docs/tools/verify_bundle.py, written from docs/FORMAT.md alone (Python standard library,
    /// its own Ed25519), accepts what the export writes and rejects an altered record.
    func testTheIndependentPythonVerifierAgrees() throws {
        let python = try pythonVerifier()
        let auditor = try Fixture.principal("auditor", scope: "tenant=acme")
        for principal in [Fixture.admin, auditor] {
            let (code, text) = try python(try export(principal).bytes)
            XCTAssertEqual(code, 0, text)
            XCTAssertTrue(text.contains(principal.id == Fixture.admin.id ? "VALID: 60 records" : "VALID: 30 records"), text)
        }
        let altered = String(decoding: try export(Fixture.admin).bytes, as: UTF8.self).replacingOccurrences(of: "secret prompt x-7\\\"", with: "secret prompt x-8\\\"")
        let (code, text) = try python(Array(altered.utf8))
        XCTAssertEqual(code, 1, text)
        XCTAssertTrue(text.contains("is not proven by its checkpoint"), text)
    }

    /// Campaign 12: digests are lowercase hex (§12), so an inclusion path, a content digest or an
    /// end line written in upper case is refused; a checkpoint note with a malformed extra signature
    /// line is malformed (a well-formed one of an unknown key is not). `gatelog verify-bundle`'s
    /// verifier and docs/tools/verify_bundle.py give the same verdict on each.
    func testBothVerifiersRejectUpperCaseHexAndMalformedSignatureLines() throws {
        func edited(_ bytes: [UInt8], where match: (JSONValue) -> Bool, _ change: (inout [JSONMember]) -> Void) throws -> [UInt8] {
            var all = lines(bytes)
            let index = try XCTUnwrap(all.firstIndex { (try? JSONValue.parse($0)).map(match) ?? false })
            var members = try XCTUnwrap(try JSONValue.parse(all[index]).objectMembers)
            change(&members)
            all[index] = JSONValue.object(members).serialized()
            return resealed(all)
        }
        func set(_ key: String, _ value: JSONValue, in members: inout [JSONMember]) {
            members[members.firstIndex { $0.key == key }!].value = value
        }
        let withContent = try export(Fixture.admin).bytes
        let exporter = Principal(id: "exporter", role: Role(name: "exporter", permissions: [.export]), scope: Scope())
        let digestsOnly = try export(exporter).bytes
        let isRecordWithPath: (JSONValue) -> Bool = { $0["type"] == .string("record") && ($0["inclusion_path"]?.arrayValue?.isEmpty == false) }
        let isCheckpoint: (JSONValue) -> Bool = { $0["type"] == .string("checkpoint") }
        func withNote(_ extra: String) -> (inout [JSONMember]) -> Void {
            { members in
                let note = members.first { $0.key == "note" }!.value.stringValue!
                set("note", .string(note + extra + "\n"), in: &members)
            }
        }
        let wellFormedSignature = "\u{2014} other-witness " + Data(repeating: 7, count: 68).base64EncodedString()
        var upperEnd = lines(withContent)
        upperEnd[upperEnd.count - 1] = Array(String(decoding: upperEnd.last!, as: UTF8.self).uppercased().replacingOccurrences(of: "\"TYPE\"", with: "\"type\"")
            .replacingOccurrences(of: "\"END\"", with: "\"end\"").replacingOccurrences(of: "\"RECORDS\"", with: "\"records\"")
            .replacingOccurrences(of: "\"UNCOVERED\"", with: "\"uncovered\"").replacingOccurrences(of: "\"SHA256\"", with: "\"sha256\"").utf8)
        let cases: [(String, [UInt8], Bool)] = [
            ("as exported", withContent, true),
            ("digests only, as exported", digestsOnly, true),
            ("resealed only", resealed(lines(withContent)), true),
            ("an upper-case inclusion path element", try edited(withContent, where: isRecordWithPath) { m in
                let path = m.first { $0.key == "inclusion_path" }!.value.arrayValue!
                set("inclusion_path", .array([.string(path[0].stringValue!.uppercased())] + path.dropFirst()), in: &m)
            }, false),
            ("an upper-case content digest", try edited(digestsOnly, where: isRecordWithPath) { m in
                set("content_digest", .string(m.first { $0.key == "content_digest" }!.value.stringValue!.uppercased()), in: &m)
            }, false),
            ("an upper-case end line digest", join(upperEnd), false),
            ("a malformed extra signature line", try edited(withContent, where: isCheckpoint, withNote("\u{2014} other AAAA")), false),
            ("an extra line that is no signature line", try edited(withContent, where: isCheckpoint, withNote("other")), false),
            ("a well-formed signature line of an unknown key", try edited(withContent, where: isCheckpoint, withNote(wellFormedSignature)), true),
            // 68 bytes of 7s end in "Bwc=" canonically; "Bwd=" decodes to the same bytes.
            ("a signature line in non-canonical base64", try edited(withContent, where: isCheckpoint,
                withNote(String(wellFormedSignature.dropLast(2)) + "d=")), false),
        ]
        XCTAssertNotEqual(join(upperEnd), withContent)
        let python = try pythonVerifier()
        for (what, bundle, valid) in cases {
            let swift = BundleVerifier.verify(bundle, trustedKeys: keys)
            XCTAssertEqual(swift.isValid, valid, "Swift, \(what): \(swift.problems)")
            let (code, text) = try python(bundle)
            XCTAssertEqual(code, valid ? 0 : 1, "verify_bundle.py, \(what): \(text)")
        }
    }

    /// A bundle's lines with the end line recomputed (record count and digest), as a forger would.
    func resealed(_ lines: [[UInt8]]) -> [UInt8] {
        var body = Array(lines.dropLast())
        let digest = SHA256.hash(join(body))
        let count = body.filter { String(decoding: $0, as: UTF8.self).contains(#""type":"record""#) }.count
        body.append(Array(#"{"type":"end","records":\#(count),"uncovered":0,"sha256":"\#(digest.hex)"}"#.utf8))
        return join(body)
    }

    /// Runs docs/tools/verify_bundle.py on a bundle with the store's keys: exit status and output.
    func pythonVerifier() throws -> ([UInt8]) throws -> (Int32, String) {
        let candidates = ["/usr/bin/python3", "/usr/local/bin/python3"] + (ProcessInfo.processInfo.environment["PATH"] ?? "")
            .split(separator: ":").map { "\($0)/python3" }
        guard let python = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("python3 is not installed; run docs/tools/verify_bundle.py by hand")
        }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/tools/verify_bundle.py").path
        let bundle = "\(tmp.path)/py.ndjson", keyFile = "\(tmp.path)/py-store.pub"
        try Data(try KeyStore.publicKeys(dataDirectory: tmp.path).map { $0.encoded + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: keyFile))
        return { bytes in
            try Data(bytes).write(to: URL(fileURLWithPath: bundle))
            let process = Process()
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = [script, bundle, keyFile]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = out
            try process.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, text)
        }
    }

    /// The end line's digest is no seal (anyone can recompute it): a forger who recomputes it must
    /// still be caught by the line rules — one reading per line, nothing this version does not define.
    func testLinesThatReadDifferentlyToDifferentReadersAreRejected() throws {
        var all = lines(try export(Fixture.admin).bytes)
        let index = try XCTUnwrap(all.firstIndex { String(decoding: $0, as: UTF8.self).contains(#""type":"record""#) })
        XCTAssertTrue(BundleVerifier.verify(resealed(all), trustedKeys: keys).isValid, "resealing alone changes nothing")
        let original = String(decoding: all[index], as: UTF8.self)
        let position = try XCTUnwrap(try JSONValue.parse(original)["position"]?.int64Value)
        let edits: [(String, String)] = [
            ("a second envelope member (most readers keep the last one)", original.dropLast() + #","envelope":"{\"id\":\"forged\"}"}"#),
            ("an unknown member", original.dropLast() + #","note":"x"}"#),
            ("a position written as a decimal", original.replacingOccurrences(of: #""position":\#(position),"#, with: #""position":\#(position).0,"#)),
            ("a CR LF line end", original + "\r"),
        ]
        for (what, edited) in edits {
            all[index] = Array(edited.utf8)
            let result = BundleVerifier.verify(resealed(all), trustedKeys: keys)
            XCTAssertTrue(result.problems.contains { $0.line == index + 1 }, "\(what): \(result.problems)")
        }
    }

    func testEveryAlterationOfABundleIsCaught() throws {
        let bytes = try export(Fixture.admin).bytes
        var all = lines(bytes)
        let recordIndex = try XCTUnwrap(all.firstIndex { String(decoding: $0, as: UTF8.self).contains(#""type":"record""#) })

        // A changed character in a record's content.
        var edited = all
        let line = String(decoding: edited[recordIndex], as: UTF8.self)
        let changed = line.replacingOccurrences(of: "answer x-", with: "answer y-")
        XCTAssertNotEqual(changed, line)
        edited[recordIndex] = Array(changed.utf8)
        var result = BundleVerifier.verify(join(edited), trustedKeys: keys)
        XCTAssertTrue(result.problems.contains { $0.line == recordIndex + 1 && $0.message.contains("does not match the signed checkpoint") }, "\(result.problems)")
        XCTAssertTrue(result.problems.contains { $0.message.contains("sha256") }, "\(result.problems)")

        // A record line removed: the digest and the count.
        edited = all
        edited.remove(at: recordIndex)
        result = BundleVerifier.verify(join(edited), trustedKeys: keys)
        XCTAssertTrue(result.problems.contains { $0.message.contains("sha256") }, "\(result.problems)")
        XCTAssertTrue(result.problems.contains { $0.message.contains("counts 60 records, the bundle holds 59") }, "\(result.problems)")

        // A record line duplicated.
        edited = all
        edited.insert(all[recordIndex], at: recordIndex)
        result = BundleVerifier.verify(join(edited), trustedKeys: keys)
        XCTAssertTrue(result.problems.contains { $0.message.contains("appears twice") }, "\(result.problems)")

        // Cut short.
        result = BundleVerifier.verify(Array(bytes.dropLast(40)), trustedKeys: keys)
        XCTAssertTrue(result.problems.contains { $0.message.contains("cut short") }, "\(result.problems)")

        // Signed by another key than the pinned one: nothing in it is proven.
        let otherKey = LogSigningKey(name: "gatelog-other", privateKey: try Ed25519PrivateKey(seed: [UInt8](repeating: 7, count: 32)))
        result = BundleVerifier.verify(bytes, trustedKeys: VerifierKeyring([otherKey.verifier]))
        XCTAssertTrue(result.problems.contains { $0.message.contains("no valid signature from a trusted key") }, "\(result.problems)")
        XCTAssertFalse(result.isValid)

        // A position moved: the proof no longer fits.
        all = lines(bytes)
        let moved = String(decoding: all[recordIndex], as: UTF8.self)
        let position = try XCTUnwrap(try JSONValue.parse(moved)["position"]?.int64Value)
        all[recordIndex] = Array(moved.replacingOccurrences(of: #""position":\#(position),"#, with: #""position":\#(position == 0 ? 1 : position - 1),"#).utf8)
        result = BundleVerifier.verify(join(all), trustedKeys: keys)
        XCTAssertTrue(result.problems.contains { $0.line == recordIndex + 1 }, "\(result.problems)")
    }
}
