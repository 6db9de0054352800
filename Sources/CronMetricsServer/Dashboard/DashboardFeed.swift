import CronMetricsCore
import Foundation
import Hummingbird
import ServiceLifecycle
import Synchronization

/// Server-Sent Events for the dashboard (`/dashboard/events?jobs=ID,ID…`):
/// every 250 ms the jobs re-evaluated since the last look (a result, a
/// start, a deadline) are sent to the pages that show them, with the counts
/// per state when those changed. A page names the jobs it shows (the 50 rows
/// of an overview page, or one job); a submission only inserts an id into a
/// set, each changed row is formatted and encoded once a tick, and a page
/// gets only its own rows, so a busy server does not stream every job to
/// every open page.
final class DashboardFeed: Sendable {
    private struct Subscriber {
        var continuation: AsyncStream<ByteBuffer>.Continuation
        /// The job ids the page shows; nil: every job.
        var jobs: Set<String>?
    }

    private struct Subscribers {
        var next: UInt64 = 0
        var all: [UInt64: Subscriber] = [:]
        var finished = false
        var lastCounts: [String: Int] = [:]
    }

    /// At most this many ids a page (a long query string is cut there).
    static let maxJobs = 200

    private let subscribers = Mutex(Subscribers())
    let state: LiveState
    let now: @Sendable () -> Date

    init(state: LiveState, now: @escaping @Sendable () -> Date) {
        self.state = state
        self.now = now
    }

    var count: Int { subscribers.withLock { $0.all.count } }

    /// A new client's stream of events. A slow client loses old events
    /// (it keeps the newest 16), never slows the others down.
    func subscribe(jobs: Set<String>? = nil) -> (stream: AsyncStream<ByteBuffer>, id: UInt64) {
        let (stream, continuation) = AsyncStream.makeStream(of: ByteBuffer.self, bufferingPolicy: .bufferingNewest(16))
        let id: UInt64? = subscribers.withLock { subscribers in
            guard !subscribers.finished else { return nil }
            subscribers.next += 1
            subscribers.all[subscribers.next] = Subscriber(continuation: continuation, jobs: jobs)
            return subscribers.next
        }
        guard let id else {
            continuation.finish()
            return (stream, 0)
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.all.removeValue(forKey: id) }
        }
        continuation.yield(ByteBuffer(string: "retry: 2000\n: connected\n\n"))
        return (stream, id)
    }

    /// Ends one client's stream.
    func end(_ id: UInt64) {
        subscribers.withLock { $0.all.removeValue(forKey: id) }?.continuation.finish()
    }

    /// The body of one `/dashboard/events` answer: the client's events until
    /// it goes away or the server shuts down (the server is told first, and
    /// an open stream must not hold its shutdown up).
    func responseBody(jobs: Set<String>?) -> ResponseBody {
        ResponseBody { writer in
            let (stream, id) = self.subscribe(jobs: jobs)
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
        let targets = subscribers.withLock { Array($0.all.values) }
        guard !changed.isEmpty, !targets.isEmpty else { return }
        // Only rows some page shows are formatted, each once.
        var wanted: Set<String>? = []
        for target in targets {
            guard let jobs = target.jobs else { wanted = nil; break }
            wanted?.formUnion(jobs)
        }
        var rows: [String: [UInt8]] = [:]
        for snapshot in changed {
            let id = snapshot.job.id.description
            guard wanted?.contains(id) ?? true, let json = try? APICoding.encoder.encode(DashboardRow(snapshot, now: time).update) else { continue }
            rows[id] = Array(json)
        }
        let counts = OverviewPage.counts(state, now: time)
        let countsChanged = subscribers.withLock { subscribers in
            defer { subscribers.lastCounts = counts }
            return subscribers.lastCounts != counts
        }
        let countsJSON = (try? APICoding.encoder.encode(counts)).map(Array.init) ?? Array("{}".utf8)
        for target in targets {
            let mine = (target.jobs.map { $0.filter { rows[$0] != nil } } ?? Array(rows.keys)).sorted()
            guard !mine.isEmpty || countsChanged else { continue }
            var buffer = ByteBuffer(string: "event: jobs\ndata: {\"counts\":")
            buffer.writeBytes(countsJSON)
            buffer.writeString(",\"jobs\":[")
            for (index, key) in mine.enumerated() {
                if index > 0 { buffer.writeString(",") }
                buffer.writeBytes(rows[key]!)
            }
            buffer.writeString("]}\n\n")
            target.continuation.yield(buffer)
        }
    }

    /// A comment line, so proxies and browsers keep an idle stream open.
    func heartbeat() {
        let targets = subscribers.withLock { Array($0.all.values) }
        let buffer = ByteBuffer(string: ": keep-alive\n\n")
        for target in targets { target.continuation.yield(buffer) }
    }

    /// Ends every stream (shutdown: open event streams must not hold it up).
    func finishAll() {
        let targets = subscribers.withLock { subscribers in
            subscribers.finished = true
            defer { subscribers.all = [:] }
            return Array(subscribers.all.values)
        }
        for target in targets { target.continuation.finish() }
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
