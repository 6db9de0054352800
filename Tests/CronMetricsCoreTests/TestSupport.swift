import Foundation

/// The test fixtures folder (beside this file).
let fixturesPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

/// A minimal valid job file.
func jobYAML(_ name: String, host: String = "db1", threshold: String = "3600", extra: String = "") -> String {
    "version: 1\njob_name: \(name)\nhost: \(host)\nautomatic_failure_threshold: \(threshold)\n\(extra)"
}
