import Foundation

/// Where the PostgreSQL store is and how to reach it: `storage.url` and the
/// settings beside it. The password never comes from the URL (it would be
/// shown in `config show`, in process lists and in logs): it comes from a
/// file or an environment variable.
public struct PostgresSettings: Sendable, Hashable {
    /// How the connection is encrypted and checked (`storage.tls.mode`).
    public enum TLSMode: String, Sendable, CaseIterable {
        /// Plain TCP: loopback and trusted networks only.
        case disable
        /// Encrypted, the server's certificate not checked (libpq's `require`).
        case require
        /// Encrypted, the certificate checked against `storage.tls.ca_file`
        /// (or the system's roots) and the host name.
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    public var password: String?
    public var tlsMode: TLSMode
    /// PEM file of the CA(s) that sign the server's certificate; nil: the system's roots.
    public var caFile: String?
    /// Connections at most (`storage.pool_size`).
    public var poolSize: Int
    /// A statement running longer is cancelled by the server (`storage.statement_timeout`).
    public var statementTimeout: Duration
    /// How long to wait for a connection (to open one, or for one of the
    /// pool to be free) before a request is answered 503.
    public var connectTimeout: Duration

    public init(host: String, port: Int = 5432, user: String, database: String, password: String? = nil,
                tlsMode: TLSMode = .verifyFull, caFile: String? = nil, poolSize: Int = 10,
                statementTimeout: Duration = .seconds(30), connectTimeout: Duration = .seconds(5)) {
        self.host = host
        self.port = port
        self.user = user
        self.database = database
        self.password = password
        self.tlsMode = tlsMode
        self.caFile = caFile
        self.poolSize = poolSize
        self.statementTimeout = statementTimeout
        self.connectTimeout = connectTimeout
    }

    /// The parts of `postgres://user@host:port/database`.
    /// - Throws: a sentence naming what is wrong (a password in the URL, a
    ///   missing user or database, a query string).
    public init(url text: String) throws(PostgresURLError) {
        guard let components = URLComponents(string: text), let scheme = components.scheme,
              ["postgres", "postgresql"].contains(scheme.lowercased()) else {
            // Not echoed: a URL that does not parse may hold a password anywhere.
            throw PostgresURLError("storage.url must look like postgres://user@host:port/database")
        }
        guard components.password == nil else {
            throw PostgresURLError("storage.url must not contain a password: put it in a file named by storage.password_file, "
                + "or in an environment variable named by storage.password_env")
        }
        guard let user = components.percentEncodedUser.flatMap({ $0.removingPercentEncoding }), !user.isEmpty else {
            throw PostgresURLError("storage.url names no user: postgres://user@host:port/database")
        }
        guard let host = components.host, !host.isEmpty else {
            throw PostgresURLError("storage.url names no host: postgres://user@host:port/database")
        }
        let database = String(components.path.drop { $0 == "/" }).removingPercentEncoding ?? ""
        guard !database.isEmpty, !database.contains("/") else {
            throw PostgresURLError("storage.url names no database: postgres://user@host:port/database")
        }
        guard components.query == nil, components.fragment == nil else {
            throw PostgresURLError("storage.url takes no options after the database: TLS is storage.tls.mode and storage.tls.ca_file, "
                + "the pool storage.pool_size, the timeout storage.statement_timeout")
        }
        self.init(host: host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host,
                  port: components.port ?? 5432, user: user, database: database)
    }

    /// `postgres://user@host:port/database`, never with a password.
    public var location: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "postgres://\(user)@\(shownHost):\(port)/\(database)"
    }
}

extension PostgresSettings: CustomStringConvertible {
    /// The location and options; the password only as whether there is one.
    public var description: String {
        "\(location) (tls: \(tlsMode.rawValue), pool: \(poolSize), password: \(password == nil ? "none" : "set"))"
    }
}

/// Why `storage.url` cannot be used.
public struct PostgresURLError: Error, CustomStringConvertible, Hashable {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
