import Foundation
import PaySyncHTTP
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 server on 127.0.0.1 and an ephemeral port, for fake providers and CRMs.
/// Real sockets, real keep-alive, `Expect: 100-continue`, chunked request bodies, and faults
/// (`ServerReply`): tests exercise the same URLSession code path as production.
///
/// One thread accepts; each connection gets its own thread. The handler must be thread-safe.
public final class LoopbackHTTPServer: Sendable {
    public let port: UInt16
    private let listener: Int32
    private let handler: @Sendable (ServerRequest) -> ServerReply
    private let state = Mutex<(stopped: Bool, connections: Set<Int32>)>((false, []))

    /// `http://127.0.0.1:PORT`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    public init(handler: @escaping @Sendable (ServerRequest) -> ServerReply) throws {
        signal(SIGPIPE, SIG_IGN)
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw ServerError.socket(errno) }
        var reuse: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 128) == 0 else {
            close(listener)
            throw ServerError.socket(errno)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.port = UInt16(bigEndian: address.sin_port)
        self.listener = listener
        self.handler = handler
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "loopback-accept-\(port)"
        thread.start()
    }

    deinit { stop() }

    /// Stops accepting and closes every open connection. Idempotent.
    public func stop() {
        let connections = state.withLock { state -> Set<Int32>? in
            if state.stopped { return nil }
            state.stopped = true
            return state.connections
        }
        guard let connections else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for connection in connections { shutdown(connection, Int32(SHUT_RDWR)) }
    }

    private var isStopped: Bool { state.withLock { $0.stopped } }

    private func acceptLoop() {
        while !isStopped {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                return
            }
            var noDelay: Int32 = 1
            setsockopt(connection, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
            let accepted = state.withLock { state -> Bool in
                guard !state.stopped else { return false }
                state.connections.insert(connection)
                return true
            }
            guard accepted else { close(connection); return }
            let thread = Thread { [self] in
                serve(connection)
                state.withLock { _ = $0.connections.remove(connection) }
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    private func serve(_ connection: Int32) {
        var reader = SocketReader(descriptor: connection)
        defer { close(connection) }
        while !isStopped {
            guard let head = reader.readHead() else { return }
            let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
            let requestLine = lines[0].split(separator: " ")
            guard requestLine.count >= 2 else { return }
            var headers = HTTPHeaders()
            for line in lines.dropFirst() where !line.isEmpty {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers.add(String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
            if headers["Expect"]?.lowercased() == "100-continue" {
                guard writeAll(connection, Data("HTTP/1.1 100 Continue\r\n\r\n".utf8)) else { return }
            }
            let body: Data
            if headers["Transfer-Encoding"]?.lowercased().contains("chunked") == true {
                guard let chunked = reader.readChunkedBody() else { return }
                body = chunked
            } else if let length = headers["Content-Length"].flatMap(Int.init), length > 0 {
                guard let fixed = reader.read(count: length) else { return }
                body = fixed
            } else {
                body = Data()
            }
            let request = ServerRequest(method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: body)
            let keepAlive = headers["Connection"]?.lowercased() != "close"
            guard respond(to: connection, with: handler(request), keepAlive: keepAlive), keepAlive else { return }
        }
    }

    /// Sends a reply; false when the connection must close.
    private func respond(to connection: Int32, with reply: ServerReply, keepAlive: Bool) -> Bool {
        switch reply {
        case .response(let response):
            return writeAll(connection, LoopbackHTTPServer.serialize(response, bodyBytes: response.body.count, keepAlive: keepAlive))
        case .truncated(let response, let bytes):
            var data = LoopbackHTTPServer.serialize(response, bodyBytes: 0, keepAlive: false)
            data.append(response.body.prefix(bytes))
            _ = writeAll(connection, data)
            return false
        case .reset:
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            setsockopt(connection, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
            return false
        case .delayed(let seconds, let next):
            Thread.sleep(forTimeInterval: seconds)
            return respond(to: connection, with: next, keepAlive: keepAlive)
        case .hang:
            while !isStopped { Thread.sleep(forTimeInterval: 0.02) }
            return false
        }
    }

    static func serialize(_ response: HTTPResponse, bodyBytes: Int, keepAlive: Bool) -> Data {
        var head = "HTTP/1.1 \(response.status) \(reason(response.status))\r\n"
        for field in response.headers where field.name.lowercased() != "content-length" {
            head += "\(field.name): \(field.value)\r\n"
        }
        head += "Content-Length: \(response.body.count)\r\n"
        if !keepAlive { head += "Connection: close\r\n" }
        head += "\r\n"
        var data = Data(head.utf8)
        data.append(response.body.prefix(bodyBytes))
        return data
    }

    private func writeAll(_ connection: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let sent = Glibc.send(connection, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                if sent < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += sent
            }
            return true
        }
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 207: "Multi-Status"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: "Status"
        }
    }

    public enum ServerError: Error {
        case socket(Int32)
    }
}

/// Buffered reads from a socket.
private struct SocketReader {
    let descriptor: Int32
    private var buffer: [UInt8] = []
    private var start = 0

    init(descriptor: Int32) { self.descriptor = descriptor }

    private mutating func fill() -> Bool {
        if start > 0 && start == buffer.count { buffer.removeAll(keepingCapacity: true); start = 0 }
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(descriptor, &chunk, chunk.count, 0)
            if count > 0 { buffer.append(contentsOf: chunk[..<count]); return true }
            if count < 0 && errno == EINTR { continue }
            return false
        }
    }

    /// The request head up to (not including) the blank line, or nil at end of stream.
    mutating func readHead() -> String? {
        while true {
            if let end = findTerminator() {
                let head = String(decoding: buffer[start..<end], as: UTF8.self)
                start = end + 4
                return head
            }
            guard fill() else { return nil }
        }
    }

    private func findTerminator() -> Int? {
        guard buffer.count - start >= 4 else { return nil }
        var index = start
        while index + 3 < buffer.count {
            if buffer[index] == 13 && buffer[index + 1] == 10 && buffer[index + 2] == 13 && buffer[index + 3] == 10 { return index }
            index += 1
        }
        return nil
    }

    mutating func read(count: Int) -> Data? {
        while buffer.count - start < count {
            guard fill() else { return nil }
        }
        let data = Data(buffer[start..<(start + count)])
        start += count
        return data
    }

    mutating func readLine() -> String? {
        while true {
            var index = start
            while index + 1 < buffer.count {
                if buffer[index] == 13 && buffer[index + 1] == 10 {
                    let line = String(decoding: buffer[start..<index], as: UTF8.self)
                    start = index + 2
                    return line
                }
                index += 1
            }
            guard fill() else { return nil }
        }
    }

    mutating func readChunkedBody() -> Data? {
        var body = Data()
        while true {
            guard let sizeLine = readLine(), let size = Int(sizeLine.split(separator: ";")[0].trimmingCharacters(in: .whitespaces), radix: 16) else { return nil }
            if size == 0 {
                while let line = readLine(), !line.isEmpty {}
                return body
            }
            guard let chunk = read(count: size), readLine() != nil else { return nil }
            body.append(chunk)
        }
    }
}
