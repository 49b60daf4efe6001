import XCTest
import Foundation
import Synchronization
import AuditFormat
import AuditStore
#if canImport(Glibc)
import Glibc
#endif

/// SIGKILLs a real `gatelog ingest` process at random moments, many times on the same data
/// directory, and checks after every kill that each acknowledged record is stored at the
/// acknowledged position and that `gatelog verify` passes (crash residue is not a break).
final class CrashTests: XCTestCase {
    static let regions = ["crash-a", "crash-b"]

    func testSIGKILLAtRandomMomentsLosesNoAcknowledgedRecord() throws {
        let binary = try ChildProcess.gatelogBinary()
        signal(SIGPIPE, SIG_IGN) // Writing to a killed child's stdin must fail with EPIPE, not kill the test.
        let tmp = TemporaryDirectory("gatelog-crash")
        let data = "\(tmp.path)/data"
        let config = StoreConfiguration(dataDirectory: data)
        // GATELOG_CRASH_SEED=<n> runs the same test with another seed (for soak runs).
        let seed = ProcessInfo.processInfo.environment["GATELOG_CRASH_SEED"].flatMap { UInt64($0) } ?? 0xC0FFEE
        var rng = SeededGenerator(seed: seed)
        var acknowledged: [String: (region: String, position: UInt64)] = [:]
        var nextRecord = 0
        var duplicatesSeen = 0
        var residueCycles = 0
        let cycles = 24
        let started = Date()

        for cycle in 0..<cycles {
            let isLast = cycle == cycles - 1
            // This cycle's input: new records, some ids already acknowledged (gateways retry), sent
            // in small writes that often split a line in two.
            var lines: [[UInt8]] = []
            for _ in 0..<(200 + Int(rng.next() % 200)) {
                let n: Int
                if !acknowledged.isEmpty && rng.next() % 8 == 0 {
                    n = Int(rng.next() % UInt64(nextRecord))
                } else {
                    n = nextRecord
                    nextRecord += 1
                }
                lines.append(Array((Fixtures.recordText(n, region: Self.regions[n % 2], id: "crash-\(n)") + "\n").utf8))
            }
            var writes: [[UInt8]] = []
            var pending = lines.flatMap { $0 }[...]
            while !pending.isEmpty {
                let size = min(pending.count, 200 + Int(rng.next() % 3000))
                writes.append(Array(pending.prefix(size)))
                pending = pending.dropFirst(size)
            }
            let pauses = writes.map { _ in UInt32(rng.next() % 1500) }
            let killAfter = 20_000 + UInt32(rng.next() % 330_000) // µs

            let child = try ChildProcess(binary, ["ingest", "--acks", "--data", data, "--segment-size", "64KiB", "-"])
            child.feed(writes, pausesMicroseconds: pauses, closeWhenDone: isLast)
            if isLast {
                XCTAssertEqual(child.wait(), 0, "a clean run exits 0")
            } else {
                usleep(killAfter)
                child.kill()
                _ = child.wait()
            }
            if ProcessInfo.processInfo.environment["GATELOG_CRASH_DEBUG"] != nil { print("cycle \(cycle): \(child.output().prefix(300))") }
            // Only complete lines: a kill can cut the last write short.
            var output = child.output()
            if let end = output.lastIndex(of: "\n") { output = String(output[...end]) } else { output = "" }

            // Every acknowledgement is remembered; a duplicate must name the first position.
            for line in output.split(separator: "\n") {
                let f = line.split(separator: " ")
                guard f.count == 5, f[0] == "ack" || f[0] == "dup", let position = UInt64(f[3]) else { continue }
                let id = String(f[4]), region = String(f[2])
                if f[0] == "dup" {
                    duplicatesSeen += 1
                    if let first = acknowledged[id] {
                        XCTAssertEqual(first.position, position, "duplicate \(id) must point at its first position")
                    }
                }
                if let first = acknowledged[id] {
                    XCTAssertEqual(first.region, region)
                    XCTAssertEqual(first.position, position, "\(id) acknowledged at two positions")
                } else {
                    acknowledged[id] = (region, position)
                }
            }

            // verify, as a process, on the crashed store: exit 0.
            if FileManager.default.fileExists(atPath: data) {
                let verify = try ChildProcess(binary, ["verify", "--data", data])
                verify.feed([], pausesMicroseconds: [], closeWhenDone: true)
                let code = verify.wait()
                let report = verify.output()
                XCTAssertEqual(code, 0, "cycle \(cycle): verify after SIGKILL:\n\(report)")
                if report.contains("crash residue") || report.contains("after the latest checkpoint") { residueCycles += 1 }
            }

            // Every acknowledged record is stored at its acknowledged position, and no id twice.
            var stored: [String: [UInt64: String]] = [:]
            for region in Self.regions where FileManager.default.fileExists(atPath: "\(config.regionDirectory(region))/segments") {
                stored[region] = try Fixtures.storedIDs(config, region: region)
                XCTAssertEqual(Set(stored[region]!.values).count, stored[region]!.count, "cycle \(cycle): an id is stored twice in \(region)")
            }
            for (id, ack) in acknowledged {
                XCTAssertEqual(stored[ack.region]?[ack.position], id, "cycle \(cycle): acknowledged \(id) is not at \(ack.region) position \(ack.position)")
            }
            if (testRun?.totalFailureCount ?? 0) > 0 { break }
        }
        // The last, clean run leaves no residue at all.
        for region in Self.regions {
            var verifier = RegionVerifier(region: region, directory: config.regionDirectory(region), keyring: try LogStore.keyringOnly(data))
            verifier.maxBreaks = 10
            let report = try verifier.verify()
            XCTAssertTrue(report.isIntact, report.summary)
            XCTAssertEqual(report.warnings, [], report.summary)
        }
        XCTAssertGreaterThan(acknowledged.count, 500, "the test must acknowledge a meaningful number of records")
        XCTAssertGreaterThan(duplicatesSeen, 0, "re-sent ids must be answered as duplicates")
        let elapsed = Date().timeIntervalSince(started)
        print("crash test (seed \(seed)): \(cycles) cycles, \(acknowledged.count) acknowledged records, \(duplicatesSeen) duplicates, \(residueCycles) cycles with crash residue, \(String(format: "%.1f", elapsed)) s")
    }
}

extension LogStore {
    /// The verifier keys of a data directory, without opening a store.
    static func keyringOnly(_ data: String) throws -> VerifierKeyring {
        VerifierKeyring(try KeyStore.publicKeys(dataDirectory: data))
    }
}

/// A child process with a stdin pipe fed from a thread and stdout (and stderr) collected by another.
final class ChildProcess: Sendable {
    let pid: pid_t
    private let stdinFD: Int32
    private let inputClosed = Mutex(false)
    private let collected = Mutex<[UInt8]>([])
    private let readerDone = DispatchSemaphore(value: 0)
    private let feederDone = DispatchSemaphore(value: 0)

    /// The `gatelog` executable built next to the test bundle.
    static func gatelogBinary(file: StaticString = #filePath) throws -> String {
        var candidates: [String] = []
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append(URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("gatelog").path)
        }
        let root = URL(fileURLWithPath: "\(file)").deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/gatelog").path)
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw StoreError.notFound("the gatelog binary (build it with `swift build --build-tests`); looked at \(candidates)")
        }
        return found
    }

    init(_ path: String, _ arguments: [String]) throws {
        var inPipe: [Int32] = [0, 0], outPipe: [Int32] = [0, 0]
        guard pipe(&inPipe) == 0, pipe(&outPipe) == 0 else { throw FileIOError(operation: "pipe", path: path, code: errno) }
        for fd in inPipe + outPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) } // The child gets only its dup2'd copies.
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, path, &actions, nil, argv, environ)
        close(inPipe[0])
        close(outPipe[1])
        guard rc == 0 else {
            close(inPipe[1]); close(outPipe[0])
            throw FileIOError(operation: "posix_spawn", path: path, code: rc)
        }
        pid = child
        stdinFD = inPipe[1]
        let outFD = outPipe[0]
        Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(outFD, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                collected.withLock { $0 += buffer[0..<n] }
            }
            close(outFD)
            readerDone.signal()
        }.start()
    }

    /// Writes `writes` to the child's stdin from a thread, pausing between writes; stops at the
    /// first failed write (the child died). Closes stdin at the end when `closeWhenDone`.
    func feed(_ writes: [[UInt8]], pausesMicroseconds: [UInt32], closeWhenDone: Bool) {
        let fd = stdinFD
        Thread { [self] in
            outer: for (i, chunk) in writes.enumerated() {
                var offset = 0
                while offset < chunk.count {
                    let n = chunk.withUnsafeBytes { write(fd, $0.baseAddress! + offset, chunk.count - offset) }
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { break outer }
                    offset += n
                }
                if i < pausesMicroseconds.count, pausesMicroseconds[i] > 0 { usleep(pausesMicroseconds[i]) }
            }
            if closeWhenDone { inputClosed.withLock { if !$0 { close(fd); $0 = true } } }
            feederDone.signal()
        }.start()
    }

    func kill() { _ = Glibc.kill(pid, SIGKILL) }

    /// Waits for the child to exit; returns its exit code, or 128 + signal.
    @discardableResult
    func wait() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        feederDone.wait()
        inputClosed.withLock { if !$0 { close(stdinFD); $0 = true } }
        readerDone.wait()
        return status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }

    /// Everything the child wrote to stdout and stderr (complete once `wait()` returned).
    func output() -> String { String(decoding: collected.withLock { $0 }, as: UTF8.self) }
}
