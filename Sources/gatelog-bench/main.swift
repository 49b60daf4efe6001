import Foundation
import SampleData

/// gatelog-bench: benchmark utilities (release mode).
///
///     gatelog-bench generate --count N --seed S --out FILE [--start RFC3339] [--days D] [--regions a,b]
///     gatelog-bench baselines --input FILE [--records N] [--skip-pg] [--skip-zstd] [--json FILE]
enum BenchMain {
    static let usage = """
        usage: gatelog-bench generate --count N --seed S --out FILE [--start 2026-11-01T00:00:00Z] [--days 30] [--regions a,b,c]
               gatelog-bench baselines --input FILE [--records N] [--query-runs 50] [--skip-pg] [--skip-zstd] [--json FILE]
               gatelog-bench store ingest --input FILE [--data DIR] [--frame-target 64KiB] [--dictionary-training 2MiB] [--dictionary-max 256KiB]
               gatelog-bench store append --input FILE [--appenders 8] [--rate 5000] [--seconds 10]
               gatelog-bench store verify --data DIR --input FILE
               gatelog-bench redaction [--mb 32] [--docs 6000]
               gatelog-bench index [--entries N] [--batches 100,1000,10000] [--runs R] [--dir DIR] [--keep] [--no-queries] [--page-size B] [--checkpoint-pages P]
               gatelog-bench store read --data DIR [--reads 4000]
               gatelog-bench store stages --input FILE [--records 50000] [--level 3] [--frame-target 64KiB]
               gatelog-bench query get --data DIR --ids FILE [--count 2000] [--only read|access]
               [FRAMES=64,96,128 DICTS=112,256 TRAINS=2048,4096,8192] gatelog-bench store dictionary --input FILE [--records 60000]
        """

    static func main() -> Int32 {
        var arguments = Array(CommandLine.arguments.dropFirst())
        guard !arguments.isEmpty else { FileHandle.standardError.write(Data(usage.utf8)); return 2 }
        let command = arguments.removeFirst()
        do {
            switch command {
            case "generate": try generate(arguments)
            case "baselines": try Baselines.run(arguments: arguments)
            case "store": try StoreBench.run(arguments: arguments)
            case "index": try IndexBench.run(arguments: arguments)
            case "query": try QueryBench.run(arguments: arguments)
            case "redaction": try RedactionBench.run(arguments: arguments)
            default:
                FileHandle.standardError.write(Data("unknown command \(command)\n\(usage)".utf8))
                return 2
            }
            return 0
        } catch let error as UsageError {
            FileHandle.standardError.write(Data("\(error.message)\n\(usage)".utf8))
            return 2
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            return 1
        }
    }

    static func generate(_ arguments: [String]) throws {
        let options = try Options(arguments, flags: [], values: ["--count", "--seed", "--out", "--start", "--days", "--regions"])
        let count = try options.int("--count")
        let seed = UInt64(try options.int("--seed", default: 1))
        guard let out = options.values["--out"] else { throw UsageError(message: "generate needs --out FILE") }
        let start = try options.date("--start", default: "2026-11-01T00:00:00Z")
        let days = try options.int("--days", default: 30)
        let regions = options.values["--regions"].map { $0.split(separator: ",").map(String.init) }
        let summary = try SampleRecordGenerator.writeNDJSON(count: count, seed: seed, startTime: start,
                                                            duration: TimeInterval(days) * 86_400, regions: regions, toFile: out)
        let mb = Double(summary.bytes) / 1e6
        print(String(format: "wrote %d records, %.1f MB (%.0f B/record) to %@ in %.2f s: %.0f MB/s, %.0f records/s",
                     summary.records, mb, Double(summary.bytes) / Double(max(1, summary.records)), out,
                     summary.seconds, mb / summary.seconds, Double(summary.records) / summary.seconds))
    }
}

/// A command-line usage mistake (exit status 2).
struct UsageError: Error { let message: String }

/// Minimal `--name value` / `--flag` parsing.
struct Options {
    var values: [String: String] = [:]
    var flags: Set<String> = []

    init(_ arguments: [String], flags allowedFlags: Set<String>, values allowedValues: Set<String>) throws {
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            if allowedFlags.contains(a) { flags.insert(a); i += 1; continue }
            guard allowedValues.contains(a) else { throw UsageError(message: "unknown option \(a)") }
            guard i + 1 < arguments.count else { throw UsageError(message: "\(a) needs a value") }
            values[a] = arguments[i + 1]
            i += 2
        }
    }

    func int(_ name: String, default value: Int? = nil) throws -> Int {
        guard let text = values[name] else {
            if let value { return value }
            throw UsageError(message: "missing \(name)")
        }
        guard let n = Int(text.replacingOccurrences(of: "_", with: "")), n >= 0 else {
            throw UsageError(message: "\(name) must be a non-negative integer")
        }
        return n
    }

    func date(_ name: String, default text: String) throws -> Date {
        let formatter = ISO8601DateFormatter()
        guard let date = formatter.date(from: values[name] ?? text) else { throw UsageError(message: "\(name) must be an RFC 3339 time like 2026-11-01T00:00:00Z") }
        return date
    }
}

exit(BenchMain.main())
