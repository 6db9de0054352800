import Foundation

/// The JSON coding of the HTTP API, configured once and shared by the server
/// (which encodes) and the CLI (which decodes): sorted keys, snake_case names
/// from camelCase properties, RFC 3339 dates in whole seconds.
///
/// Properties of API models are spelt so that the conversion round-trips
/// (`hasApiKey` ↔ `has_api_key`, not `hasAPIKey`).
public enum APICoding {
    public static let encoder = makeEncoder()

    /// - Parameter pretty: indented, for people (the CLI's `--output json`).
    public static func makeEncoder(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(RFC3339.format(date))
        }
        return encoder
    }

    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = RFC3339.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an RFC 3339 date-time: \(text)")
            }
            return date
        }
        return decoder
    }()
}
