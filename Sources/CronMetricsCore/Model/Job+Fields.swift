import Foundation

/// A job as the fields of its file: the one mapping from ``Job`` to its
/// keys. The file's renderer, the API, PATCH and the store all read a job
/// through it, so a new key (a case of ``JobFileKey``) does not compile
/// until it says its value here, and then appears everywhere.
extension Job {
    /// The value of `key` as JSON, nil when the file leaves it out.
    public func value(of key: JobFileKey) -> JSONValue? {
        switch key {
        case .version: .integer(Int64(Job.schemaVersion))
        case .jobName: .string(jobName)
        case .host: .string(host)
        case .automaticFailureThreshold: threshold.map(JSONValue.init(duration:))
        case .schedule: schedule.map { .string($0.text) }
        case .timezone: timezone.map(JSONValue.string)
        case .grace: grace.map(JSONValue.init(duration:))
        case .maxRuntime: maxRuntime.map(JSONValue.init(duration:))
        case .status: .string(status.rawValue)
        case .maintenanceUntil: maintenanceUntil.map { .string(RFC3339.format($0)) }
        case .maintenanceWindows: maintenanceWindows.isEmpty ? nil : .array(maintenanceWindows.map(\.json))
        case .labels: .object(labels.mapValues(JSONValue.string))
        case .notify: notify.map { .array($0.map(JSONValue.string)) }
        case .alertAfter: alertAfter.map { .integer(Int64($0)) }
        case .escalate: escalate.isEmpty ? nil : .array(escalate.map(\.json))
        case .dependsOn: dependsOn.isEmpty ? nil : .array(dependsOn.map { .string($0.description) })
        case .slo: slo.map(\.json)
        case .metrics: metrics.map(\.json)
        case .apiKeySHA256: apiKeySHA256.map(JSONValue.string)
        case .description: description.map(JSONValue.string)
        }
    }

    /// Every field the file has, by key name.
    public var fields: [String: JSONValue] {
        var fields: [String: JSONValue] = [:]
        for key in JobFileKey.allCases {
            fields[key.rawValue] = value(of: key)
        }
        return fields
    }

    /// The fields as canonical JSON (``JSONValue/canonical``): how the
    /// store keeps a definition, read back by the job-file decoder
    /// (``init(definition:)``).
    public var definitionJSON: String {
        JSONValue.object(fields).canonical
    }

    /// A job from its stored definition, through the job-file decoder: the
    /// rules of a file, so a definition the decoder refuses is an error,
    /// never a job with defaults.
    /// - Throws: the decoder's first error.
    public init(definition: String) throws(JobFileDiagnostic) {
        let decoded = JobFileDecoder().decode(Data(definition.utf8), path: "definition")
        guard let job = decoded.job else {
            throw decoded.diagnostics.first { $0.severity == .error }
                ?? JobFileDiagnostic(path: "definition", line: 1, column: 1, message: "not a job definition")
        }
        self = job
    }
}
