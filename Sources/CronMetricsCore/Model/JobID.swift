/// The identity of a job: `job_name@host`, unique across the whole `jobs.d` tree.
public struct JobID: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    public let jobName: String
    public let host: String

    /// - Parameters:
    ///   - jobName: a valid identifier (see ``Identifier``).
    ///   - host: a valid identifier (see ``Identifier``).
    public init(jobName: String, host: String) {
        self.jobName = jobName
        self.host = host
    }

    /// Parses `job_name@host`; returns nil unless both halves are valid identifiers.
    public init?(_ text: String) {
        guard let at = text.firstIndex(of: "@") else { return nil }
        let name = String(text[..<at])
        let host = String(text[text.index(after: at)...])
        guard Identifier.isValid(name), Identifier.isValid(host), Self.problem(jobName: name, host: host) == nil else { return nil }
        self.init(jobName: name, host: host)
    }

    public var description: String { "\(jobName)@\(host)" }

    /// The longest `job_name@host`: its file, `<id>.yaml`, must fit the file
    /// system's 255-byte name limit (identifiers are ASCII, so bytes = characters).
    public static let maxLength = 250

    /// Why `job_name@host` cannot be an id (too long for its file name), or nil.
    /// Each half must already be a valid ``Identifier``.
    public static func problem(jobName: String, host: String) -> String? {
        let length = jobName.utf8.count + 1 + host.utf8.count
        guard length > maxLength else { return nil }
        return "job id '\(jobName.prefix(16))…@\(host.prefix(16))…' is \(length) characters long; job_name@host may be at most \(maxLength), so that its file name <id>.yaml fits the file system"
    }

    /// The file name the API and CLI give a new job's file. It is always one path
    /// component: identifiers cannot hold `/`, and cannot start with `.`.
    public var fileName: String { "\(description).yaml" }

    public static func < (lhs: JobID, rhs: JobID) -> Bool {
        (lhs.jobName, lhs.host) < (rhs.jobName, rhs.host)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = JobID(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a job id: \(text)"))
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
