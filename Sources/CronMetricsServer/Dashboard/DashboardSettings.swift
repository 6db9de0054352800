import Foundation

/// The dashboard's settings (`dashboard.*`), read at start.
public struct DashboardSettings: Sendable, Equatable {
    /// `dashboard.enabled`: false serves no `/dashboard` routes at all.
    public var enabled: Bool
    /// `dashboard.title`: the name in the header and the window title.
    public var title: String
    /// `dashboard.session_ttl`: how long a sign-in lasts, in seconds.
    public var sessionTTL: Double
    /// Session cookies carry `Secure` when the server speaks TLS or its
    /// external URL is https (TLS ends at a proxy in front).
    public var secureCookies: Bool

    public init(enabled: Bool = true, title: String = "cronmetrics", sessionTTL: Double = 43_200, secureCookies: Bool = false) {
        self.enabled = enabled
        self.title = title
        self.sessionTTL = sessionTTL
        self.secureCookies = secureCookies
    }
}
