import Foundation
import AuditFormat
import AuditQuery
import AuditStore
import GatelogCrypto
import JSON

/// The access log: every search, get, stats, verify, export and token change appended as a record
/// to the reserved region `_access` — hash-chained, signed and verifiable like any region, and
/// searchable by admins. Entries are durable before the call that caused them returns.
public final class AccessLog: AccessRecorder, Sendable {
    public static let region = "_access"
    private let store: LogStore
    private let ingestor: Ingestor

    public init(store: LogStore, ingestor: Ingestor) {
        self.store = store
        self.ingestor = ingestor
    }

    public func record(principal: Principal, action: String, parameters: JSONValue, results: Int, outcome: String) {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let random = (try? SecureRandom.bytes(8)).map(Hex.encode) ?? String(now)
        let entry = JSONValue.object([
            JSONMember("id", .string("acc_\(now)_\(random)")),
            JSONMember("ts", .string(Timestamp.format(milliseconds: now))),
            JSONMember("region", .string(AccessLog.region)),
            JSONMember("user", .string(principal.id)),
            JSONMember("kind", .string("access")),
            JSONMember("metadata", .object([JSONMember("action", .string(action)), JSONMember("role", .string(principal.role.name)),
                                            JSONMember("outcome", .string(outcome))])),
            JSONMember("request", .object([JSONMember("action", .string(action)), JSONMember("parameters", parameters),
                                           JSONMember("scope", .string(principal.scope.text))])),
            JSONMember("response", .object([JSONMember("results", .int(results)), JSONMember("outcome", .string(outcome))])),
        ])
        let bytes = entry.serialized()
        do {
            let staged = try bytes.withUnsafeBytes { b throws(RecordError) in try ingestor.stage(b) }
            let ticket = try store.writer(for: AccessLog.region).append([staged])
            if case .failure(let e) = ticket.wait() {
                FileHandle.standardError.write(Data("gatelog: access log append failed: \(e)\n".utf8))
            }
        } catch {
            FileHandle.standardError.write(Data("gatelog: access log append failed: \(error)\n".utf8))
        }
    }
}
