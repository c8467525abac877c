import Foundation
import PaySyncCore

/// `paysync auth --listen PORT`: takes the one request a browser makes to the redirect address
/// on this machine (127.0.0.1 only), answers it with a short page, and hands back its target
/// (`/callback?code=…&state=…`). Bound before the authorisation URL is shown, so the redirect
/// cannot arrive before paysync listens.
final class CallbackListener: @unchecked Sendable {
    private let socket: Int32
    let port: Int

    init(port: Int) throws(GeneralError) {
        let descriptor = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw GeneralError("cannot open a socket: \(String(cString: strerror(errno)))", exitCode: .unavailable) }
        var yes: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(descriptor, 4) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw GeneralError("cannot listen on 127.0.0.1:\(port) (\(reason)); choose another --listen port, or leave it out and paste the address", exitCode: .unavailable)
        }
        socket = descriptor
        self.port = port
    }

    deinit { close(socket) }

    /// The target of the first request that carries a query, waiting at most `timeout` seconds
    /// (on a thread of its own, never the concurrency pool's).
    func nextRedirect(timeout: Double) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { [self] in
                do { continuation.resume(returning: try self.accept(timeout: timeout)) } catch { continuation.resume(throwing: error) }
            }
            thread.start()
        }
    }

    private func accept(timeout: Double) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else {
                throw GeneralError("no redirect reached 127.0.0.1:\(port) within \(Int(timeout)) s; run `paysync auth` again", exitCode: .temporaryFailure)
            }
            var poller = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, Int32(min(remaining, 1) * 1000)) > 0 else { continue }
            let connection = Glibc.accept(socket, nil, nil)
            guard connection >= 0 else { continue }
            defer { close(connection) }
            let capacity = 16_384
            var buffer = [UInt8](repeating: 0, count: capacity)
            var received = 0
            while received < capacity {
                let offset = received
                let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress! + offset, capacity - offset, 0) }
                if count <= 0 { break }
                received += count
                if buffer[..<received].contains(UInt8(ascii: "\n")) { break }
            }
            let requestLine = String(decoding: buffer[..<received], as: UTF8.self).split(separator: "\r\n", maxSplits: 1).first ?? ""
            let parts = requestLine.split(separator: " ")
            let target = parts.count >= 2 ? String(parts[1]) : ""
            let found = parts.first == "GET" && target.contains("?")
            let page = found ? "paysync received the authorisation. You can close this tab and return to the terminal."
                             : "paysync is waiting for the authorisation redirect."
            let reply = "HTTP/1.1 \(found ? 200 : 404) \(found ? "OK" : "Not Found")\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: \(page.utf8.count)\r\nConnection: close\r\n\r\n\(page)"
            _ = reply.withCString { send(connection, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
            if found { return target }
        }
    }
}
