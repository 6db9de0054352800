import Foundation
import Testing

/// `cronmetrics schedule`: counts are checked, never trapped on or cut silently.
@Suite("cronmetrics schedule")
struct ScheduleCommandTests {
    @Test("--next takes 1 to 10000; outside that a usage error naming the option", arguments: [0, -1, 10_001])
    func nextOutOfRange(count: Int) throws {
        let outcome = try CLIRunner.run(["schedule", "0 3 * * *", "--next=\(count)", "--from", "2026-01-01T00:00:00Z"])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("--next must be between 1 and 10000 (got \(count))"), "\(outcome.stderr)")
        #expect(outcome.stdout.isEmpty)
    }

    @Test("--next 10000 prints 10000 times; --next 3 prints three")
    func nextInRange() throws {
        let many = try CLIRunner.run(["schedule", "* * * * *", "--next", "10000", "--from", "2026-01-01T00:00:00Z"])
        #expect(many.status == 0)
        #expect(many.stdout.split(separator: "\n").count == 10_000)
        let three = try CLIRunner.run(["schedule", "0 3 * * *", "--next", "3", "--from", "2026-01-01T00:00:00Z"])
        #expect(three.stdout.split(separator: "\n").map { String($0.prefix(20)) }
                == ["2026-01-01T03:00:00Z", "2026-01-02T03:00:00Z", "2026-01-03T03:00:00Z"])
    }

    @Test("--stdin: a count outside 1…10000 is a usage error naming its line, never a trap", arguments: ["-1", "0", "10001", "99999999999"])
    func stdinCounts(count: String) throws {
        let input = "0 3 * * *\tUTC\t2026-01-01T00:00:00Z\t2\n0 3 * * *\tUTC\t2026-01-01T00:00:00Z\t\(count)\n"
        let outcome = try CLIRunner.run(["schedule", "--stdin"], input: input)
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("line 2: N must be between 1 and 10000 (got \(count))"), "\(outcome.stderr)")
        #expect(outcome.stdout == #"["2026-01-01T03:00:00Z","2026-01-02T03:00:00Z"]"# + "\n", "the lines before are answered")
    }
}
