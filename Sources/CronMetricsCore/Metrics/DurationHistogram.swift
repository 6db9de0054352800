/// A job's run durations as the Prometheus histogram `cronjob_duration_seconds`,
/// for the jobs that ask for it (`metrics: {duration_histogram: true}`, or
/// `metrics.duration_histogram` for all): counts per fixed bucket since the
/// job was first counted, and their sum. Kept in `job_state` as a JSON
/// object from bucket index to count (added in SQL by the rollups' sketch
/// merge) and the sum beside it, so every replica exports the same.
public struct DurationHistogram: Sendable, Hashable {
    /// The buckets' upper bounds in seconds (then `+Inf`): a second to a day,
    /// for jobs that run from seconds to hours. 15 buckets, a `_sum` and a
    /// `_count`: 17 series a job.
    public static let bounds: [Double] = [1, 5, 15, 30, 60, 120, 300, 600, 1_800, 3_600, 7_200, 14_400, 28_800, 86_400]

    /// Runs per bucket (not cumulative); the last is above every bound.
    public private(set) var counts = [Int](repeating: 0, count: Self.bounds.count + 1)
    public private(set) var sum = 0.0

    public init() {}

    public var count: Int { counts.reduce(0, +) }

    /// The bucket of a duration: the first bound it does not exceed.
    public static func bucket(_ duration: Double) -> Int {
        bounds.firstIndex { duration <= $0 } ?? bounds.count
    }

    public mutating func add(_ duration: Double) {
        counts[Self.bucket(duration)] += 1
        sum += duration
    }

    /// One run as the store adds it: `{"3":1}`.
    public static func json(_ duration: Double) -> String { "{\"\(bucket(duration))\":1}" }

    /// Reads the stored form; nil when it is not one (a corrupt row).
    public init?(json: String, sum: Double) {
        guard let sketch = DurationSketch(json: json) else { return nil }
        for (key, count) in sketch.buckets {
            guard let index = Int(key), counts.indices.contains(index) else { return nil }
            counts[index] = count
        }
        self.sum = sum
    }
}
