/// Why an SMTP conversation failed.
enum SMTPError: Error, CustomStringConvertible, Sendable {
    /// The server answered a command with a failure code.
    case rejected(command: String, reply: SMTPReply)
    /// It said something that is not SMTP, or not what the step expects.
    case protocolViolation(String)
    /// The server does not offer what the channel needs (STARTTLS, AUTH).
    case unsupported(String)
    /// The connection closed or timed out.
    case connection(String)

    var description: String {
        switch self {
        case let .rejected(command, reply): "SMTP \(reply.code) after \(command): \(reply.text)"
        case let .protocolViolation(text): "SMTP protocol: \(text)"
        case let .unsupported(text): "SMTP server: \(text)"
        case let .connection(text): "SMTP connection: \(text)"
        }
    }

    /// The SMTP reply code, when there was one.
    var code: Int? {
        if case let .rejected(_, reply) = self { return reply.code }
        return nil
    }
}
