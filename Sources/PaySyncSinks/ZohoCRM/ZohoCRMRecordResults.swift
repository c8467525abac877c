import PaySyncCore

/// Reads a Zoho CRM write response (`{"data": [{code, status, message, details}, …]}`, one entry
/// per record in request order; HTTP 200, 201 or 202 when outcomes are mixed) into one outcome per
/// record.
public enum ZohoCRMRecordResults {
    /// Codes that say "try again later", not "this record is wrong".
    static let transient: Set<String> = ["INTERNAL_ERROR", "LIMIT_EXCEEDED", "TOO_MANY_REQUESTS", "RECORD_LOCKED"]

    /// - Parameter createsAllowed: false when the mapping never creates records. Every Zoho module
    ///   has a system-mandatory name field (Deal_Name, Subject, Name); an upsert that sends none
    ///   can only update, so its `MANDATORY_NOT_FOUND` means "no record with this key" (skipped).
    public static func outcomes(count: Int, body: JSONValue, createsAllowed: Bool, describeMissing: (Int) -> String) -> [WriteOutcome] {
        let results = body["data"]?.arrayValue ?? []
        return (0..<count).map { index in
            guard index < results.count else { return .retryable("Zoho CRM returned no result for this record") }
            let result = results[index]
            let code = result["code"]?.stringValue ?? "ERROR"
            if result["status"]?.stringValue == "success" || code == "SUCCESS" { return .delivered }
            var message = "Zoho CRM \(code): \(result["message"]?.stringValue ?? "refused the record")"
            if let field = result["details"]?["api_name"]?.stringValue {
                message += " (\(field)" + (result["details"]?["expected_data_type"]?.stringValue.map { ", expected \($0)" } ?? "") + ")"
            }
            if code == "MANDATORY_NOT_FOUND" && !createsAllowed { return .noSuchRecord("Zoho CRM: \(describeMissing(index)) (\(message))") }
            if transient.contains(code) { return .retryable(message) }
            return .rejected(message)
        }
    }
}
