import Foundation
import FoundationNetworking
import PaySyncCore

/// The production transport: Foundation's `URLSession` (libcurl on Linux). No caches, no cookies.
///
/// Timeouts: `timeoutSeconds` is the longest silence allowed (while connecting or receiving);
/// `deadlineSeconds` bounds a whole exchange. URLSession on Linux has no separate connect-only
/// timeout; an unreachable host is caught by the silence timeout.
public final class URLSessionTransport: HTTPTransport {
    private let session: URLSession
    private let timeoutSeconds: Double

    public init(timeoutSeconds: Double = 30, deadlineSeconds: Double = 300) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeoutSeconds
        configuration.timeoutIntervalForResource = deadlineSeconds
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.httpMaximumConnectionsPerHost = 8
        self.session = URLSession(configuration: configuration)
        self.timeoutSeconds = timeoutSeconds
    }

    public convenience init(_ settings: HTTPSettings) {
        self.init(timeoutSeconds: settings.timeoutSeconds, deadlineSeconds: settings.deadlineSeconds)
    }

    deinit { session.finishTasksAndInvalidate() }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        var urlRequest = URLRequest(url: request.url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeoutSeconds)
        urlRequest.httpMethod = request.method
        for field in request.headers { urlRequest.addValue(field.value, forHTTPHeaderField: field.name) }
        urlRequest.httpBody = request.body
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: urlRequest)
        } catch let error as URLError {
            throw HTTPError(URLSessionTransport.kind(of: error), call: request.summary, detail: nil)
        } catch is CancellationError {
            throw HTTPError(.cancelled, call: request.summary)
        } catch {
            let nsError = error as NSError
            throw HTTPError(URLSessionTransport.kind(ofCode: nsError.code, domain: nsError.domain), call: request.summary)
        }
        guard let http = response as? HTTPURLResponse else {
            throw HTTPError(.other("not an HTTP response"), call: request.summary)
        }
        // URLSession hands headers over as a dictionary; sort them so recordings and logs are stable.
        var headers = HTTPHeaders()
        let fields = http.allHeaderFields.compactMap { name, value -> (String, String)? in
            guard let name = name as? String, let value = value as? String else { return nil }
            return (name, value)
        }
        for (name, value) in fields.sorted(by: { $0.0.lowercased() < $1.0.lowercased() }) { headers.add(name, value) }
        return HTTPResponse(status: http.statusCode, headers: headers, body: data)
    }

    static func kind(of error: URLError) -> HTTPError.Kind {
        kind(ofCode: error.errorCode, domain: NSURLErrorDomain)
    }

    static func kind(ofCode code: Int, domain: String) -> HTTPError.Kind {
        guard domain == NSURLErrorDomain else { return .other("\(domain) \(code)") }
        switch code {
        case NSURLErrorTimedOut: return .timeout
        case NSURLErrorCannotConnectToHost: return .connectionRefused
        // libcurl reports a body cut short (CURLE_PARTIAL_FILE) as NSURLErrorUnknown (-1) on Linux.
        case NSURLErrorNetworkConnectionLost, NSURLErrorBadServerResponse, NSURLErrorZeroByteResource, NSURLErrorUnknown: return .connectionLost
        case NSURLErrorCannotFindHost, NSURLErrorDNSLookupFailed, NSURLErrorNotConnectedToInternet: return .cannotConnect
        case NSURLErrorCancelled: return .cancelled
        default: return .other("URL error \(code)")
        }
    }
}
