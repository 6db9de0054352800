import CronMetricsCore
import Foundation

/// A test message through a channel from outside a running server (`cronmetrics
/// notify test` on a local configuration): the server's own senders.
public enum NotificationTestSender {
    public static func send(_ channel: ChannelDefinition, settings: NotificationSettings) async -> NotificationTestResult {
        // Outside a server: the real clock.
        await NotificationTest.run(channel, senders: NotificationSenders(connectTimeout: settings.connectTimeout, now: Date.init),
                                   settings: settings, now: Date())
    }
}
