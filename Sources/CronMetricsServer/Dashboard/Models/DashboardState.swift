import CronMetricsCore
import Foundation

/// What the dashboard calls a job's state: the exported status folded into
/// the words an operator scans for, in the order they need attention.
enum DashboardState: String, Sendable, CaseIterable {
    case failing, late, running, pending, up, maintenance, paused, retired

    init(_ snapshot: JobSnapshot, now: Date) {
        self.init(job: snapshot.job, state: snapshot.state, verdict: snapshot.verdict, now: now)
    }

    init(job: Job, state: JobState, verdict: Verdict?, now: Date) {
        guard let verdict else { self = .retired; return }
        switch verdict.status {
        case .paused: self = .paused
        case .maintenance: self = .maintenance
        case .failure, .missedDeadline, .timeout: self = .failing
        case .pending, .success:
            if !state.openRuns.isEmpty {
                self = .running
            } else if Verdict.isLate(nextExpected: verdict.nextExpected, graceSeconds: job.graceSeconds, now: now) {
                self = .late
            } else {
                self = verdict.status == .pending ? .pending : .up
            }
        }
    }

    /// The states counted at the top of the overview (retired only when there are some).
    static let counted: [DashboardState] = [.up, .failing, .late, .running, .pending, .maintenance, .paused]

    var needsAttention: Bool { self == .failing || self == .late }
    var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }
}
