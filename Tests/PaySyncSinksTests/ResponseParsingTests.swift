import Foundation
import PaySyncCore
import PaySyncTestSupport
import Testing
@testable import PaySyncSinks

@Suite struct ValueFormatTests {
    @Test("HubSpot values are strings; dates are midnight-UTC epoch milliseconds", arguments: [
        (String?.some("2015-05-01"), PropertyType.date, "1430438400000"),
        ("1250.00", .number, "1250.00"),
        ("Paid", .text, "Paid"),
        (nil, .text, ""),
    ])
    func hubSpot(value: String?, type: PropertyType, wire: String) {
        #expect(CRMValueFormat.hubSpot(value, type: type) == wire)
    }

    @Test func salesforceNumbersAreExactJSONNumbersAndDatesPlainText() {
        #expect(JSONWriter.compact(CRMValueFormat.typedJSON("1250.10", type: .number)) == "1250.10")
        #expect(JSONWriter.compact(CRMValueFormat.typedJSON("165000", type: .number)) == "165000")
        #expect(JSONWriter.compact(CRMValueFormat.typedJSON("2024-05-01", type: .date)) == "\"2024-05-01\"")
        #expect(JSONWriter.compact(CRMValueFormat.typedJSON(nil, type: .number)) == "null")
    }
}

@Suite struct HubSpotResponseTests {
    @Test func the207FromTheDocsMarksTheMissingRecordAndDeliversTheOther() throws {
        let body = try JSONParser.parse(Repository.fixture("hubspot/batch-update-207.json"))
        let outcomes = HubSpotBatchResponse.outcomes(for: [.init(id: "INV-2024-0042", traceID: "1"), .init(id: "INV-2024-0099", traceID: "2")], body: body)
        #expect(outcomes[0] == .delivered)
        #expect(outcomes[1] == .noSuchRecord("HubSpot OBJECT_NOT_FOUND: Could not get some DEAL objects, they may be deleted or not exist. Check that ids are valid."))
    }

    @Test func aValidationErrorIsRejectedWithHubSpotsMessage() throws {
        let body = try JSONParser.parse(Repository.fixture("hubspot/batch-update-207-validation.json"))
        let outcomes = HubSpotBatchResponse.outcomes(for: [.init(id: "INV-2024-0042", traceID: "11"), .init(id: "INV-2024-0100", traceID: "12")], body: body)
        #expect(outcomes[0] == .delivered)
        guard case .rejected(let message) = outcomes[1] else { Issue.record("not rejected: \(outcomes[1])"); return }
        #expect(message.hasPrefix("HubSpot VALIDATION_ERROR: Property values were not valid"))
        #expect(message.contains("Cancelled was not one of the allowed options"))
    }

    @Test func anInputInNeitherResultsNorErrorsIsRetried() throws {
        let body: JSONValue = ["status": "COMPLETE", "results": [["id": "1", "objectWriteTraceId": "a"]]]
        let outcomes = HubSpotBatchResponse.outcomes(for: [.init(id: "x", traceID: "a"), .init(id: "y", traceID: "b")], body: body)
        #expect(outcomes == [.delivered, .retryable("HubSpot returned no result for this record")])
    }
}

@Suite struct SalesforceResponseTests {
    @Test func eachRecordIsSettledByItsOwnResult() throws {
        let body = try JSONParser.parse(Repository.fixture("salesforce/upsert-partial.json"))
        let outcomes = SalesforceSaveResults.outcomes(count: 3, body: body, createsAllowed: false) { "no Opportunity with key \($0)" }
        #expect(outcomes[0] == .delivered)
        #expect(outcomes[1] == .rejected("Salesforce INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST: Payment Status: bad value for restricted picklist field: Refunded-ish [Payment_Status__c]"))
        guard case .noSuchRecord(let message) = outcomes[2] else { Issue.record("\(outcomes[2])"); return }
        #expect(message.hasPrefix("Salesforce: no Opportunity with key 2"))
        // When the mapping may create records, a missing required field is a real refusal.
        let creating = SalesforceSaveResults.outcomes(count: 3, body: body, createsAllowed: true) { _ in "" }
        guard case .rejected = creating[2] else { Issue.record("\(creating[2])"); return }
    }

    @Test func aShortResponseLeavesTheRestToRetry() {
        let outcomes = SalesforceSaveResults.outcomes(count: 2, body: [["success": true, "errors": []]], createsAllowed: true) { _ in "" }
        #expect(outcomes == [.delivered, .retryable("Salesforce returned no result for this record")])
    }
}

@Suite struct WebhookSignatureTests {
    let secret = Secret("whsec_test")

    @Test func aSignatureVerifiesAndAnyTamperingFails() {
        let body = Array(#"{"writes":[]}"#.utf8)
        let header = WebhookSignature.sign(body: body, timestamp: 1_714_554_764, secret: secret)
        #expect(header.hasPrefix("t=1714554764,v1="))
        #expect(WebhookSignature.verify(header: header, body: body, secret: secret, now: 1_714_554_800))
        #expect(!WebhookSignature.verify(header: header, body: Array(#"{"writes":[1]}"#.utf8), secret: secret, now: 1_714_554_800))
        #expect(!WebhookSignature.verify(header: header, body: body, secret: Secret("other"), now: 1_714_554_800))
        #expect(!WebhookSignature.verify(header: header, body: body, secret: secret, now: 1_714_554_764 + 3600))  // replayed later
    }

    @Test func theSignatureIsHMACOfTimestampDotBody() {
        let body = Array("hello".utf8)
        let expected = HMACSHA256.hex(HMACSHA256.authenticationCode(key: Array("whsec_test".utf8), message: Array("42.hello".utf8)))
        #expect(WebhookSignature.sign(body: body, timestamp: 42, secret: secret) == "t=42,v1=\(expected)")
    }

    @Test func idempotencyKeysDependOnlyOnTheWriteKeys() {
        #expect(WebhookSignature.idempotencyKey(writeKeys: ["l:n8n:3:0", "l:n8n:1:0"]) == WebhookSignature.idempotencyKey(writeKeys: ["l:n8n:1:0", "l:n8n:3:0"]))
        #expect(WebhookSignature.idempotencyKey(writeKeys: ["l:n8n:1:0"]) != WebhookSignature.idempotencyKey(writeKeys: ["l:n8n:2:0"]))
        #expect(WebhookSignature.idempotencyKey(writeKeys: ["l:n8n:1:0"]).count == 32)
    }
}

@Suite struct ZohoCRMResultTests {
    /// The partial-failure example of Zoho's upsert reference (crm-apis.md §6.2), with a third
    /// record that names no existing deal and sends no Deal_Name.
    static let body = #"""
    {"data":[
      {"code":"SUCCESS","status":"success","message":"record updated","action":"update","duplicate_field":"Invoice_Number",
       "details":{"id":"5725767000000524157","Modified_Time":"2024-05-01T11:12:44+02:00","Modified_By":{"name":"Sync Bot","id":"5725767000000411001"}}},
      {"code":"INVALID_DATA","status":"error","message":"invalid data","details":{"api_name":"Amount_Paid","expected_data_type":"double"}},
      {"code":"MANDATORY_NOT_FOUND","status":"error","message":"required field not found","details":{"api_name":"Deal_Name","json_path":"$.data[2].Deal_Name"}},
      {"code":"INTERNAL_ERROR","status":"error","message":"Internal Server Error","details":{}}
    ]}
    """#

    @Test func eachRecordGetsItsOwnOutcome() throws {
        let outcomes = ZohoCRMRecordResults.outcomes(count: 5, body: try JSONParser.parse(Self.body), createsAllowed: false) { "no Deals record #\($0)" }
        #expect(outcomes[0] == .delivered)
        #expect(outcomes[1] == .rejected("Zoho CRM INVALID_DATA: invalid data (Amount_Paid, expected double)"))
        #expect(outcomes[2] == .noSuchRecord("Zoho CRM: no Deals record #2 (Zoho CRM MANDATORY_NOT_FOUND: required field not found (Deal_Name))"))
        #expect(outcomes[3] == .retryable("Zoho CRM INTERNAL_ERROR: Internal Server Error"))
        #expect(outcomes[4] == .retryable("Zoho CRM returned no result for this record"))
    }

    @Test func aMappingThatCreatesTreatsAMissingMandatoryFieldAsItsOwnMistake() throws {
        let outcomes = ZohoCRMRecordResults.outcomes(count: 3, body: try JSONParser.parse(Self.body), createsAllowed: true) { _ in "" }
        #expect(outcomes[2] == .rejected("Zoho CRM MANDATORY_NOT_FOUND: required field not found (Deal_Name)"))
    }

    @Test func criteriaValuesEscapeZohosSyntax() {
        #expect(ZohoCRMSink.escapeCriterion("INV-(2024),1") == #"INV-\(2024\)\,1"#)
    }
}

@Suite struct DataverseBatchTests {
    /// The partial-failure response of `reference/crm-apis.md` §3.3 (LF line ends, as printed).
    static let response = """
    --batchresponse_7f1c
    Content-Type: application/http

    HTTP/1.1 204 No Content
    OData-EntityId: https://acme.api.crm.dynamics.com/api/data/v9.2/contoso_invoices(5b0e0000-0000-0000-0000-000000000001)

    --batchresponse_7f1c
    Content-Type: application/http

    HTTP/1.1 404 Not Found
    Content-Type: application/json; odata.metadata=minimal

    {"error":{"code":"0x80040217","message":"contoso_invoice With Ids = contoso_invoicenumber:INV-2024-0099 Does Not Exist"}}
    --batchresponse_7f1c--
    """

    @Test func theDocumentedPartialFailureReadsAsOneResponsePerRequest() throws {
        let responses = try #require(DataverseBatch.responses(Self.response, boundary: "batchresponse_7f1c"))
        #expect(responses.map(\.status) == [204, 404])
        #expect(responses[0].headers["odata-entityid"]?.hasSuffix("contoso_invoices(5b0e0000-0000-0000-0000-000000000001)") == true)
        #expect(responses[1].error.code == "0x80040217")
        #expect(responses[1].error.message == "contoso_invoice With Ids = contoso_invoicenumber:INV-2024-0099 Does Not Exist")
    }

    @Test func crlfPartsAndAChangeSetAreReadInOrder() throws {
        let text = "--b1\r\nContent-Type: multipart/mixed; boundary=changesetresponse_1\r\n\r\n--changesetresponse_1\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n\r\n--changesetresponse_1--\r\n"
            + "--b1\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nHTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n\r\n{\"error\":{\"code\":\"0x8004431a\",\"message\":\"out of range\"}}\r\n--b1--\r\n"
        let responses = try #require(DataverseBatch.responses(text, boundary: "b1"))
        #expect(responses.map(\.status) == [204, 400])
        #expect(responses[1].error.code == "0x8004431a")
        #expect(DataverseBatch.responses("--b1\r\nContent-Type: application/http\r\n\r\nnot a status line\r\n--b1--", boundary: "b1") == nil)
    }

    @Test func aRequestIsWrittenAsABinaryHTTPPartAddressedByItsAlternateKey() {
        let path = "/api/data/v9.2/" + DataverseBatch.keyed("contoso_invoices", key: "contoso_invoicenumber", value: "O'Brien 1/2")
        #expect(path == "/api/data/v9.2/contoso_invoices(contoso_invoicenumber='O%27%27Brien%201%2F2')")
        let body = DataverseBatch.body([.init(method: "PATCH", path: path, headers: [("If-Match", "*")], body: #"{"contoso_paymentstatus":100000003}"#)], boundary: "batch_x")
        #expect(body == "--batch_x\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n"
                + "PATCH \(path) HTTP/1.1\r\nIf-Match: *\r\nContent-Type: application/json\r\n\r\n{\"contoso_paymentstatus\":100000003}\r\n--batch_x--\r\n")
        #expect(DataverseBatch.boundary(of: #"multipart/mixed; boundary="batchresponse_7f1c""#) == "batchresponse_7f1c")
    }

    @Test func tableLogicalNamesFollowTheSetNameUnlessTheConfigSays() {
        var settings = DynamicsSettings(environmentURL: "https://contoso.crm4.dynamics.com", tenantID: "t", clientID: .environment("A"), clientSecret: .environment("B"))
        #expect(settings.logicalName(of: "opportunities") == "opportunity")
        #expect(settings.logicalName(of: "contoso_invoices") == "contoso_invoice")
        #expect(settings.logicalName(of: "contoso_addresses") == "contoso_address")
        settings.logicalNames["contoso_datas"] = "contoso_data"
        #expect(settings.logicalName(of: "contoso_datas") == "contoso_data")
        #expect(settings.scope == "https://contoso.crm4.dynamics.com/.default")
        #expect(settings.tokenURL == "https://login.microsoftonline.com/t/oauth2/v2.0/token")
    }
}

@Suite struct MondayDocumentTests {
    @Test("column values by column type", arguments: [
        ("Paid", "status", #"{"label":"Paid"}"#), ("2025-05-01", "date", #"{"date":"2025-05-01"}"#),
        ("1250.00", "numbers", #""1250.00""#), ("INV-1", "text", #""INV-1""#), ("Gold", "dropdown", #"{"labels":["Gold"]}"#),
    ])
    func columnValues(value: String, type: String, wire: String) {
        #expect(JSONWriter.compact(MondayDocuments.columnValue(value, columnType: type)) == wire)
    }

    @Test func clearingAColumnSendsWhatItsTypeTakes() {
        #expect(MondayDocuments.columnValue(nil, columnType: "numbers") == .string(""))
        #expect(MondayDocuments.columnValue(nil, columnType: "status") == .null)
    }

    @Test func aliasedMutationsShareOneDocumentWithTypedVariables() {
        let request = MondayDocuments.request([
            MondayDocuments.change(alias: "m0", item: "1111", values: ["status": ["label": "Paid"]]),
            MondayDocuments.update(alias: "u1", item: "2222", body: "Refunded"),
        ], board: "9876543210")
        #expect(request["query"]?.stringValue == "mutation ($b: ID!, $m0v: JSON!, $u1b: String!) { complexity { before after query reset_in_x_seconds } m0: change_multiple_column_values(board_id: $b, item_id: 1111, column_values: $m0v) { id } u1: create_update(item_id: 2222, body: $u1b) { id } }")
        #expect(request["variables"]?["m0v"] == .string(#"{"status":{"label":"Paid"}}"#))  // JSON as a string, as the JSON! scalar wants
        #expect(request["variables"]?["b"] == "9876543210")
    }

    /// The partial failure of `reference/crm-apis.md` §5.2: p1 written, p2 refused by path.
    @Test func errorsBesideDataNameTheirAlias() throws {
        let body = try JSONParser.parse(#"""
        {"data":{"p1":{"id":"1111"},"p2":null},
         "errors":[{"message":"This status label doesn't exist, possible statuses are: {0: Unpaid, 1: Paid}","path":["p2"],
                    "extensions":{"code":"ColumnValueException","status_code":200}}],
         "extensions":{"request_id":"5c1f"}}
        """#)
        let errors = MondayDocuments.errors(body)
        #expect(errors.byAlias == ["p2": "monday.com ColumnValueException: This status label doesn't exist, possible statuses are: {0: Unpaid, 1: Paid}"])
        #expect(errors.request.isEmpty)
        let exhausted = try JSONParser.parse(#"{"errors":[{"message":"Complexity budget exhausted","extensions":{"code":"COMPLEXITY_BUDGET_EXHAUSTED","retry_in_seconds":7}}]}"#)
        #expect(MondayDocuments.errors(exhausted).request.first?.code == "COMPLEXITY_BUDGET_EXHAUSTED")
        #expect(MondayDocuments.errors(exhausted).request.first?.retryIn == 7)
        let older = try JSONParser.parse(#"{"error_code":"ComplexityException","status_code":429,"error_message":"Complexity budget exhausted","error_data":{"retry_in_seconds":12}}"#)
        #expect(MondayDocuments.errors(older).request.first?.retryIn == 12)
    }
}
