import Foundation

/// Where the store is: the SQLite file (`storage.database`, the default) or
/// PostgreSQL (`storage.url` and the settings beside it).
public enum StorageLocation: Sendable, Hashable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(PostgresSettings)

    /// The location the settings name, checked: a URL that parses and holds
    /// no password, a password file that can be read, one password source at
    /// most, a CA file only with `verify-full`.
    /// - Throws: ``ConfigError`` with every problem, each naming its setting and source.
    public init(settings: AppConfiguration, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigError) {
        func source(_ key: ConfigKey) -> String { settings.setting(key)?.source ?? "default" }
        guard let url = settings.optionalString(.storageURL) else {
            self = .sqlite(path: settings.string(.database))
            return
        }
        var problems: [String] = []
        var postgres: PostgresSettings?
        do {
            postgres = try PostgresSettings(url: url)
        } catch {
            problems.append("\(error) (from \(source(.storageURL)))")
        }
        var password: String?
        let file = settings.optionalString(.storagePasswordFile), variable = settings.optionalString(.storagePasswordEnv)
        if file != nil, variable != nil {
            problems.append("storage.password_file and storage.password_env both name a password: give one")
        } else if let file {
            if let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) {
                // One trailing newline is the file's, not the password's.
                password = text.hasSuffix("\r\n") ? String(text.dropLast(2)) : text.hasSuffix("\n") ? String(text.dropLast()) : text
            } else {
                problems.append("storage.password_file: cannot read \(file) (from \(source(.storagePasswordFile)))")
            }
        } else if let variable {
            if let value = environment[variable] {
                password = value
            } else {
                problems.append("storage.password_env: the environment has no variable \(variable) (from \(source(.storagePasswordEnv)))")
            }
        }
        let mode = PostgresSettings.TLSMode(rawValue: settings.string(.storageTLSMode)) ?? .verifyFull
        let caFile = settings.optionalString(.storageTLSCAFile)
        if caFile != nil, mode != .verifyFull {
            problems.append("storage.tls.ca_file is only used with storage.tls.mode: verify-full (the mode is \(mode.rawValue))")
        }
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            problems.append("storage.tls.ca_file: cannot read \(caFile) (from \(source(.storageTLSCAFile)))")
        }
        guard problems.isEmpty, var postgres else { throw ConfigError(problems) }
        postgres.password = password
        postgres.tlsMode = mode
        postgres.caFile = caFile
        postgres.poolSize = settings.integer(.storagePoolSize)
        postgres.statementTimeout = .seconds(settings.seconds(.storageStatementTimeout) ?? 30)
        postgres.connectTimeout = .seconds(settings.seconds(.storageConnectTimeout) ?? 5)
        self = .postgres(postgres)
    }

    /// A file path, or the URL without password.
    public var description: String {
        switch self {
        case let .sqlite(path): path
        case let .postgres(settings): settings.location
        }
    }
}
