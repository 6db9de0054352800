/// A wall-clock time to the minute, in no particular zone: what a cron
/// expression describes.
struct CivilTime: Sendable, Hashable, Comparable {
    var year: Int
    var month: Int
    var day: Int
    var hour: Int
    var minute: Int
    /// Seconds past the minute (only from a converted instant).
    var second = 0

    static func < (a: CivilTime, b: CivilTime) -> Bool {
        (a.year, a.month, a.day, a.hour, a.minute, a.second) < (b.year, b.month, b.day, b.hour, b.minute, b.second)
    }

    /// Seconds since 1970-01-01T00:00 of this wall-clock time, as if it were UTC.
    var secondsAsUTC: Int {
        RFC3339.daysFromCivil(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
    }

    init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int = 0) {
        (self.year, self.month, self.day, self.hour, self.minute, self.second) = (year, month, day, hour, minute, second)
    }

    init(secondsAsUTC seconds: Int) {
        var days = seconds / 86_400
        var rest = seconds % 86_400
        if rest < 0 {
            rest += 86_400
            days -= 1
        }
        let (y, m, d) = RFC3339.civilFromDays(days)
        self.init(year: y, month: m, day: d, hour: rest / 3600, minute: rest / 60 % 60, second: rest % 60)
    }

    var flooredToMinute: CivilTime { CivilTime(year: year, month: month, day: day, hour: hour, minute: minute) }

    func advanced(byMinutes minutes: Int) -> CivilTime {
        CivilTime(secondsAsUTC: flooredToMinute.secondsAsUTC + minutes * 60)
    }

    var nextDay: CivilTime {
        let days = RFC3339.daysFromCivil(year: year, month: month, day: day) + 1
        let (y, m, d) = RFC3339.civilFromDays(days)
        return CivilTime(year: y, month: m, day: d, hour: 0, minute: 0)
    }

    var firstOfNextMonth: CivilTime {
        month == 12 ? CivilTime(year: year + 1, month: 1, day: 1, hour: 0, minute: 0)
            : CivilTime(year: year, month: month + 1, day: 1, hour: 0, minute: 0)
    }

    /// 23:59 of the day before.
    var previousDayEnd: CivilTime {
        let days = RFC3339.daysFromCivil(year: year, month: month, day: day) - 1
        let (y, m, d) = RFC3339.civilFromDays(days)
        return CivilTime(year: y, month: m, day: d, hour: 23, minute: 59)
    }

    static func daysIn(year: Int, month: Int) -> Int {
        RFC3339.daysIn(month: month, year: year)
    }

    /// 0 is Sunday.
    static func weekday(year: Int, month: Int, day: Int) -> Int {
        let days = RFC3339.daysFromCivil(year: year, month: month, day: day)
        return ((days % 7) + 11) % 7  // 1970-01-01 was a Thursday (4)
    }
}
