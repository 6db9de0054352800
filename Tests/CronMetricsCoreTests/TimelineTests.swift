import Foundation
import Testing
@testable import CronMetricsCore

/// A job's time in a window from its flips, without a store: known answers.
@Suite("Timeline: uptime, outages and time between failures from flips")
struct TimelineTests {
    static let base = Date(timeIntervalSince1970: 1_800_000_000)
    static let hour = 3_600.0

    static func at(_ hours: Double) -> Date { base + hours * hour }
    static func health(_ hours: Double, _ from: String?, _ to: String) -> Flip {
        Flip(at: at(hours), from: from, to: to, reason: to == "missed_deadline" ? "deadline" : "result")
    }
    static func life(_ hours: Double, _ from: String?, _ to: String, until: Double? = nil) -> Flip {
        Flip(at: at(hours), from: from, to: to, reason: "lifecycle", until: until.map(at))
    }
    static let window = StatsWindow(from: at(0), to: at(100))

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var health: String?
        var life: Flip? = nil
        var flips: [Flip]
        var firstSeen: Double? = nil
        /// Hours.
        var counted: Double
        var failing: Double
        var outages: [ClosedRange<Double>]
        var onsets: Int
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "two outages, the last still open at the window's end", health: "success",
             flips: [health(10, "success", "failure"), health(30, "failure", "success"), health(90, "success", "missed_deadline")],
             counted: 100, failing: 30, outages: [10...30, 90...100], onsets: 2),
        Case(name: "an outage begun before the window is clipped to it and is no onset", health: "failure",
             flips: [health(5, "failure", "success")], counted: 100, failing: 5, outages: [0...5], onsets: 0),
        Case(name: "a change between failing kinds is one outage", health: "success",
             flips: [health(10, "success", "failure"), health(20, "failure", "missed_deadline"), health(40, "missed_deadline", "timeout"),
                     health(50, "timeout", "success")],
             counted: 100, failing: 40, outages: [10...50], onsets: 1),
        Case(name: "paused time is not counted, failing or not", health: "success", life: life(-5, nil, "active"),
             flips: [health(10, "success", "failure"), life(20, "active", "paused"), life(40, "paused", "active"),
                     health(50, "failure", "success")],
             counted: 80, failing: 20, outages: [10...20, 40...50], onsets: 1),
        Case(name: "a maintenance ends by itself at its until", health: "failure",
             flips: [life(20, "active", "maintenance", until: 30)], counted: 90, failing: 90, outages: [0...20, 30...100], onsets: 0),
        Case(name: "a maintenance begun before the window and still on counts nothing", health: "failure",
             life: life(-1, "active", "maintenance"), flips: [], counted: 0, failing: 0, outages: [], onsets: 0),
        Case(name: "removed and added again: the time away is not counted", health: "success",
             flips: [life(20, "active", "removed"), health(30, "success", "failure"), life(60, "removed", "active"),
                     health(70, "failure", "success")],
             counted: 60, failing: 10, outages: [60...70], onsets: 0),
        Case(name: "time before the job was first seen is not counted", health: nil,
             flips: [life(50, nil, "active"), health(60, nil, "failure")], firstSeen: 50,
             counted: 50, failing: 40, outages: [60...100], onsets: 1),
        Case(name: "a window with no flips and no failure: all up", health: "success", flips: [],
             counted: 100, failing: 0, outages: [], onsets: 0),
    ]

    @Test("known answers", arguments: cases)
    func knownAnswers(_ c: Case) {
        let timeline = Timeline(window: Self.window, health: c.health, life: c.life, flips: c.flips, firstSeen: c.firstSeen.map(Self.at))
        #expect(timeline.countedSeconds == c.counted * Self.hour)
        #expect(timeline.failingSeconds == c.failing * Self.hour)
        #expect(timeline.outages == c.outages.map { Self.at($0.lowerBound)...Self.at($0.upperBound) })
        #expect(timeline.onsets == c.onsets)
        #expect(timeline.uptimeRatio == (c.counted > 0 ? 1 - c.failing / c.counted : nil))
        #expect(timeline.longestOutage == c.outages.map { ($0.upperBound - $0.lowerBound) * Self.hour }.max())
        #expect(timeline.meanTimeBetweenFailures == (c.onsets > 0 ? (c.counted - c.failing) * Self.hour / Double(c.onsets) : nil))
    }

    @Test("windows: names, from/to, and the rollup rows that cover them")
    func windows() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000 + 37 * 60)  // 37 minutes into an hour
        let day = try StatsWindow(named: "24h", now: now)
        #expect(day.seconds == 86_400)
        #expect(day.cover.map(\.grain) == [3_600], "no whole UTC day inside: hours only")
        #expect(day.cover.first?.from == Double(1_800_000_000 - 86_400), "from the start of the hour 24 hours ago")
        #expect(day.cover.first?.to == Double(1_800_000_000 + 3_600), "to the end of the hour holding now: a result this second counts")
        let month = try StatsWindow(named: "30d", now: now)
        #expect(month.cover.map(\.grain) == [3_600, 86_400, 3_600])
        #expect(month.cover[1].to - month.cover[1].from == 29 * 86_400)
        #expect(throws: StatsWindowError.window("7w")) { try StatsWindow(named: "7w", now: now) }
        #expect(throws: StatsWindowError.window("401d")) { try StatsWindow(named: "401d", now: now) }
        #expect(throws: StatsWindowError.both) { try StatsWindow(window: "7d", from: "2027-01-01T00:00:00Z", to: nil, now: now) }
        #expect(throws: StatsWindowError.order) {
            try StatsWindow(window: nil, from: "2027-01-02T00:00:00Z", to: "2027-01-01T00:00:00Z", now: now)
        }
        let span = try StatsWindow(window: nil, from: "2027-01-01T00:00:00Z", to: "2027-01-03T12:00:00Z", now: now)
        #expect(span.cover.map(\.grain) == [86_400, 3_600])
    }
}
