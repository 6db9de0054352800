import Foundation
import Mustache

/// One channel of `notifications.channels` as configured, its secrets already
/// read from their files or environment variables.
public struct ChannelDefinition: Sendable {
    public enum Target: Sendable {
        case webhook(Webhook)
        case slack(url: String)
        case email(Email)
        case pagerduty(PagerDuty)
    }

    public struct Webhook: Sendable {
        public var url: String
        public var method: String
        public var headers: [(name: String, value: String)]
        /// The body; nil sends the event as JSON.
        public var template: MustacheTemplate?
        /// Signs the body: `X-Cronmetrics-Signature: sha256=<hex HMAC-SHA256>`.
        public var secret: String?

        public init(url: String, method: String = "POST", headers: [(name: String, value: String)] = [],
                    template: MustacheTemplate? = nil, secret: String? = nil) {
            self.url = url
            self.method = method
            self.headers = headers
            self.template = template
            self.secret = secret
        }
    }

    public struct Email: Sendable {
        public enum Security: String, Sendable {
            /// Plain SMTP (no AUTH allowed).
            case none
            /// Plain, then `STARTTLS` before anything else is said.
            case starttls
            /// TLS from the first byte (SMTPS, port 465).
            case tls
        }
        public var host: String
        public var port: Int
        public var security: Security
        public var username: String?
        public var password: String?
        public var from: String
        public var to: [String]
        /// Trust these certificates (PEM) instead of the system's.
        public var caFile: String?

        public init(host: String, port: Int, security: Security, username: String? = nil, password: String? = nil,
                    from: String, to: [String], caFile: String? = nil) {
            self.host = host
            self.port = port
            self.security = security
            self.username = username
            self.password = password
            self.from = from
            self.to = to
            self.caFile = caFile
        }
    }

    public struct PagerDuty: Sendable {
        public var routingKey: String
        public var url: String
        public var severity: String

        public init(routingKey: String, url: String = "https://events.pagerduty.com/v2/enqueue", severity: String = "critical") {
            self.routingKey = routingKey
            self.url = url
            self.severity = severity
        }
    }

    public var name: String
    public var target: Target
    /// Deliveries to this channel at once.
    public var concurrency: Int
    /// Where it is defined (`cronmetrics.yaml:12:5`).
    public var source: String
    /// How each secret was given (`secret: file /etc/…`), for `config show`.
    public var secretSources: [String]

    public init(name: String, target: Target, concurrency: Int = 4, source: String = "", secretSources: [String] = []) {
        self.name = name
        self.target = target
        self.concurrency = concurrency
        self.source = source
        self.secretSources = secretSources
    }

    public var kind: ChannelKind {
        switch target {
        case .webhook: .webhook
        case .slack: .slack
        case .email: .email
        case .pagerduty: .pagerduty
        }
    }

    /// What `config show` prints: where messages go, never a secret. A URL shows
    /// its scheme and host only (paths and queries often carry tokens).
    public var summary: String {
        var parts: [String] = [kind.rawValue]
        switch target {
        case let .webhook(hook): parts.append("\(hook.method) \(Self.masked(hook.url))")
        case let .slack(url): parts.append(Self.masked(url))
        case let .email(mail):
            parts.append("smtp://\(mail.host):\(mail.port) (\(mail.security.rawValue)) → \(mail.to.joined(separator: ", "))")
        case let .pagerduty(pager): parts.append(Self.masked(pager.url))
        }
        if !secretSources.isEmpty { parts.append("[" + secretSources.joined(separator: "; ") + "]") }
        return parts.joined(separator: " ")
    }

    static func masked(_ url: String) -> String {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host else {
            return "(url masked)"
        }
        let port = components.port.map { ":\($0)" } ?? ""
        return components.path.isEmpty || components.path == "/" ? "\(scheme)://\(host)\(port)" : "\(scheme)://\(host)\(port)/…"
    }
}
