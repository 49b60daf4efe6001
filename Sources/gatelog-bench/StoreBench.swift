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
        case "ingest", "ingest-full", "ingest-redacted", "ingest-indexed":
            var tuning: [String: Int] = [:]
            for key in ["frame-target", "dictionary-training", "dictionary-max"] {
                if let v = options[key] { tuning[key] = Int(ByteSize.parse(v) ?? 0) }
            }
            if let v = options["compression-level"] { tuning["compression-level"] = Int(v) ?? 3 }
            try ingest(input: options["input"] ?? "", data: options["data"], endToEnd: arguments.first == "ingest-full",
                       redactOnly: arguments.first == "ingest-redacted", indexOnly: arguments.first == "ingest-indexed", tuning: tuning)
        case "append":
            try append(appenders: Int(options["appenders"] ?? "8") ?? 8, rate: Double(options["rate"] ?? "5000") ?? 5000,
                       seconds: Double(options["seconds"] ?? "10") ?? 10, input: options["input"] ?? "", data: options["data"])
        case "verify": try verify(data: options["data"] ?? "", input: options["input"] ?? "")
        case "read": try read(data: options["data"] ?? "", count: Int(options["reads"] ?? "4000") ?? 4000)
        case "frames":
            var configuration = StoreConfiguration(dataDirectory: options["data"] ?? "")
            try configuration.loadConfigFile()
            let frames = try frameDictionaryUse(configuration)
            print("frames \(frames.total), \(frames.withDictionary) with a dictionary")
        case "stages":
            try StageBench.run(input: options["input"] ?? "", records: Int(options["records"] ?? "50000") ?? 50000,
                               level: Int32(options["level"] ?? "2") ?? 2, frameTarget: Int(ByteSize.parse(options["frame-target"] ?? "256KiB") ?? 262144),
                               rounds: Int(options["rounds"] ?? "1") ?? 1)
        case "dictionary": try DictionaryBench.run(input: options["input"] ?? "", records: Int(options["records"] ?? "60000") ?? 60000)
        default:
            print("usage: gatelog-bench store ingest|ingest-redacted|ingest-indexed|ingest-full --input FILE [--data DIR] [--frame-target 64KiB] [--dictionary-training 2MiB] [--dictionary-max 256KiB] | append --input FILE [--appenders 8 --rate 5000 --seconds 10] | verify --data DIR --input FILE | read --data DIR [--reads N] | stages --input FILE [--records N] [--level 2] [--frame-target 256KiB] [--rounds 1] | dictionary --input FILE [--records N] (env FRAMES, DICTS in KiB, TRAINS in KiB)")
        }
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// User + system CPU seconds of this process so far (all threads, not children).
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

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

    /// Newlines in the file at `path`, read in 8 MiB pieces (memchr speed, little memory).
    static func countLines(_ path: String) throws -> Int {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw FileIOError(operation: "open", path: path, code: errno) }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 8 << 20)
        var lines = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw FileIOError(operation: "read", path: path, code: errno) }
            if n == 0 { return lines }
            lines += Ingestor.countNewlines(Array(buffer[0..<n]))
        }
    }

    static func directorySize(_ path: String) -> UInt64 {
        guard let e = FileManager.default.enumerator(atPath: path) else { return 0 }
        var total: UInt64 = 0
        for case let name as String in e where name.hasSuffix(".seg") || name.hasSuffix(".zdict") {
            total += (try? FileManager.default.attributesOfItem(atPath: "\(path)/\(name)")[.size] as? UInt64) ?? 0
        }
        return total
    }

    /// Ingest of an NDJSON file, durable, vs `zstd -3 -T1` of the same file. Stored bytes are the
    /// segment and dictionary files. `endToEnd` adds redaction (standard policy) and the SQLite
    /// index (issue 4's end-to-end figure).
    static func ingest(input: String, data: String?, endToEnd: Bool, redactOnly: Bool = false, indexOnly: Bool = false,
                       tuning: [String: Int] = [:]) throws {
        let records = try countLines(input)
        let inputBytes = (try FileManager.default.attributesOfItem(atPath: input)[.size] as? UInt64) ?? 0
        // `GATELOG_BENCH_NO_REFERENCE=1` skips the zstd run (to profile this process alone, e.g. under callgrind).
        let skipReference = ProcessInfo.processInfo.environment["GATELOG_BENCH_NO_REFERENCE"] != nil
        if !skipReference { _ = try shell("cat \(input) > /dev/null") } // warm the page cache for both
        let zstd = skipReference ? (seconds: 1.0, output: "0") : try shell("zstd -3 -T1 -q -c \(input) | wc -c")
        let zstdBytes = UInt64(zstd.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        let dir = data ?? NSTemporaryDirectory() + "gatelog-bench-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        var configuration = StoreConfiguration(dataDirectory: dir)
        if let v = tuning["frame-target"] { configuration.frameTargetBytes = v }
        if let v = tuning["dictionary-training"] { configuration.dictionaryTrainingBytes = v }
        if let v = tuning["dictionary-max"] { configuration.dictionaryMaxBytes = v }
        if let v = tuning["compression-level"] { configuration.compressionLevel = Int32(v) }
        let service = try GatelogService(configuration: configuration, redaction: endToEnd || redactOnly ? .configured : .disabled,
                                         withIndex: endToEnd || indexOnly)
        let fd = open(input, O_RDONLY)
        let cpu0 = processCPUSeconds()
        let t0 = now()
        let summary = try service.ingestStream(fd: fd, source: input, keepResults: false)
        let durable = now() - t0
        service.indexer?.waitUntilDrained(timeout: 600)
        let elapsed = now() - t0
        let cpu = processCPUSeconds() - cpu0
        service.close()
        close(fd)
        let stored = directorySize(dir)
        print("records                 \(records) (\(inputBytes) bytes NDJSON, \(inputBytes / UInt64(max(records, 1))) B/record)")
        print(endToEnd ? "mode                    durable + redaction + index (end to end)"
              : redactOnly ? "mode                    durable + redaction (no index)"
              : indexOnly ? "mode                    durable + index (no redaction)" : "mode                    durable store only (no redaction, no index)")
        print("gatelog ingest          \(fmt(elapsed)) s  \(Int(Double(summary.accepted) / elapsed)) records/s  accepted \(summary.accepted) rejected \(summary.rejected.count)")
        print("zstd -3 -T1             \(fmt(zstd.seconds)) s  \(Int(Double(records) / zstd.seconds)) records/s")
        print("ratio (gatelog/zstd)    \(fmt(elapsed / zstd.seconds))x   (target ≤ 1.5x)")
        print("gatelog ingest CPU      \(fmt(cpu)) s user+system, all threads (steadier than wall time on a shared machine)")
        if service.indexer != nil { print("index drained          \(fmt(elapsed - durable)) s after the last record was durable") }
        let frames = try frameDictionaryUse(configuration)
        print("frames                  \(frames.total) (target \(configuration.frameTargetBytes) B raw), \(frames.withDictionary) compressed with a dictionary; dictionary training \(configuration.dictionaryTrainingBytes) B, max \(configuration.dictionaryMaxBytes) B")
        print("stored bytes/record     \(stored / UInt64(max(records, 1)))   zstd -3 whole file: \(zstdBytes / UInt64(max(records, 1)))  ratio \(fmt(Double(stored) / Double(max(zstdBytes, 1))))x (target ≤ 1.25x)")
        if data == nil { try? FileManager.default.removeItem(atPath: dir) }
    }

    /// Frames in the store, and how many name a dictionary (read from each block's zstd header).
    static func frameDictionaryUse(_ configuration: StoreConfiguration) throws -> (total: Int, withDictionary: Int) {
        var total = 0, withDictionary = 0
        for region in LogStoreLayout(configuration: configuration).regions() {
            let dir = configuration.regionDirectory(region)
            for n in try SegmentScanner.segmentNumbers(regionDirectory: dir) {
                let path = SegmentScanner.segmentPath(regionDirectory: dir, number: n)
                guard case .success(let scan) = try SegmentScanner.scan(path: path, number: n, checkTrailers: false) else { continue }
                let fd = open(path, O_RDONLY)
                defer { close(fd) }
                for f in scan.frames {
                    total += 1
                    let probe = try FileIO.pread(fd, count: FrameCodec.dictionaryIDProbeSize, offset: f.offset + UInt64(f.header.envelopeBlockOffset), path: path)
                    if probe.withUnsafeBytes({ ZstdDictionary.frameDictionaryID($0) }) != 0 { withDictionary += 1 }
                }
            }
        }
        return (total, withDictionary)
    }

    /// Random single-record reads through `RegionReader` with its frame cache off (every read
    /// reads, checks and decompresses one frame: the get-by-id cost once the index gave the
    /// location), split by frames with and without a dictionary.
    static func read(data: String, count: Int) throws {
        var config = StoreConfiguration(dataDirectory: data)
        try config.loadConfigFile()
        var locations: [(region: String, location: RecordLocation, usesDictionary: Bool)] = []
        for region in LogStoreLayout(configuration: config).regions() {
            let dir = config.regionDirectory(region)
            for n in try SegmentScanner.segmentNumbers(regionDirectory: dir) {
                let path = SegmentScanner.segmentPath(regionDirectory: dir, number: n)
                guard case .success(let scan) = try SegmentScanner.scan(path: path, number: n, checkTrailers: false) else { continue }
                let fd = open(path, O_RDONLY)
                defer { close(fd) }
                for f in scan.frames {
                    let probe = try FileIO.pread(fd, count: FrameCodec.dictionaryIDProbeSize, offset: f.offset + UInt64(f.header.envelopeBlockOffset), path: path)
                    let usesDictionary = probe.withUnsafeBytes { ZstdDictionary.frameDictionaryID($0) } != 0
                    for k in 0..<f.header.recordCount {
                        locations.append((region, RecordLocation(segment: n, frameOffset: f.offset, indexInFrame: k), usesDictionary))
                    }
                }
            }
        }
        guard !locations.isEmpty else { print("no records in \(data)"); return }
        var readers: [String: RegionReader] = [:]
        for region in Set(locations.map(\.region)) {
            readers[region] = RegionReader(region: region, directory: config.regionDirectory(region), cacheBytes: 0)
        }
        var rng = SystemRandomNumberGenerator()
        var with: [Double] = [], without: [Double] = []
        for _ in 0..<count {
            let l = locations[Int.random(in: 0..<locations.count, using: &rng)]
            let t = now()
            _ = try readers[l.region]!.read(l.location)
            let elapsed = now() - t
            if l.usesDictionary { with.append(elapsed) } else { without.append(elapsed) }
        }
        func line(_ name: String, _ a: [Double]) {
            let s = a.sorted()
            guard !s.isEmpty else { return print("\(name): none") }
            print("\(name): \(s.count) reads  p50 \(String(format: "%.1f", s[s.count / 2] * 1e6)) µs  p99 \(String(format: "%.1f", s[min(s.count - 1, s.count * 99 / 100)] * 1e6)) µs")
        }
        line("frames with a dictionary   ", with)
        line("frames without a dictionary", without)
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
        // One thread per appender (concurrentPerform would run only as many as there are cores).
        let group = DispatchGroup()
        for a in 0..<appenders {
            group.enter()
            Thread {
                defer { group.leave() }
            var local: [Double] = []
            local.reserveCapacity(total)
            for k in 0..<total {
                let due = start + Double(k) / perAppender + Double(a) / rate
                let wait = due - now()
                if wait > 0 { usleep(UInt32(wait * 1e6)) }
                let n = counter.withLock { c -> Int in c += 1; return c }
                var line = lines[n % lines.count]
                // Unique ids: the generated lines start with {"id":"…", — replace that value.
                if let end = line[8...].firstIndex(of: UInt8(ascii: "\"")) {
                    line = Array(#"{"id":"bench-\#(n)"#.utf8) + line[end...]
                }
                let t = now()
                guard let ticket = try? service.append(line) else { continue }
                _ = ticket.wait()
                local.append(now() - t)
            }
            latencies.withLock { $0 += local }
            }.start()
        }
        group.wait()
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
        let verifiers = LogStoreLayout(configuration: config).regions().map {
            RegionVerifier(region: $0, directory: config.regionDirectory($0), keyring: keyring)
        }
        for report in RegionVerifier.verifyAll(verifiers) {
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

/// Dictionary tuning: frame size × dictionary size × training bytes, one shared dictionary or one
/// for envelopes and one for contents, computed with the frame layout's exact byte counts
/// (80-byte directory entry per record, 228 bytes per frame) over the first records of a corpus.
enum DictionaryBench {
    static func run(input: String, records limit: Int) throws {
        let lines = Ingestor.splitLines(try FileIO.readFile(input)).filter { !$0.isEmpty }.prefix(limit)
        var parts: [(envelope: [UInt8], content: [UInt8])] = []
        for line in lines {
            let r = try AuditRecord.parse(Array(line))
            parts.append((r.envelopeBytes(), r.contentBytes()))
        }
        let raw = parts.reduce(0) { $0 + $1.envelope.count + $1.content.count }
        print("records \(parts.count), raw envelope+content \(raw / parts.count) B/record")
        let compressor = ZstdCompressor(level: 3)
        // CPU time of this thread: other developers' builds share the machine.
        func cpu() -> Double {
            var t = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
            return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
        }
        func frameBytes(target: Int, envelopes: ZstdCompressionDictionary?, contents: ZstdCompressionDictionary?) throws -> (bytes: Int, seconds: Double) {
            var total = 0
            var start = 0
            let t0 = cpu()
            while start < parts.count {
                var end = start, size = 0
                while end < parts.count && (end == start || size + parts[end].envelope.count + parts[end].content.count <= target) {
                    size += parts[end].envelope.count + parts[end].content.count
                    end += 1
                }
                var env: [UInt8] = [], con: [UInt8] = []
                for p in parts[start..<end] { env += p.envelope; con += p.content }
                var out: [UInt8] = []
                _ = try env.withUnsafeBytes { try compressor.compress($0, appendingTo: &out, dictionary: envelopes) }
                _ = try con.withUnsafeBytes { try compressor.compress($0, appendingTo: &out, dictionary: contents) }
                total += out.count + 80 * (end - start) + 228
                start = end
            }
            return (total, cpu() - t0)
        }
        func train(_ training: Int, _ capacity: Int, envelopes: Bool, contents: Bool, id: UInt32) throws -> (ZstdCompressionDictionary, Double) {
            var samples: [UInt8] = [], sizes: [Int] = []
            for p in parts where samples.count < training {
                for (use, part) in [(envelopes, p.envelope), (contents, p.content)] where use && part.count >= 8 {
                    samples += part
                    sizes.append(part.count)
                }
            }
            let t0 = cpu()
            let bytes = try ZstdDictionary.train(samples: samples, sampleSizes: sizes, capacity: capacity, id: id, level: 3)
            return (try ZstdCompressionDictionary(bytes: bytes, level: 3), cpu() - t0)
        }
        for target in (ProcessInfo.processInfo.environment["FRAMES"] ?? "64,96,128").split(separator: ",").map({ Int($0)! << 10 }) {
            let plain = try frameBytes(target: target, envelopes: nil, contents: nil)
            print("frame \(target >> 10) KiB  no dictionary: \(plain.bytes / parts.count) B/record, compress \(StoreBench.fmt(plain.seconds)) s")
            for capacity in (ProcessInfo.processInfo.environment["DICTS"] ?? "112,256").split(separator: ",").map({ Int($0)! << 10 }) {
                for training in (ProcessInfo.processInfo.environment["TRAINS"] ?? "2048,4096,8192").split(separator: ",").map({ Int($0)! << 10 }) {
                    let (shared, t1) = try train(training, capacity, envelopes: true, contents: true, id: 40_000)
                    let s = try frameBytes(target: target, envelopes: shared, contents: shared)
                    let (env, t2) = try train(training / 4, capacity, envelopes: true, contents: false, id: 40_001)
                    let (con, t3) = try train(training * 3 / 4, capacity, envelopes: false, contents: true, id: 40_002)
                    let sep = try frameBytes(target: target, envelopes: env, contents: con)
                    print("frame \(target >> 10) KiB dict \(capacity >> 10) KiB train \(training >> 10) KiB: shared \(s.bytes / parts.count) B/record (train \(StoreBench.fmt(t1)) s CPU, compress \(StoreBench.fmt(s.seconds)) s); separate \(sep.bytes / parts.count) B/record (train \(StoreBench.fmt(t2 + t3)) s, compress \(StoreBench.fmt(sep.seconds)) s)")
                }
            }
        }
    }
}

/// Where ingest CPU goes, stage by stage, single-threaded over the same records: splitting lines,
/// parsing and validating, assembling envelope and content, hashing, framing (compression with
/// a trained dictionary, chain hashes, signature), beside one `ZSTD_compress` of all the bytes.
/// Records go through in batches of 1,000 and are dropped after each batch, as in the ingest path
/// (keeping them all would measure the kernel zeroing fresh pages instead).
enum StageBench {
    static func run(input: String, records limit: Int, level: Int32, frameTarget: Int, rounds: Int) throws {
        let file = try FileIO.readFile(input)
        var lines: [ArraySlice<UInt8>] = []
        file.withUnsafeBufferPointer { b in
            var start = 0
            for i in 0..<b.count where b[i] == 0x0A {
                if lines.count == limit { break }
                if i > start { lines.append(file[start..<i]) }
                start = i + 1
            }
        }
        let n = lines.count
        // A dictionary trained on the first 2 MiB of record parts, as a region's writer would.
        var samples: [UInt8] = []
        var sizes: [Int] = []
        for line in lines where samples.count < 2 << 20 {
            let r = try line.withUnsafeBytes { try AuditRecord.parse($0) }
            for part in [r.envelopeBytes(), r.contentBytes()] { samples += part; sizes.append(part.count) }
        }
        let dictBytes = try ZstdDictionary.train(samples: samples, sampleSizes: sizes, capacity: 256 << 10, id: 40_000, level: level)
        let dictionary = try ZstdCompressionDictionary(bytes: dictBytes, level: level)
        let key = LogSigningKey(name: "bench", privateKey: try Ed25519PrivateKey())
        let compressor = ZstdCompressor(level: level)
        let reference = ZstdCompressor(level: 3)

        // What `Ingestor.stage` does with guardrails: the standard policy (what `store ingest-redacted`
        // configures on a data directory without a policy file) over content and metadata, then the
        // envelope with the redacted metadata and the report. Its extra cost over ingest without
        // redaction is the difference with "envelope + content bytes".
        let redactDir = NSTemporaryDirectory() + "gatelog-bench-stages-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: redactDir) }
        let metrics = MetricsRegistry()
        metrics.declare("gatelog_redactions_total", .counter, help: "Values redacted before persistence.", labels: ["entity", "action"])
        let guardrails = Guardrails(policy: try Guardrails.configuredPolicy(dataDirectory: redactDir), dataDirectory: redactDir, metrics: metrics)

        // Wall seconds and this thread's CPU seconds per stage, best of `rounds`.
        func threadCPU() -> Double {
            var t = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
            return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
        }
        var bestSeconds = [Double](repeating: .infinity, count: 5)
        var bestCPU = [Double](repeating: .infinity, count: 5)
        var stored = 0
        for _ in 0..<max(1, rounds) {
        var seconds = [Double](repeating: 0, count: 5)
        var cpuSeconds = [Double](repeating: 0, count: 5)
        func time<T>(_ stage: Int, _ body: () throws -> T) rethrows -> T {
            let t0 = StoreBench.now(), c0 = threadCPU()
            defer { seconds[stage] += StoreBench.now() - t0; cpuSeconds[stage] += threadCPU() - c0 }
            return try body()
        }
        stored = 0
        var chain = Digest32.zero
        var batchStart = 0
        while batchStart < n {
            let batch = lines[batchStart..<min(n, batchStart + 1000)]
            let parsed = try time(0) { try batch.map { line in try line.withUnsafeBytes { try AuditRecord.parse($0) } } }
            let parts = time(1) { parsed.map { ($0.envelopeBytes(), $0.contentBytes()) } }
            let redacted = try time(4) {
                try parsed.map { r -> Int in
                    // Exactly what `Ingestor.stage` does after parsing (envelope free text included).
                    let size: Int = try r.source.withUnsafeBytes { line in
                        let parts = try Ingestor.storedParts(r.layout, of: line, redactor: guardrails)
                        return parts.envelope.count + parts.content.count
                    }
                    return size
                }
            }
            if redacted.isEmpty { print("redaction produced nothing") }
            let prepared = time(2) { parts.indices.map { PreparedRecord(id: parsed[$0].fields.id, envelope: parts[$0].0, content: parts[$0].1) } }
            try time(3) {
                var start = 0
                while start < prepared.count {
                    var end = start, bytes = 0
                    while end < prepared.count && (end == start || bytes + prepared[end].envelope.count + prepared[end].content.count <= frameTarget) {
                        bytes += prepared[end].envelope.count + prepared[end].content.count
                        end += 1
                    }
                    let frame = try FrameCodec.encode(records: Array(prepared[start..<end]), firstPosition: UInt64(batchStart + start),
                                                      previousChain: chain, region: "r", key: key, compressor: compressor,
                                                      dictionary: ProcessInfo.processInfo.environment["NO_DICT"] == nil ? dictionary : nil)
                    chain = frame.header.chainHead
                    stored += frame.bytes.count
                    start = end
                }
            }
            if ProcessInfo.processInfo.environment["COMPRESS_ONLY"] != nil {
                try time(2) {
                    var start = 0
                    var out = [UInt8]()
                    while start < prepared.count {
                        var end = start, bytes = 0
                        var e = [UInt8](), c = [UInt8]()
                        while end < prepared.count && (end == start || bytes + prepared[end].envelope.count + prepared[end].content.count <= frameTarget) {
                            bytes += prepared[end].envelope.count + prepared[end].content.count
                            e += prepared[end].envelope; c += prepared[end].content
                            end += 1
                        }
                        out.removeAll(keepingCapacity: true)
                        _ = try e.withUnsafeBytes { try compressor.compress($0, appendingTo: &out, dictionary: dictionary) }
                        _ = try c.withUnsafeBytes { try compressor.compress($0, appendingTo: &out, dictionary: dictionary) }
                        start = end
                    }
                }
            }
            batchStart += batch.count
        }
        for k in 0..<5 {
            bestSeconds[k] = min(bestSeconds[k], seconds[k])
            bestCPU[k] = min(bestCPU[k], cpuSeconds[k])
        }
        }
        var all: [UInt8] = []
        for line in lines { all += line; all.append(0x0A) }
        var whole: [UInt8] = []
        let t0 = StoreBench.now()
        try all.withUnsafeBytes { _ = try reference.compress($0, appendingTo: &whole) }
        let referenceSeconds = StoreBench.now() - t0
        if ProcessInfo.processInfo.environment["CRYPTO_COSTS"] != nil {
            let message = [UInt8](repeating: 7, count: 120)
            var t = StoreBench.now()
            for _ in 0..<2000 { _ = try key.sign(message) }
            print(String(format: "Ed25519 sign: %.1f µs", (StoreBench.now() - t) / 2000 * 1e6))
            var d = Digest32.zero
            t = StoreBench.now()
            for i in 0..<100_000 { d = LogHash.chain(previous: d, position: UInt64(i), leaf: LogHash.leaf(envelopeDigest: d, contentDigest: d)) }
            print(String(format: "leaf + chain hash: %.2f µs", (StoreBench.now() - t) / 100_000 * 1e6))
            let blob = [UInt8](repeating: 1, count: 17_000)
            t = StoreBench.now()
            for _ in 0..<2000 { d = SHA256.hash(blob) }
            print(String(format: "SHA-256 of 17 kB: %.2f µs", (StoreBench.now() - t) / 2000 * 1e6))
        }
        let names = ["parse + validate", "envelope + content bytes", "hash (id, envelope, content)",
                     "frame (\(frameTarget >> 10) KiB, level \(level), dictionary)", "redact (standard policy)"]
        func line(_ name: String, _ s: Double, cpu: Double? = nil) -> String {
            name.padding(toLength: 42, withPad: " ", startingAt: 0) + String(format: "%8.3f s  %6.2f µs/record", s, s / Double(n) * 1e6)
                + (cpu.map { String(format: "  (CPU %6.2f µs/record)", $0 / Double(n) * 1e6) } ?? "")
        }
        print("\(n) records, \(lines.reduce(0) { $0 + $1.count } / max(1, n)) B/record, best of \(max(1, rounds)) rounds")
        for k in 0..<4 { print(line(names[k], bestSeconds[k], cpu: bestCPU[k])) }
        print(line("total without redaction", bestSeconds[0..<4].reduce(0, +), cpu: bestCPU[0..<4].reduce(0, +)))
        print(line(names[4], bestSeconds[4], cpu: bestCPU[4]))
        print(String(format: "  redaction's share: %.2f µs CPU/record over envelope + content bytes", (bestCPU[4] - bestCPU[1]) / Double(n) * 1e6))
        print(line("reference: ZSTD_compress -3 whole", referenceSeconds))
        print("stored \(stored / n) B/record in frames; whole-buffer zstd \(whole.count / n) B/record")
    }
}
