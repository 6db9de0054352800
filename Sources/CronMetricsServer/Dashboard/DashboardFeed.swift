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
///
/// Streams are capped per session and in all (``StreamLimits``), so open
/// pages can never take the connections submissions, pings and `/metrics`
/// need; and each stream's session is checked again with every batch and
/// heartbeat, so a sign-out, an expired session or a key taken out of the
/// configuration ends it.
final class DashboardFeed: Sendable {
    private struct Subscriber {
        var continuation: AsyncStream<ByteBuffer>.Continuation
        /// The job ids the page shows; nil: every job.
        var jobs: Set<String>?
        /// The session's nonce: streams are counted per session by it.
        var session: String
        /// Whether the session still holds (checked before each batch).
        var valid: @Sendable () -> Bool
    }

    /// How many streams may be open.
    struct StreamLimits: Sendable {
        var total: Int
        var perSession: Int
    }

    /// A stream, or why there is none.
    enum Subscription {
        case stream(AsyncStream<ByteBuffer>, id: UInt64)
        /// This session has `perSession` streams open (429).
        case sessionFull
        /// `total` streams are open (503).
        case serverFull
        /// The server is shutting down.
        case closed
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
    let limits: StreamLimits
    let now: @Sendable () -> Date

    init(state: LiveState, limits: StreamLimits = StreamLimits(total: 1024, perSession: 8), now: @escaping @Sendable () -> Date) {
        self.state = state
        self.limits = limits
        self.now = now
    }

    var count: Int { subscribers.withLock { $0.all.count } }

    /// A new client's stream of events, if the caps allow one. A slow client
    /// loses old events (it keeps the newest 16), never slows the others down.
    ///
    /// - Parameters:
    ///   - jobs: the ids the page shows; nil: every job.
    ///   - session: the session's nonce, for the per-session cap.
    ///   - valid: whether the session still holds; checked before each batch.
    func subscribe(jobs: Set<String>? = nil, session: String = "", valid: @escaping @Sendable () -> Bool = { true }) -> Subscription {
        let (stream, continuation) = AsyncStream.makeStream(of: ByteBuffer.self, bufferingPolicy: .bufferingNewest(16))
        let outcome: Subscription = subscribers.withLock { subscribers in
            guard !subscribers.finished else { return .closed }
            guard subscribers.all.count < limits.total else { return .serverFull }
            guard subscribers.all.values.count(where: { $0.session == session }) < limits.perSession else { return .sessionFull }
            subscribers.next += 1
            subscribers.all[subscribers.next] = Subscriber(continuation: continuation, jobs: jobs, session: session, valid: valid)
            return .stream(stream, id: subscribers.next)
        }
        guard case let .stream(_, id) = outcome else {
            continuation.finish()
            return outcome
        }
        // Also when the stream is dropped unread (the client left before
        // its body was written): the place is given back.
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.all.removeValue(forKey: id) }
        }
        continuation.yield(ByteBuffer(string: "retry: 2000\n: connected\n\n"))
        return outcome
    }

    /// Ends one client's stream.
    func end(_ id: UInt64) {
        subscribers.withLock { $0.all.removeValue(forKey: id) }?.continuation.finish()
    }

    /// The body of one `/dashboard/events` answer: the client's events until
    /// it goes away, its session ends, or the server shuts down (the server
    /// is told first, and an open stream must not hold its shutdown up).
    func responseBody(_ stream: AsyncStream<ByteBuffer>, id: UInt64) -> ResponseBody {
        ResponseBody { writer in
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

    /// The clients whose session still holds; the others' streams end here.
    private func currentTargets() -> [Subscriber] {
        let all = subscribers.withLock { Array($0.all) }
        var targets: [Subscriber] = []
        for (id, subscriber) in all {
            if subscriber.valid() {
                targets.append(subscriber)
            } else {
                end(id)
            }
        }
        return targets
    }

    /// Sends what changed since the last call (drains the set even with no client).
    func publish() {
        let time = now()
        let changed = state.takeChanged(now: time)
        let targets = changed.isEmpty ? [] : currentTargets()
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
        let counts = OverviewModel.counts(state, now: time)
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
        let targets = currentTargets()
        let buffer = ByteBuffer(string: ": keep-alive\n\n")
        for target in targets { target.continuation.yield(buffer) }
    }

    /// Ends the streams whose session no longer holds, with no batch to send:
    /// an idle page's stream ends within a second of a sign-out too.
    func sweep() {
        _ = currentTargets()
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
