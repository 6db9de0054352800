import CronMetricsCore
import CronMetricsTestSupport
import Foundation
import Testing

@Suite("HTTPS, config show and purge")
struct TLSAndConfigTests {
    /// Runs a program to completion; returns its exit status and output.
    @discardableResult
    static func shell(_ arguments: [String], in directory: String) throws -> (Int32, String) {
        let process = TestProcess()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardInput = FileHandle.nullDevice
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Runs a program every 100 ms until it exits 0 (10 s at most); its last outcome.
    static func retrying(_ arguments: [String], in directory: String) async throws -> (Int32, String) {
        var outcome = try shell(arguments, in: directory)
        for _ in 0..<100 where outcome.0 != 0 {
            try await Task.sleep(for: .milliseconds(100))
            outcome = try shell(arguments, in: directory)
        }
        return outcome
    }

    @Test("an HTTPS round trip with a self-signed certificate made here; a mismatched key is refused at start")
    func https() async throws {
        let tree = try TempDir()
        try tree.write("jobs.d/a@h.yaml", "version: 1\njob_name: a\nhost: h\nautomatic_failure_threshold: 60\n")
        let made = try Self.shell(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.pem",
                                   "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1"], in: tree.path)
        #expect(made.0 == 0, "\(made.1)")
        try Self.shell(["openssl", "genrsa", "-out", "other.pem", "2048"], in: tree.path)
        let port = ServerProcess.freePort()
        try tree.write("cronmetrics.yaml", """
            server:
              listen: 127.0.0.1:\(port)
              tls:
                cert_file: \(tree.path)/cert.pem
                key_file: \(tree.path)/key.pem
            jobs:
              dir: \(tree.path)/jobs.d
            storage:
              database: \(tree.path)/cm.db
            """)
        let server = TestProcess()
        server.executableURL = URL(fileURLWithPath: CLIRunner.binary)
        server.arguments = ["serve", "--config", "\(tree.path)/cronmetrics.yaml"]
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        let answer = try await Self.retrying(["curl", "-sS", "--cacert", "cert.pem", "https://127.0.0.1:\(port)/health"], in: tree.path)
        #expect(answer.0 == 0, "\(answer.1)")
        #expect(answer.1 == "ok\n")
        // TLS 1.2 at least: a client offering only 1.1 (allowed on its side by
        // SECLEVEL=0) is refused; 1.2 and 1.3 connect.
        let old = try Self.shell(["openssl", "s_client", "-connect", "127.0.0.1:\(port)", "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"], in: tree.path)
        #expect(old.0 != 0, "TLS 1.1 was accepted: \(old.1.suffix(300))")
        for version in ["-tls1_2", "-tls1_3"] {
            let modern = try Self.shell(["openssl", "s_client", "-connect", "127.0.0.1:\(port)", version], in: tree.path)
            #expect(modern.0 == 0, "\(version) refused: \(modern.1.suffix(300))")
        }
        let plain = try Self.shell(["curl", "-sS", "--max-time", "3", "http://127.0.0.1:\(port)/health"], in: tree.path)
        #expect(!plain.1.hasPrefix("ok"))

        // A renewed certificate in the same files, then SIGHUP: new connections get it.
        try FileManager.default.createDirectory(atPath: "\(tree.path)/renewed", withIntermediateDirectories: true)
        #expect(try Self.shell(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "renewed/key.pem", "-out", "renewed/cert.pem",
                                "-days", "1", "-subj", "/CN=renewed", "-addext", "subjectAltName=IP:127.0.0.1"], in: tree.path).0 == 0)
        try FileManager.default.removeItem(atPath: "\(tree.path)/cert.pem")
        try FileManager.default.removeItem(atPath: "\(tree.path)/key.pem")
        try FileManager.default.copyItem(atPath: "\(tree.path)/renewed/cert.pem", toPath: "\(tree.path)/cert.pem")
        try FileManager.default.copyItem(atPath: "\(tree.path)/renewed/key.pem", toPath: "\(tree.path)/key.pem")
        kill(server.processIdentifier, SIGHUP)
        let renewed = try await Self.retrying(["curl", "-sS", "--cacert", "renewed/cert.pem", "https://127.0.0.1:\(port)/health"], in: tree.path)
        #expect(renewed.0 == 0, "the renewed certificate is served after SIGHUP: \(renewed.1)")

        let mismatched = try CLIRunner.run(["serve", "--config", "\(tree.path)/cronmetrics.yaml", "--listen", "127.0.0.1:\(port + 1)"],
                                           environment: ["CRONMETRICS_SERVER_TLS_KEY_FILE": "\(tree.path)/other.pem"])
        #expect(mismatched.status == 1)
        #expect(mismatched.stderr.contains("is not the private key of the certificate"))
    }

    @Test("config show masks admin keys and names each source; config validate points at file:line")
    func configShow() throws {
        let tree = try TempDir()
        try tree.write("cronmetrics.yaml", "security:\n  admin_api_keys: [super-secret-key]\nretention:\n  days: 7\n")
        let shown = try CLIRunner.run(["config", "show", "--config", "\(tree.path)/cronmetrics.yaml", "--listen", "0.0.0.0:9999"],
                                      environment: ["CRONMETRICS_RETENTION_KEEP_LAST": "3"])
        #expect(shown.status == 0)
        #expect(!shown.stdout.contains("super-secret-key"))
        #expect(shown.stdout.contains("1 value(s), masked"))
        #expect(shown.stdout.contains("\(tree.path)/cronmetrics.yaml:4:3"))
        #expect(shown.stdout.contains("env CRONMETRICS_RETENTION_KEEP_LAST"))
        #expect(shown.stdout.contains("flag --listen"))
        try tree.write("bad.yaml", "retention:\n  dayz: 7\n")
        let invalid = try CLIRunner.run(["config", "validate", "\(tree.path)/bad.yaml"])
        #expect(invalid.status == 1)
        #expect(invalid.stderr.contains("\(tree.path)/bad.yaml:2:3: unknown key 'retention.dayz'"))
    }

    @Test("storage settings: shown with their sources, every problem listed with its place, a password never in the URL nor printed")
    func storageSettings() throws {
        let tree = try TempDir()
        try tree.write("bad.yaml", """
            storage:
              url: postgres://ops:hunter2@db.internal:5432/cronmetrics
              password_file: /no/such/file
              password_env: PGPW
              tls:
                mode: require
                ca_file: /no/such/ca.pem

            """)
        let invalid = try CLIRunner.run(["config", "validate", "\(tree.path)/bad.yaml"])
        #expect(invalid.status == 1)
        #expect(invalid.stderr.contains("storage.url must not contain a password: put it in a file named by storage.password_file, "
            + "or in an environment variable named by storage.password_env (from \(tree.path)/bad.yaml:2:3)"), "\(invalid.stderr)")
        #expect(invalid.stderr.contains("storage.password_file and storage.password_env both name a password: give one"))
        #expect(invalid.stderr.contains("storage.tls.ca_file is only used with storage.tls.mode: verify-full (the mode is require)"))
        #expect(invalid.stderr.contains("storage.tls.ca_file: cannot read /no/such/ca.pem (from \(tree.path)/bad.yaml:7:5)"))
        #expect(!(invalid.stdout + invalid.stderr).contains("hunter2"), "the password is never echoed")
        try tree.write("options.yaml", "storage:\n  url: postgres://ops@db.internal/cronmetrics?sslmode=disable\n")
        let options = try CLIRunner.run(["config", "validate", "\(tree.path)/options.yaml"])
        #expect(options.status == 1)
        #expect(options.stderr.contains("storage.url takes no options after the database"))

        try tree.write("good.yaml", """
            storage:
              url: postgres://ops@db.internal:5432/cronmetrics
              password_env: PGPW
            database:
              max_open_conns: 25

            """)
        #expect(try CLIRunner.run(["config", "validate", "\(tree.path)/good.yaml"], environment: ["PGPW": "x"]).status == 0)
        let shown = try CLIRunner.run(["config", "show", "--config", "\(tree.path)/good.yaml"],
                                      environment: ["PGPW": "x", "CRONMETRICS_STORAGE_STATEMENT_TIMEOUT": "5s"])
        #expect(shown.status == 0, "\(shown.stderr)")
        let rows = shown.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        #expect(rows.contains("storage.url postgres://ops@db.internal:5432/cronmetrics \(tree.path)/good.yaml:2:3"))
        #expect(rows.contains("storage.password_env PGPW \(tree.path)/good.yaml:3:3"))
        #expect(rows.contains("storage.tls.mode verify-full default"))
        #expect(rows.contains("storage.pool_size 25 \(tree.path)/good.yaml:5:3 (deprecated 'database.max_open_conns')"))
        #expect(rows.contains("storage.statement_timeout 5s env CRONMETRICS_STORAGE_STATEMENT_TIMEOUT"))
        #expect(shown.stderr.contains("'database.max_open_conns' is the cron-exporter's name; write 'storage.pool_size' instead"))
    }

    @Test("purge refuses a database that does not exist instead of creating one")
    func purgeMissingDatabase() throws {
        let dir = try TempDir()
        let outcome = try CLIRunner.run(["purge", "--database", "\(dir.path)/missing.db"])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("no database at \(dir.path)/missing.db"))
        #expect(!FileManager.default.fileExists(atPath: "\(dir.path)/missing.db"))
    }

    @Test("purge --older-than removes old results from the store", arguments: StoreBackend.allCases)
    func purge(_ backend: StoreBackend) async throws {
        let tree = try TempDir()
        // A store as a server leaves it, with results of known age.
        let location = try await backend.location(in: tree.path)
        let store = try await StateStore.open(location, logger: StoreBackend.quietLogger)
        let now = Date()
        let id = JobID(jobName: "a", host: "h")
        _ = try await store.insert((0..<4).map { JobResult(jobID: id, receivedAt: now.addingTimeInterval(-Double($0) * 86_400 * 10), status: .success) })
        try await store.close()
        let purged = try CLIRunner.run(["purge", "--older-than", "15d"] + location.cliArguments, environment: location.cliEnvironment)
        #expect(purged.status == 0, "\(purged.stderr)")
        #expect(purged.stdout.hasPrefix("Purged 2 results received before"))
        #expect(purged.stdout.contains("\nPurged 0 rollups and 0 flips before "), "rollups are kept for retention.rollup_days (400 by default)")
        let reopened = try await StateStore.open(location, logger: StoreBackend.quietLogger)
        #expect(try await reopened.countResults(for: id) == 2)
        try await reopened.close()
    }
}
