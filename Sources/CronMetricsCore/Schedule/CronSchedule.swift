import Foundation

/// A 5-field cron schedule (minute, hour, day of month, month, day of week):
/// lists, ranges, steps, `JAN`–`DEC`, `SUN`–`SAT` (7 is Sunday too), and
/// `@hourly` `@daily` `@midnight` `@weekly` `@monthly` `@yearly` `@annually`.
///
/// Day of month and day of week combine as in Vixie cron: when either field
/// begins with `*` a day must match both; when both are restricted, either
/// will do.
///
/// Daylight-saving changes, as cron (cronie) handles them:
/// - clocks go forward: a time in the gap fires at the first instant after
///   the gap (`30 2 * * *` runs at 03:00 that night), unless the schedule runs
///   every hour, whose times in the gap are simply skipped (`4 * * * *` next
///   runs at 03:04);
/// - clocks go back: a time in the repeated hour fires once, at its first
///   occurrence, unless the schedule runs every hour, which fires at both.
public struct CronSchedule: Sendable, Hashable, CustomStringConvertible {
    /// As written (`@daily`, `0 3 * * 1-5`).
    public let text: String
    let minute, hour, dayOfMonth, month, dayOfWeek: CronField
    /// Every hour of the day matches: such a schedule skips the times a
    /// daylight-saving gap removes, and fires twice in a repeated hour.
    let everyHour: Bool

    static let macros = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]
    static let monthNames = ["jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
                             "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12]
    static let dayNames = ["sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6]

    /// - Throws: ``CronError`` naming the field at fault, or when no date matches.
    public init(parsing text: String) throws(CronError) {
        self.text = text
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let expanded: String
        if trimmed.hasPrefix("@") {
            guard let macro = Self.macros[trimmed.lowercased()] else {
                throw .shape("unknown schedule '\(trimmed)'; use 5 fields or one of \(Self.macros.keys.sorted().joined(separator: ", "))")
            }
            expanded = macro
        } else {
            expanded = trimmed
        }
        let fields = expanded.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw .shape("a schedule has 5 fields (minute hour day-of-month month day-of-week), not \(fields.count)")
        }
        minute = try .parse(fields[0], name: "minute", range: 0...59)
        hour = try .parse(fields[1], name: "hour", range: 0...23)
        dayOfMonth = try .parse(fields[2], name: "day-of-month", range: 1...31)
        month = try .parse(fields[3], name: "month", range: 1...12, names: Self.monthNames)
        dayOfWeek = try .parse(fields[4], name: "day-of-week", range: 0...7, names: Self.dayNames, fold: (7, 0))
        everyHour = hour.bits & 0xFF_FFFF == 0xFF_FFFF
        // No date at all (30 February): found by looking across a leap cycle.
        guard nextCivil(after: CivilTime(year: 2001, month: 1, day: 1, hour: 0, minute: 0)) != nil else {
            throw .neverFires
        }
    }

    public var description: String { text }

    /// Whether a civil date is a day the schedule fires on.
    func matches(year: Int, month: Int, day: Int) -> Bool {
        let weekday = CivilTime.weekday(year: year, month: month, day: day)
        let byDay = dayOfMonth.contains(day), byWeekday = dayOfWeek.contains(weekday)
        return dayOfMonth.star || dayOfWeek.star ? byDay && byWeekday : byDay || byWeekday
    }

    /// How far a search looks: the Gregorian calendar's whole cycle of
    /// weekdays and leap years. (28 years is a cycle only between century
    /// years: 29 February on a Sunday comes in 2088 and next in 2128.)
    static let searchYears = 400

    /// The first matching civil time at or after `start`, within
    /// ``searchYears``, or nil.
    func nextCivil(after start: CivilTime) -> CivilTime? {
        var t = start
        let limit = start.year + Self.searchYears
        while t.year <= limit {
            guard month.contains(t.month) else {
                if let next = month.next(from: t.month + 1, limit: 12) {
                    t = CivilTime(year: t.year, month: next, day: 1, hour: 0, minute: 0)
                } else {
                    t = CivilTime(year: t.year + 1, month: month.next(from: 1, limit: 12) ?? 1, day: 1, hour: 0, minute: 0)
                }
                continue
            }
            guard t.day <= CivilTime.daysIn(year: t.year, month: t.month), matches(year: t.year, month: t.month, day: t.day) else {
                t = t.day >= CivilTime.daysIn(year: t.year, month: t.month) ? t.firstOfNextMonth : t.nextDay
                continue
            }
            guard let h = hour.next(from: t.hour, limit: 23) else { t = t.nextDay; continue }
            if h != t.hour { t.hour = h; t.minute = 0 }
            guard let m = minute.next(from: t.minute, limit: 59) else {
                if t.hour == 23 { t = t.nextDay } else { t.hour += 1; t.minute = 0 }
                continue
            }
            t.minute = m
            return t
        }
        return nil
    }

    /// The last matching civil time at or before `start`, within
    /// ``searchYears``, or nil.
    func previousCivil(before start: CivilTime) -> CivilTime? {
        var t = start
        let limit = start.year - Self.searchYears
        while t.year >= limit {
            guard month.contains(t.month) else {
                if let previous = month.previous(from: t.month - 1, floor: 1) {
                    t = CivilTime(year: t.year, month: previous, day: CivilTime.daysIn(year: t.year, month: previous), hour: 23, minute: 59)
                } else {
                    let last = month.previous(from: 12, floor: 1) ?? 12
                    t = CivilTime(year: t.year - 1, month: last, day: CivilTime.daysIn(year: t.year - 1, month: last), hour: 23, minute: 59)
                }
                continue
            }
            guard matches(year: t.year, month: t.month, day: t.day) else { t = t.previousDayEnd; continue }
            guard let h = hour.previous(from: t.hour, floor: 0) else { t = t.previousDayEnd; continue }
            if h != t.hour { t.hour = h; t.minute = 59 }
            guard let m = minute.previous(from: t.minute, floor: 0) else {
                if t.hour == 0 { t = t.previousDayEnd } else { t.hour -= 1; t.minute = 59 }
                continue
            }
            t.minute = m
            return t
        }
        return nil
    }

    /// The fire instants of a matching wall-clock time, by the rule above.
    func fires(at civil: CivilTime, in zone: ZonedCalendar) -> [Date] {
        switch zone.resolve(civil) {
        case let .unique(instant): return [instant]
        case let .repeated(first, second): return everyHour ? [first, second] : [first]
        case let .gap(end): return everyHour ? [] : [end]
        }
    }

    /// The first fire time strictly after `instant`, in `zone`.
    public func next(after instant: Date, in zone: ZonedCalendar) -> Date? {
        var start = zone.civil(of: instant).flooredToMinute.advanced(byMinutes: 1)
        var found: Date?
        for _ in 0..<64 {
            guard let civil = nextCivil(after: start) else { return nil }
            // A time whose (first) occurrence is already past is skipped.
            if let fire = fires(at: civil, in: zone).first(where: { $0 > instant }) {
                found = fire
                break
            }
            start = civil.advanced(byMinutes: 1)
        }
        guard let found else { return nil }
        // An hourly schedule also fires at second occurrences: when clocks go
        // back between now and the time found, wall-clock time repeats from
        // the moment they do, and an earlier fire may lie there.
        if everyHour, zone.offset(at: Int(instant.timeIntervalSince1970)) > zone.offset(at: Int(found.timeIntervalSince1970)),
           let back = zone.transition(after: instant, before: found),
           let civil = nextCivil(after: zone.civil(of: back).flooredToMinute),
           case let .repeated(_, second) = zone.resolve(civil), second > instant, second < found {
            return second
        }
        return found
    }

    /// The last fire time strictly before `instant`, in `zone`.
    public func previous(before instant: Date, in zone: ZonedCalendar) -> Date? {
        var start = zone.civil(of: instant.addingTimeInterval(-1)).flooredToMinute
        for _ in 0..<64 {
            guard let civil = previousCivil(before: start) else { return nil }
            if let fire = fires(at: civil, in: zone).last(where: { $0 < instant }) { return fire }
            start = civil.advanced(byMinutes: -1)
        }
        return nil
    }
}
