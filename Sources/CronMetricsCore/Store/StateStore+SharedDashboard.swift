import Foundation

/// What the dashboard's replicas share through PostgreSQL, so a browser
/// behind round robin stays signed in and a sign-out or a sign-in limit holds
/// on every replica: the session signing key, the signed-out sessions and the
/// sign-in attempts per client address. One server alone keeps them in
/// memory and never calls these (the tables exist on PostgreSQL only).
extension StateStore {
    /// The tables of the replicas sharing a PostgreSQL, not the site's data
    /// (`store migrate` has nothing to copy into them).
    public static let coordinationTables: Set<String> = ["replicas", "shared_secrets", "session_revocations", "signin_attempts"]

    /// The secret stored under `name`; the first replica to ask stores `make()`'s.
    public func sharedSecret(_ name: String, make: @escaping @Sendable () -> String) async throws(StoreError) -> String {
        try await writing { db in
            try db.execute("INSERT INTO shared_secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                           [.text(name), .text(make())])
            guard let value = try db.queryOne("SELECT value FROM shared_secrets WHERE name = ?", [.text(name)], table: "shared_secrets")?
                .string("value") else { throw StoreError.query("shared secret \(name) missing after its insert") }
            return value
        }
    }

    /// Records a signed-out session until it would have expired; forgets expired ones.
    public func revokeSession(_ nonce: String, until expiry: Date, now: Date) async throws(StoreError) {
        try await writing { db in
            try db.execute("""
                INSERT INTO session_revocations (nonce, expires_at) VALUES (?, ?)
                ON CONFLICT (nonce) DO UPDATE SET expires_at = excluded.expires_at
                """, [.text(nonce), expiry.sqlValue])
            try db.execute("DELETE FROM session_revocations WHERE expires_at < ?", [now.sqlValue])
        }
    }

    public func isSessionRevoked(_ nonce: String) async throws(StoreError) -> Bool {
        try await reading { db in
            try db.queryOne("SELECT 1 AS one FROM session_revocations WHERE nonce = ?", [.text(nonce)], table: "session_revocations") != nil
        }
    }

    /// Every session signed out that has not expired yet, with its expiry.
    public func sessionRevocations(now: Date) async throws(StoreError) -> [String: Date] {
        try await reading { db in
            var revoked: [String: Date] = [:]
            for row in try db.query("SELECT nonce, expires_at FROM session_revocations WHERE expires_at > ?", [now.sqlValue],
                                    table: "session_revocations") {
                revoked[try row.string("nonce")] = try row.date("expires_at")
            }
            return revoked
        }
    }

    /// Takes one sign-in attempt for `address`: at most `limit` within a
    /// window of `window` seconds from its first, counted in one statement
    /// (replicas taking attempts at once cannot both pass the last one).
    ///
    /// - Returns: nil when it may try now; otherwise the seconds until it may.
    public func takeSignInAttempt(_ address: String, limit: Int, window: Double, now: Date) async throws(StoreError) -> Int? {
        try await writing { db in
            try db.execute("DELETE FROM signin_attempts WHERE since < ?", [now.addingTimeInterval(-window).sqlValue])
            guard let row = try db.queryOne("""
                INSERT INTO signin_attempts (address, attempts, since) VALUES (?, 1, ?)
                ON CONFLICT (address) DO UPDATE SET attempts = signin_attempts.attempts + 1
                RETURNING attempts, since
                """, [.text(address), now.sqlValue], table: "signin_attempts") else { return nil }
            guard try row.int("attempts") > Int64(limit) else { return nil }
            // Refused: the count stays at the limit, so a give-back cannot open a slot.
            try db.execute("UPDATE signin_attempts SET attempts = ? WHERE address = ?", [.integer(Int64(limit)), .text(address)])
            let end = try row.date("since").addingTimeInterval(window)
            return max(1, Int(end.timeIntervalSince(now).rounded(.up)))
        }
    }

    /// Gives back one attempt of `address` (a sign-in that succeeded, or one that tried no key).
    public func giveBackSignInAttempt(_ address: String) async throws(StoreError) {
        try await writing { db in
            try db.execute("UPDATE signin_attempts SET attempts = attempts - 1 WHERE address = ? AND attempts > 0", [.text(address)])
        }
    }
}
