import XCTest
import Foundation
import Synchronization
import AuditFormat
import AuditIndex
import AuditQuery
import AuditStore
import Gatelog
import JSON

/// `QueryService` answers compared with a brute-force scan of the very records that were ingested
/// (parsed independently of the index), for random filters and scopes with fixed seeds.
final class QueryPropertyTests: XCTestCase {
    nonisolated(unsafe) static var shared: (dir: TemporaryDirectory, records: [RecordFields])?

    /// One store for the whole class (ingesting is the slow part).
    private func store() throws -> (TemporaryDirectory, [RecordFields]) {
        if let s = Self.shared { return s }
        let tmp = TemporaryDirectory()
        let lines = Fixture.sampleLines(count: 400, seed: 2026)
        let service = try Fixture.open(tmp.path)
        for chunk in stride(from: 0, to: lines.count, by: 100) {
            let s = try service.ingest(body: Fixture.ndjson(Array(lines[chunk..<min(chunk + 100, lines.count)])), principal: Fixture.admin, source: "t")
            XCTAssertEqual(s.rejected.count, 0)
        }
        service.indexer?.waitUntilDrained()
        service.close()
        let records = try lines.map { try AuditRecord.parse($0).fields }
        Self.shared = (tmp, records)
        return (tmp, records)
    }

    private func values(_ records: [RecordFields], _ key: (RecordFields) -> String?) -> [String] {
        Array(Set(records.compactMap(key))).sorted()
    }

    private func meta(_ r: RecordFields, _ key: String) -> String? { r.metadata.first { $0.key == key }?.value }

    func testSearchAndStatsMatchBruteForce() throws {
        let (tmp, records) = try store()
        let service = try Fixture.open(tmp.path)
        defer { service.close() }
        var rng = SplitMix64(seed: 0x5EED)
        let regions = values(records, { $0.region }), tenants = values(records, { $0.tenant }), models = values(records, { $0.model })
        let users = values(records, { $0.user }), customers = values(records, { self.meta($0, "customer_id") })
        let environments = values(records, { self.meta($0, "environment") })
        let kinds = values(records, { $0.kind }), providers = values(records, { $0.provider })
        let times = records.map(\.timestamp).sorted()
        XCTAssertGreaterThan(users.count, 10)
        var nonEmpty = 0

        for round in 0..<120 {
            // Query arguments as text, exactly as the CLI and HTTP pass them.
            var args: [(name: String, value: String)] = []
            func some(_ pool: [String], max: Int = 3) -> [String] {
                (0..<Int(1 + rng.next() % UInt64(max))).map { _ in rng.pick(pool) } + (rng.chance(0.1) ? ["no-such"] : [])
            }
            if rng.chance(0.3) { args.append(("region", some(regions, max: 2).joined(separator: ","))) }
            if rng.chance(0.3) { args.append(("tenant", some(tenants).joined(separator: ","))) }
            if rng.chance(0.3) { args.append(("model", some(models).joined(separator: ","))) }
            if rng.chance(0.15) { args.append(("user", some(users, max: 5).joined(separator: ","))) }
            if rng.chance(0.2) { args.append(("kind", some(kinds, max: 2).joined(separator: ","))) }
            if rng.chance(0.2) { args.append(("provider", some(providers, max: 2).joined(separator: ","))) }
            if rng.chance(0.25) { args.append(("status", rng.pick(["2xx", "4xx", "5xx", "200", "429", "4xx,500"]))) }
            if rng.chance(0.2) { args.append(("meta", "environment=" + some(environments, max: 2).joined(separator: ","))) }
            if rng.chance(0.15) { args.append(("meta", "customer_id=" + some(customers, max: 6).joined(separator: ","))) }
            if rng.chance(0.35) {
                let a = rng.pick(times) + Int64(rng.next() % 3) - 1, b = rng.pick(times) + Int64(rng.next() % 3) - 1
                args.append(("from", Timestamp.format(milliseconds: min(a, b))))
                if rng.chance(0.7) { args.append(("to", Timestamp.format(milliseconds: max(a, b)))) }
            }
            let filter = try FilterArguments.parse(args)
            // A random scope: region, tenant, metadata or none.
            var scopeText = ""
            switch rng.next() % 4 {
            case 0: scopeText = "region=\(rng.pick(regions))"
            case 1: scopeText = "tenant=\(rng.pick(tenants))"
            case 2: scopeText = "meta.environment=\(rng.pick(environments))"
            default: break
            }
            let principal = try Fixture.principal(rng.chance(0.5) ? "auditor" : "analyst", scope: scopeText)

            let expected = records.filter { r in
                principal.scope.contains(r) && matches(r, args)
            }
            let order: SearchOrder = rng.chance(0.5) ? .newestFirst : .oldestFirst
            let pageSize = Int(1 + rng.next() % 60)
            let ids = try Fixture.allIDs(service, principal, filter: filter, pageSize: pageSize, order: order)
            XCTAssertEqual(ids.count, Set(ids).count, "round \(round): a record repeated across pages")
            XCTAssertEqual(Set(ids), Set(expected.map(\.id)), "round \(round): \(args) scope \(scopeText)")
            let ts = Dictionary(uniqueKeysWithValues: records.map { ($0.id, $0.timestamp) })
            let stamps = ids.map { ts[$0]! }
            XCTAssertEqual(stamps, order == .newestFirst ? stamps.sorted(by: >) : stamps.sorted(), "round \(round): order")
            if !expected.isEmpty { nonEmpty += 1 }

            // Aggregates over the same filter and scope.
            let groups = try service.query.stats(principal, filter: filter, groupBy: [.model], bucket: nil)
            var byModel: [String: (count: Int64, input: Int64)] = [:]
            for r in expected {
                let key = r.model ?? ""
                byModel[key, default: (0, 0)].count += 1
                byModel[key, default: (0, 0)].input += r.inputTokens ?? 0
            }
            let got = Dictionary(uniqueKeysWithValues: groups.map { ($0.keys.first.flatMap { $0 } ?? "", ($0.count, $0.inputTokens)) })
            XCTAssertEqual(got.mapValues(\.0), byModel.mapValues(\.count), "round \(round): stats counts")
            XCTAssertEqual(got.mapValues(\.1), byModel.mapValues(\.input), "round \(round): stats input tokens")
        }
        XCTAssertGreaterThan(nonEmpty, 40, "the random filters must mostly select something")
    }

    /// Brute-force evaluation of the textual filter arguments.
    private func matches(_ r: RecordFields, _ args: [(name: String, value: String)]) -> Bool {
        for (name, value) in args {
            let set = Set(value.split(separator: ",").map(String.init))
            switch name {
            case "region": if !set.contains(r.region) { return false }
            case "tenant": if !set.contains(r.tenant ?? "\u{0}") { return false }
            case "model": if !set.contains(r.model ?? "\u{0}") { return false }
            case "user": if !set.contains(r.user ?? "\u{0}") { return false }
            case "kind": if !set.contains(r.kind ?? "\u{0}") { return false }
            case "provider": if !set.contains(r.provider ?? "\u{0}") { return false }
            case "status":
                guard let s = r.status else { return false }
                let ok = set.contains { $0.hasSuffix("xx") ? Int(String($0.prefix(1))) == s / 100 : Int($0) == s }
                if !ok { return false }
            case "meta":
                let eq = value.firstIndex(of: "=")!
                let key = String(value[..<eq])
                let allowed = Set(value[value.index(after: eq)...].split(separator: ",").map(String.init))
                guard let v = meta(r, key), allowed.contains(v) else { return false }
            case "from": if r.timestamp < Timestamp.parseMilliseconds(value)! { return false }
            case "to": if r.timestamp >= Timestamp.parseMilliseconds(value)! { return false }
            default: XCTFail("unexpected \(name)")
            }
        }
        return true
    }

    /// Walks every page while another thread ingests new records (newer and older timestamps):
    /// each record that existed at the start is returned exactly once.
    func testPaginationUnderConcurrentIngest() throws {
        let tmp = TemporaryDirectory()
        let lines = Fixture.sampleLines(count: 600, seed: 31)
        let service = try Fixture.open(tmp.path)
        defer { service.close() }
        XCTAssertEqual(try service.ingest(body: Fixture.ndjson(Array(lines[..<300])), principal: Fixture.admin, source: "t").accepted, 300)
        service.indexer?.waitUntilDrained()
        let initial = Set(try lines[..<300].map { try AuditRecord.parse($0).fields.id })

        for order in [SearchOrder.newestFirst, .oldestFirst] {
            let stop = Atomic<Bool>(false)
            let done = DispatchSemaphore(value: 0)
            let offset = order == .newestFirst ? 300 : 450
            Thread.detachNewThread {
                var i = offset
                while !stop.load(ordering: .relaxed) && i < offset + 150 {
                    _ = try? service.ingest(body: Fixture.ndjson(Array(lines[i..<(i + 10)])), principal: Fixture.admin, source: "bg")
                    i += 10
                }
                done.signal()
            }
            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let page = try service.query.search(Fixture.admin, filter: IndexFilter(), limit: 7, cursor: cursor, order: order,
                                                    includeContent: false)
                seen += page.records.map(\.entry.id)
                cursor = page.nextCursor
                pages += 1
                usleep(500)
            } while cursor != nil
            stop.store(true, ordering: .relaxed)
            done.wait()
            XCTAssertGreaterThan(pages, 40)
            let counts = Dictionary(seen.map { ($0, 1) }, uniquingKeysWith: +)
            XCTAssertEqual(counts.filter { $0.value > 1 }.keys.sorted(), [], "\(order): records repeated")
            XCTAssertEqual(initial.subtracting(seen).sorted(), [], "\(order): records skipped")
        }
    }
}
