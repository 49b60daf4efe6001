import Foundation
import Synchronization

/// Counters, gauges and histograms rendered in the Prometheus text exposition format (0.0.4).
/// Label values never carry record content: regions, reasons, entity types, routes.
public final class MetricsRegistry: Sendable {
    public enum Kind: String, Sendable { case counter, gauge, histogram }

    private struct Family {
        var help: String
        var kind: Kind
        var buckets: [Double]
        var samples: [[String]: Sample] = [:]
        var labelNames: [String]
    }
    private struct Sample {
        var value: Double = 0
        var bucketCounts: [UInt64] = []
        var count: UInt64 = 0
    }
    private let families = Mutex<[String: Family]>([:])

    public init() {}

    /// Declares a metric family (idempotent).
    public func declare(_ name: String, _ kind: Kind, help: String, labels: [String] = [], buckets: [Double] = []) {
        families.withLock { f in
            if f[name] == nil { f[name] = Family(help: help, kind: kind, buckets: buckets, labelNames: labels) }
        }
    }

    /// Adds to a counter.
    public func add(_ name: String, _ labels: [String] = [], _ amount: Double = 1) {
        families.withLock { f in f[name]?.samples[labels, default: Sample()].value += amount }
    }

    /// Sets a gauge.
    public func set(_ name: String, _ labels: [String] = [], _ value: Double) {
        families.withLock { f in f[name]?.samples[labels, default: Sample()].value = value }
    }

    /// Records one observation in a histogram.
    public func observe(_ name: String, _ labels: [String] = [], _ value: Double) {
        families.withLock { f in
            guard let buckets = f[name]?.buckets else { return }
            var s = f[name]!.samples[labels] ?? Sample(value: 0, bucketCounts: Array(repeating: 0, count: buckets.count), count: 0)
            for (i, b) in buckets.enumerated() where value <= b { s.bucketCounts[i] += 1 }
            s.value += value
            s.count += 1
            f[name]!.samples[labels] = s
        }
    }

    /// The exposition text.
    public func render() -> String {
        let snapshot = families.withLock { $0 }
        var out = ""
        for name in snapshot.keys.sorted() {
            let f = snapshot[name]!
            out += "# HELP \(name) \(f.help)\n# TYPE \(name) \(f.kind.rawValue)\n"
            for labels in f.samples.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                let s = f.samples[labels]!
                let pairs = zip(f.labelNames, labels).map { "\($0)=\"\(MetricsRegistry.escape($1))\"" }
                func render(_ extra: [String]) -> String {
                    let all = pairs + extra
                    return all.isEmpty ? "" : "{" + all.joined(separator: ",") + "}"
                }
                switch f.kind {
                case .counter, .gauge:
                    out += "\(name)\(render([])) \(MetricsRegistry.format(s.value))\n"
                case .histogram:
                    for (i, b) in f.buckets.enumerated() {
                        out += "\(name)_bucket\(render(["le=\"\(MetricsRegistry.format(b))\""])) \(s.bucketCounts[i])\n"
                    }
                    out += "\(name)_bucket\(render(["le=\"+Inf\""])) \(s.count)\n"
                    out += "\(name)_sum\(render([])) \(MetricsRegistry.format(s.value))\n"
                    out += "\(name)_count\(render([])) \(s.count)\n"
                }
            }
        }
        return out
    }

    static func escape(_ v: String) -> String {
        v.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func format(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return String(v)
    }

    /// Latency buckets in seconds, 50 µs to 10 s.
    public static let latencyBuckets: [Double] = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10]
}
