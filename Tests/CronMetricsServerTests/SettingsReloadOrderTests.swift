import CronMetricsCore
import CronMetricsTestSupport
import Foundation
import Glibc
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
@testable import CronMetricsServer

/// Two reloads of the configuration at once (`POST /-/reload` and SIGHUP)
/// while the file changes: the newer file is the one in force afterwards.
@Suite("Configuration reloads in order")
struct SettingsReloadOrderTests {
    /// The first read holds on after reading (as a slow disk would) until the
    /// second reload finished, or 3 s at most.
    final class Gate: Sendable {
        private struct State {
            var reads = 0
            var firstRead = false
            var secondDone = false
        }

        private let state = Mutex(State())

        func afterRead() {
            let first = state.withLock { state -> Bool in
                state.reads += 1
                if state.reads == 1 { state.firstRead = true }
                return state.reads == 1
            }
            guard first else { return }
            for _ in 0..<300 where !state.withLock({ $0.secondDone }) { usleep(10_000) }
        }

        var firstRead: Bool { state.withLock { $0.firstRead } }
        func secondFinished() { state.withLock { $0.secondDone = true } }
    }

    @Test("POST /-/reload reading the old file and a SIGHUP reload reading the new one: the new one wins")
    func newerFileWins() async throws {
        let fixture = try await ServerFixture()
        let path = "\(fixture.root)/cronmetrics.yaml"
        @Sendable func write(_ key: String) throws {
            try Data("security:\n  admin_api_keys: [\(key)]\n".utf8).write(to: URL(fileURLWithPath: path))
        }
        try write("key-v1")
        let gate = Gate()
        let base = try fixture.configuration()
        let load: @Sendable () throws -> ServerConfiguration = {
            var next = try ServerConfiguration(settings: try AppConfiguration(file: path, environment: [:]))
            gate.afterRead()
            next.jobsDirectory = base.jobsDirectory
            next.storage = base.storage
            next.port = base.port
            return next
        }
        let clock = fixture.clock
        let components = try await ServerComponents(configuration: base, logger: ServerFixture.quietLogger,
                                                    reloadConfiguration: load, now: { clock.now })
        try await buildApplication(components).test(.router) { client async throws in
            async let viaAPI = client.reload()
            while !gate.firstRead { try await Task.sleep(for: .milliseconds(5)) }
            try write("key-v2")
            // What the SIGHUP service runs.
            _ = await components.settingsReloader.reload()
            gate.secondFinished()
            #expect(try await viaAPI == .ok)
        }
        #expect(components.runtime.adminKeyHashes == [APIKeyHash.sha256Hex(of: "key-v2")], "the file read last is in force")
    }
}
