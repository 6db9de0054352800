import ArgumentParser
import CronMetricsCore
import Foundation

/// `cronmetrics schedule "EXPR" [--timezone Z] [--next N]`: when a schedule
/// fires next (what people use crontab.guru for).
struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule", abstract: "Print the next times a cron schedule fires.",
        discussion: "Times are printed in UTC and in the schedule's zone. With --stdin, reads lines of EXPR<TAB>ZONE<TAB>FROM<TAB>N and prints each line's fire times as a JSON array (for scripts).")

    @Argument(help: "A 5-field cron expression or @daily, @hourly …") var expression: String?
    @Option(help: "The IANA time zone of the schedule.") var timezone = "UTC"
    @Option(help: "How many fire times.") var next = 5
    @Option(help: "Start after this RFC 3339 time (default: now).") var from: String?
    @Flag(help: "Read many schedules from standard input (see above).") var stdin = false

    /// How many fire times one schedule may ask for.
    static let counts = 1...10_000

    func validate() throws {
        guard Self.counts.contains(next) else { throw ValidationError(Self.countProblem("--next", next)) }
    }

    static func countProblem(_ name: String, _ value: Int) -> String {
        "\(name) must be between \(counts.lowerBound) and \(counts.upperBound) (got \(value))"
    }

    func run() throws {
        if stdin { return try batch() }
        guard let expression else { throw ValidationError("give a schedule, such as \"0 3 * * 1-5\"") }
        let (schedule, zone) = try Self.parse(expression, timezone)
        var instant = try from.map(Self.instant) ?? Date()
        let local = DateFormatter()
        local.timeZone = zone.zone
        local.dateFormat = "yyyy-MM-dd HH:mm EEE zzz"
        for _ in 0..<next {
            guard let fire = schedule.next(after: instant, in: zone) else { break }
            print("\(RFC3339.format(fire))  \(local.string(from: fire))")
            instant = fire
        }
    }

    private func batch() throws {
        var number = 0
        while let line = readLine() {
            number += 1
            let parts = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 4, let count = Int(parts[3]) else { throw ValidationError("line \(number): expected EXPR<TAB>ZONE<TAB>FROM<TAB>N, got: \(line)") }
            guard Self.counts.contains(count) else { throw ValidationError("line \(number): " + Self.countProblem("N", count)) }
            var fires: [String] = []
            do {
                let (schedule, zone) = try Self.parse(parts[0], parts[1])
                var instant = try Self.instant(parts[2])
                for _ in 0..<count {
                    guard let fire = schedule.next(after: instant, in: zone) else { break }
                    fires.append(RFC3339.format(fire))
                    instant = fire
                }
                print(JSONText.line(fires))
            } catch {
                print(JSONText.line(["error: \(error)"]))
            }
        }
    }

    static func parse(_ expression: String, _ timezone: String) throws -> (CronSchedule, ZonedCalendar) {
        let schedule: CronSchedule
        do {
            schedule = try CronSchedule(parsing: expression)
        } catch {
            throw ValidationError("\(error)")
        }
        guard let zone = ZonedCalendar(identifier: timezone) else {
            throw ValidationError("unknown time zone '\(timezone)'" + (TimeZoneNames.suggestion(for: timezone).map { " (did you mean '\($0)'?)" } ?? ""))
        }
        return (schedule, zone)
    }

    static func instant(_ text: String) throws -> Date {
        guard let date = RFC3339.parse(text) else { throw ValidationError("--from must be RFC 3339, e.g. 2026-03-29T00:00:00Z") }
        return date
    }
}
