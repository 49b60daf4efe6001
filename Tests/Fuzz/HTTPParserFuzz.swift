// libFuzzer entry point for the HTTP request parser and request-target parsing. Not part of `swift build`:
// compile it together with the parser sources (see docs/decisions/http-server.md):
//
//   swiftc -sanitize=fuzzer,address -parse-as-library -O -g \
//     Tests/Fuzz/HTTPParserFuzz.swift Sources/HTTPServer/HTTPTypes.swift \
//     Sources/HTTPServer/HTTPRequestParser.swift Sources/HTTPServer/RequestTarget.swift \
//     -o .build/fuzz/http-parser-fuzz
//   .build/fuzz/http-parser-fuzz -max_total_time=120 -max_len=4096 Tests/Fuzz/corpus
//
// Besides crashes and memory errors, it checks two properties and traps when they fail:
//  1. Fragmentation independence: feeding the input at once or split at fuzzer-chosen points yields the same
//     requests and the same error.
//  2. Every produced head has a body framing the parser can account for, and every target that parses has
//     path segments that re-split consistently.
//  3. Re-serialising the parsed requests canonically (trimmed fields, one chunk) and parsing again gives the same
//     events.

/// What a parse run produced, comparable across fragmentations.
struct Outcome: Equatable {
    var events: [HTTPParserEvent] = []
    var error: HTTPParseError?
}

func runParser(_ data: UnsafeBufferPointer<UInt8>, limits: HTTPParserLimits, pieceSizes: [Int], bodyLimit: Int?) -> Outcome {
    var parser = HTTPRequestParser(limits: limits)
    var outcome = Outcome()
    var offset = 0
    var p = 0
    while true {
        do {
            while let event = try parser.nextEvent() {
                outcome.events.append(event)
                if case .head(let head) = event {
                    if let bodyLimit { parser.setBodyLimit(bodyLimit) }
                    checkHead(head)
                }
            }
        } catch {
            outcome.error = error
            return outcome
        }
        if offset >= data.count { return outcome }
        let n = min(max(1, pieceSizes[p % pieceSizes.count]), data.count - offset)
        p += 1
        parser.append(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: data[offset..<(offset + n)])))
        offset += n
    }
}

func checkHead(_ head: HTTPRequestHead) {
    precondition(!(head.isChunked && head.contentLength != nil), "chunked and Content-Length together")
    precondition(head.version == .http1_0 || head.version == .http1_1, "unsupported version accepted")
    precondition(!head.target.isEmpty && !head.target.utf8.contains(0x20), "bad target accepted")
    if let target = RequestTarget.parse(head.target) {
        precondition(target.path == "*" || target.path.hasPrefix("/"), "path without leading slash")
        for item in target.query { _ = item.name.utf8.count + item.value.utf8.count }
    }
}

/// Canonical bytes for parsed events: request line, fields as parsed, body re-framed the same way.
func serialize(_ events: [HTTPParserEvent]) -> [UInt8] {
    var out: [UInt8] = []
    var pending: HTTPRequestHead?
    for event in events {
        switch event {
        case .head(let head):
            out += Array("\(head.method.rawValue) \(head.target) \(head.version)\r\n".utf8)
            for field in head.headers { out += Array("\(field.name): \(field.value)\r\n".utf8) }
            out += [13, 10]
            pending = head
        case .end(let body, let trailers):
            guard let head = pending else { preconditionFailure("end without head") }
            if head.isChunked {
                if !body.isEmpty {
                    out += Array(String(body.count, radix: 16).utf8) + [13, 10] + body + [13, 10]
                }
                out += Array("0\r\n".utf8)
                for field in trailers { out += Array("\(field.name): \(field.value)\r\n".utf8) }
                out += [13, 10]
            } else {
                precondition(body.count == (head.contentLength ?? 0), "body length differs from Content-Length")
                out += body
            }
            pending = nil
        }
    }
    return out
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 2 else { return 0 }
    // The first two bytes choose limits and fragmentation; the rest is the stream.
    let control0 = Int(data[0]), control1 = Int(data[1])
    let input = UnsafeBufferPointer(start: data + 2, count: size - 2)
    let limits = HTTPParserLimits(maxHeaderBytes: 64 + (control0 & 0x0F) * 64, maxHeaderCount: 1 + (control0 >> 4),
                                  maxBodyBytes: 16 + control1 * 8, maxChunkLineBytes: 32 + (control1 & 0x1F))
    let bodyLimit: Int? = control1 & 0x80 != 0 ? 24 : nil
    let whole = runParser(input, limits: limits, pieceSizes: [Int.max], bodyLimit: bodyLimit)
    let bytewise = runParser(input, limits: limits, pieceSizes: [1], bodyLimit: bodyLimit)
    let uneven = runParser(input, limits: limits, pieceSizes: [1 + control0 % 7, 1 + control1 % 13, 3], bodyLimit: bodyLimit)
    precondition(whole == bytewise, "byte-at-a-time parse differs from whole parse")
    precondition(whole == uneven, "uneven-split parse differs from whole parse")
    // Complete requests only (drop a trailing head without its end).
    var complete = whole.events
    if case .head? = complete.last { complete.removeLast() }
    if !complete.isEmpty {
        let canonical = serialize(complete)
        // Invalid UTF-8 in field values decodes to U+FFFD (3 bytes each), so the canonical form may be longer.
        var relaxed = limits
        relaxed.maxHeaderBytes = limits.maxHeaderBytes * 3
        let again = canonical.withUnsafeBufferPointer { runParser($0, limits: relaxed, pieceSizes: [Int.max], bodyLimit: bodyLimit) }
        precondition(again.error == nil && again.events == complete, "canonical re-serialisation parses differently")
    }
    // Request-target and query parsing on the raw input as a string.
    let text = String(decoding: input, as: UTF8.self)
    if let target = RequestTarget.parse(text) {
        precondition(target.path == "*" || target.path.hasPrefix("/"), "path without leading slash")
    }
    _ = QueryParameters.parse(text)
    return 0
}
