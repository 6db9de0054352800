import ArgumentParser

/// `--config`, shared by every command that reads the configuration.
struct ConfigFileOption: ParsableArguments {
    @Option(help: "The configuration file (default: $CRONMETRICS_CONFIG, else none).")
    var config: String?
}
