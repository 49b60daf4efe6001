import Foundation
import JSON
import Synchronization

/// Reference baselines measured side by side on this machine, over the same NDJSON file that
/// gatelog's own benchmarks use (issues 2 and 4):
///
/// - `zstd -3 -T1` compressing the file (wall time, output size, bytes per record), and
///   `zstd -dc | openssl dgst -sha256` over the result (wall time);
/// - PostgreSQL 15 in a throwaway cluster (fsync on, `synchronous_commit` on, 127.0.0.1 only):
///   COPY into a JSONB table with btree indexes on (user, ts), (model, ts), (tenant, ts) and a GIN
///   index on metadata; 100-row INSERT transactions into an identical table; table plus index bytes
///   per record; and warm query latencies (median, p95) for get-by-id, user + one day (first 100
///   with content), `customer_id` newest 100, and count/sum by model over one day.
///
/// External tools are driven with `Foundation.Process`. The cluster and all scratch files live in
/// a temporary directory that is removed at the end, also on failure.
enum Baselines {
    static let usage = """
        usage: gatelog-bench baselines --input FILE [--records N] [--insert-records N] [--query-params 50] [--query-passes 3]
                                       [--zstd-repeats 3] [--skip-zstd] [--skip-pg] [--pg-bin /usr/lib/postgresql/15/bin]
                                       [--work-dir DIR] [--json FILE]
        """

    struct Configuration {
        var input = ""
        var records: Int?
        var insertRecords: Int?
        var queryParams = 50
        var queryPasses = 3
        var zstdRepeats = 3
        var skipZstd = false
        var skipPostgres = false
        var postgresBin = "/usr/lib/postgresql/15/bin"
        var workDirectory = FileManager.default.temporaryDirectory.path
        var jsonOutput: String?
    }

    /// Parses `arguments`, runs the selected baselines, prints a table and a JSON summary.
    /// - Throws: `UsageError` for bad arguments, `BaselineError` when a tool fails.
    static func run(arguments: [String]) throws {
        let options = try Options(arguments, flags: ["--skip-zstd", "--skip-pg"],
                                  values: ["--input", "--records", "--insert-records", "--query-params", "--query-passes",
                                           "--zstd-repeats", "--pg-bin", "--work-dir", "--json"])
        var config = Configuration()
        guard let input = options.values["--input"] else { throw UsageError(message: "baselines needs --input FILE\n\(usage)") }
        config.input = input
        if options.values["--records"] != nil { config.records = try options.int("--records") }
        if options.values["--insert-records"] != nil { config.insertRecords = try options.int("--insert-records") }
        config.queryParams = max(1, try options.int("--query-params", default: 50))
        config.queryPasses = max(1, try options.int("--query-passes", default: 3))
        config.zstdRepeats = max(1, try options.int("--zstd-repeats", default: 3))
        config.skipZstd = options.flags.contains("--skip-zstd")
        config.skipPostgres = options.flags.contains("--skip-pg")
        if let bin = options.values["--pg-bin"] { config.postgresBin = bin }
        if let dir = options.values["--work-dir"] { config.workDirectory = dir }
        config.jsonOutput = options.values["--json"]
        try run(config)
    }

    static func run(_ config: Configuration) throws {
        guard FileManager.default.isReadableFile(atPath: config.input) else {
            throw BaselineError("cannot read the input file \(config.input)")
        }
        let scratch = try ScratchDirectory(parent: config.workDirectory)
        defer { scratch.remove() }
        let signalSources = Interruption.install()
        defer { signalSources.forEach { $0.cancel() } }
        Interruption.onInterrupt { scratch.remove() }
        var report = Report()
        report.machine = "\(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory >> 30) GiB RAM"
        report.loadAtStart = loadAverage()

        // One pass over the input: the record subset, the COPY file, the INSERT script and query parameters.
        log("preparing inputs from \(config.input)")
        let prepared = try Preparation.run(input: config.input, limit: config.records, insertLimit: config.insertRecords,
                                           queryParams: config.queryParams, directory: scratch.path,
                                           forPostgres: !config.skipPostgres)
        report.records = prepared.records
        report.inputBytes = prepared.bytes
        log("\(prepared.records) records, \(prepared.bytes) bytes (\(prepared.bytes / max(1, prepared.records)) B/record)")

        if !config.skipZstd {
            report.zstd = try ZstdBaseline.run(ndjson: prepared.ndjsonPath, records: prepared.records,
                                               directory: scratch.path, repeats: config.zstdRepeats)
        }
        if !config.skipPostgres {
            report.postgres = try PostgresBaseline.run(prepared: prepared, bin: config.postgresBin, directory: scratch.path,
                                                       passes: config.queryPasses)
        }
        report.loadAtEnd = loadAverage()
        print(report.table())
        let json = report.json().serializedString
        print(json)
        if let path = config.jsonOutput {
            guard FileManager.default.createFile(atPath: path, contents: Data((json + "\n").utf8)) else {
                throw BaselineError("cannot write \(path)")
            }
        }
    }

    /// The 1-, 5- and 15-minute load averages from /proc/loadavg (the machine is shared, so they qualify the figures).
    static func loadAverage() -> String {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "unknown" }
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    static func log(_ message: String) {
        FileHandle.standardError.write(Data("[baselines] \(message)\n".utf8))
    }
}

/// A failed tool run or environment problem. Messages name the tool and its exit status and at
/// most the tool's first ERROR/FATAL line (never DETAIL or CONTEXT lines, which can quote record content).
struct BaselineError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

// MARK: - Process helpers

/// The outcome of one external command.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
    var seconds: Double
}

enum Command {
    /// Runs `executable` with `arguments`, optionally as `user` (through `runuser` when root),
    /// feeding `stdinPath` as standard input. Both outputs are captured, or written to `outputPath`
    /// when given: use that for commands that leave daemons behind (`pg_ctl start`), which would
    /// otherwise hold the capture pipes open forever.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], asUser user: String? = nil, stdinPath: String? = nil,
                    outputPath: String? = nil, check: Bool = true) throws -> CommandResult {
        let process = Process()
        if let user, geteuid() == 0 {
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            process.arguments = ["-u", user, "--", executable] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        }
        let errPipe = Pipe(), outPipe = Pipe()
        var outFile: FileHandle?
        if let outputPath {
            guard FileManager.default.createFile(atPath: outputPath, contents: nil),
                  let handle = FileHandle(forWritingAtPath: outputPath) else { throw BaselineError("cannot create \(outputPath)") }
            outFile = handle
            process.standardOutput = handle
            process.standardError = handle
        } else {
            process.standardOutput = outPipe
            process.standardError = errPipe
        }
        var inFile: FileHandle?
        if let stdinPath {
            guard let handle = FileHandle(forReadingAtPath: stdinPath) else { throw BaselineError("cannot open \(stdinPath)") }
            inFile = handle
            process.standardInput = handle
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        let collector = OutputCollector()
        let started = DispatchTime.now().uptimeNanoseconds
        do { try process.run() } catch { throw BaselineError("cannot start \(executable): \(error.localizedDescription)") }
        let group = DispatchGroup()
        if outputPath == nil {
            DispatchQueue.global().async(group: group) { collector.setErr(errPipe.fileHandleForReading.readDataToEndOfFile()) }
            DispatchQueue.global().async(group: group) { collector.setOut(outPipe.fileHandleForReading.readDataToEndOfFile()) }
        }
        process.waitUntilExit()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        group.wait()
        try? inFile?.close()
        try? outFile?.close()
        var result = CommandResult(status: process.terminationStatus, stdout: collector.out, stderr: collector.err, seconds: seconds)
        if let outputPath { result.stderr = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }
        if check && result.status != 0 {
            throw BaselineError("\((executable as NSString).lastPathComponent) exited with status \(result.status)\(firstErrorLine(result.stderr))")
        }
        return result
    }

    /// Runs a command that leaves a daemon behind (`pg_ctl start`) with posix_spawn, closing every
    /// descriptor above 2 close-on-exec first and sending both outputs to `outputPath`. Foundation's
    /// `Process` watches its children through a descriptor that a daemon would inherit, so its
    /// `waitUntilExit()` would never return.
    static func spawnDetached(_ executable: String, _ arguments: [String], asUser user: String?, outputPath: String) throws {
        var argv = [executable] + arguments
        var path = executable
        if let user, geteuid() == 0 { path = "/usr/sbin/runuser"; argv = [path, "-u", user, "--"] + argv }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Keep every other descriptor of ours out of the child (and so out of the daemon).
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            for entry in entries { if let fd = Int32(entry), fd > 2 { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) } }
        }
        let cArgs = argv.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        var pid = pid_t()
        let rc = posix_spawn(&pid, path, &actions, nil, cArgs, environ)
        guard rc == 0 else { throw BaselineError("cannot start \(executable): \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw BaselineError("waitpid failed for \(executable)") }
        }
        let exited = status & 0x7F == 0
        let code = (status >> 8) & 0xFF
        guard exited && code == 0 else {
            let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            throw BaselineError("\((executable as NSString).lastPathComponent) failed (status \(status))\(firstErrorLine(output))")
        }
    }

    /// `: <first ERROR or FATAL line>` (truncated), or an empty string.
    static func firstErrorLine(_ text: String) -> String {
        for line in text.split(separator: "\n") {
            if line.contains("ERROR") || line.contains("FATAL") || line.hasPrefix("zstd:") || line.hasPrefix("initdb:") || line.hasPrefix("pg_ctl:") {
                return ": " + String(line.prefix(200))
            }
        }
        return ""
    }

    /// Runs `first | second` and returns the wall time and the second command's output.
    static func pipeline(_ first: (String, [String]), _ second: (String, [String])) throws -> (seconds: Double, output: String) {
        let a = Process(), b = Process()
        a.executableURL = URL(fileURLWithPath: first.0); a.arguments = first.1
        b.executableURL = URL(fileURLWithPath: second.0); b.arguments = second.1
        let pipe = Pipe(), out = Pipe()
        a.standardOutput = pipe
        a.standardInput = FileHandle.nullDevice
        b.standardInput = pipe
        b.standardOutput = out
        a.standardError = FileHandle.nullDevice
        b.standardError = FileHandle.nullDevice
        let collector = OutputCollector()
        let started = DispatchTime.now().uptimeNanoseconds
        try a.run(); try b.run()
        // Our copies of the pipe ends must be closed or `b` never sees end of file.
        try? pipe.fileHandleForReading.close()
        try? pipe.fileHandleForWriting.close()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { collector.setOut(out.fileHandleForReading.readDataToEndOfFile()) }
        a.waitUntilExit(); b.waitUntilExit()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        group.wait()
        guard a.terminationStatus == 0, b.terminationStatus == 0 else {
            throw BaselineError("pipeline failed: \(first.0) status \(a.terminationStatus), \(second.0) status \(b.terminationStatus)")
        }
        return (seconds, collector.out)
    }
}

/// Collects a child's output from reader threads. Mutable state behind a lock, so it is Sendable.
final class OutputCollector: Sendable {
    private let state = Mutex(("", ""))
    func setOut(_ data: Data) { state.withLock { $0.0 = String(decoding: data, as: UTF8.self) } }
    func setErr(_ data: Data) { state.withLock { $0.1 = String(decoding: data, as: UTF8.self) } }
    var out: String { state.withLock { $0.0 } }
    var err: String { state.withLock { $0.1 } }
}

/// A private temporary directory, removed with everything in it by `remove()`.
struct ScratchDirectory {
    let path: String
    init(parent: String) throws {
        var template = Array("\(parent)/gatelog-baselines-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw BaselineError("cannot create a temporary directory under \(parent)")
        }
        path = String(cString: made)
    }
    /// Removes the directory; retries for a few seconds because a child that is being interrupted
    /// (initdb, psql) may still be creating files in it.
    func remove() {
        for _ in 0..<20 {
            try? FileManager.default.removeItem(atPath: path)
            if !FileManager.default.fileExists(atPath: path) { return }
            usleep(250_000)
        }
    }
}

/// On SIGINT or SIGTERM, runs the registered clean-up actions (newest first: stop the cluster,
/// then delete the scratch directory) and exits with status 130.
enum Interruption {
    private static let actions = Mutex<[@Sendable () -> Void]>([])
    /// Installs the handlers; the caller keeps the returned sources alive for as long as they should act.
    static func install() -> [DispatchSourceSignal] {
        var sources = [DispatchSourceSignal]()
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                FileHandle.standardError.write(Data("[baselines] interrupted, cleaning up\n".utf8))
                for action in actions.withLock({ $0 }).reversed() { action() }
                exit(130)
            }
            source.resume()
            sources.append(source)
        }
        return sources
    }

    static func onInterrupt(_ action: @escaping @Sendable () -> Void) { actions.withLock { $0.append(action) } }
}

// MARK: - Input preparation

/// Everything derived from the input in one pass.
struct Preparation {
    var records = 0
    var bytes = 0
    var ndjsonPath = ""
    var copyPath = ""
    var insertPath = ""
    var insertRecords = 0
    var sample: [SampledRecord] = []

    struct SampledRecord {
        var id: String
        var ts: String
        var user: String
        var customerID: String
        var model: String
    }

    /// Reads the input once, writing (when `limit` is set) the first `limit` records to a scratch NDJSON file,
    /// and for PostgreSQL the COPY text file and the 100-row INSERT transaction script.
    static func run(input: String, limit: Int?, insertLimit: Int?, queryParams: Int, directory: String,
                    forPostgres: Bool) throws -> Preparation {
        var result = Preparation()
        // Count the lines first so the sample can be spread evenly (stopping one past the limit).
        var total = 0
        try LineReader.forEachLine(path: input) { _ in total += 1; return limit.map { total <= $0 } ?? true }
        let records = min(total, limit ?? total)
        let insertRecords = min(records, insertLimit ?? records)
        result.insertRecords = insertRecords
        let stride = max(1, records / max(1, queryParams))

        result.ndjsonPath = records < total ? directory + "/input.ndjson" : input
        let subset = result.ndjsonPath != input ? try BufferedWriter(path: result.ndjsonPath) : nil
        result.copyPath = directory + "/records.copy"
        result.insertPath = directory + "/inserts.sql"
        let copy = forPostgres ? try BufferedWriter(path: result.copyPath) : nil
        let inserts = forPostgres ? try BufferedWriter(path: result.insertPath) : nil

        var n = 0
        var bytes = 0
        try LineReader.forEachLine(path: input) { line in
            guard n < records else { return false }
            bytes += line.count + 1
            if let subset { subset.append(line); subset.append(0x0A) }
            if copy != nil || n % stride == 0 {
                let (id, ts) = try line.withUnsafeBytes { raw -> (String, String) in
                    let members = try JSONSyntax.topLevelMembers(raw)
                    func string(_ key: String) throws -> String {
                        guard let range = members.first(where: { $0.key == key })?.value else {
                            throw BaselineError("record \(n + 1) has no \(key)")
                        }
                        var index = range.lowerBound
                        return try JSONSyntax.decodeString(raw, &index)
                    }
                    return (try string("id"), try string("ts"))
                }
                if let copy, let inserts {
                    copy.appendText(id); copy.append(0x09); copy.appendText(ts); copy.append(0x09)
                    copy.appendEscaping(line, byte: 0x5C)  // COPY text format: backslash is the escape character
                    copy.append(0x0A)
                    if n < insertRecords {
                        if n % 100 == 0 { inserts.appendText("BEGIN;\nINSERT INTO records_insert (id, ts, doc) VALUES\n") }
                        else { inserts.appendText(",\n") }
                        inserts.append(0x28)
                        inserts.appendSQLLiteral(Array(id.utf8)); inserts.append(0x2C)
                        inserts.appendSQLLiteral(Array(ts.utf8)); inserts.append(0x2C)
                        inserts.appendSQLLiteral(line)
                        inserts.append(0x29)
                        if n % 100 == 99 || n == insertRecords - 1 { inserts.appendText(";\nCOMMIT;\n") }
                    }
                }
                if n % stride == 0 && result.sample.count < queryParams {
                    let record = try JSONValue.parse(line)
                    result.sample.append(SampledRecord(id: id, ts: ts, user: record["user"]?.stringValue ?? "",
                                                       customerID: record["metadata"]?["customer_id"]?.stringValue ?? "",
                                                       model: record["model"]?.stringValue ?? ""))
                }
            }
            n += 1
            return true
        }
        try subset?.close(); try copy?.close(); try inserts?.close()
        result.records = n
        result.bytes = bytes
        return result
    }
}

/// Reads a file line by line (without the newline) in 16 MiB blocks.
enum LineReader {
    static func forEachLine(path: String, _ body: ([UInt8]) throws -> Bool) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw BaselineError("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let blockSize = 16 << 20
        var block = [UInt8](repeating: 0, count: blockSize)
        var pending = [UInt8]()
        while true {
            let n = block.withUnsafeMutableBytes { read(fd, $0.baseAddress!, blockSize) }
            if n < 0 { if errno == EINTR { continue }; throw BaselineError("read failed on \(path): \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            var start = 0
            for i in 0..<n where block[i] == 0x0A {
                var line: [UInt8]
                if pending.isEmpty { line = Array(block[start..<i]) } else { line = pending + block[start..<i]; pending.removeAll() }
                if line.last == 0x0D { line.removeLast() }
                start = i + 1
                if !line.isEmpty { if try !body(line) { return } }
            }
            pending += block[start..<n]
        }
        if !pending.isEmpty { _ = try body(pending) }
    }
}

/// Buffered output to a new file through write(2).
final class BufferedWriter {
    private let fd: Int32
    private var buffer = [UInt8]()
    private let path: String
    /// The first write error; reported by `close()` so appends need not throw.
    private var failure: Error?

    init(path: String) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw BaselineError("cannot create \(path): \(String(cString: strerror(errno)))") }
        buffer.reserveCapacity(8 << 20)
    }

    func append(_ byte: UInt8) { buffer.append(byte); flushIfFull() }
    func append(_ bytes: [UInt8]) { buffer += bytes; flushIfFull() }
    func appendText(_ text: String) { append(Array(text.utf8)) }

    /// Appends `bytes` with every occurrence of `byte` doubled, copying the runs in between in bulk.
    func appendEscaping(_ bytes: [UInt8], byte: UInt8) {
        var runStart = 0
        for i in bytes.indices where bytes[i] == byte {
            buffer += bytes[runStart...i]
            buffer.append(byte)
            runStart = i + 1
        }
        buffer += bytes[runStart...]
        flushIfFull()
    }

    /// Appends `bytes` as a standard-conforming SQL string literal (quotes doubled).
    func appendSQLLiteral(_ bytes: [UInt8]) {
        buffer.append(0x27)
        appendEscaping(bytes, byte: 0x27)
        buffer.append(0x27)
    }

    private func flushIfFull() {
        guard buffer.count >= 8 << 20 else { return }
        if failure != nil { buffer.removeAll(keepingCapacity: true); return }
        do { try flush() } catch { failure = error }
    }

    func flush() throws {
        try buffer.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 { if errno == EINTR { continue }; throw BaselineError("write failed on \(path): \(String(cString: strerror(errno)))") }
                offset += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws {
        defer { _ = Glibc.close(fd) }
        if let failure { throw failure }
        try flush()
    }
}

// MARK: - zstd

struct ZstdResult {
    var compressSeconds: Double
    var compressedBytes: Int
    var decompressHashSeconds: Double
    var repeats: Int
}

enum ZstdBaseline {
    static func run(ndjson: String, records: Int, directory: String, repeats: Int) throws -> ZstdResult {
        let zstd = try which("zstd"), openssl = try which("openssl")
        let output = directory + "/input.ndjson.zst"
        // Warm the page cache so the first run is not penalised.
        try LineReader.forEachLine(path: ndjson) { _ in true }
        var compress = [Double](), verify = [Double]()
        for i in 0..<repeats {
            Baselines.log("zstd -3 -T1 run \(i + 1)/\(repeats)")
            let r = try Command.run(zstd, ["-3", "-T1", "-q", "-f", "-o", output, ndjson])
            compress.append(r.seconds)
        }
        let size = (try FileManager.default.attributesOfItem(atPath: output)[.size] as? NSNumber)?.intValue ?? 0
        for i in 0..<repeats {
            Baselines.log("zstd -dc | openssl dgst -sha256 run \(i + 1)/\(repeats)")
            let (seconds, out) = try Command.pipeline((zstd, ["-dc", output]), (openssl, ["dgst", "-sha256"]))
            guard out.contains("=") || out.count >= 64 else { throw BaselineError("unexpected openssl output") }
            verify.append(seconds)
        }
        try? FileManager.default.removeItem(atPath: output)
        return ZstdResult(compressSeconds: Stats.median(compress), compressedBytes: size,
                          decompressHashSeconds: Stats.median(verify), repeats: repeats)
    }

    static func which(_ tool: String) throws -> String {
        for dir in ["/usr/bin", "/usr/local/bin", "/bin"] where FileManager.default.isExecutableFile(atPath: "\(dir)/\(tool)") {
            return "\(dir)/\(tool)"
        }
        throw BaselineError("\(tool) is not installed (apt-get install \(tool))")
    }
}

// MARK: - PostgreSQL

struct QueryLatency {
    var name: String
    var medianMs: Double
    var p95Ms: Double
    var samples: Int
    /// The plan's node lines (conditions and keys removed, as they quote parameter values).
    var plan: [String] = []
}

struct PostgresResult {
    var copySeconds: Double
    var insertSeconds: Double
    var insertRecords: Int
    var totalRelationBytes: Int
    var tableBytes: Int
    var indexBytes: Int
    var queries: [QueryLatency]
    var settings: [String]
}

enum PostgresBaseline {
    static let settings = [
        "listen_addresses = '127.0.0.1'", "fsync = on", "synchronous_commit = on", "full_page_writes = on",
        "shared_buffers = 2GB", "work_mem = 64MB", "maintenance_work_mem = 512MB", "max_wal_size = 8GB",
        "checkpoint_timeout = 15min", "effective_cache_size = 12GB", "autovacuum = on",
    ]

    static let schema = """
        CREATE TABLE records (id text PRIMARY KEY, ts timestamptz NOT NULL, doc jsonb NOT NULL);
        CREATE INDEX records_user_ts ON records ((doc->>'user'), ts);
        CREATE INDEX records_model_ts ON records ((doc->>'model'), ts);
        CREATE INDEX records_tenant_ts ON records ((doc->>'tenant'), ts);
        CREATE INDEX records_metadata ON records USING gin ((doc->'metadata'));
        CREATE TABLE records_insert (LIKE records INCLUDING ALL);
        """

    static func run(prepared: Preparation, bin: String, directory: String, passes: Int) throws -> PostgresResult {
        for tool in ["initdb", "pg_ctl", "psql"] where !FileManager.default.isExecutableFile(atPath: "\(bin)/\(tool)") {
            throw BaselineError("\(bin)/\(tool) not found (PostgreSQL 15 server binaries)")
        }
        let cluster = directory + "/pgdata"
        let owner: String? = geteuid() == 0 ? "postgres" : nil
        if owner != nil {
            // initdb refuses to run as root: the cluster belongs to the postgres system user.
            guard getpwnam("postgres") != nil else { throw BaselineError("running as root needs a 'postgres' system user") }
            try Command.run("/bin/chown", ["postgres", directory])
        }
        let port = try freePort()
        Baselines.log("initdb \(cluster) (port \(port))")
        try Command.run("\(bin)/initdb", ["-D", cluster, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C"], asUser: owner)
        let conf = (settings + ["port = \(port)", "unix_socket_directories = '\(cluster)'"]).joined(separator: "\n") + "\n"
        let confPath = cluster + "/postgresql.conf"
        guard let handle = FileHandle(forUpdatingAtPath: confPath) else { throw BaselineError("cannot open \(confPath)") }
        handle.seekToEndOfFile(); handle.write(Data(conf.utf8)); try handle.close()
        try Command.spawnDetached("\(bin)/pg_ctl", ["-D", cluster, "-l", cluster + "/server.log", "-w", "-t", "120", "start"],
                                  asUser: owner, outputPath: directory + "/pg_ctl.out")
        let stopCommand = (bin: bin, cluster: cluster, owner: owner, output: directory + "/pg_ctl.out")
        Interruption.onInterrupt {
            try? Command.spawnDetached("\(stopCommand.bin)/pg_ctl", ["-D", stopCommand.cluster, "-m", "immediate", "-w", "stop"],
                                       asUser: stopCommand.owner, outputPath: stopCommand.output)
        }
        defer {
            Baselines.log("stopping the cluster")
            try? Command.spawnDetached("\(bin)/pg_ctl", ["-D", cluster, "-m", "fast", "-w", "stop"], asUser: owner,
                                       outputPath: directory + "/pg_ctl.out")
        }
        let psqlBase = ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", "postgres", "-X", "-q", "-v", "ON_ERROR_STOP=1"]
        func psql(_ sql: String) throws -> String {
            try Command.run("\(bin)/psql", psqlBase + ["-A", "-t", "-c", sql]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        _ = try psql(schema)

        Baselines.log("COPY \(prepared.records) records")
        let copy = try Command.run("\(bin)/psql", psqlBase + ["-c", "COPY records (id, ts, doc) FROM STDIN"], stdinPath: prepared.copyPath)
        Baselines.log(String(format: "COPY: %.1f s, %.0f records/s", copy.seconds, Double(prepared.records) / copy.seconds))

        Baselines.log("INSERT \(prepared.insertRecords) records in 100-row transactions")
        let insert = try Command.run("\(bin)/psql", psqlBase + ["-f", prepared.insertPath])
        Baselines.log(String(format: "INSERT: %.1f s, %.0f records/s", insert.seconds, Double(prepared.insertRecords) / insert.seconds))
        _ = try psql("DROP TABLE records_insert")
        Baselines.log("VACUUM ANALYZE")
        _ = try psql("VACUUM ANALYZE records")
        _ = try psql("CHECKPOINT")
        let sizes = try psql("SELECT pg_total_relation_size('records') || ' ' || pg_table_size('records') || ' ' || pg_indexes_size('records')")
            .split(separator: " ").compactMap { Int($0) }
        guard sizes.count == 3 else { throw BaselineError("unexpected size query output") }

        let queries = try measureQueries(prepared: prepared, bin: bin, psqlBase: psqlBase, directory: directory, passes: passes)
        return PostgresResult(copySeconds: copy.seconds, insertSeconds: insert.seconds, insertRecords: prepared.insertRecords,
                              totalRelationBytes: sizes[0], tableBytes: sizes[1], indexBytes: sizes[2], queries: queries,
                              settings: settings)
    }

    static let queryDefinitions: [(name: String, prepare: String)] = [
        ("get by id", "PREPARE get_by_id(text) AS SELECT doc FROM records WHERE id = $1"),
        ("user + one day, first 100 with content",
         "PREPARE user_day(text, timestamptz) AS SELECT id, ts, doc FROM records WHERE doc->>'user' = $1 AND ts >= $2 AND ts < $2 + interval '1 day' ORDER BY ts LIMIT 100"),
        ("metadata customer_id, newest 100",
         "PREPARE customer_newest(text) AS SELECT id, ts, doc FROM records WHERE doc->'metadata' @> jsonb_build_object('customer_id', $1) ORDER BY ts DESC LIMIT 100"),
        ("count/sum by model over one day",
         "PREPARE stats_by_model(timestamptz) AS SELECT doc->>'model' AS model, count(*), sum((doc->'usage'->>'input_tokens')::bigint), sum((doc->'usage'->>'output_tokens')::bigint), sum((doc->>'cost_usd')::numeric) FROM records WHERE ts >= $1 AND ts < $1 + interval '1 day' GROUP BY 1"),
    ]

    /// Runs every query once per parameter to warm up, then `passes` more times, in one psql session with
    /// `\timing` (client-observed time, including transfer of the rows); returns median and p95 per query.
    static func measureQueries(prepared: Preparation, bin: String, psqlBase: [String], directory: String, passes: Int) throws -> [QueryLatency] {
        func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "''") + "'" }
        func day(_ ts: String) -> String { String(ts.prefix(10)) + "T00:00:00Z" }
        let sample = prepared.sample
        let executes: [[String]] = [
            sample.map { "EXECUTE get_by_id(\(quote($0.id)));" },
            sample.map { "EXECUTE user_day(\(quote($0.user)), \(quote(day($0.ts))));" },
            sample.map { "EXECUTE customer_newest(\(quote($0.customerID)));" },
            sample.map { "EXECUTE stats_by_model(\(quote(day($0.ts))));" },
        ]
        var script = "\\o /dev/null\n"
        for q in queryDefinitions { script += q.prepare + ";\n" }
        script += "\\timing on\n"
        for statements in executes {
            for _ in 0...passes { script += statements.joined(separator: "\n") + "\n" }
        }
        let scriptPath = directory + "/queries.sql"
        guard FileManager.default.createFile(atPath: scriptPath, contents: Data(script.utf8)) else {
            throw BaselineError("cannot write \(scriptPath)")
        }
        Baselines.log("queries: \(sample.count) parameters x (1 warm-up + \(passes)) passes x \(executes.count) queries")
        let result = try Command.run("\(bin)/psql", psqlBase + ["-f", scriptPath])
        let times = result.stdout.split(separator: "\n").compactMap { line -> Double? in
            guard line.hasPrefix("Time: ") else { return nil }
            return Double(line.dropFirst(6).split(separator: " ").first ?? "")
        }
        let perQuery = sample.count * (passes + 1)
        guard times.count == perQuery * executes.count else {
            throw BaselineError("expected \(perQuery * executes.count) timings from psql, got \(times.count)")
        }
        // The plan each query ran with (for the first parameter, after the measured runs, so generic plans show).
        var explain = ""
        for q in queryDefinitions { explain += q.prepare + ";\n" }
        for statements in executes {
            explain += "\\o /dev/null\n"
            for _ in 0..<6 { explain += statements[0] + "\n" }
            explain += "\\o\nEXPLAIN (COSTS OFF) " + statements[0] + "\n\\echo ====\n"
        }
        let explainPath = directory + "/explain.sql"
        guard FileManager.default.createFile(atPath: explainPath, contents: Data(explain.utf8)) else {
            throw BaselineError("cannot write \(explainPath)")
        }
        let plans = try Command.run("\(bin)/psql", psqlBase + ["-A", "-t", "-f", explainPath]).stdout
        let planBlocks = plans.components(separatedBy: "====").map { block in
            block.split(separator: "\n").compactMap { line -> String? in
                let text = line.trimmingCharacters(in: .whitespaces)
                guard !text.isEmpty, !text.contains(":") else { return nil }
                return String(text.split(separator: "(", maxSplits: 1).first ?? "").trimmingCharacters(in: .whitespaces)
            }
        }
        return queryDefinitions.enumerated().map { i, q in
            let measured = Array(times[(i * perQuery + sample.count)..<((i + 1) * perQuery)])
            return QueryLatency(name: q.name, medianMs: Stats.median(measured), p95Ms: Stats.percentile(measured, 0.95),
                                samples: measured.count, plan: i < planBlocks.count ? planBlocks[i] : [])
        }
    }

    /// A TCP port on 127.0.0.1 that is free right now (bound to port 0, then released).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BaselineError("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0 else { throw BaselineError("bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

// MARK: - Statistics and report

enum Stats {
    static func median(_ values: [Double]) -> Double { percentile(values, 0.5) }

    /// Nearest-rank percentile (p in 0...1). O(n log n).
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let rank = max(1, Int((p * Double(sorted.count)).rounded(.up)))
        return sorted[min(sorted.count, rank) - 1]
    }
}

struct Report {
    var machine = ""
    var loadAtStart = ""
    var loadAtEnd = ""
    var records = 0
    var inputBytes = 0
    var zstd: ZstdResult?
    var postgres: PostgresResult?

    func table() -> String {
        var lines = [String]()
        let n = Double(records)
        lines.append(String(format: "Baselines over %d records, %.1f MB NDJSON (%.0f B/record) on %@", records,
                            Double(inputBytes) / 1e6, Double(inputBytes) / max(1, n), machine))
        lines.append("load average at start \(loadAtStart), at end \(loadAtEnd)")
        lines.append(String(repeating: "-", count: 110))
        func row(_ name: String, _ value: String, _ detail: String = "") {
            lines.append(name.padding(toLength: 52, withPad: " ", startingAt: 0) + value.padding(toLength: 20, withPad: " ", startingAt: 0) + detail)
        }
        if let z = zstd {
            row("zstd -3 -T1 compress", String(format: "%.2f s", z.compressSeconds),
                String(format: "%.0f records/s, %.0f MB/s", n / z.compressSeconds, Double(inputBytes) / 1e6 / z.compressSeconds))
            row("zstd -3 output", String(format: "%.1f MB", Double(z.compressedBytes) / 1e6),
                String(format: "%.0f B/record, ratio %.2f", Double(z.compressedBytes) / n, Double(inputBytes) / Double(z.compressedBytes)))
            row("zstd -dc | openssl dgst -sha256", String(format: "%.2f s", z.decompressHashSeconds),
                String(format: "%.0f records/s", n / z.decompressHashSeconds))
        }
        if let p = postgres {
            row("PostgreSQL COPY (JSONB + 4 indexes)", String(format: "%.1f s", p.copySeconds), String(format: "%.0f records/s", n / p.copySeconds))
            row("PostgreSQL 100-row INSERT transactions", String(format: "%.1f s", p.insertSeconds),
                String(format: "%.0f records/s (%d records)", Double(p.insertRecords) / p.insertSeconds, p.insertRecords))
            row("PostgreSQL table + indexes", String(format: "%.1f MB", Double(p.totalRelationBytes) / 1e6),
                String(format: "%.0f B/record (table %.0f, indexes %.0f)", Double(p.totalRelationBytes) / n,
                       Double(p.tableBytes) / n, Double(p.indexBytes) / n))
            for q in p.queries {
                row("PG query: " + q.name, String(format: "%.2f ms median", q.medianMs), String(format: "p95 %.2f ms (%d runs)", q.p95Ms, q.samples))
                lines.append("    plan: " + q.plan.joined(separator: " / "))
            }
        }
        return lines.joined(separator: "\n")
    }

    func json() -> JSONValue {
        let n = Double(max(1, records))
        var members = [JSONMember("records", .int(records)), JSONMember("input_bytes", .int(inputBytes)),
                       JSONMember("machine", .string(machine)), JSONMember("load_average_start", .string(loadAtStart)),
                       JSONMember("load_average_end", .string(loadAtEnd))]
        if let z = zstd {
            members.append(JSONMember("zstd", .object([
                JSONMember("command", "zstd -3 -T1"),
                JSONMember("compress_seconds", .double(round3(z.compressSeconds))),
                JSONMember("compress_records_per_second", .double((n / z.compressSeconds).rounded())),
                JSONMember("compressed_bytes", .int(z.compressedBytes)),
                JSONMember("bytes_per_record", .double(round3(Double(z.compressedBytes) / n))),
                JSONMember("decompress_sha256_seconds", .double(round3(z.decompressHashSeconds))),
                JSONMember("decompress_sha256_records_per_second", .double((n / z.decompressHashSeconds).rounded())),
                JSONMember("repeats", .int(z.repeats)),
            ])))
        }
        if let p = postgres {
            members.append(JSONMember("postgres", .object([
                JSONMember("copy_seconds", .double(round3(p.copySeconds))),
                JSONMember("copy_records_per_second", .double((n / p.copySeconds).rounded())),
                JSONMember("insert_100_row_txn_seconds", .double(round3(p.insertSeconds))),
                JSONMember("insert_records", .int(p.insertRecords)),
                JSONMember("insert_100_row_txn_records_per_second", .double((Double(p.insertRecords) / p.insertSeconds).rounded())),
                JSONMember("total_relation_bytes", .int(p.totalRelationBytes)),
                JSONMember("bytes_per_record", .double(round3(Double(p.totalRelationBytes) / n))),
                JSONMember("table_bytes", .int(p.tableBytes)),
                JSONMember("index_bytes", .int(p.indexBytes)),
                JSONMember("queries", .array(p.queries.map { q in
                    .object([JSONMember("name", .string(q.name)), JSONMember("median_ms", .double(round3(q.medianMs))),
                             JSONMember("p95_ms", .double(round3(q.p95Ms))), JSONMember("runs", .int(q.samples)),
                             JSONMember("plan", .array(q.plan.map { .string($0) }))])
                })),
                JSONMember("settings", .array(p.settings.map { .string($0) })),
            ])))
        }
        return .object(members)
    }

    private func round3(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }
}
