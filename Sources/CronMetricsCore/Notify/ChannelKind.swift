/// What a notification channel talks to.
public enum ChannelKind: String, Sendable, CaseIterable, Codable {
    /// Any HTTP endpoint: the event as JSON, or a Mustache body of your own.
    case webhook
    /// A Slack incoming webhook.
    case slack
    /// SMTP.
    case email
    /// PagerDuty Events v2: `down` triggers, `up` resolves (dedup key: the job id).
    case pagerduty
}
