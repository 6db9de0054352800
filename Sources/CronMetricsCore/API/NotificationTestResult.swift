/// The outcome of `POST /api/notifications/test` (and `notify test`).
public struct NotificationTestResult: Codable, Sendable {
    public var channel: String
    /// `delivered` or `failed`.
    public var outcome: String
    /// The receiver's HTTP status or SMTP reply code, when there was one.
    public var status: Int?
    public var error: String?
    public var seconds: Double

    public init(channel: String, outcome: DeliveryOutcome, seconds: Double) {
        self.channel = channel
        self.seconds = seconds
        switch outcome {
        case let .delivered(status):
            self.outcome = "delivered"
            self.status = status
        case let .retry(status, error, _), let .permanent(status, error):
            self.outcome = "failed"
            self.status = status
            self.error = error
        }
    }
}

/// How many notifications a bulk action took.
public struct NotificationCount: Codable, Sendable {
    public var count: Int

    public init(count: Int) {
        self.count = count
    }
}
