/// The fixed population behind the sample records: tenants, teams, users, API keys,
/// customers, features and models. It is built once from a constant seed, so every
/// generator (whatever its record seed) draws from the same population.

/// What a chat exchange is about; selects system prompts and content templates.
enum Category: CaseIterable, Sendable {
    case support, code, sql, summary, logs, general, extraction, agent
}

/// The record kinds of the wire format.
enum Kind: Sendable {
    case chat, embeddings, completion, mcpToolCall
}

/// An LLM deployment reachable through the gateway.
struct ModelInfo: Sendable {
    enum Use: Sendable { case chat, embedding, completion }
    let name: [UInt8]
    let provider: [UInt8]
    let use: Use
    /// Prices in units of 1e-8 USD per token (numerically: US cents per million tokens).
    let inputPrice: Int
    let outputPrice: Int
    let medianTTFT: Double
    let medianITL: Double
    let backends: [[UInt8]]
    let isReasoning: Bool
}

/// A feature (metadata `feature`) and the content it produces.
struct Feature: Sendable {
    let name: [UInt8]
    let category: Category
}

struct TeamInfo: Sendable {
    let name: [UInt8]
    let chatFeatures: [Feature]
    let agentFeature: [UInt8]
}

struct UserInfo: Sendable {
    let email: [UInt8]
    let team: Int
    let apiKey: [UInt8]
}

struct TenantInfo: Sendable {
    let name: [UInt8]
    let displayName: [UInt8]
    let users: [UserInfo]
    let userPick: WeightedIndex
    let customerCount: Int
    let customerPick: WeightedIndex
    let chatModels: [Int]
    let chatModelPick: WeightedIndex
    let regionBias: Int
}

/// An MCP server and its tools, each with argument templates (raw JSON objects).
struct MCPServer: Sendable {
    let name: [UInt8]
    let tools: [(name: [UInt8], arguments: TemplateSet)]
}

final class Universe: Sendable {
    static let shared = Universe()

    let tenants: [TenantInfo]
    let tenantPick: WeightedIndex
    let teams: [TeamInfo]
    let models: [ModelInfo]
    let embeddingModels: [Int]
    let completionModels: [Int]
    let embeddingFeatures: [[UInt8]] = ["semantic-search", "rag-indexer", "kb-sync"].map { Array($0.utf8) }
    let completionFeatures: [[UInt8]] = ["autocomplete", "subject-line-generator"].map { Array($0.utf8) }
    let mcpServers: [MCPServer]
    let routeRules: [[UInt8]] = ["lb-prod", "fallback-chain", "cost-optimized", "eu-only", "default", "latency-first"].map { Array($0.utf8) }
    let strategies: [[UInt8]] = ["latency", "weighted", "priority", "cost"].map { Array($0.utf8) }
    let agentTools: [UInt8]

    static let tenantNames = """
        acme|globex|initech|umbrella|hooli|stark|wayne|wonka|tyrell|cyberdyne|soylent|oscorp|aperture|blackmesa|
        vandelay|dunder|piedpiper|gringotts|monarch|massive|nakatomi|virtucon|zorg|bluth|krusty|prestige|sterling|
        strickland|weyland|yoyodyne|tessier|rekall|omnicorp|kwikemart|dharma|wernham|lacroix|gekko|duff|sirius|
        momcorp|planetexpress|vehement|ollivanders|spacely|cogswell|buynlarge|initrode|chotchkies|mooby
        """
    static let tenantDisplayNames = """
        Acme|Globex|Initech|Umbrella|Hooli|Stark Industries|Wayne Enterprises|Wonka|Tyrell|Cyberdyne|Soylent|Oscorp|
        Aperture|Black Mesa|Vandelay Industries|Dunder Mifflin|Pied Piper|Gringotts|Monarch|Massive Dynamic|Nakatomi|
        Virtucon|Zorg|Bluth Company|Krusty Co|Prestige Worldwide|Sterling Cooper|Strickland Propane|Weyland|Yoyodyne|
        Tessier-Ashpool|Rekall|OmniCorp|Kwik-E-Mart|Dharma Initiative|Wernham Hogg|LaCroix|Gekko & Co|Duff|
        Sirius Cybernetics|MomCorp|Planet Express|Vehement Capital|Ollivanders|Spacely Sprockets|Cogswell Cogs|
        Buy n Large|Initrode|Chotchkie's|Mooby's
        """

    private init() {
        var rng = Xoshiro256StarStar(seed: 0x6761_7465_6C6F_6721)
        let lex = Lexicon.shared

        func b(_ s: String) -> [UInt8] { Array(s.utf8) }
        func f(_ name: String, _ c: Category) -> Feature { Feature(name: b(name), category: c) }

        let teams = [
            TeamInfo(name: b("support"), chatFeatures: [f("ticket-triage", .support), f("support-assistant", .support), f("email-drafter", .general), f("refund-helper", .agent)], agentFeature: b("ops-agent")),
            TeamInfo(name: b("platform"), chatFeatures: [f("log-analyzer", .logs), f("incident-bot", .logs), f("code-review", .code)], agentFeature: b("dev-agent")),
            TeamInfo(name: b("search"), chatFeatures: [f("doc-summarizer", .summary), f("search-answers", .general), f("query-rewriter", .general)], agentFeature: b("workplace-agent")),
            TeamInfo(name: b("data-science"), chatFeatures: [f("sql-assistant", .sql), f("bi-copilot", .sql), f("notebook-helper", .code)], agentFeature: b("dev-agent")),
            TeamInfo(name: b("engineering"), chatFeatures: [f("copilot-chat", .code), f("code-review", .code), f("test-writer", .code), f("incident-bot", .logs)], agentFeature: b("dev-agent")),
            TeamInfo(name: b("legal"), chatFeatures: [f("contract-review", .summary), f("policy-qa", .general)], agentFeature: b("workplace-agent")),
            TeamInfo(name: b("finance-ops"), chatFeatures: [f("invoice-extractor", .extraction), f("sql-assistant", .sql), f("expense-checker", .extraction)], agentFeature: b("ops-agent")),
            TeamInfo(name: b("sales"), chatFeatures: [f("lead-enrichment", .extraction), f("email-drafter", .general), f("sales-agent", .agent)], agentFeature: b("sales-agent")),
            TeamInfo(name: b("people"), chatFeatures: [f("hr-helpdesk", .general), f("onboarding-chat", .general), f("meeting-notes", .summary)], agentFeature: b("workplace-agent")),
            TeamInfo(name: b("marketing"), chatFeatures: [f("marketing-copy", .general), f("countdown-bot", .general)], agentFeature: b("sales-agent")),
            TeamInfo(name: b("growth"), chatFeatures: [f("countdown-bot", .general), f("bi-copilot", .sql), f("meeting-notes", .summary)], agentFeature: b("sales-agent")),
            TeamInfo(name: b("security"), chatFeatures: [f("log-analyzer", .logs), f("code-review", .code), f("policy-qa", .general)], agentFeature: b("dev-agent")),
        ]
        self.teams = teams

        func m(_ name: String, _ provider: String, _ use: ModelInfo.Use, _ inP: Int, _ outP: Int, _ ttft: Double, _ itl: Double,
               _ backends: [String], reasoning: Bool = false) -> ModelInfo {
            ModelInfo(name: b(name), provider: b(provider), use: use, inputPrice: inP, outputPrice: outP, medianTTFT: ttft,
                      medianITL: itl, backends: backends.map(b), isReasoning: reasoning)
        }
        let models = [
            m("openai-main/gpt-4o", "openai", .chat, 250, 1000, 450, 14, ["openai-primary", "openai-secondary"]),
            m("openai-main/gpt-4o-mini", "openai", .chat, 15, 60, 300, 8, ["openai-primary", "openai-secondary"]),
            m("azure-eu/gpt-4o", "azure", .chat, 250, 1000, 500, 15, ["azure-westeurope", "azure-swedencentral"]),
            m("anthropic-main/claude-3-5-sonnet", "anthropic", .chat, 300, 1500, 600, 18, ["anthropic-direct", "anthropic-vertex"]),
            m("openai-main/gpt-4.1-mini", "openai", .chat, 40, 160, 300, 9, ["openai-primary"]),
            m("azure-eu/gpt-4o-mini", "azure", .chat, 15, 60, 350, 9, ["azure-westeurope", "azure-francecentral"]),
            m("anthropic-main/claude-3-5-haiku", "anthropic", .chat, 80, 400, 400, 10, ["anthropic-direct"]),
            m("vertex-ai/gemini-2.0-flash", "google", .chat, 10, 40, 350, 5, ["vertex-europe-west4", "vertex-us-central1"]),
            m("openai-main/gpt-4.1", "openai", .chat, 200, 800, 500, 15, ["openai-primary"]),
            m("bedrock-us/anthropic.claude-3-haiku", "bedrock", .chat, 25, 125, 450, 9, ["bedrock-us-east-1", "bedrock-us-west-2"]),
            m("anthropic-main/claude-3-7-sonnet", "anthropic", .chat, 300, 1500, 700, 18, ["anthropic-direct"]),
            m("vertex-ai/gemini-1.5-pro", "google", .chat, 125, 500, 700, 12, ["vertex-europe-west4"]),
            m("mistral-main/mistral-large-latest", "mistral", .chat, 200, 600, 450, 16, ["mistral-eu"]),
            m("mistral-main/mistral-small-latest", "mistral", .chat, 20, 60, 250, 8, ["mistral-eu"]),
            m("openai-main/o3-mini", "openai", .chat, 110, 440, 1800, 10, ["openai-primary"], reasoning: true),
            m("bedrock-us/meta.llama3-1-70b-instruct", "bedrock", .chat, 99, 99, 500, 20, ["bedrock-us-east-1"]),
            m("groq-main/llama-3.3-70b-versatile", "groq", .chat, 59, 79, 150, 3, ["groq-us"]),
            m("openai-main/text-embedding-3-small", "openai", .embedding, 2, 0, 0, 0, ["openai-primary"]),
            m("openai-main/text-embedding-3-large", "openai", .embedding, 13, 0, 0, 0, ["openai-primary"]),
            m("cohere-main/embed-english-v3.0", "cohere", .embedding, 10, 0, 0, 0, ["cohere-direct"]),
            m("vertex-ai/text-embedding-004", "google", .embedding, 2, 0, 0, 0, ["vertex-europe-west4"]),
            m("openai-main/gpt-3.5-turbo-instruct", "openai", .completion, 150, 200, 200, 6, ["openai-primary"]),
            m("mistral-main/codestral-latest", "mistral", .completion, 30, 90, 200, 6, ["mistral-eu"]),
        ]
        self.models = models
        let chatModelIndices = models.indices.filter { models[$0].use == .chat }
        embeddingModels = models.indices.filter { models[$0].use == .embedding }
        completionModels = models.indices.filter { models[$0].use == .completion }

        // Tenants: traffic is Zipf-distributed; users and customers are shared out less steeply.
        let names = WordList(Universe.tenantNames)
        let displayNames = WordList(Universe.tenantDisplayNames)
        precondition(names.count == 50 && displayNames.count == 50, "there must be 50 tenants")
        tenantPick = WeightedIndex.zipf(count: 50, offset: 1)
        let shareWeights = (0..<50).map { 1.0 / (Double($0) + 6) }
        let shareTotal = shareWeights.reduce(0, +)
        let firstNames = lex.list(.first), lastNames = lex.list(.last)
        var usedEmails = Set<[UInt8]>()
        var tenants = [TenantInfo]()
        for t in 0..<50 {
            let name = Array(names.bytes[names.range(t)])
            let share = shareWeights[t] / shareTotal
            // Teams: 3 to 7 of the 12, drawn without replacement.
            var teamPool = Array(0..<teams.count)
            var tenantTeams = [Int]()
            for _ in 0..<(3 + rng.below(5)) { tenantTeams.append(teamPool.remove(at: rng.below(teamPool.count))) }
            var teamKeys = [Int: [[UInt8]]]()
            for team in tenantTeams {
                teamKeys[team] = (0..<(1 + rng.below(3))).map { _ in
                    var key = b("key_"); key.appendHex(rng.next(), digits: 12); return key
                }
            }
            let userCount = max(5, Int((2000 * share).rounded()))
            var users = [UserInfo]()
            for _ in 0..<userCount {
                let first = Universe.emailPart(firstNames.bytes[firstNames.range(rng.below(firstNames.count))])
                let last = Universe.emailPart(lastNames.bytes[lastNames.range(rng.below(lastNames.count))])
                var email = [UInt8]()
                var suffix = 1
                repeat {
                    email = first + [UInt8(ascii: ".")] + last
                    if suffix > 1 { email.appendDecimal(suffix) }
                    email.append(UInt8(ascii: "@")); email += name; email += b(".com")
                    suffix += 1
                } while usedEmails.contains(email)
                usedEmails.insert(email)
                let team = tenantTeams[rng.below(tenantTeams.count)]
                let keys = teamKeys[team]!
                users.append(UserInfo(email: email, team: team, apiKey: keys[rng.below(keys.count)]))
            }
            let customerCount = max(10, Int((10_000 * share).rounded()))
            // Each tenant uses 3 to 6 chat models; popular models are more likely to be among them.
            var modelPool = chatModelIndices
            var chosen = [Int]()
            for _ in 0..<(3 + rng.below(4)) {
                let pick = WeightedIndex.zipf(count: modelPool.count, offset: 1).sample(&rng)
                chosen.append(modelPool.remove(at: pick))
            }
            tenants.append(TenantInfo(
                name: name, displayName: Array(displayNames.bytes[displayNames.range(t)]), users: users,
                userPick: WeightedIndex.zipf(count: users.count, offset: 2),
                customerCount: customerCount, customerPick: WeightedIndex.zipf(count: customerCount, offset: 3),
                chatModels: chosen, chatModelPick: WeightedIndex.zipf(count: chosen.count, offset: 0.5),
                regionBias: Int(rng.next() >> 1)))
        }
        self.tenants = tenants

        func tools(_ list: [(String, String)]) -> [(name: [UInt8], arguments: TemplateSet)] {
            list.map { (b($0.0), TemplateSet($0.1)) }
        }
        mcpServers = [
            MCPServer(name: b("github"), tools: tools([
                ("search_issues", #"{"repo":"«org»/«service»","query":"«product» «symptom»","state":"open","per_page":«num2»}"#),
                ("get_file_contents", #"{"repo":"«org»/«service»","path":"«filename»","ref":"main"}"#),
                ("create_pull_request", #"{"repo":"«org»/«service»","title":"Fix: «product» «symptom»","head":"fix/«ident»-«num3»","base":"main","body":"«connector» this change makes «fn» «verb» «nouns» «adv»."}"#),
                ("list_commits", #"{"repo":"«org»/«service»","sha":"main","since":"«date»T00:00:00Z"}"#),
            ])),
            MCPServer(name: b("jira"), tools: tools([
                ("search_tickets", #"{"jql":"project = «area» AND status = \"In Progress\" AND text ~ \"«noun»\"","max_results":«num2»}"#),
                ("create_issue", #"{"project":"OPS","summary":"«product» «symptom»","description":"Reported by «first». Error: «errmsg»","priority":"«urgency»"}"#),
            ])),
            MCPServer(name: b("slack"), tools: tools([
                ("post_message", ##"{"channel":"#incident-«service»","text":"Update: «service» «adv» recovered after «dur». Root cause: «errmsg»."}"##),
                ("search_messages", ##"{"query":"«noun» in:#«area» after:«date»","count":«num2»}"##),
            ])),
            MCPServer(name: b("postgres"), tools: tools([
                ("run_query", #"{"sql":"SELECT «column», COUNT(*) FROM «table» WHERE created_at > now() - interval '«num» days' GROUP BY 1 ORDER BY 2 DESC LIMIT «num2»","read_only":true}"#),
            ])),
            MCPServer(name: b("filesystem"), tools: tools([
                ("read_file", #"{"path":"/workspace/«filename»"}"#),
                ("list_directory", #"{"path":"/workspace/«ident»s"}"#),
            ])),
            MCPServer(name: b("confluence"), tools: tools([
                ("get_page", #"{"space":"«area»","title":"«topic»"}"#),
            ])),
            MCPServer(name: b("salesforce"), tools: tools([
                ("get_account", #"{"account_name":"«company»","fields":["Owner","AnnualRevenue","Industry"]}"#),
            ])),
            MCPServer(name: b("stripe"), tools: tools([
                ("lookup_customer", #"{"customer":"cus_«hex8»","expand":["subscriptions"]}"#),
                ("create_refund", #"{"payment_intent":"pi_«hex8»","amount":«num4»,"reason":"requested_by_customer"}"#),
                ("get_invoice", #"{"invoice":"in_«hex8»"}"#),
            ])),
        ]

        agentTools = b(#"[{"type":"function","function":{"name":"lookup_order","description":"Look up an order by its id and return status, amount and shipping details.","parameters":{"type":"object","properties":{"order_id":{"type":"string","description":"The order id, e.g. ORD-123456"}},"required":["order_id"]}}},{"type":"function","function":{"name":"get_customer","description":"Return the customer profile for an email address or customer id.","parameters":{"type":"object","properties":{"customer":{"type":"string"}},"required":["customer"]}}},{"type":"function","function":{"name":"create_refund","description":"Create a refund for an order. Requires confirmation from the user.","parameters":{"type":"object","properties":{"order_id":{"type":"string"},"amount":{"type":"number"},"reason":{"type":"string"}},"required":["order_id","amount"]}}}]"#)
    }

    /// Lower-cases a name and maps the accented letters of the name lists to ASCII for an email local part.
    static func emailPart(_ name: ArraySlice<UInt8>) -> [UInt8] {
        var out = [UInt8]()
        for scalar in String(decoding: name, as: UTF8.self).lowercased().unicodeScalars {
            switch scalar {
            case "a"..."z", "0"..."9", "-": out.append(UInt8(scalar.value))
            case "é", "è", "ê": out.append(UInt8(ascii: "e"))
            case "í": out.append(UInt8(ascii: "i"))
            case "á", "à", "ã": out.append(UInt8(ascii: "a"))
            case "ó", "ö": out.append(UInt8(ascii: "o"))
            case "ú", "ü": out.append(UInt8(ascii: "u"))
            default: break
            }
        }
        return out
    }
}
