import Foundation

/// A job definition as one file in `jobs.d` declares it (schema version 1).
public struct Job: Hashable, Sendable {
    /// The schema version this build reads and writes.
    public static let schemaVersion = 1
    /// How late a scheduled run may report when the file gives no `grace`.
    public static let defaultGraceSeconds = 300
    /// The most failed runs `alert_after` may wait for.
    public static let maximumAlertAfter = 1_000

    public var jobName: String
    public var host: String
    /// Seconds of silence before the job is failed; a job has this, a
    /// schedule, or both.
    public var threshold: JobDuration?
    /// When the job runs (`0 3 * * 1-5`), in ``timezone``.
    public var schedule: CronSchedule?
    /// The IANA zone of the schedule as written; nil is UTC.
    public var timezone: String?
    /// How late a scheduled run may report (default 5 minutes).
    public var grace: JobDuration?
    /// A run still open this long after its start fails the job with `timeout`.
    public var maxRuntime: JobDuration?
    public var status: Lifecycle
    public var maintenanceUntil: Date?
    /// Recurring maintenance windows (``MaintenanceWindow``).
    public var maintenanceWindows: [MaintenanceWindow]
    /// Extra Prometheus labels, exported on `cronjob_status` in name order.
    public var labels: [String: String]
    /// The notification channels for this job's down and up events; nil means
    /// `notifications.default_channels`, an empty list none at all.
    public var notify: [String]?
    /// Its `down` goes out only at this many failed runs in a row (a missed
    /// deadline or a timeout counts as one); nil: at the first.
    public var alertAfter: Int?
    /// Channels told too when the job stays down (``EscalationStep``), in order of `after`.
    public var escalate: [EscalationStep]
    /// Jobs this one depends on: while one of them is failing, this job's
    /// `down` is held (its state is exported as it is).
    public var dependsOn: [JobID]
    /// The job's service level objective, if it has one.
    public var slo: ServiceLevelObjective?
    /// Series it exports beyond the standard ones.
    public var metrics: JobMetricsOptions?
    /// Lowercase hex SHA-256 of the job's API key; the key itself is never stored.
    public var apiKeySHA256: String?
    public var description: String?

    public init(
        jobName: String,
        host: String,
        threshold: JobDuration? = nil,
        schedule: CronSchedule? = nil,
        timezone: String? = nil,
        grace: JobDuration? = nil,
        maxRuntime: JobDuration? = nil,
        status: Lifecycle = .active,
        maintenanceUntil: Date? = nil,
        maintenanceWindows: [MaintenanceWindow] = [],
        labels: [String: String] = [:],
        notify: [String]? = nil,
        alertAfter: Int? = nil,
        escalate: [EscalationStep] = [],
        dependsOn: [JobID] = [],
        slo: ServiceLevelObjective? = nil,
        metrics: JobMetricsOptions? = nil,
        apiKeySHA256: String? = nil,
        description: String? = nil
    ) {
        self.jobName = jobName
        self.host = host
        self.threshold = threshold
        self.schedule = schedule
        self.timezone = timezone
        self.grace = grace
        self.maxRuntime = maxRuntime
        self.status = status
        self.maintenanceUntil = maintenanceUntil
        self.maintenanceWindows = maintenanceWindows
        self.labels = labels
        self.notify = notify
        self.alertAfter = alertAfter
        self.escalate = escalate
        self.dependsOn = dependsOn
        self.slo = slo
        self.metrics = metrics
        self.apiKeySHA256 = apiKeySHA256
        self.description = description
    }

    public var id: JobID { JobID(jobName: jobName, host: host) }

    /// The zone the schedule is read in (UTC unless the file names one).
    public var zone: ZonedCalendar {
        timezone.flatMap(ZonedCalendar.init(identifier:)) ?? .utc
    }

    /// Whether the job exports `cronjob_duration_seconds`: its file's
    /// `metrics.duration_histogram`, else the server's setting.
    public func exportsDurations(byDefault: Bool) -> Bool {
        metrics?.durationHistogram ?? byDefault
    }

    /// How late a scheduled run may report, in seconds.
    public var graceSeconds: Int {
        grace?.seconds ?? Self.defaultGraceSeconds
    }
}
