import CronMetricsCore

/// How job commands print jobs: the same in a checkout and through a server
/// (definitions only; state is the API's and the dashboard's).
enum JobOutput {
    static func table(_ records: [JobRecord], hashes: Bool) -> String {
        var rows = [["ID", "STATUS", "THRESHOLD", "SCHEDULE", "LABELS", "FILE"] + (hashes ? ["API KEY"] : [])]
        for record in records {
            rows.append([record.id, record.status, record.thresholdText, record.schedule ?? "-", labels(record), record.path]
                + (hashes ? [record.hasApiKey ? "set" : "(none)"] : []))
        }
        return Table.render(rows)
    }

    static func show(_ record: JobRecord) -> String {
        var lines = ["id: \(record.id)", "file: \(record.path)", "job_name: \(record.jobName)", "host: \(record.host)"]
        for (name, value) in [("automatic_failure_threshold", record.automaticFailureThreshold), ("schedule", record.schedule.map(JSONValue.string)),
                              ("timezone", record.timezone.map(JSONValue.string)), ("grace", record.graceSeconds.map { record.grace ?? .integer(Int64($0)) }),
                              ("max_runtime", record.maxRuntime)] {
            if let value { lines.append("\(name): \(value.string ?? value.description)") }
        }
        lines.append("status: \(record.status)")
        if let until = record.maintenanceUntil { lines.append("maintenance_until: \(RFC3339.format(until))") }
        if !record.labels.isEmpty { lines.append("labels: \(labels(record))") }
        if let notify = record.notify { lines.append("notify: [\(notify.joined(separator: ", "))]") }
        if let windows = record.maintenanceWindows { lines.append("maintenance_windows: \(windows.canonical)") }
        if let alertAfter = record.alertAfter { lines.append("alert_after: \(alertAfter)") }
        if let escalate = record.escalate { lines.append("escalate: \(escalate.canonical)") }
        if let dependsOn = record.dependsOn { lines.append("depends_on: [\(dependsOn.joined(separator: ", "))]") }
        for (name, value) in [("slo", record.slo), ("metrics", record.metrics)] {
            if case let .object(fields)? = value {
                lines.append("\(name): {" + fields.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.string ?? $0.value.description)" }.joined(separator: ", ") + "}")
            }
        }
        if let description = record.description { lines.append("description: \(description)") }
        lines.append("api_key: \(record.hasApiKey ? "set (only its SHA-256 is stored)" : "none: the job accepts no submissions")")
        return lines.joined(separator: "\n")
    }

    static func created(_ created: JobWithKey, chosenKey: String?) -> String {
        ["Job ID \(created.job.id) created successfully", "File: \(created.job.path)",
         "API Key: \(created.apiKey ?? chosenKey ?? "(given as api_key_sha256)")",
         "Keep the key now: only its SHA-256 is stored, so it cannot be shown again."].joined(separator: "\n")
    }

    private static func labels(_ record: JobRecord) -> String {
        record.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }
}
