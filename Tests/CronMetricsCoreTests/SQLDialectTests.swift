import Testing
@testable import CronMetricsCore

@Suite("SQL dialects")
struct SQLDialectTests {
    @Test("PostgreSQL numbers the ? placeholders in order, past 9, beside non-ASCII text, typed by their binds; SQLite keeps them")
    func placeholders() {
        let sql = "INSERT INTO t (a, b) VALUES " + Array(repeating: "(?, ?)", count: 6).joined(separator: ", ") + " -- ünïcode ✓"
        #expect(SQLDialect.postgres.placeholders(sql)
            == "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4), ($5, $6), ($7, $8), ($9, $10), ($11, $12) -- ünïcode ✓")
        #expect(SQLDialect.sqlite.placeholders(sql) == sql)
        // Each with its bind's type, a nil optional's too; an untyped NULL has none.
        let binds: [SQLValue] = [.integer(1), .real(1.5), .text("x"), SQLValue(Double?.none), SQLValue(String?.none), .null]
        #expect(SQLDialect.postgres.placeholders("VALUES (?, ?, ?, ?, ?, ?)", binds)
            == "VALUES ($1::int8, $2::float8, $3::text, $4::float8, $5::text, $6)")
        #expect(SQLDialect.sqlite.placeholders("VALUES (?)", binds) == "VALUES (?)")
        #expect(SQLDialect.postgres.greatest("a", "b") == "GREATEST(a, b)")
        #expect(SQLDialect.sqlite.greatest("a", "b") == "MAX(a, b)")
    }
}
