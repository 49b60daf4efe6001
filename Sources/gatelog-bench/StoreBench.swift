import Foundation
import Synchronization
import AuditFormat
import AuditStore
import Gatelog
import GatelogCrypto
#if canImport(Glibc)
import Glibc
#endif

/// Store benchmarks (issue 2), each beside its reference measured in the same run.
enum StoreBench {
    static func run(arguments: [String]) throws {
        var options: [String: String] = [:]
        var i = 1
        while i < arguments.count {
            let key = arguments[i].replacingOccurrences(of: "--", with: "")
            options[key] = i + 1 < arguments.count ? arguments[i + 1] : ""
            i += 2
        }
        switch arguments.first {
        case "ingest": try ingest(input: options["input"] ?? "", data: options["data"], endToEnd: false)
        case "ingest-full": try ingest(input: options["input"] ?? "", data: options["data"], endToEnd: true)
        case "append":
            try append(appenders: Int(options["appenders"] ?? "8") ?? 8, rate: Double(options["rate"] ?? "5000") ?? 5000,
                       seconds: Double(options["seconds"] ?? "10") ?? 10, input: options["input"] ?? "", data: options["data"])
        case "verify": try verify(data: options["data"] ?? "", input: options["input"] ?? "")
        default:
            print("usage: gatelog-bench store ingest --input FILE [--data DIR] | append --input FILE [--appenders 8 --rate 5000 --seconds 10] | verify --data DIR --input FILE")
        }
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    static func shell(_ command: String) throws -> (seconds: Double, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        let pipe = Pipe()
        p.standardOutput = pipe
        let t0 = now()
        try p.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (now() - t0, String(decoding: out, as: UTF8.self))
    }

    static func countLines(_ path: String) throws -> Int {
        let bytes = try FileIO.readFile(path)
        return bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
    }

    static func directorySize(_ path: String) -> UInt64 {
        guard let e = FileManager.default.enumerator(atPath: path) else { return 0 }
        var total: UInt64 = 0
        for case let name as String in e where name.hasSuffix(".seg") {
            total += (try? FileManager.default.attributesOfItem(atPath: "\(path)/\(name)")[.size] as? UInt64) ?? 0
        }
        return total
    }

    /// Ingest of an NDJSON file, durable, vs `zstd -3 -T1` of the same file. `endToEnd` adds
    /// redaction (standard policy) and the SQLite index (issue 4's end-to-end figure).
    static func ingest(input: String, data: String?, endToEnd: Bool) throws {
        let records = try countLines(input)
        let inputBytes = (try FileManager.default.attributesOfItem(atPath: input)[.size] as? UInt64) ?? 0
        _ = try shell("cat \(input) > /dev/null") // warm the page cache for both
        let zstd = try shell("zstd -3 -T1 -q -c \(input) | wc -c")
        let zstdBytes = UInt64(zstd.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        let dir = data ?? NSTemporaryDirectory() + "gatelog-bench-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        let service = try GatelogService(configuration: StoreConfiguration(dataDirectory: dir),
                                         redaction: endToEnd ? .configured : .disabled, withIndex: endToEnd)
        let fd = open(input, O_RDONLY)
        let t0 = now()
        let summary = try service.ingestStream(fd: fd, source: input, keepResults: false)
        service.indexer?.waitUntilDrained(timeout: 600)
        let elapsed = now() - t0
        service.close()
        close(fd)
        let stored = directorySize(dir)
        print("records                 \(records) (\(inputBytes) bytes NDJSON, \(inputBytes / UInt64(max(records, 1))) B/record)")
        print(endToEnd ? "mode                    durable + redaction + index (end to end)" : "mode                    durable store only (no redaction, no index)")
        print("gatelog ingest          \(fmt(elapsed)) s  \(Int(Double(summary.accepted) / elapsed)) records/s  accepted \(summary.accepted) rejected \(summary.rejected.count)")
        print("zstd -3 -T1             \(fmt(zstd.seconds)) s  \(Int(Double(records) / zstd.seconds)) records/s")
        print("ratio (gatelog/zstd)    \(fmt(elapsed / zstd.seconds))x   (target ≤ 1.5x)")
        print("stored bytes/record     \(stored / UInt64(max(records, 1)))   zstd -3 whole file: \(zstdBytes / UInt64(max(records, 1)))  ratio \(fmt(Double(stored) / Double(max(zstdBytes, 1))))x (target ≤ 1.25x)")
        if data == nil { try? FileManager.default.removeItem(atPath: dir) }
    }

    /// Durable appends through the Swift API from concurrent appenders at a fixed total rate,
    /// vs a raw 4 KiB write + fdatasync loop on the same disk.
    static func append(appenders: Int, rate: Double, seconds: Double, input: String, data: String?) throws {
        let lines = Ingestor.splitLines(try FileIO.readFile(input)).filter { !$0.isEmpty }.map { Array($0) }
        let dir = data ?? NSTemporaryDirectory() + "gatelog-bench-append-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        // Reference: 4 KiB append + fdatasync.
        let refPath = dir + ".ref"
        let rfd = open(refPath, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0o644)
        var block = [UInt8](repeating: 0x61, count: 4096)
        var reference: [Double] = []
        for _ in 0..<2000 {
            let t = now()
            _ = block.withUnsafeMutableBytes { write(rfd, $0.baseAddress, 4096) }
            fdatasync(rfd)
            reference.append(now() - t)
        }
        close(rfd)
        unlink(refPath)
        let service = try GatelogService(configuration: StoreConfiguration(dataDirectory: dir), redaction: .disabled, withIndex: false)
        let latencies = Mutex<[Double]>([])
        let perAppender = rate / Double(appenders)
        let total = Int(perAppender * seconds)
        let counter = Mutex(0)
        let start = now()
        DispatchQueue.concurrentPerform(iterations: appenders) { a in
            var local: [Double] = []
            local.reserveCapacity(total)
            for k in 0..<total {
                let due = start + Double(k) / perAppender + Double(a) / rate
                let wait = due - now()
                if wait > 0 { usleep(UInt32(wait * 1e6)) }
                let n = counter.withLock { c -> Int in c += 1; return c }
                var line = lines[n % lines.count]
                // Unique ids: replace the id by a fresh one.
                line = Array(#"{"id":"bench-\#(n)","#.utf8) + line.dropFirst(1)
                let t = now()
                guard let ticket = try? service.append(line) else { continue }
                _ = ticket.wait()
                local.append(now() - t)
            }
            latencies.withLock { $0 += local }
        }
        let elapsed = now() - start
        service.close()
        try? FileManager.default.removeItem(atPath: dir)
        let l = latencies.withLock { $0 }.sorted()
        let r = reference.sorted()
        func pct(_ a: [Double], _ p: Double) -> String { a.isEmpty ? "-" : String(format: "%.3f", a[min(a.count - 1, Int(Double(a.count) * p))] * 1000) }
        print("appenders \(appenders), target \(Int(rate)) records/s for \(Int(seconds)) s: \(l.count) appends in \(fmt(elapsed)) s = \(Int(Double(l.count) / elapsed))/s")
        print("gatelog durable append  p50 \(pct(l, 0.5)) ms  p99 \(pct(l, 0.99)) ms  max \(pct(l, 1.0)) ms   (target p99 ≤ 2 ms)")
        print("4 KiB write+fdatasync   p50 \(pct(r, 0.5)) ms  p99 \(pct(r, 0.99)) ms  max \(pct(r, 1.0)) ms")
    }

    /// `RegionVerifier` over a store vs `zstd -dc | openssl dgst -sha256` over the same NDJSON.
    static func verify(data: String, input: String) throws {
        let zst = NSTemporaryDirectory() + "gatelog-bench-\(getpid()).zst"
        _ = try shell("zstd -3 -T1 -q -f -o \(zst) \(input)")
        _ = try shell("cat \(zst) > /dev/null; cat \(data)/regions/*/segments/* > /dev/null")
        let reference = try shell("zstd -dc \(zst) | openssl dgst -sha256 > /dev/null")
        unlink(zst)
        var config = StoreConfiguration(dataDirectory: data)
        try config.loadConfigFile()
        let keyring = VerifierKeyring(try KeyStore.publicKeys(dataDirectory: data))
        let t0 = now()
        var records: UInt64 = 0
        var intact = true
        for region in LogStoreLayout(configuration: config).regions() {
            let report = try RegionVerifier(region: region, directory: config.regionDirectory(region), keyring: keyring).verify()
            records += report.records
            intact = intact && report.isIntact
        }
        let elapsed = now() - t0
        print("gatelog verify          \(fmt(elapsed)) s  \(records) records  intact=\(intact)")
        print("zstd -dc | sha256       \(fmt(reference.seconds)) s")
        print("ratio                   \(fmt(elapsed / reference.seconds))x  (target ≤ 1.5x)")
    }

    static func fmt(_ d: Double) -> String { String(format: "%.2f", d) }
}
