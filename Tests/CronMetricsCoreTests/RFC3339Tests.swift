import Foundation
import Testing
@testable import CronMetricsCore

@Suite("RFC 3339")
struct RFC3339Tests {
    @Test("parses zones and fractions")
    func parses() throws {
        let base = try #require(RFC3339.parse("2025-10-30T19:56:00Z"))
        #expect(base.timeIntervalSince1970 == 1_761_854_160)
        #expect(RFC3339.parse("2025-10-30T21:56:00+02:00") == base)
        #expect(RFC3339.parse("2025-10-30T19:56:00.250Z")?.timeIntervalSince1970 == 1_761_854_160.25)
        #expect(RFC3339.format(base) == "2025-10-30T19:56:00Z")
        #expect(RFC3339.parse("2024-02-29T00:00:00Z") != nil)
    }

    @Test("refuses what is not RFC 3339", arguments: ["2025-10-30", "2025-10-30T19:56:00", "2025-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2025-10-30T19:56:00Zjunk", "yesterday"])
    func refuses(text: String) {
        #expect(RFC3339.parse(text) == nil)
    }
}
