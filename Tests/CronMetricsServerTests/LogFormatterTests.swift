import Foundation
import Logging
import Synchronization
import Testing
@testable import CronMetricsServer

@Suite("Log lines")
struct LogFormatterTests {
    /// Text a client could send to forge a second log line or move the cursor.
    static let hostile = [
        "a\nlevel=error msg=forged", "a\r\nts=0 level=error", "a\rlevel=error", "a\u{85}next", "a\u{2028}next",
        "a\u{2029}next", "a\u{1b}[2Jcleared", "tab\there", "nul\u{0}byte", "del\u{7f}", "quote\" key=value", "back\\slash",
    ]

    static func capture(_ format: LogFormatter.Format, _ body: (Logger) -> Void) -> [String] {
        let lines = Mutex<[String]>([])
        let handler = LogFormatter(label: "test", level: .info, format: format) { line in lines.withLock { $0.append(line) } }
        body(Logger(label: "test", factory: { _ in handler }))
        return lines.withLock { $0 }
    }

    @Test("a hostile value stays on one text line, with no control or separator character", arguments: hostile)
    func textOneLine(value: String) {
        let lines = Self.capture(.text) { $0.warning("result refused: \(value)", metadata: ["reason": .string(value), value: "key"]) }
        #expect(lines.count == 1)
        let line = lines[0]
        #expect(line.unicodeScalars.last == "\n")
        #expect(!line.unicodeScalars.dropLast().contains { LogFormatter.isUnsafe($0) }, "\(line.debugDescription)")
        #expect(line.hasPrefix("ts="))
    }

    @Test("a hostile value stays on one JSON line that parses back to the same text", arguments: hostile)
    func jsonOneLine(value: String) throws {
        let lines = Self.capture(.json) { $0.warning("refused", metadata: ["reason": .string(value)]) }
        #expect(lines.count == 1)
        let line = lines[0]
        #expect(!line.unicodeScalars.dropLast().contains { LogFormatter.isUnsafe($0) })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        #expect(object["reason"] == value)
        #expect(object["msg"] == "refused")
    }

    @Test("plain values are written bare")
    func plain() {
        #expect(LogFormatter.quoted("web1") == "web1")
        #expect(LogFormatter.quoted("two words") == "\"two words\"")
        #expect(LogFormatter.quoted("") == "\"\"")
    }
}
