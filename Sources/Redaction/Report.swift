import JSON

/// What redaction did to one record or text: the policy version and, per entity type, how many
/// values each action handled. Never contains values.
///
/// Serialised into the record envelope as
/// `{"policy":"2026-11-01","counts":{"EMAIL":{"redact":2},"SECRET":{"redact":1}}}`
/// (types and actions in sorted order; `"dropped_fields":n` is added when field rules removed
/// members).
public struct RedactionReport: Sendable, Equatable {
    /// One count: how many values of a type an action handled.
    public struct Entry: Sendable, Equatable {
        /// The entity type.
        public var entity: EntityType
        /// The action applied.
        public var action: RedactionAction
        /// How many values.
        public var count: Int

        /// Makes an entry.
        public init(entity: EntityType, action: RedactionAction, count: Int) {
            self.entity = entity
            self.action = action
            self.count = count
        }
    }

    /// The version of the policy applied.
    public var policyVersion: String
    /// The non-zero counts, sorted by entity name, then action (one small array: cheap to build
    /// on the ingest hot path).
    public private(set) var entries: [Entry]
    /// Members removed by `drop` field rules (metadata entries included).
    public var droppedFields: Int

    /// An empty report for `policyVersion`.
    public init(policyVersion: String, droppedFields: Int = 0) {
        self.policyVersion = policyVersion
        self.entries = []
        self.droppedFields = droppedFields
    }

    /// A report from counts in any order (zero counts are dropped, duplicates summed).
    /// O(k log k) for k entries.
    public init(policyVersion: String, entries: [Entry], droppedFields: Int = 0) {
        self.policyVersion = policyVersion
        self.droppedFields = droppedFields
        self.entries = []
        for entry in entries { add(entry.entity, entry.action, entry.count) }
    }

    /// A report from entries already sorted and non-zero (the engine's fast path).
    init(policyVersion: String, sortedEntries: [Entry], droppedFields: Int) {
        self.policyVersion = policyVersion
        self.entries = sortedEntries
        self.droppedFields = droppedFields
    }

    /// A report from a nested dictionary of counts.
    public init(policyVersion: String, counts: [EntityType: [RedactionAction: Int]], droppedFields: Int = 0) {
        self.init(policyVersion: policyVersion,
                  entries: counts.flatMap { entity, actions in actions.map { Entry(entity: entity, action: $0.key, count: $0.value) } },
                  droppedFields: droppedFields)
    }

    /// Per entity type, per action, the number of values.
    public var counts: [EntityType: [RedactionAction: Int]] {
        var out: [EntityType: [RedactionAction: Int]] = [:]
        for e in entries { out[e.entity, default: [:]][e.action] = e.count }
        return out
    }

    /// Total number of detected values (all actions, `allow` included).
    public var totalDetections: Int { entries.reduce(0) { $0 + $1.count } }

    /// The count for one type and action. O(entries).
    public func count(_ entity: EntityType, _ action: RedactionAction) -> Int {
        entries.first { $0.entity == entity && $0.action == action }?.count ?? 0
    }

    /// Adds `n` to the count of `entity` handled by `action`, keeping entries sorted. O(entries).
    public mutating func add(_ entity: EntityType, _ action: RedactionAction, _ n: Int) {
        guard n != 0 else { return }
        var k = 0
        while k < entries.count && (entries[k].entity < entity || (entries[k].entity == entity && entries[k].action < action)) { k += 1 }
        if k < entries.count && entries[k].entity == entity && entries[k].action == action {
            entries[k].count += n
        } else {
            entries.insert(Entry(entity: entity, action: action, count: n), at: k)
        }
    }

    /// Adds another report's counts (used to total a batch). Keeps this report's version.
    public mutating func merge(_ other: RedactionReport) {
        for e in other.entries { add(e.entity, e.action, e.count) }
        droppedFields += other.droppedFields
    }

    /// The JSON object for the record envelope. O(entries).
    public func jsonValue() -> JSONValue {
        var countMembers: [JSONMember] = []
        var k = 0
        while k < entries.count {
            let entity = entries[k].entity
            var inner: [JSONMember] = []
            while k < entries.count && entries[k].entity == entity {
                inner.append(JSONMember(entries[k].action.rawValue, .int(entries[k].count)))
                k += 1
            }
            countMembers.append(JSONMember(entity.name, .object(inner)))
        }
        var members = [JSONMember("policy", .string(policyVersion)), JSONMember("counts", .object(countMembers))]
        if droppedFields > 0 { members.append(JSONMember("dropped_fields", .int(droppedFields))) }
        return .object(members)
    }

    /// Appends the compact JSON of `jsonValue()` to `out`, byte for byte the same, without
    /// building the tree (the ingest path writes one report per record). O(entries).
    public func appendJSON(to out: inout [UInt8]) {
        out.append(contentsOf: #"{"policy":"#.utf8)
        JSONWriter.appendString(policyVersion, to: &out)
        out.append(contentsOf: #","counts":{"#.utf8)
        var k = 0
        while k < entries.count {
            let entity = entries[k].entity
            if k > 0 { out.append(UInt8(ascii: ",")) }
            JSONWriter.appendString(entity.name, to: &out)
            out.append(contentsOf: ":{".utf8)
            var first = true
            while k < entries.count && entries[k].entity == entity {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                JSONWriter.appendString(entries[k].action.rawValue, to: &out)
                out.append(UInt8(ascii: ":"))
                out.append(contentsOf: String(entries[k].count).utf8)
                k += 1
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "}"))
        if droppedFields > 0 {
            out.append(contentsOf: #","dropped_fields":"#.utf8)
            out.append(contentsOf: String(droppedFields).utf8)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// Reads a report back from its JSON form; nil when the shape is wrong.
    public init?(jsonValue: JSONValue) {
        guard let version = jsonValue["policy"]?.stringValue, let counts = jsonValue["counts"]?.objectMembers else { return nil }
        var parsed: [Entry] = []
        for entry in counts {
            guard let actions = entry.value.objectMembers else { return nil }
            for a in actions {
                guard let action = RedactionAction(rawValue: a.key), let n = a.value.int64Value, n >= 0 else { return nil }
                parsed.append(Entry(entity: EntityType(entry.key), action: action, count: Int(n)))
            }
        }
        var dropped = 0
        if let d = jsonValue["dropped_fields"] {
            guard let n = d.int64Value, n >= 0 else { return nil }
            dropped = Int(n)
        }
        self.init(policyVersion: version, entries: parsed, droppedFields: dropped)
    }
}
