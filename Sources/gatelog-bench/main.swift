// Minimal entry point for the redaction benchmark; the lead merges it into the multi-command bench.
import Foundation
do {
    try RedactionBench.run(arguments: Array(CommandLine.arguments.dropFirst()))
} catch {
    print("gatelog-bench: \(error)")
    exit(1)
}
