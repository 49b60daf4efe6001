// A trivial server for measuring the HTTP layer's own overhead with an external load generator (wrk).
// Usage: http-bench [HOST:PORT]   (default 127.0.0.1:8089). Stops on SIGINT/SIGTERM.
// See docs/decisions/http-server.md for the commands and results.
import Dispatch
import HTTPServer
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

let address = CommandLine.arguments.count > 1
    ? HTTPListenAddress(parsing: CommandLine.arguments[1]) : HTTPListenAddress(host: "127.0.0.1", port: 8089)
guard let address else {
    print("usage: http-bench [HOST:PORT]")
    exit(2)
}

let record = Array(#"{"id":"01HZX3K8Q7","region":"eu-west-1","tenant":"acme","model":"gpt-4o","status":200,"latency_ms":812,"tokens":{"in":1234,"out":456}}"#.utf8)
let ingested = Atomic<Int>(0)
let requests = Atomic<Int>(0)

var router = HTTPRouter()
router.get("/v1/records/{id}") { _ in .json(record) }
router.post("/v1/records", maxBodyBytes: 64 << 20) { request in
    // Count NDJSON lines, touching every byte like a real ingest parser would at minimum.
    var lines = 0
    for byte in request.body where byte == 0x0A { lines += 1 }
    ingested.add(lines, ordering: .relaxed)
    return .json(Array(#"{"accepted":\#(lines)}"#.utf8))
}
router.get("/v1/export") { request in
    let count = Int(request.query["n"] ?? "10000") ?? 10000
    return HTTPResponse(contentType: "application/x-ndjson") { writer in
        for _ in 0..<count {
            try writer.write(record)
            try writer.write([0x0A])
        }
    }
}

let server = try HTTPServer(
    configuration: HTTPServerConfiguration(address: address),
    router: router,
    observer: { _ in requests.add(1, ordering: .relaxed) })
try server.start()
print("http-bench listening on \(address.host):\(server.port)")
let signals = SignalObserver.install { _ in
    server.shutdown(gracePeriod: .seconds(5))
}
server.waitUntilStopped()
print("requests observed: \(requests.load(ordering: .relaxed)), records ingested: \(ingested.load(ordering: .relaxed))")
signals.cancel()
