import ArgumentParser
import CronMetricsClient
import CronMetricsCore
import CronMetricsServer
import Foundation

/// Where the outbox is: the store named by `--database`, `--storage-url` or
/// the configuration, or a running server's API with an admin key.
struct OutboxOptions: ParsableArguments {
    @Option(help: "The configuration file (default: $CRONMETRICS_CONFIG, else /etc/cronmetrics/config.yaml if it exists): its database and channels.") var config: String?
    @OptionGroup var store: StoreOptions
    @Option(help: "Go through this server's API instead, e.g. http://127.0.0.1:8080.") var server: String?
    @Option(help: "The admin key for --server (default: $CRONMETRICS_ADMIN_KEY).") var adminKey: String?

    /// Who a write on a store this command opened is audited as: the
    /// user who ran it (`local:USER`), with the command line as its route.
    static var localAudit: AuditContext {
        let user = ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.environment["LOGNAME"] ?? "\(getuid())"
        let command = CommandLine.arguments.dropFirst().prefix(2).joined(separator: " ")
        return AuditContext(actor: "local:\(user)", role: "local", route: "cronmetrics \(command)")
    }

    /// Runs `body` on the outbox; a refusal prints its error and exits 1.
    func with<T>(_ body: (any NotificationOutbox) async throws(NotificationActionError) -> T) async throws -> T {
        let outbox: any NotificationOutbox
        var opened: StateStore?
        if let server {
            let key = try serverKey(adminKey, readOnly: false)
            outbox = RemoteNotificationOutbox(client: APIClient(server: server, adminKey: key))
        } else {
            let settings = try Settings.server(try Settings.load(configFile: config, flags: store.flags))
            let database = try await Settings.existingStore(settings.storage)
            opened = database
            let notifications = settings.notifications
            outbox = LocalNotificationOutbox(database: database, settings: { notifications }) { channel, current in
                await NotificationTestSender.send(channel, settings: current)
            }.auditing(Self.localAudit)
        }
        let result: Result<T, NotificationActionError>
        do {
            result = .success(try await body(outbox))
        } catch {
            result = .failure(error)
        }
        try? await opened?.close()
        switch result {
        case let .success(value):
            return value
        case let .failure(error):
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
