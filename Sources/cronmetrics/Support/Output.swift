import CronMetricsCore
import Foundation

/// Writes a line to standard error.
func printError(_ message: String) {
    var line = message
    if !line.hasSuffix("\n") { line += "\n" }
    FileHandle.standardError.write(Data(line.utf8))
}

/// Pretty JSON in the API's coding (snake_case keys, RFC 3339 dates).
enum JSONText {
    static func encode(_ value: some Encodable) -> String {
        (try? String(decoding: APICoding.makeEncoder(pretty: true).encode(value), as: UTF8.self)) ?? "null"
    }

    /// One line of compact JSON.
    static func line(_ value: some Encodable) -> String {
        (try? String(decoding: APICoding.encoder.encode(value), as: UTF8.self)) ?? "null"
    }
}
