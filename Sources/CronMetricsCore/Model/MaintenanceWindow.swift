import Foundation

/// A job file's recurring maintenance window, `{schedule: "0 1 * * 0",
/// duration: 2h, timezone: Europe/Berlin}`: from each time the schedule
/// fires, for `duration`, the job is in maintenance (exported -1, no
/// deadline, no `max_runtime`, no notifications). Windows that overlap or
/// touch are one window.
public struct MaintenanceWindow: Hashable, Sendable {
    public var schedule: CronSchedule
    public var duration: JobDuration
    /// The IANA zone of the schedule as written; nil is the job's zone.
    public var timezone: String?

    /// The longest window: a window is an interruption, not a state (pause the job instead).
    public static let maximumSeconds = 31 * 86_400
    /// The most windows a job may have (each costs a schedule lookup per evaluation).
    public static let maximumCount = 16

    public init(schedule: CronSchedule, duration: JobDuration, timezone: String? = nil) {
        self.schedule = schedule
        self.duration = duration
        self.timezone = timezone
    }

    /// How a file writes it.
    public var json: JSONValue {
        var fields: [String: JSONValue] = ["schedule": .string(schedule.text), "duration": JSONValue(duration: duration)]
        if let timezone { fields["timezone"] = .string(timezone) }
        return .object(fields)
    }

    /// The zone its schedule is read in: its own, else `fallback` (the job's).
    func zone(_ fallback: ZonedCalendar) -> ZonedCalendar {
        timezone.flatMap(ZonedCalendar.init(identifier:)) ?? fallback
    }

    /// A window `now` is in: one that starts after `now` minus the duration
    /// and by `now` (read forward, so the repeated hour of a change of
    /// clocks is in order).
    func containing(_ now: Date, zone fallback: ZonedCalendar) -> DateInterval? {
        let length = TimeInterval(duration.seconds)
        guard let start = schedule.next(after: now.addingTimeInterval(-length), in: zone(fallback)), start <= now else { return nil }
        return DateInterval(start: start, end: start.addingTimeInterval(length))
    }

    /// The latest window that ended at or before `now`: its start is the
    /// last one at or before `now` minus the duration.
    func last(atOrBefore now: Date, zone fallback: ZonedCalendar) -> DateInterval? {
        let zone = zone(fallback)
        let length = TimeInterval(duration.seconds)
        let latest = now.addingTimeInterval(-length)
        // Fires are whole minutes: before the next whole second is at or before `latest`.
        guard var start = schedule.previous(before: Date(timeIntervalSince1970: latest.timeIntervalSince1970.rounded(.down) + 1), in: zone) else {
            return nil
        }
        // Read backward, a wall-clock hour that repeats can skip its first
        // pass: step forward over any start that still comes by `latest`.
        for _ in 0..<4 {
            guard let next = schedule.next(after: start, in: zone), next <= latest else { break }
            start = next
        }
        return DateInterval(start: start, end: start.addingTimeInterval(length))
    }

    /// The first start strictly after `instant`.
    func nextStart(after instant: Date, zone fallback: ZonedCalendar) -> Date? {
        schedule.next(after: instant, in: zone(fallback))
    }
}

extension Job {
    /// The maintenance window the job is in at `now` (its windows merged
    /// where they overlap or touch), or nil.
    public func maintenanceWindow(at now: Date) -> DateInterval? {
        guard !maintenanceWindows.isEmpty else { return nil }
        let zone = zone
        var found: DateInterval?
        for window in maintenanceWindows {
            guard let interval = window.containing(now, zone: zone) else { continue }
            found = found.map { DateInterval(start: min($0.start, interval.start), end: max($0.end, interval.end)) } ?? interval
        }
        guard var merged = found else { return nil }
        // A window that starts before (or as) the current one ends extends
        // it. Bounded: a window that always overlaps the next (every minute
        // for two) ends here early and is found again at that end.
        var extended = true
        for _ in 0..<4 where extended {
            extended = false
            for window in maintenanceWindows {
                // From the merged window's start: an instance that began
                // between it and now may run on past its end.
                var cursor = merged.start
                for _ in 0..<64 {
                    guard let start = window.nextStart(after: cursor, zone: zone), start <= merged.end else { break }
                    let end = start.addingTimeInterval(TimeInterval(window.duration.seconds))
                    if end > merged.end {
                        merged = DateInterval(start: merged.start, end: end)
                        extended = true
                    }
                    cursor = start
                }
            }
        }
        return merged
    }

    /// The latest maintenance window that ended at or before `now` (when
    /// the job is not in one at `now`): the one that ended last.
    public func lastMaintenanceWindow(atOrBefore now: Date) -> DateInterval? {
        let zone = zone
        return maintenanceWindows.compactMap { $0.last(atOrBefore: now, zone: zone) }.max { $0.end < $1.end }
    }

    /// The next maintenance window to start strictly after `instant`.
    public func nextMaintenanceWindow(after instant: Date) -> DateInterval? {
        let zone = zone
        guard let start = maintenanceWindows.compactMap({ $0.nextStart(after: instant, zone: zone) }).min() else { return nil }
        return maintenanceWindow(at: start)
    }
}
