import ArgumentParser

/// `cronmetrics notify …`: the notification outbox, in the server's database
/// file or through a server (`--server`).
struct NotifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notify", abstract: "List notifications, requeue or delete dead letters, and send a test message.",
        discussion: "Works on the database the server uses (--config or --database; the server picks requeued rows up at its next poll) or, with --server, through a server's API.",
        subcommands: [NotifyListCommand.self, NotifyShowCommand.self, NotifyRequeueCommand.self, NotifyDeleteCommand.self, NotifyTestCommand.self])
}
