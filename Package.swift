// swift-tools-version:6.0
// gatelog: a tamper-evident audit and compliance log store for AI gateways.
// No third-party packages: Foundation, Dispatch and system C libraries only.
import PackageDescription

let package = Package(
    name: "gatelog",
    platforms: [.macOS(.v15)],
    targets: [
        // System libraries (module.modulemap + shim.h only).
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),

        // Pure layers.
        .target(name: "GatelogCrypto", dependencies: ["CCrypto"]),
        .target(name: "JSON"),
        .target(name: "Redaction", dependencies: ["GatelogCrypto", "JSON"]),
        .target(name: "RedactionCorpus", dependencies: ["Redaction"]),

        // Benchmarks (release mode).
        .executableTarget(name: "gatelog-bench", dependencies: ["Redaction", "RedactionCorpus", "JSON"]),

        .testTarget(name: "GatelogCryptoTests", dependencies: ["GatelogCrypto"]),
        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "RedactionTests", dependencies: ["Redaction", "RedactionCorpus", "JSON", "GatelogCrypto"]),
    ],
    swiftLanguageModes: [.v6]
)
