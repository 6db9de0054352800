import Foundation
import Yams

/// Reads the fields of one job mapping, collecting diagnostics as it goes.
struct JobFieldReader {
    let path: String
    var diagnostics: [JobFileDiagnostic] = []
    var idMark = (line: 1, column: 1)
    var notifyMark: (line: Int, column: Int)?
    var keyMark: (line: Int, column: Int)?
    var dependsMark: (line: Int, column: Int)?
    var escalateMark: (line: Int, column: Int)?

    init(path: String) {
        self.path = path
    }

    mutating func error(_ message: String, at node: Node?, field: String?) {
        diagnostics.append(.init(path: path, line: node?.mark?.line ?? 1, column: node?.mark?.column ?? 1, field: field, message: message))
    }

    mutating func warning(_ message: String, at node: Node?, field: String?) {
        diagnostics.append(.init(severity: .warning, path: path, line: node?.mark?.line ?? 1, column: node?.mark?.column ?? 1, field: field, message: message))
    }

    mutating func read(_ mapping: Node.Mapping) -> Job? {
        var values: [JobFileKey: (key: Node, value: Node)] = [:]
        for (keyNode, valueNode) in mapping {
            guard let name = keyNode.scalar?.string else {
                error("keys must be plain names, not a \(JobFileDecoder.kind(of: keyNode))", at: keyNode, field: nil)
                continue
            }
            guard let key = JobFileKey(rawValue: name) else {
                var message = "unknown key '\(name)'"
                if let suggestion = JobFileKey.suggestion(for: name) {
                    message += " (did you mean '\(suggestion.rawValue)'?)"
                } else {
                    message += "; allowed keys are " + JobFileKey.allCases.map(\.rawValue).joined(separator: ", ")
                }
                error(message, at: keyNode, field: name)
                continue
            }
            if let first = values[key] {
                error("duplicate key '\(name)' (first at line \(first.key.mark?.line ?? 1))", at: keyNode, field: name)
                continue
            }
            values[key] = (keyNode, valueNode)
        }
        let mappingNode = Node.mapping(mapping)
        for key in JobFileKey.required where values[key] == nil {
            let hint = key == .version ? " (write 'version: \(Job.schemaVersion)')" : ""
            error("missing required key '\(key.rawValue)'\(hint)", at: mappingNode, field: key.rawValue)
        }


        let version = values[.version].flatMap { readVersion($0.value) }
        guard version != nil || values[.version] == nil else {
            // A file of another schema version is not read any further: its other
            // keys would only produce misleading errors.
            return nil
        }
        let jobName = values[.jobName].flatMap { readIdentifier($0.value, field: .jobName) }
        if let node = values[.jobName]?.value, let mark = node.mark { idMark = (mark.line, mark.column) }
        let host = values[.host].flatMap { readIdentifier($0.value, field: .host) }
        if let jobName, let host, let problem = JobID.problem(jobName: jobName, host: host) {
            error(problem, at: values[.jobName]?.value, field: JobFileKey.jobName.rawValue)
        }
        // Optional fields: absent or null means not set. A value that fails to
        // read has recorded its error, which `diagnostics` carries to the end.
        func given(_ key: JobFileKey) -> Node? {
            values[key].flatMap { $0.value.isYAMLNull ? nil : $0.value }
        }
        if given(.automaticFailureThreshold) == nil, given(.schedule) == nil {
            error("missing required key 'automatic_failure_threshold' (or 'schedule'): a job needs a threshold, a schedule, or both",
                  at: mappingNode, field: JobFileKey.automaticFailureThreshold.rawValue)
        }
        let threshold = given(.automaticFailureThreshold).flatMap { readDuration($0, field: .automaticFailureThreshold) }
        let schedule = given(.schedule).flatMap { readSchedule($0) }
        let timezone = given(.timezone).flatMap { readTimezone($0) }
        let grace = given(.grace).flatMap { readDuration($0, field: .grace) }
        let maxRuntime = given(.maxRuntime).flatMap { readDuration($0, field: .maxRuntime) }
        let status = given(.status).flatMap { readLifecycle($0) } ?? .active
        let maintenanceUntil = given(.maintenanceUntil).flatMap { readTimestamp($0) }
        let maintenanceWindows = given(.maintenanceWindows).flatMap { readMaintenanceWindows($0) } ?? []
        let labels = given(.labels).flatMap { readLabels($0) } ?? [:]
        let notify = given(.notify).flatMap { readChannels($0) }
        if let mark = values[.notify]?.value.mark { notifyMark = (mark.line, mark.column) }
        let alertAfter = given(.alertAfter).flatMap { readAlertAfter($0) }
        let escalate = given(.escalate).flatMap { readEscalation($0) } ?? []
        if let mark = values[.escalate]?.value.mark { escalateMark = (mark.line, mark.column) }
        let dependsOn = given(.dependsOn).flatMap { readDependencies($0, of: jobName.flatMap { name in host.map { JobID(jobName: name, host: $0) } }) } ?? []
        if let mark = values[.dependsOn]?.value.mark { dependsMark = (mark.line, mark.column) }
        let slo = given(.slo).flatMap { readSLO($0) }
        let metrics = given(.metrics).flatMap { readMetricsOptions($0) }
        if let mark = values[.apiKeySHA256]?.value.mark { keyMark = (mark.line, mark.column) }
        let apiKeySHA256 = given(.apiKeySHA256).flatMap { readKeyHash($0) }
        let description = given(.description).flatMap { readString($0, field: .description) }

        // Warnings only for files without errors: a broken file has more pressing news.
        guard version != nil, let jobName, let host, threshold != nil || schedule != nil, diagnostics.isEmpty else { return nil }
        if apiKeySHA256 == nil {
            warning("job \(jobName)@\(host) has no api_key_sha256 and accepts no submissions; mint one with 'cronmetrics job rotate-key \(jobName)@\(host)'",
                    at: mappingNode, field: JobFileKey.apiKeySHA256.rawValue)
        }
        for (key, name) in [(JobFileKey.timezone, timezone), (.grace, grace.map { "\($0.seconds)" })] where name != nil && schedule == nil {
            warning("\(key.rawValue) has no effect without a schedule", at: values[key]?.key, field: key.rawValue)
        }
        if maintenanceUntil != nil, status != .maintenance {
            warning("maintenance_until has no effect while status is '\(status.rawValue)'",
                    at: values[.maintenanceUntil]?.key, field: JobFileKey.maintenanceUntil.rawValue)
        }
        return Job(jobName: jobName, host: host, threshold: threshold, schedule: schedule, timezone: timezone,
                   grace: grace, maxRuntime: maxRuntime, status: status,
                   maintenanceUntil: maintenanceUntil, maintenanceWindows: maintenanceWindows, labels: labels, notify: notify,
                   alertAfter: alertAfter, escalate: escalate, dependsOn: dependsOn, slo: slo, metrics: metrics, apiKeySHA256: apiKeySHA256,
                   description: description)
    }

    mutating func scalarText(_ node: Node, field: String) -> String? {
        guard let scalar = node.scalar else {
            error("'\(field)' must be a single value, not a \(JobFileDecoder.kind(of: node))", at: node, field: field)
            return nil
        }
        if node.isYAMLNull {
            error("'\(field)' must not be empty", at: node, field: field)
            return nil
        }
        return scalar.string
    }

    mutating func readVersion(_ node: Node) -> Int? {
        guard let text = scalarText(node, field: "version") else { return nil }
        guard let number = Int(text), number == Job.schemaVersion else {
            if let number = Int(text), number > Job.schemaVersion {
                error("unsupported version \(number): this build of cronmetrics reads version \(Job.schemaVersion); upgrade cronmetrics", at: node, field: "version")
            } else {
                error("'version' must be \(Job.schemaVersion) (got \"\(text)\")", at: node, field: "version")
            }
            return nil
        }
        return number
    }

    mutating func readIdentifier(_ node: Node, field: JobFileKey) -> String? {
        guard let text = scalarText(node, field: field.rawValue) else { return nil }
        if let problem = Identifier.problem(text) {
            error("'\(field.rawValue)' \(problem) (got \"\(text)\")", at: node, field: field.rawValue)
            return nil
        }
        return text
    }

    mutating func readDuration(_ node: Node, field key: JobFileKey) -> JobDuration? {
        let field = key.rawValue
        guard let text = scalarText(node, field: field) else { return nil }
        if let duration = JobDuration(parsing: text) {
            return duration
        }
        let problem = JobDuration.problem(text) ?? "it is not a duration"
        error("'\(field)' is not a valid duration (got \"\(text.prefix(64))\"): \(problem)", at: node, field: field)
        return nil
    }

    mutating func readSchedule(_ node: Node) -> CronSchedule? {
        guard let text = scalarText(node, field: "schedule") else { return nil }
        do {
            return try CronSchedule(parsing: text)
        } catch {
            self.error("'schedule' is not a cron schedule (got \"\(text.prefix(64))\"): \(error)", at: node, field: "schedule")
            return nil
        }
    }

    mutating func readTimezone(_ node: Node, field: String = "timezone") -> String? {
        guard let text = scalarText(node, field: field) else { return nil }
        guard TimeZoneNames.isKnown(text), ZonedCalendar(identifier: text) != nil else {
            let hint = TimeZoneNames.suggestion(for: text).map { " (did you mean '\($0)'?)" } ?? "; write an IANA name such as Europe/Berlin or UTC"
            error("'\(field)' is not a known time zone (got \"\(text.prefix(64))\")\(hint)", at: node, field: field)
            return nil
        }
        return text
    }

    mutating func readLifecycle(_ node: Node) -> Lifecycle? {
        guard let text = scalarText(node, field: "status") else { return nil }
        guard let value = Lifecycle(rawValue: text) else {
            let allowed = Lifecycle.allCases.map(\.rawValue).joined(separator: ", ")
            error("'status' must be one of \(allowed) (got \"\(text)\")", at: node, field: "status")
            return nil
        }
        return value
    }

    mutating func readTimestamp(_ node: Node) -> Date? {
        let field = JobFileKey.maintenanceUntil.rawValue
        guard let text = scalarText(node, field: field) else { return nil }
        guard let date = RFC3339.parse(text) else {
            error("'\(field)' must be an RFC 3339 timestamp with a time zone, such as 2026-12-01T06:00:00Z (got \"\(text.prefix(64))\")", at: node, field: field)
            return nil
        }
        // Whole seconds, as files are written back: an edit through the API
        // must not change the instant.
        return Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }

    mutating func readKeyHash(_ node: Node) -> String? {
        let field = JobFileKey.apiKeySHA256.rawValue
        guard let text = scalarText(node, field: field) else { return nil }
        guard APIKeyHash.isValidHex(text) else {
            var message = "'\(field)' must be 64 lowercase hex characters, the SHA-256 of the key (echo -n \"$KEY\" | sha256sum)"
            if text.hasPrefix("cm_") {
                message += "; this looks like a key itself, which must never be written to a file"
            } else if APIKeyHash.isValidHex(text.lowercased()) {
                message += "; write it in lowercase"
            }
            error(message, at: node, field: field)
            return nil
        }
        return text
    }

    mutating func readString(_ node: Node, field: JobFileKey) -> String? {
        scalarText(node, field: field.rawValue)
    }

    /// `notify: [ops, chat]`: channel names (identifiers), each once. Whether
    /// each names a configured channel is checked against the configuration
    /// (``JobTreeLoader``), which a job file alone does not know.
    mutating func readChannels(_ node: Node, field: String = JobFileKey.notify.rawValue) -> [String]? {
        readDistinct(node, field: field, notAList: "'\(field)' must be a list of channel names, such as [ops, chat] ([] for none)",
                     twice: { "channel '\($0)' is listed twice" }) { reader, name, item in
            if let problem = Identifier.problem(name) {
                reader.error("channel name \(problem) (got \"\(name.prefix(64))\")", at: item, field: field)
                return nil
            }
            return name
        }
    }

    /// A list of distinct values, each read from its text by `value` (nil
    /// after recording what is wrong with it); nil after the first problem.
    mutating func readDistinct<Value: Equatable>(_ node: Node, field: String, notAList: String, twice: (Value) -> String,
                                                 value: (inout JobFieldReader, String, Node) -> Value?) -> [Value]? {
        guard let sequence = node.sequence else {
            error(notAList, at: node, field: field)
            return nil
        }
        var values: [Value] = []
        for item in sequence {
            guard let text = scalarText(item, field: field), let read = value(&self, text, item) else { return nil }
            if values.contains(read) {
                error(twice(read), at: item, field: field)
                return nil
            }
            values.append(read)
        }
        return values
    }

    /// The entries of a small mapping field (`slo`, `metrics`), each key one
    /// of `allowed`; nil after recording what is wrong.
    mutating func readEntries(_ node: Node, field key: JobFileKey, allowed: [String], example: String) -> [String: Node]? {
        readEntries(node, field: key.rawValue, allowed: allowed, example: example)
    }

    mutating func readEntries(_ node: Node, field: String, allowed: [String], example: String) -> [String: Node]? {
        guard let mapping = node.mapping else {
            error("'\(field)' must be a mapping, such as \(example)", at: node, field: field)
            return nil
        }
        var entries: [String: Node] = [:]
        for (keyNode, valueNode) in mapping {
            guard let name = keyNode.scalar?.string, allowed.contains(name) else {
                let name = keyNode.scalar?.string ?? JobFileDecoder.kind(of: keyNode)
                error("unknown key '\(name)' in '\(field)'; allowed keys are \(allowed.joined(separator: ", "))",
                      at: keyNode, field: "\(field).\(name)")
                return nil
            }
            guard entries[name] == nil else {
                error("duplicate key '\(name)' in '\(field)'", at: keyNode, field: "\(field).\(name)")
                return nil
            }
            entries[name] = valueNode
        }
        return entries
    }

    /// A list of small mappings (`maintenance_windows`, `escalate`): each
    /// item's keys among `allowed`, the `required` ones present, at most
    /// `limit` items (`limitHint` says what to do instead). Each item comes
    /// with its name in messages (`escalate[1]`); nil after the first problem.
    mutating func readMappings(_ node: Node, field: String, kind: String, allowed: [String], required: [String], example: String,
                               limit: Int? = nil, limitHint: String = "") -> [(name: String, entries: [String: Node])]? {
        guard let sequence = node.sequence else {
            error("'\(field)' must be a list of \(kind), such as \(example)", at: node, field: field)
            return nil
        }
        if let limit, sequence.count > limit {
            error("'\(field)' may have at most \(limit) \(kind) (got \(sequence.count)); \(limitHint)", at: node, field: field)
            return nil
        }
        var items: [(name: String, entries: [String: Node])] = []
        for (index, item) in sequence.enumerated() {
            let name = "\(field)[\(index)]"
            guard let entries = readEntries(item, field: name, allowed: allowed, example: example) else { return nil }
            for key in required where entries[key] == nil {
                error("'\(name)' needs \(key), such as \(example)", at: item, field: "\(name).\(key)")
                return nil
            }
            items.append((name, entries))
        }
        return items
    }

    /// `maintenance_windows: [{schedule: "0 1 * * 0", duration: 2h, timezone: Europe/Berlin}]`.
    mutating func readMaintenanceWindows(_ node: Node) -> [MaintenanceWindow]? {
        guard let items = readMappings(node, field: JobFileKey.maintenanceWindows.rawValue, kind: "windows",
                                       allowed: ["schedule", "duration", "timezone"], required: ["schedule", "duration"],
                                       example: "[{schedule: \"0 1 * * 0\", duration: 2h}]",
                                       limit: MaintenanceWindow.maximumCount, limitHint: "merge them into fewer schedules") else { return nil }
        var windows: [MaintenanceWindow] = []
        for (name, entries) in items {
            guard let scheduleNode = entries["schedule"], let durationNode = entries["duration"],
                  let scheduleText = scalarText(scheduleNode, field: "\(name).schedule"),
                  let durationText = scalarText(durationNode, field: "\(name).duration") else { return nil }
            let schedule: CronSchedule
            do {
                schedule = try CronSchedule(parsing: scheduleText)
            } catch {
                self.error("'\(name).schedule' is not a cron schedule (got \"\(scheduleText.prefix(64))\"): \(error)", at: scheduleNode,
                           field: "\(name).schedule")
                return nil
            }
            guard let duration = JobDuration(parsing: durationText), duration.seconds <= MaintenanceWindow.maximumSeconds else {
                let problem = JobDuration(parsing: durationText) == nil
                    ? (JobDuration.problem(durationText) ?? "it is not a duration")
                    : "a window may last at most 31d (pause the job instead)"
                error("'\(name).duration' is not a valid duration (got \"\(durationText.prefix(64))\"): \(problem)", at: durationNode,
                      field: "\(name).duration")
                return nil
            }
            var timezone: String?
            if let zoneNode = entries["timezone"] {
                guard let zone = readTimezone(zoneNode, field: "\(name).timezone") else { return nil }
                timezone = zone
            }
            windows.append(MaintenanceWindow(schedule: schedule, duration: duration, timezone: timezone))
        }
        return windows
    }

    /// `alert_after: 3`: a whole number of failed runs, 1 to ``Job/maximumAlertAfter``.
    mutating func readAlertAfter(_ node: Node) -> Int? {
        let field = JobFileKey.alertAfter.rawValue
        guard let text = scalarText(node, field: field) else { return nil }
        guard let number = Int(text), (1...Job.maximumAlertAfter).contains(number) else {
            error("'\(field)' must be a whole number of failed runs from 1 to \(Job.maximumAlertAfter) (got \"\(text.prefix(64))\")",
                  at: node, field: field)
            return nil
        }
        return number
    }

    /// `escalate: [{after: 1h, notify: [pager]}]`, in increasing order of `after`.
    mutating func readEscalation(_ node: Node) -> [EscalationStep]? {
        guard let items = readMappings(node, field: JobFileKey.escalate.rawValue, kind: "steps", allowed: ["after", "notify"],
                                       required: ["after", "notify"], example: "[{after: 1h, notify: [pager]}]") else { return nil }
        var steps: [EscalationStep] = []
        for (name, entries) in items {
            guard let afterNode = entries["after"], let notifyNode = entries["notify"],
                  let text = scalarText(afterNode, field: "\(name).after") else { return nil }
            guard let after = JobDuration(parsing: text) else {
                error("'\(name).after' is not a valid duration (got \"\(text.prefix(64))\"): \(JobDuration.problem(text) ?? "it is not a duration")",
                      at: afterNode, field: "\(name).after")
                return nil
            }
            if let previous = steps.last, after.seconds <= previous.after.seconds {
                error("'\(name).after' must be later than the step before it (\(previous.after.text ?? "\(previous.after.seconds)")): steps go in order",
                      at: afterNode, field: "\(name).after")
                return nil
            }
            guard let channels = readChannels(notifyNode, field: "\(name).notify") else { return nil }
            guard !channels.isEmpty else {
                error("'\(name).notify' names no channel: a step must tell someone", at: notifyNode, field: "\(name).notify")
                return nil
            }
            steps.append(EscalationStep(after: after, notify: channels))
        }
        return steps
    }

    /// `depends_on: [backup@db1]`: job ids, each once, not the job itself.
    /// Whether each exists, and cycles, are checked with the whole tree (``JobTreeLoader``).
    mutating func readDependencies(_ node: Node, of own: JobID?) -> [JobID]? {
        let field = JobFileKey.dependsOn.rawValue
        return readDistinct(node, field: field, notAList: "'\(field)' must be a list of job ids, such as [backup@db1]",
                            twice: { "job '\($0)' is listed twice" }) { reader, text, item in
            guard let id = JobID(text) else {
                reader.error("'\(field)' entries are job ids, job_name@host (got \"\(text.prefix(64))\")", at: item, field: field)
                return nil
            }
            if id == own {
                reader.error("a job cannot depend on itself (\(id))", at: item, field: field)
                return nil
            }
            return id
        }
    }

    /// `slo: {success_ratio: 99.5%, window: 30d}`.
    mutating func readSLO(_ node: Node) -> ServiceLevelObjective? {
        let example = "{success_ratio: 99.5%, window: 30d}"
        guard let entries = readEntries(node, field: .slo, allowed: ["success_ratio", "window"], example: example) else { return nil }
        guard let ratioNode = entries["success_ratio"] else {
            error("'slo' needs success_ratio, such as \(example)", at: node, field: "slo.success_ratio")
            return nil
        }
        guard let text = scalarText(ratioNode, field: "slo.success_ratio") else { return nil }
        let ratio: Double
        switch ServiceLevelObjective.ratio(text) {
        case let .success(value): ratio = value
        case let .failure(problem):
            error("'slo.success_ratio' is not a ratio (got \"\(text.prefix(64))\"): \(problem.message)", at: ratioNode, field: "slo.success_ratio")
            return nil
        }
        var window: String?
        if let windowNode = entries["window"] {
            guard let text = scalarText(windowNode, field: "slo.window") else { return nil }
            if (try? StatsWindow(named: text, now: Date(timeIntervalSince1970: 0))) == nil {
                error("'slo.window' must be a number of hours or days up to \(StatsWindow.maximumDays)d, such as 30d or 24h (got \"\(text.prefix(64))\")",
                      at: windowNode, field: "slo.window")
                return nil
            }
            window = text
        }
        let written: JSONValue = text.hasSuffix("%") ? .string(text) : .number(ratio)
        return ServiceLevelObjective(successRatio: ratio, written: written, window: window)
    }

    /// `metrics: {duration_histogram: true}`.
    mutating func readMetricsOptions(_ node: Node) -> JobMetricsOptions? {
        guard let entries = readEntries(node, field: .metrics, allowed: ["duration_histogram"], example: "{duration_histogram: true}") else {
            return nil
        }
        var options = JobMetricsOptions()
        if let flag = entries["duration_histogram"] {
            guard let text = scalarText(flag, field: "metrics.duration_histogram") else { return nil }
            guard let value = ["true": true, "false": false][text] else {
                error("'metrics.duration_histogram' must be true or false (got \"\(text.prefix(64))\")", at: flag, field: "metrics.duration_histogram")
                return nil
            }
            options.durationHistogram = value
        }
        // `metrics: {}` says nothing: as if absent (a file written back leaves it out).
        return options == JobMetricsOptions() ? nil : options
    }

    mutating func readLabels(_ node: Node) -> [String: String]? {
        guard let mapping = node.mapping else {
            error("'labels' must be a mapping of label names to values, such as {env: prod}", at: node, field: "labels")
            return nil
        }
        var labels: [String: String] = [:]
        var ok = true
        for (keyNode, valueNode) in mapping {
            guard let name = keyNode.scalar?.string else {
                error("label names must be plain names, not a \(JobFileDecoder.kind(of: keyNode))", at: keyNode, field: "labels")
                ok = false
                continue
            }
            let field = "labels.\(name)"
            if let problem = LabelName.problem(name) {
                error(problem, at: keyNode, field: field)
                ok = false
                continue
            }
            if labels[name] != nil {
                error("duplicate label '\(name)'", at: keyNode, field: field)
                ok = false
                continue
            }
            guard let value = scalarText(valueNode, field: field) else {
                ok = false
                continue
            }
            labels[name] = value
        }
        return ok ? labels : nil
    }
}
