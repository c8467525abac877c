import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A person's browser in an authorisation test: opens an address and reports where it was sent
/// (`Location` of a redirect), without following it — the test decides whether to follow.
public enum FakeBrowser {
    final class NoRedirects: NSObject, URLSessionTaskDelegate {
        func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
            completionHandler(nil)
        }
    }

    /// The status and `Location` header of a GET.
    public static func open(_ address: String) async throws -> (status: Int, location: String?) {
        let session = URLSession(configuration: .ephemeral, delegate: NoRedirects(), delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        let (_, response) = try await session.data(from: URL(string: address)!)
        let http = response as? HTTPURLResponse
        return (http?.statusCode ?? 0, http?.value(forHTTPHeaderField: "Location"))
    }
}
