import Foundation

/// The alert policy of a job file (SPEC §16) as pure rules over the job,
/// what the store knows of its outage, and the time: whether a `down` goes
/// out now or is held, and which escalation steps are due. Beside
/// ``NotificationKind/transition(from:to:)``, which says whether a change of
/// status calls for a message at all; ``Outbox`` applies both inside the
/// transaction of the change, so the outbox stays transactional.
public enum AlertPolicy {
    /// Why a job's `down` is not sent now.
    public enum Hold: Hashable, Sendable {
        /// Paused, retired, in maintenance (set, or one of its windows).
        case quiet
        /// Jobs it depends on are failing (sorted).
        case blocked(by: [JobID])
        /// `alert_after`: this many failed runs in a row of the `needed`.
        case waiting(failedRuns: Int, needed: Int)
    }

    /// What the store knows about a job that is down.
    public struct Outage: Hashable, Sendable {
        /// Failed runs in a row, this one included (a missed deadline and a timeout count as one each).
        public var failedRuns: Int
        /// When the outage's first `down` went out; nil while it has not.
        public var downSentAt: Date?
        /// Escalation steps sent for it (the first this many of the job's `escalate`).
        public var escalated: Int
        /// The jobs it depends on that are failing now.
        public var failingUpstream: Set<JobID>
        /// While it is missing its deadline: since when (one silence is one
        /// missed deadline, however long it lasts).
        public var missedSince: Date?

        public init(failedRuns: Int, downSentAt: Date? = nil, escalated: Int = 0, failingUpstream: Set<JobID> = [],
                    missedSince: Date? = nil) {
            self.failedRuns = failedRuns
            self.downSentAt = downSentAt
            self.escalated = escalated
            self.failingUpstream = failingUpstream
            self.missedSince = missedSince
        }
    }

    /// Whether the job sends nothing at `at`: paused, retired, or in
    /// maintenance (until its `maintenance_until`, or inside a window).
    public static func isQuiet(_ job: Job, at: Date) -> Bool {
        switch job.status {
        case .paused, .retired: true
        case .maintenance: (job.maintenanceUntil ?? .distantFuture) > at || job.maintenanceWindow(at: at) != nil
        case .active: job.maintenanceWindow(at: at) != nil
        }
    }

    /// Why the job's first `down` of an outage is held at `now`; nil: send it.
    /// Quiet first, then a failing dependency, then `alert_after`.
    public static func hold(_ job: Job, _ outage: Outage, at now: Date) -> Hold? {
        if isQuiet(job, at: now) { return .quiet }
        let upstream = job.dependsOn.filter(outage.failingUpstream.contains)
        if !upstream.isEmpty { return .blocked(by: upstream.sorted()) }
        if let needed = job.alertAfter {
            let failed = outage.failedRuns + silentRuns(job, since: outage.missedSince, at: now, upTo: needed)
            if failed < needed { return .waiting(failedRuns: failed, needed: needed) }
        }
        return nil
    }

    /// The runs a silent job has missed since its missed deadline was
    /// counted (`since`), beyond that one: a whole threshold each, or each
    /// scheduled time whose grace has passed. So `alert_after: 3` on a job
    /// whose host died pages after three runs' worth of silence, not never.
    /// At most `limit`.
    public static func silentRuns(_ job: Job, since: Date?, at now: Date, upTo limit: Int) -> Int {
        guard let since, now > since else { return 0 }
        if let threshold = job.threshold {
            return min(limit, Int(now.timeIntervalSince(since) / Double(threshold.seconds)))
        }
        guard let schedule = job.schedule else { return 0 }
        let grace = TimeInterval(job.graceSeconds)
        var count = 0
        var cursor = since.addingTimeInterval(-grace)
        while count < limit, let fire = schedule.next(after: cursor, in: job.zone), fire.addingTimeInterval(grace) <= now {
            count += 1
            cursor = fire
        }
        return count
    }

    /// Whether a repeat of a `down` already sent, or an escalation, is held:
    /// only while quiet or blocked (`alert_after` was met when the down went out).
    public static func holdsFollowUp(_ job: Job, _ outage: Outage, at now: Date) -> Bool {
        switch hold(job, outage, at: now) {
        case .quiet?, .blocked?: true
        case .waiting?, nil: false
        }
    }

    /// The escalation steps due at `now` and not sent yet, by index into
    /// the job's `escalate`: those whose `after` has passed since the
    /// outage's `down` went out. None while the follow-ups are held.
    public static func escalationsDue(_ job: Job, _ outage: Outage, at now: Date) -> Range<Int> {
        let none = outage.escalated..<outage.escalated
        guard let sent = outage.downSentAt, !holdsFollowUp(job, outage, at: now) else { return none }
        let reached = job.escalate.prefix { sent.addingTimeInterval(TimeInterval($0.after.seconds)) <= now }.count
        return reached > outage.escalated ? outage.escalated..<reached : none
    }

    /// When the next escalation step falls due (if the outage goes on).
    public static func nextEscalation(_ job: Job, _ outage: Outage) -> Date? {
        guard let sent = outage.downSentAt, outage.escalated < job.escalate.count else { return nil }
        return sent.addingTimeInterval(TimeInterval(job.escalate[outage.escalated].after.seconds))
    }

    /// The channels of the escalation steps `steps`, each once, in order.
    public static func channels(of job: Job, steps: Range<Int>) -> [String] {
        var names: [String] = []
        for step in steps where step < job.escalate.count {
            for name in job.escalate[step].notify where !names.contains(name) { names.append(name) }
        }
        return names
    }

    /// What the dashboard says of a job whose down is held.
    public static func describe(_ hold: Hold) -> String {
        switch hold {
        case .quiet: "quiet (paused or in maintenance)"
        case let .blocked(by): "blocked by \(by.map(\.description).joined(separator: ", "))"
        case let .waiting(failedRuns, needed): "\(failedRuns) of \(needed) failed runs before it alerts"
        }
    }
}
