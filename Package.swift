// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "cronmetrics",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "cronmetrics", targets: ["cronmetrics"]),
        .library(name: "CronMetricsCore", targets: ["CronMetricsCore"]),
        .library(name: "CronMetricsServer", targets: ["CronMetricsServer"]),
        .library(name: "CronMetricsClient", targets: ["CronMetricsClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // The domain: job files, reconcile, store (SQLite, PostgreSQL), live
        // state, metrics text, the API's models and the one job edit path.
        // No HTTP or CLI framework.
        .target(name: "CronMetricsCore", dependencies: [
            .product(name: "Yams", package: "Yams"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "_ConnectionPoolModule", package: "postgres-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Mustache", package: "swift-mustache"),
        ] + nio("NIOCore", "NIOPosix", "NIOConcurrencyHelpers")),
        // The HTTP server (Hummingbird) and its services. The OpenAPI document
        // (a link to docs/openapi.yaml) is compiled in, so the binary serves it
        // byte for byte with nothing beside it.
        .target(
            name: "CronMetricsServer",
            dependencies: [
                "CronMetricsCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Mustache", package: "swift-mustache"),
            ] + nio("NIOCore", "NIOPosix", "NIOHTTP1"),
            resources: [
                .embedInCode("OpenAPI/openapi.yaml"),
                .embedInCode("Dashboard/Templates/layout.mustache"),
                .embedInCode("Dashboard/Templates/signin.mustache"),
                .embedInCode("Dashboard/Templates/overview.mustache"),
                .embedInCode("Dashboard/Templates/job.mustache"),
                .embedInCode("Dashboard/Templates/notifications.mustache"),
                .embedInCode("Dashboard/Templates/message.mustache"),
                .embedInCode("Dashboard/Templates/teams.mustache"),
                .embedInCode("Dashboard/Templates/dashboard.css"),
                .embedInCode("Dashboard/Templates/dashboard.js"),
            ]
        ),
        // The API client the CLI uses for --server.
        .target(name: "CronMetricsClient", dependencies: [
            "CronMetricsCore",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        // The executable: ArgumentParser commands only.
        .executableTarget(name: "cronmetrics", dependencies: [
            "CronMetricsCore", "CronMetricsServer", "CronMetricsClient",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "cronmetrics-bench", dependencies: ["CronMetricsCore"], path: "Benchmarks/CronMetricsBench"),
        .target(name: "CronMetricsTestSupport", dependencies: [
            "CronMetricsCore", .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log"),
        ], path: "Tests/CronMetricsTestSupport"),
        .testTarget(name: "CronMetricsCoreTests", dependencies: ["CronMetricsCore", "CronMetricsTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "CronMetricsServerTests", dependencies: [
            "CronMetricsServer", "CronMetricsTestSupport",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "Yams", package: "Yams"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .testTarget(name: "CronMetricsCLITests", dependencies: ["CronMetricsCore", "CronMetricsTestSupport", "cronmetrics"], exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)

/// Products of swift-nio, by name.
func nio(_ names: String...) -> [Target.Dependency] {
    names.map { .product(name: $0, package: "swift-nio") }
}
