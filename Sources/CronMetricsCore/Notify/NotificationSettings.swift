import Foundation

/// The notification part of the configuration: the channels, where events go
/// by default, and how deliveries are retried. Reloaded with SIGHUP.
public struct NotificationSettings: Sendable {
    public var channels: [String: ChannelDefinition]
    /// For jobs whose file has no `notify`.
    public var defaultChannels: [String]
    /// Re-send `down` this often while a job stays down; nil: once.
    public var repeatInterval: Double?
    public var retry: RetryPolicy
    /// The whole request (connect, send, answer), and connecting alone.
    public var timeout: Double
    public var connectTimeout: Double
    /// The server's address as people reach it, for links in messages.
    public var externalURL: String?

    public init(channels: [ChannelDefinition] = [], defaultChannels: [String] = [], repeatInterval: Double? = nil,
                retry: RetryPolicy = RetryPolicy(), timeout: Double = 30, connectTimeout: Double = 10, externalURL: String? = nil) {
        self.channels = Dictionary(channels.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.defaultChannels = defaultChannels
        self.repeatInterval = repeatInterval
        self.retry = retry
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.externalURL = externalURL
    }

    /// The channels a job's events go to: its own `notify`, else the
    /// defaults; only configured ones (a reload refuses unknown names, so this
    /// drops nothing that was checked).
    public func channels(for notify: [String]?) -> [String] {
        (notify ?? defaultChannels).filter { channels[$0] != nil }
    }

    /// A job's page on the dashboard, when the external URL is known.
    public func link(for jobID: String) -> String? {
        guard let base = externalURL, !base.isEmpty else { return nil }
        let encoded = jobID.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? jobID
        return (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/dashboard/jobs/" + encoded
    }
}
