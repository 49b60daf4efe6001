import Foundation
import AuditFormat
import AuditIndex
import GatelogCrypto
import JSON

/// Output formats of search and stats, shared by the CLI and the HTTP API.
public enum OutputFormat: String, Sendable {
    case json, ndjson, csv

    /// Parses `json`, `ndjson` or `csv`.
    public static func parse(_ text: String?, default fallback: OutputFormat = .json) throws -> OutputFormat {
        guard let text else { return fallback }
        guard let f = OutputFormat(rawValue: text.lowercased()) else { throw IndexError(kind: .invalidArgument, message: "format must be json, ndjson or csv", operation: "parse format") }
        return f
    }

    /// The HTTP content type.
    public var contentType: String {
        switch self {
        case .json: return "application/json"
        case .ndjson: return "application/x-ndjson"
        case .csv: return "text/csv; charset=utf-8"
        }
    }
}

/// CSV rendering (RFC 4180) of records' indexed fields and of aggregate groups — what finance and
/// compliance teams open in a spreadsheet. Request and response bodies are not included in CSV.
public enum CSVRendering {
    public static let recordColumns = ["region", "position", "id", "ts", "tenant", "team", "user", "api_key_id", "kind", "model",
                                       "provider", "status", "error_class", "cost_usd", "input_tokens", "output_tokens",
                                       "latency_total_ms", "ttft_ms", "itl_ms", "trace_id", "route_backend", "route_fallback",
                                       "metadata", "chain_hash"]

    /// The header line.
    public static func recordHeader() -> String { recordColumns.joined(separator: ",") + "\r\n" }

    /// One record line.
    public static func recordLine(_ e: IndexEntry) -> String {
        func n(_ d: Double?) -> String { d.map { JSONValue.double($0).serializedString } ?? "" }
        let meta = e.metadata.isEmpty ? "" : JSONValue.object(e.metadata.map { JSONMember($0.key, .string($0.value)) }).serializedString
        let fields: [String] = [
            e.region, String(e.position), e.id, Timestamp.format(milliseconds: e.ts), e.tenant ?? "", e.team ?? "", e.user ?? "",
            e.apiKeyID ?? "", e.kind ?? "", e.model ?? "", e.provider ?? "", e.status.map(String.init) ?? "", e.errorClass ?? "",
            n(e.costUSD), e.inputTokens.map(String.init) ?? "", e.outputTokens.map(String.init) ?? "", n(e.latencyTotalMs),
            n(e.ttftMs), n(e.itlMs), e.traceID ?? "", e.routeBackend ?? "", e.routeFallback.map { $0 ? "true" : "false" } ?? "",
            meta, Hex.encode(e.chainHash),
        ]
        return fields.map(escape).joined(separator: ",") + "\r\n"
    }

    /// Aggregate groups as CSV.
    public static func groups(_ groups: [AggregateGroup], groupBy: [GroupField], bucket: Bool) -> String {
        var header: [String] = bucket ? ["bucket"] : []
        header += groupBy.map(\.description)
        header += ["count", "errors", "error_rate", "input_tokens", "output_tokens", "cost_usd",
                   "latency_total_avg", "latency_total_p50", "latency_total_p95", "latency_total_p99",
                   "ttft_avg", "ttft_p50", "ttft_p95", "ttft_p99", "itl_avg", "itl_p50", "itl_p95", "itl_p99"]
        var out = header.map(escape).joined(separator: ",") + "\r\n"
        func n(_ d: Double?) -> String { d.map { JSONValue.double($0).serializedString } ?? "" }
        for g in groups {
            var row: [String] = bucket ? [g.bucketStart.map { Timestamp.format(milliseconds: $0) } ?? ""] : []
            row += g.keys.map { $0 ?? "" }
            row += [String(g.count), String(g.errors), n(g.errorRate), String(g.inputTokens), String(g.outputTokens), n(g.costUSD)]
            for l in [g.latencyTotal, g.ttft, g.itl] { row += [n(l.average), n(l.p50), n(l.p95), n(l.p99)] }
            out += row.map(escape).joined(separator: ",") + "\r\n"
        }
        return out
    }

    /// Quotes a field when it holds a comma, quote, CR or LF; neutralises spreadsheet formulas.
    public static func escape(_ field: String) -> String {
        var f = field
        // A cell a spreadsheet would run as a formula (OWASP: also a leading tab or CR) is
        // neutralised with a quote, unless it is a plain number.
        if let first = f.utf8.first, [UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D].contains(first),
           Double(f) == nil { f = "'" + f }
        // Bytes, not Characters: "\r\n" is one Character, equal to neither "\r" nor "\n", and an
        // unquoted CR LF in a value would start a forged row.
        if f.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }) {
            return "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return f
    }
}
