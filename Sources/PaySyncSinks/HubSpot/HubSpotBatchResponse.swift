import Foundation
import PaySyncCore

/// Reads a HubSpot batch response (200 or 207 Multi-Status) into one outcome per input.
///
/// Inputs carry `objectWriteTraceId`; results echo it. Errors name their inputs in
/// `context.ids` (the `idProperty` values sent). An input in an error is failed with HubSpot's
/// category and message (`OBJECT_NOT_FOUND` → no such record; anything else → rejected, never
/// retried blindly); an input in the results is delivered; an input in neither is retried.
public enum HubSpotBatchResponse {
    public struct Input: Sendable, Equatable {
        public var id: String
        public var traceID: String

        public init(id: String, traceID: String) {
            self.id = id
            self.traceID = traceID
        }
    }

    /// Outcomes from a response body. The common all-success response is scanned without building
    /// a document; a response with errors is parsed in full.
    public static func outcomes(for inputs: [Input], data: Data) -> [WriteOutcome]? {
        var status: String?
        var traces: Set<String> = []
        var results = 0
        var hasErrors = false
        do {
            try JSONPullScanner.scan(data) { scanner in
                try scanner.readObject { scanner, key in
                    if key.is("status") {
                        status = try scanner.readNull() ? nil : try scanner.readString()
                    } else if key.is("results") {
                        try scanner.readArray { scanner in
                            results += 1
                            try scanner.readObject { scanner, key in
                                if key.is("objectWriteTraceId"), !(try scanner.readNull()) { traces.insert(try scanner.readString()) } else { try scanner.skipValue() }
                            }
                        }
                    } else if key.is("errors") {
                        if try scanner.readNull() { return }
                        var count = 0
                        try scanner.readArray { scanner in count += 1; try scanner.skipValue() }
                        hasErrors = count > 0
                    } else {
                        try scanner.skipValue()
                    }
                }
            }
        } catch {
            return nil
        }
        if hasErrors {
            guard let body = try? JSONParser.parse(data) else { return nil }
            return outcomes(for: inputs, body: body)
        }
        let complete = status == "COMPLETE" && traces.isEmpty && results == inputs.count
        return inputs.map { traces.contains($0.traceID) || complete ? .delivered : .retryable("HubSpot returned no result for this record") }
    }

    public static func outcomes(for inputs: [Input], body: JSONValue) -> [WriteOutcome] {
        var byTrace: [String: WriteOutcome] = [:]
        var byID: [String: WriteOutcome] = [:]
        for error in body["errors"]?.arrayValue ?? [] {
            let category = error["category"]?.stringValue ?? "ERROR"
            var message = error["message"]?.stringValue ?? "HubSpot reported an error"
            if let nested = error["errors"]?.arrayValue?.compactMap({ $0["message"]?.stringValue }), !nested.isEmpty {
                message += " (" + nested.joined(separator: "; ") + ")"
            }
            let outcome: WriteOutcome = category == "OBJECT_NOT_FOUND"
                ? .noSuchRecord("HubSpot \(category): \(message)")
                : .rejected("HubSpot \(category): \(message)")
            for id in error["context"]?["ids"]?.arrayValue?.compactMap(\.stringValue) ?? [] { byID[id] = outcome }
            for trace in error["context"]?["objectWriteTraceId"]?.arrayValue?.compactMap(\.stringValue) ?? [] { byTrace[trace] = outcome }
            if let trace = error["objectWriteTraceId"]?.stringValue { byTrace[trace] = outcome }
        }
        let results = body["results"]?.arrayValue ?? []
        var delivered = Set<String>()
        for result in results {
            if let trace = result["objectWriteTraceId"]?.stringValue { delivered.insert(trace) }
        }
        // Without trace ids in the results, a complete response with exactly one result per input
        // that has no error still accounts for every input.
        let failedCount = inputs.filter { byTrace[$0.traceID] != nil || byID[$0.id] != nil }.count
        let allAccounted = delivered.isEmpty && body["status"]?.stringValue == "COMPLETE" && results.count == inputs.count - failedCount
        return inputs.map { input in
            if let outcome = byTrace[input.traceID] ?? byID[input.id] { return outcome }
            if delivered.contains(input.traceID) || allAccounted { return .delivered }
            return .retryable("HubSpot returned no result for this record")
        }
    }
}
