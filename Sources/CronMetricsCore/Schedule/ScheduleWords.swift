/// A cron schedule in words, for people reading a dashboard: the common
/// shapes (`*/15 * * * *` → "every 15 minutes", `30 2 * * 1-5` → "at 02:30
/// on Monday to Friday"); anything else is "on the schedule …" as written.
public enum ScheduleWords {
    public static func describe(_ text: String) -> String {
        let macros = ["@yearly": "once a year, at 00:00 on 1 January", "@annually": "once a year, at 00:00 on 1 January",
                      "@monthly": "once a month, at 00:00 on the 1st", "@weekly": "once a week, at 00:00 on Sunday",
                      "@daily": "every day at 00:00", "@midnight": "every day at 00:00", "@hourly": "every hour, on the hour"]
        if let words = macros[text.lowercased()] { return words }
        let fields = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        let fallback = "on the schedule `\(text)`"
        guard fields.count == 5 else { return fallback }
        let (minute, hour, dayOfMonth, month, dayOfWeek) = (fields[0], fields[1], fields[2], fields[3], fields[4])
        let time: String
        if minute == "*", hour == "*" {
            time = "every minute"
        } else if minute.hasPrefix("*/"), hour == "*", let step = Int(minute.dropFirst(2)) {
            time = "every \(step) minutes"
        } else if let m = Int(minute), hour == "*" {
            time = m == 0 ? "every hour, on the hour" : "every hour at minute \(m)"
        } else if let m = Int(minute), hour.hasPrefix("*/"), let step = Int(hour.dropFirst(2)) {
            time = "every \(step) hours at minute \(m)"
        } else if let m = Int(minute), (0...59).contains(m) {
            let hours = hour.split(separator: ",").map { Int($0) }
            guard !hours.isEmpty, hours.allSatisfy({ $0.map { (0...23).contains($0) } == true }) else { return fallback }
            time = "at " + hours.map { pad($0!) + ":" + pad(m) }.joined(separator: ", ")
        } else {
            return fallback
        }
        var days = ""
        if dayOfMonth == "*", dayOfWeek == "*" {
            if time.hasPrefix("at ") { days = " every day" }
        } else if dayOfMonth == "*", let weekdays = weekdays(dayOfWeek) {
            days = " on " + weekdays
        } else if dayOfWeek == "*", let day = Int(dayOfMonth), (1...31).contains(day) {
            days = " on day \(day) of the month"
        } else {
            return fallback
        }
        guard month == "*" else { return fallback }
        return time + days
    }

    private static let names = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    private static let short = ["sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6]

    private static func weekday(_ text: Substring) -> Int? {
        if let number = Int(text), (0...7).contains(number) { return number }
        return short[text.lowercased()]
    }

    private static func weekdays(_ field: String) -> String? {
        var parts: [String] = []
        for item in field.split(separator: ",") {
            let range = item.split(separator: "-")
            if range.count == 2, let from = weekday(range[0]), let to = weekday(range[1]) {
                parts.append("\(names[from]) to \(names[to])")
            } else if range.count == 1, let day = weekday(range[0]) {
                parts.append(names[day])
            } else {
                return nil
            }
        }
        return parts.joined(separator: ", ")
    }

    private static func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
