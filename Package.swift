// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "cronmetrics",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "cronmetrics", targets: ["cronmetrics"]),
        .library(name: "CronMetricsCore", targets: ["CronMetricsCore"]),
        .library(name: "CronMetricsServer", targets: ["CronMetricsServer"]),
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
    ],
    targets: [
        .target(
            name: "CronMetricsCore",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "CronMetricsServer",
            dependencies: [
                "CronMetricsCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "cronmetrics",
            dependencies: [
                "CronMetricsCore",
                "CronMetricsServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "cronmetrics-bench",
            dependencies: ["CronMetricsCore"],
            path: "Benchmarks/CronMetricsBench"
        ),
        .target(
            name: "CronMetricsTestSupport",
            dependencies: ["CronMetricsCore"],
            path: "Tests/CronMetricsTestSupport"
        ),
        .testTarget(
            name: "CronMetricsCoreTests",
            dependencies: ["CronMetricsCore", "CronMetricsTestSupport"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "CronMetricsServerTests",
            dependencies: [
                "CronMetricsServer",
                "CronMetricsTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .testTarget(
            name: "CronMetricsCLITests",
            dependencies: ["CronMetricsCore", "CronMetricsTestSupport", "cronmetrics"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
