import Foundation
import Testing
@testable import CronMetricsCore

/// One escaper for every string written into JSON or YAML: job files, JSON
/// logs and webhook body templates escape alike.
@Suite("String escaping")
struct EscapingTests {
    static let hostile = "quote \" back \\ nl \n cr \r tab \t nul \u{0} del \u{7f} nel \u{85} c1 \u{9f} ls \u{2028} ps \u{2029} bom \u{feff} ü"

    @Test("a webhook template's JSON strings escape C1, DEL and U+FEFF like job files and logs do, and stay valid JSON")
    func templateAndQuotedStringAgree() throws {
        let template = try NotificationTemplate.compile(#"{"v": "{{v}}"}"#, json: true)
        let rendered = template.render(["v": Self.hostile])
        #expect(rendered == "{\"v\": \"" + QuotedString.escaped(Self.hostile) + "\"}")
        #expect(QuotedString.quote(Self.hostile) == "\"" + QuotedString.escaped(Self.hostile) + "\"")
        for escape in ["\\u007f", "\\u0085", "\\u009f", "\\u2028", "\\u2029", "\\ufeff", "\\u0000", "\\n", "\\r", "\\t", "\\\"", "\\\\"] {
            #expect(rendered.contains(escape), "\(escape) in \(rendered)")
        }
        #expect(!rendered.unicodeScalars.contains { QuotedString.needsEscape($0) }, "no raw control or separator left")
        let decoded = try JSONDecoder().decode([String: String].self, from: Data(rendered.utf8))
        #expect(decoded["v"] == Self.hostile)
    }
}
