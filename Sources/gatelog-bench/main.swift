// gatelog-bench: benchmarks (build and run in release mode).
// `gatelog-bench index [--entries N] [--batches 100,1000,10000] [--runs R] [--dir DIR] [--keep]`
import Foundation

do {
    try IndexBench.run(arguments: Array(CommandLine.arguments.dropFirst()))
} catch {
    FileHandle.standardError.write(Data("gatelog-bench: \(error)\n".utf8))
    exit(2)
}
