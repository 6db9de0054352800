import CronMetricsCore
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOSSL

/// Assembles the whole server: runtime, routes, middleware and services.
///
/// - Parameters:
///   - configuration: where to listen, the jobs tree, the database, keys and limits.
///   - logger: the root logger.
///   - now: the clock that decides deadlines (tests move it by hand).
/// - Throws: ``StoreError`` when the database cannot be opened.
public func buildApplication(
    configuration: ServerConfiguration,
    logger: Logger,
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
    let runtime = try await ServerRuntime(configuration: configuration, logger: logger, now: now)
    return buildApplication(runtime: runtime, server: server, tls: tls, logger: logger)
}

/// The application around a runtime that is already open (tests keep the
/// runtime to drive its services by hand).
func buildApplication(
    runtime: ServerRuntime, server: HTTPServerBuilder = .http1(), tls: TLSContextBox? = nil, logger: Logger
) -> some ApplicationProtocol {
    let configuration = runtime.configuration
    let router = buildRouter(runtime: runtime)
    return Application(
        router: router,
        server: server,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "cronmetrics"),
        services: [
            DatabaseCloser(runtime: runtime, logger: logger),
            DeadlineService(runtime: runtime, logger: logger),
            ReloadSignalService(runtime: runtime, tls: tls, logger: logger),
            WatchService(runtime: runtime, logger: logger),
            RetentionService(runtime: runtime, logger: logger),
        ],
        logger: logger)
}

/// The routes: public ones, and admin ones behind ``AdminAuthMiddleware``.
func buildRouter(runtime: ServerRuntime) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: RequestIDMiddleware())
    let admin = router.group().add(middleware: AdminAuthMiddleware(keyHashes: runtime.configuration.adminKeyHashes))
    MetricsController(runtime: runtime).addRoutes(to: router)
    ResultController(runtime: runtime).addRoutes(public: router, admin: admin)
    JobController(runtime: runtime).addRoutes(to: admin)
    OpenAPIController().addRoutes(to: router)
    return router
}

/// Loads the PEM certificate chain and key for HTTPS.
enum TLSFiles {
    /// Why HTTPS cannot start.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func configuration(certificate: String, key: String) throws(Failure) -> TLSConfiguration {
        for (name, path) in [("server.tls.cert_file", certificate), ("server.tls.key_file", key)] where !FileManager.default.isReadableFile(atPath: path) {
            throw Failure(description: "\(name): cannot read \(path)")
        }
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(certificate).map { NIOSSLCertificateSource.certificate($0) }
            guard !chain.isEmpty else { throw Failure(description: "server.tls.cert_file: no certificate in \(certificate)") }
            let privateKey = try NIOSSLPrivateKey(file: key, format: .pem)
            var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(privateKey))
            // TLS 1.0 and 1.1 are deprecated (RFC 8996); NIOSSL would accept them by default.
            tls.minimumTLSVersion = .tlsv12
            // Building a context checks that the key belongs to the certificate.
            _ = try NIOSSLContext(configuration: tls)
            return tls
        } catch let failure as Failure {
            throw failure
        } catch NIOSSLError.failedToLoadPrivateKey {
            throw Failure(description: "server.tls.key_file: \(key) is not the private key of the certificate in \(certificate) (or not a PEM private key)")
        } catch {
            throw Failure(description: "server.tls: cannot use \(certificate) with \(key): \(error)")
        }
    }
}
