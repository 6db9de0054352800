import CronMetricsCore
import Foundation
import Hummingbird
import ServiceLifecycle
import Synchronization

/// Server-Sent Events for the dashboard (`/dashboard/events`): every 250 ms
/// the jobs re-evaluated since the last look (a result, a start, a deadline)
/// are sent as their overview rows, with the counts per state, to every open
/// page. Submissions only insert an id into a set; the rows are formatted
/// and encoded once a tick for all clients, not once per client.
final class DashboardFeed: Sendable {
    private struct Subscribers {
        var next: UInt64 = 0
        var continuations: [UInt64: AsyncStream<ByteBuffer>.Continuation] = [:]
        var finished = false
    }

    private let subscribers = Mutex(Subscribers())
    let state: LiveState
    let now: @Sendable () -> Date

    init(state: LiveState, now: @escaping @Sendable () -> Date) {
        self.state = state
        self.now = now
    }

    var count: Int { subscribers.withLock { $0.continuations.count } }

    /// A new client's stream of events. A slow client loses old events
    /// (it keeps the newest 16), never slows the others down.
    func subscribe() -> (stream: AsyncStream<ByteBuffer>, id: UInt64) {
        let (stream, continuation) = AsyncStream.makeStream(of: ByteBuffer.self, bufferingPolicy: .bufferingNewest(16))
        let id: UInt64? = subscribers.withLock { subscribers in
            guard !subscribers.finished else { return nil }
            subscribers.next += 1
            subscribers.continuations[subscribers.next] = continuation
            return subscribers.next
        }
        guard let id else {
            continuation.finish()
            return (stream, 0)
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.continuations.removeValue(forKey: id) }
        }
        continuation.yield(ByteBuffer(string: "retry: 2000\n: connected\n\n"))
        return (stream, id)
    }

    /// Ends one client's stream.
    func end(_ id: UInt64) {
        subscribers.withLock { $0.continuations.removeValue(forKey: id) }?.finish()
    }

    /// The body of one `/dashboard/events` answer: the client's events until
    /// it goes away or the server shuts down (the server is told first, and
    /// an open stream must not hold its shutdown up).
    func responseBody() -> ResponseBody {
        ResponseBody { writer in
            let (stream, id) = self.subscribe()
            try await withGracefulShutdownHandler {
                for await buffer in stream {
                    try await writer.write(buffer)
                }
            } onGracefulShutdown: {
                self.end(id)
            }
            try await writer.finish(nil)
        }
    }

    /// Sends what changed since the last call (drains the set even with no client).
    func publish() {
        let time = now()
        let changed = state.takeChanged(now: time)
        guard !changed.isEmpty, count > 0 else { return }
        let event = Event(jobs: changed.map { DashboardRow($0, now: time) }, counts: OverviewPage.counts(state.snapshot(now: time), now: time))
        guard let json = try? APICoding.encoder.encode(event) else { return }
        var buffer = ByteBuffer(string: "event: jobs\ndata: ")
        buffer.writeBytes(json)
        buffer.writeString("\n\n")
        broadcast(buffer)
    }

    /// A comment line, so proxies and browsers keep an idle stream open.
    func heartbeat() {
        broadcast(ByteBuffer(string: ": keep-alive\n\n"))
    }

    private func broadcast(_ buffer: ByteBuffer) {
        let targets = subscribers.withLock { Array($0.continuations.values) }
        for continuation in targets { continuation.yield(buffer) }
    }

    /// Ends every stream (shutdown: open event streams must not hold it up).
    func finishAll() {
        let targets = subscribers.withLock { subscribers in
            subscribers.finished = true
            defer { subscribers.continuations = [:] }
            return Array(subscribers.continuations.values)
        }
        for continuation in targets { continuation.finish() }
    }

    struct Event: Encodable {
        var jobs: [DashboardRow]
        var counts: [String: Int]
    }
}

/// Runs the feed's ticks and heartbeats; ends the streams at shutdown.
struct DashboardFeedService: Service {
    let feed: DashboardFeed
    var interval: Duration = .milliseconds(250)
    var heartbeatEvery = 60

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            var ticks = 0
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                feed.publish()
                ticks += 1
                if ticks % heartbeatEvery == 0 { feed.heartbeat() }
            }
        }
        feed.finishAll()
    }
}
