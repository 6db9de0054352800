/// A change to a job as people ask for it (pause it, set a label), written as
/// the RFC 7386 merge patch of its fields that every edit path applies: the
/// CLI's `job update` flags build one of these (the dashboard's buttons send plain fields).
public struct JobPatch: Sendable, Hashable {
    public private(set) var fields: [String: JSONValue] = [:]

    public init() {}

    public var isEmpty: Bool { fields.isEmpty }

    /// Moves the job to a lifecycle. Maintenance ends by itself at
    /// `maintenanceUntil` (RFC 3339) when one is given; becoming active clears it.
    public mutating func set(_ lifecycle: Lifecycle, maintenanceUntil: String? = nil) {
        fields["status"] = .string(lifecycle.rawValue)
        switch lifecycle {
        case .maintenance: fields["maintenance_until"] = maintenanceUntil.map(JSONValue.string) ?? .null
        case .active: fields["maintenance_until"] = .null
        case .paused, .retired: break
        }
    }

    /// A duration field (`automatic_failure_threshold`, `grace`, `max_runtime`)
    /// as written: seconds (`3600`) or a duration (`90m`); empty removes it.
    public mutating func setDuration(_ key: JobFileKey, _ text: String) {
        fields[key.rawValue] = text.isEmpty ? .null : JSONValue(durationText: text)
    }

    /// A field given as text (`schedule`, `timezone`); empty removes it.
    public mutating func setText(_ key: JobFileKey, _ text: String) {
        fields[key.rawValue] = text.isEmpty ? .null : .string(text)
    }

    /// Sets some labels and removes others, leaving the rest.
    public mutating func setLabels(_ labels: [String: String], removing removed: [String] = []) {
        var change = labels.mapValues(JSONValue.string)
        for name in removed { change[name] = .null }
        if !change.isEmpty { fields["labels"] = .object(change) }
    }

    /// The job's notification channels; nil removes the field (the default
    /// channels apply), an empty list means none.
    public mutating func setChannels(_ names: [String]?) {
        fields["notify"] = names.map { .array($0.map(JSONValue.string)) } ?? .null
    }

    public mutating func setDescription(_ text: String) {
        fields["description"] = .string(text)
    }

    /// The job's SLO: a ratio (`99.5%`; empty removes the SLO) and/or a
    /// window (`7d`; empty: the default), merged into the SLO it has.
    public mutating func setObjective(ratio: String?, window: String?) {
        if ratio == "" { fields["slo"] = .null; return }
        var change: [String: JSONValue] = [:]
        if let ratio { change["success_ratio"] = .string(ratio) }
        if let window { change["window"] = window.isEmpty ? .null : .string(window) }
        fields["slo"] = .object(change)
    }

    /// The job's maintenance windows (replacing them); nil removes them.
    public mutating func setMaintenanceWindows(_ windows: [(schedule: String, duration: String, timezone: String?)]?) {
        fields[JobFileKey.maintenanceWindows.rawValue] = windows.map { windows in
            .array(windows.map { window in
                var fields: [String: JSONValue] = ["schedule": .string(window.schedule), "duration": JSONValue(durationText: window.duration)]
                if let zone = window.timezone, !zone.isEmpty { fields["timezone"] = .string(zone) }
                return .object(fields)
            })
        } ?? .null
    }

    /// The jobs this one depends on (replacing them); nil removes them.
    public mutating func setDependencies(_ ids: [String]?) {
        fields[JobFileKey.dependsOn.rawValue] = ids.map { .array($0.map(JSONValue.string)) } ?? .null
    }

    /// `alert_after` as written (a number; the decoder says what else is wrong); empty removes it.
    public mutating func setAlertAfter(_ text: String) {
        fields[JobFileKey.alertAfter.rawValue] = text.isEmpty ? .null : (Int64(text).map(JSONValue.integer) ?? .string(text))
    }

    /// The escalation steps (replacing them); nil removes them.
    public mutating func setEscalation(_ steps: [(after: String, notify: [String])]?) {
        fields[JobFileKey.escalate.rawValue] = steps.map { steps in
            .array(steps.map { .object(["after": JSONValue(durationText: $0.after), "notify": .array($0.notify.map(JSONValue.string))]) })
        } ?? .null
    }

    /// `metrics.duration_histogram`; nil: the server's default.
    public mutating func setDurationHistogram(_ value: Bool?) {
        fields["metrics"] = .object(["duration_histogram": value.map(JSONValue.bool) ?? .null])
    }
}

extension JSONValue {
    /// A duration as the API takes it: a number of seconds when `text` is one,
    /// else the text (`90m`), which the job-file decoder checks.
    public init(durationText text: String) {
        self = Int64(text).map(JSONValue.integer) ?? .string(text)
    }

    /// A duration as written: its text, or its seconds when it was a number.
    public init(duration: JobDuration) {
        self = duration.text.map(JSONValue.string) ?? .integer(Int64(duration.seconds))
    }
}
