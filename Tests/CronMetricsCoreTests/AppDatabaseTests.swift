import CronMetricsTestSupport
import Foundation
import Testing
@testable import CronMetricsCore

@Suite("SQLite store")
struct AppDatabaseTests {
    @Test("the writer commits with synchronous = FULL in WAL mode")
    func durableWriter() throws {
        let dir = try TempDir()
        let database = try AppDatabase(path: "\(dir.path)/cronmetrics.db")
        defer { try? database.close() }
        // 2 is FULL; GRDB's pool sets the writer to NORMAL (1) unless we set it after.
        #expect(try database.writerPragma("synchronous") == "2")
        #expect(try database.writerPragma("journal_mode") == "wal")
    }
}
