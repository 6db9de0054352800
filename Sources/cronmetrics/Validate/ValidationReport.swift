import CronMetricsCore

/// The `--format json` report.
struct ValidationReport: Encodable {
    var valid: Bool
    var jobs: Int
    var files: Int
    var errors: [JobFileDiagnostic]
    var warnings: [JobFileDiagnostic]
    var error: String?

    init(load: TreeLoad) {
        valid = load.catalog != nil
        jobs = load.jobCount
        files = load.fileCount
        errors = load.errors
        warnings = load.warnings
    }

    init(error: String) {
        valid = false
        jobs = 0
        files = 0
        errors = []
        warnings = []
        self.error = error
    }

    func json() -> String {
        JSONText.encode(self)
    }
}
