/// What a notification says.
public enum NotificationKind: String, Sendable, Codable, CaseIterable {
    /// The job went into failure, missed_deadline or timeout (or is still
    /// there, with `notifications.repeat_interval`).
    case down
    /// It recovered.
    case up
    /// Sent by hand to check a channel (`notify test`); belongs to no job.
    case test

    /// The statuses a job is down in.
    public static let downStatuses: Set<String> = ["failure", "missed_deadline", "timeout"]

    /// The event a change of status makes, if any: down when a job that was
    /// not down goes down, up when a down job succeeds. A down job that goes
    /// down another way (failure, then missed deadline) stays down: no event.
    public static func transition(from previous: String?, to status: String) -> NotificationKind? {
        let wasDown = previous.map(downStatuses.contains) ?? false
        let isDown = downStatuses.contains(status)
        if isDown, !wasDown { return .down }
        if !isDown, wasDown, status == "success" { return .up }
        return nil
    }
}
