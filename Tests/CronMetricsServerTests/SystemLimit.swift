import CronMetricsCore
import CronMetricsTestSupport
import Foundation
import Glibc
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import CronMetricsServer

/// A system-wide limit in /proc, lowered for the length of `body`.
enum SystemLimit {
    static func with<T>(_ path: String, _ value: Int, _ body: () async throws -> T) async throws -> T {
        let old = try String(contentsOfFile: path, encoding: .utf8)
        try "\(value)\n".write(toFile: path, atomically: false, encoding: .utf8)
        defer { try? old.write(toFile: path, atomically: false, encoding: .utf8) }
        return try await body()
    }
}
