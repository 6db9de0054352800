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
    /// `dashboard.max_streams`: live-update streams open at most; nil: a
    /// quarter of `server.max_connections`.
    public var maxStreams: Int?
    /// `dashboard.max_streams_per_session`: streams one signed-in session may hold.
    public var maxStreamsPerSession: Int

    public init(enabled: Bool = true, title: String = "cronmetrics", sessionTTL: Double = 43_200, secureCookies: Bool = false,
                maxStreams: Int? = nil, maxStreamsPerSession: Int = 8) {
        self.enabled = enabled
        self.title = title
        self.sessionTTL = sessionTTL
        self.secureCookies = secureCookies
        self.maxStreams = maxStreams
        self.maxStreamsPerSession = maxStreamsPerSession
    }
}
