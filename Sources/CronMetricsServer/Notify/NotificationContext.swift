import CronMetricsCore

/// What a webhook body template sees: the event's JSON fields by the same
/// names (`job_id`, `status`, `last_run.output` …), plus `summary`.
enum NotificationContext {
    static func make(_ event: NotificationEvent) -> [String: Any] {
        var context: [String: Any] = [
            "event_id": event.eventId, "kind": event.kind.rawValue, "job_id": event.jobId, "job_name": event.jobName,
            "host": event.host, "labels": event.labels, "previous_status": event.previousStatus, "status": event.status,
            "at": RFC3339.format(event.at), "repeat_count": event.repeatCount, "summary": event.summary,
            "down": event.kind == .down, "up": event.kind == .up, "test": event.kind == .test,
        ]
        if let url = event.url { context["url"] = url }
        if let run = event.lastRun {
            var last: [String: Any] = ["status": run.status, "at": RFC3339.format(run.at)]
            if let code = run.exitCode { last["exit_code"] = code }
            if let duration = run.duration { last["duration"] = duration }
            if let output = run.output { last["output"] = output }
            context["last_run"] = last
        }
        return context
    }
}
