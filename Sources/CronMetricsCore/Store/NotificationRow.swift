import Foundation

/// A row of the `notifications` table (the outbox).
struct NotificationRow {
    static let columns = """
        id, event_id, channel, job_id, kind, payload, state, attempts, created_at, queued_at, next_attempt_at,
        delivered_at, last_error, last_status
        """

    var record: NotificationRecord
    /// When it was (re)queued: the start of its retry window.
    var queuedAt: Date

    /// - Throws: ``StoreError/corruptRow(table:column:problem:)``.
    init(_ row: SQLRow) throws(StoreError) {
        let payload = try row.string("payload")
        let event: NotificationEvent
        do {
            event = try APICoding.decoder.decode(NotificationEvent.self, from: Data(payload.utf8))
        } catch {
            throw .corruptRow(table: "notifications", column: "payload", problem: "not a notification event: \(error)")
        }
        let state = try row.string("state")
        record = NotificationRecord(
            id: try row.int("id"), eventId: try row.string("event_id"), channel: try row.string("channel"),
            jobId: try row.string("job_id"), kind: try row.string("kind"), state: state, attempts: Int(try row.int("attempts")),
            createdAt: try row.date("created_at"), nextAttemptAt: state == "pending" ? try row.date("next_attempt_at") : nil,
            deliveredAt: try row.optionalDate("delivered_at"), lastError: try row.optionalString("last_error"),
            lastStatus: try row.optionalInt("last_status").map { Int($0) }, event: event)
        queuedAt = try row.date("queued_at")
    }
}
