import Foundation

/// One outbox row (an event for one channel) as the API shows it.
public struct NotificationRecord: Codable, Sendable, Hashable {
    public var id: Int64
    /// Shared by the rows of one event (one per channel); sent as `X-Cronmetrics-Event-Id`.
    public var eventId: String
    public var channel: String
    public var jobId: String
    public var kind: String
    /// `pending`, `sending`, `delivered` or `dead`.
    public var state: String
    public var attempts: Int
    public var createdAt: Date
    public var nextAttemptAt: Date?
    public var deliveredAt: Date?
    /// Why the last try failed (for a dead letter: why it was given up).
    public var lastError: String?
    /// The receiver's HTTP status (or SMTP reply code) of the last try.
    public var lastStatus: Int?
    /// The event as every channel is told it.
    public var event: NotificationEvent

    public init(id: Int64, eventId: String, channel: String, jobId: String, kind: String, state: String, attempts: Int,
                createdAt: Date, nextAttemptAt: Date?, deliveredAt: Date?, lastError: String?, lastStatus: Int?,
                event: NotificationEvent) {
        self.id = id
        self.eventId = eventId
        self.channel = channel
        self.jobId = jobId
        self.kind = kind
        self.state = state
        self.attempts = attempts
        self.createdAt = createdAt
        self.nextAttemptAt = nextAttemptAt
        self.deliveredAt = deliveredAt
        self.lastError = lastError
        self.lastStatus = lastStatus
        self.event = event
    }
}

/// A page of notifications, newest first.
public struct NotificationPage: Codable, Sendable {
    public var notifications: [NotificationRecord]
    /// Pass as `before` for the next page; nil on the last one.
    public var nextBefore: Int64?

    public init(notifications: [NotificationRecord], nextBefore: Int64?) {
        self.notifications = notifications
        self.nextBefore = nextBefore
    }
}
