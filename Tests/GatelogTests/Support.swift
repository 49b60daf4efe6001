import XCTest
import Foundation
import AuditFormat
import AuditIndex
import AuditQuery
import AuditStore
import Gatelog
import JSON
import SampleData

/// A temporary directory removed when the value goes away.
final class TemporaryDirectory: Sendable {
    let path: String

    init(_ label: String = "gatelog-svc") {
        var template = Array("\(NSTemporaryDirectory())/\(label)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// SplitMix64: every randomised test is reproducible from its seed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) * 0x1.0p-53 < p }
    mutating func pick<T>(_ a: [T]) -> T { a[Int(next() % UInt64(a.count))] }
}

enum Fixture {
    static let admin = Principal.localAdmin

    static func principal(_ role: String, scope: String = "") throws -> Principal {
        Principal(id: "test-\(role)", role: Role.builtIn[role]!, scope: try Scope.parse(scope))
    }

    /// A small valid record.
    static func record(_ id: String, region: String = "eu-west-1", tenant: String = "acme", model: String = "openai/gpt-4o",
                       user: String = "ann@acme.example", status: Int = 200, ms: Int = 0, customer: String = "acme-1") -> String {
        #"{"id":"\#(id)","ts":"2026-03-01T12:00:\#(String(format: "%02d", (ms / 1000) % 60)).\#(String(format: "%03d", ms % 1000))Z","#
            + #""region":"\#(region)","tenant":"\#(tenant)","user":"\#(user)","model":"\#(model)","status":\#(status),"#
            + #""metadata":{"customer_id":"\#(customer)"},"request":{"messages":[{"role":"user","content":"secret prompt \#(id)"}]},"#
            + #""response":{"choices":[{"text":"answer \#(id)"}]}}"#
    }

    /// `count` generated sample records (fixed seed), one compact JSON object each.
    static func sampleLines(count: Int, seed: UInt64 = 7, regions: [String]? = nil) -> [[UInt8]] {
        var g = SampleRecordGenerator(seed: seed, startTime: Date(timeIntervalSince1970: 1_772_000_000), duration: 86_400,
                                      regions: regions, expectedCount: count)
        return (0..<count).map { _ in g.nextLine() }
    }

    static func ndjson(_ lines: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        for l in lines { out += l; out.append(0x0A) }
        return out
    }

    static func open(_ dir: String, withIndex: Bool = true) throws -> GatelogService {
        try GatelogService(configuration: StoreConfiguration(dataDirectory: dir), withIndex: withIndex)
    }

    /// Every record id visible to `principal` under `filter`, walking all pages.
    static func allIDs(_ service: GatelogService, _ principal: Principal = admin, filter: IndexFilter = IndexFilter(),
                       pageSize: Int = 37, order: SearchOrder = .newestFirst) throws -> [String] {
        var ids: [String] = []
        var cursor: String?
        repeat {
            let page = try service.query.search(principal, filter: filter, limit: pageSize, cursor: cursor, order: order,
                                                includeContent: false)
            ids += page.records.map(\.entry.id)
            cursor = page.nextCursor
        } while cursor != nil
        return ids
    }

    /// Searches answers as comparable text: id, region, position and chain hash of every record, every page.
    static func answers(_ service: GatelogService, filters: [IndexFilter]) throws -> [String] {
        try filters.map { f in
            var out: [String] = []
            var cursor: String?
            repeat {
                let page = try service.query.search(admin, filter: f, limit: 50, cursor: cursor, includeContent: true)
                out += page.records.map { "\($0.entry.id)@\($0.entry.region)#\($0.entry.position):\(String(decoding: $0.json, as: UTF8.self))" }
                cursor = page.nextCursor
            } while cursor != nil
            return out.joined(separator: "\n")
        }
    }
}
