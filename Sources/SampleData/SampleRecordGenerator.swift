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
    private var rng: Xoshiro256StarStar
    private let startMilliseconds: Int64
    private let durationMilliseconds: Int64
    private let expectedCount: Int
    private let regionNames: [[UInt8]]
    private let regionPick: WeightedIndex
    private let tenantHomeRegion: [Int]
    private let lex = Lexicon.shared
    private let universe = Universe.shared

    /// How many records this generator has produced.
    public private(set) var recordsGenerated = 0
    /// The sensitive values planted in the most recently generated record (empty for most records).
    public private(set) var lastPlantedValues: [PlantedValue] = []

    // Scratch buffers, reused across records.
    private var text: [UInt8] = []
    private var request: [UInt8] = []
    private var response: [UInt8] = []
    // Per-record context read by template slots.
    private var tenant = 0
    private var language = 0
    private var clockMilliseconds: Int64 = -1
    private var piiValue: [UInt8] = []
    private var pendingContact = false, pendingFinancial = false, pendingSecret = false
    private var inputBytes = 0, outputBytes = 0, messages = 0

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

    @inline(__always) private func tenths(_ x: Double) -> Int { Int((x * 10).rounded()) }

    private mutating func nextTimestamp(_ index: Int) -> Int64 {
        let slot = Int64(index % expectedCount)
        let spacing = max(1, durationMilliseconds / Int64(expectedCount))
        var t = startMilliseconds + slot * durationMilliseconds / Int64(expectedCount)
        t += Int64(rng.below(Int(min(spacing * 2, 1 << 40))))
        if rng.chance(0.01) { t -= Int64(rng.below(5000)) }
        return min(max(t, startMilliseconds), startMilliseconds + durationMilliseconds - 1)
    }

    private func appendError(status: Int, kind: Kind, modelIndex: Int, to out: inout [UInt8]) {
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

    // MARK: - Text

    /// Appends the expansion of `template` to `text`.
    private mutating func expand(_ template: Template) {
        for piece in template.pieces {
            switch piece {
            case .literal(let start, let end):
                template.bytes.withUnsafeBufferPointer { text.append(contentsOf: UnsafeBufferPointer(rebasing: $0[Int(start)..<Int(end)])) }
            case .slot(let slot, let ordinal):
                if ordinal <= lex.lastWordListOrdinal {
                    let list = lex.lists[Int(ordinal)]
                    let range = list.range(rng.below(list.count))
                    list.bytes.withUnsafeBufferPointer { text.append(contentsOf: UnsafeBufferPointer(rebasing: $0[range])) }
                } else {
                    appendComputed(slot)
                }
            }
        }
    }

    @inline(__always) private mutating func expandOne(_ set: TemplateSet) {
        expand(set.templates[rng.below(set.count)])
    }

    /// Appends random templates from `set`, separated by `separator`, until `text` holds at least `limit` bytes.
    /// With probability `prose` each unit is a free sentence from the prose grammar instead of a template.
    private mutating func fill(_ set: TemplateSet, until limit: Int, separator: StaticString = " ", prose: Double = 0) {
        var first = true
        repeat {
            if !first { text.appendStatic(separator) }
            first = false
            if prose > 0 && rng.nextUnit() < prose { appendProse() } else { expandOne(set) }
        } while text.count < limit
    }

    // MARK: - Prose grammar

    @inline(__always) private mutating func word(_ list: WordList) {
        let range = list.range(rng.below(list.count))
        list.bytes.withUnsafeBufferPointer { text.append(contentsOf: UnsafeBufferPointer(rebasing: $0[range])) }
    }

    private mutating func nounPhrase(plural: Bool) {
        word(plural ? lex.pluralDeterminers : lex.determiners); text.append(0x20)
        if rng.chance(0.55) { word(lex.adjectives); text.append(0x20) }
        word(plural ? lex.nounsPlural : lex.nounsSingular)
        if rng.chance(0.15) { text.appendStatic(" of "); word(lex.determiners); text.append(0x20); word(lex.nounsSingular) }
    }

    private mutating func prepositionalPhrase() {
        switch rng.below(6) {
        case 0: text.append(0x20); word(lex.deadlines)
        case 1: text.appendStatic(" in "); word(lex.cities)
        default: text.append(0x20); word(lex.prepositions); text.append(0x20); nounPhrase(plural: rng.chance(0.4))
        }
    }

    private mutating func verbPhrase() {
        word(lex.modals); text.append(0x20)
        if rng.chance(0.2) { word(lex.adverbs); text.append(0x20) }
        verb(.base); text.append(0x20); nounPhrase(plural: rng.chance(0.4))
        if rng.chance(0.5) { prepositionalPhrase() }
    }

    private enum VerbForm { case base, thirdPerson, pastParticiple, presentParticiple }

    @inline(__always) private mutating func verb(_ form: VerbForm) {
        let i = rng.below(lex.verbs.count)
        let list: WordList
        switch form {
        case .base: list = lex.verbs
        case .thirdPerson: list = lex.verbsThirdPerson
        case .pastParticiple: list = lex.verbsPastParticiple
        case .presentParticiple: list = lex.verbsPresentParticiple
        }
        let range = list.range(i)
        list.bytes.withUnsafeBufferPointer { text.append(contentsOf: UnsafeBufferPointer(rebasing: $0[range])) }
    }

    @inline(__always) private mutating func space() { text.append(0x20) }

    private mutating func personName() {
        word(lex.firstNames)
        if rng.chance(0.4) { space(); word(lex.lastNamesList) }
    }

    /// A number, amount, date or duration, as business text is full of them.
    private mutating func quantity() {
        switch rng.below(6) {
        case 0: appendComputed(.money)
        case 1: appendComputed(.pct)
        case 2: word(lex.months); space(); text.appendDecimal(rng.int(in: 1...28))
        case 3: appendComputed(.dur)
        case 4: text.appendDecimal(rng.int(in: 2...5000)); space(); word(lex.nounsPlural)
        default: appendComputed(.date)
        }
    }

    /// Appends one sentence from a small English grammar over the large word lists (with verb
    /// inflection, names, numbers and dates): every sentence is new, so text built from it
    /// compresses like natural language rather than like repeated templates.
    private mutating func appendProse() {
        let start = text.count
        if rng.chance(0.15) { word(lex.connectors); space() }
        var question = false
        switch rng.below(20) {
        case 0, 1:
            if rng.chance(0.5) { word(lex.subjects) } else { nounPhrase(plural: rng.chance(0.4)) }
            space(); verbPhrase()
        case 2:
            nounPhrase(plural: false); text.appendStatic(" is "); word(lex.adjectives)
            space(); word(lex.conjunctions); space(); nounPhrase(plural: true)
            text.appendStatic(" are "); if rng.chance(0.4) { word(lex.adverbs); space() }; word(lex.adjectives)
        case 3:
            nounPhrase(plural: true); text.appendStatic(" are "); word(lex.adverbs); space(); word(lex.adjectives)
            prepositionalPhrase()
        case 4:
            word(lex.subjects); space(); verbPhrase()
            text.appendStatic(rng.chance(0.5) ? " before " : " after "); verb(.presentParticiple); space(); nounPhrase(plural: true)
        case 5:
            question = true
            text.appendStatic(rng.chance(0.5) ? "can we " : "could you "); verb(.base); space()
            nounPhrase(plural: rng.chance(0.4)); prepositionalPhrase()
        case 6:
            text.appendStatic("please "); verb(.base); space(); nounPhrase(plural: false)
            text.appendStatic(" and "); verb(.base); space(); nounPhrase(plural: true); prepositionalPhrase()
        case 7:
            text.appendStatic("there are "); text.appendDecimal(rng.int(in: 2...400)); space(); word(lex.adjectives)
            space(); word(lex.nounsPlural); prepositionalPhrase()
            text.appendStatic(", "); word(lex.conjunctions); space(); word(lex.subjects); space(); verbPhrase()
        case 8:
            personName(); text.appendStatic(rng.chance(0.5) ? " said that " : " thinks that ")
            nounPhrase(plural: false); text.appendStatic(" is "); word(lex.adjectives)
            space(); word(lex.conjunctions); space(); nounPhrase(plural: true); text.appendStatic(" are ")
            word(lex.adjectives)
        case 9:
            text.appendStatic("if "); nounPhrase(plural: false); text.appendStatic(" is "); word(lex.adjectives)
            text.appendStatic(", "); word(lex.subjects); space(); verbPhrase()
        case 10:
            nounPhrase(plural: rng.chance(0.5)); text.appendStatic(rng.chance(0.5) ? " was " : " has been ")
            word(lex.adverbs); space(); verb(.pastParticiple); prepositionalPhrase()
        case 11:
            personName(); space(); verb(.thirdPerson); space(); nounPhrase(plural: true)
            text.appendStatic(" every "); word(lex.weekdays); text.appendStatic(rng.chance(0.5) ? " morning" : "")
        case 12:
            text.appendStatic("we are "); verb(.presentParticiple); space(); nounPhrase(plural: rng.chance(0.5))
            text.appendStatic(" for "); word(lex.companies); text.appendStatic(", which means "); nounPhrase(plural: false)
            text.appendStatic(" will be "); verb(.pastParticiple); space(); word(lex.deadlines)
        case 13:
            personName(); text.appendStatic(" has "); verb(.pastParticiple); space(); quantity()
            text.appendStatic(" since "); word(lex.months); space(); text.appendDecimal(rng.int(in: 1...28))
        case 14:
            nounPhrase(plural: false); text.appendStatic(" cost "); appendComputed(.money); text.appendStatic(" in ")
            word(lex.months); text.appendStatic(", "); appendComputed(.pct)
            text.appendStatic(rng.chance(0.5) ? " more than " : " less than "); appendComputed(.dur); text.appendStatic(" earlier")
        case 15:
            text.appendStatic("between "); appendComputed(.date); text.appendStatic(" and "); appendComputed(.date)
            text.appendStatic(", "); text.appendDecimal(rng.int(in: 2...900)); space(); word(lex.nounsPlural)
            text.appendStatic(" were "); verb(.pastParticiple); space(); word(lex.adverbs)
        case 16:
            question = true
            text.appendStatic(rng.chance(0.5) ? "why is " : "since when is "); nounPhrase(plural: false); space()
            word(lex.adjectives); text.appendStatic(" when "); word(lex.subjects); space(); verb(.base); space()
            nounPhrase(plural: true)
        case 17:
            text.appendStatic("after "); verb(.presentParticiple); space(); nounPhrase(plural: false)
            text.appendStatic(", "); personName(); space(); verb(.thirdPerson); space(); nounPhrase(plural: true)
            text.appendStatic(" at "); word(lex.companies)
        case 18:
            text.appendStatic("the "); word(lex.metrics); text.appendStatic(" for "); word(lex.products)
            text.appendStatic(rng.chance(0.5) ? " went up to " : " dropped to "); quantity()
            text.appendStatic(" after "); word(lex.services2); text.appendStatic(" was "); verb(.pastParticiple)
        default:
            word(lex.subjects); space(); verbPhrase()
            text.appendStatic(", "); word(lex.conjunctions); space(); word(lex.subjects); space(); verbPhrase()
        }
        text.append(question ? UInt8(ascii: "?") : UInt8(ascii: "."))
        if text[start] >= 0x61 && text[start] <= 0x7A { text[start] -= 0x20 }
    }

    /// A retrieved knowledge-base passage, as RAG features put into prompts.
    private mutating func appendKnowledgeBaseDocument() {
        text.append(UInt8(ascii: "[")); text.appendDecimal(1 + rng.below(8)); text.appendStatic("] ")
        let titleStart = text.count
        verb(.presentParticiple); space(); nounPhrase(plural: rng.chance(0.5))
        if text[titleStart] >= 0x61 && text[titleStart] <= 0x7A { text[titleStart] -= 0x20 }
        text.appendStatic(" (https://kb."); text += universe.tenants[tenant].name; text.appendStatic(".com/articles/")
        text.appendDecimal(rng.int(in: 1000...99_999)); text.append(UInt8(ascii: "-"))
        let slugStart = text.count
        word(lex.nounsSingular); text.append(UInt8(ascii: "-")); word(lex.verbs)
        for k in slugStart..<text.count where text[k] == 0x20 { text[k] = UInt8(ascii: "-") }
        text.appendStatic(", updated "); appendComputed(.date); text.appendStatic(", score 0.")
        text.appendDecimal(rng.int(in: 50...99)); text.appendStatic(")\n")
        for i in 0..<(2 + rng.below(4)) { if i > 0 { space() }; appendProse() }
    }

    /// A pasted table (CSV or Markdown) of business data: ids, dates, names, amounts and statuses.
    private mutating func appendDataTable(rows: Int) {
        let markdown = rng.chance(0.5)
        let schema = rng.below(3)
        let headers: [StaticString] = [
            "order_id,date,customer,country,amount,currency,status",
            "account,owner,plan,seats,mrr,churn_risk,last_login",
            "day,metric,service,value,change,p95_ms,errors",
        ]
        func separator(_ g: inout SampleRecordGenerator) { g.text.appendStatic(markdown ? " | " : ",") }
        if markdown {
            text.appendStatic("| ")
            let header = headers[schema]
            var first = true
            for column in String(decoding: UnsafeBufferPointer(start: header.utf8Start, count: header.utf8CodeUnitCount), as: UTF8.self).split(separator: ",") {
                if !first { text.appendStatic(" | ") }
                first = false
                text += Array(column.utf8)
            }
            text.appendStatic(" |\n|")
            for _ in 0..<7 { text.appendStatic("---|") }
        } else {
            text.appendStatic(headers[schema])
        }
        for _ in 0..<rows {
            text.append(0x0A)
            if markdown { text.appendStatic("| ") }
            switch schema {
            case 0:
                appendComputed(.orderid); separator(&self); appendComputed(.date); separator(&self)
                word(lex.companies); separator(&self); word(lex.cities); separator(&self)
                text.appendDecimal(rng.int(in: 5...20_000)); text.append(UInt8(ascii: ".")); text.appendDecimal(rng.below(100), width: 2)
                separator(&self); text.appendStatic(["EUR", "USD", "GBP", "INR"][rng.below(4)]); separator(&self); word(lex.adjectives)
            case 1:
                word(lex.companies); separator(&self); personName(); separator(&self)
                text.appendStatic(["Starter", "Pro", "Business", "Enterprise"][rng.below(4)]); separator(&self)
                text.appendDecimal(rng.int(in: 1...900)); separator(&self); text.appendDecimal(rng.int(in: 20...90_000))
                separator(&self); text.appendStatic("0."); text.appendDecimal(rng.below(100), width: 2); separator(&self); appendComputed(.date)
            default:
                appendComputed(.date); separator(&self); word(lex.metrics); separator(&self); word(lex.services2); separator(&self)
                text.appendDecimal(rng.int(in: 0...250_000)); separator(&self)
                text.append(rng.chance(0.5) ? UInt8(ascii: "+") : UInt8(ascii: "-")); appendComputed(.pct); separator(&self)
                text.appendDecimal(rng.int(in: 40...4000)); separator(&self); text.appendDecimal(rng.below(500))
            }
            if markdown { text.appendStatic(" |") }
        }
    }

    /// Makes text typed by a person look typed: occasional typos (swapped, dropped or doubled
    /// letters) and, for some writers, no capital letters. Only ASCII letters are touched.
    private mutating func roughen(from start: Int) {
        let casual = rng.chance(0.15)
        let typoRate = rng.chance(0.5) ? 0.04 : 0.01
        var i = start
        var rebuilt = [UInt8]()
        rebuilt.reserveCapacity(text.count - start + 16)
        while i < text.count {
            let c = text[i]
            guard Self.isLetter(c) else { rebuilt.append(c); i += 1; continue }
            var j = i
            while j < text.count && Self.isLetter(text[j]) { j += 1 }
            var wordBytes = Array(text[i..<j])
            if casual { for k in wordBytes.indices where wordBytes[k] >= 0x41 && wordBytes[k] <= 0x5A { wordBytes[k] += 0x20 } }
            if wordBytes.count >= 4 && rng.nextUnit() < typoRate {
                let k = 1 + rng.below(wordBytes.count - 2)
                switch rng.below(3) {
                case 0: wordBytes.swapAt(k, k + 1)
                case 1: wordBytes.remove(at: k)
                default: wordBytes.insert(wordBytes[k], at: k)
                }
            }
            rebuilt += wordBytes
            i = j
        }
        text.removeSubrange(start...)
        text += rebuilt
    }

    @inline(__always) private static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }

    // MARK: - Code

    /// Appends functions in `language` (header, statements, closing line) until `text` holds `limit` bytes.
    private mutating func appendCode(until limit: Int) {
        let indent: StaticString = language == 2 ? "\t" : (language == 0 ? "    " : "  ")
        var first = true
        repeat {
            if !first { text.appendStatic("\n\n") }
            first = false
            if rng.chance(0.25) { expandOne(codeSet(language)); continue }
            expandOne(lex.codeHeaders[language])
            for _ in 0..<(2 + rng.below(7)) {
                text.append(0x0A); text.appendStatic(indent)
                expandOne(lex.codeStatements[language])
            }
            if !lex.codeClosings[language].isEmpty { text.append(0x0A); text += lex.codeClosings[language] }
        } while text.count < limit
    }

    /// An identifier: a word, or two joined in the language's style (snake_case or camelCase).
    private mutating func appendVariable() {
        word(lex.idents)
        guard rng.chance(0.5) else { return }
        if language == 0 { text.append(UInt8(ascii: "_")); word(lex.idents); return }
        let start = text.count
        word(lex.idents)
        if text[start] >= 0x61 && text[start] <= 0x7A { text[start] -= 0x20 }
    }

    private mutating func appendComputed(_ slot: Slot) {
        switch slot {
        case .num: text.appendDecimal(rng.int(in: 1...9))
        case .num2: text.appendDecimal(rng.int(in: 10...99))
        case .num3: text.appendDecimal(rng.int(in: 100...999))
        case .num4: text.appendDecimal(rng.int(in: 1000...9999))
        case .pct:
            text.appendDecimal(rng.int(in: 1...60))
            if rng.chance(0.3) { text.append(UInt8(ascii: ".")); text.appendDecimal(rng.below(10)) }
            text.append(UInt8(ascii: "%"))
        case .money:
            let c = rng.below(10)
            text.appendStatic(c < 6 ? "$" : c < 9 ? "€" : "£")
            let dollars = Int(rng.nextLogNormal(median: 800, sigma: 1.5))
            if dollars >= 1000 {
                text.appendDecimal(dollars / 1000); text.append(UInt8(ascii: ",")); text.appendDecimal(dollars % 1000, width: 3)
            } else {
                text.appendDecimal(dollars)
            }
            text.append(UInt8(ascii: ".")); text.appendDecimal(rng.below(100), width: 2)
        case .date:
            if clockMilliseconds >= 0 {
                let days = Int(clockMilliseconds / 86_400_000)
                let (y, m, d) = CivilDate.fromDays(days)
                text.appendDecimal(y, width: 4); text.append(UInt8(ascii: "-")); text.appendDecimal(m, width: 2)
                text.append(UInt8(ascii: "-")); text.appendDecimal(d, width: 2)
            } else {
                let (y, m, d) = CivilDate.fromDays(CivilDate.days(year: 2025, month: 1, day: 1) + rng.below(730))
                text.appendDecimal(y, width: 4); text.append(UInt8(ascii: "-")); text.appendDecimal(m, width: 2)
                text.append(UInt8(ascii: "-")); text.appendDecimal(d, width: 2)
            }
        case .time:
            let msOfDay: Int
            if clockMilliseconds >= 0 {
                msOfDay = Int(clockMilliseconds % 86_400_000)
                clockMilliseconds += Int64(rng.below(1500))
            } else {
                msOfDay = rng.below(86_400_000)
            }
            text.appendDecimal(msOfDay / 3_600_000, width: 2); text.append(UInt8(ascii: ":"))
            text.appendDecimal(msOfDay / 60_000 % 60, width: 2); text.append(UInt8(ascii: ":"))
            text.appendDecimal(msOfDay / 1000 % 60, width: 2); text.append(UInt8(ascii: "."))
            text.appendDecimal(msOfDay % 1000, width: 3)
        case .orderid:
            if rng.chance(0.7) { text.appendStatic("ORD-"); text.appendDecimal(rng.int(in: 100_000...999_999)) }
            else { text.appendStatic("INV-2025-"); text.appendDecimal(rng.int(in: 10_000...99_999)) }
        case .ticket: text.append(UInt8(ascii: "#")); text.appendDecimal(rng.int(in: 10_000...199_999))
        case .ver:
            text.appendDecimal(rng.int(in: 1...5)); text.append(UInt8(ascii: "."))
            text.appendDecimal(rng.below(30)); text.append(UInt8(ascii: ".")); text.appendDecimal(rng.below(10))
        case .ip:
            if rng.chance(0.8) { text.appendStatic("10.") } else { text.appendDecimal(rng.int(in: 11...223)); text.append(UInt8(ascii: ".")) }
            text.appendDecimal(rng.below(256)); text.append(UInt8(ascii: "."))
            text.appendDecimal(rng.below(256)); text.append(UInt8(ascii: ".")); text.appendDecimal(rng.int(in: 1...254))
        case .dur:
            switch rng.below(3) {
            case 0: text.appendDecimal(rng.int(in: 2...59)); text.appendStatic(" minutes")
            case 1: text.appendDecimal(rng.int(in: 2...12)); text.appendStatic(" hours")
            default: text.appendDecimal(rng.int(in: 5...90)); text.appendStatic(" seconds")
            }
        case .tenant: text += universe.tenants[tenant].displayName
        case .org: text += universe.tenants[tenant].name
        case .agent: let l = lex.firstNames; text += l.bytes[l.range(rng.below(l.count))]
        case .ms: text.appendDecimal(Int(rng.nextLogNormal(median: 120, sigma: 1.2)) + 1)
        case .hex8: text.appendHex(rng.next(), digits: 8)
        case .uuid:
            let a = rng.next(), b = rng.next()
            text.appendHex(a >> 32, digits: 8); text.append(UInt8(ascii: "-")); text.appendHex(a >> 16, digits: 4)
            text.appendStatic("-4"); text.appendHex(a, digits: 3); text.append(UInt8(ascii: "-"))
            text.appendHex(0x8 | (b >> 62), digits: 1); text.appendHex(b >> 48, digits: 3); text.append(UInt8(ascii: "-"))
            text.appendHex(b, digits: 12)
        case .sha: text.appendHex(rng.next(), digits: 16); text.appendHex(rng.next(), digits: 16); text.appendHex(rng.next(), digits: 8)
        case .kbdoc: appendKnowledgeBaseDocument()
        case .url:
            text.appendStatic("https://")
            let l = lex.services; text += l.bytes[l.range(rng.below(l.count))]
            text.appendStatic(".internal/v1/")
            let i = lex.idents; text += i.bytes[i.range(rng.below(i.count))]
        case .pii: text += piiValue
        case .lang: text += Self.languageNames[language]
        case .prose: appendProse()
        case .variable: appendVariable()
        default:
            let list = lex.list(slot)
            text += list.bytes[list.range(rng.below(list.count))]
        }
    }

    private static let languageNames: [[UInt8]] = ["Python", "TypeScript", "Go", "Java"].map { Array($0.utf8) }
    private static let languageTags: [StaticString] = ["python", "typescript", "go", "java"]

    // MARK: - Sensitive values

    private enum PIIStyle { case prose, code, log }

    /// Plants every pending sensitive value as a sentence (or code or log line) at the end of `text`.
    private mutating func plantPending(style: PIIStyle) {
        if pendingContact {
            pendingContact = false
            text.appendStatic(style == .prose ? " " : "\n")
            if rng.chance(0.6) {
                let first = lex.firstNames, last = lex.lastNames
                let domain = universe.tenants[tenant].name + Array(".com".utf8)
                piiValue = Sensitive.email(&rng, first: first.bytes[first.range(rng.below(first.count))],
                                           last: last.bytes[last.range(rng.below(last.count))], tenantDomain: domain)
                record(.email)
                expandOne(lex.piiEmail)
            } else {
                piiValue = Sensitive.phone(&rng)
                record(.phone)
                expandOne(lex.piiPhone)
            }
        }
        if pendingFinancial {
            pendingFinancial = false
            text.appendStatic(style == .prose ? " " : "\n")
            if rng.chance(0.6) { piiValue = Sensitive.cardNumber(&rng); record(.cardNumber); expandOne(lex.piiCard) }
            else { piiValue = Sensitive.iban(&rng); record(.iban); expandOne(lex.piiIBAN) }
        }
        if pendingSecret {
            pendingSecret = false
            text.appendStatic(style == .prose ? " " : "\n")
            piiValue = Sensitive.apiKey(&rng)
            record(.apiKey)
            switch style {
            case .prose: expandOne(lex.piiAPIKeyProse)
            case .code: expandOne(lex.piiAPIKeyCode)
            case .log: expandOne(lex.piiAPIKeyLog)
            }
        }
    }

    private mutating func record(_ kind: PlantedKind) {
        lastPlantedValues.append(PlantedValue(kind: kind, value: String(decoding: piiValue, as: UTF8.self)))
    }

    // MARK: - Request and response builders

    /// Writes `{"role":"<role>","content":"<text>"}` to `request`, counting input bytes.
    private mutating func emitMessage(_ role: StaticString) {
        if messages > 0 { request.append(UInt8(ascii: ",")) }
        messages += 1
        request.appendStatic("{\"role\":\""); request.appendStatic(role)
        request.appendStatic("\",\"content\":\""); request.appendJSONEscaped(text)
        request.appendStatic("\"}")
        inputBytes += text.count
        text.removeAll(keepingCapacity: true)
    }

    /// Writes the assistant message object to `response`, counting output bytes.
    private mutating func emitAnswer() {
        response.appendStatic("{\"role\":\"assistant\",\"content\":\""); response.appendJSONEscaped(text)
        response.appendStatic("\"}")
        outputBytes += text.count
        text.removeAll(keepingCapacity: true)
    }

    private mutating func emitSystemPrompt(_ category: Category) {
        expandOne(lex.systemPrompts[category]!)
        emitMessage("system")
    }

    private mutating func appendParams(model: ModelInfo, category: Category) {
        request.appendStatic(",\"params\":{")
        if model.isReasoning {
            request.appendStatic("\"reasoning_effort\":\"")
            request.appendStatic(rng.chance(0.7) ? "medium" : "high")
            request.appendStatic("\",\"max_completion_tokens\":")
            request.appendDecimal(rng.chance(0.5) ? 4096 : 8192)
        } else {
            request.appendStatic("\"temperature\":")
            let temperatures: [StaticString] = ["0", "0.2", "0.3", "0.5", "0.7", "1"]
            let t = category == .extraction || category == .sql ? rng.below(2) : rng.below(temperatures.count)
            request.appendStatic(temperatures[t])
            request.appendStatic(",\"max_tokens\":")
            request.appendDecimal([256, 512, 1024, 2048, 4096][rng.below(5)])
            if rng.chance(0.2) { request.appendStatic(",\"top_p\":0.9") }
        }
        request.appendStatic(rng.chance(0.65) ? ",\"stream\":true}" : ",\"stream\":false}")
    }

    /// Builds a chat request and response. Returns true when the response is a tool call.
    private mutating func buildChat(category: Category, budget: Int, model: ModelInfo, timestamp: Int64) -> Bool {
        let promptShare: Double
        switch category {
        case .summary: promptShare = 0.85
        case .logs, .extraction: promptShare = 0.75
        case .code: promptShare = 0.55
        case .support, .agent: promptShare = 0.5
        case .sql: promptShare = 0.4
        case .general: promptShare = 0.35
        }
        let promptBudget = Int(Double(budget) * promptShare)
        let answerBudget = max(60, budget - promptBudget)
        let multiTurn = category != .agent && category != .extraction && rng.chance(0.2)
        var isToolCall = false

        request.appendStatic("{\"messages\":[")
        if rng.chance(0.92) { emitSystemPrompt(category) }
        text.removeAll(keepingCapacity: true)

        switch category {
        case .support:
            if rng.chance(0.04) {
                expandOne(lex.multilingual)
            } else {
                text.appendStatic("Subject: "); expandOne(lex.supportSubject); text.appendStatic("\n\n")
                fill(lex.supportBody, until: promptBudget * (multiTurn ? 2 : 3) / 3, prose: 0.95)
                roughen(from: 0)
            }
            plantPending(style: .prose)
            if rng.chance(0.5) { text.appendStatic("\n\nThanks,\n"); appendComputed(.agent) }
            emitMessage("user")
            if multiTurn {
                text.appendStatic("Hi "); appendComputed(.agent); text.appendStatic(",\n\n")
                fill(lex.supportReply, until: promptBudget / 4, prose: 0.95)
                emitMessage("assistant")
                expandOne(lex.supportFollowUp)
                roughen(from: 0)
                emitMessage("user")
            }
            if rng.chance(0.5) {
                text.appendStatic("Category: "); appendComputed(.area)
                text.appendStatic("\nUrgency: "); appendComputed(.urgency); text.appendStatic("\n\n")
            }
            text.appendStatic("Hi "); appendComputed(.agent); text.appendStatic(",\n\n")
            fill(lex.supportReply, until: answerBudget, prose: 0.95)
            text.appendStatic("\n\n"); expandOne(lex.supportClosing)

        case .code:
            language = rng.below(4)
            expandOne(lex.codeAsk)
            roughen(from: 0)
            plantPending(style: .prose)
            text.appendStatic("\n\n```"); text.appendStatic(Self.languageTags[language]); text.append(0x0A)
            appendCode(until: promptBudget)
            plantPending(style: .code)
            text.appendStatic("\n```")
            emitMessage("user")
            if multiTurn {
                fill(lex.codeReview, until: promptBudget / 3, prose: 0.95)
                emitMessage("assistant")
                expandOne(lex.followUp)
                roughen(from: 0)
                emitMessage("user")
            }
            fill(lex.codeReview, until: answerBudget / 2, prose: 0.95)
            text.appendStatic("\n\n```"); text.appendStatic(Self.languageTags[language]); text.append(0x0A)
            appendCode(until: answerBudget)
            text.appendStatic("\n```\n\n"); expandOne(lex.codeReview)

        case .sql:
            expandOne(lex.sqlAsk)
            roughen(from: 0)
            plantPending(style: .prose)
            if promptBudget > 500 && rng.chance(0.5) {
                text.appendStatic("\n\nSample rows:\n")
                appendDataTable(rows: 3 + rng.below(6))
            }
            if promptBudget > 300 {
                text.appendStatic("\n\nSchema:\n")
                repeat {
                    text.appendStatic("CREATE TABLE "); appendComputed(.table); text.appendStatic(" (\n  id BIGSERIAL PRIMARY KEY")
                    for _ in 0..<(3 + rng.below(6)) { text.appendStatic(",\n  "); expandOne(lex.ddlColumn) }
                    text.appendStatic("\n);\n")
                } while text.count < promptBudget
            }
            emitMessage("user")
            if multiTurn {
                text.appendStatic("```sql\n"); expandOne(lex.sqlQuery); text.appendStatic("\n```")
                emitMessage("assistant")
                expandOne(lex.followUp)
                roughen(from: 0)
                emitMessage("user")
            }
            text.appendStatic("```sql\n"); expandOne(lex.sqlQuery); text.appendStatic("\n```\n\n")
            fill(lex.sqlExplain, until: answerBudget, prose: 0.95)

        case .summary:
            expandOne(lex.summaryAsk); text.appendStatic("\n\n")
            let kindOfDocument = rng.below(3)
            switch kindOfDocument {
            case 0:
                repeat {
                    if rng.chance(0.25) { appendDataTable(rows: 3 + rng.below(10)); text.appendStatic("\n\n") }
                    fill(lex.docSentence, until: min(promptBudget, text.count + 400 + rng.below(500)), prose: 0.95)
                    text.appendStatic("\n\n")
                } while text.count < promptBudget
            case 1: fill(lex.meetingLine, until: promptBudget, separator: "\n")
            default: fill(lex.contractClause, until: promptBudget, separator: "\n")
            }
            plantPending(style: .prose)
            emitMessage("user")
            if multiTurn {
                fill(lex.summaryBullet, until: answerBudget / 2, separator: "\n")
                emitMessage("assistant")
                expandOne(lex.followUp)
                roughen(from: 0)
                emitMessage("user")
            }
            text.appendStatic("Summary:\n")
            fill(lex.summaryBullet, until: answerBudget, separator: "\n")

        case .logs:
            expandOne(lex.logAsk)
            roughen(from: 0)
            plantPending(style: .prose)
            text.appendStatic("\n\n```\n")
            clockMilliseconds = timestamp - Int64(rng.below(3_600_000))
            fill(lex.logLine, until: promptBudget, separator: "\n")
            plantPending(style: .log)
            text.appendStatic("\n```")
            emitMessage("user")
            if multiTurn {
                fill(lex.logAnswer, until: answerBudget / 2, prose: 0.95)
                emitMessage("assistant")
                expandOne(lex.followUp)
                roughen(from: 0)
                emitMessage("user")
            }
            fill(lex.logAnswer, until: answerBudget, separator: "\n\n", prose: 0.95)

        case .general:
            if rng.chance(0.04) { expandOne(lex.multilingual) } else { expandOne(lex.generalAsk); roughen(from: 0) }
            if promptBudget > 250 {
                if rng.chance(0.3) {
                    text.appendStatic("\n\nHere is the data:\n\n")
                    repeat { appendDataTable(rows: 4 + rng.below(12)); text.appendStatic("\n\n") } while text.count < promptBudget
                } else if rng.chance(0.5) {
                    text.appendStatic("\n\nUse these documents:\n")
                    repeat { appendKnowledgeBaseDocument(); text.append(0x0A) } while text.count < promptBudget
                } else {
                    text.appendStatic("\n\nContext:\n")
                    fill(lex.docSentence, until: promptBudget, prose: 0.95)
                }
            }
            plantPending(style: .prose)
            emitMessage("user")
            if multiTurn {
                fill(lex.generalAnswer, until: answerBudget / 2, separator: "\n\n", prose: 0.95)
                emitMessage("assistant")
                expandOne(lex.followUp)
                roughen(from: 0)
                emitMessage("user")
            }
            fill(lex.generalAnswer, until: answerBudget, separator: "\n\n", prose: 0.95)

        case .extraction:
            expandOne(lex.extractAsk); text.appendStatic("\n\n---\n")
            fill(lex.invoiceLine, until: promptBudget, separator: "\n")
            plantPending(style: .prose)
            text.appendStatic("\n---")
            emitMessage("user")
            expandOne(lex.leadEmail)
            if rng.chance(0.3) { text.append(0x0A); expandOne(lex.leadEmail) }

        case .agent:
            text.appendStatic("Where is my order ")
            let orderStart = text.count
            appendComputed(.orderid)
            let order = Array(text[orderStart...])
            text.appendStatic("? ")
            fill(lex.supportBody, until: promptBudget / 2, prose: 0.95)
            roughen(from: orderStart + order.count)
            plantPending(style: .prose)
            emitMessage("user")
            let callID = makeCallID()
            if rng.chance(0.5) {
                // The model asks for a tool call; the gateway logs that as the response.
                response.appendStatic("{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"")
                response += callID
                response.appendStatic("\",\"type\":\"function\",\"function\":{\"name\":\"lookup_order\",\"arguments\":\"{\\\"order_id\\\":\\\"")
                response += order
                response.appendStatic("\\\"}\"}}]}")
                outputBytes += 40 + order.count
                isToolCall = true
            } else {
                // Second turn: the tool call and its result are part of the prompt.
                request.appendStatic(",{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"")
                request += callID
                request.appendStatic("\",\"type\":\"function\",\"function\":{\"name\":\"lookup_order\",\"arguments\":\"{\\\"order_id\\\":\\\"")
                request += order
                request.appendStatic("\\\"}\"}}]}")
                inputBytes += 40 + order.count
                request.appendStatic(",{\"role\":\"tool\",\"tool_call_id\":\"")
                request += callID
                request.appendStatic("\",\"content\":\"")
                text.appendStatic("{\"order_id\":\""); text += order
                text.appendStatic("\",\"status\":\""); appendComputed(.adj)
                text.appendStatic("\",\"amount\":"); appendComputed(.num3); text.append(UInt8(ascii: ".")); appendComputed(.num2)
                text.appendStatic(",\"carrier\":\"DHL\",\"eta\":\""); appendComputed(.date); text.appendStatic("\"}")
                request.appendJSONEscaped(text)
                request.appendStatic("\"}")
                inputBytes += text.count
                messages += 2
                text.removeAll(keepingCapacity: true)
                fill(lex.supportReply, until: answerBudget, prose: 0.95)
            }
        }
        if !isToolCall { emitAnswer() }
        request.append(UInt8(ascii: "]"))
        if category == .agent {
            request.appendStatic(",\"tools\":"); request += universe.agentTools
            inputBytes += universe.agentTools.count
        }
        appendParams(model: model, category: category)
        request.append(UInt8(ascii: "}"))
        return isToolCall
    }

    private func codeSet(_ language: Int) -> TemplateSet {
        switch language {
        case 0: return lex.pythonBody
        case 1: return lex.typescriptBody
        case 2: return lex.goBody
        default: return lex.javaBody
        }
    }

    private mutating func makeCallID() -> [UInt8] {
        var id = Array("call_".utf8)
        for _ in 0..<24 { id.append(Sensitive.base62[rng.below(62)]) }
        return id
    }

    private mutating func buildEmbeddings(budget: Int) {
        request.appendStatic("{\"input\":[")
        let chunks = 1 + min(7, rng.below(8) * rng.below(2))
        let perChunk = max(80, budget / 2 / chunks)
        for c in 0..<chunks {
            if c > 0 { request.append(UInt8(ascii: ",")) }
            fill(lex.embeddingChunk, until: perChunk, prose: 0.95)
            if c == 0 { plantPending(style: .prose) }
            request.append(UInt8(ascii: "\"")); request.appendJSONEscaped(text); request.append(UInt8(ascii: "\""))
            inputBytes += text.count
            text.removeAll(keepingCapacity: true)
        }
        let dimensions = [256, 1024, 1536, 3072][rng.below(4)]
        request.appendStatic("],\"params\":{\"dimensions\":"); request.appendDecimal(dimensions)
        request.appendStatic(",\"encoding_format\":\"float\"}}")
        response.appendStatic("{\"object\":\"list\",\"data\":[")
        for c in 0..<chunks {
            if c > 0 { response.append(UInt8(ascii: ",")) }
            response.appendStatic("{\"object\":\"embedding\",\"index\":"); response.appendDecimal(c)
            response.appendStatic(",\"dimensions\":"); response.appendDecimal(dimensions); response.append(UInt8(ascii: "}"))
        }
        response.appendStatic("]}")
    }

    private mutating func buildCompletion(budget: Int) {
        request.appendStatic("{\"prompt\":\"")
        let isCode = rng.chance(0.6)
        if isCode {
            language = rng.below(4)
            appendCode(until: budget / 2)
            plantPending(style: .code)
        } else {
            text.appendStatic("Write a short subject line for this email:\n\n")
            fill(lex.docSentence, until: budget / 2, prose: 0.95)
            plantPending(style: .prose)
            text.appendStatic("\n\nSubject:")
        }
        request.appendJSONEscaped(text)
        inputBytes += text.count
        text.removeAll(keepingCapacity: true)
        request.appendStatic("\",\"params\":{\"temperature\":0.2,\"max_tokens\":256,\"stop\":[\"\\n\\n\"]}}")
        if isCode { expandOne(codeSet(language)) } else { text.append(UInt8(ascii: " ")); expandOne(lex.supportSubject) }
        response.appendJSONEscaped(text)
        outputBytes += text.count
        text.removeAll(keepingCapacity: true)
    }

    private mutating func buildMCP(server serverIndex: Int, budget: Int) {
        let server = universe.mcpServers[serverIndex]
        let tool = server.tools[rng.below(server.tools.count)]
        request.appendStatic("{\"tool\":{\"server\":\""); request += server.name
        request.appendStatic("\",\"name\":\""); request += tool.name
        request.appendStatic("\",\"arguments\":")
        expandOne(tool.arguments)
        request += text
        text.removeAll(keepingCapacity: true)
        request.appendStatic("}}")
        fill(lex.mcpResultLine, until: budget * 2 / 3, separator: "\n", prose: 0.4)
        plantPending(style: .prose)
        response.appendStatic("{\"content\":[{\"type\":\"text\",\"text\":\"")
        response.appendJSONEscaped(text)
        response.appendStatic("\"}],\"is_error\":false}")
        text.removeAll(keepingCapacity: true)
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
