import Foundation
import Gatelog

/// gatelog: one binary, one type per subcommand.
let usage = """
gatelog — tamper-evident audit log store for AI gateways

usage: gatelog <command> [options]       (every command takes --data DIR, default ./gatelog-data)

  serve                    the HTTP service (default 127.0.0.1:8080); prints an admin token on first start
      --listen HOST:PORT  --segment-size SIZE  --batch-delay MS  --max-body SIZE (default 16MiB)  --tls-cert FILE --tls-key FILE
  token create --role R [--scope region=R,tenant=T,meta.KEY=V] [--expires 30d] [--json]
  token list [--json] | token revoke ID | token rotate ID

  ingest [FILE|-]          append NDJSON records; prints a JSON summary (exit 1 if any line was rejected)
      --segment-size SIZE  roll segments at SIZE (e.g. 1MiB)     --batch-delay MS  group-commit delay
      --policy FILE        redaction policy (default: redaction_policy in gatelog.json, else the standard policy)
      --acks               per line as each chunk becomes durable: `ack LINE REGION POSITION ID` (stored),
                           `dup LINE REGION POSITION ID` (already stored) or `rej LINE CODE` (rejected)
      --results            include every line's outcome in the summary
  verify                   check every hash, link, signature and checkpoint (exit 0 intact, 1 broken, 2 usage, 3 I/O)
      --region R  --json  --checkpoint FILE (outside checkpoints)  --key FILE (trust only these keys)
  search [filters] [--limit N] [--cursor C] [--oldest] [--no-content] [--format json|ndjson|csv]
      filters: --from --to (RFC 3339 or -24h) --region --tenant --team --user --api-key --kind --model
               --provider --status (200, 4xx) --error --meta key=v1,v2 --trace --id --min-cost --max-cost
               --min-latency --max-latency --backend --fallback true|false --text
                                   (search, get, stats: --token T to act as that token)
  get ID [--region R]      one record, its chain position and an inclusion proof against the latest checkpoint
  stats [filters] --group-by model,meta:customer_id [--bucket minute|hour|day] [--format json|csv]
  export [filters] [--out FILE]   a compliance bundle (NDJSON): the matching records with inclusion proofs
                           against signed checkpoints, verifiable offline (as the local admin, or --token T with export)
  verify-bundle FILE [--key FILE] [--json]   check a bundle offline (exit 0 valid, 1 not, 2 usage, 3 I/O);
                           --key: the store's verifier keys (`gatelog key list`); without it, the bundle's own
  reindex                  rebuild the SQLite index from the segments
  redact [FILE|-] [--policy FILE] [--records] [--report]   try a redaction policy on JSON lines ({"text":…})
  checkpoint [--region R]  print the latest signed checkpoint(s), for an outside witness
  info [--json]            regions, segments, records, raw and stored bytes, compression ratio
  key rotate | key list    rotate the signing key (old public keys are kept; not while serve runs) / list verifier keys
  demo [--count N]         generate sample records, ingest, verify and summarise
"""

let arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first, command != "--help", command != "-h", command != "help" else {
    print(usage)
    exit(arguments.isEmpty ? 2 : 0)
}
let rest = Array(arguments.dropFirst())
// `gatelog serve --help`, `gatelog token create -h`: the command's lines of the usage (with their
// option lines), not "option --help needs a value". Only right after the command (or its
// subcommand): elsewhere `-h` may be a value (`gatelog get -- -h`), and a stray one must never make
// `verify` exit 0 without verifying.
let commands: Set<String> = ["ingest", "verify", "checkpoint", "info", "key", "demo", "serve", "token", "search", "get", "stats",
                             "reindex", "redact", "export", "verify-bundle"]
func isHelp(_ a: String?) -> Bool { a == "--help" || a == "-h" }
if commands.contains(command), isHelp(rest.first) || (["token", "key"].contains(command) && isHelp(rest.dropFirst().first)) {
    var lines: [Substring] = []
    var inCommand = false
    for line in usage.split(separator: "\n", omittingEmptySubsequences: false) {
        if line.hasPrefix("  \(command) ") || line == "  \(command)" { inCommand = true; lines.append(line); continue }
        if inCommand && line.hasPrefix("      ") { lines.append(line); continue }
        inCommand = false
    }
    if lines.isEmpty { print(usage) } else { print("usage: gatelog <command> [options]   (--data DIR, default ./gatelog-data)\n"); print(lines.joined(separator: "\n")) }
    exit(0)
}
let code: Int32
do {
    switch command {
    case "ingest": code = try IngestCommand.run(rest)
    case "verify": code = try VerifyCommand.run(rest)
    case "checkpoint": code = try CheckpointCommand.run(rest)
    case "info": code = try InfoCommand.run(rest)
    case "key": code = try KeyCommand.run(rest)
    case "demo": code = try DemoCommand.run(rest)
    case "serve": code = try ServeCommand.run(rest)
    case "token": code = try TokenCommand.run(rest)
    case "search": code = try SearchCommand.run(rest)
    case "get": code = try GetCommand.run(rest)
    case "stats": code = try StatsCommand.run(rest)
    case "reindex": code = try ReindexCommand.run(rest)
    case "redact": code = try RedactCommand.run(rest)
    case "export": code = try ExportCommand.run(rest)
    case "verify-bundle": code = try VerifyBundleCommand.run(rest)
    default:
        printError("gatelog: unknown command '\(command)'\n\n\(usage)")
        code = 2
    }
} catch let e as UsageError {
    printError("gatelog \(command): \(e)")
    code = 2
} catch {
    printError("gatelog \(command): \(error)")
    code = 3
}
exit(code)
