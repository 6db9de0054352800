import Foundation
import Logging
import ServiceLifecycle

/// Reloads `jobs.d` when its files change: inotify when the kernel offers it
/// and `jobs.watch` is `inotify`, otherwise a poll of the tree's stamps every
/// `jobs.poll_interval_seconds` (cheap: unchanged files are not read).
struct WatchService: Service {
    let runtime: ServerRuntime
    let logger: Logger

    func run() async throws {
        let root = runtime.configuration.jobsDirectory
        let pollInterval = runtime.configuration.pollInterval
        let watcher = runtime.configuration.pollJobsDirectory ? nil : TreeWatcher(root: root)
        guard let watcher else {
            if runtime.configuration.pollJobsDirectory {
                logger.info("polling jobs directory", metadata: ["path": .string(root), "interval": "\(pollInterval)"])
            } else {
                logger.warning("inotify is unavailable; polling jobs directory", metadata: ["interval": "\(pollInterval)"])
            }
            try? await cancelWhenGracefulShutdown {
                while !Task.isCancelled {
                    try await Task.sleep(for: pollInterval)
                    await runtime.reload()
                }
            }
            return
        }
        logger.info("watching jobs directory", metadata: ["path": .string(root)])
        await withGracefulShutdownHandler {
            for await _ in watcher.changes {
                await runtime.reload()
            }
        } onGracefulShutdown: {
            watcher.stop()
        }
    }
}
