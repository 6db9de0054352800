/// `GET /api/job`: the jobs that match the filter, by id.
public struct JobList: Codable, Sendable {
    public var jobs: [JobRecord]

    public init(jobs: [JobRecord]) {
        self.jobs = jobs
    }
}
