import XCTest
import Foundation
import AuditFormat
import AuditStore
import Gatelog
import JSON

/// Issue 3's acceptance test: ingest records full of secrets and personal data, then scan every
/// byte under the data directory — segment frames decompressed, the SQLite index, its WAL, the
/// quarantine, checkpoints — for any raw value.
final class NoRawSecretsOnDiskTests: XCTestCase {
    static let secrets: [String] = [
        "jane.doe+billing@example-corp.com",
        "4111 1111 1111 1111",
        "5555555555554444",
        "078-05-1120",
        "GB82WEST12345698765432",
        "sk-proj-T3BlbkFJa8sD9fJ2kLmN4pQ7rStUvWxYz0123456789AbCd",
        "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefGHIJKLmnopQRSTuvwx-ABCDEF12",
        "AKIAZ7Q3K9WMX2HT5RVB",
        "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
        "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
        "+44 20 7946 0958",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    ]
    static let pemBody = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj"

    func testNoRawSensitiveValueReachesTheDisk() throws {
        let dir = NSTemporaryDirectory() + "gatelog-secrets-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pem = "-----BEGIN PRIVATE KEY-----\n\(Self.pemBody)\nMIIEpAIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n-----END PRIVATE KEY-----"
        var lines: [String] = []
        for (i, secret) in (Self.secrets + [pem]).enumerated() {
            let record = JSONValue.object([
                JSONMember("id", .string("sec-\(i)")), JSONMember("ts", "2026-11-24T09:00:00Z"), JSONMember("region", "eu-west-1"),
                JSONMember("user", "alice"), JSONMember("metadata", .object([JSONMember("note", .string("contact \(i < 3 ? secret : "none")"))])),
                JSONMember("request", .object([JSONMember("messages", .array([.object([
                    JSONMember("role", "user"), JSONMember("content", .string("Please use \(secret) for the account, thanks."))])]))])),
                JSONMember("response", .object([JSONMember("text", .string("Noted: \(secret)."))])),
            ])
            lines.append(record.serializedString)
        }
        // Rejected lines that carry secrets go to the quarantine: they must be redacted too.
        lines.append(#"{"id":"bad-1","ts":"not a time","region":"eu-west-1","request":{"k":"sk-proj-T3BlbkFJa8sD9fJ2kLmN4pQ7rStUvWxYz0123456789AbCd"}}"#)
        lines.append(#"this is not json but has jane.doe+billing@example-corp.com and 4111 1111 1111 1111"#)

        let service = try GatelogService(configuration: StoreConfiguration(dataDirectory: dir))
        let summary = service.ingestor.ingest(lines: lines.map { Array($0.utf8)[...] }, source: "test")
        XCTAssertEqual(summary.accepted, Self.secrets.count + 1)
        XCTAssertEqual(summary.rejected.count, 2)
        service.indexer?.waitUntilDrained()
        service.close()

        // Every byte of every file, plus every decompressed frame.
        var haystacks: [(String, [UInt8])] = []
        let enumerator = FileManager.default.enumerator(atPath: dir)!
        for case let name as String in enumerator {
            let path = "\(dir)/\(name)"
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue,
                  let data = FileManager.default.contents(atPath: path) else { continue }
            haystacks.append((name, Array(data)))
        }
        let scanner = RegionScanner(region: "eu-west-1", directory: "\(dir)/regions/eu-west-1")
        var decoded = 0
        try scanner.forEachRecord(includeContent: true) { record in
            haystacks.append(("eu-west-1#\(record.position) envelope", record.envelope ?? []))
            haystacks.append(("eu-west-1#\(record.position) content", record.content ?? []))
            decoded += 1
        }
        XCTAssertEqual(decoded, Self.secrets.count + 1)
        for needle in Self.secrets + [Self.pemBody, "BEGIN PRIVATE KEY"] {
            let n = Array(needle.utf8)
            for (name, bytes) in haystacks {
                XCTAssertFalse(Self.contains(bytes, n), "a raw value (\(needle.prefix(6))…) was found in \(name)")
            }
        }
        // The redaction report is in the envelope, with counts only.
        let envelope = try XCTUnwrap(haystacks.first { $0.0 == "eu-west-1#0 envelope" }?.1)
        let report = try XCTUnwrap(try JSONValue.parse(envelope)[AuditRecord.redactionMember])
        XCTAssertNotNil(report["counts"])
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        let first = needle[0]
        var i = 0
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == first && Array(haystack[i..<(i + needle.count)]) == needle { return true }
            i += 1
        }
        return false
    }
}
