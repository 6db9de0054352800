import Foundation
import Testing
@testable import CronMetricsCore

@Suite("Durations")
struct JobDurationTests {
    @Test("durations and seconds parse", arguments: [
        ("3600", 3600), ("90m", 5400), ("1h30m", 5400), ("2d", 172_800), ("45s", 45), ("1w", 604_800), ("1d1h1m1s", 90061),
    ])
    func parses(text: String, seconds: Int) throws {
        #expect(try #require(JobDuration(parsing: text)).seconds == seconds)
    }

    @Test("bad durations are refused", arguments: ["", "0", "-5", "0m", "1.5", "90x", "h", "30m1h", "1h1h", "m30", "1 h", "99999999999999999999d"])
    func refuses(text: String) {
        #expect(JobDuration(parsing: text) == nil)
    }
}
