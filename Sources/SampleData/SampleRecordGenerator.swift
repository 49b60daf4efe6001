import Foundation

/// A deterministic generator of realistic LLM-gateway audit records in gatelog's wire format
/// (one compact JSON object per record; see issue 2 and docs/FORMAT.md).
///
/// The same seed, start time, duration, regions and expected count always produce the same
/// bytes, on every platform: randomness comes from xoshiro256** seeded with SplitMix64, and
/// numbers are formatted from integers. Records follow the envelope field order
/// `id, ts, region, tenant, team, user, api_key_id, kind, model, provider, route, metadata,
/// request, response, usage, cost_usd, latency_ms, status, error, trace, guardrails`.
///
/// The population is fixed: 50 tenants (Zipf-distributed traffic), about 2,000 users
/// (`first.last@tenant.com`), about 10,000 customers (`metadata.customer_id`), 23 models from
/// 9 providers, 8 MCP servers. Sizes: median about 2 KB, mean about 2.5 KB, tail to about 25 KB.
/// About 10% of records carry an email address or phone number in their content, 2% a card
/// number or IBAN and 1% an API key; `lastPlantedValues` lists them for the last record.
public struct SampleRecordGenerator: Sendable {
    var rng: Xoshiro256StarStar
    let startMilliseconds: Int64
    let durationMilliseconds: Int64
    let expectedCount: Int
    let regionNames: [[UInt8]]
    let regionPick: WeightedIndex
    let tenantHomeRegion: [Int]
    let lex = Lexicon.shared
    let universe = Universe.shared

    /// How many records this generator has produced.
    public private(set) var recordsGenerated = 0
    /// The sensitive values planted in the most recently generated record (empty for most records).
    public internal(set) var lastPlantedValues: [PlantedValue] = []

    // Scratch buffers, reused across records.
    var text: [UInt8] = []
    var request: [UInt8] = []
    var response: [UInt8] = []
    // Per-record context read by template slots.
    var tenant = 0
    var language = 0
    var clockMilliseconds: Int64 = -1
    var piiValue: [UInt8] = []
    var pendingContact = false, pendingFinancial = false, pendingSecret = false
    var inputBytes = 0, outputBytes = 0, messages = 0

    /// The default regions and their traffic shares (45%, 40%, 15%).
    public static let defaultRegions = ["eu-west-1", "us-east-1", "ap-south-1"]

    /// Creates a generator.
    /// - Parameters:
    ///   - seed: any 64-bit value; equal seeds give equal output.
    ///   - startTime: the earliest record timestamp.
    ///   - duration: the time range (seconds) the timestamps spread over; must be positive.
    ///   - regions: region names; the default is `defaultRegions`. Traffic shares decrease with the
    ///     position in the list; each tenant sends 90% of its traffic to its home region.
    ///   - expectedCount: how many records are meant to span `duration`. Timestamps advance
    ///     (with jitter and occasional late arrivals) so that record `expectedCount - 1` lands
    ///     near the end; later records start over from `startTime`.
    public init(seed: UInt64, startTime: Date, duration: TimeInterval, regions: [String]? = nil, expectedCount: Int = 1_000_000) {
        precondition(duration > 0, "duration must be positive")
        precondition(expectedCount > 0, "expectedCount must be positive")
        rng = Xoshiro256StarStar(seed: seed)
        startMilliseconds = Int64((startTime.timeIntervalSince1970 * 1000).rounded(.down))
        durationMilliseconds = max(1, Int64((duration * 1000).rounded(.down)))
        self.expectedCount = expectedCount
        let names = (regions?.isEmpty == false ? regions! : SampleRecordGenerator.defaultRegions)
        regionNames = names.map { Array($0.utf8) }
        regionPick = names == SampleRecordGenerator.defaultRegions
            ? WeightedIndex(weights: [45, 40, 15]) : WeightedIndex.zipf(count: names.count, offset: 0.5)
        let pick = regionPick
        tenantHomeRegion = Universe.shared.tenants.map { pick.index(atUnit: Double($0.regionBias >> 10) * 0x1.0p-53) }
        text.reserveCapacity(32 * 1024); request.reserveCapacity(32 * 1024); response.reserveCapacity(32 * 1024)
    }

    /// The next record as one compact JSON object (UTF-8, no trailing newline).
    /// O(record size).
    public mutating func nextLine() -> [UInt8] {
        var line = [UInt8]()
        line.reserveCapacity(4096)
        appendNextLine(to: &line)
        return line
    }

    /// Appends the next record (no trailing newline) to `buffer`; the allocation-free form of `nextLine()`.
    /// O(record size).
    public mutating func appendNextLine(to out: inout [UInt8]) {
        let index = recordsGenerated
        recordsGenerated += 1
        lastPlantedValues.removeAll(keepingCapacity: true)

        // Who, where, what.
        tenant = universe.tenantPick.sample(&rng)
        let tenantInfo = universe.tenants[tenant]
        let user = tenantInfo.users[tenantInfo.userPick.sample(&rng)]
        let team = universe.teams[user.team]
        let region = rng.chance(0.9) ? tenantHomeRegion[tenant] : regionPick.sample(&rng)
        let kindDraw = rng.nextUnit()
        let kind: Kind = kindDraw < 0.80 ? .chat : kindDraw < 0.89 ? .embeddings : kindDraw < 0.92 ? .completion : .mcpToolCall
        var feature: [UInt8]
        var category = Category.general
        let modelIndex: Int
        var mcpServer = 0
        switch kind {
        case .chat:
            let f = team.chatFeatures[WeightedIndex.zipf(count: team.chatFeatures.count, offset: 0.5).sample(&rng)]
            feature = f.name; category = f.category
            modelIndex = tenantInfo.chatModels[tenantInfo.chatModelPick.sample(&rng)]
        case .embeddings:
            feature = universe.embeddingFeatures[rng.below(universe.embeddingFeatures.count)]
            modelIndex = universe.embeddingModels[WeightedIndex.zipf(count: universe.embeddingModels.count).sample(&rng)]
        case .completion:
            feature = universe.completionFeatures[rng.below(universe.completionFeatures.count)]
            modelIndex = universe.completionModels[rng.below(universe.completionModels.count)]
        case .mcpToolCall:
            feature = team.agentFeature
            modelIndex = -1
            mcpServer = rng.below(universe.mcpServers.count)
        }
        let customer = tenantInfo.customerPick.sample(&rng) + 1

        // Outcome.
        let statusDraw = rng.nextUnit()
        let status: Int = statusDraw < 0.963 ? 200 : statusDraw < 0.983 ? 429 : statusDraw < 0.989 ? 500
            : statusDraw < 0.992 ? 503 : statusDraw < 0.998 ? 400 : 504
        let isSuccess = status == 200
        let timestamp = nextTimestamp(index)
        clockMilliseconds = -1

        pendingContact = rng.chance(0.10)
        pendingFinancial = rng.chance(0.02)
        pendingSecret = rng.chance(0.01)

        // Content: request and response objects, built first because usage and cost depend on them.
        request.removeAll(keepingCapacity: true)
        response.removeAll(keepingCapacity: true)
        inputBytes = 0; outputBytes = 0; messages = 0
        let budget = min(21_000, Int(rng.nextLogNormal(median: 860, sigma: 0.8)))
        var finishReason: StaticString = "stop"
        var toolCall = false
        switch kind {
        case .chat:
            let model = universe.models[modelIndex]
            toolCall = buildChat(category: category, budget: budget, model: model, timestamp: timestamp)
            finishReason = toolCall ? "tool_calls" : (rng.chance(0.03) ? "length" : "stop")
        case .embeddings: buildEmbeddings(budget: budget)
        case .completion: buildCompletion(budget: budget)
        case .mcpToolCall:
            buildMCP(server: mcpServer, budget: budget)
            // The tool result (where MCP records carry planted values) is dropped when the call failed.
            if !isSuccess { lastPlantedValues.removeAll(keepingCapacity: true) }
        }
        assert(!(pendingContact || pendingFinancial || pendingSecret), "every content builder plants pending values")

        // Envelope.
        out.appendStatic("{\"id\":\"req_")
        out.appendHex(rng.next(), digits: 16); out.appendHex(rng.next(), digits: 8)
        out.appendStatic("\",\"ts\":\""); out.appendTimestamp(milliseconds: timestamp)
        out.appendStatic("\",\"region\":\""); out += regionNames[region]
        out.appendStatic("\",\"tenant\":\""); out += tenantInfo.name
        out.appendStatic("\",\"team\":\""); out += team.name
        out.appendStatic("\",\"user\":\""); out += user.email
        out.appendStatic("\",\"api_key_id\":\""); out += user.apiKey
        out.appendStatic("\",\"kind\":\"")
        switch kind {
        case .chat: out.appendStatic("chat")
        case .embeddings: out.appendStatic("embeddings")
        case .completion: out.appendStatic("completion")
        case .mcpToolCall: out.appendStatic("mcp_tool_call")
        }
        out.appendStatic("\",\"model\":\"")
        var backend: [UInt8]
        if modelIndex >= 0 {
            let model = universe.models[modelIndex]
            out += model.name
            out.appendStatic("\",\"provider\":\""); out += model.provider
            backend = model.backends[rng.below(model.backends.count)]
        } else {
            out.appendStatic("mcp/"); out += universe.mcpServers[mcpServer].name
            out.appendStatic("\",\"provider\":\"mcp")
            backend = Array("mcp-".utf8) + universe.mcpServers[mcpServer].name
        }
        let fallback = rng.chance(0.03)
        out.appendStatic("\",\"route\":{\"rule_id\":\""); out += universe.routeRules[(tenant + user.team) % universe.routeRules.count]
        out.appendStatic("\",\"backend\":\""); out += backend
        out.appendStatic("\",\"strategy\":\""); out += universe.strategies[(tenant / 3 + user.team) % universe.strategies.count]
        out.appendStatic(fallback ? "\",\"fallback\":true,\"attempts\":" : "\",\"fallback\":false,\"attempts\":")
        out.appendDecimal(fallback ? (rng.chance(0.2) ? 3 : 2) : 1)

        let envDraw = rng.nextUnit()
        out.appendStatic("},\"metadata\":{\"environment\":\"")
        out.appendStatic(envDraw < 0.82 ? "prod" : envDraw < 0.95 ? "staging" : "dev")
        out.appendStatic("\",\"feature\":\""); out += feature
        out.appendStatic("\",\"customer_id\":\""); out += tenantInfo.name; out.append(UInt8(ascii: "-")); out.appendDecimal(customer)
        if rng.chance(0.25) { out.appendStatic("\",\"session_id\":\"sess_"); out.appendHex(rng.next(), digits: 12) }
        if rng.chance(0.3) {
            out.appendStatic("\",\"app_version\":\"")
            out.appendStatic(rng.chance(0.6) ? "web-2." : "ios-5.")
            out.appendDecimal(rng.below(20)); out.append(UInt8(ascii: ".")); out.appendDecimal(rng.below(10))
        }
        if rng.chance(0.08) { out.appendStatic("\",\"experiment\":\"prompt-v"); out.appendDecimal(2 + rng.below(4)) }
        out.appendStatic("\"},\"request\":")
        out += request
        out.appendStatic(",\"response\":")
        if isSuccess {
            switch kind {
            case .chat:
                out.appendStatic("{\"choices\":[{\"message\":")
                out += response
                out.appendStatic(",\"finish_reason\":\""); out.appendStatic(finishReason); out.appendStatic("\"}]}")
            case .completion:
                out.appendStatic("{\"choices\":[{\"text\":\""); out += response
                out.appendStatic("\",\"finish_reason\":\"stop\"}]}")
            case .embeddings, .mcpToolCall:
                out += response
            }
        } else {
            out.appendStatic("null")
        }

        // Usage and cost, consistent with the content sizes and the model's prices.
        var inputTokens = 0, outputTokens = 0, reasoningTokens = 0
        var costUnits = 0
        if modelIndex >= 0 && status != 429 && status != 503 {
            let model = universe.models[modelIndex]
            inputTokens = (inputBytes + 3) / 4 + 3 * messages + 1
            if isSuccess && model.use != .embedding {
                outputTokens = (outputBytes + 3) / 4 + 1
                if model.isReasoning { reasoningTokens = 64 * (1 + rng.below(24)); outputTokens += reasoningTokens }
            }
            if !isSuccess && status != 400 { inputTokens = 0 }
            costUnits = inputTokens * model.inputPrice + outputTokens * model.outputPrice
        }
        out.appendStatic(",\"usage\":{\"input_tokens\":"); out.appendDecimal(inputTokens)
        out.appendStatic(",\"output_tokens\":"); out.appendDecimal(outputTokens)
        if reasoningTokens > 0 { out.appendStatic(",\"reasoning_tokens\":"); out.appendDecimal(reasoningTokens) }
        out.appendStatic("},\"cost_usd\":"); out.appendScaledDecimal(costUnits, decimals: 8)

        // Latency (milliseconds, one decimal): log-normal TTFT and inter-token latency.
        out.appendStatic(",\"latency_ms\":{\"total\":")
        if isSuccess && (kind == .chat || kind == .completion) {
            let model = universe.models[modelIndex]
            let ttft = rng.nextLogNormal(median: model.medianTTFT, sigma: 0.45) + Double(inputTokens) * 0.015
            let itl = rng.nextLogNormal(median: model.medianITL, sigma: 0.25)
            var total = ttft + Double(outputTokens) * itl + rng.nextLogNormal(median: 12, sigma: 0.5)
            if fallback { total += rng.nextLogNormal(median: 900, sigma: 0.6) }
            out.appendScaledDecimal(tenths(total), decimals: 1)
            out.appendStatic(",\"ttft\":"); out.appendScaledDecimal(tenths(ttft), decimals: 1)
            out.appendStatic(",\"itl\":"); out.appendScaledDecimal(tenths(itl), decimals: 1)
        } else {
            let total: Double
            switch status {
            case 200: total = kind == .embeddings ? rng.nextLogNormal(median: 90 + Double(inputTokens) * 0.04, sigma: 0.4)
                : rng.nextLogNormal(median: 280, sigma: 0.8)
            case 429: total = rng.nextLogNormal(median: 35, sigma: 0.5)
            case 400: total = rng.nextLogNormal(median: 60, sigma: 0.5)
            case 500: total = rng.nextLogNormal(median: 900, sigma: 0.8)
            case 503: total = rng.nextLogNormal(median: 120, sigma: 0.5)
            default: total = 30_000 + rng.nextUnit() * 30_000
            }
            out.appendScaledDecimal(tenths(total), decimals: 1)
            out.appendStatic(",\"ttft\":null,\"itl\":null")
        }
        out.appendStatic("},\"status\":"); out.appendDecimal(status)
        out.appendStatic(",\"error\":")
        appendError(status: status, kind: kind, modelIndex: modelIndex, to: &out)

        out.appendStatic(",\"trace\":{\"trace_id\":\"")
        out.appendHex(rng.next(), digits: 16); out.appendHex(rng.next(), digits: 16)
        out.appendStatic("\",\"span_id\":\""); out.appendHex(rng.next(), digits: 16)
        out.appendStatic("\"},\"guardrails\":[")
        if !lastPlantedValues.isEmpty {
            out.appendStatic("{\"name\":\"pii\",\"action\":\"")
            out.appendStatic(rng.chance(0.7) ? "redact" : "flag")
            out.appendStatic("\",\"latency_ms\":"); out.appendScaledDecimal(tenths(rng.nextLogNormal(median: 4, sigma: 0.5)), decimals: 1)
            out.append(UInt8(ascii: "}"))
        } else {
            let g = rng.nextUnit()
            if g < 0.45 {
                out.appendStatic("{\"name\":\"pii\",\"action\":\"allow\",\"latency_ms\":")
                out.appendScaledDecimal(tenths(rng.nextLogNormal(median: 3, sigma: 0.5)), decimals: 1)
                out.append(UInt8(ascii: "}"))
                if rng.chance(0.3) {
                    out.appendStatic(",{\"name\":\"prompt_injection\",\"action\":\"allow\",\"score\":0.0")
                    out.appendDecimal(rng.below(9) + 1); out.append(UInt8(ascii: "}"))
                }
            } else if g < 0.47 {
                out.appendStatic("{\"name\":\"toxicity\",\"action\":\"flag\",\"score\":0.")
                out.appendDecimal(rng.int(in: 50...99)); out.append(UInt8(ascii: "}"))
            }
        }
        out.appendStatic("]}")
    }

    @inline(__always) func tenths(_ x: Double) -> Int { Int((x * 10).rounded()) }

    mutating func nextTimestamp(_ index: Int) -> Int64 {
        let slot = Int64(index % expectedCount)
        let spacing = max(1, durationMilliseconds / Int64(expectedCount))
        var t = startMilliseconds + slot * durationMilliseconds / Int64(expectedCount)
        t += Int64(rng.below(Int(min(spacing * 2, 1 << 40))))
        if rng.chance(0.01) { t -= Int64(rng.below(5000)) }
        return min(max(t, startMilliseconds), startMilliseconds + durationMilliseconds - 1)
    }

    func appendError(status: Int, kind: Kind, modelIndex: Int, to out: inout [UInt8]) {
        switch status {
        case 200: out.appendStatic("null")
        case 429:
            out.appendStatic("{\"type\":\"rate_limit\",\"code\":\"rate_limit_exceeded\",\"message\":\"Rate limit reached for ")
            if modelIndex >= 0 { out += universe.models[modelIndex].name } else { out.appendStatic("tool calls") }
            out.appendStatic(" on tokens per min (TPM). Please try again in 20s.\"}")
        case 500: out.appendStatic("{\"type\":\"server_error\",\"code\":\"internal_error\",\"message\":\"The upstream server had an error while processing the request.\"}")
        case 503: out.appendStatic("{\"type\":\"upstream_unavailable\",\"code\":\"no_healthy_backend\",\"message\":\"All backends for the route are unavailable.\"}")
        case 400:
            if kind == .mcpToolCall {
                out.appendStatic("{\"type\":\"invalid_request\",\"code\":\"invalid_arguments\",\"message\":\"Tool arguments do not match the input schema.\"}")
            } else {
                out.appendStatic("{\"type\":\"invalid_request\",\"code\":\"context_length_exceeded\",\"message\":\"The request exceeds the model's maximum context length.\"}")
            }
        default: out.appendStatic("{\"type\":\"timeout\",\"code\":\"upstream_timeout\",\"message\":\"The upstream did not answer within 60000 ms.\"}")
        }
    }

}


/// The outcome of writing an NDJSON file.
public struct NDJSONWriteSummary: Sendable, Equatable {
    /// Records written.
    public let records: Int
    /// Bytes written, newlines included.
    public let bytes: Int
    /// Wall-clock seconds spent generating and writing.
    public let seconds: Double
}

/// A failure to create or write the output file. The message names the path and the
/// system error, never record content.
public struct SampleDataError: Error, CustomStringConvertible, Sendable {
    /// The file involved.
    public let path: String
    /// What went wrong, in words.
    public let message: String
    /// A readable description.
    public var description: String { "\(path): \(message)" }
}

extension SampleRecordGenerator {
    /// Generates `count` records and writes them to `path` as NDJSON (one record per line,
    /// each followed by `\n`), replacing any existing file. Bytes are built directly and written
    /// in 4 MiB chunks. O(count × record size); memory O(1).
    /// - Throws: `SampleDataError` when the file cannot be created or written.
    @discardableResult
    public mutating func writeNDJSON(count: Int, toFile path: String) throws -> NDJSONWriteSummary {
        precondition(count >= 0, "count must not be negative")
        let started = DispatchTime.now().uptimeNanoseconds
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SampleDataError(path: path, message: "cannot create the file: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let chunkSize = 4 << 20
        var buffer = [UInt8]()
        buffer.reserveCapacity(chunkSize + 64 * 1024)
        var total = 0
        func flush(_ buffer: inout [UInt8]) throws {
            try buffer.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw SampleDataError(path: path, message: "write failed: \(String(cString: strerror(errno)))")
                    }
                    offset += n
                }
            }
            total += buffer.count
            buffer.removeAll(keepingCapacity: true)
        }
        for _ in 0..<count {
            appendNextLine(to: &buffer)
            buffer.append(0x0A)
            if buffer.count >= chunkSize { try flush(&buffer) }
        }
        try flush(&buffer)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return NDJSONWriteSummary(records: count, bytes: total, seconds: seconds)
    }

    /// Convenience: a fresh generator with the given parameters writes `count` records to `path`.
    /// See `writeNDJSON(count:toFile:)`.
    @discardableResult
    public static func writeNDJSON(count: Int, seed: UInt64, startTime: Date, duration: TimeInterval,
                                   regions: [String]? = nil, toFile path: String) throws -> NDJSONWriteSummary {
        var generator = SampleRecordGenerator(seed: seed, startTime: startTime, duration: duration, regions: regions,
                                              expectedCount: max(1, count))
        return try generator.writeNDJSON(count: count, toFile: path)
    }
}
