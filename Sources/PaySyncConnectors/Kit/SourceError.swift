import Foundation
import PaySyncCore

/// A provider answered with something paysync cannot use, or refused a request.
public struct SourceError: PaySyncError, Equatable {
    /// The source's config name.
    public var source: String
    public var message: String
    public var exitCode: ExitCode

    public init(source: String, message: String, exitCode: ExitCode) {
        self.source = source
        self.message = message
        self.exitCode = exitCode
    }

    public var description: String { "\(source): \(message)" }
}

extension SourceError {
    /// A provider body that is not JSON at all, said with the line and column where reading stopped.
    public static func malformedJSON(_ error: JSONSyntaxError, source: String) -> SourceError {
        SourceError(source: source, message: "\(error.source), line \(error.line) column \(error.column): malformed JSON: \(error.message)", exitCode: .dataError)
    }

    /// A body that would not decode into the shape expected at `location`: a syntax error when it
    /// is not JSON (the decoders' own messages do not name a line), else `shape`, the decoder's account.
    public static func undecodable(_ body: Data, source: String, at location: String, shape: @autoclosure () -> String) -> SourceError {
        do {
            _ = try JSONParser.parse(body, source: location)
        } catch {
            return malformedJSON(error, source: source)
        }
        return SourceError(source: source, message: "\(location): unexpected response shape: \(shape())", exitCode: .dataError)
    }
}
