import XCTest
import Foundation
import Synchronization
import JSON
#if canImport(Glibc)
import Glibc
#endif

/// SIGKILLs a real `gatelog serve` process while several clients POST batches, restarts it on the
/// same data directory, and checks that every record acknowledged with 200 is there at its
/// acknowledged position, and that `gatelog verify` passes.
final class ServerCrashTests: XCTestCase {
    /// A `gatelog serve` child process.
    final class ServeProcess {
        let pid: pid_t
        let port: Int
        /// The admin token printed on first start, if this start printed one.
        let printedToken: String?

        init(binary: String, data: String, log: String) throws {
            var outPipe: [Int32] = [0, 0]
            guard pipe(&outPipe) == 0 else { throw TestFailure("pipe") }
            _ = fcntl(outPipe[0], F_SETFD, FD_CLOEXEC)
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
            posix_spawn_file_actions_addopen(&actions, 2, log, O_WRONLY | O_CREAT | O_APPEND, 0o600)
            posix_spawn_file_actions_addclose(&actions, outPipe[0])
            let args = [binary, "serve", "--data", data, "--listen", "127.0.0.1:0", "--segment-size", "64KiB"]
            let argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
            defer { for a in argv { free(a) } }
            var child: pid_t = 0
            let rc = posix_spawn(&child, binary, &actions, nil, argv, environ)
            close(outPipe[1])
            guard rc == 0 else { close(outPipe[0]); throw TestFailure("posix_spawn failed: \(rc)") }
            pid = child
            // Read stdout until the "serving" line (bounded by a timeout).
            var text = ""
            var pfd = pollfd(fd: outPipe[0], events: Int16(POLLIN), revents: 0)
            let deadline = Date().addingTimeInterval(20)
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !text.contains("gatelog serving"), Date() < deadline {
                guard poll(&pfd, 1, 200) > 0 else { continue }
                let n = buffer.withUnsafeMutableBytes { read(outPipe[0], $0.baseAddress, $0.count) }
                if n <= 0 { break }
                text += String(decoding: buffer[..<n], as: UTF8.self)
            }
            // Keep draining stdout in the background so the server never blocks on a full pipe.
            let fd = outPipe[0]
            Thread.detachNewThread {
                var sink = [UInt8](repeating: 0, count: 4096)
                while sink.withUnsafeMutableBytes({ read(fd, $0.baseAddress, $0.count) }) > 0 {}
                close(fd)
            }
            guard let line = text.split(separator: "\n").first(where: { $0.contains("gatelog serving") }),
                  let portText = line.split(separator: " ").dropFirst(2).first?.split(separator: ":").last,
                  let port = Int(portText) else {
                kill(child, SIGKILL)
                var status: Int32 = 0
                waitpid(child, &status, 0)
                throw TestFailure("the server did not start: \(text.prefix(300))")
            }
            self.port = port
            printedToken = text.split(separator: "\n").first { $0.hasPrefix("glt_") }.map(String.init)
        }

        /// Sends `signal` and reaps the process; returns its wait status.
        @discardableResult
        func stop(_ signal: Int32) -> Int32 {
            kill(pid, signal)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            return status
        }
    }

    static func gatelogBinary() throws -> String {
        var candidates: [String] = []
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append(URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("gatelog").path)
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/gatelog").path)
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw TestFailure("the gatelog binary (build it with `swift build --build-tests`); looked at \(candidates)")
        }
        return found
    }

    struct Ack: Equatable { var region: String; var position: Int64 }

    func testSIGKILLDuringConcurrentIngestLosesNoAcknowledgedRecord() throws {
        let binary = try Self.gatelogBinary()
        signal(SIGPIPE, SIG_IGN)
        let tmp = TemporaryDirectory("gatelog-srvcrash")
        let data = "\(tmp.path)/data"
        let log = "\(tmp.path)/server.log"
        var rng = SplitMix64(seed: ProcessInfo.processInfo.environment["GATELOG_CRASH_SEED"].flatMap { UInt64($0) } ?? 0x5E7)
        let acknowledged = Mutex<[String: Ack]>([:])
        // Batches whose answer never arrived: resent after the restart, as a gateway would.
        let unanswered = Mutex<[[String]]>([])
        let nextID = Atomic<Int>(0)
        var token: String?
        let started = Date()
        let cycles = 5
        var killedWithRequestsInFlight = 0

        for cycle in 0..<cycles {
            let server = try ServeProcess(binary: binary, data: data, log: log)
            if cycle == 0 {
                token = server.printedToken
                XCTAssertNotNil(token, "the first start prints an admin token")
            } else {
                XCTAssertNil(server.printedToken, "no new token on restart")
            }
            guard let token else { return }
            let stop = Atomic<Bool>(false)
            let inFlight = Atomic<Int>(0)
            let group = DispatchGroup()
            let retries = unanswered.withLock { u -> [[String]] in defer { u = [] }; return u }
            for client in 0..<3 {
                let port = server.port
                let seed = rng.next()
                group.enter()
                Thread.detachNewThread {
                    defer { group.leave() }
                    var local = SplitMix64(seed: seed)
                    var resend = client == 0 ? retries : []
                    while !stop.load(ordering: .relaxed) {
                        let lines: [String]
                        if let again = resend.popLast() {
                            lines = again
                        } else {
                            let count = 1 + Int(local.next() % 25)
                            lines = (0..<count).map { _ in
                                let n = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
                                return Records.record("kill-\(n)", region: n % 3 == 0 ? "us-east-1" : "eu-west-1", ms: n % 3_600_000)
                            }
                        }
                        inFlight.add(1, ordering: .relaxed)
                        defer { inFlight.subtract(1, ordering: .relaxed) }
                        guard let r = try? Client(port: port).post("/v1/records", token: token, lines.joined(separator: "\n")) else {
                            unanswered.withLock { $0.append(lines) }
                            continue
                        }
                        guard r.status == 200, let results = r.json?["results"]?.arrayValue else {
                            unanswered.withLock { $0.append(lines) }
                            continue
                        }
                        acknowledged.withLock { acks in
                            for result in results {
                                guard let id = result["id"]?.stringValue, let region = result["region"]?.stringValue,
                                      let position = result["position"]?.int64Value else { continue }
                                let ack = Ack(region: region, position: position)
                                if let earlier = acks[id] {
                                    // A resent record must be a duplicate naming the first position.
                                    if earlier != ack || result["status"]?.stringValue != "duplicate" { acks["!mismatch:\(id)"] = ack }
                                } else {
                                    acks[id] = ack
                                }
                            }
                        }
                    }
                }
            }
            usleep(UInt32(150_000 + rng.next() % 450_000))
            if inFlight.load(ordering: .relaxed) > 0 { killedWithRequestsInFlight += 1 }
            if cycle == 2 {
                // One graceful stop under load: in-flight requests finish, the process exits 0.
                XCTAssertEqual(server.stop(SIGTERM), 0, "SIGTERM under load exits cleanly")
            } else {
                server.stop(SIGKILL)
            }
            stop.store(true, ordering: .relaxed)
            XCTAssertEqual(group.wait(timeout: .now() + 20), .success, "clients finish after the kill")
        }

        // Restart once more and check every acknowledged record.
        let server = try ServeProcess(binary: binary, data: data, log: log)
        let acks = acknowledged.withLock { $0 }
        XCTAssertEqual(acks.keys.filter { $0.hasPrefix("!mismatch") }, [], "a resent record was not a duplicate of its first position")
        XCTAssertGreaterThan(acks.count, 50, "the clients got acknowledgements")
        guard let token else { return }
        // Every acknowledged record, through the listing of each region (also: nothing stored twice,
        // positions dense) …
        var stored: [String: Ack] = [:]
        for region in ["eu-west-1", "us-east-1"] {
            let all = try Client(port: server.port).get("/v1/records?region=\(region)&limit=10000&content=false", token: token)
            let records = all.json?["records"]?.arrayValue ?? []
            let ids = records.compactMap { $0["id"]?.stringValue }
            XCTAssertEqual(ids.count, Set(ids).count, "\(region): an id stored twice")
            let positions = records.compactMap { $0["gatelog"]?["position"]?.int64Value }
            XCTAssertEqual(positions.sorted(), Array(0..<Int64(positions.count)), "\(region): positions are dense")
            for (id, p) in zip(ids, positions) { stored[id] = Ack(region: region, position: p) }
        }
        for (id, ack) in acks where !id.hasPrefix("!") {
            XCTAssertEqual(stored[id], ack, "acknowledged \(id) is missing or moved after the crash")
        }
        // … and one in three through GET /v1/records/{id} on a keep-alive connection.
        let c = try RawConnection(port: server.port)
        for (k, (id, ack)) in acks.sorted(by: { $0.key < $1.key }).enumerated() where k % 3 == 0 && !id.hasPrefix("!") {
            try c.send("GET /v1/records/\(id) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\n\r\n")
            let r = try c.readResponse()
            XCTAssertEqual(r.status, 200, "acknowledged \(id) is missing after the crash")
            XCTAssertEqual(r.json?["record"]?["gatelog"]?["region"]?.stringValue, ack.region, id)
            XCTAssertEqual(r.json?["record"]?["gatelog"]?["position"]?.int64Value, ack.position, id)
        }
        let status = server.stop(SIGTERM)
        XCTAssertEqual(status, 0, "graceful stop exits 0")

        // Nothing the server logged carries record content or a token.
        let logged = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        XCTAssertFalse(logged.contains("PROMPT-") || logged.contains("ANSWER-"), "record content in the server log")
        XCTAssertFalse(logged.contains(token), "a token in the server log")
        XCTAssertFalse(logged.contains("glt_"), "a token in the server log")

        let verify = Process()
        verify.executableURL = URL(fileURLWithPath: binary)
        verify.arguments = ["verify", "--data", data]
        let out = Pipe()
        verify.standardOutput = out
        verify.standardError = out
        try verify.run()
        let report = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        verify.waitUntilExit()
        XCTAssertEqual(verify.terminationStatus, 0, "gatelog verify: \(report)")
        let seconds = Date().timeIntervalSince(started)
        print("server crash test: \(cycles) stops (one SIGTERM) (\(killedWithRequestsInFlight) with requests in flight), \(acks.count) acknowledged records, \(String(format: "%.1f", seconds)) s")
        XCTAssertLessThan(seconds, 60)
    }
}
