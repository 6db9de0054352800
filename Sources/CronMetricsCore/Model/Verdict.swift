import Foundation

/// A job's status at one instant, and when it can next change by itself.
public struct Verdict: Sendable, Hashable {
    public var status: ExportedStatus
    /// When an active job will be failed if it stays silent; nil while it cannot be.
    public var deadline: Date?
    /// What the deadline counts from: the last result or start, first
    /// appearance, or reactivation.
    public var anchor: Date?
    /// With a schedule: the next scheduled time after the anchor, plus grace.
    public var nextExpected: Date?
    /// The next instant at which the verdict may change with no new input.
    public var nextChange: Date?
    /// The recurring maintenance window the job is in (``Job/maintenanceWindows``).
    public var window: DateInterval?

    /// How early a signal may arrive and still count for the next scheduled
    /// time: a host clock a few seconds fast must not make a daily job owe a
    /// second run the same day. At most the job's grace.
    public static let earlySeconds = 60

    /// Healthchecks' "late": a scheduled job whose time has passed and that is
    /// still inside its grace (`nextExpected` is that time plus the grace; it
    /// is set only with a schedule).
    public static func isLate(nextExpected: Date?, graceSeconds: Int, now: Date) -> Bool {
        guard let nextExpected else { return false }
        return now >= nextExpected.addingTimeInterval(-Double(graceSeconds)) && now < nextExpected
    }

    /// Evaluates the deadline state machine on the server's clock.
    ///
    /// - Returns: nil for a retired job, which is not exported.
    public static func evaluate(job: Job, firstSeen: Date, state: JobState, now: Date) -> Verdict? {
        switch job.status {
        case .retired:
            return nil
        case .paused:
            return Verdict(status: .paused)
        case .maintenance:
            guard let until = job.maintenanceUntil, until <= now else {
                return Verdict(status: .maintenance, nextChange: job.maintenanceUntil)
            }
            // Maintenance has ended by itself: behave as active, counting from its end.
            return active(job: job, firstSeen: firstSeen, state: state, since: until, now: now)
        case .active:
            return active(job: job, firstSeen: firstSeen, state: state, since: nil, now: now)
        }
    }

    /// An active job inside one of its maintenance windows is in maintenance
    /// until the window ends; outside, its deadline counts from the end of
    /// the last window at the latest, and its verdict changes when the next
    /// one starts.
    private static func active(job: Job, firstSeen: Date, state: JobState, since: Date?, now: Date) -> Verdict {
        guard !job.maintenanceWindows.isEmpty else {
            return counted(job: job, firstSeen: firstSeen, state: state, since: since, now: now)
        }
        if let window = job.maintenanceWindow(at: now) {
            return Verdict(status: .maintenance, nextChange: window.end, window: window)
        }
        var verdict = counted(job: job, firstSeen: firstSeen, state: state, since: since, now: now)
        // A deadline that fell inside the last window counts again from its
        // end; a job already missed before the window opened stays missed.
        if let last = job.lastMaintenanceWindow(atOrBefore: now), verdict.deadline.map({ $0 > last.start }) ?? true,
           last.end > (verdict.anchor ?? .distantPast) {
            verdict = counted(job: job, firstSeen: firstSeen, state: state, since: [since, last.end].compactMap { $0 }.max(), now: now)
        }
        if let next = job.nextMaintenanceWindow(after: now)?.start {
            verdict.nextChange = min(verdict.nextChange ?? next, next)
        }
        return verdict
    }

    private static func counted(job: Job, firstSeen: Date, state: JobState, since: Date?, now: Date) -> Verdict {
        var anchor = state.lastReceivedAt ?? firstSeen
        for candidate in [state.lastStartAt, state.activatedAt, since].compactMap({ $0 }) where candidate > anchor {
            anchor = candidate
        }
        let byThreshold = job.threshold.map { anchor.addingTimeInterval(TimeInterval($0.seconds)) }
        var expected: Date?
        if let schedule = job.schedule {
            let early = TimeInterval(min(earlySeconds, job.graceSeconds))
            expected = schedule.next(after: anchor.addingTimeInterval(early), in: job.zone)?
                .addingTimeInterval(TimeInterval(job.graceSeconds))
        }
        let deadline = [byThreshold, expected].compactMap { $0 }.min()
        // The earliest open run's timeout, when the job has a max_runtime (a
        // limit inside a maintenance window counts at its end, as in
        // ``JobState/timeOut(maxRuntime:now:postponed:)``).
        let timeoutAt = job.maxRuntime.flatMap { limit in
            state.openRuns.first.map { run in
                let at = run.startedAt.addingTimeInterval(TimeInterval(limit.seconds))
                return job.maintenanceWindows.isEmpty ? at : job.maintenanceWindow(at: at)?.end ?? at
            }
        }
        // A silence already counted as missed stays missed until a new signal,
        // even if the clock is stepped back before its deadline.
        if let deadline, now > deadline || state.missedAnchor == anchor {
            return Verdict(status: .missedDeadline, deadline: deadline, anchor: anchor, nextExpected: expected, nextChange: timeoutAt)
        }
        let status: ExportedStatus
        if let timedOut = state.lastTimeoutAt, timedOut > (state.lastReceivedAt ?? .distantPast) {
            status = .timeout
        } else {
            switch state.lastStatus {
            case .success?: status = .success
            case .failure?: status = .failure
            case .log?, nil: status = .pending
            }
        }
        let nextChange = [deadline, timeoutAt].compactMap { $0 }.min()
        return Verdict(status: status, deadline: deadline, anchor: anchor, nextExpected: expected, nextChange: nextChange)
    }
}
