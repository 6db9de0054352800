import CronMetricsCore
import Crypto
import Foundation
import Hummingbird
import Synchronization

/// A signed-in dashboard user, read from the session cookie.
///
/// The cookie is `v1.<expiry>.<key hash>.<nonce>.<signature>`: HMAC-SHA256
/// with a secret made at start (so a restart signs everybody out), over the
/// rest. It names the key by its SHA-256 (never the key), and what that key
/// may do is looked up again on every request: a key removed from the
/// configuration, or moved from admin to read-only, takes effect at the next
/// click. The CSRF token of its forms is an HMAC of the nonce. Signing out
/// revokes the nonce until the session would have expired
/// (``SessionRevocations``), so a copied cookie stops working too.
struct DashboardSession: Sendable, Equatable {
    var access: AccessKeys.Access
    var keyHash: String
    var expires: Date
    var nonce: String

    var isAdmin: Bool { access == .admin }
}
