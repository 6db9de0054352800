import ArgumentParser
import CronMetricsCore
import Foundation

/// `cronmetrics import cron-exporter --database OLD.db`: one job file per
/// job of the Go cron-exporter, each keeping its key (as its SHA-256), so
/// that cron hosts keep working; through the same edit path as `job add`.
struct ImportCronExporterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cron-exporter",
        abstract: "Write a job file for each job of a cron-exporter database (its keys kept as hashes).",
        discussion: """
            Reads the database read-only. Jobs whose file exists and says the same are left alone, so running \
            twice changes nothing; a file that differs is a conflict, never overwritten. Rows that cannot be \
            imported are listed with what to do. Exit 1 when any row was refused or conflicted.
            """)

    @Option(help: "The cron-exporter's SQLite database (opened read-only).") var database: String
    @OptionGroup var tree: TreeOptions
    @Flag(help: "Print the plan (files to create, conflicts, refusals); change nothing.") var dryRun = false
    @Flag(help: "Also copy the results into cronmetrics' database (history for the API).") var withHistory = false
    @Option(help: "cronmetrics' SQLite database for --with-history (default: storage.database).") var into: String?
    @Option(help: "cronmetrics' PostgreSQL store for --with-history, postgres://user@host:port/database (default: storage.url).")
    var storageUrl: String?

    func validate() throws {
        if into != nil, storageUrl != nil {
            throw ValidationError("--into and --storage-url name two stores: give one")
        }
    }

    func run() async throws {
        let settings = try tree.settings()
        let root = settings.string(.jobsDir)
        let rows: [CronExporterImport.Row]
        do {
            rows = try CronExporterImport.readJobs(databasePath: database)
        } catch {
            printError("error: \(error)")
            throw ExitCode.failure
        }
        if !dryRun { try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true) }
        let editor = JobEditor.validatingTree(root: root, channels: settings.channelNames)
        let existing = FileManager.default.fileExists(atPath: root) ? try await refusing { () throws(JobEditError) in try editor.jobs() } : [:]
        let plan = CronExporterImport.plan(rows, existing: existing)
        var created: [JobID] = [], unchanged: [JobID] = []
        var conflicts = 0, refused = 0, failed = 0
        print("\(rows.count) job\(rows.count == 1 ? "" : "s") in \(database)\(dryRun ? " (dry run: nothing is written)" : ""):")
        for item in plan {
            switch item.action {
            case let .create(job):
                if dryRun {
                    print("  create    \(job.id).yaml  (\(item.row.described))")
                    created.append(job.id)
                } else {
                    do {
                        let entry = try await editor.create(job)
                        print("  created   \(entry.path)  (\(item.row.described))")
                        created.append(job.id)
                    } catch {
                        print("  failed    \(job.id): \(error)")
                        failed += 1
                    }
                }
            case let .unchanged(id, path):
                print("  same      \(path)  (\(item.row.described)): already imported")
                unchanged.append(id)
            case let .conflict(id, _, reason):
                print("  conflict  \(id)  (\(item.row.described)): \(reason)")
                conflicts += 1
            case let .refused(problems):
                print("  refused   \(item.row.described):")
                for problem in problems { print("              \(problem)") }
                refused += 1
            }
            for note in item.notes { print("              note: \(note)") }
        }
        if withHistory {
            try await copyHistory(for: Set(created + unchanged), settings: settings)
        }
        let verb = dryRun ? "to create" : "created"
        print("\n\(created.count) \(verb), \(unchanged.count) unchanged, \(conflicts) conflict\(conflicts == 1 ? "" : "s"), \(refused) refused"
            + (failed > 0 ? ", \(failed) failed" : ""))
        if !dryRun, !created.isEmpty {
            print("Next: review the files in \(root) (git diff), commit and push; then point the cron hosts at cronmetrics (docs/migrating-from-cron-exporter.md).")
        }
        if conflicts + refused + failed > 0 { throw ExitCode.failure }
    }

    private func copyHistory(for jobs: Set<JobID>, settings: AppConfiguration) async throws {
        let history: (rows: [CronExporterImport.HistoryRow], skipped: Int)
        do {
            history = try CronExporterImport.readHistory(databasePath: database, jobs: jobs)
        } catch {
            printError("error: \(error)")
            throw ExitCode.failure
        }
        let skipped = history.skipped > 0 ? " (\(history.skipped) with an unreadable status or time skipped)" : ""
        guard !dryRun else {
            print("\nhistory: \(history.rows.count) results to copy\(skipped)")
            return
        }
        var flags: [ConfigKey: FlagValue] = [:]
        if let into { (flags[.database], flags[.storageURL]) = (FlagValue(into, flag: "--into"), FlagValue("", flag: "--into")) }
        if let storageUrl { flags[.storageURL] = FlagValue(storageUrl, flag: "--storage-url") }
        // Outputs are redacted and capped as the server does it to a submission.
        let server = try Settings.server(try tree.settings(flags))
        let store = try await Settings.openStore(server.storage)
        do {
            let added = try await store.importHistory(history.rows, storedOutput: server.storedOutput)
            try? await store.close()
            print("\nhistory: \(added) results copied into \(server.storage), \(history.rows.count - added) already there\(skipped)")
        } catch {
            try? await store.close()
            printError("error: \(error)")
            throw ExitCode.failure
        }
    }
}
