import Foundation
import GRDB

/// A row of the `notifications` table (the outbox).
struct NotificationRow: FetchableRecord {
    static let columns = """
        id, event_id, channel, job_id, kind, payload, state, attempts, created_at, queued_at, next_attempt_at,
        delivered_at, last_error, last_status
        """

    var record: NotificationRecord
    /// When it was (re)queued: the start of its retry window.
    var queuedAt: Date

    init(row: Row) throws {
        let payload: String = row["payload"]
        let event = try APICoding.decoder.decode(NotificationEvent.self, from: Data(payload.utf8))
        let state: String = row["state"]
        record = NotificationRecord(
            id: row["id"], eventId: row["event_id"], channel: row["channel"], jobId: row["job_id"], kind: row["kind"],
            state: state, attempts: row["attempts"], createdAt: Date(timeIntervalSince1970: row["created_at"]),
            nextAttemptAt: state == "pending" ? Date(timeIntervalSince1970: row["next_attempt_at"]) : nil,
            deliveredAt: (row["delivered_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
            lastError: row["last_error"], lastStatus: row["last_status"], event: event)
        queuedAt = Date(timeIntervalSince1970: row["queued_at"])
    }
}
