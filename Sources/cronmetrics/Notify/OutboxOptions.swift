import ArgumentParser
import CronMetricsClient
import CronMetricsCore
import CronMetricsServer
import Foundation

/// Where the outbox is: the database file named by `--database` or the
/// configuration, or a running server's API with an admin key.
struct OutboxOptions: ParsableArguments {
    @Option(help: "The configuration file (default: $CRONMETRICS_CONFIG, else /etc/cronmetrics/config.yaml if it exists): its database and channels.") var config: String?
    @Option(help: "The SQLite database file (default: storage.database).") var database: String?
    @Option(help: "Go through this server's API instead, e.g. http://127.0.0.1:8080.") var server: String?
    @Option(help: "The admin key for --server (default: $CRONMETRICS_ADMIN_KEY).") var adminKey: String?

    /// Runs `body` on the outbox; a refusal prints its error and exits 1.
    func with<T>(_ body: (any NotificationOutbox) async throws(NotificationActionError) -> T) async throws -> T {
        let outbox: any NotificationOutbox
        var opened: AppDatabase?
        if let server {
            guard let key = adminKey ?? ProcessInfo.processInfo.environment["CRONMETRICS_ADMIN_KEY"], !key.isEmpty else {
                throw ValidationError("--server needs an admin key: --admin-key or CRONMETRICS_ADMIN_KEY")
            }
            outbox = RemoteNotificationOutbox(client: APIClient(server: server, adminKey: key))
        } else {
            let flags = database.map { [ConfigKey.database: FlagValue($0, flag: "--database")] } ?? [:]
            let settings = try Settings.server(try Settings.load(configFile: config, flags: flags))
            let store = try Settings.existingDatabase(settings.databasePath)
            opened = store
            let notifications = settings.notifications
            outbox = LocalNotificationOutbox(database: store, settings: { notifications }) { channel, current in
                await NotificationTestSender.send(channel, settings: current)
            }
        }
        defer { try? opened?.close() }
        do {
            return try await body(outbox)
        } catch {
            printError("error: \(error)")
            throw ExitCode.failure
        }
    }
}

/// `--channel` and `--job`, what bulk actions and the list filter by.
struct OutboxFilterOptions: ParsableArguments {
    @Option(help: "Only notifications for this channel.") var channel: String?
    @Option(help: "Only notifications about this job (job_name@host).") var job: String?
}
