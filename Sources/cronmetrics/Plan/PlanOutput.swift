import CronMetricsCore
import Foundation

/// A ``JobPlan`` as text (a terminal, a CI log) or markdown (a pull-request
/// comment). JSON is the plan itself.
enum PlanOutput {
    /// The first line of the markdown: the example workflow finds its own
    /// comment by it, to update it in place.
    static let marker = "<!-- cronmetrics-plan -->"

    static func summary(_ plan: JobPlan) -> String {
        guard !plan.changes.isEmpty else { return "no changes" }
        return ["add", "change", "remove"].map { "\(plan.count($0)) to \($0)" }.joined(separator: ", ")
    }

    static func warningCount(_ plan: JobPlan) -> String {
        plan.warnings.count == 1 ? "1 warning" : "\(plan.warnings.count) warnings"
    }

    static func text(_ plan: JobPlan, directory: String) -> String {
        var lines = ["Plan for \(directory) against \(plan.basis) (as of \(RFC3339.format(plan.basisTime))): "
            + "\(summary(plan)), \(warningCount(plan))"]
        if !plan.changes.isEmpty { lines.append("") }
        let width = plan.changes.map(\.job.count).max() ?? 0
        for change in plan.changes {
            let sign = ["add": "+", "change": "~", "remove": "-"][change.action] ?? "?"
            lines.append("\(sign) \(change.action.padding(toLength: 7, withPad: " ", startingAt: 0)) "
                + "\(change.job.padding(toLength: width, withPad: " ", startingAt: 0))  \(change.path)")
            for field in change.fields {
                lines.append("      \(field.field): \(describe(field))")
            }
        }
        if !plan.warnings.isEmpty {
            lines.append("")
            lines.append("Warnings:")
            for warning in plan.warnings {
                lines.append("  ! \(warning.job) (\(warning.kind)): \(warning.message)")
            }
        }
        return lines.joined(separator: "\n")
    }

    static func markdown(_ plan: JobPlan, directory: String) -> String {
        var lines = [marker, "### cronmetrics plan for `\(directory)`", ""]
        lines.append("**\(summary(plan))**, \(warningCount(plan)) (against the server as of \(RFC3339.format(plan.basisTime)))")
        if !plan.changes.isEmpty {
            lines += ["", "| | job | file | changes |", "|---|---|---|---|"]
            for change in plan.changes {
                let fields = change.fields.map { "\(code($0.field)): \(describe($0, code: true))" }.joined(separator: "<br>")
                lines.append("| \(change.action) | \(code(change.job)) | \(code(change.path)) | \(fields) |")
            }
        }
        if !plan.warnings.isEmpty {
            lines += ["", "#### Warnings", ""]
            for warning in plan.warnings {
                lines.append("- :warning: \(code(warning.job)) (\(warning.kind)): \(cell(warning.message))")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// `before -> after`; the key hash only as changed, added or removed.
    static func describe(_ change: JobPlan.FieldChange, code asCode: Bool = false) -> String {
        if change.secret == true { return "changed" }
        func value(_ value: JSONValue?) -> String {
            guard let value, value != .null else { return "(none)" }
            return asCode ? code(value.canonical) : value.canonical
        }
        return "\(value(change.before)) -> \(value(change.after))"
    }

    /// A code span that holds any text, in a table cell.
    static func code(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "|", with: "\\|")
        // A fence one backtick longer than the longest run inside: a value
        // from a pull request cannot close the span and write markdown of its own.
        var longest = 0, run = 0
        for character in flat {
            run = character == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        guard longest > 0 else { return "`\(flat)`" }
        let fence = String(repeating: "`", count: longest + 1)
        return "\(fence) \(flat) \(fence)"
    }

    static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "|", with: "\\|")
    }
}
