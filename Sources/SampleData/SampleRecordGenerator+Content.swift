import Foundation

/// Request and response bodies per record kind and chat category, and the planting of sensitive values.
extension SampleRecordGenerator {
    // MARK: - Sensitive values

    enum PIIStyle { case prose, code, log }

    /// Plants every pending sensitive value as a sentence (or code or log line) at the end of `text`.
    mutating func plantPending(style: PIIStyle) {
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

    mutating func record(_ kind: PlantedKind) {
        lastPlantedValues.append(PlantedValue(kind: kind, value: String(decoding: piiValue, as: UTF8.self)))
    }

    // MARK: - Request and response builders

    /// Writes `{"role":"<role>","content":"<text>"}` to `request`, counting input bytes.
    mutating func emitMessage(_ role: StaticString) {
        if messages > 0 { request.append(UInt8(ascii: ",")) }
        messages += 1
        request.appendStatic("{\"role\":\""); request.appendStatic(role)
        request.appendStatic("\",\"content\":\""); request.appendJSONEscaped(text)
        request.appendStatic("\"}")
        inputBytes += text.count
        text.removeAll(keepingCapacity: true)
    }

    /// Writes the assistant message object to `response`, counting output bytes.
    mutating func emitAnswer() {
        response.appendStatic("{\"role\":\"assistant\",\"content\":\""); response.appendJSONEscaped(text)
        response.appendStatic("\"}")
        outputBytes += text.count
        text.removeAll(keepingCapacity: true)
    }

    mutating func emitSystemPrompt(_ category: Category) {
        expandOne(lex.systemPrompts[category]!)
        emitMessage("system")
    }

    mutating func appendParams(model: ModelInfo, category: Category) {
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
    mutating func buildChat(category: Category, budget: Int, model: ModelInfo, timestamp: Int64) -> Bool {
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

    func codeSet(_ language: Int) -> TemplateSet {
        switch language {
        case 0: return lex.pythonBody
        case 1: return lex.typescriptBody
        case 2: return lex.goBody
        default: return lex.javaBody
        }
    }

    mutating func makeCallID() -> [UInt8] {
        var id = Array("call_".utf8)
        for _ in 0..<24 { id.append(Sensitive.base62[rng.below(62)]) }
        return id
    }

    mutating func buildEmbeddings(budget: Int) {
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

    mutating func buildCompletion(budget: Int) {
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

    mutating func buildMCP(server serverIndex: Int, budget: Int) {
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
