import Foundation

/// A job as the fields of its file, in JSON: what the API takes and returns,
/// what PATCH merges into, and the one way from request fields to a ``Job``:
/// the job-file decoder itself (JSON is YAML), so files and requests are held
/// to the same rules with the same messages.
public enum JobFields {
    /// The fields of `job`'s file (``Job/fields``).
    public static func fields(of job: Job) -> [String: JSONValue] {
        job.fields
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
