import CronMetricsCore
import Foundation
import Hummingbird

/// Who is signed in to the dashboard: sessions read from cookies and checked
/// against the keys in force, sign-ins (limited per client address), sign-outs.
///
/// Replicas on PostgreSQL share sign-outs and sign-in attempts through the
/// store (`shared`): a sign-out on one ends the session on all at once, and
/// the limit counts the attempts made on every replica. Should the store not
/// answer, each replica goes on with what it knows itself (the sign-outs it
/// made or mirrored in the last second, its own attempts), so the dashboard
/// stays usable while PostgreSQL is away.
struct DashboardSessions: Sendable {
    let signer: SessionSigner
    let limiter: SignInLimiter
    let clientAddress: ClientAddress
    /// The admin and read-only keys in force (a reload changes them).
    let keys: @Sendable () -> AccessKeys
    let now: @Sendable () -> Date
    var shared: StateStore? = nil

    /// The session of `request`'s cookie, if it holds now.
    func current(_ request: Request) async -> DashboardSession? {
        guard let session = signer.session(request, keys: keys(), now: now()) else { return nil }
        if let shared, (try? await shared.isSessionRevoked(session.nonce)) == true { return nil }
        return session
    }

    /// Ends `session` on every copy of its cookie, on every replica.
    func signOut(_ session: DashboardSession) async {
        signer.signOut(session, now: now())
        guard let shared else { return }
        do {
            try await shared.revokeSession(session.nonce, until: session.expires, now: now())
        } catch {
            // Written by the mirror's next pass that reaches the store.
            signer.revocations.keepUnshared(session.nonce, until: session.expires)
        }
    }

    /// Takes one sign-in attempt for `address` (see ``SignInLimiter``).
    /// - Returns: nil when it may try now; otherwise the seconds until it may.
    ///
    /// This replica's own count comes first (a burst at one replica is cut
    /// there, without a query each), then the count every replica shares. An
    /// attempt the shared count refuses is given back here; while the store
    /// does not answer, this replica's count alone holds.
    func takeAttempt(_ address: String) async -> Int? {
        if let wait = limiter.take(address, now: now()) { return wait }
        guard let shared else { return nil }
        do {
            guard let wait = try await shared.takeSignInAttempt(address, limit: limiter.limit, window: limiter.window, now: now()) else {
                return nil
            }
            limiter.giveBack(address, now: now())
            return wait
        } catch {
            return nil
        }
    }

    /// Gives back the attempt of a sign-in that succeeded, or that tried no key.
    func giveBack(_ address: String) async {
        limiter.giveBack(address, now: now())
        try? await shared?.giveBackSignInAttempt(address)
    }

    /// Whether `session` still holds (a stream checks it before each batch).
    func holds(_ session: DashboardSession) -> Bool {
        signer.current(session, keys: keys(), now: now()) != nil
    }

    func csrfToken(_ session: DashboardSession) -> String {
        signer.csrfToken(session)
    }

    func checkCSRF(_ token: String?, session: DashboardSession) -> Bool {
        signer.checkCSRF(token, session: session)
    }

    /// The client of a request, behind trusted proxies too.
    func client(_ request: Request, context: AppRequestContext) -> String {
        clientAddress.client(request, peer: context.remoteAddress?.ipAddress)
    }

    enum SignIn {
        /// The key is an admin or read-only key: the session's cookie.
        case signedIn(AccessKeys.Access, cookie: String)
        case wrongKey
    }

    /// Checks a key for a sign-in whose attempt was already taken; a sign-in
    /// that succeeds gives its own attempt back (never another's).
    func signIn(key: String, address: String) async -> SignIn {
        let time = now()
        guard !key.isEmpty, let access = keys().access(key) else { return .wrongKey }
        await giveBack(address)
        return .signedIn(access, cookie: signer.issue(keyHash: APIKeyHash.sha256Hex(of: key), now: time))
    }
}
