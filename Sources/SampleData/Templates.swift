/// Word lists and text templates, compiled once into flat byte arrays.
///
/// A template is a line of text in which `«name»` marks a slot and `¶` a line break.
/// Slots name either a word list (`«noun»`) or a value the generator computes (`«num3»`).

/// The slots a template may contain.
enum Slot: String, CaseIterable, Sendable {
    // Word lists.
    case noun, nouns, adj, adv, verb, product, symptom, errmsg, action, weekday, month, area, urgency
    case service, host, ident, fn, type, table, column, metric, dimension, topic, company, city, country
    case first, last, connector, docnoun, party, tool, filename, feeling, risk, prep, det, modal, subject, conj, deadline
    // Computed values.
    case num, num2, num3, num4, pct, money, date, time, orderid, ticket, ver, ip, dur, tenant, agent
    case ms, hex8, url, pii, org, lang, prose, variable, uuid, sha, kbdoc

    /// The position of the slot in `allCases`. O(n): templates store it at compile time.
    var ordinal: Int { Slot.allCases.firstIndex(of: self)! }

    /// Whether the slot is filled from a word list of the same name.
    var isWordList: Bool { ordinal <= Slot.deadline.ordinal }
}

/// A list of words or phrases stored contiguously. O(1) access.
struct WordList: Sendable {
    let bytes: [UInt8]
    let ends: [Int32]

    /// Splits `text` on `separator` (a newline or `|`), trimming surrounding spaces and skipping empty entries.
    init(_ text: String, separator: Character = "|") {
        var bytes = [UInt8](), ends = [Int32]()
        for raw in text.split(separator: separator, omittingEmptySubsequences: true) {
            let item = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if item.isEmpty { continue }
            bytes.append(contentsOf: item.utf8)
            ends.append(Int32(bytes.count))
        }
        precondition(!ends.isEmpty, "a word list must not be empty")
        self.bytes = bytes
        self.ends = ends
    }

    var count: Int { ends.count }

    /// The byte range of item `i`.
    @inline(__always) func range(_ i: Int) -> Range<Int> {
        (i == 0 ? 0 : Int(ends[i - 1]))..<Int(ends[i])
    }
}

/// A compiled template: literal byte runs and slots.
struct Template: Sendable {
    enum Piece: Sendable {
        case literal(Int32, Int32)
        /// A slot with its ordinal, the index of its word list in `Lexicon.lists`.
        case slot(Slot, Int32)
    }
    let bytes: [UInt8]
    let pieces: [Piece]

    /// Compiles one template line; `¶` becomes a newline. A malformed or unknown slot is a programming error.
    init(_ text: Substring) {
        var bytes = [UInt8](), pieces = [Piece]()
        var literalStart = 0
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if c == "«" {
                let close = text[i...].firstIndex(of: "»")
                precondition(close != nil, "unterminated slot in template")
                let name = String(text[text.index(after: i)..<close!])
                guard let slot = Slot(rawValue: name) else { preconditionFailure("unknown slot «\(name)»") }
                if literalStart < bytes.count { pieces.append(.literal(Int32(literalStart), Int32(bytes.count))) }
                pieces.append(.slot(slot, Int32(slot.ordinal)))
                literalStart = bytes.count
                i = text.index(after: close!)
                continue
            }
            if c == "¶" { bytes.append(0x0A) } else { bytes.append(contentsOf: String(c).utf8) }
            i = text.index(after: i)
        }
        if literalStart < bytes.count { pieces.append(.literal(Int32(literalStart), Int32(bytes.count))) }
        self.bytes = bytes
        self.pieces = pieces
    }
}

/// A set of templates, one per non-empty line of the source text.
struct TemplateSet: Sendable {
    let templates: [Template]
    init(_ text: String) {
        templates = text.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map { Template($0) }
        precondition(!templates.isEmpty, "a template set must not be empty")
    }
    var count: Int { templates.count }
}

/// Every word list and template the generator uses; built once.
final class Lexicon: Sendable {
    static let shared = Lexicon()

    let lists: [WordList]
    /// Slots with an ordinal up to this one are word lists.
    let lastWordListOrdinal: Int32
    let firstNames, lastNames, services, idents: WordList
    let supportSubject, supportBody, supportReply, supportClosing, supportFollowUp: TemplateSet
    let codeAsk, codeReview, pythonBody, typescriptBody, goBody, javaBody: TemplateSet
    let sqlAsk, sqlQuery, sqlExplain, ddlColumn: TemplateSet
    let docSentence, meetingLine, contractClause, summaryAsk, summaryBullet: TemplateSet
    let logLine, logAsk, logAnswer: TemplateSet
    let generalAsk, generalAnswer, followUp: TemplateSet
    let extractAsk, invoiceLine, leadEmail: TemplateSet
    let embeddingChunk: TemplateSet
    let mcpResultLine: TemplateSet
    let multilingual: TemplateSet
    let piiEmail, piiPhone, piiCard, piiIBAN, piiAPIKeyProse, piiAPIKeyCode, piiAPIKeyLog: TemplateSet
    let systemPrompts: [Category: TemplateSet]
    /// Per language (Python, TypeScript, Go, Java): function headers, statements and the closing line.
    let codeHeaders, codeStatements: [TemplateSet]
    let codeClosings: [[UInt8]]
    let adjectives, nounsSingular, nounsPlural, verbs, adverbs, prepositions, determiners, pluralDeterminers: WordList
    let modals, subjects, conjunctions, connectors, deadlines, cities: WordList
    /// Inflected forms, index-aligned with `verbs`.
    let verbsThirdPerson, verbsPastParticiple, verbsPresentParticiple: WordList
    let lastNamesList, companies, months, weekdays, products, services2, errorMessages, metrics, topics: WordList

    private init() {
        var lists = [WordList]()
        for slot in Slot.allCases {
            guard slot.isWordList else { lists.append(WordList("-")); continue }
            guard let text = Lexicon.wordListText[slot] else { preconditionFailure("missing word list \(slot)") }
            lists.append(WordList(text))
        }
        lastWordListOrdinal = Int32(Slot.deadline.ordinal)
        firstNames = lists[Slot.first.ordinal]; lastNames = lists[Slot.last.ordinal]
        services = lists[Slot.service.ordinal]; idents = lists[Slot.ident.ordinal]
        supportSubject = TemplateSet(T.supportSubject); supportBody = TemplateSet(T.supportBody)
        supportReply = TemplateSet(T.supportReply); supportClosing = TemplateSet(T.supportClosing)
        supportFollowUp = TemplateSet(T.supportFollowUp)
        codeAsk = TemplateSet(T.codeAsk); codeReview = TemplateSet(T.codeReview)
        pythonBody = TemplateSet(T.pythonBody); typescriptBody = TemplateSet(T.typescriptBody)
        goBody = TemplateSet(T.goBody); javaBody = TemplateSet(T.javaBody)
        sqlAsk = TemplateSet(T.sqlAsk); sqlQuery = TemplateSet(T.sqlQuery); sqlExplain = TemplateSet(T.sqlExplain)
        ddlColumn = TemplateSet(T.ddlColumn)
        docSentence = TemplateSet(T.docSentence); meetingLine = TemplateSet(T.meetingLine)
        contractClause = TemplateSet(T.contractClause); summaryAsk = TemplateSet(T.summaryAsk)
        summaryBullet = TemplateSet(T.summaryBullet)
        logLine = TemplateSet(T.logLine); logAsk = TemplateSet(T.logAsk); logAnswer = TemplateSet(T.logAnswer)
        generalAsk = TemplateSet(T.generalAsk); generalAnswer = TemplateSet(T.generalAnswer)
        followUp = TemplateSet(T.followUp)
        extractAsk = TemplateSet(T.extractAsk); invoiceLine = TemplateSet(T.invoiceLine); leadEmail = TemplateSet(T.leadEmail)
        embeddingChunk = TemplateSet(T.embeddingChunk)
        mcpResultLine = TemplateSet(T.mcpResultLine)
        multilingual = TemplateSet(T.multilingual)
        piiEmail = TemplateSet(T.piiEmail); piiPhone = TemplateSet(T.piiPhone); piiCard = TemplateSet(T.piiCard)
        piiIBAN = TemplateSet(T.piiIBAN); piiAPIKeyProse = TemplateSet(T.piiAPIKeyProse)
        piiAPIKeyCode = TemplateSet(T.piiAPIKeyCode); piiAPIKeyLog = TemplateSet(T.piiAPIKeyLog)
        var prompts = [Category: TemplateSet]()
        for category in Category.allCases { prompts[category] = TemplateSet(T.systemPrompt(category)) }
        systemPrompts = prompts
        codeHeaders = [T.pythonHeader, T.typescriptHeader, T.goHeader, T.javaHeader].map(TemplateSet.init)
        codeStatements = [T.pythonStatement, T.typescriptStatement, T.goStatement, T.javaStatement].map(TemplateSet.init)
        codeClosings = ["", "}", "}", "}"].map { Array($0.utf8) }
        // The prose grammar draws from the domain lists plus the broader general vocabulary.
        adjectives = WordList(Lexicon.wordListText[.adj]! + "|" + Lexicon.extraAdjectives)
        let singular = WordList(Lexicon.wordListText[.noun]! + "|" + Lexicon.extraNouns)
        nounsSingular = singular
        nounsPlural = WordList((0..<singular.count).map { Inflection.plural(String(decoding: singular.bytes[singular.range($0)], as: UTF8.self)) }.joined(separator: "|"))
        verbs = WordList(Lexicon.wordListText[.verb]! + "|" + Lexicon.extraVerbs)
        adverbs = lists[Slot.adv.ordinal]; prepositions = lists[Slot.prep.ordinal]
        determiners = lists[Slot.det.ordinal]
        pluralDeterminers = WordList("the|our|your|their|these|those|all the|some of the|most of the|both|several|a few of the|many of the")
        // Template slots for open word classes use the broad vocabulary too.
        var widened = lists
        widened[Slot.noun.ordinal] = nounsSingular; widened[Slot.nouns.ordinal] = nounsPlural
        widened[Slot.adj.ordinal] = adjectives; widened[Slot.verb.ordinal] = verbs
        modals = lists[Slot.modal.ordinal]; subjects = lists[Slot.subject.ordinal]; conjunctions = lists[Slot.conj.ordinal]
        connectors = lists[Slot.connector.ordinal]; deadlines = lists[Slot.deadline.ordinal]; cities = lists[Slot.city.ordinal]
        let baseVerbs = verbs
        let verbForms = (0..<baseVerbs.count).map { Inflection.forms(String(decoding: baseVerbs.bytes[baseVerbs.range($0)], as: UTF8.self)) }
        verbsThirdPerson = WordList(verbForms.map(\.thirdPerson).joined(separator: "|"))
        verbsPastParticiple = WordList(verbForms.map(\.pastParticiple).joined(separator: "|"))
        verbsPresentParticiple = WordList(verbForms.map(\.presentParticiple).joined(separator: "|"))
        precondition(verbsThirdPerson.count == baseVerbs.count && verbsPastParticiple.count == baseVerbs.count
                     && verbsPresentParticiple.count == baseVerbs.count, "inflected verb lists must align")
        // Companies: the fixed list plus surname-based firms ("Okafor Logistics"), as text names many organisations.
        let suffixes = ["Logistics", "Holdings", "Partners", "Group", "Consulting", "Labs", "Foods", "Retail", "Health",
                        "Analytics", "Energy", "Systems", "Media", "Capital", "Manufacturing", "Legal", "Insurance", "Travel"]
        let surnames = lists[Slot.last.ordinal]
        var companyNames = [String]()
        for i in 0..<surnames.count {
            let surname = String(decoding: surnames.bytes[surnames.range(i)], as: UTF8.self)
            companyNames.append(surname + " " + suffixes[i % suffixes.count])
            companyNames.append(surname + " & " + String(decoding: surnames.bytes[surnames.range((i * 7 + 3) % surnames.count)], as: UTF8.self))
        }
        let fullCompanies = WordList(Lexicon.wordListText[.company]! + "|" + companyNames.joined(separator: "|"))
        widened[Slot.company.ordinal] = fullCompanies
        lastNamesList = lists[Slot.last.ordinal]; companies = fullCompanies; months = lists[Slot.month.ordinal]
        weekdays = lists[Slot.weekday.ordinal]; products = lists[Slot.product.ordinal]; services2 = lists[Slot.service.ordinal]
        errorMessages = lists[Slot.errmsg.ordinal]; metrics = lists[Slot.metric.ordinal]; topics = lists[Slot.topic.ordinal]
        self.lists = widened
    }

    /// The word list of `slot` (which must be a word-list slot). O(n) in the number of slots: use
    /// at set-up; templates carry the ordinal instead.
    func list(_ slot: Slot) -> WordList { lists[slot.ordinal] }
}
