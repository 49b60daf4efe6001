import Foundation
import AuditFormat
import AuditIndex

/// Builds index filters from `name=value` arguments, shared by the CLI flags and HTTP query
/// parameters so both accept exactly the same language.
public enum FilterArguments {
    /// Every filter name accepted.
    public static let names: Set<String> = ["from", "to", "region", "tenant", "team", "user", "api_key", "api-key", "kind", "model",
                                            "provider", "status", "error", "meta", "trace", "id", "min_cost", "max_cost",
                                            "min_latency", "max_latency", "text", "fallback", "backend"]

    /// A filter from arguments; repeated names AND their conditions (sets intersect).
    /// Filters that take a comma-separated list: given several times (`region=a&region=b`, the way
    /// most HTTP clients send a list; `--region a --region b`), their values are one list (ORed).
    static let listFilters: Set<String> = ["region", "tenant", "team", "user", "api_key", "kind", "model", "provider", "status",
                                           "error", "backend", "trace", "id"]

    /// The pairs with every list filter's repeats joined into one list; `meta` conditions stay
    /// separate (ANDed); any other filter given twice is an error, not a silent choice.
    static func mergingRepeats(_ pairs: [(name: String, value: String)]) throws -> [(name: String, value: String)] {
        var merged: [(name: String, value: String)] = []
        var at: [String: Int] = [:]
        for (raw, value) in pairs {
            let name = raw == "api-key" ? "api_key" : raw
            if name == "meta" {
                merged.append((name, value))
            } else if let i = at[name] {
                guard listFilters.contains(name) else {
                    throw IndexError(kind: .invalidArgument, message: "\(name) may be given only once", operation: "parse filters")
                }
                merged[i].value += "," + value
            } else {
                at[name] = merged.count
                merged.append((name, value))
            }
        }
        return merged
    }

    public static func parse(_ pairs: [(name: String, value: String)], now: Int64 = Int64(Date().timeIntervalSince1970 * 1000)) throws -> IndexFilter {
        var filter = IndexFilter()
        func set(_ v: String) -> Set<String> { Set(v.split(separator: ",").map { String($0) }.filter { !$0.isEmpty }) }
        func number(_ name: String, _ v: String) throws -> Double {
            guard let d = Double(v), d.isFinite else { throw IndexError(kind: .invalidArgument, message: "\(name) must be a number", operation: "parse filters") }
            // The bounds the OpenAPI document states: costs in USD, latencies in milliseconds.
            let limit = name.hasSuffix("cost") ? 9e9 : 9e12
            guard abs(d) <= limit else {
                throw IndexError(kind: .invalidArgument, message: "\(name) must be between -\(Int64(limit)) and \(Int64(limit))", operation: "parse filters")
            }
            return d
        }
        /// Status codes 0–999 and classes 0xx–9xx: exactly what a record may hold (records accept
        /// statuses 0–999). Anything else could only match nothing: a mistake to report, not an
        /// empty answer.
        func status(_ v: String) throws -> StatusMatch {
            let invalid = IndexError(kind: .invalidArgument,
                                     message: "status must be comma-separated 3-digit status codes 000–999 (404) or classes 0xx–9xx (4xx)",
                                     operation: "parse filters")
            guard let match = try? StatusMatch.parse(v) else { throw invalid }
            guard match.codes.allSatisfy({ (0...999).contains($0) }), match.classes.allSatisfy({ (0...9).contains($0) }) else {
                throw invalid
            }
            return match
        }
        /// A time bound; an error names the parameter (`to: expected RFC 3339 …`).
        func time(_ name: String, _ v: String) throws -> Int64 {
            do { return try TimeArgument.parse(v, now: now) } catch {
                throw IndexError(kind: error.kind, message: "\(name): \(error.message)", operation: "parse filters")
            }
        }
        for (name, value) in try mergingRepeats(pairs) {
            var f = IndexFilter()
            switch name {
            case "from": f.from = try time(name, value)
            case "to": f.to = try time(name, value)
            case "region": f.regions = set(value)
            case "tenant": f.tenants = set(value)
            case "team": f.teams = set(value)
            case "user": f.users = set(value)
            case "api_key", "api-key": f.apiKeyIDs = set(value)
            case "kind": f.kinds = set(value)
            case "model": f.models = set(value)
            case "provider": f.providers = set(value)
            case "status": f.status = try status(value)
            case "error": f.errorClasses = set(value)
            case "backend": f.routeBackends = set(value)
            case "fallback":
                guard value == "true" || value == "false" else { throw IndexError(kind: .invalidArgument, message: "fallback must be true or false", operation: "parse filters") }
                f.routeFallback = value == "true"
            case "meta": f.metadata = [try MetadataCondition.parse(value)]
            case "trace": f.traceIDs = set(value)
            case "id": f.ids = set(value)
            case "min_cost": f.minCostUSD = try number(name, value)
            case "max_cost": f.maxCostUSD = try number(name, value)
            case "min_latency": f.minLatencyMs = try number(name, value)
            case "max_latency": f.maxLatencyMs = try number(name, value)
            case "text": f.text = value
            default: throw IndexError(kind: .invalidArgument, message: "unknown filter '\(name)'", operation: "parse filters")
            }
            filter = filter.and(f)
        }
        try checkRanges(filter)
        return filter
    }

    /// A range whose lower bound is above its upper bound can only match nothing: a mistake
    /// (swapped bounds, a relative time read the wrong way), reported instead of an empty answer.
    static func checkRanges(_ filter: IndexFilter) throws {
        func refuse(_ message: String) -> IndexError { IndexError(kind: .invalidArgument, message: message, operation: "parse filters") }
        if let from = filter.from, let to = filter.to, from > to {
            throw refuse("from (\(Timestamp.format(milliseconds: from))) is after to (\(Timestamp.format(milliseconds: to)))")
        }
        if let low = filter.minCostUSD, let high = filter.maxCostUSD, low > high {
            throw refuse("min_cost (\(low)) is above max_cost (\(high))")
        }
        if let low = filter.minLatencyMs, let high = filter.maxLatencyMs, low > high {
            throw refuse("min_latency (\(low)) is above max_latency (\(high))")
        }
    }
}

extension Scope {
    /// The scope as an index filter (ANDed with every query).
    public var indexFilter: IndexFilter {
        var f = IndexFilter()
        if !regions.isEmpty { f.regions = Set(regions) }
        if !tenants.isEmpty { f.tenants = Set(tenants) }
        if !teams.isEmpty { f.teams = Set(teams) }
        if !users.isEmpty { f.users = Set(users) }
        var byKey: [String: Set<String>] = [:]
        for m in metadata { byKey[m.key, default: []].insert(m.value) }
        f.metadata = byKey.keys.sorted().map { MetadataCondition(key: $0, values: byKey[$0]!) }
        return f
    }
}
