import Foundation

/// A job's status at one instant, and when it can next change by itself.
public struct Verdict: Sendable, Hashable {
    public var status: ExportedStatus
    /// When an active job will be failed if it stays silent; nil while it cannot be.
    public var deadline: Date?
    /// What the deadline counts from: the last result, first appearance, or reactivation.
    public var anchor: Date?
    /// The next instant at which the verdict may change with no new input.
    public var nextChange: Date?

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

    private static func active(job: Job, firstSeen: Date, state: JobState, since: Date?, now: Date) -> Verdict {
        var anchor = state.lastReceivedAt ?? firstSeen
        for candidate in [state.activatedAt, since].compactMap({ $0 }) where candidate > anchor {
            anchor = candidate
        }
        let deadline = anchor.addingTimeInterval(TimeInterval(job.threshold.seconds))
        // A silence already counted as missed stays missed until a new result,
        // even if the clock is stepped back before its deadline.
        if now > deadline || state.missedAnchor == anchor {
            return Verdict(status: .missedDeadline, deadline: deadline, anchor: anchor)
        }
        let status: ExportedStatus
        switch state.lastStatus {
        case .success?: status = .success
        case .failure?: status = .failure
        case nil: status = .pending
        }
        return Verdict(status: status, deadline: deadline, anchor: anchor, nextChange: deadline)
    }
}
