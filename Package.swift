// swift-tools-version:6.0
// gatelog: a tamper-evident audit and compliance log store for AI gateways.
// No third-party packages: Foundation, Dispatch and system C libraries only.
//
// Layers (dependencies point down):
//   gatelog (CLI) ─ GatelogServer (HTTP API) ─ Gatelog (service: guardrails + store + index + access log)
//   AuditQuery (principals, scopes, search/get/stats/verify) ─ AuditIndex (SQLite) ─ AuditStore (files)
//   Redaction (detectors, policies)  AuditFormat (bytes, hashes, no I/O)  HTTPServer (sockets)
//   JSON, GatelogCrypto ─ CSQLite, CZstd, CCrypto, CSSL (system libraries)
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

        // Foundations.
        .target(name: "GatelogCrypto", dependencies: ["CCrypto"]),
        .target(name: "JSON"),

        // Formats and engines.
        .target(name: "AuditFormat", dependencies: ["GatelogCrypto", "JSON", "CZstd"]),
        .target(name: "Redaction", dependencies: ["GatelogCrypto", "JSON"]),
        .target(name: "HTTPServer", dependencies: ["CSSL", "JSON"]),

        // Storage, index, queries.
        .target(name: "AuditStore", dependencies: ["AuditFormat", "GatelogCrypto", "JSON"]),
        .target(name: "AuditIndex", dependencies: ["CSQLite", "JSON"]),
        .target(name: "AuditQuery", dependencies: ["AuditFormat", "AuditStore", "AuditIndex", "GatelogCrypto", "JSON"]),

        // The service and its front ends.
        .target(name: "Gatelog", dependencies: ["AuditFormat", "AuditStore", "AuditIndex", "AuditQuery", "Redaction", "GatelogCrypto", "JSON"]),
        .target(name: "GatelogServer", dependencies: ["Gatelog", "HTTPServer", "AuditIndex", "AuditFormat", "AuditStore", "AuditQuery", "GatelogCrypto", "JSON"]),
        .executableTarget(name: "gatelog", dependencies: ["Gatelog", "GatelogServer", "HTTPServer", "AuditIndex", "AuditFormat", "AuditStore",
                                                          "AuditQuery", "Redaction", "GatelogCrypto", "JSON", "SampleData"]),

        // Test and benchmark data, benchmarks (release mode).
        .target(name: "SampleData"),
        .target(name: "RedactionCorpus", dependencies: ["Redaction"]),
        .executableTarget(name: "gatelog-bench", dependencies: ["AuditIndex", "Gatelog", "AuditFormat", "AuditStore", "GatelogCrypto", "JSON",
                                                                "SampleData", "Redaction", "RedactionCorpus"]),
        .executableTarget(name: "http-bench", dependencies: ["HTTPServer"]),

        .testTarget(name: "GatelogCryptoTests", dependencies: ["GatelogCrypto"]),
        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "AuditFormatTests", dependencies: ["AuditFormat", "GatelogCrypto", "JSON"]),
        .testTarget(name: "RedactionTests", dependencies: ["Redaction", "RedactionCorpus", "JSON", "GatelogCrypto"]),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "JSON"], exclude: ["Golden"]),
        .testTarget(name: "AuditStoreTests", dependencies: ["AuditStore", "AuditFormat", "GatelogCrypto", "JSON"]),
        .testTarget(name: "AuditIndexTests", dependencies: ["AuditIndex"]),
        .testTarget(name: "SampleDataTests", dependencies: ["SampleData", "JSON", "GatelogCrypto", "CZstd"]),
        .testTarget(name: "GatelogTests", dependencies: ["Gatelog", "AuditQuery", "AuditIndex", "AuditStore", "AuditFormat", "GatelogCrypto", "JSON", "SampleData"]),
        .testTarget(name: "GatelogServerTests", dependencies: ["GatelogServer", "Gatelog", "AuditQuery", "AuditStore", "AuditFormat", "AuditIndex", "GatelogCrypto", "HTTPServer", "JSON", "SampleData"]),
    ],
    swiftLanguageModes: [.v6]
)
