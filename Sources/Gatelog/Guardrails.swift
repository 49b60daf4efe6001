import Foundation
import AuditFormat
import JSON
import Redaction

/// The redaction engine as the ingest path's `RecordRedactor`, counting what it redacts.
public struct Guardrails: RecordRedactor {
    public let engine: RedactionEngine
    private let metrics: MetricsRegistry?

    /// Guardrails applying `policy`, with keyed-hash keys per region in `<data>/keys/redaction/` (0600).
    public init(policy: RedactionPolicy, dataDirectory: String, metrics: MetricsRegistry? = nil) {
        let dir = "\(dataDirectory)/keys/redaction"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true,
                                                 attributes: [.posixPermissions: 0o700])
        engine = RedactionEngine(policy: policy, hashKeys: HashKeyDirectory(directory: dir))
        self.metrics = metrics
    }

    /// The policy named by `redaction_policy` in `<data>/gatelog.json` (a path), else the standard policy.
    public static func configuredPolicy(dataDirectory: String) throws -> RedactionPolicy {
        let configPath = "\(dataDirectory)/gatelog.json"
        guard FileManager.default.fileExists(atPath: configPath),
              let bytes = FileManager.default.contents(atPath: configPath),
              let value = try? JSONValue.parse(Array(bytes)),
              let path = value["redaction_policy"]?.stringValue else { return .standard }
        let resolved = path.hasPrefix("/") ? path : "\(dataDirectory)/\(path)"
        return try RedactionPolicy.load(contentsOf: resolved)
    }

    public func redact(content: [UInt8], metadata: [(key: String, value: String)], region: String, tenant: String?) throws(RecordError) -> RedactedParts {
        try redact(content, validated: false, metadata: metadata, region: region, tenant: tenant)
    }

    /// Content from a parsed record is valid JSON: the engine does not check it again.
    public func redact(validatedContent: [UInt8], metadata: [(key: String, value: String)], region: String,
                       tenant: String?) throws(RecordError) -> RedactedParts {
        try redact(validatedContent, validated: true, metadata: metadata, region: region, tenant: tenant)
    }

    private func redact(_ content: [UInt8], validated: Bool, metadata: [(key: String, value: String)], region: String,
                        tenant: String?) throws(RecordError) -> RedactedParts {
        let result: RedactedRecord
        do {
            result = validated
                ? try engine.redactRecord(validatedContent: content, metadata: metadata, region: region, tenant: tenant)
                : try engine.redactRecord(content: content, metadata: metadata, region: region, tenant: tenant)
        } catch let e as RedactionError {
            switch e {
            case .blocked(let entity, let path):
                metrics?.add("gatelog_redactions_total", [entity.description, "block"])
                throw .blocked(reason: "\(entity) found at \(path)")
            case .invalidContent(let json): throw .invalidJSON(json)
            case .hashKeyUnavailable(let region, let reason): throw .blocked(reason: "hash key for region \(region) unavailable: \(reason)")
            }
        } catch {
            throw .blocked(reason: "redaction failed")
        }
        if let metrics {
            for entry in result.report.entries { metrics.add("gatelog_redactions_total", [entry.entity.description, entry.action.rawValue], Double(entry.count)) }
        }
        var report: [UInt8] = []
        report.reserveCapacity(64)
        result.report.appendJSON(to: &report)
        // Content and metadata come back as the same arrays when nothing in them changed.
        var parts = RedactedParts(metadata: result.metadata, content: result.content, reportJSON: report)
        parts.renamedMembers = result.renamedMembers
        return parts
    }

    public func redactText(_ text: String, region: String?, tenant: String?) -> String? {
        try? engine.redactText(text, region: region ?? "_unrouted", tenant: tenant).text
    }
}
