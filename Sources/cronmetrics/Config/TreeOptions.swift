import ArgumentParser
import CronMetricsCore

/// `--config` and `--jobs-dir`: what every command that reads the jobs tree takes.
struct TreeOptions: ParsableArguments {
    @Option(help: "The configuration file (default: $CRONMETRICS_CONFIG, else /etc/cronmetrics/config.yaml if it exists).")
    var config: String?
    @Option(help: "The jobs directory (default: $CRONMETRICS_JOBS_DIR, then jobs.dir of --config, then ./jobs.d).")
    var jobsDir: String?

    /// The settings with these flags over the file and the environment.
    func settings(_ more: [ConfigKey: FlagValue] = [:]) throws -> AppConfiguration {
        var flags = more
        if let jobsDir { flags[.jobsDir] = FlagValue(jobsDir, flag: "--jobs-dir") }
        return try Settings.load(configFile: config, flags: flags)
    }
}
