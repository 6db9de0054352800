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

@Suite("A label added to every sample of an exposition")
struct LabeledExpositionTests {
    @Test("first on every sample line, with or without labels; comments and values untouched; the value escaped")
    func labeled() {
        let text = """
            # HELP a_total A counter.
            # TYPE a_total counter
            a_total 3
            b{channel="x y",outcome="ok"} 1.5
            c{} 0

            """
        let out = String(decoding: PrometheusText.labeled(Array(text.utf8), name: "replica", value: #"r"1"#), as: UTF8.self)
        #expect(out == """
            # HELP a_total A counter.
            # TYPE a_total counter
            a_total{replica="r\\"1"} 3
            b{replica="r\\"1",channel="x y",outcome="ok"} 1.5
            c{replica="r\\"1"} 0

            """)
        #expect(PrometheusText.labeled([], name: "replica", value: "r").isEmpty)
    }
}
