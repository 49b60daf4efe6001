import XCTest
@testable import Redaction

/// What the engine detects in a text, and assertions over it, shared by the detector tests.
protocol DetectionAssertions {
    var engine: RedactionEngine { get }
}

extension DetectionAssertions {
    /// (type name, matched text) pairs for `text`.
    func found(_ text: String) -> [(String, String)] {
        let bytes = Array(text.utf8)
        return engine.detect(text).map { ($0.entity.name, String(decoding: bytes[$0.range], as: UTF8.self)) }
    }

    /// No detection in `text` covers `value` (whatever else is found).
    func assertNotFound(_ value: String, in text: String, file: StaticString = #filePath, line: UInt = #line) {
        let hits = found(text)
        XCTAssertFalse(hits.contains { $0.1.contains(value) }, "\(value) was detected in \(text.debugDescription): \(hits)", file: file, line: line)
    }

    /// `value` is found exactly (type and extent) in `text`.
    func assertFinds(_ value: String, as type: EntityType, in text: String, file: StaticString = #filePath, line: UInt = #line) {
        let hits = found(text)
        XCTAssertTrue(hits.contains { $0.0 == type.name && $0.1 == value },
                      "expected \(type.name) \(value.debugDescription) in \(text.debugDescription), got \(hits)", file: file, line: line)
    }

    /// `value` is found exactly inside `prefix + value + suffix` (a sentence by default).
    func assertFinds(_ value: String, as type: EntityType, prefix: String = "see ", suffix: String = " now.",
                     file: StaticString = #filePath, line: UInt = #line) {
        assertFinds(value, as: type, in: prefix + value + suffix, file: file, line: line)
    }

    /// Nothing at all is detected in `text`.
    func assertClean(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        let hits = found(text)
        XCTAssertTrue(hits.isEmpty, "expected nothing in \(text.debugDescription), got \(hits)", file: file, line: line)
    }
}
