import CronMetricsCore
import CronMetricsTestSupport
import Foundation
import Glibc
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import CronMetricsServer

@Suite("Polling jobs.d")
struct PollTests {
    @Test("with jobs.watch: poll, a file edited on disk is live after a poll")
    func polling() async throws {
        let fixture = try await ServerFixture(jobs: "a")
        let app = try await fixture.app {
            $0.jobsWatch = .poll
            $0.pollInterval = .milliseconds(200)
        }
        try await app.test(.live) { client async throws in
            #expect(try await client.value("cronjob_threshold_seconds", "a") == "3600")
            try fixture.addJob("a", threshold: 55)
            #expect(try await client.eventually { try await $0.value("cronjob_threshold_seconds", "a") == "55" })
        }
    }
}
