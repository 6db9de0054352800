import CronMetricsCore

/// The plain-text body of a notification email.
enum EmailText {
    static func make(_ event: NotificationEvent) -> String {
        var lines = [event.summary, ""]
        lines.append("Job:      \(event.jobId)")
        lines.append("Status:   \(event.status) (was \(event.previousStatus))")
        lines.append("At:       \(RFC3339.format(event.at))")
        if !event.labels.isEmpty {
            lines.append("Labels:   " + event.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))
        }
        if let url = event.url { lines.append("Link:     \(url)") }
        if let run = event.lastRun {
            lines.append("")
            var last = "Last run: \(run.status) at \(RFC3339.format(run.at))"
            if let code = run.exitCode { last += ", exit code \(code)" }
            if let duration = run.duration { last += ", \(Int(duration.rounded())) s" }
            lines.append(last)
            if let output = run.output, !output.isEmpty {
                lines += ["", "Output (last lines):", output]
            }
        }
        lines += ["", "Event id: \(event.eventId)", "-- cronmetrics"]
        return lines.joined(separator: "\n")
    }
}
