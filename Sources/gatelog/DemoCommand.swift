import Foundation
import AuditFormat
import AuditStore
import Gatelog
import GatelogCrypto
import JSON
import SampleData

/// `gatelog demo`: generate sample gateway records, ingest them, verify the chain, summarise.
enum DemoCommand {
    static func run(_ raw: [String]) throws -> Int32 {
        var args = try Arguments(raw, flags: [])
        let data = dataDirectory(&args)
        let count = try args.int("count") ?? 5000
        let seed = UInt64(try args.int("seed") ?? Int(Date().timeIntervalSince1970))
        try args.rejectUnknown()
        guard count > 0 else { throw UsageError("--count must be positive") }
        print("gatelog demo: \(count) sample records into \(data)")
        var generator = SampleRecordGenerator(seed: seed, startTime: Date().addingTimeInterval(-86_400), duration: 86_400,
                                              expectedCount: count)
        var lines: [[UInt8]] = []
        lines.reserveCapacity(count)
        var bytes = 0
        for _ in 0..<count {
            let line = generator.nextLine()
            bytes += line.count + 1
            lines.append(line)
        }
        let service = try GatelogService(configuration: StoreConfiguration(dataDirectory: data))
        let start = Date()
        let summary = service.ingestor.ingest(lines: lines.map { $0[...] }, source: "demo")
        let ingestSeconds = Date().timeIntervalSince(start)
        service.close()
        print("ingested: \(summary.accepted) accepted, \(summary.duplicates) duplicates, \(summary.rejected.count) rejected (\(bytes / 1024) KiB in \(String(format: "%.2f", ingestSeconds)) s)")
        var config = StoreConfiguration(dataDirectory: data)
        try config.loadConfigFile()
        let keyring = VerifierKeyring(try KeyStore.publicKeys(dataDirectory: data))
        let layout = LogStoreLayout(configuration: config)
        var allIntact = true
        for region in layout.regions() {
            let report = try RegionVerifier(region: region, directory: config.regionDirectory(region), keyring: keyring).verify()
            let s = try layout.summary(region: region)
            allIntact = allIntact && report.isIntact
            let ratio = s.storedBytes > 0 ? Double(s.rawBytes) / Double(s.storedBytes) : 0
            print("  \(region): \(report.records) records, \(s.segments) segment(s), \(s.storedBytes / 1024) KiB stored (ratio \(String(format: "%.1f", ratio))), verify: \(report.isIntact ? "intact" : "BROKEN (\(report.breaks.count) breaks)"), checkpoint at \(s.checkpointSize), chain head \(report.chainHead.hex.prefix(16))…")
        }
        print(allIntact ? "every region verifies; try `gatelog verify --data \(data)` or `gatelog checkpoint --data \(data)`"
                        : "verification FAILED")
        return allIntact ? 0 : 1
    }
}
