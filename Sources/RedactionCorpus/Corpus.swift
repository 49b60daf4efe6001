import JSON

/// The shape of a corpus document.
public enum DocumentKind: String, Sendable, CaseIterable {
    /// A user's prompt to a model.
    case prompt
    /// A model's response.
    case response
    /// A customer-support ticket.
    case ticket
    /// Source code or configuration.
    case code
    /// Application or access log lines.
    case log
}

/// A labelled span: a sensitive value of a type, or a hard negative (a look-alike that must not
/// be redacted). Offsets are UTF-8 byte offsets into the document text.
public struct LabelledSpan: Sendable, Equatable {
    /// The entity type (`EMAIL`, `SECRET`…) for positives; the look-alike's kind (`UUID`,
    /// `ORDER_NUMBER`…) for negatives.
    public let label: String
    /// UTF-8 byte range in the text.
    public let range: Range<Int>
    /// True for a hard negative.
    public let isNegative: Bool
    /// For secrets, the kind (`openai`, `pem`, `jwt`…); for other types, the format family. Informational.
    public let detail: String

    /// Makes a span.
    public init(label: String, range: Range<Int>, isNegative: Bool, detail: String = "") {
        self.label = label
        self.range = range
        self.isNegative = isNegative
        self.detail = detail
    }
}

/// One labelled text.
public struct CorpusDocument: Sendable, Equatable {
    /// What the text looks like.
    public let kind: DocumentKind
    /// The text.
    public let text: String
    /// Its labelled spans, in order, non-overlapping.
    public let spans: [LabelledSpan]

    /// Makes a document.
    public init(kind: DocumentKind, text: String, spans: [LabelledSpan]) {
        self.kind = kind
        self.text = text
        self.spans = spans
    }

    /// The document as one JSON object:
    /// `{"kind":"prompt","text":"…","spans":[{"label":"EMAIL","start":3,"end":19,"negative":false,"detail":"…"}]}`.
    public func jsonValue() -> JSONValue {
        .object([
            JSONMember("kind", .string(kind.rawValue)),
            JSONMember("text", .string(text)),
            JSONMember("spans", .array(spans.map { s in
                .object([JSONMember("label", .string(s.label)), JSONMember("start", .int(s.range.lowerBound)),
                         JSONMember("end", .int(s.range.upperBound)), JSONMember("negative", .bool(s.isNegative)),
                         JSONMember("detail", .string(s.detail))])
            })),
        ])
    }

    /// Reads a document from the JSON form written by `jsonValue()` (`kind` and `detail` optional).
    public init?(jsonValue: JSONValue) {
        guard let text = jsonValue["text"]?.stringValue, let spans = jsonValue["spans"]?.arrayValue else { return nil }
        let kind = jsonValue["kind"]?.stringValue.flatMap(DocumentKind.init(rawValue:)) ?? .prompt
        var parsed: [LabelledSpan] = []
        let length = text.utf8.count
        for s in spans {
            guard let label = s["label"]?.stringValue, let start = s["start"]?.int64Value, let end = s["end"]?.int64Value,
                  start >= 0, end >= start, end <= length else { return nil }
            parsed.append(LabelledSpan(label: label, range: Int(start)..<Int(end), isNegative: s["negative"]?.boolValue ?? false,
                                       detail: s["detail"]?.stringValue ?? ""))
        }
        self.init(kind: kind, text: text, spans: parsed)
    }

    /// Parses JSON lines (one document per line, blank lines ignored); nil on the first bad line.
    public static func parseJSONLines(_ text: String) -> [CorpusDocument]? {
        var out: [CorpusDocument] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            guard let value = try? JSONValue.parse(String(line)), let doc = CorpusDocument(jsonValue: value) else { return nil }
            out.append(doc)
        }
        return out
    }
}

/// A small deterministic generator (SplitMix64): the same seed gives the same corpus everywhere.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Starts from `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
