import Foundation

/// A job definition as one file in `jobs.d` declares it (schema version 1).
public struct Job: Hashable, Sendable {
    /// The schema version this build reads and writes.
    public static let schemaVersion = 1
    /// How late a scheduled run may report when the file gives no `grace`.
    public static let defaultGraceSeconds = 300
    /// The most failed runs `alert_after` may wait for.
    public static let maximumAlertAfter = 1_000

    /// The definition's values. A job is copied into every table that
    /// holds it (the tree's cache, the store's table, the live state, the
    /// dashboard), so they live in one heap object that the copies share
    /// until one is changed (copy on write): at 100,000 jobs each inline
    /// copy cost about 400 bytes a job (performance.md).
    public struct Fields: Hashable, Sendable {
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
    }

    @usableFromInline
    final class Storage: @unchecked Sendable {
        /// Changed only through ``Job/update(_:)``, on a storage no other job shares.
        @usableFromInline var fields: Fields

        @usableFromInline init(_ fields: Fields) { self.fields = fields }
    }

    @usableFromInline var storage: Storage

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
        storage = Storage(Fields(
            jobName: jobName,
            host: host,
            threshold: threshold,
            schedule: schedule,
            timezone: timezone,
            grace: grace,
            maxRuntime: maxRuntime,
            status: status,
            maintenanceUntil: maintenanceUntil,
            maintenanceWindows: maintenanceWindows,
            labels: labels,
            notify: notify,
            alertAfter: alertAfter,
            escalate: escalate,
            dependsOn: dependsOn,
            slo: slo,
            metrics: metrics,
            apiKeySHA256: apiKeySHA256,
            description: description
        ))
    }

    @inlinable public var jobName: String {
        get { storage.fields.jobName }
        set { update { $0.jobName = newValue } }
    }
    @inlinable public var host: String {
        get { storage.fields.host }
        set { update { $0.host = newValue } }
    }
    @inlinable public var threshold: JobDuration? {
        get { storage.fields.threshold }
        set { update { $0.threshold = newValue } }
    }
    @inlinable public var schedule: CronSchedule? {
        get { storage.fields.schedule }
        set { update { $0.schedule = newValue } }
    }
    @inlinable public var timezone: String? {
        get { storage.fields.timezone }
        set { update { $0.timezone = newValue } }
    }
    @inlinable public var grace: JobDuration? {
        get { storage.fields.grace }
        set { update { $0.grace = newValue } }
    }
    @inlinable public var maxRuntime: JobDuration? {
        get { storage.fields.maxRuntime }
        set { update { $0.maxRuntime = newValue } }
    }
    @inlinable public var status: Lifecycle {
        get { storage.fields.status }
        set { update { $0.status = newValue } }
    }
    @inlinable public var maintenanceUntil: Date? {
        get { storage.fields.maintenanceUntil }
        set { update { $0.maintenanceUntil = newValue } }
    }
    @inlinable public var maintenanceWindows: [MaintenanceWindow] {
        get { storage.fields.maintenanceWindows }
        set { update { $0.maintenanceWindows = newValue } }
    }
    @inlinable public var labels: [String: String] {
        get { storage.fields.labels }
        set { update { $0.labels = newValue } }
    }
    @inlinable public var notify: [String]? {
        get { storage.fields.notify }
        set { update { $0.notify = newValue } }
    }
    @inlinable public var alertAfter: Int? {
        get { storage.fields.alertAfter }
        set { update { $0.alertAfter = newValue } }
    }
    @inlinable public var escalate: [EscalationStep] {
        get { storage.fields.escalate }
        set { update { $0.escalate = newValue } }
    }
    @inlinable public var dependsOn: [JobID] {
        get { storage.fields.dependsOn }
        set { update { $0.dependsOn = newValue } }
    }
    @inlinable public var slo: ServiceLevelObjective? {
        get { storage.fields.slo }
        set { update { $0.slo = newValue } }
    }
    @inlinable public var metrics: JobMetricsOptions? {
        get { storage.fields.metrics }
        set { update { $0.metrics = newValue } }
    }
    @inlinable public var apiKeySHA256: String? {
        get { storage.fields.apiKeySHA256 }
        set { update { $0.apiKeySHA256 = newValue } }
    }
    @inlinable public var description: String? {
        get { storage.fields.description }
        set { update { $0.description = newValue } }
    }

    @inlinable
    mutating func update(_ change: (inout Fields) -> Void) {
        if !isKnownUniquelyReferenced(&storage) { storage = Storage(storage.fields) }
        change(&storage.fields)
    }

    public static func == (lhs: Job, rhs: Job) -> Bool {
        lhs.storage === rhs.storage || lhs.storage.fields == rhs.storage.fields
    }

    public func hash(into hasher: inout Hasher) { storage.fields.hash(into: &hasher) }

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
