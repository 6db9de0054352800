/// A database the store runs on: SQLite (``SQLiteDriver``) or PostgreSQL
/// (``PostgresDriver``). A transaction's body is synchronous code over a
/// ``SQLConnection``, run where the driver may block (SQLite's writer queue, a
/// thread of the PostgreSQL driver's pool), never on the caller's thread: the
/// store's rules read and write statement by statement inside one
/// transaction, the same for both backends.
public protocol SQLDriver: Sendable {
    var dialect: SQLDialect { get }
    /// Where it is, for messages (a file path, or `postgres://user@host:port/db`).
    var location: String { get }
    /// Write transactions worth running at once (the server's signal writer
    /// runs up to this many group commits): 1 where the database has one writer.
    var writeConcurrency: Int { get }

    /// Runs `body` in one transaction: committed when it returns (durably:
    /// SQLite `synchronous = FULL`, PostgreSQL `synchronous_commit = on`),
    /// rolled back when it throws.
    /// - Throws: ``StoreError``: ``StoreError/unavailable(_:)`` when the
    ///   database cannot be reached or gave up (worth a retry).
    func write<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws(StoreError) -> T

    /// Runs `body` on a consistent snapshot, beside writers.
    func read<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws(StoreError) -> T

    /// Brings the schema up to date (``SchemaMigrations``), refusing a schema
    /// newer than this build knows.
    func migrate() async throws(StoreError)

    /// The tables of state and their rows, for `store migrate` and tests.
    func tableNames() async throws(StoreError) -> [String]

    /// Closes the database; further use throws.
    func close() async throws(StoreError)
}
