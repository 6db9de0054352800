import CronMetricsCore
import Foundation

/// Times and durations as the dashboard writes them.
enum TimeWords {
    static func relative(_ date: Date, now: Date) -> String {
        let seconds = now.timeIntervalSince(date)
        let magnitude = abs(seconds)
        let text: String
        switch magnitude {
        case ..<45: return seconds >= 0 ? "just now" : "in a moment"
        case ..<(90 * 60): text = "\(Int((magnitude / 60).rounded())) min"
        case ..<(36 * 3600): text = "\(Int((magnitude / 3600).rounded())) h"
        default: text = "\(Int((magnitude / 86_400).rounded())) d"
        }
        return seconds >= 0 ? text + " ago" : "in " + text
    }

    static func absolute(_ date: Date) -> String {
        let text = RFC3339.format(date)
        // 2026-11-24T10:00:00Z → 2026-11-24 10:00:00 UTC
        guard text.hasSuffix("Z") else { return text }
        return text.dropLast().replacingOccurrences(of: "T", with: " ") + " UTC"
    }

    static func duration(_ seconds: Double) -> String {
        switch seconds {
        case ..<1: String(format: "%.0f ms", seconds * 1000)
        case ..<60: String(format: "%.1f s", seconds)
        case ..<3600: String(format: "%d min %02d s", Int(seconds) / 60, Int(seconds) % 60)
        default: String(format: "%d h %02d min", Int(seconds) / 3600, Int(seconds) % 3600 / 60)
        }
    }
}
