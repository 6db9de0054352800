import CronMetricsCore

/// A Slack message (mrkdwn) for an event: the summary, the last lines of
/// output in a code block, the link.
enum SlackText {
    static func make(_ event: NotificationEvent) -> String {
        let mark = event.kind == .down ? ":red_circle:" : event.kind == .up ? ":large_green_circle:" : ":information_source:"
        var text = "\(mark) "
        if event.kind == .test {
            text += escape(event.summary)
        } else {
            text += "*\(escape(event.jobId))* " + escape(String(event.summary.dropFirst(event.jobId.count + 1)))
        }
        if event.kind == .down, let output = event.lastRun?.output, !output.isEmpty {
            let tail = String(output.suffix(1500)).replacingOccurrences(of: "```", with: "` ` `")
            text += "\n```\(escape(tail))```"
        }
        if let url = event.url { text += "\n<\(url)|Open in cronmetrics>" }
        return text
    }

    /// Slack's three control characters.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
