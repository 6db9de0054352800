import CronMetricsTestSupport
import Foundation
import Testing
@testable import CronMetricsCore

@Suite("Writing job files back")
struct JobFileWriterTests {
    static let hash = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"

    static var sample: Job {
        Job(jobName: "backup", host: "db1", threshold: JobDuration(parsing: "1h30m")!, status: .maintenance,
            maintenanceUntil: RFC3339.parse("2026-12-01T06:00:00Z"), labels: ["team": "infra", "env": "prod"],
            apiKeySHA256: hash, description: "Nightly database backup")
    }

    @Test("rendering is deterministic: schema key order, labels by name, trailing newline")
    func renderSnapshot() {
        let text = JobFileRenderer().render(Self.sample)
        #expect(text == """
            # Managed by cronmetrics: safe to edit by hand, then commit.
            # Reference: docs/job-file.md
            # yaml-language-server: $schema=../docs/job.schema.json

            version: 1
            job_name: backup
            host: db1
            automatic_failure_threshold: 1h30m
            status: maintenance
            maintenance_until: 2026-12-01T06:00:00Z
            labels:
              env: prod
              team: infra
            api_key_sha256: \(Self.hash)
            description: Nightly database backup

            """)
        #expect(JobFileRenderer().render(Self.sample) == text)
    }

    @Test("what is rendered decodes to the same job", arguments: [
        "plain words", "yes", "true", "null", "~", "123", "1.5", "2026-01-01", "a: b", "#hash", "quote\"d", "back\\slash",
        "line\nbreak", " padded ", "-dash", "tab\there", "ünïcödé", "{braces}", "[list]", "*star", "&amp", "!bang", "%pct", "@at", "`tick`", "",
    ])
    func roundTrip(value: String) throws {
        var job = Self.sample
        job.description = value
        job.labels = ["note": value]
        let text = JobFileRenderer().render(job)
        let decoded = JobFileDecoder().decode(Data(text.utf8), path: "x.yaml")
        #expect(decoded.job == job, "rendered:\n\(text)")
    }

    @Test("the alert policy fields render in order and decode to the same job")
    func policyRoundTrip() throws {
        var job = Self.sample
        job.maintenanceWindows = [MaintenanceWindow(schedule: try CronSchedule(parsing: "0 1 * * 0"), duration: try #require(JobDuration(parsing: "2h")),
                                                    timezone: "Europe/Berlin"),
                                  MaintenanceWindow(schedule: try CronSchedule(parsing: "30 4 1 * *"), duration: JobDuration(seconds: 900))]
        job.alertAfter = 3
        job.escalate = [EscalationStep(after: try #require(JobDuration(parsing: "1h")), notify: ["pager", "boss"])]
        job.dependsOn = [JobID(jobName: "restore", host: "db2")]
        let text = JobFileRenderer().render(job)
        #expect(text.contains("""
            maintenance_until: 2026-12-01T06:00:00Z
            maintenance_windows: [{duration: 2h, schedule: "0 1 * * 0", timezone: Europe/Berlin}, {duration: 900, schedule: "30 4 1 * *"}]
            labels:
              env: prod
              team: infra
            alert_after: 3
            escalate: [{after: 1h, notify: [pager, boss]}]
            depends_on: [restore@db2]
            """), "rendered:\n\(text)")
        #expect(JobFileDecoder().decode(Data(text.utf8), path: "x.yaml").job == job, "rendered:\n\(text)")
    }

    @Test("a new file is named job_name@host.yaml and written atomically")
    func writesNewFile() throws {
        let dir = try TempDir()
        let writer = JobFileWriter(root: dir.path)
        let path = try writer.write(Self.sample)
        #expect(path == "backup@db1.yaml")
        #expect(try dir.read(path) == JobFileRenderer().render(Self.sample))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(leftovers == ["backup@db1.yaml"])
    }

    @Test("an existing file is updated in place, wherever it lives")
    func updatesInPlace() throws {
        let dir = try TempDir()
        try dir.write("infra/deep/custom.yaml", jobYAML("backup"))
        let writer = JobFileWriter(root: dir.path)
        var job = Self.sample
        job.threshold = JobDuration(seconds: 60)
        try writer.write(job, to: "infra/deep/custom.yaml")
        let decoded = JobFileDecoder().decode(Data(try dir.read("infra/deep/custom.yaml").utf8), path: "x")
        #expect(decoded.job?.threshold?.seconds == 60)
        #expect(!dir.exists("backup@db1.yaml"))
    }

    @Test("paths that leave the tree or would be ignored are refused", arguments: [
        "../escape.yaml", "/etc/passwd.yaml", "a/../../b.yaml", "./x.yaml", ".hidden.yaml", "a//b.yaml", "notes.txt", "dir/.git/x.yaml", "",
    ])
    func refusesUnsafePaths(path: String) throws {
        let dir = try TempDir()
        #expect(throws: JobFileWriteError.unsafePath(path)) {
            try JobFileWriter(root: dir.path).write(Self.sample, to: path)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test("job names can never name a file outside the tree", arguments: ["..", ".", "../x", "a/b", ".hidden"])
    func identifiersCannotTraverse(name: String) {
        #expect(!Identifier.isValid(name))
        #expect(JobID("\(name)@db1") == nil)
    }

    @Test("a failed write (a full file system) leaves the old file and no temp file")
    func failedWriteKeepsOldFile() throws {
        let dir = try TempDir()
        let sub = "\(dir.path)/sub"
        try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: true)
        var mount: TinyFileSystem?
        defer { mount?.unmount() }
        if getuid() == 0 {
            // Root ignores folder permissions, so fill a small file system instead.
            mount = try TinyFileSystem(at: sub)
            try dir.write("sub/backup@db1.yaml", "old\n")
            mount?.fill()
        } else {
            try dir.write("sub/backup@db1.yaml", "old\n")
            chmod(sub, 0o555)
        }
        defer { chmod(sub, 0o755) }
        #expect(throws: JobFileWriteError.self) {
            try JobFileWriter(root: dir.path).write(Self.sample, to: "sub/backup@db1.yaml")
        }
        #expect(try dir.read("sub/backup@db1.yaml") == "old\n")
        let names = try FileManager.default.contentsOfDirectory(atPath: sub)
        #expect(!names.contains { $0.hasPrefix(".cronmetrics-") }, "temp file left: \(names)")
    }

    @Test("an edit keeps the file's permission bits")
    func keepsMode() throws {
        let dir = try TempDir()
        let path = try dir.write("backup@db1.yaml", jobYAML("backup"))
        chmod(path, 0o640)
        try JobFileWriter(root: dir.path).write(Self.sample, to: "backup@db1.yaml")
        var info = stat()
        stat(path, &info)
        #expect(info.st_mode & 0o777 == 0o640)
    }

    @Test("an edit of a symlinked job file writes its target inside the tree; a link out of the tree is refused")
    func symlinks() throws {
        let dir = try TempDir()
        try dir.write("real/backup@db1.yaml", jobYAML("backup"))
        symlink("real/backup@db1.yaml", "\(dir.path)/link.yaml")
        try JobFileWriter(root: dir.path).write(Self.sample, to: "link.yaml")
        var info = stat()
        lstat("\(dir.path)/link.yaml", &info)
        #expect(info.st_mode & S_IFMT == S_IFLNK)
        #expect(try dir.read("real/backup@db1.yaml") == JobFileRenderer().render(Self.sample, header: false))

        let outside = try TempDir()
        try outside.write("elsewhere.yaml", "kept\n")
        symlink("\(outside.path)/elsewhere.yaml", "\(dir.path)/out.yaml")
        #expect(throws: JobFileWriteError.self) {
            try JobFileWriter(root: dir.path).write(Self.sample, to: "out.yaml")
        }
        #expect(try outside.read("elsewhere.yaml") == "kept\n")
    }

    @Test("temp files a crash left behind are removed, and nothing else")
    func leftovers() throws {
        let dir = try TempDir()
        try dir.write("a/.cronmetrics-0123456789abcdef.tmp", "half")
        try dir.write(".backup@db1.yaml.tmp-1234567", "half")
        try dir.write("a/job@h.yaml", jobYAML("job"))
        try dir.write(".editor.swp", "x")
        try dir.write(".git/.cronmetrics-0000000000000000.tmp", "not ours to touch")
        let removed = AtomicFile.removeLeftovers(under: dir.path).map { String($0.dropFirst(dir.path.count + 1)) }
        #expect(removed == [".backup@db1.yaml.tmp-1234567", "a/.cronmetrics-0123456789abcdef.tmp"])
        #expect(dir.exists("a/job@h.yaml") && dir.exists(".editor.swp") && dir.exists(".git/.cronmetrics-0000000000000000.tmp"))
    }

    @Test("generated keys are cm_ plus 52 base32 characters and hash like sha256sum")
    func keys() {
        let key = APIKeyHash.generateKey()
        #expect(key.count == 55)
        #expect(key.hasPrefix("cm_"))
        #expect(key.dropFirst(3).allSatisfy { "abcdefghijklmnopqrstuvwxyz234567".contains($0) })
        #expect(APIKeyHash.generateKey() != key)
        // echo -n password | sha256sum
        #expect(APIKeyHash.sha256Hex(of: "password") == Self.hash)
    }
}
