import CronMetricsCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A real HTTP server on 127.0.0.1 that records every request and answers as
/// its script says (by the request's number, from 0): the far end of a
/// webhook, Slack or PagerDuty channel.
final class Receiver: Sendable {
    struct Received: Sendable {
        var method: String
        var path: String
        var headers: HTTPFields
        var body: String

        func header(_ name: String) -> String? {
            HTTPField.Name(name).flatMap { headers[$0] }
        }

        /// The body as the event a webhook receives: our API's JSON.
        var event: NotificationEvent {
            get throws { try decode(NotificationEvent.self, body) }
        }

        /// The body as a payload in a third party's format (Slack, PagerDuty,
        /// a template's own JSON): plain JSON, its keys as the model spells them.
        func payload<Model: Decodable>(_ model: Model.Type) throws -> Model {
            try JSONDecoder().decode(Model.self, from: Data(body.utf8))
        }
    }

    struct Answer: Sendable {
        var status: HTTPResponse.Status
        var headers: HTTPFields = [:]
        var body: String = ""
        /// Waits this long before answering (a slow receiver).
        var delay: Duration = .zero

        static let ok = Answer(status: .ok, body: "ok")
    }

    private let log = Mutex<[Received]>([])
    private let script: Mutex<@Sendable (Int) -> Answer>
    private let task = Mutex<Task<Void, any Error>?>(nil)
    private let boundPort = Mutex(0)
    var port: Int { boundPort.withLock { $0 } }

    private init(_ script: @escaping @Sendable (Int) -> Answer) {
        self.script = Mutex(script)
    }

    /// Starts listening; returns once the port is known.
    static func start(_ script: @escaping @Sendable (Int) -> Answer = { _ in .ok }) async throws -> Receiver {
        let receiver = Receiver(script)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let router = Router()
        router.add(middleware: Recorder(receiver: receiver))
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
                              logger: {
                                  var logger = Logger(label: "receiver")
                                  logger.logLevel = .critical
                                  return logger
                              }())
        receiver.task.withLock { $0 = Task { try await app.runService(gracefulShutdownSignals: []) } }
        for await port in ports {
            receiver.boundPort.withLock { $0 = port }
            break
        }
        return receiver
    }

    var url: String { "http://127.0.0.1:\(port)/hook" }

    func stop() {
        task.withLock { $0?.cancel() }
    }

    deinit {
        task.withLock { $0?.cancel() }
    }

    /// Changes how the following requests are answered.
    func answer(_ script: @escaping @Sendable (Int) -> Answer) {
        self.script.withLock { $0 = script }
    }

    var received: [Received] {
        log.withLock { $0 }
    }

    /// Waits until `count` requests arrived (or `timeout` passed); returns them.
    @discardableResult
    func wait(for count: Int, timeout: Duration = .seconds(10), tick: () -> Void = {}) async throws -> [Received] {
        let start = ContinuousClock.now
        while received.count < count, ContinuousClock.now - start < timeout {
            tick()
            try await Task.sleep(for: .milliseconds(20))
        }
        return received
    }

    struct Recorder: RouterMiddleware {
        let receiver: Receiver

        func handle(_ request: Request, context: BasicRequestContext,
                    next: (Request, BasicRequestContext) async throws -> Response) async throws -> Response {
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            let index = receiver.log.withLock { log in
                log.append(Received(method: request.method.rawValue, path: request.uri.path, headers: request.headers,
                                    body: String(buffer: body)))
                return log.count - 1
            }
            let answer = receiver.script.withLock { $0 }(index)
            if answer.delay > .zero { try await Task.sleep(for: answer.delay) }
            return Response(status: answer.status, headers: answer.headers, body: .init(byteBuffer: ByteBuffer(string: answer.body)))
        }
    }
}
