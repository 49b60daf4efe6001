import JSON

/// What redaction did to one record or text: the policy version and, per entity type, how many
/// values each action handled. Never contains values.
///
/// Serialised into the record envelope as
/// `{"policy":"2026-11-01","counts":{"EMAIL":{"redact":2},"SECRET":{"redact":1}}}`
/// (types and actions in sorted order; `"dropped_fields":n` is added when field rules removed
/// members).
public struct RedactionReport: Sendable, Equatable {
    /// The version of the policy applied.
    public var policyVersion: String
    /// Per entity type, per action, the number of values.
    public var counts: [EntityType: [RedactionAction: Int]]
    /// Members removed by `drop` field rules (metadata entries included).
    public var droppedFields: Int

    /// An empty report for `policyVersion`.
    public init(policyVersion: String, counts: [EntityType: [RedactionAction: Int]] = [:], droppedFields: Int = 0) {
        self.policyVersion = policyVersion
        self.counts = counts
        self.droppedFields = droppedFields
    }

    /// Total number of detected values (all actions, `allow` included).
    public var totalDetections: Int { counts.values.reduce(0) { $0 + $1.values.reduce(0, +) } }

    /// The count for one type and action.
    public func count(_ entity: EntityType, _ action: RedactionAction) -> Int { counts[entity]?[action] ?? 0 }

    /// Adds another report's counts (used to total a batch). Keeps this report's version.
    public mutating func merge(_ other: RedactionReport) {
        for (entity, actions) in other.counts {
            for (action, n) in actions { counts[entity, default: [:]][action, default: 0] += n }
        }
        droppedFields += other.droppedFields
    }

    /// The JSON object for the record envelope. O(types × actions).
    public func jsonValue() -> JSONValue {
        var countMembers: [JSONMember] = []
        for entity in counts.keys.sorted() {
            let actions = counts[entity]!
            let inner = actions.keys.sorted().compactMap { a -> JSONMember? in
                let n = actions[a]!
                return n > 0 ? JSONMember(a.rawValue, .int(n)) : nil
            }
            if !inner.isEmpty { countMembers.append(JSONMember(entity.name, .object(inner))) }
        }
        var members = [JSONMember("policy", .string(policyVersion)), JSONMember("counts", .object(countMembers))]
        if droppedFields > 0 { members.append(JSONMember("dropped_fields", .int(droppedFields))) }
        return .object(members)
    }

    /// Reads a report back from its JSON form; nil when the shape is wrong.
    public init?(jsonValue: JSONValue) {
        guard let version = jsonValue["policy"]?.stringValue, let counts = jsonValue["counts"]?.objectMembers else { return nil }
        var parsed: [EntityType: [RedactionAction: Int]] = [:]
        for entry in counts {
            guard let actions = entry.value.objectMembers else { return nil }
            for a in actions {
                guard let action = RedactionAction(rawValue: a.key), let n = a.value.int64Value, n >= 0 else { return nil }
                parsed[EntityType(entry.key), default: [:]][action] = Int(n)
            }
        }
        var dropped = 0
        if let d = jsonValue["dropped_fields"] {
            guard let n = d.int64Value, n >= 0 else { return nil }
            dropped = Int(n)
        }
        self.init(policyVersion: version, counts: parsed, droppedFields: dropped)
    }
}
