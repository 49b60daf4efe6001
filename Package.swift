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
        .target(name: "SampleData"),

        .executableTarget(name: "gatelog-bench", dependencies: ["SampleData", "JSON"]),

        .testTarget(name: "GatelogCryptoTests", dependencies: ["GatelogCrypto"]),
        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "SampleDataTests", dependencies: ["SampleData", "JSON", "GatelogCrypto", "CZstd"]),
    ],
    swiftLanguageModes: [.v6]
)
