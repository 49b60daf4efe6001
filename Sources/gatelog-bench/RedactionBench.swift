import Foundation
import JSON
import Redaction
import RedactionCorpus

/// Redaction throughput and quality.
///
/// `gatelog-bench [--mb N] [--docs N] [--seed N] [--corpus FILE.jsonl] [--quality-only]`
/// prints MB/s (one thread) on typical prompt/response text, on the entity-dense corpus, on
/// adversarial digit/symbol-dense text and on whole records, the time of the 1 MiB linear-time
/// probes, and the corpus quality table. `--corpus` scores a JSON-lines corpus in the format of
/// `CorpusDocument.jsonValue()` instead of a generated one.
enum RedactionBench {
    static func run(arguments: [String]) throws {
        var megabytes = 32
        var documents = 6000
        var seed: UInt64 = 20261101
        var corpusPath: String?
        var qualityOnly = false
        var showErrors = 0
        var only: String?
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            func value() throws -> String {
                i += 1
                guard i < arguments.count else { throw BenchError("\(a) needs a value") }
                return arguments[i]
            }
            switch a {
            case "redact", "redaction", "all": break
            case "--mb": megabytes = Int(try value()) ?? megabytes
            case "--docs": documents = Int(try value()) ?? documents
            case "--seed": seed = UInt64(try value()) ?? seed
            case "--corpus": corpusPath = try value()
            case "--quality-only": qualityOnly = true
            case "--only": only = try value()
            case "--show-errors": showErrors = Int(try value()) ?? 0
            case "--detect":
                // Prints what the built-in detectors find in one text (for investigating corpus errors).
                let text = try value()
                let bytes = Array(text.utf8)
                for d in RedactionEngine().detect(text) {
                    print("\(d.entity.name) \(d.range): \(String(decoding: bytes[d.range], as: UTF8.self))")
                }
                return
            default: throw BenchError("unknown argument \(a)")
            }
            i += 1
        }
        let engine = RedactionEngine()
        #if DEBUG
        print("warning: debug build; use `swift build -c release --product gatelog-bench` for real figures")
        #endif
        if !qualityOnly {
            throughput(engine: engine, megabytes: megabytes, seed: seed, only: only)
            if only != nil { return }
        }
        let corpus: [CorpusDocument]
        let source: String
        if let corpusPath {
            guard let text = try? String(contentsOfFile: corpusPath, encoding: .utf8), let docs = CorpusDocument.parseJSONLines(text) else {
                throw BenchError("cannot read the corpus \(corpusPath)")
            }
            corpus = docs
            source = corpusPath
        } else {
            var generator = CorpusGenerator(seed: seed)
            corpus = generator.documents(count: documents)
            source = "generated, seed \(seed)"
        }
        print("\n## quality (\(source))")
        print(CorpusScorer.score(corpus, engine: engine).render())
        if showErrors > 0 { printErrors(corpus, engine: engine, limit: showErrors) }
    }

    /// Prints misses, partial leaks, wrong detections and touched negatives with context
    /// (synthetic corpus values only).
    static func printErrors(_ corpus: [CorpusDocument], engine: RedactionEngine, limit: Int) {
        var shown = 0
        for doc in corpus where shown < limit {
            let bytes = Array(doc.text.utf8)
            let detections = engine.detect(doc.text)
            func context(_ r: Range<Int>) -> String {
                let a = max(0, r.lowerBound - 30), b = min(bytes.count, r.upperBound + 30)
                return (String(decoding: bytes[a..<r.lowerBound], as: UTF8.self) + "⟦" + String(decoding: bytes[r], as: UTF8.self) + "⟧"
                        + String(decoding: bytes[r.upperBound..<b], as: UTF8.self)).replacingOccurrences(of: "\n", with: "⏎")
            }
            for span in doc.spans where shown < limit {
                let hits = detections.filter { $0.range.overlaps(span.range) }
                if span.isNegative {
                    if !hits.isEmpty { print("NEG-HIT \(span.label) by \(hits.map(\.entity.name)): \(context(span.range))"); shown += 1 }
                } else if !hits.contains(where: { $0.range.lowerBound <= span.range.lowerBound && $0.range.upperBound >= span.range.upperBound }) {
                    let how = hits.isEmpty ? "MISS" : "PARTIAL"
                    print("\(how) \(span.label)/\(span.detail) got \(hits.map { "\($0.entity.name)\(context($0.range))" }): \(context(span.range))")
                    shown += 1
                }
            }
            for d in detections where shown < limit && !doc.spans.contains(where: { !$0.isNegative && $0.range.overlaps(d.range) && $0.label == d.entity.name }) {
                print("FP \(d.entity.name): \(context(d.range))")
                shown += 1
            }
        }
    }

    struct BenchError: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// CPU time of the calling thread, in seconds (immune to waiting for a core on a busy machine).
    static func threadCPUTime() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// Best of `rounds` runs of `body` over `bytes` bytes: MB/s (10^6 bytes) per core, from the
    /// thread's CPU time, and from wall-clock time.
    static func measure(_ name: String, bytes: Int, rounds: Int = 3, _ body: () throws -> Int) rethrows {
        var bestCPU = Double.infinity, bestWall = Double.infinity
        var sink = 0
        for _ in 0..<rounds {
            let wall = now(), cpu = threadCPUTime()
            sink &+= try body()
            bestCPU = min(bestCPU, threadCPUTime() - cpu)
            bestWall = min(bestWall, now() - wall)
        }
        let mb = Double(bytes) / 1e6
        print(name.padding(toLength: 52, withPad: " ", startingAt: 0)
              + String(format: " %7.1f MB %8.1f MB/s per core (wall %.1f MB/s)  %d detections", mb, mb / bestCPU, mb / bestWall, sink / rounds))
    }

    static let prose = [
        "Sure, here is a summary of the main points from the document you shared.",
        "The quarterly report shows revenue growth across all regions, driven mainly by new subscriptions.",
        "Could you rewrite this paragraph so it sounds more formal and concise?",
        "In Swift, value types are copied on assignment, while classes are shared by reference.",
        "The algorithm runs in linear time because each element is visited at most twice.",
        "Please translate the following sentence into Spanish and keep the tone friendly.",
        "Our team will review the proposal next week and get back to you with feedback.",
        "To fix the build error, update the dependency and clean the derived data folder.",
        "The customer reported that the application crashes when opening large files.",
        "Here are three ideas for the marketing campaign, each with a short rationale.",
        "A transformer model processes tokens in parallel using self-attention layers.",
        "Make sure the function handles empty input and returns an error for invalid values.",
        "The meeting notes mention that the deadline moved to the end of the month.",
        "I recommend adding unit tests for the edge cases before refactoring the module.",
        "The weather in the mountains can change quickly, so pack a rain jacket.",
        "Explain the difference between supervised and unsupervised learning with examples.",
        "The database migration added two columns and an index on the created_at field.",
        "Let me know if you would like a shorter version or a bulleted list instead.",
        "Version 2.3 introduced a new settings page and fixed several accessibility issues.",
        "The recipe needs 200 g of flour, 3 eggs and a pinch of salt; bake for 25 minutes.",
    ]

    /// Prose with an entity-bearing corpus document every ~4 KB (about one sensitive value per
    /// kilobyte or two, as in real gateway traffic).
    static func typicalText(megabytes: Int, seed: UInt64) -> String {
        var generator = CorpusGenerator(seed: seed &+ 1)
        var random = SeededRandom(seed: seed &+ 2)
        var out = ""
        out.reserveCapacity(megabytes << 20 + 4096)
        var sinceDoc = 0
        while out.utf8.count < megabytes << 20 {
            let s = prose[Int(random.next() % UInt64(prose.count))]
            out += s
            out += random.next() % 5 == 0 ? "\n\n" : " "
            sinceDoc += s.utf8.count + 1
            if sinceDoc > 4096 {
                out += generator.document(kind: random.next() % 2 == 0 ? .prompt : .response).text + "\n"
                sinceDoc = 0
            }
        }
        return out
    }

    /// Random digits and the symbols the detectors trigger on, with a few letters.
    static func adversarialText(megabytes: Int, seed: UInt64) -> String {
        var random = SeededRandom(seed: seed &+ 3)
        let alphabet = Array("0123456789012345678901234567890123456789 -.+()@:/=_#,;xAkS".utf8)
        var bytes = [UInt8](repeating: 0, count: megabytes << 20)
        for k in 0..<bytes.count { bytes[k] = alphabet[Int(random.next() % UInt64(alphabet.count))] }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Runs the throughput workloads (`only`: typical, dense, adversarial, records or probes).
    static func throughput(engine: RedactionEngine, megabytes: Int, seed: UInt64, only: String?) {
        func wanted(_ name: String) -> Bool { only == nil || only == name }
        print("## redaction throughput (1 thread)")
        let typical = typicalText(megabytes: megabytes, seed: seed)
        let typicalLines = typical.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        if wanted("typical") { measure("typical prompt/response text (redactText)", bytes: typical.utf8.count, rounds: only == nil ? 5 : 20) {
            var n = 0
            for line in typicalLines { n &+= (try? engine.redactText(line, region: "us"))?.report.totalDetections ?? 0 }
            return n
        } }
        var generator = CorpusGenerator(seed: seed)
        var dense = ""
        while dense.utf8.count < (megabytes / 4) << 20 { dense += generator.document(kind: .prompt).text + "\n" }
        let denseLines = dense.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        if wanted("dense") { measure("entity-dense corpus text (redactText)", bytes: dense.utf8.count, rounds: only == nil ? 5 : 20) {
            var n = 0
            for line in denseLines { n &+= (try? engine.redactText(line, region: "us"))?.report.totalDetections ?? 0 }
            return n
        } }
        let adversarial = adversarialText(megabytes: max(1, megabytes / 4), seed: seed)
        let chunks = stride(from: 0, to: adversarial.utf8.count, by: 64 << 10).map { start -> String in
            let bytes = Array(adversarial.utf8)
            return String(decoding: bytes[start..<min(bytes.count, start + (64 << 10))], as: UTF8.self)
        }
        if wanted("adversarial") { measure("adversarial digit/symbol text (redactText)", bytes: adversarial.utf8.count, rounds: only == nil ? 5 : 20) {
            var n = 0
            for chunk in chunks { n &+= (try? engine.redactText(chunk, region: "us"))?.report.totalDetections ?? 0 }
            return n
        } }
        // Whole records: a JSON request/response per 4 KB of typical text.
        var records: [[UInt8]] = []
        var recordBytes = 0
        var k = 0
        while k + 2 < typicalLines.count {
            let record: JSONValue = .object([
                JSONMember("request", .object([
                    JSONMember("model", "gpt-4o"),
                    JSONMember("messages", .array([
                        .object([JSONMember("role", "system"), JSONMember("content", "You are a helpful assistant.")]),
                        .object([JSONMember("role", "user"), JSONMember("content", .string(typicalLines[k]))]),
                    ])),
                    JSONMember("temperature", .number("0.2")),
                ])),
                JSONMember("response", .object([
                    JSONMember("id", .string("chatcmpl-\(k)")),
                    JSONMember("choices", .array([.object([JSONMember("message", .object([
                        JSONMember("role", "assistant"), JSONMember("content", .string(typicalLines[k + 1])),
                    ]))])])),
                    JSONMember("usage", .object([JSONMember("prompt_tokens", 812), JSONMember("completion_tokens", 240)])),
                ])),
            ])
            let bytes = record.serialized()
            recordBytes += bytes.count
            records.append(bytes)
            k += 2
        }
        let metadata = [("user_agent", "gateway/1.4"), ("client_ip", "203.0.113.7"), ("authorization", "Bearer abc")]
        if wanted("records") { measure("records (redactRecord, \(records.count) records)", bytes: recordBytes, rounds: only == nil ? 5 : 10) {
            var n = 0
            for r in records {
                n &+= (try? engine.redactRecord(content: r, metadata: metadata, region: "us"))?.report.totalDetections ?? 0
            }
            return n
        } }
        guard wanted("probes") else { return }
        print("\n## linear-time probes (1 MiB each)")
        let base64 = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var random = SeededRandom(seed: seed &+ 4)
        let probes: [(String, String)] = [
            ("digits", String(repeating: "7", count: 1 << 20)),
            ("'@'", String(repeating: "@", count: 1 << 20)),
            ("'-'", String(repeating: "-", count: 1 << 20)),
            ("base64", String(decoding: (0..<(1 << 20)).map { _ in base64[Int(random.next() % 64)] }, as: UTF8.self)),
            ("'1 ' pairs", String(repeating: "1 ", count: 1 << 19)),
            ("'a@' pairs", String(repeating: "a@", count: 1 << 19)),
            ("'sk-' repeated", String(repeating: "sk-", count: (1 << 20) / 3)),
            ("':' run", String(repeating: ":", count: 1 << 20)),
            ("' -U a -P -w' repeated", String(repeating: " -U a -P -w", count: (1 << 20) / 11)),
            ("'пароль ' repeated", String(repeating: "пароль ", count: (1 << 20) / 13)),
            ("'-----BEGIN PRIVATE KEY-----' repeated", String(repeating: "-----BEGIN PRIVATE KEY-----", count: (1 << 20) / 27)),
        ]
        for (name, text) in probes {
            var best = Double.infinity
            var n = 0
            for _ in 0..<3 {
                let start = threadCPUTime()
                n = (try? engine.redactText(text, region: "us"))?.report.totalDetections ?? -1
                best = min(best, threadCPUTime() - start)
            }
            print(name.padding(toLength: 44, withPad: " ", startingAt: 0) + String(format: " %8.1f ms CPU  (%d detections)", best * 1000, n))
        }
    }
}
