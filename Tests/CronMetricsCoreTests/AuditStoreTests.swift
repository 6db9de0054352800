import CronMetricsTestSupport
import Foundation
import Testing
@testable import CronMetricsCore

/// The audit trail in the store (SPEC §17): rows written in a reload's own
/// transaction, each once across replicas, purged by `retention.audit_days`;
/// HEAD commits read from git's files; named keys in the configuration.
@Suite("Audit trail: the store, git's HEAD, named keys")
struct AuditStoreTests {
    /// Runs git in `folder` (off the concurrency pool); the output, trimmed.
    @discardableResult
    static func git(_ folder: String, _ arguments: String...) async throws -> String {
        try await offPool { try gitBlocking(folder, arguments) }
    }

    private static func gitBlocking(_ folder: String, _ arguments: [String]) throws -> String {
        let process = TestProcess()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        process.arguments = ["-C", folder, "-c", "user.name=test", "-c", "user.email=test@example.com"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "git \(arguments.joined(separator: " "))")
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("HEAD from a loose ref, from packed-refs, detached, in a linked worktree and a subfolder; nil outside a repository or before the first commit")
    func gitHead() async throws {
        let dir = try TempDir("git")
        let repo = "\(dir.path)/repo"
        try FileManager.default.createDirectory(atPath: "\(repo)/jobs.d/team", withIntermediateDirectories: true)
        #expect(GitHead.commit(containing: "\(repo)/jobs.d") == nil, "not a repository")
        try await Self.git(repo, "init", "-q", "-b", "main")
        #expect(GitHead.commit(containing: "\(repo)/jobs.d") == nil, "no commit yet")
        /// Writes a file and commits it: the new HEAD.
        func commit(_ file: String) async throws -> String {
            _ = try dir.write("repo/jobs.d/\(file)", file)
            try await Self.git(repo, "add", ".")
            try await Self.git(repo, "commit", "-q", "-m", file)
            return try await Self.git(repo, "rev-parse", "HEAD")
        }
        let one = try await commit("team/a.yaml")
        #expect(GitHead.commit(containing: "\(repo)/jobs.d/team") == one, "a loose ref, found from a subfolder")
        try await Self.git(repo, "pack-refs", "--all")
        #expect(!FileManager.default.fileExists(atPath: "\(repo)/.git/refs/heads/main"))
        #expect(GitHead.commit(containing: "\(repo)/jobs.d") == one, "from packed-refs")
        let two = try await commit("b.yaml")
        #expect(GitHead.commit(containing: "\(repo)/jobs.d") == two, "the loose ref is newer than the packed one")
        try await Self.git(repo, "checkout", "-q", "--detach", one)
        #expect(GitHead.commit(containing: "\(repo)/jobs.d") == one, "a detached HEAD")
        try await Self.git(repo, "checkout", "-q", "main")
        try await Self.git(repo, "worktree", "add", "-q", "-b", "other", "\(dir.path)/worktree", one)
        #expect(GitHead.commit(containing: "\(dir.path)/worktree/jobs.d") == one, "a linked worktree: .git is a file, its branch in the common dir")
        #expect(GitHead.commit(containing: "\(repo)/jobs.d") == two)
    }

    @Test("replicas reloading one tree write each change once; a change back and again is written again", arguments: StoreBackend.allCases)
    func oncePerChange(_ backend: StoreBackend) async throws {
        let tree = try TempDir("jobs")
        let dbDir = try TempDir("db")
        let database = try await StateStore.open(try await backend.location(in: dbDir.path), logger: StoreBackend.quietLogger)
        let clock = TestClock()
        let first = Reconciler(root: tree.path, database: database, now: { clock.now })
        let second = Reconciler(root: tree.path, database: database, now: { clock.now })
        let source = AuditSource(reload: .git(route: "watch"))
        _ = try tree.write("a@db1.yaml", jobYAML("a"))
        _ = try await first.reconcile(audit: source)
        _ = try await second.reconcile(audit: source)
        for threshold in ["7200", "3600", "7200"] {
            _ = try tree.write("a@db1.yaml", jobYAML("a", threshold: threshold))
            _ = try await first.reconcile(audit: source)
            // An outbox action on the job between the two replicas' reloads.
            try await database.driver.write { db in
                try StateStore.appendAudit([AuditEntry(context: AuditContext(actor: "alice", role: "admin", route: "DELETE /api/notifications/{id}"),
                                                       action: "deleted", jobID: "a@db1")], at: clock.now, db: db)
            }
            _ = try await second.reconcile(audit: source)
        }
        try FileManager.default.removeItem(atPath: "\(tree.path)/a@db1.yaml")
        _ = try await second.reconcile(audit: source)
        _ = try await first.reconcile(audit: source)
        let rows = try await database.audit(AuditFilter(actor: "git"), limit: 100).entries.reversed()
        #expect(rows.map { "\($0.action) \($0.jobId ?? "")" } == ["added a@db1", "changed a@db1", "changed a@db1", "changed a@db1", "removed a@db1"])
        let hashes = rows.map { $0.action == "removed" ? $0.hashBefore : $0.hashAfter }
        #expect(hashes[1] == hashes[3] && hashes[1] != hashes[2] && rows.last?.hashBefore == hashes[3], "each row's file hash is the change it records")
        try await database.close()
    }

    @Test("retention.audit_days: rows older than the cutoff go, the rest stay", arguments: StoreBackend.allCases)
    func retention(_ backend: StoreBackend) async throws {
        let dbDir = try TempDir("db")
        let database = try await StateStore.open(try await backend.location(in: dbDir.path), logger: StoreBackend.quietLogger)
        let base = Date(timeIntervalSince1970: 1_790_000_000)
        try await database.driver.write { db in
            for day in 0..<10 {
                try StateStore.appendAudit([AuditEntry(context: AuditContext(actor: "alice", role: "admin", route: "PATCH /api/job/{id}"),
                                                       action: "changed", jobID: "a@db1")],
                                           at: base.addingTimeInterval(Double(day) * 86_400), db: db)
            }
        }
        let policy = RetentionPolicy(days: 30, keepLast: 0, auditDays: 3)
        let removed = try await database.purgeAudit(before: policy.auditCutoff(now: base.addingTimeInterval(9 * 86_400)), batchSize: 2)
        #expect(removed == 6)
        let left = try await database.audit(AuditFilter(), limit: 100).entries.map(\.at)
        #expect(left == (6..<10).reversed().map { base.addingTimeInterval(Double($0) * 86_400) })
        try await database.close()
    }

    @Test("named keys: mappings in the file, NAME:KEY in the environment; a bad mapping is an error at its line")
    func namedKeys() throws {
        let dir = try TempDir()
        let hash = APIKeyHash.sha256Hex(of: "bob-key")
        let file = try dir.write("cronmetrics.yaml", """
            security:
              admin_api_keys:
                - {name: alice, key: alice-key}
                - name: bob
                  sha256: \(hash)
                - plain-key
              read_api_keys:
                - sha256:\(hash)
            """)
        let config = try AppConfiguration(file: file, environment: [:])
        let items = config.list(.adminAPIKeys).compactMap(AccessKeyItem.init(parsing:))
        #expect(items == [AccessKeyItem(name: "alice", hash: APIKeyHash.sha256Hex(of: "alice-key")), AccessKeyItem(name: "bob", hash: hash),
                          AccessKeyItem(name: nil, hash: APIKeyHash.sha256Hex(of: "plain-key"))])
        #expect(items[2].displayName == "key-" + APIKeyHash.sha256Hex(of: "plain-key").prefix(12))
        let fromEnvironment = try AppConfiguration(file: nil, environment: ["CRONMETRICS_SECURITY_ADMIN_API_KEYS": "carol:carol-key, sha256:\(hash), dave:sha256:\(hash)"])
        #expect(fromEnvironment.list(.adminAPIKeys).compactMap(AccessKeyItem.init(parsing:)) == [
            AccessKeyItem(name: "carol", hash: APIKeyHash.sha256Hex(of: "carol-key")), AccessKeyItem(name: nil, hash: hash),
            AccessKeyItem(name: "dave", hash: hash),
        ])
        let bad = try dir.write("bad.yaml", """
            security:
              admin_api_keys:
                - {name: alice}
                - {name: "9lives", key: k}
                - {name: bob, sha256: nothex}
                - {name: eve, key: k, role: admin}
            """)
        #expect {
            try AppConfiguration(file: bad, environment: [:])
        } throws: { error in
            (error as? ConfigError)?.problems == [
                "\(bad):3:7: security.admin_api_keys: give exactly one of 'sha256' (the key's SHA-256, safe to commit) or 'key'",
                "\(bad):4:7: security.admin_api_keys: 'name' is required: a letter, then up to 63 letters, digits, _ . @ -",
                "\(bad):5:7: security.admin_api_keys: 'sha256' must be 64 lowercase hex digits (the SHA-256 of the key)",
                "\(bad):6:7: security.admin_api_keys: unknown key 'role' in a named key; allowed: name, sha256, key",
            ]
        }
    }
}
