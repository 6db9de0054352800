import Foundation

/// A job's last days, one cell a day in its time zone, for the dashboard's
/// strip: each day's runs (from hourly rollups) and time failing (from
/// flips), and the worst state the day saw.
///
/// A day runs from local midnight to the next, each end rounded to the
/// nearest whole hour (a half hour up) where the zone's offset is not whole
/// hours (India's +05:30: days start at 19:00 UTC, not 18:30), since rollups
/// are hourly. Days of 23 and 25 hours (daylight saving) are what they are.
public enum DayStrip {
    /// The worst a day saw, worst first.
    public enum State: String, Sendable, Comparable {
        /// A failed run, a missed deadline, a timeout, or time spent failing.
        case failing
        /// Runs, all successful.
        case ok
        /// Counted (active), no run and no failing time: a day it was not due.
        case quiet
        /// Not counted at all: paused, in maintenance, retired, removed, or not yet seen.
        case off

        static let order: [State] = [.failing, .ok, .quiet, .off]
        public static func < (a: State, b: State) -> Bool {
            (order.firstIndex(of: a) ?? 0) < (order.firstIndex(of: b) ?? 0)
        }
    }

    public struct Day: Sendable, Hashable {
        /// The local date, `2026-03-29`.
        public var date: String
        public var from: Date
        public var to: Date
    }

    public struct Cell: Sendable, Hashable {
        public var day: Day
        public var state: State
        public var counts: RunCounts
        public var countedSeconds: Double
        public var failingSeconds: Double
    }

    /// The `count` local days ending with the one holding `now` (that one ends at `now`).
    public static func days(_ count: Int, endingAt now: Date, zone: TimeZone) -> [Day] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let formatter = DateFormatter()
        formatter.calendar = calendar
        formatter.timeZone = zone
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd"
        func hour(_ date: Date) -> Date {
            Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 3_600).rounded(.toNearestOrAwayFromZero) * 3_600)
        }
        let today = calendar.startOfDay(for: now)
        var days: [Day] = []
        for back in (0..<count).reversed() {
            guard let start = calendar.date(byAdding: .day, value: -back, to: today),
                  let next = calendar.date(byAdding: .day, value: 1, to: start) else { continue }
            days.append(Day(date: formatter.string(from: start), from: hour(start), to: min(hour(next), now)))
        }
        return days
    }

    /// - Parameters:
    ///   - hours: hourly rollups by the start of their hour (the last day takes every hour from its start on).
    ///   - flips: the flips from the first day's start on, in time order.
    ///   - health: the job's status when the first day starts; `life` its
    ///     last lifecycle flip before it; `firstSeen` when it was first seen.
    public static func cells(_ days: [Day], hours: [(start: Date, counts: RunCounts)], flips: [Flip],
                             health: String?, life: Flip?, firstSeen: Date?) -> [Cell] {
        var health = health, life = life
        var remaining = flips[...]
        var hourly = hours.sorted { $0.start < $1.start }[...]
        func apply(_ flip: Flip) {
            if flip.isLifecycle { life = flip } else { health = flip.to }
        }
        let last = days.last?.date
        return days.map { day in
            var counts = RunCounts()
            // The last day (today) takes the hour holding its end too: a result this very second counts.
            while let first = hourly.first, first.start < day.to || day.date == last {
                if first.start >= day.from { counts.add(first.counts) }
                hourly = hourly.dropFirst()
            }
            var inside: [Flip] = []
            while let flip = remaining.first, flip.at < day.to {
                if flip.at >= day.from { inside.append(flip) } else { apply(flip) }
                remaining = remaining.dropFirst()
            }
            let timeline = Timeline(window: StatsWindow(from: day.from, to: day.to), health: health, life: life, flips: inside,
                                    firstSeen: firstSeen)
            inside.forEach(apply)
            let state: State = counts.failed > 0 || timeline.failingSeconds > 0 ? .failing
                : counts.successes > 0 ? .ok : timeline.countedSeconds > 0 ? .quiet : .off
            return Cell(day: day, state: state, counts: counts, countedSeconds: timeline.countedSeconds,
                        failingSeconds: timeline.failingSeconds)
        }
    }
}
