import Foundation

/// A job as the fields of its file, in JSON: what the API takes and returns,
/// what PATCH merges into, and the one way from request fields to a ``Job``:
/// the job-file decoder itself (JSON is YAML), so files and requests are held
/// to the same rules with the same messages.
public enum JobFields {
    /// The fields of `job`'s file.
    public static func fields(of job: Job) -> [String: JSONValue] {
        var fields: [String: JSONValue] = [
            "version": .integer(Int64(Job.schemaVersion)), "job_name": .string(job.jobName), "host": .string(job.host),
            "status": .string(job.status.rawValue), "labels": .object(job.labels.mapValues(JSONValue.string)),
        ]
        fields["automatic_failure_threshold"] = job.threshold.map(JSONValue.init(duration:))
        fields["schedule"] = job.schedule.map { .string($0.text) }
        fields["timezone"] = job.timezone.map(JSONValue.string)
        fields["grace"] = job.grace.map(JSONValue.init(duration:))
        fields["max_runtime"] = job.maxRuntime.map(JSONValue.init(duration:))
        fields["notify"] = job.notify.map { .array($0.map(JSONValue.string)) }
        if let until = job.maintenanceUntil { fields["maintenance_until"] = .string(RFC3339.format(until)) }
        if let hash = job.apiKeySHA256 { fields["api_key_sha256"] = .string(hash) }
        if let description = job.description { fields["description"] = .string(description) }
        return fields
    }

    /// Decodes fields into a job (`version` may be left out).
    /// - Throws: ``JobEditError/invalidJob(_:)`` with every error, each naming its field.
    public static func job(from fields: [String: JSONValue]) throws(JobEditError) -> Job {
        var fields = fields
        if fields["version"] == nil { fields["version"] = .integer(Int64(Job.schemaVersion)) }
        let data: Data
        do {
            data = try APICoding.encoder.encode(fields)
        } catch {
            throw .invalidField(field: "body", message: "cannot be written as JSON")
        }
        let decoded = JobFileDecoder().decode(data, path: "body")
        guard let job = decoded.job else {
            throw .invalidJob(decoded.diagnostics.filter { $0.severity == .error })
        }
        return job
    }
}
