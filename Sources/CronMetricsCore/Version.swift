/// The product's version: the one place it is written (`cronmetrics --version`,
/// `cronmetrics_build_info`; a test holds the OpenAPI document to it).
public enum CronMetricsVersion {
    public static let current = "0.2.0"
}
