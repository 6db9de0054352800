import CronMetricsCore
import Testing

@Suite("Schedules in words")
struct ScheduleWordsTests {
    @Test("the common shapes in words; anything else as written", arguments: [
        ("*/15 * * * *", "every 15 minutes"),
        ("0 * * * *", "every hour, on the hour"),
        ("5 * * * *", "every hour at minute 5"),
        ("0 */6 * * *", "every 6 hours at minute 0"),
        ("30 2 * * *", "at 02:30 every day"),
        ("0 9,17 * * *", "at 09:00, 17:00 every day"),
        ("30 2 * * 1-5", "at 02:30 on Monday to Friday"),
        ("0 3 * * sun", "at 03:00 on Sunday"),
        ("0 4 1 * *", "at 04:00 on day 1 of the month"),
        ("@daily", "every day at 00:00"),
        ("0 0 1 1 *", "on the schedule `0 0 1 1 *`"),
        ("1-5 * * * *", "on the schedule `1-5 * * * *`"),
    ])
    func words(_ schedule: String, _ expected: String) {
        #expect(ScheduleWords.describe(schedule) == expected)
    }
}
