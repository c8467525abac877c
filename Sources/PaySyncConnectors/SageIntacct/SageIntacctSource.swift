import Foundation
import PaySyncCore
import PaySyncHTTP

/// One Sage Intacct company through the XML gateway (`docs/connectors/sage-intacct.md`):
/// - a session (`getAPISession`, the company user's login) made once a run and used for every
///   call; one that lapses is made again once;
/// - `ARINVOICE` and `ARPYMT` changed since the cursor (`readByQuery` on `WHENMODIFIED`, in the
///   company's time zone, then `readMore` while `numremaining` says more), the cursor moving to
///   when the read began with its last page;
/// - deletions from `AUDITHISTORY` (`ACCESSMODE = 'D'`), since deleted records vanish.
/// Every answer is checked for `failure` in `control`, `authentication` and `result`, whatever
/// the HTTP status.
public struct SageIntacctSource: Source {
    public let name: String
    public let settings: SageIntacctSettings
    private let client: HTTPClient
    private let sender: SageIntacctXML.Sender
    private let user: (id: Secret, password: Secret)
    private let limiter: RateLimiter
    private let zone: TimeZone
    private let session = Locked<String?>(nil)

    public init(name: String, settings: SageIntacctSettings, client: HTTPClient, senderID: Secret, senderPassword: Secret, userID: Secret, userPassword: Secret) {
        self.name = name
        self.settings = settings
        self.client = client
        self.sender = SageIntacctXML.Sender(id: senderID.reveal(), password: senderPassword.reveal())
        self.user = (userID, userPassword)
        self.limiter = RateLimiter(settings.rateLimit, environment: client.environment)
        self.zone = TimeZone(identifier: settings.timeZone) ?? TimeZone(identifier: "UTC")!
    }

    public var provider: String { SageIntacctMapping.provider }
    public var accounts: [String] { [settings.companyID] }
    public var entities: [String] { settings.entities.map(\.rawValue) }
    public var overlap: Duration { .seconds(settings.overlapSeconds) }
    public var startDate: CalendarDate? { settings.startDate }
    public var sweep: SweepSettings? { settings.sweep }
    public var deletionsVanish: Bool { true }
    public func kinds(of entity: String) -> [ObjectKind] { SageIntacctEntity(rawValue: entity).map { [$0.kind] } ?? [] }
    public func today(account: String) -> CalendarDate { AccountCalendar.today(now: client.environment.now(), timeZone: settings.timeZone) }

    static func day(_ date: CalendarDate) -> String { SageIntacctXML.queryTime(date.description).prefix(10).description }

    public func read(account: String, entity: String, mode: ReadMode, consume: (SourcePage) async throws -> Void) async throws {
        guard let which = SageIntacctEntity(rawValue: entity) else { return }
        let started = client.environment.now()
        let query: String
        var moves = false
        switch mode {
        case .incremental(let since):
            moves = true
            if let since {
                query = "WHENMODIFIED >= '\(SageIntacctXML.queryTime(NaiveLocalTime.filterText(since: since, zone: zone)))'"
            } else if let start = settings.startDate {
                query = "WHENCREATED >= '\(Self.day(start))'"
            } else {
                query = ""
            }
        case .window(let from, let until):
            query = "WHENCREATED >= '\(Self.day(from))' AND WHENCREATED < '\(Self.day(until))'"
        case .file:
            throw SourceError(source: name, message: "Sage Intacct is read from its API, not from files", exitCode: .usage)
        }
        var answer = try await call(SageIntacctXML.readByQuery(object: which.object, fields: which.fields, query: query, pageSize: settings.pageSize))
        var number = 1
        while true {
            var observations: [Observation] = [], rejects: [RejectedObject] = []
            for record in answer.records {
                do throws(ObjectRejection) {
                    observations.append(which == .invoices ? try SageIntacctMapping.invoice(record, company: settings.companyID, zone: zone)
                                                           : try SageIntacctMapping.payment(record, company: settings.companyID, zone: zone))
                } catch {
                    rejects.append(RejectedObject(entity: entity, externalID: record["RECORDNO"], error: error.description))
                }
            }
            let last = answer.numRemaining <= 0 || answer.resultID == nil
            try await consume(SourcePage(observations: observations, rejects: rejects, outOfScope: 0, lastUpdatedAt: moves && last ? started : nil,
                                         lastID: moves && last ? "" : nil, servedAt: nil, number: number, isLast: last))
            guard !last, let result = answer.resultID else { return }
            answer = try await call(SageIntacctXML.readMore(resultID: result))
            number += 1
        }
    }

    /// Records deleted since an instant, from `AUDITHISTORY`.
    public func deletions(account: String, entity: String, since: Timestamp) async throws -> [Deletion]? {
        guard let which = SageIntacctEntity(rawValue: entity) else { return nil }
        let time = SageIntacctXML.queryTime(NaiveLocalTime.filterText(since: since, zone: zone))
        var answer = try await call(SageIntacctXML.readByQuery(
            object: "AUDITHISTORY", fields: ["OBJECTTYPE", "OBJECTKEY", "ACCESSMODE", "ACCESSTIME"],
            query: "OBJECTTYPE = '\(which.auditType)' AND ACCESSMODE = 'D' AND ACCESSTIME >= '\(time)'", pageSize: settings.pageSize))
        var deletions: [Deletion] = []
        while true {
            for record in answer.records where record["ACCESSMODE"] == "D" {
                guard let id = record["OBJECTKEY"], !id.isEmpty else { continue }
                let at = try? SageIntacctMapping.modified(record["ACCESSTIME"], zone: zone, "AUDITHISTORY.ACCESSTIME")
                deletions.append(Deletion(key: SageIntacctMapping.key(which.kind, id, settings.companyID), deletedAt: at ?? nil))
            }
            guard answer.numRemaining > 0, let result = answer.resultID else { return deletions }
            answer = try await call(SageIntacctXML.readMore(resultID: result))
        }
    }

    // MARK: The gateway

    /// One function in a session; a lapsed session is made again once.
    func call(_ function: String) async throws -> SageIntacctXML.Answer {
        do {
            return try await send(function, authentication: .session(try await currentSession()))
        } catch let failure as SageIntacctXML.Failure where failure.place == .authentication {
            session.withLock { $0 = nil }
            client.logger.info("\(name): the Intacct session was refused (\(failure.message)); making a new one")
            return try await send(function, authentication: .session(try await currentSession()))
        }
    }

    func currentSession() async throws -> String {
        if let known = session.value { return known }
        let answer = try await send(SageIntacctXML.getAPISession,
                                    authentication: .login(user: user.id.reveal(), company: settings.companyID, password: user.password.reveal()), login: true)
        guard let id = answer.sessionID, !id.isEmpty else {
            throw SourceError(source: name, message: "Sage Intacct's getAPISession answered without a session id", exitCode: .dataError)
        }
        session.withLock { $0 = id }
        return id
    }

    func send(_ function: String, authentication: SageIntacctXML.Authentication, login: Bool = false) async throws -> SageIntacctXML.Answer {
        guard let url = URL(string: settings.endpoint) else {
            throw SourceError(source: name, message: "endpoint \(settings.endpoint) is not a URL", exitCode: .configuration)
        }
        let body = SageIntacctXML.request(sender: sender, authentication: authentication, controlID: UUID().uuidString.lowercased(), function: function)
        let request = HTTPRequest(method: "POST", url: url, headers: ["Content-Type": "application/xml", "Accept": "application/xml"], body: body)
        let response = try await client.send(request, limiter: limiter)
        guard response.isSuccess else {
            throw HTTPFailure.error(response, call: "POST \(url.path)", label: name, provider: "Sage Intacct", problem: nil, hint: nil)
        }
        do {
            return try SageIntacctXML.answer(response.body)
        } catch let failure as SageIntacctXML.Failure {
            switch failure.place {
            case .control:
                throw AuthenticationError(label: name, message: "Sage Intacct refused the Web Services sender (\(failure.number.map { "\($0) " } ?? "")\(failure.message)); check sender_id and sender_password, and that the company authorised the sender")
            case .authentication where login:
                throw AuthenticationError(label: name, message: "Sage Intacct refused the company user's login (\(failure.number.map { "\($0) " } ?? "")\(failure.message)); check user_id, user_password and company_id")
            case .authentication:
                throw failure
            case .result:
                throw SourceError(source: name, message: "Sage Intacct answered failure (\(failure.number.map { "\($0) " } ?? "")\(failure.message))",
                                  exitCode: failure.isTemporary ? .temporaryFailure : .dataError)
            }
        } catch let malformed as SageIntacctXML.Malformed {
            throw SourceError(source: name, message: "\(url.path): \(malformed.description)", exitCode: .dataError)
        }
    }
}

extension SageIntacctSource {
    /// Sage Intacct in the registry: `"kind": "sage-intacct"`.
    public static let descriptor = SourceDescriptor(
        kind: "sage-intacct", keys: SageIntacctConfig.keys, documentation: "docs/connectors/sage-intacct.md",
        read: { object, path, reader in SageIntacctConfig.read(object, at: path, reader: &reader) },
        make: { settings, context in
            SageIntacctSource(name: context.name, settings: settings, client: context.client,
                              senderID: try context.secret(settings.senderID, key: "sender_id", purpose: "to reach Sage Intacct"),
                              senderPassword: try context.secret(settings.senderPassword, key: "sender_password", purpose: "to reach Sage Intacct"),
                              userID: try context.secret(settings.userID, key: "user_id", purpose: "to reach Sage Intacct"),
                              userPassword: try context.secret(settings.userPassword, key: "user_password", purpose: "to reach Sage Intacct"))
        }
    )
}
