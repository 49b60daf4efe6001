import CZstd
import Foundation
import GatelogCrypto
import JSON
@testable import SampleData
import XCTest

/// 10,000 records generated once and shared by the distribution tests.
private struct Corpus: Sendable {
    static let start = Date(timeIntervalSince1970: 1_793_491_200)  // 2026-11-01T00:00:00Z
    static let duration: TimeInterval = 7 * 86_400
    static let count = 10_000
    static let shared = Corpus()

    let lines: [[UInt8]]
    let planted: [[PlantedValue]]

    init() {
        var generator = SampleRecordGenerator(seed: 7, startTime: Corpus.start, duration: Corpus.duration, expectedCount: Corpus.count)
        var lines = [[UInt8]](), planted = [[PlantedValue]]()
        lines.reserveCapacity(Corpus.count)
        for _ in 0..<Corpus.count {
            lines.append(generator.nextLine())
            planted.append(generator.lastPlantedValues)
        }
        self.lines = lines
        self.planted = planted
    }
}

final class SampleDataTests: XCTestCase {
    // MARK: Determinism

    func testSameParametersGiveIdenticalBytes() {
        var a = SampleRecordGenerator(seed: 99, startTime: Corpus.start, duration: 3600)
        var b = SampleRecordGenerator(seed: 99, startTime: Corpus.start, duration: 3600)
        for _ in 0..<300 { XCTAssertEqual(a.nextLine(), b.nextLine()) }
        XCTAssertEqual(a.recordsGenerated, 300)
    }

    func testDifferentSeedsGiveDifferentRecords() {
        var a = SampleRecordGenerator(seed: 1, startTime: Corpus.start, duration: 3600)
        var b = SampleRecordGenerator(seed: 2, startTime: Corpus.start, duration: 3600)
        var equal = 0
        for _ in 0..<100 where a.nextLine() == b.nextLine() { equal += 1 }
        XCTAssertEqual(equal, 0)
    }

    func testAppendNextLineMatchesNextLine() {
        var a = SampleRecordGenerator(seed: 5, startTime: Corpus.start, duration: 3600)
        var b = SampleRecordGenerator(seed: 5, startTime: Corpus.start, duration: 3600)
        var buffer: [UInt8] = Array("prefix".utf8)
        b.appendNextLine(to: &buffer)
        XCTAssertEqual(Array(buffer.dropFirst(6)), a.nextLine())
    }

    /// Pins the exact output: any change to the generator, word lists or formatting changes this
    /// digest, and so does any platform difference (the generator avoids libm, Hasher and
    /// Foundation formatting precisely so that it does not).
    func testGoldenDigestOfFirstThousandRecords() {
        var generator = SampleRecordGenerator(seed: 42, startTime: Corpus.start, duration: 86_400, expectedCount: 1000)
        let hasher = SHA256Hasher()
        var bytes = 0
        for _ in 0..<1000 {
            var line = generator.nextLine()
            line.append(0x0A)
            bytes += line.count
            hasher.update(line)
        }
        let digest = hasher.finalize().hex
        XCTAssertEqual(digest, SampleDataTests.goldenDigest, "NDJSON of seed 42 changed (\(bytes) bytes)")
        XCTAssertEqual(bytes, SampleDataTests.goldenBytes)
    }

    static let goldenDigest = "c1090a58986d6ef56aef6ef805ac908cf6ab69f7cc77746257e639734c9056c9"
    static let goldenBytes = 2_523_231

    // MARK: Wire format

    func testEveryRecordIsValidWireFormat() throws {
        let corpus = Corpus.shared
        let modelsByName = Dictionary(uniqueKeysWithValues: Universe.shared.models.map { (String(decoding: $0.name, as: UTF8.self), $0) })
        let startMs = Int64(Corpus.start.timeIntervalSince1970 * 1000)
        let endMs = startMs + Int64(Corpus.duration * 1000)
        let expectedOrder = ["id", "ts", "region", "tenant", "team", "user", "api_key_id", "kind", "model", "provider", "route",
                             "metadata", "request", "response", "usage", "cost_usd", "latency_ms", "status", "error", "trace", "guardrails"]
        var ids = Set<String>()
        for (n, line) in corpus.lines.prefix(3000).enumerated() {
            let record = try JSONValue.parse(line)
            guard let members = record.objectMembers else { return XCTFail("record \(n) is not an object") }
            XCTAssertEqual(members.map(\.key), expectedOrder, "record \(n)")
            let id = try XCTUnwrap(record["id"]?.stringValue)
            XCTAssertTrue(id.hasPrefix("req_") && id.count == 28 && id.dropFirst(4).allSatisfy(\.isHexDigit), id)
            XCTAssertTrue(ids.insert(id).inserted, "duplicate id")
            let ts = try XCTUnwrap(record["ts"]?.stringValue)
            let ms = try XCTUnwrap(Self.parseTimestamp(ts), "bad ts \(ts)")
            XCTAssertTrue(ms >= startMs && ms < endMs, "ts \(ts) outside the range")
            XCTAssertTrue(SampleRecordGenerator.defaultRegions.contains(try XCTUnwrap(record["region"]?.stringValue)))
            let tenant = try XCTUnwrap(record["tenant"]?.stringValue)
            let user = try XCTUnwrap(record["user"]?.stringValue)
            XCTAssertTrue(user.hasSuffix("@\(tenant).com") && user.contains("."), user)
            XCTAssertTrue(try XCTUnwrap(record["api_key_id"]?.stringValue).hasPrefix("key_"))

            let metadata = try XCTUnwrap(record["metadata"]?.objectMembers)
            XCTAssertEqual(Array(metadata.prefix(3).map(\.key)), ["environment", "feature", "customer_id"])
            for member in metadata {
                let value = try XCTUnwrap(member.value.stringValue, "metadata values are strings")
                XCTAssertTrue(value.utf8.count <= 128 && !value.isEmpty)
            }
            XCTAssertTrue(try XCTUnwrap(record["metadata"]?["customer_id"]?.stringValue).hasPrefix(tenant + "-"))

            let kind = try XCTUnwrap(record["kind"]?.stringValue)
            let model = try XCTUnwrap(record["model"]?.stringValue)
            let provider = try XCTUnwrap(record["provider"]?.stringValue)
            let status = try XCTUnwrap(record["status"]?.int64Value)
            XCTAssertTrue([200, 400, 429, 500, 503, 504].contains(status))
            XCTAssertEqual(record["error"]?.isNull, status == 200, "error is null exactly when status is 200")
            XCTAssertEqual(record["response"]?.isNull, status != 200, "response is null exactly on errors")
            if status != 200 { XCTAssertNotNil(record["error"]?["type"]?.stringValue) }

            let usage = try XCTUnwrap(record["usage"])
            let input = try XCTUnwrap(usage["input_tokens"]?.int64Value), output = try XCTUnwrap(usage["output_tokens"]?.int64Value)
            let cost = try XCTUnwrap(record["cost_usd"]?.doubleValue)
            switch kind {
            case "mcp_tool_call":
                XCTAssertTrue(model.hasPrefix("mcp/")); XCTAssertEqual(provider, "mcp")
                XCTAssertNotNil(record["request"]?["tool"]?["arguments"]?.objectMembers)
                XCTAssertEqual(cost, 0)
            case "chat", "embeddings", "completion":
                let info = try XCTUnwrap(modelsByName[model], "unknown model \(model)")
                XCTAssertEqual(String(decoding: info.provider, as: UTF8.self), provider)
                let expectedCost = Double(Int(input) * info.inputPrice + Int(output) * info.outputPrice) / 1e8
                XCTAssertEqual(cost, expectedCost, accuracy: 1e-12, "cost must follow tokens and price")
                if kind == "chat" { XCTAssertEqual(info.use, .chat); XCTAssertNotNil(record["request"]?["messages"]?.arrayValue) }
                if kind == "embeddings" { XCTAssertEqual(info.use, .embedding); XCTAssertEqual(output, 0) }
                if kind == "completion" { XCTAssertEqual(info.use, .completion) }
                if status == 200 { XCTAssertGreaterThan(input, 0) }
            default: XCTFail("unknown kind \(kind)")
            }
            let latency = try XCTUnwrap(record["latency_ms"])
            let total = try XCTUnwrap(latency["total"]?.doubleValue)
            XCTAssertGreaterThan(total, 0)
            if let ttft = latency["ttft"]?.doubleValue {
                XCTAssertLessThanOrEqual(ttft, total)
                XCTAssertNotNil(latency["itl"]?.doubleValue)
            } else {
                XCTAssertEqual(latency["ttft"]?.isNull, true)
            }
            let trace = try XCTUnwrap(record["trace"])
            XCTAssertEqual(trace["trace_id"]?.stringValue?.count, 32)
            XCTAssertEqual(trace["span_id"]?.stringValue?.count, 16)
            XCTAssertNotNil(record["guardrails"]?.arrayValue)
        }
    }

    func testSizeDistributionMatchesTheBrief() {
        let sizes = Corpus.shared.lines.map(\.count).sorted()
        let median = sizes[sizes.count / 2]
        let mean = Double(sizes.reduce(0, +)) / Double(sizes.count)
        let p99 = sizes[sizes.count * 99 / 100]
        XCTAssertTrue((1600...2600).contains(median), "median \(median)")
        XCTAssertTrue((2000...3200).contains(mean), "mean \(mean)")
        XCTAssertLessThanOrEqual(sizes.last!, 32 * 1024, "max \(sizes.last!)")
        XCTAssertGreaterThan(sizes.last!, 10_000, "the tail must reach beyond 10 KB")
        XCTAssertGreaterThan(p99, 5_000, "p99 \(p99)")
        XCTAssertGreaterThan(sizes.first!, 500)
    }

    /// Content must compress like real prompts and responses, not like repeated templates: zstd level 3
    /// over the NDJSON should give roughly 550-700 bytes per record (the reference corpus gave 608).
    func testCompressionRatioIsRealistic() {
        var ndjson = [UInt8]()
        for line in Corpus.shared.lines { ndjson += line; ndjson.append(0x0A) }
        var compressed = [UInt8](repeating: 0, count: ZSTD_compressBound(ndjson.count))
        let size = compressed.withUnsafeMutableBytes { out in
            ndjson.withUnsafeBytes { ZSTD_compress(out.baseAddress, out.count, $0.baseAddress, $0.count, 3) }
        }
        XCTAssertEqual(ZSTD_isError(size), 0)
        let perRecord = Double(size) / Double(Corpus.count)
        XCTAssertTrue((520...720).contains(perRecord), "zstd -3: \(perRecord) B/record")
    }

    func testKindStatusAndPopulationMix() throws {
        var kinds = [String: Int](), statuses = [Int64: Int](), users = Set<String>(), tenants = Set<String>()
        var customers = Set<String>(), models = Set<String>(), regions = [String: Int]()
        for line in Corpus.shared.lines {
            let record = try JSONValue.parse(line)
            kinds[record["kind"]!.stringValue!, default: 0] += 1
            statuses[record["status"]!.int64Value!, default: 0] += 1
            users.insert(record["user"]!.stringValue!)
            tenants.insert(record["tenant"]!.stringValue!)
            customers.insert(record["metadata"]!["customer_id"]!.stringValue!)
            models.insert(record["model"]!.stringValue!)
            regions[record["region"]!.stringValue!, default: 0] += 1
        }
        let n = Double(Corpus.count)
        XCTAssertEqual(Double(kinds["chat"]!) / n, 0.80, accuracy: 0.02)
        XCTAssertEqual(Double(kinds["embeddings"]!) / n, 0.09, accuracy: 0.015)
        XCTAssertEqual(Double(kinds["completion"]!) / n, 0.03, accuracy: 0.01)
        XCTAssertEqual(Double(kinds["mcp_tool_call"]!) / n, 0.08, accuracy: 0.015)
        XCTAssertEqual(Double(statuses[200]!) / n, 0.963, accuracy: 0.01)
        XCTAssertEqual(Double(statuses[429]!) / n, 0.02, accuracy: 0.006)
        XCTAssertGreaterThan(statuses[500] ?? 0, 20)
        XCTAssertGreaterThan(statuses[400] ?? 0, 20)
        XCTAssertEqual(tenants.count, 50)
        XCTAssertTrue((1000...2100).contains(users.count), "distinct users \(users.count)")
        XCTAssertTrue((2000...10_500).contains(customers.count), "distinct customers \(customers.count)")
        XCTAssertGreaterThanOrEqual(models.count, 20)
        XCTAssertGreaterThan(regions["eu-west-1"]!, regions["ap-south-1"]!)
        let totalUsers = Universe.shared.tenants.reduce(0) { $0 + $1.users.count }
        let totalCustomers = Universe.shared.tenants.reduce(0) { $0 + $1.customerCount }
        XCTAssertTrue((1900...2150).contains(totalUsers), "population \(totalUsers)")
        XCTAssertTrue((9500...10_600).contains(totalCustomers), "customers \(totalCustomers)")
    }

    func testTimestampsAdvanceAcrossTheRange() throws {
        let lines = Corpus.shared.lines
        var previous = Int64.min, ordered = 0, first = Int64.max, last = Int64.min
        for line in lines {
            let ts = try XCTUnwrap(try JSONValue.parse(line)["ts"]?.stringValue)
            let ms = try XCTUnwrap(Self.parseTimestamp(ts))
            if ms >= previous { ordered += 1 }
            previous = ms
            first = min(first, ms); last = max(last, ms)
        }
        let startMs = Int64(Corpus.start.timeIntervalSince1970 * 1000)
        XCTAssertLessThan(first - startMs, 5 * 60_000)
        XCTAssertGreaterThan(last - startMs, Int64(Corpus.duration * 1000) - 5 * 60_000)
        XCTAssertGreaterThan(Double(ordered) / Double(lines.count), 0.6, "records arrive roughly in time order")
    }

    func testCustomRegionsAreUsed() throws {
        var generator = SampleRecordGenerator(seed: 3, startTime: Corpus.start, duration: 3600, regions: ["eu-central-1", "us-west-2"])
        var seen = Set<String>()
        for _ in 0..<300 { seen.insert(try JSONValue.parse(generator.nextLine())["region"]!.stringValue!) }
        XCTAssertEqual(seen, ["eu-central-1", "us-west-2"])
    }

    // MARK: Sensitive values

    func testPlantedSensitiveValuesHaveRealisticRatesAndAreValid() throws {
        let corpus = Corpus.shared
        var contact = 0, financial = 0, secret = 0
        for (line, planted) in zip(corpus.lines, corpus.planted) {
            let kinds = Set(planted.map(\.kind))
            if kinds.contains(.email) || kinds.contains(.phone) { contact += 1 }
            if kinds.contains(.cardNumber) || kinds.contains(.iban) { financial += 1 }
            if kinds.contains(.apiKey) { secret += 1 }
            let record = try JSONValue.parse(line)
            let content = record["request"]!.serializedString + (record["response"]?.serializedString ?? "")
            for value in planted {
                XCTAssertTrue(content.contains(value.value), "planted \(value.kind) must be in the content")
                switch value.kind {
                case .cardNumber:
                    let digits = value.value.compactMap(\.wholeNumberValue)
                    XCTAssertTrue(digits.count == 15 || digits.count == 16)
                    XCTAssertEqual(Sensitive.luhnCheckDigit(Array(digits.dropLast())), digits.last)
                case .iban:
                    let compact = Array(value.value.replacingOccurrences(of: " ", with: "").utf8)
                    XCTAssertEqual(Sensitive.ibanMod97(Array(compact[4...] + compact[..<4])), 1, "IBAN must pass mod 97")
                case .email:
                    XCTAssertEqual(value.value.filter { $0 == "@" }.count, 1)
                case .phone:
                    XCTAssertGreaterThanOrEqual(value.value.filter(\.isNumber).count, 10)
                case .apiKey:
                    XCTAssertGreaterThanOrEqual(value.value.count, 20)
                }
            }
        }
        let n = Double(corpus.lines.count)
        XCTAssertEqual(Double(contact) / n, 0.10, accuracy: 0.015)
        XCTAssertEqual(Double(financial) / n, 0.02, accuracy: 0.006)
        XCTAssertEqual(Double(secret) / n, 0.01, accuracy: 0.004)
    }

    func testCheckDigitAlgorithmsAgainstPublishedExamples() {
        // ISO 13616 example IBANs.
        XCTAssertEqual(Sensitive.ibanCheckDigits(country: Array("DE".utf8), bban: Array("370400440532013000".utf8)), 89)
        XCTAssertEqual(Sensitive.ibanCheckDigits(country: Array("GB".utf8), bban: Array("WEST12345698765432".utf8)), 82)
        XCTAssertEqual(Sensitive.ibanMod97(Array("WEST12345698765432GB82".utf8)), 1)
        // 4111 1111 1111 1111 is the well-known Luhn-valid test Visa number.
        XCTAssertEqual(Sensitive.luhnCheckDigit([4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]), 1)
        XCTAssertEqual(Sensitive.luhnCheckDigit([3, 7, 8, 2, 8, 2, 2, 4, 6, 3, 1, 0, 0, 0]), 5)  // 378282246310005 (Amex test)
    }

    // MARK: File writer

    func testWriteNDJSONMatchesTheLineAPI() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sampledata-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("records.ndjson").path
        let summary = try SampleRecordGenerator.writeNDJSON(count: 2500, seed: 11, startTime: Corpus.start, duration: 3600, toFile: path)
        var generator = SampleRecordGenerator(seed: 11, startTime: Corpus.start, duration: 3600, expectedCount: 2500)
        var expected = [UInt8]()
        for _ in 0..<2500 { expected += generator.nextLine(); expected.append(0x0A) }
        let written = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        XCTAssertEqual(written, expected)
        XCTAssertEqual(summary.records, 2500)
        XCTAssertEqual(summary.bytes, expected.count)
    }

    func testWriteNDJSONReportsUnwritablePath() {
        XCTAssertThrowsError(try SampleRecordGenerator.writeNDJSON(count: 1, seed: 1, startTime: Corpus.start, duration: 60,
                                                                   toFile: "/nonexistent-dir/x.ndjson")) { error in
            let e = error as? SampleDataError
            XCTAssertEqual(e?.path, "/nonexistent-dir/x.ndjson")
            XCTAssertTrue(e?.description.contains("cannot create") == true)
        }
    }

    // MARK: Building blocks

    func testSplitMixAndXoshiroReferenceOutputs() {
        // SplitMix64 seeded with 0: published reference values.
        var sm = SplitMix64(seed: 0)
        XCTAssertEqual([sm.next(), sm.next(), sm.next()], [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
        // xoshiro256** seeded through SplitMix64(42): values from an independent Python implementation.
        var x = Xoshiro256StarStar(seed: 42)
        XCTAssertEqual([x.next(), x.next(), x.next(), x.next()],
                       [0x1578_0B2E_0C2E_C716, 0x6104_D986_6D11_3A7E, 0xAE17_5332_39E4_99A1, 0xECB8_AD47_03B3_60A1])
    }

    func testDeterministicExpIsAccurate() {
        var x = -30.0
        while x <= 30 {
            let expected = Foundation.exp(x)
            XCTAssertEqual(DeterministicMath.exp(x), expected, accuracy: expected * 1e-14, "exp(\(x))")
            x += 0.137
        }
        XCTAssertEqual(DeterministicMath.exp(0), 1)
    }

    func testUniformHelpersStayInRange() {
        var rng = Xoshiro256StarStar(seed: 9)
        var counts = [Int](repeating: 0, count: 7)
        for _ in 0..<70_000 {
            let u = rng.nextUnit()
            XCTAssertTrue(u >= 0 && u < 1)
            counts[rng.below(7)] += 1
            XCTAssertTrue((3...5).contains(rng.int(in: 3...5)))
        }
        for c in counts { XCTAssertEqual(Double(c), 10_000, accuracy: 500) }
        var sum = 0.0
        for _ in 0..<20_000 { sum += rng.nextNormal() }
        XCTAssertEqual(sum / 20_000, 0, accuracy: 0.03)
    }

    func testWeightedIndexFollowsItsWeights() {
        let w = WeightedIndex(weights: [1, 0, 3])
        XCTAssertEqual(w.probability(of: 0), 0.25, accuracy: 1e-12)
        XCTAssertEqual(w.probability(of: 1), 0)
        var rng = Xoshiro256StarStar(seed: 1)
        var counts = [0, 0, 0]
        for _ in 0..<40_000 { counts[w.sample(&rng)] += 1 }
        XCTAssertEqual(counts[1], 0)
        XCTAssertEqual(Double(counts[2]) / 40_000, 0.75, accuracy: 0.01)
        let zipf = WeightedIndex.zipf(count: 4)
        XCTAssertEqual(zipf.probability(of: 0) / zipf.probability(of: 1), 2, accuracy: 1e-12)
    }

    func testTimestampFormatting() {
        func format(_ ms: Int64) -> String { var b = [UInt8](); b.appendTimestamp(milliseconds: ms); return String(decoding: b, as: UTF8.self) }
        XCTAssertEqual(format(0), "1970-01-01T00:00:00.000Z")
        XCTAssertEqual(format(951_782_400_123), "2000-02-29T00:00:00.123Z")
        XCTAssertEqual(format(1_793_491_200_000 + 86_399_999), "2026-11-01T23:59:59.999Z")
        XCTAssertEqual(format(-1), "1969-12-31T23:59:59.999Z")
        for days in stride(from: -800_000, through: 800_000, by: 997) {
            let (y, m, d) = CivilDate.fromDays(days)
            XCTAssertEqual(CivilDate.days(year: y, month: m, day: d), days)
        }
        // Agrees with Foundation on a spread of instants.
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var ms: Int64 = 0
        while ms < 4_102_444_800_000 {
            XCTAssertEqual(format(ms), formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000)))
            ms += 86_400_000 * 37 + 3_723_456
        }
    }

    func testNumberFormatting() {
        func scaled(_ v: Int, _ d: Int) -> String { var b = [UInt8](); b.appendScaledDecimal(v, decimals: d); return String(decoding: b, as: UTF8.self) }
        XCTAssertEqual(scaled(12_340, 4), "1.234")
        XCTAssertEqual(scaled(5, 8), "0.00000005")
        XCTAssertEqual(scaled(0, 2), "0")
        XCTAssertEqual(scaled(8120, 1), "812")
        XCTAssertEqual(scaled(8124, 1), "812.4")
        var b = [UInt8]()
        b.appendDecimal(0); b.append(0x20); b.appendDecimal(-42); b.append(0x20); b.appendDecimal(UInt64.max)
        b.append(0x20); b.appendDecimal(Int.min)
        XCTAssertEqual(String(decoding: b, as: UTF8.self), "0 -42 18446744073709551615 -9223372036854775808")
        b.removeAll(); b.appendHex(0xABC, digits: 5)
        XCTAssertEqual(String(decoding: b, as: UTF8.self), "00abc")
    }

    func testJSONEscapingRoundTrips() throws {
        let original = "tab\there \"quoted\" back\\slash\nnew line \u{01} é 東京 😀"
        var b: [UInt8] = [0x22]
        b.appendJSONEscaped(Array(original.utf8))
        b.append(0x22)
        XCTAssertEqual(try JSONValue.parse(b).stringValue, original)
    }

    func testInflection() {
        XCTAssertTrue(Inflection.forms("update") == ("updates", "updated", "updating"))
        XCTAssertTrue(Inflection.forms("verify") == ("verifies", "verified", "verifying"))
        XCTAssertTrue(Inflection.forms("deploy") == ("deploys", "deployed", "deploying"))
        XCTAssertTrue(Inflection.forms("fix") == ("fixes", "fixed", "fixing"))
        XCTAssertTrue(Inflection.forms("plan") == ("plans", "planned", "planning"))
        XCTAssertTrue(Inflection.forms("roll back") == ("rolls back", "rolled back", "rolling back"))
        XCTAssertTrue(Inflection.forms("write") == ("writes", "written", "writing"))
        XCTAssertTrue(Inflection.forms("set up") == ("sets up", "set up", "setting up"))
        XCTAssertTrue(Inflection.forms("tie") == ("ties", "tied", "tying"))
        XCTAssertEqual(Inflection.plural("audit log"), "audit logs")
        XCTAssertEqual(Inflection.plural("policy"), "policies")
        XCTAssertEqual(Inflection.plural("analysis"), "analyses")
        XCTAssertEqual(Inflection.plural("branch"), "branches")
        XCTAssertEqual(Inflection.plural("key"), "keys")
    }

    func testWordListsAndTemplatesAreWellFormed() {
        let lexicon = Lexicon.shared
        for (slot, list) in zip(Slot.allCases, lexicon.lists) where slot.isWordList {
            for i in 0..<list.count {
                let item = String(decoding: list.bytes[list.range(i)], as: UTF8.self)
                XCTAssertFalse(item.isEmpty, "\(slot)")
                XCTAssertFalse(item.contains("\n") || item.contains("|") || item.contains("\"") || item.contains("\\"),
                               "\(slot) item \(item.debugDescription)")
            }
        }
        XCTAssertGreaterThan(lexicon.nounsSingular.count, 1000)
        XCTAssertEqual(lexicon.nounsSingular.count, lexicon.nounsPlural.count)
        XCTAssertGreaterThan(lexicon.verbs.count, 700)
        XCTAssertEqual(Universe.shared.models.count, 23)
    }

    // MARK: Helpers

    /// Milliseconds since the epoch of an RFC 3339 UTC timestamp with exactly three fraction digits.
    static func parseTimestamp(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        guard b.count == 24, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54, b[13] == 0x3A, b[16] == 0x3A, b[19] == 0x2E,
              b[23] == 0x5A else { return nil }
        func num(_ r: Range<Int>) -> Int? {
            var v = 0
            for i in r { guard b[i] >= 0x30 && b[i] <= 0x39 else { return nil }; v = v * 10 + Int(b[i] - 0x30) }
            return v
        }
        guard let y = num(0..<4), let mo = num(5..<7), let d = num(8..<10), let h = num(11..<13), let mi = num(14..<16),
              let s = num(17..<19), let ms = num(20..<23), (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 60
        else { return nil }
        let days = CivilDate.days(year: y, month: mo, day: d)
        return ((Int64(days) * 24 + Int64(h)) * 60 + Int64(mi)) * 60_000 + Int64(s) * 1000 + Int64(ms)
    }
}
