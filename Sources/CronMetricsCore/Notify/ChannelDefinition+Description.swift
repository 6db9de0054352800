/// Descriptions that never print a secret: a channel's definition and its
/// parts may be interpolated into a log line (by us, or by a library that
/// logs what it is given), and their default descriptions print every
/// stored property: URLs with tokens, HMAC secrets, passwords, routing keys.
extension ChannelDefinition: CustomStringConvertible {
    public var description: String { "\(name): \(summary)" }
}

extension ChannelDefinition.Target: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .webhook(hook): "webhook \(hook)"
        case let .slack(url): "slack \(ChannelDefinition.masked(url))"
        case let .email(mail): "email \(mail)"
        case let .pagerduty(pager): "pagerduty \(pager)"
        }
    }
}

extension ChannelDefinition.Webhook: CustomStringConvertible {
    public var description: String {
        let names = headers.map(\.name).joined(separator: ", ")
        return "\(method) \(ChannelDefinition.masked(url))" + (names.isEmpty ? "" : " headers: \(names)") + (secret == nil ? "" : " (signed)")
    }
}

extension ChannelDefinition.Email: CustomStringConvertible {
    public var description: String {
        "smtp://\(host):\(port) (\(security.rawValue))" + (password == nil ? "" : " with a password")
    }
}

extension ChannelDefinition.PagerDuty: CustomStringConvertible {
    public var description: String { "\(ChannelDefinition.masked(url)) (routing key masked)" }
}

extension NotificationSettings: CustomStringConvertible {
    public var description: String {
        "NotificationSettings(channels: \(channels.values.sorted { $0.name < $1.name }.map(\.description)), default: \(defaultChannels))"
    }
}
