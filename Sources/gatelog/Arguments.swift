import Foundation

/// A usage error: exit code 2.
struct UsageError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Minimal, strict command-line parsing: `--name value`, `--name=value`, `--flag`, positionals.
struct Arguments {
    private(set) var positionals: [String] = []
    private var options: [String: [String]] = [:]
    private var flags: Set<String> = []
    private var consumed: Set<String> = []
    /// Options read with `value` (one value expected): given twice, they are a usage error.
    private var single: Set<String> = []
    /// A last `--name` with nothing after it: an unknown option, or a known one missing its value
    /// (which one is known only once the command has asked for its options).
    private var dangling: String?

    init(_ args: [String], flags knownFlags: Set<String>) throws {
        var i = 0
        while i < args.count {
            let a = args[i]
            if a == "--" { positionals += args[(i + 1)...]; break }
            if a.hasPrefix("--") {
                let body = String(a.dropFirst(2))
                if let eq = body.firstIndex(of: "=") {
                    options[String(body[..<eq]), default: []].append(String(body[body.index(after: eq)...]))
                } else if knownFlags.contains(body) {
                    flags.insert(body)
                } else {
                    guard i + 1 < args.count else { dangling = body; break }
                    options[body, default: []].append(args[i + 1])
                    i += 1
                }
            } else if a.hasPrefix("-") && a.count > 1 {
                throw UsageError("unknown option \(a)")
            } else {
                positionals.append(a)
            }
            i += 1
        }
    }

    mutating func value(_ name: String) -> String? { consumed.insert(name); single.insert(name); return options[name]?.last }
    mutating func values(_ name: String) -> [String] { consumed.insert(name); return options[name] ?? [] }
    mutating func flag(_ name: String) -> Bool { consumed.insert(name); return flags.contains(name) }

    mutating func int(_ name: String) throws -> Int? {
        guard let v = value(name) else { return nil }
        guard let i = Int(v) else { throw UsageError("--\(name) must be an integer") }
        return i
    }

    /// Fails on options nobody asked for (typos must not be ignored).
    func rejectUnknown() throws {
        if let dangling {
            throw UsageError(consumed.contains(dangling) ? "option --\(dangling) needs a value" : "unknown option --\(dangling)")
        }
        for name in options.keys where !consumed.contains(name) { throw UsageError("unknown option --\(name)") }
        for name in flags where !consumed.contains(name) { throw UsageError("unknown option --\(name)") }
        for name in single.sorted() where (options[name]?.count ?? 0) > 1 {
            throw UsageError("--\(name) was given more than once (it takes one value)")
        }
    }
}

/// Read-only commands and those that change an existing store never create one: a mistyped
/// `--data` (or an unset `$GATELOG_DATA`) is an error, not an empty store with a new signing key.
func requireDataDirectory(_ data: String) throws {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: data, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw UsageError("no data directory at \(data)")
    }
}

/// Writes to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
