import Foundation
import Redaction

/// A detection to score: a type name and a UTF-8 byte range.
public struct ScoredDetection: Sendable, Equatable {
    /// The detected type.
    public let label: String
    /// UTF-8 byte range.
    public let range: Range<Int>

    /// Makes a detection.
    public init(label: String, range: Range<Int>) {
        self.label = label
        self.range = range
    }
}

/// Quality figures for one entity type.
public struct TypeScore: Sendable, Equatable {
    /// Labelled values of this type.
    public var goldCount = 0
    /// Labelled values overlapped by a detection of this type.
    public var goldFound = 0
    /// Detections of this type.
    public var detectedCount = 0
    /// Detections of this type that overlap a labelled value of this type.
    public var detectedCorrect = 0
    /// Bytes inside labelled values of this type.
    public var sensitiveBytes = 0
    /// Of those, bytes not covered by any detection (of any type).
    public var leakedBytes = 0

    /// Correct detections / detections (1 when there are none).
    public var precision: Double { detectedCount == 0 ? 1 : Double(detectedCorrect) / Double(detectedCount) }
    /// Found values / labelled values (1 when there are none).
    public var recall: Double { goldCount == 0 ? 1 : Double(goldFound) / Double(goldCount) }
    /// Harmonic mean of precision and recall.
    public var f1: Double { precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall) }
    /// Share of sensitive bytes left visible.
    public var leakRate: Double { sensitiveBytes == 0 ? 0 : Double(leakedBytes) / Double(sensitiveBytes) }
}

/// The scorer's result.
public struct CorpusScore: Sendable {
    /// Per positive type.
    public var types: [String: TypeScore] = [:]
    /// All types together (micro-averaged).
    public var overall = TypeScore()
    /// Detections that overlap a labelled value of any type, whatever the detected type.
    public var detectionsOnSensitive = 0
    /// Hard negatives, and how many a detection touched, per kind.
    public var negatives: [String: (total: Int, redacted: Int)] = [:]
    /// Documents scored.
    public var documents = 0
    /// Text bytes scored.
    public var bytes = 0

    /// Share of hard negatives touched by a detection.
    public var negativeRedactionRate: Double {
        let total = negatives.values.reduce(0) { $0 + $1.total }
        let hit = negatives.values.reduce(0) { $0 + $1.redacted }
        return total == 0 ? 0 : Double(hit) / Double(total)
    }

    /// Detections overlapping any sensitive value / all detections: precision ignoring the type label.
    public var untypedPrecision: Double {
        overall.detectedCount == 0 ? 1 : Double(detectionsOnSensitive) / Double(overall.detectedCount)
    }

    /// A plain-text table of the figures.
    public func render() -> String {
        func pct(_ x: Double) -> String { String(format: "%6.2f%%", x * 100) }
        func num(_ x: Double) -> String { String(format: "%.4f", x) }
        var lines: [String] = []
        lines.append("corpus: \(documents) documents, \(bytes) bytes")
        lines.append("type          gold   found  detected precision recall  f1      leak")
        for name in types.keys.sorted() {
            let s = types[name]!
            lines.append(name.padding(toLength: 12, withPad: " ", startingAt: 0)
                         + String(format: " %6d %6d %8d", s.goldCount, s.goldFound, s.detectedCount)
                         + "  \(num(s.precision))    \(num(s.recall)) \(num(s.f1)) \(pct(s.leakRate))")
        }
        let o = overall
        lines.append("OVERALL     " + String(format: " %6d %6d %8d", o.goldCount, o.goldFound, o.detectedCount)
                     + "  \(num(o.precision))    \(num(o.recall)) \(num(o.f1)) \(pct(o.leakRate))")
        lines.append("precision ignoring type labels: \(num(untypedPrecision))")
        let totalNeg = negatives.values.reduce(0) { $0 + $1.total }
        lines.append("hard negatives redacted: \(pct(negativeRedactionRate)) of \(totalNeg)")
        for kind in negatives.keys.sorted() where negatives[kind]!.redacted > 0 {
            let n = negatives[kind]!
            lines.append("  \(kind): \(n.redacted)/\(n.total)")
        }
        return lines.joined(separator: "\n")
    }
}

/// Scores detections against labelled documents.
///
/// - precision per type: detections of type T overlapping a labelled T / detections of type T;
/// - recall per type: labelled T overlapped by a detection of type T / labelled T;
/// - leak rate: bytes of labelled values not covered by any detection / bytes of labelled values
///   (this is what an auditor cares about: a value redacted under the "wrong" type is not leaked);
/// - hard negatives redacted: look-alikes overlapped by any detection / look-alikes.
/// Time O(spans × detections) per document (documents are short).
public enum CorpusScorer {
    /// Scores `documents`, asking `detect` for each text's detections.
    public static func score(_ documents: [CorpusDocument], detect: (String) -> [ScoredDetection]) -> CorpusScore {
        var score = CorpusScore()
        for doc in documents {
            score.documents += 1
            score.bytes += doc.text.utf8.count
            let detections = detect(doc.text).sorted { $0.range.lowerBound < $1.range.lowerBound }
            let positives = doc.spans.filter { !$0.isNegative }
            for span in doc.spans where span.isNegative {
                let touched = detections.contains { $0.range.overlaps(span.range) }
                var entry = score.negatives[span.label] ?? (0, 0)
                entry.total += 1
                if touched { entry.redacted += 1 }
                score.negatives[span.label] = entry
            }
            for span in positives {
                var t = score.types[span.label] ?? TypeScore()
                t.goldCount += 1
                if detections.contains(where: { $0.label == span.label && $0.range.overlaps(span.range) }) { t.goldFound += 1 }
                t.sensitiveBytes += span.range.count
                t.leakedBytes += uncovered(span.range, by: detections)
                score.types[span.label] = t
            }
            for d in detections {
                var t = score.types[d.label] ?? TypeScore()
                t.detectedCount += 1
                if positives.contains(where: { $0.label == d.label && $0.range.overlaps(d.range) }) { t.detectedCorrect += 1 }
                if positives.contains(where: { $0.range.overlaps(d.range) }) { score.detectionsOnSensitive += 1 }
                score.types[d.label] = t
            }
        }
        for t in score.types.values {
            score.overall.goldCount += t.goldCount
            score.overall.goldFound += t.goldFound
            score.overall.detectedCount += t.detectedCount
            score.overall.detectedCorrect += t.detectedCorrect
            score.overall.sensitiveBytes += t.sensitiveBytes
            score.overall.leakedBytes += t.leakedBytes
        }
        return score
    }

    /// Bytes of `range` not covered by any detection.
    static func uncovered(_ range: Range<Int>, by detections: [ScoredDetection]) -> Int {
        var covered = 0
        var cursor = range.lowerBound
        for d in detections where d.range.upperBound > cursor && d.range.lowerBound < range.upperBound {
            let start = max(cursor, d.range.lowerBound)
            let end = min(range.upperBound, d.range.upperBound)
            if end > start { covered += end - start; cursor = end }
        }
        return range.count - covered
    }
}

extension CorpusScorer {
    /// Scores the built-in and custom detectors of `engine` (every detection counts as redacted,
    /// whatever the policy's action).
    public static func score(_ documents: [CorpusDocument], engine: RedactionEngine) -> CorpusScore {
        score(documents) { text in engine.detect(text).map { ScoredDetection(label: $0.entity.name, range: $0.range) } }
    }
}
