import Foundation
import AuditFormat
import AuditIndex
import AuditQuery
import AuditStore
import Gatelog
import JSON

/// Where the time of one `GET /v1/records/{id}` goes without HTTP: the whole `getJSON` call
/// (index lookup, frame read, inclusion proof, durable access-log entry), then each part alone,
/// over random ids of an existing data directory. Single-threaded.
enum QueryBench {
    static func run(arguments: [String]) throws {
        var options: [String: String] = [:]
        var i = 1
        while i + 1 < arguments.count { options[arguments[i].replacingOccurrences(of: "--", with: "")] = arguments[i + 1]; i += 2 }
        guard arguments.first == "get", let data = options["data"], let idsPath = options["ids"] else {
            print("usage: gatelog-bench query get --data DIR --ids FILE [--count N] [--only read|access]   (FILE: one record id per line)")
            return
        }
        let count = Int(options["count"] ?? "2000") ?? 2000
        let ids = String(decoding: try FileIO.readFile(idsPath), as: UTF8.self).split(separator: "\n").map(String.init)
        let service = try GatelogService(configuration: StoreConfiguration(dataDirectory: data))
        defer { service.close() }
        service.indexer?.waitUntilDrained(timeout: 600)
        var rng = SystemRandomNumberGenerator()
        let sample = (0..<count).map { _ in ids[Int(rng.next() % UInt64(ids.count))] }
        let admin = Principal.localAdmin
        func measure(_ name: String, _ body: (String) throws -> Void) rethrows {
            var times: [Double] = []
            times.reserveCapacity(sample.count)
            let cpu0 = StoreBench.processCPUSeconds()
            for id in sample {
                let t0 = DispatchTime.now().uptimeNanoseconds
                try body(id)
                times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1000)
            }
            let cpu = (StoreBench.processCPUSeconds() - cpu0) / Double(sample.count) * 1e6
            times.sort()
            let mean = times.reduce(0, +) / Double(times.count)
            print(name.padding(toLength: 40, withPad: " ", startingAt: 0)
                  + String(format: "mean %7.1f µs  p50 %7.1f  p99 %7.1f  CPU %6.1f µs (all threads)", mean, times[times.count / 2],
                           times[times.count * 99 / 100], cpu))
        }
        let index = service.query.index!
        var readers: [String: RegionReader] = [:]
        // `--only read` or `--only access` repeats one part alone (for profiling it).
        /// Looks the id up in the index and reads the record from its segment, uncached.
        func readRecord(_ id: String) {
            var f = IndexFilter()
            f.ids = [id]
            guard let e = try? index.search(filter: f, limit: 2).entries.first else { return }
            let reader = readers[e.region] ?? RegionReader(region: e.region, directory: service.query.configuration.regionDirectory(e.region), cacheBytes: 0)
            readers[e.region] = reader
            _ = try? reader.read(RecordLocation(segment: e.location.segment, frameOffset: e.location.frameOffset,
                                                indexInFrame: Int(e.location.recordInFrame)))
        }
        if options["only"] == "read" {
            for _ in 0..<5 { measure("frame read (index location → record)", readRecord) }
            return
        }
        if options["only"] == "access" {
            measure("access-log entry (durable)") { id in
                try? service.accessLog.record(principal: admin, action: "get", parameters: .object([JSONMember("id", .string(id))]), results: 1, outcome: "ok")
            }
            return
        }
        measure("getJSON (all of it)") { id in _ = try? service.query.getJSON(admin, id: id) }
        measure("getJSON (all of it), again") { id in _ = try? service.query.getJSON(admin, id: id) }
        let unaudited = QueryService(configuration: service.query.configuration, tokens: service.tokens, recorder: nil, index: index)
        measure("getJSON without the access log") { id in _ = try? unaudited.getJSON(admin, id: id) }
        measure("frame read (index location → record)", readRecord)
        measure("index lookup by id") { id in
            var f = IndexFilter()
            f.ids = [id]
            _ = try? index.search(filter: f, limit: 2)
        }
        let filterStart = DispatchTime.now().uptimeNanoseconds
        let built = try index.prepareIDFilters()
        print("id filters: \(built) blocks built in \(String(format: "%.1f", Double(DispatchTime.now().uptimeNanoseconds - filterStart) / 1e6)) ms")
        measure("index lookup by id, with id filters") { id in
            var f = IndexFilter()
            f.ids = [id]
            _ = try? index.search(filter: f, limit: 2)
        }
        measure("access-log entry (durable)") { id in
            try? service.accessLog.record(principal: admin, action: "get", parameters: .object([JSONMember("id", .string(id))]), results: 1, outcome: "ok")
        }
        measure("token check (hash + lookup)") { _ in _ = try? service.tokens.authenticate(authorization: "Bearer glt_000000000000_x") }
    }
}
