import Foundation
import XCTest
@testable import Redaction

/// Policy files: the shipped presets parse; invalid files fail with the key path and the reason.
final class PolicyTests: XCTestCase {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testShippedPresetsParse() throws {
        let dir = Self.repositoryRoot.appendingPathComponent("docs/policies")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }.sorted()
        XCTAssertEqual(files, ["analytics.json", "default.json", "strict.json"])
        for file in files {
            let policy = try RedactionPolicy.load(contentsOf: dir.appendingPathComponent(file).path)
            XCTAssertFalse(policy.version.isEmpty)
        }
        let strict = try RedactionPolicy.load(contentsOf: dir.appendingPathComponent("strict.json").path)
        XCTAssertEqual(strict.action(for: .secret, region: "us", tenant: nil), .block)
        XCTAssertEqual(strict.action(for: .email, region: "eu", tenant: nil), .hash)
        XCTAssertEqual(strict.action(for: .ipAddress, region: "eu", tenant: "internal-load-test"), .allow)
        XCTAssertEqual(strict.customDetectors.map(\.entity.name), ["EMPLOYEE_ID"])
        let defaults = try RedactionPolicy.load(contentsOf: dir.appendingPathComponent("default.json").path)
        XCTAssertEqual(defaults.action(for: .creditCard, region: "any", tenant: nil), .mask)
        XCTAssertEqual(defaults.action(for: .iban, region: "any", tenant: nil), .redact)
    }

    func testFullPolicyParses() throws {
        let policy = try RedactionPolicy.parse("""
        {"version": "2026-11-01", "description": "all features",
         "defaults": {"*": "redact", "CREDIT_CARD": "mask", "BADGE": "hash"},
         "regions": {"eu": {"actions": {"EMAIL": "hash"}, "fields": [{"path": "request.user", "rule": "drop"}], "description": "GDPR"}},
         "tenants": {"acme": {"actions": {"PHONE": "allow"}}},
         "custom_detectors": [{"name": "BADGE", "pattern": "B-[0-9]{4}", "case_insensitive": false, "description": "badges"}],
         "fields": [{"path": "request.messages[*].name", "rule": "skip"}, {"path": "a[2].b[*][*].*", "rule": "drop", "description": "x"}]}
        """)
        XCTAssertEqual(policy.version, "2026-11-01")
        XCTAssertEqual(policy.entityTypes.last, EntityType("BADGE"))
        XCTAssertEqual(policy.fieldRules.map(\.kind), [.skip, .drop])
        XCTAssertEqual(policy.fieldRules[1].components, [.key("a"), .index(2), .key("b"), .anyIndex, .anyIndex, .anyKey])
        XCTAssertEqual(policy.fieldRules(region: "eu", tenant: "acme").count, 3)
        XCTAssertTrue(policy.fieldRules[0].matches([.key("request"), .key("messages"), .index(7), .key("name")]))
        XCTAssertFalse(policy.fieldRules[0].matches([.key("request"), .key("messages"), .key("7"), .key("name")]))
        XCTAssertFalse(policy.fieldRules[0].matches([.key("request"), .key("messages"), .index(7)]))
    }

    /// Each invalid policy names where the problem is and what it is.
    func testInvalidPoliciesGiveClearErrors() {
        let cases: [(String, String, String)] = [
            ("[]", "", "must be a JSON object"),
            ("{", "", "not valid JSON"),
            (#"{"defaults":{}}"#, "version", "missing"),
            (#"{"version":3}"#, "version", "must be a string"),
            (#"{"version":""}"#, "version", "non-empty"),
            (#"{"version":"1","default":{}}"#, "default", "unknown key"),
            (#"{"version":"1","defaults":{"EMAIL":"scramble"}}"#, "defaults.EMAIL", "unknown action 'scramble'"),
            (#"{"version":"1","defaults":{"EMAIL":true}}"#, "defaults.EMAIL", "must be an action name"),
            (#"{"version":"1","defaults":{"EMIAL":"redact"}}"#, "defaults.EMIAL", "unknown entity type 'EMIAL'"),
            (#"{"version":"1","defaults":[]}"#, "defaults", "must be an object"),
            (#"{"version":"1","regions":{"eu":{"actions":{"PHONE":"hide"}}}}"#, "regions.eu.actions.PHONE", "unknown action"),
            (#"{"version":"1","regions":{"eu":{"action":{}}}}"#, "regions.eu.action", "unknown key"),
            (#"{"version":"1","regions":{"eu":"hash"}}"#, "regions.eu", "must be an object"),
            (#"{"version":"1","tenants":{"acme":{"actions":{"X":"redact"}}}}"#, "tenants.acme.actions.X", "unknown entity type"),
            (#"{"version":"1","custom_detectors":{}}"#, "custom_detectors", "must be an array"),
            (#"{"version":"1","custom_detectors":[{"name":"id","pattern":"x"}]}"#, "custom_detectors[0].name", "not a valid entity name"),
            (#"{"version":"1","custom_detectors":[{"name":"EMAIL","pattern":"x"}]}"#, "custom_detectors[0].name", "built-in"),
            (#"{"version":"1","custom_detectors":[{"name":"X","pattern":"("}]}"#, "custom_detectors[0].pattern", "not a valid regular expression"),
            (#"{"version":"1","custom_detectors":[{"name":"X","pattern":"a*"}]}"#, "custom_detectors[0].pattern", "matches the empty string"),
            (#"{"version":"1","custom_detectors":[{"name":"X"}]}"#, "custom_detectors[0].pattern", "missing"),
            (#"{"version":"1","custom_detectors":[{"name":"X","pattern":"a"},{"name":"X","pattern":"b"}]}"#, "custom_detectors[1].name", "defined twice"),
            (#"{"version":"1","custom_detectors":[{"name":"X","pattern":"a","case_insensitive":"yes"}]}"#, "custom_detectors[0].case_insensitive", "true or false"),
            (#"{"version":"1","fields":[{"path":"a.b","rule":"erase"}]}"#, "fields[0].rule", "unknown rule 'erase'"),
            (#"{"version":"1","fields":[{"path":"a..b","rule":"drop"}]}"#, "fields[0].path", "empty member name"),
            (#"{"version":"1","fields":[{"path":"a[x]","rule":"drop"}]}"#, "fields[0].path", "index"),
            (#"{"version":"1","fields":[{"path":"a[*]","rule":"drop"}]}"#, "fields[0].path", "must end with a member name"),
            (#"{"version":"1","fields":[{"path":"a[1","rule":"drop"}]}"#, "fields[0].path", "without ']'"),
            (#"{"version":"1","fields":[{"path":"","rule":"drop"}]}"#, "fields[0].path", "empty"),
            (#"{"version":"1","fields":[{"rule":"drop"}]}"#, "fields[0].path", "missing"),
            (#"{"version":"1","fields":[{"path":"a","rule":"drop","x":1}]}"#, "fields[0].x", "unknown key"),
            (#"{"version":"1","version":"2"}"#, "version", "appears twice"),
        ]
        for (json, keyPath, message) in cases {
            XCTAssertThrowsError(try RedactionPolicy.parse(json), json) { error in
                guard let e = error as? RedactionPolicyError else { return XCTFail("\(json): \(error)") }
                XCTAssertEqual(e.keyPath, keyPath, json)
                XCTAssertTrue(e.message.contains(message), "\(json): \(e.message)")
                XCTAssertTrue(e.description.contains(message))
            }
        }
    }

    func testMissingFileIsAClearError() {
        XCTAssertThrowsError(try RedactionPolicy.load(contentsOf: "/nonexistent/policy.json")) { error in
            XCTAssertTrue("\(error)".contains("cannot read the policy file"))
        }
    }
}
