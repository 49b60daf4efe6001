import Foundation
import AuditFormat
import AuditIndex
import AuditQuery
import AuditStore
import Gatelog
import JSON
#if canImport(Glibc)
import Glibc
#endif

/// `gatelog export [filters] [--out FILE]`: a compliance bundle (docs/FORMAT.md §12).
enum ExportCommand {
    static func run(_ raw: [String]) throws -> Int32 {
        var args = try Arguments(raw, flags: [])
        let data = dataDirectory(&args)
        let token = args.value("token")
        let pairs = filterPairs(&args)
        let out = args.value("out")
        try args.rejectUnknown()
        guard args.positionals.isEmpty else { throw UsageError("export takes no positional arguments (filters are options, like --tenant T)") }
        let filter: IndexFilter
        do { filter = try FilterArguments.parse(pairs) } catch let e as IndexError { throw UsageError(e.message) }
        try requireDataDirectory(data)
        let service = try GatelogService(configuration: StoreConfiguration(dataDirectory: data))
        defer { service.close() }
        let prepared = try service.query.prepareExport(try principal(token, service: service), filter: filter)
        for w in prepared.warnings { printError("warning: \(w)") }

        // The bundle holds records (redacted, but still personal data): mode 0600, like the store's files.
        let toStdout = out == nil || out == "-"
        // Not through a symbolic link, and 0600 also when the file existed with another mode.
        let fd = toStdout ? STDOUT_FILENO : try FileIO.open(out!, flags: O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, mode: 0o600)
        defer { if !toStdout { close(fd) } }
        if !toStdout && fchmod(fd, 0o600) != 0 { throw FileIOError(operation: "chmod", path: out!, code: errno) }
        var buffer = [UInt8]()
        buffer.reserveCapacity(1 << 20)
        let path = out ?? "standard output"
        let summary: PreparedExport.Summary
        do {
            summary = try prepared.write { bytes in
                buffer += bytes
                if buffer.count >= 1 << 20 { try FileIO.writeAll(fd, buffer, path: path); buffer.removeAll(keepingCapacity: true) }
            }
            try FileIO.writeAll(fd, buffer, path: path)
            if !toStdout { try FileIO.sync(fd, path: path) }
        } catch {
            // A bundle cut short (a full disk) is of no use and holds personal data: remove it.
            if !toStdout, unlink(out!) == 0 { printError("gatelog export: the incomplete bundle \(path) was removed") }
            throw error
        }
        var message = "exported \(summary.records) records"
        if !summary.regions.isEmpty { message += " of region \(summary.regions.joined(separator: ", "))" }
        if !toStdout { message += " to \(path)" }
        printError(message)
        if summary.uncovered > 0 {
            printError("note: \(summary.uncovered) matching records are newer than their region's latest checkpoint and were left out (a checkpoint is signed at least every second while records arrive, and when the writer closes): export again to include them")
        }
        return 0
    }
}

/// `gatelog verify-bundle FILE [--key FILE] [--json]`: checks a bundle offline, without a data directory.
enum VerifyBundleCommand {
    static func run(_ raw: [String]) throws -> Int32 {
        var args = try Arguments(raw, flags: ["json"])
        let keyFiles = args.values("key")
        let asJSON = args.flag("json")
        try args.rejectUnknown()
        guard args.positionals.count == 1, let file = args.positionals.first else { throw UsageError("verify-bundle takes one bundle file (or - for standard input)") }
        let keyring = keyFiles.isEmpty ? nil : VerifierKeyring(try pinnedKeys(keyFiles))
        let fd = file == "-" ? STDIN_FILENO : try FileIO.open(file, flags: O_RDONLY)
        defer { if file != "-" { close(fd) } }
        let verifier = BundleVerifier(trustedKeys: keyring)
        // Line by line, in 1 MiB reads: a bundle of any size in bounded memory.
        var pending = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = try chunk.withUnsafeMutableBytes { buffer -> Int in
                while true {
                    let r = read(fd, buffer.baseAddress, buffer.count)
                    if r >= 0 { return r }
                    if errno != EINTR { throw FileIOError(operation: "read", path: file, code: errno) }
                }
            }
            if n == 0 { break }
            pending += chunk[0..<n]
            var start = 0
            while let newline = pending[start...].firstIndex(of: 0x0A) {
                verifier.add(line: pending[start..<newline])
                start = newline + 1
            }
            pending.removeFirst(start)
        }
        if !pending.isEmpty { verifier.add(line: pending[...], terminated: false) }
        let result = verifier.finish()
        if asJSON {
            printJSON(.object([
                JSONMember("valid", .bool(result.isValid)), JSONMember("records", .int(result.records)),
                JSONMember("uncovered", .int(result.uncovered)), JSONMember("content", .bool(result.contentIncluded)),
                JSONMember("created", result.created.map { .string($0) } ?? .null),
                JSONMember("exported_by", result.exportedBy.map { .string($0) } ?? .null),
                JSONMember("regions", .array(result.regions.map {
                    .object([JSONMember("region", .string($0.region)), JSONMember("records", .int($0.records)),
                             JSONMember("checkpoint_size", .int($0.treeSize)),
                             JSONMember("checkpoint_time", .string(Timestamp.format(milliseconds: $0.checkpointTime))),
                             JSONMember("complete", .bool($0.complete))])
                })),
                JSONMember("problems", .array(result.problems.map { .string($0.description) })),
                JSONMember("problems_truncated", .bool(result.problemsTruncated)),
                JSONMember("notes", .array(result.notes.map { .string($0) })),
                JSONMember("export_warnings", .array(result.exportWarnings.map { .string($0) })),
            ]))
        } else {
            print("bundle: \(result.isValid ? "VALID" : "INVALID") — \(result.records) records in \(result.regions.count) regions"
                  + (result.created.map { ", created \($0)" } ?? "") + (result.exportedBy.map { " by \($0)" } ?? "")
                  + (result.contentIncluded ? ", content included" : ", content digests only"))
            for r in result.regions {
                print("  \(r.region): \(r.records) records proven against the checkpoint of size \(r.treeSize) signed \(Timestamp.format(milliseconds: r.checkpointTime))"
                      + (r.complete ? " (complete: every record of the log up to it)" : ""))
            }
            for p in result.problems { print("  PROBLEM \(p)") }
            if result.problemsTruncated { print("  (more problems not listed)") }
            if result.uncovered > 0 { print("  note: the export left out \(result.uncovered) records not yet covered by a checkpoint") }
            for w in result.exportWarnings { print("  note: the export warned: \(w)") }
            for n in result.notes { print("  note: \(n)") }
            if result.created != nil { print("  note: the header's created, exported_by and filter describe the export; they are not signed") }
        }
        return result.isValid ? 0 : 1
    }
}
