import CronMetricsCore
import Crypto
import Foundation
import Logging

/// The long-lived pieces of one server, made once at start. Only the
/// assembly (``buildApplication(configuration:logger:now:)``) holds all of
/// them; every route and service is given the few it uses.
struct ServerComponents: Sendable {
    let configuration: ServerConfiguration
    /// Where results and state go, and the in-memory picture `/metrics` reads.
    let database: StateStore, state: LiveState, metrics: ServerMetrics
    /// The two writers: results (group commit) and job definitions (files, then reload).
    let writer: SignalWriter, registry: JobRegistry
    /// What a reload of the configuration changes while running; notifications.
    let runtime: RuntimeSettings, senders: NotificationSenders, notificationMetrics: NotificationMetrics
    /// The outbox as admins act on it: the API and the dashboard alike.
    let notificationOutbox: LocalNotificationOutbox
    let settingsReloader: SettingsReloader
    /// The dashboard's templates (compiled at start: one that does not
    /// compile stops the start), live feed, session signer (a key made at
    /// start) and sign-in limiter.
    let dashboardViews: DashboardViews, dashboardFeed: DashboardFeed, sessionSigner: SessionSigner, signInLimiter: SignInLimiter
    let logger: Logger, now: @Sendable () -> Date
    /// This replica's name and whether it leads; the re-reader of jobs other replicas changed.
    let leadership: Leadership, refresher: StateRefresher
    /// The SLO families of `/metrics`, counted each `objectiveInterval`.
    let objectives: ObjectiveTracker

    /// Opens the database and loads the jobs.
    init(configuration: ServerConfiguration, logger: Logger, logLevel: LogLevelControl? = nil,
         reloadConfiguration: (@Sendable () throws -> ServerConfiguration)? = nil,
         now: @escaping @Sendable () -> Date) async throws {
        self.configuration = configuration
        runtime = RuntimeSettings(configuration, logLevel: logLevel ?? LogLevelControl(logger.logLevel))
        senders = NotificationSenders(connectTimeout: configuration.notifications.connectTimeout, now: now)
        notificationMetrics = NotificationMetrics()
        self.logger = logger
        self.now = now
        database = try await StateStore.open(configuration.storage, logger: logger)
        let corruptLogger = logger
        database.corruptRows.onReport { error in
            corruptLogger.error("a stored row cannot be read; left out", metadata: ["error": .string(error.description)])
        }
        state = LiveState(durationHistogramByDefault: configuration.durationHistogram)
        objectives = ObjectiveTracker(state: state, database: database, now: now, countsWeek: configuration.dashboard.enabled)
        let replicated = isReplicated(configuration)
        // Alone (SQLite) a server always leads; on PostgreSQL the coordinator decides.
        leadership = Leadership(replicaName: configuration.ha.name(port: configuration.port), leading: !replicated)
        metrics = ServerMetrics(corruptRows: database.corruptRows, leadership: replicated ? leadership : nil)
        refresher = StateRefresher(database: database, state: state, now: now, logger: logger)
        writer = SignalWriter(database: database, state: state, settings: runtime, refresher: refresher, now: now)
        registry = try await JobRegistry(root: configuration.jobsDirectory, database: database, state: state,
                                         metrics: metrics, channels: Set(configuration.notifications.channels.keys),
                                         readOnly: configuration.jobsReadOnly,
                                         logger: logger, now: now)
        dashboardViews = try DashboardViews()
        let (runtime, senders) = (runtime, senders)
        notificationOutbox = LocalNotificationOutbox(database: database, settings: { runtime.notifications }, now: now) { channel, current in
            await NotificationTest.run(channel, senders: senders, settings: current, now: now())
        }
        dashboardFeed = DashboardFeed(state: state, limits: .init(total: configuration.maxDashboardStreams,
                                                                  perSession: configuration.dashboard.maxStreamsPerSession), now: now)
        // Replicas sign sessions with one key from the store, so any of them
        // accepts a cookie another issued; alone, a key made at start.
        var signingKey = SymmetricKey(size: .bits256)
        if replicated, configuration.dashboard.enabled {
            let hex = try await database.sharedSecret("dashboard_session_key") { SessionSigner.randomHex(32) }
            guard let bytes = Hex.decode(hex), bytes.count == 32 else {
                throw StoreError.query("shared_secrets holds a dashboard_session_key that is not 64 hexadecimal digits")
            }
            signingKey = SymmetricKey(data: bytes)
        }
        sessionSigner = SessionSigner(ttl: configuration.dashboard.sessionTTL, secure: configuration.dashboard.secureCookies, key: signingKey)
        signInLimiter = SignInLimiter()
        settingsReloader = SettingsReloader(load: reloadConfiguration, running: configuration, runtime: runtime,
                                            registry: registry, metrics: metrics, logger: logger)
    }
}
