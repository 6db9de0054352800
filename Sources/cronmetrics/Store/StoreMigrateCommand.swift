import ArgumentParser
import CronMetricsCore
import Foundation

/// `cronmetrics store migrate --from cronmetrics.db --to postgres://…`:
/// copies a SQLite site's state, history, runs and outbox into PostgreSQL.
struct StoreMigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Copy state, history, runs and the outbox from a SQLite database into PostgreSQL.",
        discussion: """
            Idempotent and resumable: every row is written by its primary key, so a copy \
            that stopped is finished by running it again, and a second run brings rows \
            the server changed since up to date. Run it once while the server still runs, \
            stop the server, run it again, then start the server with storage.url. \
            The password and TLS settings come from the configuration \
            (storage.password_file or storage.password_env, storage.tls.*).
            """)

    @Option(help: "The configuration file (default: $CRONMETRICS_CONFIG, else /etc/cronmetrics/config.yaml if it exists).") var config: String?
    @Option(help: "The SQLite database to copy (default: storage.database).") var from: String?
    @Option(help: "The PostgreSQL store to copy into, postgres://user@host:port/database (default: storage.url).") var to: String?

    func run() async throws {
        var flags: [ConfigKey: FlagValue] = [:]
        if let from { flags[.database] = FlagValue(from, flag: "--from") }
        if let to { flags[.storageURL] = FlagValue(to, flag: "--to") }
        let settings = try Settings.load(configFile: config, flags: flags)
        let target = try Settings.server(settings).storage
        guard case .postgres = target else {
            throw ValidationError("--to (or storage.url) must name the PostgreSQL store to copy into")
        }
        let source = StorageLocation.sqlite(path: settings.string(.database))
        let from = try await Settings.existingStore(source)
        let into: StateStore
        do {
            into = try await Settings.openStore(target)
        } catch {
            try? await from.close()
            throw error
        }
        print("Copying \(source) into \(target)")
        do {
            let copies = try await from.copy(into: into) { copy in
                print("  \(copy.table): \(copy.copied) row\(copy.copied == 1 ? "" : "s") copied; the target has \(copy.target)")
            }
            let total = copies.reduce(0) { $0 + $1.copied }
            print("Done: \(total) row\(total == 1 ? "" : "s") in \(copies.count) tables. Run it again after stopping the server to copy what changed since.")
        } catch {
            try? await from.close()
            try? await into.close()
            printError("error: \(error) (nothing is lost: run it again to resume)")
            throw ExitCode.failure
        }
        try? await from.close()
        try? await into.close()
    }
}
