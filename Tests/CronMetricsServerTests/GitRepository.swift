import CronMetricsCore
import CronMetricsTestSupport
import Foundation
import Glibc
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import CronMetricsServer

/// `git` in one folder.
struct GitRepository: Sendable {
    let folder: String

    init(_ folder: String) {
        self.folder = folder
    }

    func run(_ arguments: String...) throws {
        let process = TestProcess()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        process.arguments = ["-C", folder, "-c", "user.name=test", "-c", "user.email=test@example.com"] + arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw GitFailure(arguments: arguments) }
    }

    struct GitFailure: Error {
        var arguments: [String]
    }
}
