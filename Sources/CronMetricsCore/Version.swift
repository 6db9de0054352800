public enum CronMetricsCoreVersion { public static let version = "0.1.0" }
