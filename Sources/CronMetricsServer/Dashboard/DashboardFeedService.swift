import Foundation
import ServiceLifecycle

/// Runs the feed's ticks and heartbeats; ends the streams at shutdown.
struct DashboardFeedService: NamedService {
    let feed: DashboardFeed
    var interval: Duration = .milliseconds(250)
    var heartbeatEvery = 60
    var sweepEvery = 4

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            var ticks = 0
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                feed.publish()
                ticks += 1
                if ticks % heartbeatEvery == 0 {
                    feed.heartbeat()
                } else if ticks % sweepEvery == 0 {
                    feed.sweep()
                }
            }
        }
        feed.finishAll()
    }
}
