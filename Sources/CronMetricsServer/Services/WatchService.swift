import Foundation
import Logging
import ServiceLifecycle

/// Reloads `jobs.d` when its files change: inotify when the kernel offers it
/// and `jobs.watch` is `inotify`; a poll of the tree's stamps every
/// `jobs.poll_interval_seconds` with `jobs.watch: poll`, or when watching is
/// impossible (cheap: unchanged files are not read); nothing with `off`.
/// Either way a reload waits while git rewrites the work tree.
struct WatchService: NamedService {
    let registry: JobRegistry
    let watch: JobsWatch
    let logger: Logger

    func run() async throws {
        let root = watch.root, pollInterval = watch.pollInterval
        switch watch.mode {
        case .off:
            logger.info("not watching jobs directory (jobs.watch: off); reload with SIGHUP or POST /-/reload")
            try? await gracefulShutdown()
        case .poll:
            logger.info("polling jobs directory", metadata: ["path": .string(root), "interval": "\(pollInterval)"])
            await poll()
        case .inotify:
            let watcher: TreeWatcher
            do {
                watcher = try TreeWatcher(root: root)
            } catch {
                logger.error("cannot watch jobs directory; polling instead", metadata: ["reason": .string(error.description), "interval": "\(pollInterval)"])
                await poll()
                return
            }
            logger.info("watching jobs directory", metadata: ["path": .string(root)])
            let fallBack = await withGracefulShutdownHandler {
                for await event in watcher.events {
                    switch event {
                    case .changed:
                        await reload()
                    case let .notice(text):
                        logger.warning("\(text)")
                    case let .unavailable(reason):
                        logger.error("cannot watch jobs directory any more; polling instead", metadata: ["reason": .string(reason), "interval": "\(pollInterval)"])
                        return true
                    }
                }
                return false
            } onGracefulShutdown: {
                watcher.stop()
            }
            if fallBack {
                await reload()  // changes made while the watch broke down
                await poll()
            }
        }
    }

    private func poll() async {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: watch.pollInterval)
                await reload()
            }
        }
    }

    private func reload() async {
        if let lock = GitLock(containing: watch.root), await lock.waitUntilReleased() {
            logger.debug("waited for git to finish before reloading", metadata: ["lock": .string(lock.path)])
        }
        await registry.reload(route: "watch")
    }
}
