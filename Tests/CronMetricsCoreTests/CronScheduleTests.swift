import Foundation
import Testing
@testable import CronMetricsCore

@Suite("Cron schedules")
struct CronScheduleTests {
    static let berlin = ZonedCalendar(identifier: "Europe/Berlin")!

    static func at(_ text: String) -> Date { RFC3339.parse(text)! }

    static func nexts(_ expression: String, from: String, zone: ZonedCalendar = .utc, count: Int = 3) throws -> [String] {
        let schedule = try CronSchedule(parsing: expression)
        var instant = at(from)
        var out: [String] = []
        for _ in 0..<count {
            guard let fire = schedule.next(after: instant, in: zone) else { break }
            out.append(RFC3339.format(fire))
            instant = fire
        }
        return out
    }

    @Test("syntax: lists, ranges, steps, names, 7 for Sunday, macros", arguments: [
        ("*/20 * * * *", "2026-01-01T00:05:00Z", ["2026-01-01T00:20:00Z", "2026-01-01T00:40:00Z", "2026-01-01T01:00:00Z"]),
        ("0 3 * * 1-5", "2026-01-02T04:00:00Z", ["2026-01-05T03:00:00Z", "2026-01-06T03:00:00Z", "2026-01-07T03:00:00Z"]),
        ("15,45 9-10 * * *", "2026-01-01T00:00:00Z", ["2026-01-01T09:15:00Z", "2026-01-01T09:45:00Z", "2026-01-01T10:15:00Z"]),
        ("0 0 1 jan,JUL *", "2026-02-01T00:00:00Z", ["2026-07-01T00:00:00Z", "2027-01-01T00:00:00Z", "2027-07-01T00:00:00Z"]),
        ("0 12 * * sun", "2026-01-01T00:00:00Z", ["2026-01-04T12:00:00Z", "2026-01-11T12:00:00Z", "2026-01-18T12:00:00Z"]),
        ("0 12 * * 7", "2026-01-01T00:00:00Z", ["2026-01-04T12:00:00Z", "2026-01-11T12:00:00Z", "2026-01-18T12:00:00Z"]),
        ("5/20 0 * * *", "2026-01-01T00:00:00Z", ["2026-01-01T00:05:00Z", "2026-01-01T00:25:00Z", "2026-01-01T00:45:00Z"]),
        ("10-50/20 0 * * *", "2026-01-01T00:00:00Z", ["2026-01-01T00:10:00Z", "2026-01-01T00:30:00Z", "2026-01-01T00:50:00Z"]),
        ("@daily", "2026-01-01T00:00:00Z", ["2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z", "2026-01-04T00:00:00Z"]),
        ("@weekly", "2026-01-01T00:00:00Z", ["2026-01-04T00:00:00Z", "2026-01-11T00:00:00Z", "2026-01-18T00:00:00Z"]),
        ("@yearly", "2026-01-01T00:00:00Z", ["2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z", "2029-01-01T00:00:00Z"]),
        ("0 0 29 2 *", "2026-01-01T00:00:00Z", ["2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z", "2036-02-29T00:00:00Z"]),
    ])
    func syntax(expression: String, from: String, expected: [String]) throws {
        #expect(try Self.nexts(expression, from: from) == expected)
    }

    @Test("day of month and day of week: either when both are restricted, both when one begins with *", arguments: [
        ("0 0 1 * 1", ["2026-01-01T00:00:00Z", "2026-01-05T00:00:00Z", "2026-01-12T00:00:00Z"]),   // 1st, or Mondays
        ("0 0 */2 * 1", ["2026-01-05T00:00:00Z", "2026-01-19T00:00:00Z", "2026-02-09T00:00:00Z"]),  // odd days that are Mondays
        ("0 0 13 * */5", ["2026-02-13T00:00:00Z", "2026-03-13T00:00:00Z", "2026-09-13T00:00:00Z"]),  // the 13th on a Sunday or Friday
    ])
    func vixieDays(expression: String, expected: [String]) throws {
        #expect(try Self.nexts(expression, from: "2025-12-31T12:00:00Z") == expected)
    }

    @Test("errors name the field", arguments: [
        ("0 3 * *", "a schedule has 5 fields (minute hour day-of-month month day-of-week), not 4"),
        ("60 * * * *", "the minute field '60' has 60, outside 0–59"),
        ("0 25 * * *", "the hour field '25' has 25, outside 0–23"),
        ("0 0 0 * *", "the day-of-month field '0' has 0, outside 1–31"),
        ("0 0 * foo *", "the month field 'foo' has 'foo', which is not a number (names: jan, feb, mar, apr, may, jun, jul, aug, sep, oct, nov, dec)"),
        ("0 0 * * 1-", "the day-of-week field '1-' has '', which is not a number (names: sun, mon, tue, wed, thu, fri, sat)"),
        ("*/0 * * * *", "the minute field '*/0' has a step that is not a whole number from 1 to 59 (0)"),
        ("5-1 * * * *", "the minute field '5-1' has a range that runs backwards (5-1)"),
        ("1,,2 * * * *", "the minute field '1,,2' has an empty list item"),
        ("0 0 30 2 *", "the schedule never fires (no date matches it)"),
        ("@reboot", "unknown schedule '@reboot'; use 5 fields or one of @annually, @daily, @hourly, @midnight, @monthly, @weekly, @yearly"),
    ])
    func errors(expression: String, message: String) {
        #expect(throws: CronError.self) { try CronSchedule(parsing: expression) }
        do {
            _ = try CronSchedule(parsing: expression)
        } catch {
            #expect(error.description == message)
        }
    }

    /// Berlin, 2026: clocks go forward at 02:00 on 29 March and back at 03:00 on 25 October.
    @Test("daylight saving: a gap time fires when the gap ends, unless the schedule runs every hour", arguments: [
        ("30 2 * * *", ["2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"]),  // 02:30, 03:00 (gap), 02:30
        ("4 * * * *", ["2026-03-29T00:04:00Z", "2026-03-29T01:04:00Z", "2026-03-29T02:04:00Z"]),  // 01:04, 03:04, 04:04: 02:04 skipped
    ])
    func springForward(expression: String, expected: [String]) throws {
        let from = expression.hasPrefix("4") ? "2026-03-28T23:30:00Z" : "2026-03-28T00:00:00Z"
        #expect(try Self.nexts(expression, from: from, zone: Self.berlin) == expected)
    }

    @Test("daylight saving: a repeated time fires once, unless the schedule runs every hour", arguments: [
        ("30 2 * * *", ["2026-10-24T00:30:00Z", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"]),   // 02:30 CEST, then once on the 25th
        ("0 * * * *", ["2026-10-25T00:00:00Z", "2026-10-25T01:00:00Z", "2026-10-25T02:00:00Z"]),    // 02:00 CEST, 02:00 CET, 03:00 CET
    ])
    func fallBack(expression: String, expected: [String]) throws {
        let from = expression.hasPrefix("30") ? "2026-10-23T23:00:00Z" : "2026-10-24T23:30:00Z"
        #expect(try Self.nexts(expression, from: from, zone: Self.berlin) == expected)
    }

    @Test("previous is the inverse of next, across both transitions", arguments: ["30 2 * * *", "0 * * * *", "*/7 1-3 * * *", "4 * * * *"])
    func previousInverse(expression: String) throws {
        let schedule = try CronSchedule(parsing: expression)
        for start in ["2026-03-28T22:00:00Z", "2026-10-24T22:00:00Z", "2026-06-01T00:00:00Z"] {
            var instant = Self.at(start)
            for _ in 0..<40 {
                let fire = try #require(schedule.next(after: instant, in: Self.berlin))
                #expect(schedule.previous(before: fire.addingTimeInterval(1), in: Self.berlin) == fire, "\(expression) at \(RFC3339.format(fire))")
                #expect(schedule.previous(before: fire, in: Self.berlin).map { $0 < fire } ?? true)
                instant = fire
            }
        }
    }

    @Test("rare dates across a century year that is not leap: 29 February on a Sunday (day of week */7: both day fields must match) is 2088, then 2128")
    func acrossACentury() throws {
        #expect(try Self.nexts("0 0 29 2 */7", from: "2026-01-01T00:00:00Z", count: 5)
                == ["2032-02-29T00:00:00Z", "2060-02-29T00:00:00Z", "2088-02-29T00:00:00Z", "2128-02-29T00:00:00Z", "2156-02-29T00:00:00Z"])
        #expect(try Self.nexts("0 0 29 2 */7", from: "2090-01-01T00:00:00Z", count: 1) == ["2128-02-29T00:00:00Z"])
        let schedule = try CronSchedule(parsing: "0 0 29 2 */7")
        #expect(schedule.previous(before: Self.at("2127-01-01T00:00:00Z"), in: .utc) == Self.at("2088-02-29T00:00:00Z"))
    }
}
