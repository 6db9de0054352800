import CronMetricsCore

/// GitHub Actions workflow commands (`::error file=…,line=…,col=…::message`).
enum GitHubAnnotation {
    static func line(for diagnostic: JobFileDiagnostic) -> String {
        let kind = diagnostic.severity == .error ? "error" : "warning"
        return "::\(kind) file=\(escapeProperty(diagnostic.path)),line=\(diagnostic.line),col=\(diagnostic.column)::"
            + escapeMessage(diagnostic.message)
    }

    static func escapeMessage(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25")
            .replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    static func escapeProperty(_ text: String) -> String {
        escapeMessage(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}
