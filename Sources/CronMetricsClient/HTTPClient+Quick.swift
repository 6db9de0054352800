import AsyncHTTPClient
import NIOPosix

extension HTTPClient {
    /// A client that gives up on a server that does not answer instead of
    /// retrying until the request's deadline (AsyncHTTPClient's shared client
    /// retries a refused connection for the whole deadline): a cron host with
    /// the monitor down spools its result in seconds, not minutes. Like the
    /// shared client it lives as long as the process.
    static let quick: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(3), read: .seconds(30))
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }()
}
