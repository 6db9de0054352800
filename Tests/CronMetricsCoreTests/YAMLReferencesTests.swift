import Foundation
import Synchronization
import Testing
@testable import CronMetricsCore

/// Anchors and aliases are refused where YAML reads them as such, and only
/// there: not in quotes, comments, block scalars, or the middle of a plain
/// scalar such as an unquoted cron expression.
@Suite("YAML anchors and aliases")
struct YAMLReferencesTests {
    static let head = "version: 1\njob_name: a\nhost: web1\n"

    /// Texts with no anchor or alias, though `&` and `*` appear.
    static let allowed: [String] = [
        "schedule: \"*/5 * * * *\"",
        "schedule: '*/5 * * * *'",
        "schedule: 0 * * * *",
        "schedule: 30 2 * * 1-5",
        "description: cats & dogs * 2",
        "description: a&b*c",
        "description: \"&x *y\"",
        "description: '*y'",
        "# &anchor *alias in a comment\ndescription: x",
        "description: x  # then *alias in a comment",
        "description: |\n  &a literal\n  *b block\n",
        "description: >-\n  *folded &text\n",
        "description: first line\n  *second line of the same plain scalar",
        "labels: {team: \"*\", tier: '&'}",
        "labels:\n  note: \"multi\n    *line quoted\"",
        "description: \"\"",
    ]

    /// Texts with one, and where (line, column) and what YAML reads there.
    static let refused: [(String, Int, Int, String)] = [
        ("labels: &l {team: infra}", 4, 9, "anchor '&l'"),
        ("labels: {team: &t infra, tier: *t}", 4, 16, "anchor '&t'"),
        ("host2: *h", 4, 8, "alias '*h'"),
        ("notify:\n  - &ops ops\n  - *ops", 5, 5, "anchor '&ops'"),
        ("notify: [a, *b]", 4, 13, "alias '*b'"),
        ("*k : value", 4, 1, "alias '*k'"),
        ("? &k key\n: value", 4, 3, "anchor '&k'"),
        ("labels:\n  team:\n    *t", 6, 5, "alias '*t'"),
        ("description: !!str &d text", 4, 14, "anchor '&d'"),
    ]

    @Test("& and * that YAML reads as text pass", arguments: allowed)
    func allowedText(text: String) {
        #expect(YAMLReferences.first(in: Self.head + text) == nil)
    }

    @Test("anchors and aliases are found with their position", arguments: refused)
    func refusedText(text: String, line: Int, column: Int, what: String) throws {
        let found = try #require(YAMLReferences.first(in: Self.head + text))
        #expect((found.line, found.column) == (line, column), "\(text)")
        #expect(found.message.contains("found an \(what)"), "\(found.message)")
    }

    @Test("the configuration file refuses them too, with path:line:column")
    func configuration() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cm-yaml-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = "\(folder)/cronmetrics.yaml"
        try Data("server:\n  listen: &l 127.0.0.1:8080\nretention:\n  days: 30\n".utf8).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: ConfigError.self) { try AppConfiguration(file: path, environment: [:]) }
        #expect(error?.problems == ["\(path):2:11: YAML anchors are not allowed (found an anchor '&l'): write the value out where it is used"])
    }

    @Test("a billion laughs is refused before it is composed (a watchdog: the old decoder never returned)")
    func laughs() async throws {
        // Nine levels of aliases, the last a mapping key (kept out of bad/,
        // whose table has no watchdog).
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(fixturesPath)/hostile/alias-laughs.yaml"))
        let decoded = try await withWatchdog(seconds: 60) { JobFileDecoder().decode(data, path: "laughs.yaml") }
        #expect(decoded?.job == nil)
        #expect(decoded.map { $0.diagnostics.map(\.description) }
                == ["laughs.yaml:7:7: YAML anchors are not allowed (found an anchor '&l0'): write the value out where it is used"])
    }

    /// `body` on a thread of its own; nil (and a recorded issue) when it has not
    /// returned within `seconds`, so a regression fails instead of hanging the run.
    func withWatchdog<T: Sendable>(seconds: Double, _ body: @escaping @Sendable () -> T) async throws -> T? {
        let box = Box<T>()
        Thread { box.set(body()) }.start()
        let start = ContinuousClock.now
        while box.value == nil, ContinuousClock.now - start < .seconds(seconds) {
            try await Task.sleep(for: .milliseconds(20))
        }
        if box.value == nil { Issue.record("did not return within \(seconds) s") }
        return box.value
    }
}

/// A value set once by another thread.
private final class Box<T: Sendable>: Sendable {
    private let storage = Mutex<T?>(nil)
    var value: T? { storage.withLock { $0 } }
    func set(_ value: T) { storage.withLock { $0 = value } }
}
