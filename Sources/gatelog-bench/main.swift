import Foundation

/// gatelog-bench: benchmarks, release mode only. See docs/PERFORMANCE.md.
let args = Array(CommandLine.arguments.dropFirst())
do {
    switch args.first {
    case "store": try StoreBench.run(arguments: Array(args.dropFirst()))
    default:
        print("usage: gatelog-bench store …")
    }
} catch {
    FileHandle.standardError.write(Data("gatelog-bench: \(error)\n".utf8))
    exit(1)
}
