import Foundation
import AuditFormat
import JSON
import Redaction

/// `gatelog redact [--policy FILE] [--records] [--region R] [--tenant T]`: try a policy on samples.
/// Reads JSON lines from standard input (or FILE); writes them with `text` redacted (or, with
/// `--records`, whole audit records with their content and metadata redacted).
enum RedactCommand {
    static func run(_ raw: [String]) throws -> Int32 {
        var args = try Arguments(raw, flags: ["records", "report"])
        let policyPath = args.value("policy")
        let records = args.flag("records")
        let withReport = args.flag("report")
        let regionOverride = args.value("region")
        let tenantOverride = args.value("tenant")
        let data = args.value("data")
        try args.rejectUnknown()
        guard args.positionals.count <= 1 else { throw UsageError("redact takes at most one FILE") }
        let policy: RedactionPolicy
        do { policy = try policyPath.map { try RedactionPolicy.load(contentsOf: $0) } ?? .standard } catch {
            throw UsageError("policy \(policyPath ?? ""): \(error)")
        }
        // Keyed hashes use the data directory's keys when given, else a throwaway key per run.
        let keys: any HashKeyProvider
        if let data {
            keys = HashKeyDirectory(directory: "\(data)/keys/redaction")
        } else {
            keys = FixedHashKeys([:], fallback: try HashKey.random())
        }
        let engine = RedactionEngine(policy: policy, hashKeys: keys)
        let input: [UInt8]
        if let path = args.positionals.first, path != "-" {
            guard let d = FileManager.default.contents(atPath: path) else { throw UsageError("cannot read \(path)") }
            input = Array(d)
        } else {
            input = Array(FileHandle.standardInput.readDataToEndOfFile())
        }
        var failures = 0
        var out = [UInt8]()
        var lineNumber = 0
        for line in input.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            do {
                let value = try JSONValue.parse(Array(line))
                guard var members = value.objectMembers else { throw UsageError("not a JSON object") }
                let region = regionOverride ?? value["region"]?.stringValue ?? "default"
                let tenant = tenantOverride ?? value["tenant"]?.stringValue
                var report: RedactionReport
                if records {
                    let record = try AuditRecord.parse(Array(line))
                    // As ingest does: the content and the free-text envelope members (`error`, unknown
                    // fields) in one pass; a member a field rule drops is left out.
                    let scanned = Set(["request", "response"] + record.freeTextMemberNames)
                    let r = try engine.redactRecord(content: record.scannedBytes(), metadata: record.fields.metadata.map { ($0.key, $0.value) },
                                                    region: region, tenant: tenant)
                    let redacted = try JSONValue.parse(r.content)
                    // Members whose names were redacted come back under their new names.
                    let newNames = Dictionary((r.renamedMembers ?? [:]).map { ($0.value, $0.key) }, uniquingKeysWith: { a, _ in a })
                    members = members.compactMap { m in
                        if scanned.contains(m.key) {
                            let name = newNames[m.key] ?? m.key
                            return redacted[name].map { JSONMember(name, $0) }
                        }
                        if m.key == "metadata" { return JSONMember("metadata", .object(r.metadata.map { JSONMember($0.0, .string($0.1)) })) }
                        return m
                    }
                    report = r.report
                } else {
                    guard let i = members.firstIndex(where: { $0.key == "text" }), let text = members[i].value.stringValue else {
                        throw UsageError("needs a string field \"text\" (or use --records)")
                    }
                    let r = try engine.redactText(text, region: region, tenant: tenant)
                    members[i].value = .string(r.text)
                    report = r.report
                }
                if withReport { members.append(JSONMember("redaction", report.jsonValue())) }
                out += JSONValue.object(members).serialized() + [0x0A]
            } catch let e as RedactionError {
                failures += 1
                printError("line \(lineNumber): \(e)")
            } catch {
                failures += 1
                printError("line \(lineNumber): \(error)")
            }
            if out.count > 1 << 20 { FileHandle.standardOutput.write(Data(out)); out.removeAll(keepingCapacity: true) }
        }
        FileHandle.standardOutput.write(Data(out))
        return failures == 0 ? 0 : 1
    }
}
