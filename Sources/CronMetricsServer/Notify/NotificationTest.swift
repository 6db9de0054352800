import CronMetricsCore
import Foundation

/// A test event through one channel, timed: what the API and `notify test` share.
enum NotificationTest {
    static func run(_ channel: ChannelDefinition, senders: NotificationSenders, settings: NotificationSettings, now: Date) async -> NotificationTestResult {
        let event = NotificationEvent.test(at: now)
        let start = ContinuousClock.now
        let outcome = await senders.send(event, payload: (try? event.json()) ?? "{}", via: channel, timeout: settings.timeout)
        let elapsed = ContinuousClock.now - start
        return NotificationTestResult(channel: channel.name, outcome: outcome,
                                      seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}
