import CronMetricsCore
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle

/// Assembles the whole server: the pieces, the routes and the services, each
/// given only what it uses.
///
/// - Parameters:
///   - configuration: where to listen, the jobs tree, the database, keys and limits.
///   - logger: the root logger.
///   - now: the clock that decides deadlines (tests move it by hand).
/// - Throws: ``StoreError`` when the database cannot be opened, and the TLS
///   error when HTTPS cannot start.
///   - logLevel: the level every log handler reads, changed by a reload.
///   - reloadConfiguration: reads the configuration file again (SIGHUP,
///     `POST /-/reload`); nil when there is nothing to re-read.
public func buildApplication(
    configuration: ServerConfiguration,
    logger: Logger,
    logLevel: LogLevelControl? = nil,
    reloadConfiguration: (@Sendable () throws -> ServerConfiguration)? = nil,
    now: @escaping @Sendable () -> Date = Date.init
) async throws -> some ApplicationProtocol {
    // TLS first: a missing file or a key that does not match the certificate
    // stops the start with a clear message, before anything else is opened.
    let limits = configuration.connectionLimits
    let counter = ConnectionCounter(limit: limits.maxConnections)
    let http = HTTP1Channel.Configuration(additionalChannelHandlers: [ConnectionGuard(limits: limits, counter: counter)])
    var server = HTTPServerBuilder.http1(configuration: http)
    var tls: TLSContextBox?
    if let certificate = configuration.tlsCertificateFile, let key = configuration.tlsKeyFile {
        let box = try TLSContextBox(certificateFile: certificate, keyFile: key)
        server = .reloadableTLS(box, configuration: http)
        tls = box
    }
    let components = try await ServerComponents(configuration: configuration, logger: logger, logLevel: logLevel,
                                                reloadConfiguration: reloadConfiguration, now: now)
    return buildApplication(components, server: server, tls: tls)
}

/// The application around components that are already open (tests keep them
/// to drive a service by hand).
func buildApplication(_ components: ServerComponents, server: HTTPServerBuilder = .http1(), tls: TLSContextBox? = nil) -> some ApplicationProtocol {
    let configuration = components.configuration
    let logger = components.logger
    var services: [any Service] = [
            DatabaseCloser(database: components.database, logger: logger),
            DeadlineService(state: components.state, database: components.database, settings: components.runtime,
                            interval: configuration.deadlineInterval, now: components.now, logger: logger,
                            leadership: components.leadership, takeoverAfter: configuration.ha.takeoverAfter, refresher: components.refresher),
            StateRefresherService(refresher: components.refresher),
            StoreProbe(database: components.database, metrics: components.metrics, interval: .seconds(1), logger: logger,
                       timeout: probeTimeout(configuration)),
            ReloadSignalService(registry: components.registry, settings: components.settingsReloader, tls: tls, logger: logger),
            WatchService(registry: components.registry, watch: configuration.watch, logger: logger),
            RetentionService(database: components.database, settings: components.runtime, now: components.now, logger: logger,
                             leadership: components.leadership),
            ObjectiveService(tracker: components.objectives, interval: configuration.objectiveInterval, logger: logger),
            NotificationDispatcher(database: components.database, settings: components.runtime, senders: components.senders,
                                   metrics: components.notificationMetrics, logger: logger, now: components.now,
                                   pollInterval: configuration.notifyPollInterval, announceInterval: configuration.announceInterval,
                                   claimant: components.leadership.replicaName, claimLease: configuration.ha.claimLease,
                                   leadership: components.leadership, alone: !isReplicated(configuration)),
    ]
    if case let .postgres(settings) = configuration.storage {
        services.append(ReplicaCoordinator(settings: settings, leadership: components.leadership, refresher: components.refresher,
                                           metrics: components.metrics, interval: configuration.ha.leaderRetry,
                                           now: components.now, logger: logger))
    }
    if configuration.dashboard.enabled {
        services.append(DashboardFeedService(feed: components.dashboardFeed))
        if isReplicated(configuration) {
            services.append(SessionMirror(database: components.database, revocations: components.sessionSigner.revocations,
                                          interval: .seconds(1), now: components.now))
        }
    }
    return Application(
        router: buildRouter(components),
        server: server,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "cronmetrics"),
        services: services,
        logger: logger)
}

/// The routes: public ones, and admin ones behind ``AdminAuthMiddleware``.
/// Middleware order: the request id first (so every answer carries it), the
/// access log, then errors turned into JSON bodies.
func buildRouter(_ components: ServerComponents) -> Router<AppRequestContext> {
    let configuration = components.configuration
    // HEAD wherever GET is served: the GET handler runs and its body is dropped.
    let router = Router(context: AppRequestContext.self, options: .autoGenerateHeadEndpoints)
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: AccessLogMiddleware())
    router.add(middleware: ErrorMiddleware())
    let runtime = components.runtime
    let admin = router.group().add(middleware: AdminAuthMiddleware(keys: { runtime.keys }))
    MetricsController(state: components.state, metrics: components.metrics, notifications: components.notificationMetrics,
                      objectives: components.objectives, settings: runtime, now: components.now).addRoutes(to: router)
    HealthController(state: components.state, metrics: components.metrics, database: components.database,
                     leadership: components.leadership, replicated: isReplicated(configuration), keys: { runtime.keys }, now: components.now)
        .addRoutes(to: router)
    let intake = SignalIntake(state: components.state, writer: components.writer, metrics: components.metrics,
                              configuration: configuration, now: components.now)
    ResultController(intake: intake, database: components.database).addRoutes(public: router, admin: admin)
    PingController(intake: intake).addRoutes(to: router)
    JobController(registry: components.registry, settings: components.settingsReloader, maxBodyBytes: configuration.maxBodyBytes)
        .addRoutes(to: admin)
    NotificationController(outbox: components.notificationOutbox).addRoutes(to: admin)
    AuditController(database: components.database).addRoutes(to: admin)
    StatsController(components: components).addRoutes(to: admin)
    BadgeController(registry: components.registry, settings: runtime, now: components.now).addRoutes(to: router)
    OpenAPIController().addRoutes(to: router)
    if configuration.dashboard.enabled {
        addDashboardRoutes(components, to: router)
    }
    return router
}

/// The dashboard: open routes (sign-in, assets) and the pages behind
/// ``DashboardAuthMiddleware``, each controller given the one or two parts it uses.
func addDashboardRoutes(_ components: ServerComponents, to router: Router<AppRequestContext>) {
    let configuration = components.configuration
    let runtime = components.runtime
    let pages = DashboardPages(views: components.dashboardViews, title: configuration.dashboard.title, signer: components.sessionSigner,
                               leadership: components.leadership)
    let sessions = DashboardSessions(signer: components.sessionSigner, limiter: components.signInLimiter,
                                     clientAddress: configuration.clientAddress, keys: { runtime.keys }, now: components.now,
                                     shared: isReplicated(configuration) ? components.database : nil)
    let jobs = DashboardJobs(registry: components.registry, state: components.state, database: components.database,
                             jobsDirectory: configuration.jobsDirectory, externalURL: { runtime.notifications.externalURL },
                             tls: configuration.tlsCertificateFile != nil, recent: components.objectives, now: components.now)
    let signedIn = router.group().add(middleware: DashboardAuthMiddleware(sessions: sessions, pages: pages))
    DashboardAssetsController(pages: pages).addRoutes(to: router)
    DashboardSignInController(sessions: sessions, pages: pages).addRoutes(to: router, signedIn: signedIn)
    DashboardJobsController(jobs: jobs, pages: pages).addRoutes(to: signedIn)
    DashboardNotificationsController(outbox: components.notificationOutbox, pages: pages).addRoutes(to: signedIn)
    DashboardEventsController(feed: components.dashboardFeed, sessions: sessions).addRoutes(to: signedIn)
}

/// How long the store's probe waits: as long as a submission would wait for
/// a connection (PostgreSQL's `storage.connect_timeout`), 5 s on SQLite.
func probeTimeout(_ configuration: ServerConfiguration) -> Duration {
    if case let .postgres(settings) = configuration.storage { return settings.connectTimeout }
    return .seconds(5)
}

/// Whether replicas may share this server's store (PostgreSQL).
func isReplicated(_ configuration: ServerConfiguration) -> Bool {
    if case .postgres = configuration.storage { return true }
    return false
}
