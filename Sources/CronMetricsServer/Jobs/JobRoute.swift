import CronMetricsCore

/// Path helpers for `/api/job/{id}`.
enum JobRoute {
    static func id(_ context: AppRequestContext) throws(APIError) -> JobID {
        let text = context.parameters.get("id") ?? ""
        guard let id = JobID(text) else {
            throw APIError(.notFound, "no job \(text.prefix(64)): ids are job_name@host")
        }
        return id
    }
}
