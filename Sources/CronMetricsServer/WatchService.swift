import Foundation
import Logging
import ServiceLifecycle

/// Reloads `jobs.d` when its files change: inotify when the kernel offers it,
/// otherwise a poll of the tree's stamps (cheap: unchanged files are not read).
struct WatchService: Service {
    let runtime: ServerRuntime
    let logger: Logger
    var pollInterval: Duration = .seconds(2)

    func run() async throws {
        let root = runtime.configuration.jobsDirectory
        guard let watcher = TreeWatcher(root: root) else {
            logger.warning("inotify is unavailable; polling jobs directory", metadata: ["interval": "\(pollInterval)"])
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
