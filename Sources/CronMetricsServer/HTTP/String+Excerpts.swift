extension String {
    /// At most 64 characters of a client's text, for error messages.
    var excerpt: String {
        count <= 64 ? self : prefix(64) + "…"
    }

    /// The last `maxBytes` bytes of the string's UTF-8, starting on a character
    /// boundary: the end of a job's output is where its error is.
    func utf8Tail(maxBytes: Int) -> String {
        let utf8 = self.utf8
        guard utf8.count > maxBytes else { return self }
        var start = utf8.index(utf8.endIndex, offsetBy: -maxBytes)
        while start < utf8.endIndex, UTF8.isContinuation(utf8[start]) {
            start = utf8.index(after: start)
        }
        return String(utf8[start...]) ?? ""
    }
}
