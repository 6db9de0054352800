import CronMetricsCore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Re-reads jobs' stored state into the live state: jobs other replicas
/// changed (their ids come by NOTIFY), jobs whose state this server found a
/// version behind, and every job after the notification connection was made
/// again (a full resync: notifications sent while it was down are lost).
///
/// Requests made while a read runs are gathered into the next one, so a
/// burst of notifications costs one read per round, not one per job.
final class StateRefresher: Sendable {
    private struct Requests {
        var ids: Set<JobID> = []
        var all = false
    }

    private let requests = Mutex(Requests())
    private let wake: AsyncStream<Void>.Continuation
    private let woken: AsyncStream<Void>
    private let database: StateStore
    private let state: LiveState
    private let now: @Sendable () -> Date
    private let logger: Logger
    private let rounds = Atomic<Int>(0)
    /// Set by ``finish()``: a drain that is failing stops retrying.
    private let finished = Atomic<Bool>(false)

    init(database: StateStore, state: LiveState, now: @escaping @Sendable () -> Date, logger: Logger) {
        (woken, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.database = database
        self.state = state
        self.now = now
        self.logger = logger
    }

    /// Re-reads these jobs soon.
    func refresh(_ ids: some Sequence<JobID>) {
        let added = requests.withLock { requests in
            let before = requests.ids.count
            requests.ids.formUnion(ids)
            return requests.ids.count > before
        }
        if added { wake.yield() }
    }

    /// Re-reads every job soon.
    func refreshAll() {
        requests.withLock { $0.all = true }
        wake.yield()
    }

    /// Rounds of reading done (tests wait on it).
    var roundsDone: Int { rounds.load(ordering: .relaxed) }

    /// Serves requests until the stream ends or the task is cancelled. A read
    /// that fails is asked again on the next request (and a failed full
    /// resync is retried after a second).
    func run() async {
        for await _ in woken {
            await drain()
        }
    }

    /// Stops ``run()``.
    func finish() {
        finished.store(true, ordering: .releasing)
        wake.finish()
    }

    private func drain() async {
        while true {
            let taken = requests.withLock { requests -> Requests in
                defer { requests = Requests() }
                return requests
            }
            guard taken.all || !taken.ids.isEmpty else { return }
            do {
                let states = taken.all ? try await database.fetchStates() : try await database.fetchStates(ids: taken.ids.sorted())
                let applied = state.applyStored(states, now: now())
                if taken.all { logger.info("live state resynchronised from the store", metadata: ["jobs_updated": "\(applied)"]) }
                rounds.add(1, ordering: .relaxed)
            } catch {
                logger.warning("could not re-read job state; retrying", metadata: ["error": .string("\(error)")])
                requests.withLock { requests in
                    requests.all = requests.all || taken.all
                    requests.ids.formUnion(taken.ids)
                }
                // Shutting down (the store may be closed already): no retry, or
                // this would spin, failing at once, for ever.
                guard !finished.load(ordering: .acquiring) else { return }
                do {
                    try await Task.sleep(for: .seconds(1))
                } catch {
                    return
                }
            }
        }
    }
}

/// Runs a ``StateRefresher`` for the server's lifetime.
struct StateRefresherService: NamedService {
    let refresher: StateRefresher

    func run() async throws {
        await withGracefulShutdownHandler {
            await refresher.run()
        } onGracefulShutdown: {
            refresher.finish()
        }
    }
}
