import Foundation

/// A job as the API shows it: the file's fields (the same names as in YAML),
/// the file it lives in (relative to `jobs.d`), and, from a server, its
/// current state. The key hash is not shown, only whether there is one.
public struct JobRecord: Codable, Sendable, Hashable {
    public var id: String
    public var jobName: String
    public var host: String
    /// As written: a number of seconds or a duration string; nil with a schedule alone.
    public var automaticFailureThreshold: JSONValue?
    public var thresholdSeconds: Int?
    /// The cron schedule, as written.
    public var schedule: String?
    /// The schedule's IANA zone (UTC when not given).
    public var timezone: String?
    /// As written; nil when the default applies.
    public var grace: JSONValue?
    /// The grace in force with a schedule (the default is 300).
    public var graceSeconds: Int?
    public var maxRuntime: JSONValue?
    public var maxRuntimeSeconds: Int?
    public var status: String
    public var maintenanceUntil: Date?
    /// `[{schedule, duration, timezone}]` as written; nil without windows.
    public var maintenanceWindows: JSONValue?
    public var labels: [String: String]
    /// The job's channels as written; nil when `notifications.default_channels` apply.
    public var notify: [String]?
    /// The alert policy as written (nil when not set).
    public var alertAfter: Int?
    public var escalate: JSONValue?
    public var dependsOn: [String]?
    /// `{success_ratio, window}` as written, when the job has an SLO.
    public var slo: JSONValue?
    /// `{duration_histogram}` as written.
    public var metrics: JSONValue?
    public var description: String?
    public var hasApiKey: Bool
    public var path: String
    /// What the server knows beyond the file; nil from a `jobs.d` checkout.
    public var state: JobStateRecord?

    public init(job: Job, path: String, state: JobStateRecord? = nil) {
        id = job.id.description
        jobName = job.jobName
        host = job.host
        automaticFailureThreshold = job.threshold.map(JSONValue.init(duration:))
        thresholdSeconds = job.threshold?.seconds
        schedule = job.schedule?.text
        timezone = job.schedule == nil ? job.timezone : job.timezone ?? "UTC"
        grace = job.grace.map(JSONValue.init(duration:))
        graceSeconds = job.schedule == nil ? nil : job.graceSeconds
        maxRuntime = job.maxRuntime.map(JSONValue.init(duration:))
        maxRuntimeSeconds = job.maxRuntime?.seconds
        status = job.status.rawValue
        maintenanceUntil = job.maintenanceUntil
        maintenanceWindows = job.value(of: .maintenanceWindows)
        labels = job.labels
        notify = job.notify
        alertAfter = job.alertAfter
        escalate = job.value(of: .escalate)
        dependsOn = job.dependsOn.isEmpty ? nil : job.dependsOn.map(\.description)
        slo = job.slo?.json
        metrics = job.metrics?.json
        description = job.description
        hasApiKey = job.apiKeySHA256 != nil
        self.path = path
        self.state = state
    }

    /// The definition alone, without the server's state: what the CLI prints
    /// in both of its modes.
    public var definition: JobRecord {
        var copy = self
        copy.state = nil
        return copy
    }

    /// The threshold as people write it: `90m`, or `3600s` for plain seconds.
    public var thresholdText: String {
        automaticFailureThreshold?.string ?? thresholdSeconds.map { "\($0)s" } ?? "-"
    }
}
