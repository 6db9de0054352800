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
            It copies a consistent snapshot of the file (taken at the start, in the \
            temporary directory), so the server may keep running. Idempotent and \
            resumable: every row is written by its primary key and only when the target \
            lacks it or holds it differently, so a second run writes nothing, a copy that \
            stopped is finished by running it again, and a run after the server stopped \
            brings what it changed since. Run it once while the server still runs, \
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
        // A server may still be writing: copy one consistent snapshot of the
        // file (VACUUM INTO), taken now, not tables read at different times.
        // In a folder only this user can read: the snapshot holds every output.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cronmetrics-migrate-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let snapshot = "\(folder)/snapshot.db"
        let live = try await Settings.existingStore(source)
        let takenAt = Date()
        do {
            guard let driver = live.driver as? SQLiteDriver else { throw StoreError.migration("the source is not SQLite") }
            try await driver.snapshot(to: snapshot)
            try? await live.close()
        } catch {
            try? await live.close()
            printError("error: cannot snapshot \(source): \(error)")
            throw ExitCode.failure
        }
        let from = try await Settings.openStore(.sqlite(path: snapshot))
        let into: StateStore
        do {
            into = try await Settings.openStore(target)
        } catch {
            try? await from.close()
            throw error
        }
        print("Copying a snapshot of \(source) taken at \(RFC3339.format(takenAt)) into \(target)")
        do {
            let copies = try await from.copy(into: into) { copy in
                print("  \(copy.table): \(copy.read) read, \(copy.written) written (new or changed); the target has \(copy.target)")
            }
            let written = copies.reduce(0) { $0 + $1.written }
            print("Done: \(written) row\(written == 1 ? "" : "s") written. Run it again after stopping the server to copy what changed since.")
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
