import CronMetricsCore
import CronMetricsTestSupport
import Foundation
import Glibc
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import CronMetricsServer

/// The watcher against real files and real inotify, through a live server.
/// Serialized: two tests change inotify's system-wide limits for a moment.
@Suite("Watching jobs.d", .serialized)
struct WatchTests {
    static func inotify(_ configuration: inout ServerConfiguration) {
        configuration.jobsWatch = .inotify
    }

    @Test("a file edited on disk is live without any request, within a second")
    func watcher() async throws {
        let fixture = try await ServerFixture(jobs: "a")
        try await fixture.app(Self.inotify).test(.live) { client async throws in
            #expect(try await client.value("cronjob_threshold_seconds", "a") == "3600")
            try fixture.addJob("a", threshold: 77)
            try FileManager.default.createDirectory(atPath: "\(fixture.jobsDir)/new/deeper", withIntermediateDirectories: true)
            try await Task.sleep(for: .milliseconds(200))
            try Data("version: 1\njob_name: deep\nhost: web1\nautomatic_failure_threshold: 60\n".utf8)
                .write(to: URL(fileURLWithPath: "\(fixture.jobsDir)/new/deeper/deep@web1.yaml"))
            #expect(try await client.eventually { try await $0.value("cronjob_threshold_seconds", "a") == "77" })
            #expect(try await client.eventually { try await $0.value("cronjob_threshold_seconds", "deep") == "60" },
                    "a file in a folder created after start is watched too")
        }
    }

    @Test("a change made after the first load but before the watch began is applied")
    func changedBeforeWatch() async throws {
        let fixture = try await ServerFixture(jobs: "a")
        let app = try await fixture.app(Self.inotify)  // the tree is loaded here; the watcher starts with the services
        try fixture.addJob("a", threshold: 77)
        try await app.test(.live) { client async throws in
            #expect(try await client.eventually { try await $0.value("cronjob_threshold_seconds", "a") == "77" })
        }
    }

    @Test("a root missing at start is watched once it appears")
    func rootMissingAtStart() async throws {
        let fixture = try await ServerFixture()
        try FileManager.default.removeItem(atPath: fixture.jobsDir)
        try await fixture.app(Self.inotify).test(.live) { client async throws in
            #expect(try await client.metrics().contains("cronmetrics_config_last_reload_successful 0"))
            try FileManager.default.createDirectory(atPath: fixture.jobsDir, withIntermediateDirectories: true)
            try fixture.addJob("late")
            #expect(try await client.eventually { try await $0.value("cronjob_threshold_seconds", "late") == "3600" })
            try fixture.addJob("late", threshold: 5)
            #expect(try await client.eventually { try await $0.value("cronjob_threshold_seconds", "late") == "5" })
        }
    }

    @Test("a root deleted and made again, or replaced by a rename, is watched again")
    func rootReplaced() async throws {
        let fixture = try await ServerFixture(jobs: "a")
        try await fixture.app(Self.inotify).test(.live) { client async throws in
            try FileManager.default.removeItem(atPath: fixture.jobsDir)
            #expect(try await client.eventually { try await $0.metrics().contains("cronmetrics_config_last_reload_successful 0") })
            #expect(try await client.value("cronjob_threshold_seconds", "a") == "3600", "the last good set stays")
            try FileManager.default.createDirectory(atPath: fixture.jobsDir, withIntermediateDirectories: true)
            try fixture.addJob("b")
            #expect(try await client.eventually { try await $0.value("cronjob_threshold_seconds", "b") == "3600" })
            #expect(try await client.value("cronjob_threshold_seconds", "a") == nil)

            // Replaced: a new folder renamed over the old one's place.
            let staged = "\(fixture.root)/staged"
            try FileManager.default.createDirectory(atPath: staged, withIntermediateDirectories: true)
            try Data("version: 1\njob_name: c\nhost: web1\nautomatic_failure_threshold: 42\n".utf8)
                .write(to: URL(fileURLWithPath: "\(staged)/c@web1.yaml"))
            #expect(rename(fixture.jobsDir, "\(fixture.root)/old") == 0)
            #expect(rename(staged, fixture.jobsDir) == 0)
            #expect(try await client.eventually { try await $0.value("cronjob_threshold_seconds", "c") == "42" })
            try fixture.addJob("c", threshold: 43)
            #expect(try await client.eventually { try await $0.value("cronjob_threshold_seconds", "c") == "43" },
                    "the replacement folder itself is watched")
        }
    }

    @Test("a Kubernetes ConfigMap mount (..data symlink swap) reloads")
    func configMap() async throws {
        let fixture = try await ServerFixture()
        let dir = fixture.jobsDir
        @Sendable func version(_ name: String, threshold: Int) throws {
            try FileManager.default.createDirectory(atPath: "\(dir)/\(name)", withIntermediateDirectories: true)
            try Data("version: 1\njob_name: cm\nhost: web1\nautomatic_failure_threshold: \(threshold)\n".utf8)
                .write(to: URL(fileURLWithPath: "\(dir)/\(name)/cm@web1.yaml"))
        }
        try version("..2026_11_23_10_00_00.1", threshold: 60)
        symlink("..2026_11_23_10_00_00.1", "\(dir)/..data")
        symlink("..data/cm@web1.yaml", "\(dir)/cm@web1.yaml")
        try await fixture.app(Self.inotify).test(.live) { client async throws in
            #expect(try await client.value("cronjob_threshold_seconds", "cm") == "60")
            // What the kubelet does: a new timestamped folder, a new link, an atomic rename.
            try version("..2026_11_23_10_05_00.2", threshold: 120)
            symlink("..2026_11_23_10_05_00.2", "\(dir)/..data_tmp")
            #expect(rename("\(dir)/..data_tmp", "\(dir)/..data") == 0)
            try FileManager.default.removeItem(atPath: "\(dir)/..2026_11_23_10_00_00.1")
            #expect(try await client.eventually { try await $0.value("cronjob_threshold_seconds", "cm") == "120" })
        }
    }

    @Test("after the kernel's event queue overflows, folders created meanwhile are watched", .enabled(if: getuid() == 0))
    func overflow() async throws {
        let fixture = try await ServerFixture(jobs: "a")
        let logs = LogCapture()
        let limit = "/proc/sys/fs/inotify/max_queued_events"
        let old = try String(contentsOfFile: limit, encoding: .utf8)
        try "16\n".write(toFile: limit, atomically: false, encoding: .utf8)
        defer { try? old.write(toFile: limit, atomically: false, encoding: .utf8) }
        try await fixture.app(logger: logs.logger, Self.inotify).test(.live) { client async throws in
            // The watcher's queue is made with the small limit when it starts.
            #expect(try await client.eventually { _ in logs.contains("watching jobs directory") })
            try old.write(toFile: limit, atomically: false, encoding: .utf8)
            // One process creating files as fast as it can: far more events than 16.
            let flood = TestProcess()
            flood.executableURL = URL(fileURLWithPath: "/bin/sh")
            flood.arguments = ["-c", "cd \"$0\" && touch a$(seq -s ' a' 1 3000) && mkdir late && touch b$(seq -s ' b' 1 3000)", fixture.jobsDir]
            try flood.run()
            flood.waitUntilExit()
            // A bound, not a speed: with the whole test run on two cores the
            // watcher may take a while to drain 6,000 events.
            #expect(try await client.eventually(timeout: .seconds(30)) { _ in logs.contains("queue overflowed") })
            try await Task.sleep(for: .milliseconds(300))
            try Data("version: 1\njob_name: late\nhost: web1\nautomatic_failure_threshold: 33\n".utf8)
                .write(to: URL(fileURLWithPath: "\(fixture.jobsDir)/late/late@web1.yaml"))
            #expect(try await client.eventually { try await $0.value("cronjob_threshold_seconds", "late") == "33" })
        }
    }

    // Root changes the system's watch limit; CI runs as root, so there it must run.
    @Test("when the watch limit is reached, the server says so and polls instead",
          .enabled(if: getuid() == 0 || ProcessInfo.processInfo.environment["CI"] == "true"))
    func watchLimitFallsBackToPolling() async throws {
        let fixture = try await ServerFixture(jobs: "a")
        for index in 0..<20 {
            try FileManager.default.createDirectory(atPath: "\(fixture.jobsDir)/f\(index)", withIntermediateDirectories: true)
        }
        let logs = LogCapture()
        let app = try await fixture.app(logger: logs.logger) {
            $0.jobsWatch = .inotify
            $0.pollInterval = .milliseconds(200)
        }
        try await app.test(.live) { client async throws in
            #expect(try await client.eventually { _ in logs.contains("watching jobs directory") })
            // The limit is per user and already exceeded by the 22 watches held:
            // the next folder cannot be watched.
            try await SystemLimit.with("/proc/sys/fs/inotify/max_user_watches", 8) {
                try FileManager.default.createDirectory(atPath: "\(fixture.jobsDir)/g0", withIntermediateDirectories: true)
                #expect(try await client.eventually { _ in logs.contains("polling instead") })
            }
            #expect(logs.contains("inotify watch limit is reached"))
            // A new file in the folder that could not be watched: no inotify
            // event reports it (its parent's watch sees only the folder), so
            // only the polling finds it.
            try Data("version: 1\njob_name: unwatched\nhost: web1\nautomatic_failure_threshold: 62\n".utf8)
                .write(to: URL(fileURLWithPath: "\(fixture.jobsDir)/g0/unwatched@web1.yaml"))
            #expect(try await client.eventually { try await $0.value("cronjob_threshold_seconds", "unwatched") == "62" })
        }
    }

    @Test("a git checkout of 1,000 changed files is applied once: no scrape sees a mix of branches")
    func gitCheckout() async throws {
        let fixture = try await ServerFixture()
        let git = GitRepository(fixture.root)
        try git.run("init", "-q", "-b", "blue")
        // A filter process per file makes the checkout take seconds, as on a
        // slow disk, so reloads would land in its middle if nothing waited.
        try git.run("config", "filter.slow.smudge", "cat")
        try Data("*.yaml filter=slow\n".utf8).write(to: URL(fileURLWithPath: "\(fixture.root)/.gitattributes"))
        func writeBranch(threshold: Int, names: Range<Int>) throws {
            for path in try FileManager.default.contentsOfDirectory(atPath: fixture.jobsDir) {
                try FileManager.default.removeItem(atPath: "\(fixture.jobsDir)/\(path)")
            }
            for index in names {
                try Data("version: 1\njob_name: j\(index)\nhost: h\nautomatic_failure_threshold: \(threshold)\n".utf8)
                    .write(to: URL(fileURLWithPath: "\(fixture.jobsDir)/j\(index)@h.yaml"))
            }
        }
        try writeBranch(threshold: 100, names: 0..<1000)
        try git.run("add", "-A", "jobs.d")
        try git.run("commit", "-q", "-m", "blue")
        try git.run("checkout", "-q", "-b", "green")
        try writeBranch(threshold: 200, names: 100..<1100)
        try git.run("add", "-A", "jobs.d")
        try git.run("commit", "-q", "-m", "green")
        try git.run("checkout", "-q", "blue")
        try await fixture.app(Self.inotify).test(.live) { client async throws in
            #expect(try await client.thresholds().count == 1000)
            let checkout = Task.detached { try git.run("checkout", "-q", "green") }
            var seen: Set<String> = []
            let start = ContinuousClock.now
            var final = false
            while ContinuousClock.now - start < .seconds(20), !final {
                let thresholds = try await client.thresholds()
                let blue = thresholds.count == 1000 && thresholds["j0@h"] == "100" && Set(thresholds.values) == ["100"]
                let green = thresholds.count == 1000 && thresholds["j1099@h"] == "200" && Set(thresholds.values) == ["200"]
                #expect(blue || green, "a scrape mixed the branches: \(Set(thresholds.values)) over \(thresholds.count) jobs")
                seen.insert(blue ? "blue" : green ? "green" : "mixed")
                final = green
            }
            try await checkout.value
            #expect(seen == ["blue", "green"] || seen == ["green"])
            #expect(final)
        }
    }
}
