import Foundation
import PaySyncCore
import PaySyncHTTP

/// Intuit's account of a failed call, from any of the bodies it sends: the JSON `Fault`, its
/// lower-case twin on 401 (`{"fault":{"error":[…]}}`), and XML (`<Fault><Error code="3001">
/// <Message>…</Message>`), which the throttling answer uses even when JSON was asked for. The
/// code and message are kept as Intuit wrote them, so a user can search for them.
enum QuickBooksProblem {
    static func read(_ response: HTTPResponse) -> ProviderProblem? {
        if let json = try? JSONParser.parse(response.body), let fault = json["Fault"] ?? json["fault"] {
            let first = (fault["Error"] ?? fault["error"])?.arrayValue?.first
            let code = (first?["code"] ?? first?["Code"])?.stringValue
            let message = [first?["Message"] ?? first?["message"], first?["Detail"] ?? first?["detail"]]
                .compactMap { $0?.stringValue }.filter { !$0.isEmpty }
            return problem(code: code, parts: message, type: (fault["type"] ?? fault["Type"])?.stringValue)
        }
        let text = String(decoding: response.body, as: UTF8.self)
        guard text.contains("<Fault") else { return nil }
        let code = attribute("code", in: text)
        let parts = [element("Message", in: text), element("Detail", in: text)].compactMap { $0 }
        return problem(code: code, parts: parts, type: attribute("type", in: text))
    }

    /// A decoded `Fault` (one sent with HTTP 200), in the same words.
    static func describe(_ fault: QuickBooksFault) -> String {
        let first = fault.errors.first
        return problem(code: first?.code, parts: [first?.message, first?.detail].compactMap { $0 }.filter { !$0.isEmpty }, type: fault.type)?.description
            ?? "no detail"
    }

    private static func problem(code: String?, parts: [String], type: String?) -> ProviderProblem? {
        var unique: [String] = []
        for part in parts where !unique.contains(where: { $0.contains(part) }) { unique.append(part) }
        let message = unique.joined(separator: ": ")
        guard code != nil || !message.isEmpty else { return type.map { ProviderProblem(message: $0) } }
        return ProviderProblem(code: code.map { "code \($0)" }, message: message.isEmpty ? type : message)
    }

    private static func attribute(_ name: String, in text: String) -> String? {
        guard let start = text.range(of: "\(name)=\"") else { return nil }
        guard let end = text[start.upperBound...].firstIndex(of: "\"") else { return nil }
        return String(text[start.upperBound..<end])
    }

    private static func element(_ name: String, in text: String) -> String? {
        guard let open = text.range(of: "<\(name)>"), let close = text.range(of: "</\(name)>", range: open.upperBound..<text.endIndex) else { return nil }
        let value = text[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
        return value.isEmpty ? nil : value
    }
}
