import CronMetricsCore
import Foundation

/// The notifications page's view model: dead and queued messages.
struct NotificationsModel: Sendable {
    struct Section: Sendable {
        var key: String
        var heading: String
        var count: Int
        var items: [Item]
    }

    struct Item: Sendable {
        var id, created, createdTitle, createdText, jobId, jobHref, kind, channel, attempts: String
        var nextAttempt, lastError: String?
        var dead: Bool
    }

    var sections: [Section]
    var hasDead: Bool
    /// Admin sessions see the requeue buttons, with the session's token.
    var admin: Bool
    var csrf, changed, error: String?

    init(pending: [NotificationRecord], dead: [NotificationRecord], now: Date, admin: Bool, csrf: String?) {
        func items(_ records: [NotificationRecord], dead: Bool) -> [Item] {
            records.map { note in
                Item(id: String(note.id), created: RFC3339.format(note.createdAt), createdTitle: TimeWords.absolute(note.createdAt),
                     createdText: TimeWords.relative(note.createdAt, now: now), jobId: note.jobId,
                     jobHref: JobID(note.jobId).map(DashboardRow.href) ?? "/dashboard", kind: note.kind, channel: note.channel,
                     attempts: String(note.attempts), nextAttempt: note.nextAttemptAt.map { TimeWords.relative($0, now: now) },
                     lastError: note.lastError.map { error in note.lastStatus.map { "HTTP \($0): \(error)" } ?? error }, dead: dead)
            }
        }
        sections = [
            Section(key: "dead", heading: "Dead", count: dead.count, items: items(dead, dead: true)),
            Section(key: "queued", heading: "Queued", count: pending.count, items: items(pending, dead: false)),
        ]
        hasDead = !dead.isEmpty
        self.admin = admin
        self.csrf = admin ? csrf : nil
    }
}
