import Foundation
import PaySyncCore

/// An element that decoded, or the reason it did not (and its id, if that much was readable).
public struct Lossy<Element: Decodable & Sendable>: Decodable, Sendable {
    public var result: Result<Element, DecodeFailure>

    public init(_ result: Result<Element, DecodeFailure>) {
        self.result = result
    }

    public struct DecodeFailure: Error, Sendable {
        public var id: String?
        public var reason: String

        public init(id: String?, reason: String) {
            self.id = id
            self.reason = reason
        }
    }

    public init(from decoder: any Decoder) throws {
        do {
            result = .success(try Element(from: decoder))
        } catch {
            let container = try? decoder.container(keyedBy: NamedKey.self)
            let id = Lossy.idKeys.lazy
                .compactMap { try? container?.decodeIfPresent(String.self, forKey: NamedKey($0)) }.first
            result = .failure(DecodeFailure(id: id, reason: Lossy.describe(error)))
        }
    }

    /// The keys providers name an object's id with (Xero's `InvoiceID`…, QuickBooks' `Id`), read
    /// from a failed element so its rejection can say which object it was.
    static var idKeys: [String] { ["InvoiceID", "PaymentID", "CreditNoteID", "BankTransactionID", "Id", "id", "referenceNumber", "paymentId", "invoiceId", "creditnoteId"] }

    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, _): return "missing \(key.stringValue)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "\(path(context)): \(context.debugDescription)"
        case .dataCorrupted(let context): return "\(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}

extension Lossy {
    /// A page's elements mapped to observations, in order. An element that did not decode, or that
    /// its mapping refused, becomes a reject: a decode failure names its place (`path[index]`) and
    /// whatever id could be read; a refusal names the element's id (`id`, where it has one).
    public static func map(_ elements: [Lossy<Element>], entity: String, path: String, id: (Element) -> String?,
                           _ map: (Element) throws(ObjectRejection) -> Observation) -> (observations: [Observation], rejects: [RejectedObject]) {
        var observations: [Observation] = [], rejects: [RejectedObject] = []
        observations.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            switch element.result {
            case .success(let wire):
                do throws(ObjectRejection) { observations.append(try map(wire)) } catch {
                    rejects.append(RejectedObject(entity: entity, externalID: id(wire), error: error.description))
                }
            case .failure(let failure):
                rejects.append(RejectedObject(entity: entity, externalID: failure.id, error: "\(path)[\(index)]: \(failure.reason)"))
            }
        }
        return (observations, rejects)
    }
}
