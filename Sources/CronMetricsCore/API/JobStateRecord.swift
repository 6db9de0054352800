import Foundation

/// A job's state as the API shows it: its verdict and what its results left.
public struct JobStateRecord: Codable, Sendable, Hashable {
    /// The last result, when there is one.
    public struct LastResult: Codable, Sendable, Hashable {
        public var status: String
        public var receivedAt: Date?
        public var timestamp: Date?
        public var duration: Double?
        public var exitCode: Int?
    }

    /// A run started and not finished.
    public struct Run: Codable, Sendable, Hashable {
        public var runId: String?
        public var startedAt: Date
    }

    /// The exported status (`success`, `missed_deadline`, `timeout` …), or `retired`.
    public var status: String
    public var value: Int
    public var deadline: Date?
    /// With a schedule: the next scheduled time plus grace.
    public var nextExpected: Date?
    /// Runs open now (overlapping runs are several).
    public var running: Int
    public var openRuns: [Run]
    public var lastStart: Date?
    public var lastTimeout: Date?
    public var firstSeen: Date
    public var lastResult: LastResult?
    public var runsTotal: Int
    public var failuresTotal: Int
    public var missedDeadlinesTotal: Int
    public var timeoutsTotal: Int
    /// While the job is in one of its maintenance windows: when it ends.
    public var maintenanceWindowUntil: Date?
    /// When its next maintenance window starts.
    public var nextMaintenanceWindow: Date?
    /// The jobs of its `depends_on` failing now: its downs are held.
    public var blockedBy: [String]?

    public init(firstSeen: Date, state: JobState, verdict: Verdict?, nextWindow: Date? = nil, blockedBy: [JobID] = []) {
        maintenanceWindowUntil = verdict?.window?.end
        nextMaintenanceWindow = nextWindow
        self.blockedBy = blockedBy.isEmpty ? nil : blockedBy.map(\.description)
        status = verdict?.status.rawValue ?? "retired"
        value = verdict?.status.value ?? -1
        deadline = verdict?.deadline
        nextExpected = verdict?.nextExpected
        running = state.openRuns.count
        openRuns = state.openRuns.map { Run(runId: $0.runID, startedAt: $0.startedAt) }
        lastStart = state.lastStartAt
        lastTimeout = state.lastTimeoutAt
        self.firstSeen = firstSeen
        lastResult = state.lastStatus.map {
            LastResult(status: $0.rawValue, receivedAt: state.lastReceivedAt, timestamp: state.lastRunAt,
                       duration: state.lastDuration, exitCode: state.lastExitCode)
        }
        runsTotal = state.runsTotal
        failuresTotal = state.failuresTotal
        missedDeadlinesTotal = state.missedDeadlinesTotal
        timeoutsTotal = state.timeoutsTotal
    }
}
