/// The sign-in page's view model.
struct SignInModel: Sendable {
    var csrf: String
    var next: String
    var error: String?
    /// No keys are configured: nobody can sign in, and the page says so.
    var noKeys: Bool
}
