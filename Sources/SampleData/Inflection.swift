/// English verb inflection for the prose grammar: third person singular (`updates`),
/// past participle (`updated`) and present participle (`updating`). Covers the regular rules
/// plus the irregular and consonant-doubling verbs of the word lists; for a phrasal verb
/// (`roll back`) only the first word is inflected.
enum Inflection {
    static let irregularParticiples: [String: String] = [
        "build": "built", "rebuild": "rebuilt", "freeze": "frozen", "keep": "kept", "lead": "led", "rewrite": "rewritten",
        "run": "run", "send": "sent", "set": "set", "split": "split", "take": "taken", "write": "written",
        "forecast": "forecast", "pay": "paid", "hold": "held", "find": "found", "make": "made", "sell": "sold",
        "become": "become", "begin": "begun", "bear": "borne", "beat": "beaten", "bend": "bent", "bind": "bound",
        "bite": "bitten", "blow": "blown", "break": "broken", "breed": "bred", "bring": "brought", "broadcast": "broadcast",
        "burst": "burst", "buy": "bought", "cast": "cast", "catch": "caught", "choose": "chosen", "cling": "clung",
        "creep": "crept", "cut": "cut", "deal": "dealt", "dig": "dug", "draw": "drawn", "drink": "drunk", "eat": "eaten",
        "fall": "fallen", "feed": "fed", "feel": "felt", "fight": "fought", "flee": "fled", "fly": "flown",
        "forbid": "forbidden", "forgive": "forgiven", "grind": "ground", "grow": "grown", "hang": "hung", "hear": "heard",
        "hide": "hidden", "hit": "hit", "hurt": "hurt", "know": "known", "lay": "laid", "leap": "leapt", "leave": "left",
        "lend": "lent", "let": "let", "lie": "lain", "light": "lit", "lose": "lost", "mean": "meant", "meet": "met",
        "quit": "quit", "read": "read", "ride": "ridden", "ring": "rung", "rise": "risen", "shake": "shaken",
        "shine": "shone", "shoot": "shot", "show": "shown", "shrink": "shrunk", "shut": "shut", "sing": "sung",
        "sink": "sunk", "sit": "sat", "sleep": "slept", "slide": "slid", "speak": "spoken", "spend": "spent",
        "spin": "spun", "spread": "spread", "spring": "sprung", "stand": "stood", "steal": "stolen", "stick": "stuck",
        "strike": "struck", "strive": "striven", "swear": "sworn", "sweep": "swept", "swell": "swollen", "swim": "swum",
        "swing": "swung", "teach": "taught", "tear": "torn", "tell": "told", "think": "thought", "throw": "thrown",
        "understand": "understood", "undertake": "undertaken", "undergo": "undergone", "wake": "woken", "wear": "worn",
        "weave": "woven", "win": "won", "withdraw": "withdrawn", "overcome": "overcome", "bet": "bet", "seek": "sought",
        "say": "said", "do": "done", "go": "gone", "see": "seen", "give": "given", "get": "got",
    ]
    static let doublesFinalConsonant: Set<String> = [
        "commit", "drop", "flag", "plan", "ship", "stop", "submit", "tag", "log", "map", "scan", "wrap", "format", "debug", "set", "run",
        "drag", "ban", "grab", "slip", "snap", "spin", "spot", "stir", "strip", "trim", "chat", "rob", "nod", "beg",
        "bet", "dig", "hit", "let", "shut", "sit", "swim", "win", "quit", "cut", "admit", "equip", "occur", "omit",
        "permit", "prefer", "regret", "transmit", "plot", "pin", "plug", "clap",
    ]

    static let irregularPlurals: [String: String] = [
        "analysis": "analyses", "child": "children", "person": "people", "man": "men", "woman": "women",
        "criteria": "criteria", "phenomenon": "phenomena", "thesis": "theses", "people": "people", "mouse": "mice",
        "tooth": "teeth", "foot": "feet", "knife": "knives", "leaf": "leaves", "wife": "wives", "shelf": "shelves",
        "wolf": "wolves", "sheep": "sheep", "fish": "fish", "series": "series", "species": "species", "customs": "customs",
        "scissors": "scissors", "mathematics": "mathematics", "physics": "physics", "politics": "politics", "ethics": "ethics",
        "news": "news", "odds": "odds", "media": "media", "data": "data", "staff": "staff", "equipment": "equipment",
    ]

    /// The plural of a noun phrase: the last word is inflected (`audit log` → `audit logs`).
    static func plural(_ noun: String) -> String {
        var words = noun.split(separator: " ").map(String.init)
        let last = words.removeLast()
        let vowels: Set<Character> = ["a", "e", "i", "o", "u"]
        let chars = Array(last)
        var result: String
        if let irregular = irregularPlurals[last.lowercased()] {
            result = irregular
        } else if last.hasSuffix("s") || last.hasSuffix("x") || last.hasSuffix("z") || last.hasSuffix("ch") || last.hasSuffix("sh") {
            result = last + "es"
        } else if chars.count > 1, chars.last == "y", !vowels.contains(chars[chars.count - 2]) {
            result = String(last.dropLast()) + "ies"
        } else if last.uppercased() == last {
            result = last + "s"
        } else {
            result = last + "s"
        }
        words.append(result)
        return words.joined(separator: " ")
    }

    /// The three inflected forms of a verb or phrasal verb.
    static func forms(_ verb: String) -> (thirdPerson: String, pastParticiple: String, presentParticiple: String) {
        let parts = verb.split(separator: " ", maxSplits: 1).map(String.init)
        let head = parts[0]
        let tail = parts.count > 1 ? " " + parts[1] : ""
        let chars = Array(head)
        let last = chars.last!
        let beforeLast: Character? = chars.count > 1 ? chars[chars.count - 2] : nil
        let vowels: Set<Character> = ["a", "e", "i", "o", "u"]

        var third: String
        if head.hasSuffix("s") || head.hasSuffix("x") || head.hasSuffix("z") || head.hasSuffix("ch") || head.hasSuffix("sh") {
            third = head + "es"
        } else if last == "y", let b = beforeLast, !vowels.contains(b) {
            third = String(head.dropLast()) + "ies"
        } else {
            third = head + "s"
        }

        var past: String, ing: String
        if doublesFinalConsonant.contains(head) {
            past = head + String(last) + "ed"; ing = head + String(last) + "ing"
        } else if head.hasSuffix("ie") {
            past = head + "d"; ing = String(head.dropLast(2)) + "ying"
        } else if last == "e" {
            past = head + "d"
            ing = beforeLast == "e" || beforeLast == "y" ? head + "ing" : String(head.dropLast()) + "ing"
        } else if last == "y", let b = beforeLast, !vowels.contains(b) {
            past = String(head.dropLast()) + "ied"; ing = head + "ing"
        } else {
            past = head + "ed"; ing = head + "ing"
        }
        if let irregular = irregularParticiples[head] { past = irregular }
        return (third + tail, past + tail, ing + tail)
    }
}
