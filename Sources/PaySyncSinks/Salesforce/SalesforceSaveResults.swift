import PaySyncCore

/// Reads an sObject Collections response (`[{id, success, errors[], created}]`, in request order)
/// into one outcome per record.
public enum SalesforceSaveResults {
    /// - Parameter createsAllowed: false when the mapping must never create records: an upsert that
    ///   failed for a missing required field then means "no record with this key" (skipped).
    public static func outcomes(count: Int, body: JSONValue, createsAllowed: Bool, describeMissing: (Int) -> String) -> [WriteOutcome] {
        let results = body.arrayValue ?? []
        return (0..<count).map { index in
            guard index < results.count else { return .retryable("Salesforce returned no result for this record") }
            let result = results[index]
            if result["success"]?.boolValue == true { return .delivered }
            let errors = result["errors"]?.arrayValue ?? []
            let codes = errors.compactMap { $0["statusCode"]?.stringValue }
            let message = errors.map { error in
                let code = error["statusCode"]?.stringValue ?? "ERROR"
                let fields = error["fields"]?.arrayValue?.compactMap(\.stringValue) ?? []
                return "\(code): \(error["message"]?.stringValue ?? "")" + (fields.isEmpty ? "" : " [\(fields.joined(separator: ", "))]")
            }.joined(separator: "; ")
            if !createsAllowed && codes.contains("REQUIRED_FIELD_MISSING") {
                return .noSuchRecord("Salesforce: \(describeMissing(index)) (\(message))")
            }
            if codes.contains(where: { ["UNABLE_TO_LOCK_ROW", "REQUEST_RUNNING_TOO_LONG", "SERVER_UNAVAILABLE"].contains($0) }) {
                return .retryable("Salesforce \(message)")
            }
            return .rejected("Salesforce \(message.isEmpty ? "refused the record" : message)")
        }
    }
}
