import Foundation
import PaySyncCore
import PaySyncHTTP

/// Writes to Salesforce through sObject Collections: upsert by External ID, up to 200 records a
/// call, `allOrNone: false`, one outcome per record. Tasks and Notes for actions are created on the
/// record, for its owner. The API version is pinned in `SalesforceSettings.defaultAPIVersion`.
/// See `docs/sinks/salesforce.md`.
public struct SalesforceSink: Sink {
    public let name: String
    public let settings: SalesforceSettings
    public let mappings: [ObjectKind: CRMObjectMapping]
    private let session: SalesforceSession
    private let client: HTTPClient
    private let sender: AuthorizedSender

    public var calls: CallCounter { client.counter }

    public var maxBatchSize: Int { 200 }

    public init(name: String, settings: SalesforceSettings, mappings: [ObjectKind: CRMObjectMapping], session: SalesforceSession, client: HTTPClient) {
        self.name = name
        self.settings = settings
        self.mappings = mappings
        self.session = session
        self.client = client
        self.sender = AuthorizedSender(label: name, provider: "Salesforce", client: client, tokens: session, problem: SalesforceSink.problem,
                                       reauthorise: "check the connected app's policies and the user's access")
    }

    public func send(_ writes: [CoalescedWrite]) async throws -> [WriteOutcome] {
        try await CRMBatchRouting.send(writes, mappings: mappings, crm: "Salesforce",
                                       fields: { try await upsert($0, mapping: $1) }, actions: { try await perform($0, mapping: $1) })
    }

    func upsert(_ writes: [CoalescedWrite], mapping: CRMObjectMapping) async throws -> [WriteOutcome] {
        var outcomes = [WriteOutcome](repeating: .delivered, count: writes.count)
        var records: [JSONValue] = []
        var positions: [Int] = []
        for (position, write) in writes.enumerated() {
            let values = mapping.propertyValues(for: write.changes)
            // Nothing this mapping writes for the change (a status with no value): nothing is sent.
            guard !values.isEmpty else {
                outcomes[position] = .notMapped
                continue
            }
            var members: [(key: String, value: JSONValue)] = [("attributes", ["type": .string(mapping.object)]), (mapping.idProperty, .string(write.recordKey))]
            for (property, value) in values { members.append((property.name, CRMValueFormat.typedJSON(value, type: property.effectiveType))) }
            records.append(.object(JSONObject(members)))
            positions.append(position)
        }
        guard !records.isEmpty else { return outcomes }
        let path = "/composite/sobjects/\(URLBuilder.encode(mapping.object))/\(URLBuilder.encode(mapping.idProperty))"
        let response = try await call("PATCH", path, body: ["allOrNone": false, "records": .array(records)])
        guard response.status == 200, let body = try? JSONParser.parse(response.body) else { throw failure(response) }
        let results = SalesforceSaveResults.outcomes(count: records.count, body: body, createsAllowed: mapping.missingRecord == .create) { index in
            "no \(mapping.object) with \(mapping.idProperty) = \(writes[positions[index]].recordKey)"
        }
        for (position, outcome) in zip(positions, results) { outcomes[position] = outcome }
        return outcomes
    }

    // MARK: Actions

    /// Performs actions (tasks, notes) on records of one mapping.
    func perform(_ actions: [CoalescedWrite], mapping: CRMObjectMapping) async throws -> [WriteOutcome] {
        var outcomes = [WriteOutcome](repeating: .retryable("not sent"), count: actions.count)
        let keys = Array(Set(actions.map(\.recordKey))).sorted()
        let quoted = keys.map { "'" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'" }
        let soql = "SELECT Id, OwnerId, \(mapping.idProperty) FROM \(mapping.object) WHERE \(mapping.idProperty) IN (\(quoted.joined(separator: ",")))"
        let found = try await call("GET", "/query?q=" + URLBuilder.encode(soql), body: nil)
        guard found.status == 200, let body = try? JSONParser.parse(found.body) else { throw failure(found) }
        var records: [String: (id: String, owner: String?)] = [:]
        for record in body["records"]?.arrayValue ?? [] {
            if let id = record["Id"]?.stringValue, let key = record[mapping.idProperty]?.stringValue {
                records[key] = (id, record["OwnerId"]?.stringValue)
            }
        }
        var creates: [JSONValue] = []
        var positions: [Int] = []
        let today = client.environment.now().utcDate.description
        for index in actions.indices {
            let action = actions[index]
            guard let payload = action.action, let record = records[action.recordKey] else {
                outcomes[index] = .noSuchRecord("Salesforce: no \(mapping.object) with \(mapping.idProperty) = \(action.recordKey) for this \(action.action?.kind ?? "action")")
                continue
            }
            if payload.kind == "task" {
                var members: [(key: String, value: JSONValue)] = [
                    ("attributes", ["type": "Task"]), ("Subject", .string(String((payload.subject ?? "").prefix(255)))),
                    ("Description", .string(payload.body ?? "")), ("WhatId", .string(record.id)),
                    ("Status", "Not Started"), ("Priority", "High"), ("ActivityDate", .string(today)),
                ]
                if let owner = record.owner { members.append(("OwnerId", .string(owner))) }
                creates.append(.object(JSONObject(members)))
            } else {
                let body = payload.body ?? ""
                let title = String((body.split(separator: "\n").first.map(String.init) ?? "paysync").prefix(80))
                creates.append(.object(JSONObject([("attributes", ["type": "Note"]), ("ParentId", .string(record.id)),
                                                   ("Title", .string(title)), ("Body", .string(body))])))
            }
            positions.append(index)
        }
        guard !creates.isEmpty else { return outcomes }
        let response = try await call("POST", "/composite/sobjects", body: ["allOrNone": false, "records": .array(creates)])
        guard response.status == 200, let body = try? JSONParser.parse(response.body) else { throw failure(response) }
        let results = SalesforceSaveResults.outcomes(count: creates.count, body: body, createsAllowed: true) { _ in "" }
        for (index, outcome) in zip(positions, results) { outcomes[index] = outcome }
        return outcomes
    }

    // MARK: HTTP

    /// Calls the REST API on the session's instance through the kit's authorised sender: on
    /// 401 (`INVALID_SESSION_ID`) the session is renewed once.
    private func call(_ method: String, _ path: String, body: JSONValue?) async throws -> HTTPResponse {
        let response = try await sender.send { token in
            let instance = try await session.session().instance
            guard let url = URL(string: instance + "/services/data/" + settings.apiVersion + path) else {
                throw SinkError(sink: name, message: "instance_url \(instance) does not make a valid URL", exitCode: .unavailable)
            }
            var headers: HTTPHeaders = ["Accept": "application/json"]
            if body != nil { headers.set("Content-Type", "application/json") }
            return HTTPRequest(method: method, url: url, headers: headers, body: body.map { Data(JSONWriter.compact($0).utf8) }).bearer(token)
        }
        if let usage = response.headers["Sforce-Limit-Info"] { client.logger.debug("\(name): Salesforce \(usage)") }
        return response
    }

    /// Salesforce's error body: a list of `{errorCode, message}`.
    @Sendable static func problem(_ response: HTTPResponse) -> ProviderProblem? {
        guard let first = (try? JSONParser.parse(response.body))?.arrayValue?.first else { return nil }
        return ProviderProblem(code: first["errorCode"]?.stringValue, message: first["message"]?.stringValue)
    }

    private func failure(_ response: HTTPResponse) -> any Error {
        let problem = SalesforceSink.problem(response)
        if problem?.code == "REQUEST_LIMIT_EXCEEDED" {
            return SinkError(sink: name, message: "Salesforce request limit reached (\(problem?.message ?? "")); writes stay queued", exitCode: .temporaryFailure)
        }
        return sender.failure(response, call: "Salesforce \(settings.apiVersion) API", hint: response.status == 403 ? "check the user's access to the object" : nil)
    }
}
