import CronMetricsCore
import Foundation
import Testing

/// The dashboard's strip of days: local days in the job's zone (daylight
/// saving days of 23 and 25 hours, half-hour zones rounded to the hour), and
/// the worst state each day saw, from hourly rollups and flips.
@Suite("Strip of days")
struct DayStripTests {
    static func at(_ text: String) -> Date { RFC3339.parse(text)! }

    @Test("Berlin's days around both daylight-saving changes are 23 and 25 hours long, each starting at local midnight")
    func daylightSaving() throws {
        let berlin = try #require(TimeZone(identifier: "Europe/Berlin"))
        let spring = DayStrip.days(3, endingAt: Self.at("2026-03-30T12:00:00Z"), zone: berlin)
        #expect(spring.map(\.date) == ["2026-03-28", "2026-03-29", "2026-03-30"])
        #expect(spring[0].from == Self.at("2026-03-27T23:00:00Z"), "midnight at +01:00")
        #expect(spring[1].from == Self.at("2026-03-28T23:00:00Z"))
        #expect(spring[1].to.timeIntervalSince(spring[1].from) == 23 * 3_600, "the spring day loses an hour")
        #expect(spring[2].from == Self.at("2026-03-29T22:00:00Z"), "midnight at +02:00")
        #expect(spring[2].to == Self.at("2026-03-30T12:00:00Z"), "today ends now")
        // Hourly rows fall on the local day: 22:00 UTC on the 28th is 23:00 there; 23:00 UTC is the 29th's first hour.
        let cells = DayStrip.cells(spring, hours: [(Self.at("2026-03-28T22:00:00Z"), RunCounts(successes: 1)),
                                                   (Self.at("2026-03-28T23:00:00Z"), RunCounts(failures: 1)),
                                                   (Self.at("2026-03-29T21:00:00Z"), RunCounts(successes: 1)),
                                                   (Self.at("2026-03-29T22:00:00Z"), RunCounts(successes: 2))],
                                   flips: [], health: "success", life: nil, firstSeen: nil)
        #expect(cells.map(\.counts.runs) == [1, 2, 2], "the 29th: 00:00 to 23:00 local, 23 hours")
        #expect(cells.map(\.state) == [.ok, .failing, .ok])
        let autumn = DayStrip.days(2, endingAt: Self.at("2026-10-26T05:00:00Z"), zone: berlin)
        #expect(autumn[0].date == "2026-10-25" && autumn[0].to.timeIntervalSince(autumn[0].from) == 25 * 3_600)
        let ninety = DayStrip.days(90, endingAt: Self.at("2026-12-07T10:00:00Z"), zone: berlin)
        #expect(ninety.count == 90 && ninety.first?.date == "2026-09-09" && ninety.last?.date == "2026-12-07")
        #expect(zip(ninety, ninety.dropFirst()).allSatisfy { $0.to == $1.from }, "no gap and no overlap, across the October change")
    }

    @Test("a zone whose offset is not whole hours has its days rounded to the hour: +05:30 starts them at 19:00 UTC")
    func halfHourZone() throws {
        let kolkata = try #require(TimeZone(identifier: "Asia/Kolkata"))
        let days = DayStrip.days(2, endingAt: Self.at("2026-12-07T10:00:00Z"), zone: kolkata)
        #expect(days.map(\.date) == ["2026-12-06", "2026-12-07"])
        #expect(days[0].from == Self.at("2026-12-05T19:00:00Z") && days[1].from == Self.at("2026-12-06T19:00:00Z"))
        let kathmandu = try #require(TimeZone(identifier: "Asia/Kathmandu"))
        #expect(DayStrip.days(1, endingAt: Self.at("2026-12-07T10:00:00Z"), zone: kathmandu)[0].from == Self.at("2026-12-06T18:00:00Z"),
                "+05:45: midnight is 18:15 UTC, the nearest hour 18:00")
    }

    @Test("each day's worst state: a failed run, a silence lasting days, successes, a day not due, and paused or maintenance days off")
    func worstState() throws {
        let utc = try #require(TimeZone(identifier: "UTC"))
        let days = DayStrip.days(7, endingAt: Self.at("2026-12-07T12:00:00Z"), zone: utc)
        let hours: [(start: Date, counts: RunCounts)] = [
            (Self.at("2026-12-01T02:00:00Z"), RunCounts(successes: 1)),
            (Self.at("2026-12-01T03:00:00Z"), RunCounts(successes: 2, failures: 1)),
            (Self.at("2026-12-02T02:00:00Z"), RunCounts(successes: 1)),
            (Self.at("2026-12-07T09:00:00Z"), RunCounts(successes: 1)),
        ]
        let flips = [
            Flip(at: Self.at("2026-12-01T03:10:00Z"), from: "success", to: "failure", reason: "result"),
            Flip(at: Self.at("2026-12-01T03:20:00Z"), from: "failure", to: "success", reason: "result"),
            // Silent from the 3rd 06:00 to the 5th 06:00 (one missed deadline, counted on the 3rd).
            Flip(at: Self.at("2026-12-03T06:00:00Z"), from: "success", to: "missed_deadline", reason: "deadline"),
            Flip(at: Self.at("2026-12-05T06:00:00Z"), from: "missed_deadline", to: "success", reason: "result"),
            Flip(at: Self.at("2026-12-06T00:00:00Z"), from: nil, to: "paused", reason: "lifecycle"),
            Flip(at: Self.at("2026-12-07T00:00:00Z"), from: nil, to: "maintenance", reason: "lifecycle",
                 until: Self.at("2026-12-07T08:00:00Z")),
        ]
        var withMiss = hours
        withMiss.append((Self.at("2026-12-03T06:00:00Z"), RunCounts(missedDeadlines: 1)))
        withMiss.append((Self.at("2026-12-05T06:00:00Z"), RunCounts(successes: 1)))
        let cells = DayStrip.cells(days, hours: withMiss, flips: flips, health: "success", life: nil,
                                   firstSeen: Self.at("2026-11-30T00:00:00Z"))
        #expect(cells.map(\.state) == [.failing, .ok, .failing, .failing, .failing, .off, .ok])
        #expect(cells[0].counts.runs == 4 && cells[0].failingSeconds == 600)
        #expect(cells[3].counts.runs == 0 && cells[3].failingSeconds == 86_400, "the whole 4th silent: failing without a run")
        #expect(cells[4].failingSeconds == 6 * 3_600 && cells[4].counts.successes == 1)
        #expect(cells[5].countedSeconds == 0, "paused all day")
        #expect(cells[6].countedSeconds == 4 * 3_600, "maintenance until 08:00, counted from then to now (12:00)")
        let quiet = DayStrip.cells(Array(days.prefix(1)), hours: [], flips: [], health: "success", life: nil, firstSeen: nil)
        #expect(quiet.map(\.state) == [.quiet], "active, not due, not failing")
        let unseen = DayStrip.cells(Array(days.prefix(1)), hours: [], flips: [], health: nil, life: nil,
                                    firstSeen: Self.at("2026-12-05T00:00:00Z"))
        #expect(unseen.map(\.state) == [.off], "before the job was first seen")
    }
}
