import Foundation
import PaySyncCore
import PaySyncHTTP
import PaySyncTestSupport
import Testing
@testable import PaySyncSinks

func tenantKey(_ id: String) -> ObjectKey { ObjectKey(provider: "xero", account: "t", kind: .invoice, externalID: id) }

func write(_ number: String, _ rowID: Int64, status: String = "paid", paid: String = "1250.00", date: String? = "2024-05-01") -> CoalescedWrite {
    var changes = [FieldChange(field: .status, old: "sent", new: status), FieldChange(field: .amountPaid, old: "0.00", new: paid)]
    if let date { changes.append(FieldChange(field: .lastPaymentDate, old: nil, new: date)) }
    return CoalescedWrite(rowIDs: [rowID], recordKey: number, objectKey: tenantKey(number), changes: changes, fromStatus: .sent,
                          toStatus: PaymentStatus(rawValue: status))
}

nonisolated(unsafe) let dealMapping = CRMObjectMapping(object: "deals", idProperty: "invoice_number", properties: [
    PropertyMapping(name: "payment_status", field: .status, values: ["paid": "Paid", "failed": "Failed", "voided": "Cancelled", "partially_paid": "Partially paid"]),
    PropertyMapping(name: "dealstage", field: .status, values: ["paid": "closedwon"]),
    PropertyMapping(name: "amount_paid", field: .amountPaid),
    PropertyMapping(name: "last_payment_date", field: .lastPaymentDate),
], actions: [.failed: [.task(subject: try! Template("Payment failed for {invoice_number}"), body: nil)]])

@Suite struct HubSpotSinkTests {
    func sink(_ server: FakeHubSpotServer, clock: VirtualClock = VirtualClock(), token: String? = nil) -> HubSpotSink {
        var settings = HubSpotSettings(token: .environment("T"))
        settings.baseURL = server.baseURL
        return HubSpotSink(name: "hubspot", settings: settings, mappings: [.invoice: dealMapping], token: Secret(token ?? server.token),
                           client: HTTPClient(transport: URLSessionTransport(), environment: clock.environment))
    }

    func server() throws -> FakeHubSpotServer {
        let server = try FakeHubSpotServer()
        server.defineDeals()
        server.seed("deals", (1...3).map { ["invoice_number": "INV-\($0)", "dealname": "Deal \($0)", "hubspot_owner_id": "9001"] })
        return server
    }

    @Test func aBatchUpdatesByIdPropertyWithHubSpotFormats() async throws {
        let hub = try server()
        let outcomes = try await sink(hub).send([write("INV-1", 1), write("INV-2", 2)])
        #expect(outcomes == [.delivered, .delivered])
        #expect(hub.calls.map(\.path) == ["/crm/v3/objects/deals/batch/update"])
        let deal = try #require(hub.record("deals", where: "invoice_number", is: "INV-1"))
        #expect(deal.properties["payment_status"] == "Paid")
        #expect(deal.properties["dealstage"] == "closedwon")
        #expect(deal.properties["amount_paid"] == "1250.00")
        #expect(deal.properties["last_payment_date"] == "1714521600000")
    }

    @Test func aMissingRecordIsSkippedAndAnInvalidValueRejectedTheRestDelivered() async throws {
        let hub = try server()
        let outcomes = try await sink(hub).send([write("INV-1", 1), write("INV-404", 2), write("INV-3", 3, status: "voided")])
        #expect(outcomes[0] == .delivered)
        guard case .noSuchRecord(let missing) = outcomes[1], case .rejected(let invalid) = outcomes[2] else { Issue.record("\(outcomes)"); return }
        #expect(missing.hasPrefix("HubSpot OBJECT_NOT_FOUND"))
        #expect(invalid.contains("Cancelled was not one of the allowed options"))
        // HubSpot refuses the whole batch for the invalid value (400, no input named): halves,
        // then the half with the culprit again in halves — [3] → [1], [2] → [1], [1].
        #expect(hub.calls.map(\.inputs) == [3, 1, 2, 1, 1])
    }

    @Test func createPolicyUpserts() async throws {
        let hub = try server()
        var mapping = dealMapping
        mapping.missingRecord = .create
        var settings = HubSpotSettings(token: .environment("T"))
        settings.baseURL = hub.baseURL
        let creating = HubSpotSink(name: "hubspot", settings: settings, mappings: [.invoice: mapping], token: Secret(hub.token),
                                   client: HTTPClient(transport: URLSessionTransport(), environment: VirtualClock().environment))
        #expect(try await creating.send([write("INV-NEW", 1)]) == [.delivered])
        #expect(hub.calls.map(\.path) == ["/crm/v3/objects/deals/batch/upsert"])
        #expect(hub.record("deals", where: "invoice_number", is: "INV-NEW")?.properties["payment_status"] == "Paid")
    }

    @Test func aTenSecondlyLimitIsWaitedOutAndTheDailyLimitStops() async throws {
        let hub = try server()
        let clock = VirtualClock()
        hub.inject(.json(429, String(decoding: Repository.fixture("hubspot/rate-limit-429.json"), as: UTF8.self)))
        #expect(try await sink(hub, clock: clock).send([write("INV-1", 1)]) == [.delivered])
        #expect(clock.sleeps == [.seconds(10)])

        hub.inject(.json(429, #"{"status":"error","message":"You have reached your daily limit.","errorType":"RATE_LIMIT","policyName":"DAILY"}"#))
        let error = await #expect(throws: SinkError.self) { try await sink(hub).send([write("INV-2", 2)]) }
        #expect(error?.exitCode == .temporaryFailure)
    }

    @Test func aBadTokenIsExit77() async throws {
        let hub = try server()
        let error = await #expect(throws: AuthenticationError.self) { try await sink(hub, token: "wrong").send([write("INV-1", 1)]) }
        #expect(error?.exitCode == .authenticationFailed)
        #expect(error?.description.contains("INVALID_AUTHENTICATION") == true)
        #expect(error?.description.contains("wrong") == false)
    }

    @Test func aTaskIsCreatedForTheRecordsOwnerAndAssociatedWithIt() async throws {
        let hub = try server()
        var task = write("INV-2", 7, status: "failed")
        task.changes = []
        task.action = ActionPayload(kind: "task", subject: "Payment failed for INV-2", body: "card_declined")
        let outcomes = try await sink(hub).send([write("INV-2", 6, status: "failed"), task])
        #expect(outcomes == [.delivered, .delivered])
        let deal = try #require(hub.record("deals", where: "invoice_number", is: "INV-2"))
        #expect(hub.engagements == [FakeHubSpotServer.Engagement(
            kind: "task", properties: ["hs_task_subject": "Payment failed for INV-2", "hs_task_body": "card_declined", "hs_task_status": "NOT_STARTED",
                                       "hs_task_priority": "HIGH", "hs_task_type": "TODO", "hs_timestamp": "1746176400000", "hubspot_owner_id": "9001"],
            associatedIDs: [deal.id], associationTypeIDs: [216]
        )])
        #expect(hub.calls.map(\.path) == ["/crm/v3/objects/deals/batch/update", "/crm/v3/objects/deals/batch/read", "/crm/v3/objects/tasks/batch/create"])
    }
}

@Suite struct SalesforceSinkTests {
    let mapping = CRMObjectMapping(object: "Opportunity", idProperty: "Invoice_Number__c", properties: [
        PropertyMapping(name: "Payment_Status__c", field: .status, values: ["paid": "Paid", "failed": "Failed", "voided": "Refunded-ish"]),
        PropertyMapping(name: "Amount_Paid__c", field: .amountPaid),
        PropertyMapping(name: "Last_Payment_Date__c", field: .lastPaymentDate),
    ], actions: [:])

    func sink(_ server: FakeSalesforceServer, refresh: String = "5Aep861fake-refresh", store: InMemoryCredentialStore = InMemoryCredentialStore()) -> SalesforceSink {
        let client = HTTPClient(transport: URLSessionTransport(), environment: VirtualClock().environment)
        let session = SalesforceSession(credentials: .init(label: "salesforce", tokenURL: URL(string: server.tokenURL)!, grant: .refreshToken,
                                                           clientID: Secret(server.clientID), clientSecret: Secret(server.clientSecret), refreshToken: Secret(refresh)), client: client,
                                        store: store, storeKey: "salesforce:salesforce")
        return SalesforceSink(name: "salesforce", settings: SalesforceSettings(grant: .refreshToken, clientID: .environment("A"), clientSecret: .environment("B"), refreshToken: nil),
                              mappings: [.invoice: mapping], session: session, client: client)
    }

    func server() throws -> FakeSalesforceServer {
        let server = try FakeSalesforceServer()
        server.seed("Opportunity", (1...3).map { ["Name": .string("Deal \($0)"), "StageName": "Negotiation/Review", "CloseDate": "2025-06-30",
                                                   "Invoice_Number__c": .string("INV-\($0)"), "OwnerId": "0055g00000OWNER"] })
        return server
    }

    @Test func upsertsByExternalIDWithSalesforceFormats() async throws {
        let salesforce = try server()
        #expect(try await sink(salesforce).send([write("INV-1", 1), write("INV-2", 2)]) == [.delivered, .delivered])
        let path = salesforce.calls.map(\.path)
        #expect(path == ["/services/data/v62.0/composite/sobjects/Opportunity/Invoice_Number__c"])
        let opportunity = try #require(salesforce.record("Opportunity", where: "Invoice_Number__c", is: "INV-1"))
        #expect(opportunity["Payment_Status__c"] == "Paid")
        #expect(opportunity["Amount_Paid__c"] == .number("1250.00"))
        #expect(opportunity["Last_Payment_Date__c"] == "2024-05-01")
    }

    @Test func perRecordFailuresAreSettledOneByOne() async throws {
        let salesforce = try server()
        let outcomes = try await sink(salesforce).send([write("INV-1", 1), write("INV-3", 2, status: "voided"), write("INV-404", 3)])
        #expect(outcomes[0] == .delivered)
        #expect(outcomes[1] == .rejected("Salesforce INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST: Payment_Status__c: bad value for restricted picklist field: Refunded-ish [Payment_Status__c]"))
        guard case .noSuchRecord(let message) = outcomes[2] else { Issue.record("\(outcomes[2])"); return }
        #expect(message.hasPrefix("Salesforce: no Opportunity with Invoice_Number__c = INV-404"))
        #expect(salesforce.record("Opportunity", where: "Invoice_Number__c", is: "INV-404") == nil)
    }

    @Test func anExpiredSessionIsRenewedOnceAndARevokedTokenIsExit77() async throws {
        let salesforce = try server()
        let sink = sink(salesforce)
        _ = try await sink.send([write("INV-1", 1)])
        salesforce.expireSessions()
        #expect(try await sink.send([write("INV-2", 2)]) == [.delivered])
        #expect(salesforce.tokenRequests == 2)

        let error = await #expect(throws: AuthenticationError.self) { try await self.sink(salesforce, refresh: "revoked").send([write("INV-3", 3)]) }
        #expect(error?.exitCode == .authenticationFailed)
        #expect(error?.description.contains("invalid_grant") == true)
        #expect(error?.description.contains("revoked") == false)
    }

    /// Issue 9, case 10: with the connected app's refresh-token rotation on, each refresh
    /// returns a new refresh token and retires the old one; reusing a retired one revokes the
    /// whole family. The session stores the new token before it is used, so the next run refreshes
    /// with it.
    @Test func aRotatedRefreshTokenIsStoredAndUsedByTheNextRun() async throws {
        let salesforce = try server()
        salesforce.setRotation(true)
        let store = InMemoryCredentialStore()
        #expect(try await sink(salesforce, store: store).send([write("INV-1", 1)]) == [.delivered])
        let stored = try #require(store.all["salesforce:salesforce:refresh_token"])
        #expect(stored.value.reveal().hasPrefix("5Aep861rotated-1-"))
        // The next run (a new session, the same configured token, the same ledger).
        #expect(try await sink(salesforce, store: store).send([write("INV-2", 2)]) == [.delivered])
        #expect(!salesforce.isFamilyRevoked)
        #expect(store.all["salesforce:salesforce:refresh_token"]?.value.reveal().hasPrefix("5Aep861rotated-2-") == true)
    }

    /// The rotated token is durable before the session makes its first API call: a crash right
    /// after the token call can never leave only a retired token behind.
    @Test func theRotatedTokenIsStoredBeforeTheSessionIsUsed() async throws {
        let salesforce = try server()
        salesforce.setRotation(true)
        final class OrderCheckingStore: CredentialStore {
            let inner = InMemoryCredentialStore()
            let server: FakeSalesforceServer
            let apiCallsAtSave = Locked<[Int]>([])
            init(server: FakeSalesforceServer) { self.server = server }
            func load(_ name: String) async throws -> StoredToken? { try await inner.load(name) }
            func save(_ name: String, _ token: StoredToken) async throws {
                apiCallsAtSave.withLock { $0.append(server.calls.count) }
                try await inner.save(name, token)
            }
            func remove(_ name: String) async throws { try await inner.remove(name) }
        }
        let store = OrderCheckingStore(server: salesforce)
        let client = HTTPClient(transport: URLSessionTransport(), environment: VirtualClock().environment)
        let session = SalesforceSession(credentials: .init(label: "salesforce", tokenURL: URL(string: salesforce.tokenURL)!, grant: .refreshToken,
                                                           clientID: Secret(salesforce.clientID), clientSecret: Secret(salesforce.clientSecret),
                                                           refreshToken: Secret("5Aep861fake-refresh")), client: client, store: store, storeKey: "sf")
        let sink = SalesforceSink(name: "salesforce", settings: SalesforceSettings(grant: .refreshToken, clientID: .environment("A"), clientSecret: .environment("B"), refreshToken: nil),
                                  mappings: [.invoice: mapping], session: session, client: client)
        #expect(try await sink.send([write("INV-1", 1)]) == [.delivered])
        #expect(store.apiCallsAtSave.value == [0])
        #expect(salesforce.calls.count > 0)
    }

    @Test func theClientCredentialsGrantNeedsNoRefreshToken() async throws {
        let salesforce = try server()
        let client = HTTPClient(transport: URLSessionTransport(), environment: VirtualClock().environment)
        let session = SalesforceSession(credentials: .init(label: "salesforce", tokenURL: URL(string: salesforce.tokenURL)!, grant: .clientCredentials,
                                                           clientID: Secret(salesforce.clientID), clientSecret: Secret(salesforce.clientSecret), refreshToken: nil), client: client,
                                        store: InMemoryCredentialStore(), storeKey: "salesforce:salesforce")
        let sink = SalesforceSink(name: "salesforce", settings: SalesforceSettings(grant: .clientCredentials, clientID: .environment("A"), clientSecret: .environment("B"), refreshToken: nil),
                                  mappings: [.invoice: mapping], session: session, client: client)
        #expect(try await sink.send([write("INV-1", 1)]) == [.delivered])
        #expect(await session.tokenRequests == 1)
    }

    @Test func aTaskGoesToTheOpportunityOwner() async throws {
        let salesforce = try server()
        var task = write("INV-2", 9, status: "failed")
        task.changes = []
        task.action = ActionPayload(kind: "task", subject: "Payment failed for INV-2", body: "declined")
        #expect(try await sink(salesforce).send([task]) == [.delivered])
        let opportunity = try #require(salesforce.record("Opportunity", where: "Invoice_Number__c", is: "INV-2"))
        let tasks = salesforce.records("Task")
        #expect(tasks.count == 1)
        #expect(tasks.first?["WhatId"] == opportunity["Id"])
        #expect(tasks.first?["OwnerId"] == "0055g00000OWNER")
        #expect(tasks.first?["Subject"] == "Payment failed for INV-2")
    }
}

@Suite struct WebhookSinkTests {
    @Test func batchesArriveSignedAndRepeatsCanBeDropped() async throws {
        let receiver = try WebhookReceiver(secret: "whsec_test")
        let sink = WebhookSink(name: "n8n", settings: WebhookSettings(url: receiver.url, secret: .environment("S")), secret: Secret("whsec_test"),
                               client: HTTPClient(transport: URLSessionTransport(), environment: .live))
        let batch = [write("INV-1", 1), write("INV-2", 2)]
        #expect(try await sink.send(batch) == [.delivered, .delivered])
        #expect(receiver.accepted.count == 2)
        #expect(receiver.accepted.first?["changes"]?["status"]?["new"]?.stringValue == "paid")
        #expect(receiver.badSignatures == 0)
        // The same rows sent again (a batch in flight when a run died) carry the same keys.
        _ = try await sink.send(batch)
        #expect(receiver.accepted.count == 2)
        #expect(receiver.repeats == 2)
    }

    @Test func aWrongSecretIsRefusedAndTheWritesStayQueued() async throws {
        let receiver = try WebhookReceiver(secret: "whsec_test")
        let sink = WebhookSink(name: "n8n", settings: WebhookSettings(url: receiver.url, secret: .environment("S")), secret: Secret("wrong"),
                               client: HTTPClient(transport: URLSessionTransport(), environment: .live))
        let outcomes = try await sink.send([write("INV-1", 1)])
        #expect(outcomes == [.retryable(#"webhook answered HTTP 401: {"error":"bad signature"}"#)])
        #expect(receiver.badSignatures == 1)
    }
}

/// The batch routing HubSpot and Salesforce share, with the CRM calls replaced by recorders.
@Suite struct CRMBatchRoutingTests {
    actor Calls {
        var log: [String] = []
        func add(_ entry: String) { log.append(entry) }
    }

    @Test func fieldWritesGoPerKindAndMappingWithInvoicesLastThenActionsPerRecordObjectAndUnmappedKindsAreRefused() async throws {
        let deals = CRMObjectMapping(object: "deals", idProperty: "invoice_number", properties: [PropertyMapping(name: "s", field: .status)])
        let upserted = CRMObjectMapping(object: "deals", idProperty: "invoice_number", missingRecord: .create, properties: [PropertyMapping(name: "s", field: .status)])
        let payments = CRMObjectMapping(object: "payments", idProperty: "payment_id", properties: [PropertyMapping(name: "s", field: .status)])
        func keyed(_ kind: ObjectKind, _ number: String, _ row: Int64, action: String? = nil) -> CoalescedWrite {
            var write = write(number, row)
            write.objectKey.kind = kind
            if let action { write.action = ActionPayload(kind: action, subject: "s", body: "b") }
            return write
        }
        let writes = [
            keyed(.payment, "P-1", 1, action: "note"), keyed(.invoice, "INV-1", 2), keyed(.creditNote, "CN-1", 3),
            keyed(.payment, "P-2", 4), keyed(.invoice, "INV-2", 5, action: "task"), keyed(.invoice, "INV-3", 6), keyed(.refund, "R-1", 7),
        ]
        let calls = Calls()
        let outcomes = try await CRMBatchRouting.send(
            writes, mappings: [.invoice: deals, .payment: payments, .refund: upserted], crm: "TestCRM",
            fields: { group, mapping in
                await calls.add("fields \(mapping.object)/\(mapping.missingRecord.rawValue): \(group.map(\.recordKey).joined(separator: ","))")
                return group.map { .rejected("field \($0.recordKey)") }
            },
            actions: { group, mapping in
                await calls.add("actions \(mapping.object): \(group.map(\.recordKey).joined(separator: ","))")
                return group.map { .rejected("action \($0.recordKey)") }
            }
        )
        #expect(await calls.log == [
            "fields payments/skip: P-2", "fields deals/create: R-1", "fields deals/skip: INV-1,INV-3",
            "actions deals: INV-2", "actions payments: P-1",
        ])
        #expect(outcomes == [
            .rejected("action P-1"), .rejected("field INV-1"), .rejected("no TestCRM mapping for credit_note objects"),
            .rejected("field P-2"), .rejected("action INV-2"), .rejected("field INV-3"), .rejected("field R-1"),
        ])
    }
}

@Suite struct FileAppenderTests {
    @Test func appendsAndFsyncsOnItsOwnThread() async throws {
        let directory = TemporaryDirectory()
        let appender = FileAppender()
        #expect(await appender.isOnOwnThread())
        try await appender.append(Data("a\n".utf8), to: directory.file("out.jsonl"), sink: "out")
        try await appender.append(Data("b\n".utf8), to: directory.file("out.jsonl"), sink: "out")
        #expect(try String(contentsOfFile: directory.file("out.jsonl"), encoding: .utf8) == "a\nb\n")
    }
}

/// The fake HubSpot is held to HubSpot's request schema, so sink tests cannot pass on requests
/// the real API would refuse (issue 9, case 11).
@Suite struct StrictHubSpotFakeTests {
    func post(_ hub: FakeHubSpotServer, _ body: String, contentType: String = "application/json") async throws -> HTTPResponse {
        try await URLSessionTransport().send(HTTPRequest(method: "POST", url: URL(string: hub.baseURL + "/crm/v3/objects/deals/batch/update")!,
                                                         headers: ["Authorization": "Bearer \(hub.token)", "Content-Type": contentType], body: Data(body.utf8)))
    }

    @Test("requests HubSpot would refuse are refused", arguments: [
        (#"{"inputs":[{"idProperty":"invoice_number","id":"INV-1","properties":{"payment_status":"Paid"}}]}"#, "text/plain", 415, "not supported"),
        (#"{"inputs":[{"idProperty":"invoice_number","id":"INV-1","properties":{"payment_status":"Paid"}}],"extra":1}"#, "application/json", 400, "Unrecognized field"),
        (#"{"inputs":[{"idProperty":"invoice_number","id":"INV-1","properties":{},"note":"x"}]}"#, "application/json", 400, "Unrecognized field"),
        (#"{"inputs":[{"idProperty":"invoice_number","id":"INV-1","properties":{"amount_paid":12.5}}]}"#, "application/json", 400, "must be a string"),
        (#"{"inputs":[{"idProperty":"invoice_number","id":"INV-1","properties":{}},{"idProperty":"invoice_number","id":"INV-1","properties":{}}]}"#, "application/json", 400, "Duplicate IDs"),
        (#"{"inputs":[{"idProperty":"invoice_number","id":"INV-1","properties":{"payment_status":"Nope"}},{"idProperty":"invoice_number","id":"INV-2","properties":{"payment_status":"Paid"}}]}"#, "application/json", 400, "Property values were not valid"),
    ])
    func refusals(body: String, contentType: String, status: Int, message: String) async throws {
        let hub = try FakeHubSpotServer()
        hub.defineDeals()
        hub.seed("deals", (1...2).map { ["invoice_number": "INV-\($0)", "dealname": "Deal \($0)"] })
        let response = try await post(hub, body, contentType: contentType)
        #expect(response.status == status)
        #expect(String(decoding: response.body, as: UTF8.self).contains(message), "\(String(decoding: response.body, as: UTF8.self))")
        // A refused batch writes nothing, the valid inputs included.
        #expect(hub.record("deals", where: "invoice_number", is: "INV-2")?.properties["payment_status"] == nil)
    }
}
