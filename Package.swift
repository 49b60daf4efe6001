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
        .systemLibrary(name: "CSSL", pkgConfig: "libssl", providers: [.apt(["libssl-dev"])]),

        // Pure layers.
        .target(name: "GatelogCrypto", dependencies: ["CCrypto"]),
        .target(name: "JSON"),
        .target(name: "SampleData"),
        .target(name: "AuditIndex", dependencies: ["CSQLite", "JSON"]),
        .target(name: "HTTPServer", dependencies: ["CSSL", "JSON"]),
        .target(name: "AuditFormat", dependencies: ["GatelogCrypto", "JSON", "CZstd"]),
        .target(name: "AuditStore", dependencies: ["AuditFormat", "GatelogCrypto", "JSON"]),
        .target(name: "AuditQuery", dependencies: ["AuditFormat", "AuditStore", "AuditIndex", "GatelogCrypto", "JSON"]),
        .target(name: "Gatelog", dependencies: ["AuditFormat", "AuditStore", "AuditIndex", "AuditQuery", "GatelogCrypto", "JSON"]),
        .target(name: "GatelogServer", dependencies: ["Gatelog", "HTTPServer", "AuditIndex", "AuditFormat", "AuditStore", "AuditQuery", "GatelogCrypto", "JSON"]),
        .executableTarget(name: "gatelog", dependencies: ["Gatelog", "GatelogServer", "HTTPServer", "AuditIndex", "AuditFormat", "AuditStore", "AuditQuery", "GatelogCrypto", "JSON", "SampleData"]),
        .executableTarget(name: "http-bench", dependencies: ["HTTPServer"]),
        .executableTarget(name: "gatelog-bench", dependencies: ["AuditIndex", "Gatelog", "AuditFormat", "AuditStore", "GatelogCrypto", "JSON", "SampleData"]),

        .testTarget(name: "GatelogCryptoTests", dependencies: ["GatelogCrypto"]),
        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "AuditFormatTests", dependencies: ["AuditFormat", "GatelogCrypto", "JSON"]),
        .testTarget(name: "AuditStoreTests", dependencies: ["AuditStore", "AuditFormat", "GatelogCrypto", "JSON"]),
        .testTarget(name: "GatelogTests", dependencies: ["Gatelog", "AuditQuery", "AuditIndex", "AuditStore", "AuditFormat", "GatelogCrypto", "JSON", "SampleData"]),
        .testTarget(name: "GatelogServerTests", dependencies: ["GatelogServer", "Gatelog", "AuditQuery", "AuditStore", "AuditFormat", "AuditIndex", "GatelogCrypto", "HTTPServer", "JSON", "SampleData"]),
        .testTarget(name: "AuditIndexTests", dependencies: ["AuditIndex"]),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "JSON"], exclude: ["Golden"]),
    ],
    swiftLanguageModes: [.v6]
)
