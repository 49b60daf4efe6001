import Foundation

/// Text production: template expansion, the prose grammar, pasted data, typing noise and code.
extension SampleRecordGenerator {
    // MARK: - Text

    /// Appends the expansion of `template` to `text`.
    mutating func expand(_ template: Template) {
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

    @inline(__always) mutating func expandOne(_ set: TemplateSet) {
        expand(set.templates[rng.below(set.count)])
    }

    /// Appends random templates from `set`, separated by `separator`, until `text` holds at least `limit` bytes.
    /// With probability `prose` each unit is a free sentence from the prose grammar instead of a template.
    mutating func fill(_ set: TemplateSet, until limit: Int, separator: StaticString = " ", prose: Double = 0) {
        var first = true
        repeat {
            if !first { text.appendStatic(separator) }
            first = false
            if prose > 0 && rng.nextUnit() < prose { appendProse() } else { expandOne(set) }
        } while text.count < limit
    }

    // MARK: - Prose grammar

    @inline(__always) mutating func word(_ list: WordList) {
        let range = list.range(rng.below(list.count))
        list.bytes.withUnsafeBufferPointer { text.append(contentsOf: UnsafeBufferPointer(rebasing: $0[range])) }
    }

    mutating func nounPhrase(plural: Bool) {
        word(plural ? lex.pluralDeterminers : lex.determiners); text.append(0x20)
        if rng.chance(0.55) { word(lex.adjectives); text.append(0x20) }
        word(plural ? lex.nounsPlural : lex.nounsSingular)
        if rng.chance(0.15) { text.appendStatic(" of "); word(lex.determiners); text.append(0x20); word(lex.nounsSingular) }
    }

    mutating func prepositionalPhrase() {
        switch rng.below(6) {
        case 0: text.append(0x20); word(lex.deadlines)
        case 1: text.appendStatic(" in "); word(lex.cities)
        default: text.append(0x20); word(lex.prepositions); text.append(0x20); nounPhrase(plural: rng.chance(0.4))
        }
    }

    mutating func verbPhrase() {
        word(lex.modals); text.append(0x20)
        if rng.chance(0.2) { word(lex.adverbs); text.append(0x20) }
        verb(.base); text.append(0x20); nounPhrase(plural: rng.chance(0.4))
        if rng.chance(0.5) { prepositionalPhrase() }
    }

    enum VerbForm { case base, thirdPerson, pastParticiple, presentParticiple }

    @inline(__always) mutating func verb(_ form: VerbForm) {
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

    @inline(__always) mutating func space() { text.append(0x20) }

    mutating func personName() {
        word(lex.firstNames)
        if rng.chance(0.4) { space(); word(lex.lastNamesList) }
    }

    /// A number, amount, date or duration, as business text is full of them.
    mutating func quantity() {
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
    mutating func appendProse() {
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
    mutating func appendKnowledgeBaseDocument() {
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
    mutating func appendDataTable(rows: Int) {
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
    mutating func roughen(from start: Int) {
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

    @inline(__always) static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }

    // MARK: - Code

    /// Appends functions in `language` (header, statements, closing line) until `text` holds `limit` bytes.
    mutating func appendCode(until limit: Int) {
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
    mutating func appendVariable() {
        word(lex.idents)
        guard rng.chance(0.5) else { return }
        if language == 0 { text.append(UInt8(ascii: "_")); word(lex.idents); return }
        let start = text.count
        word(lex.idents)
        if text[start] >= 0x61 && text[start] <= 0x7A { text[start] -= 0x20 }
    }

    mutating func appendComputed(_ slot: Slot) {
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

    static let languageNames: [[UInt8]] = ["Python", "TypeScript", "Go", "Java"].map { Array($0.utf8) }
    static let languageTags: [StaticString] = ["python", "typescript", "go", "java"]

}
