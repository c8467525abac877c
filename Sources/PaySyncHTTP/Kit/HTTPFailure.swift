import PaySyncCore

/// The one classification of HTTP failures into exit codes, for every provider and CRM (and for
/// `HTTPError`, what retries leave):
///
/// | status | exit | why |
/// | --- | --- | --- |
/// | 401, 403 | 77 | credentials refused (after one refresh for 401): a person must act |
/// | 429, and a wait beyond the retry budget | 75 | try again later; nothing is lost |
/// | 408, 5xx, transport failures | 69 | the service is unavailable |
/// | any other 4xx | 65 | the request or its data was refused: retrying the same will not help |
public enum HTTPFailure {
    public static func exitCode(status: Int) -> ExitCode {
        switch status {
        case 401, 403: .authenticationFailed
        case 429: .temporaryFailure
        case 408: .unavailable
        // A 2xx the caller cannot use (a refusal in the body, as Zoho and FreshBooks send, or an
        // answer that does not parse): the provider's considered answer, not an outage.
        case 200..<300: .dataError
        case 400..<500: .dataError
        default: .unavailable
        }
    }

    /// The error for a call that answered `response` and will not be retried: an
    /// `AuthenticationError` for 401/403 (with the provider's `hint` for what to check), otherwise
    /// an `APIError` carrying the provider's problem and the exit code above.
    public static func error(_ response: HTTPResponse, call: String, label: String, provider: String,
                             problem: ProviderProblem?, hint: String? = nil) -> any PaySyncError {
        let said = problem?.description.nonEmpty ?? response.bodyExcerpt()
        switch exitCode(status: response.status) {
        case .authenticationFailed:
            return AuthenticationError(label: label, message: "\(provider) refused access (\(response.status) \(said))" + (hint.map { "; \($0)" } ?? ""))
        default:
            return APIError(label: label, provider: provider, call: call, status: response.status, problem: said, hint: hint)
        }
    }
}

/// A provider or CRM answered a call with a failure that retrying will not fix (or will not fix
/// within this run). Keeps the provider's own code and message, never a token.
public struct APIError: PaySyncError, Equatable {
    /// The source or sink's config name.
    public var label: String
    /// The provider's display name (`Xero`).
    public var provider: String
    /// `GET api.xero.com/api.xro/2.0/Invoices`.
    public var call: String
    public var status: Int
    /// The provider's code and message, or a body excerpt.
    public var problem: String
    public var hint: String?

    public var exitCode: ExitCode { HTTPFailure.exitCode(status: status) }

    public var description: String {
        "\(label): \(call) answered HTTP \(status): \(problem)" + (hint.map { "; \($0)" } ?? "")
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
