import Testing
@testable import CronMetricsCore

@Suite("SQL dialects")
struct SQLDialectTests {
    @Test("PostgreSQL numbers the ? placeholders in order, past 9, beside non-ASCII text; SQLite keeps them")
    func placeholders() {
        let sql = "INSERT INTO t (a, b) VALUES " + Array(repeating: "(?, ?)", count: 6).joined(separator: ", ") + " -- ünïcode ✓"
        #expect(SQLDialect.postgres.placeholders(sql)
            == "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4), ($5, $6), ($7, $8), ($9, $10), ($11, $12) -- ünïcode ✓")
        #expect(SQLDialect.sqlite.placeholders(sql) == sql)
        #expect(SQLDialect.postgres.greatest("a", "b") == "GREATEST(a, b)")
        #expect(SQLDialect.sqlite.greatest("a", "b") == "MAX(a, b)")
    }
}
