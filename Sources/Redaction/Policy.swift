import Foundation
import JSON

/// A problem in a policy file: where (a dotted key path inside the file) and what.
///
/// Messages quote policy keys and entity names, which are configuration, never record content.
public struct RedactionPolicyError: Error, Equatable, CustomStringConvertible {
    /// Where in the policy, e.g. `regions.eu.actions.EMAIL` (empty for the whole document).
    public let keyPath: String
    /// What is wrong, in words.
    public let message: String

    /// Makes an error.
    public init(keyPath: String, message: String) {
        self.keyPath = keyPath
        self.message = message
    }

    /// "invalid redaction policy at <key path>: <message>".
    public var description: String {
        keyPath.isEmpty ? "invalid redaction policy: \(message)" : "invalid redaction policy at \(keyPath): \(message)"
    }
}

/// Actions that apply on top of the defaults for one region or one tenant.
public struct PolicyOverride: Sendable, Equatable {
    /// Entity name (or `*` for every type not named) to action.
    public var actions: [String: RedactionAction]
    /// Field rules added to the policy's global rules.
    public var fieldRules: [FieldRule]

    /// Makes an override.
    public init(actions: [String: RedactionAction] = [:], fieldRules: [FieldRule] = []) {
        self.actions = actions
        self.fieldRules = fieldRules
    }
}

/// A policy-defined detector: a name and a regular expression (NSRegularExpression syntax).
///
/// Custom detectors rank above the built-in ones when their matches overlap. Their running time
/// is whatever the expression costs; the built-in detectors are linear.
public struct CustomDetector: Sendable {
    /// The entity type reported for matches, e.g. `EMPLOYEE_ID`.
    public let entity: EntityType
    /// The expression's source text.
    public let pattern: String
    /// True when matching ignores case.
    public let isCaseInsensitive: Bool
    let regex: NSRegularExpression

    /// Compiles a detector; throws when the name or the expression is invalid.
    public init(name: String, pattern: String, caseInsensitive: Bool = false) throws {
        try self.init(name: name, pattern: pattern, caseInsensitive: caseInsensitive, keyPath: "custom_detectors")
    }

    init(name: String, pattern: String, caseInsensitive: Bool, keyPath: String) throws {
        guard Self.isValidName(name) else {
            throw RedactionPolicyError(keyPath: keyPath + ".name",
                                       message: "'\(name)' is not a valid entity name (upper-case letters, digits and '_', starting with a letter, at most 64)")
        }
        guard !EntityType(name).isBuiltIn else {
            throw RedactionPolicyError(keyPath: keyPath + ".name", message: "'\(name)' is a built-in entity type; choose another name")
        }
        guard !pattern.isEmpty else { throw RedactionPolicyError(keyPath: keyPath + ".pattern", message: "the pattern is empty") }
        let compiled: NSRegularExpression
        do {
            compiled = try NSRegularExpression(pattern: pattern, options: caseInsensitive ? [.caseInsensitive] : [])
        } catch {
            throw RedactionPolicyError(keyPath: keyPath + ".pattern", message: "the pattern is not a valid regular expression")
        }
        if compiled.firstMatch(in: "", options: [], range: NSRange(location: 0, length: 0)) != nil {
            throw RedactionPolicyError(keyPath: keyPath + ".pattern", message: "the pattern matches the empty string")
        }
        self.entity = EntityType(name)
        self.pattern = pattern
        self.isCaseInsensitive = caseInsensitive
        self.regex = compiled
    }

    static func isValidName(_ name: String) -> Bool {
        let b = Array(name.utf8)
        guard let first = b.first, b.count <= 64, Bytes.isUpper(first) else { return false }
        return b.allSatisfy { Bytes.isUpper($0) || Bytes.isDigit($0) || $0 == UInt8(ascii: "_") }
    }
}

/// What a field rule does.
public enum FieldRuleKind: String, Sendable, Equatable {
    /// Remove the member from the record entirely.
    case drop
    /// Keep the member as it is, without scanning it.
    case skip
}

/// One step of a field rule path.
public enum FieldPathComponent: Sendable, Equatable {
    /// A member with this exact name.
    case key(String)
    /// Any member (`*`).
    case anyKey
    /// The array element with this index (`[3]`).
    case index(Int)
    /// Any array element (`[*]`).
    case anyIndex
}

/// A rule for the members at a JSON path, such as `request.params.api_key` (drop) or
/// `request.messages[*].name` (skip). Paths are dotted member names; `[*]` matches every
/// element of an array, `[n]` one element, `*` any member name. A path ends with a member name.
/// Metadata entries are matched as `metadata.<key>`.
public struct FieldRule: Sendable, Equatable {
    /// The path as written.
    public let path: String
    /// The parsed path.
    public let components: [FieldPathComponent]
    /// Drop or skip.
    public let kind: FieldRuleKind

    /// Parses a path; throws a `RedactionPolicyError` when it is malformed.
    public init(path: String, kind: FieldRuleKind) throws {
        try self.init(path: path, kind: kind, keyPath: "fields")
    }

    init(path: String, kind: FieldRuleKind, keyPath: String) throws {
        self.path = path
        self.kind = kind
        self.components = try Self.parse(path, keyPath: keyPath + ".path")
    }

    static func parse(_ path: String, keyPath: String) throws -> [FieldPathComponent] {
        func fail(_ why: String) -> RedactionPolicyError { RedactionPolicyError(keyPath: keyPath, message: "'\(path)': \(why)") }
        var out: [FieldPathComponent] = []
        let bytes = Array(path.utf8)
        var i = 0
        guard !bytes.isEmpty else { throw fail("the path is empty") }
        while i < bytes.count {
            let start = i
            while i < bytes.count && bytes[i] != UInt8(ascii: ".") && bytes[i] != UInt8(ascii: "[") { i += 1 }
            let name = String(decoding: bytes[start..<i], as: UTF8.self)
            guard !name.isEmpty else { throw fail("empty member name at byte \(start)") }
            out.append(name == "*" ? .anyKey : .key(name))
            while i < bytes.count && bytes[i] == UInt8(ascii: "[") {
                guard let close = bytes[i...].firstIndex(of: UInt8(ascii: "]")) else { throw fail("'[' without ']'") }
                let inner = String(decoding: bytes[(i + 1)..<close], as: UTF8.self)
                if inner == "*" {
                    out.append(.anyIndex)
                } else if let n = Int(inner), n >= 0, inner.utf8.allSatisfy(Bytes.isDigit) {
                    out.append(.index(n))
                } else {
                    throw fail("an index must be [*] or a non-negative number")
                }
                i = close + 1
            }
            if i < bytes.count {
                guard bytes[i] == UInt8(ascii: ".") else { throw fail("expected '.' or '[' at byte \(i)") }
                i += 1
                guard i < bytes.count else { throw fail("the path ends with '.'") }
            }
        }
        switch out.last {
        case .key?, .anyKey?: return out
        default: throw fail("a path must end with a member name, not an array index")
        }
    }

    /// True when the rule applies to the member at `path`. O(path length).
    public func matches(_ path: [JSONPathComponent]) -> Bool {
        guard path.count == components.count else { return false }
        for (c, p) in zip(components, path) {
            switch (c, p) {
            case (.key(let a), .key(let b)): if a != b { return false }
            case (.anyKey, .key): continue
            case (.index(let a), .index(let b)): if a != b { return false }
            case (.anyIndex, .index): continue
            default: return false
            }
        }
        return true
    }
}

/// A redaction policy: what to do with each entity type, by region and tenant, plus custom
/// detectors and field rules. Policies are immutable values; changing the policy never
/// rewrites stored records (each record's report names the version it was redacted under).
///
/// Resolution for an entity type, first match wins: tenant override (type, then `*`), region
/// override (type, then `*`), defaults (type, then `*`), and finally the built-in default
/// (`mask` for CREDIT_CARD, `redact` for everything else).
public struct RedactionPolicy: Sendable {
    /// The policy version recorded in every report, e.g. `2026-11-01`.
    public let version: String
    /// Entity name (or `*`) to action.
    public let defaults: [String: RedactionAction]
    /// Overrides by region name.
    public let regions: [String: PolicyOverride]
    /// Overrides by tenant id (they win over region overrides).
    public let tenants: [String: PolicyOverride]
    /// Policy-defined detectors.
    public let customDetectors: [CustomDetector]
    /// Field rules applied in every region and for every tenant.
    public let fieldRules: [FieldRule]

    /// Validates and makes a policy.
    public init(version: String, defaults: [String: RedactionAction] = [:], regions: [String: PolicyOverride] = [:],
                tenants: [String: PolicyOverride] = [:], customDetectors: [CustomDetector] = [],
                fieldRules: [FieldRule] = []) throws {
        guard !version.isEmpty, version.utf8.count <= 128 else {
            throw RedactionPolicyError(keyPath: "version", message: "the version must be a non-empty string of at most 128 bytes")
        }
        var seen = Set<String>()
        for (k, d) in customDetectors.enumerated() where !seen.insert(d.entity.name).inserted {
            throw RedactionPolicyError(keyPath: "custom_detectors[\(k)].name", message: "'\(d.entity.name)' is defined twice")
        }
        let known = Set(EntityType.builtIn.map(\.name)).union(seen).union(["*"])
        func check(_ actions: [String: RedactionAction], _ keyPath: String) throws {
            for name in actions.keys.sorted() where !known.contains(name) {
                throw RedactionPolicyError(keyPath: "\(keyPath).\(name)",
                                           message: "unknown entity type '\(name)' (known: \(known.subtracting(["*"]).sorted().joined(separator: ", ")), or '*')")
            }
        }
        try check(defaults, "defaults")
        for (r, o) in regions { try check(o.actions, "regions.\(r).actions") }
        for (t, o) in tenants { try check(o.actions, "tenants.\(t).actions") }
        self.version = version
        self.defaults = defaults
        self.regions = regions
        self.tenants = tenants
        self.customDetectors = customDetectors
        self.fieldRules = fieldRules
    }

    /// The built-in policy: every type redacted, card numbers masked, no field rules.
    public static let standard: RedactionPolicy = {
        // Cannot fail: constant, valid arguments.
        try! RedactionPolicy(version: "builtin-1", defaults: ["*": .redact, "CREDIT_CARD": .mask])
    }()

    /// Every entity type the policy knows: the built-ins, then custom detectors in order.
    public var entityTypes: [EntityType] { EntityType.builtIn + customDetectors.map(\.entity) }

    /// The action for `entity` in `region` for `tenant` (see the type's resolution order).
    public func action(for entity: EntityType, region: String, tenant: String?) -> RedactionAction {
        let t = tenant.flatMap { tenants[$0] }
        let r = regions[region]
        return t?.actions[entity.name] ?? t?.actions["*"] ?? r?.actions[entity.name] ?? r?.actions["*"]
            ?? defaults[entity.name] ?? defaults["*"] ?? (entity == .creditCard ? .mask : .redact)
    }

    /// The field rules in force for `region` and `tenant`: global, then region, then tenant rules.
    public func fieldRules(region: String, tenant: String?) -> [FieldRule] {
        fieldRules + (regions[region]?.fieldRules ?? []) + (tenant.flatMap { tenants[$0]?.fieldRules } ?? [])
    }

    // MARK: - Files

    /// Reads and validates a policy file. Errors name the file's key path, never record data.
    public static func load(contentsOf path: String) throws -> RedactionPolicy {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RedactionPolicyError(keyPath: "", message: "cannot read the policy file '\(path)'")
        }
        return try parse(Array(data))
    }

    /// Parses a policy from JSON text.
    public static func parse(_ text: String) throws -> RedactionPolicy { try parse(Array(text.utf8)) }

    /// Parses a policy from JSON bytes.
    ///
    /// ```json
    /// {"version": "2026-11-01",
    ///  "defaults": {"*": "redact", "CREDIT_CARD": "mask"},
    ///  "regions": {"eu": {"actions": {"EMAIL": "hash"}}},
    ///  "tenants": {"acme": {"actions": {"IP_ADDRESS": "allow"}, "fields": []}},
    ///  "custom_detectors": [{"name": "EMPLOYEE_ID", "pattern": "EMP-[0-9]{6}"}],
    ///  "fields": [{"path": "request.params.api_key", "rule": "drop"}]}
    /// ```
    public static func parse(_ bytes: [UInt8]) throws -> RedactionPolicy {
        let root: JSONValue
        do {
            root = try JSONValue.parse(bytes)
        } catch let error as JSONError {
            throw RedactionPolicyError(keyPath: "", message: "not valid JSON (\(error.description))")
        }
        guard let members = root.objectMembers else {
            throw RedactionPolicyError(keyPath: "", message: "the policy must be a JSON object, not \(root.typeName)")
        }
        try checkKeys(members, allowed: ["version", "description", "defaults", "regions", "tenants", "custom_detectors", "fields"], keyPath: "")
        guard let versionValue = root["version"] else {
            throw RedactionPolicyError(keyPath: "version", message: "missing (every policy needs a version)")
        }
        guard let version = versionValue.stringValue else {
            throw RedactionPolicyError(keyPath: "version", message: "must be a string, not \(versionValue.typeName)")
        }
        if let d = root["description"], d.stringValue == nil {
            throw RedactionPolicyError(keyPath: "description", message: "must be a string, not \(d.typeName)")
        }
        var detectors: [CustomDetector] = []
        if let list = root["custom_detectors"] {
            guard let items = list.arrayValue else {
                throw RedactionPolicyError(keyPath: "custom_detectors", message: "must be an array, not \(list.typeName)")
            }
            for (k, item) in items.enumerated() {
                let kp = "custom_detectors[\(k)]"
                guard let m = item.objectMembers else { throw RedactionPolicyError(keyPath: kp, message: "must be an object, not \(item.typeName)") }
                try checkKeys(m, allowed: ["name", "pattern", "case_insensitive", "description"], keyPath: kp)
                let name = try requiredString(item, "name", kp)
                let pattern = try requiredString(item, "pattern", kp)
                var insensitive = false
                if let ci = item["case_insensitive"] {
                    guard let b = ci.boolValue else { throw RedactionPolicyError(keyPath: kp + ".case_insensitive", message: "must be true or false") }
                    insensitive = b
                }
                detectors.append(try CustomDetector(name: name, pattern: pattern, caseInsensitive: insensitive, keyPath: kp))
            }
        }
        let defaults = try parseActions(root["defaults"], keyPath: "defaults")
        let fields = try parseFields(root["fields"], keyPath: "fields")
        func parseOverrides(_ value: JSONValue?, _ keyPath: String) throws -> [String: PolicyOverride] {
            guard let value else { return [:] }
            guard let entries = value.objectMembers else {
                throw RedactionPolicyError(keyPath: keyPath, message: "must be an object of names to overrides, not \(value.typeName)")
            }
            var out: [String: PolicyOverride] = [:]
            for entry in entries {
                let kp = "\(keyPath).\(entry.key)"
                guard !entry.key.isEmpty else { throw RedactionPolicyError(keyPath: keyPath, message: "a name is empty") }
                guard out[entry.key] == nil else { throw RedactionPolicyError(keyPath: kp, message: "defined twice") }
                guard let m = entry.value.objectMembers else {
                    throw RedactionPolicyError(keyPath: kp, message: "must be an object with \"actions\" and/or \"fields\", not \(entry.value.typeName)")
                }
                try checkKeys(m, allowed: ["actions", "fields", "description"], keyPath: kp)
                out[entry.key] = PolicyOverride(actions: try parseActions(entry.value["actions"], keyPath: kp + ".actions"),
                                                fieldRules: try parseFields(entry.value["fields"], keyPath: kp + ".fields"))
            }
            return out
        }
        return try RedactionPolicy(version: version, defaults: defaults,
                                   regions: try parseOverrides(root["regions"], "regions"),
                                   tenants: try parseOverrides(root["tenants"], "tenants"),
                                   customDetectors: detectors, fieldRules: fields)
    }

    static func checkKeys(_ members: [JSONMember], allowed: [String], keyPath: String) throws {
        var seen = Set<String>()
        for m in members {
            let kp = keyPath.isEmpty ? m.key : "\(keyPath).\(m.key)"
            guard allowed.contains(m.key) else {
                throw RedactionPolicyError(keyPath: kp, message: "unknown key (expected one of: \(allowed.joined(separator: ", ")))")
            }
            guard seen.insert(m.key).inserted else { throw RedactionPolicyError(keyPath: kp, message: "the key appears twice") }
        }
    }

    static func requiredString(_ object: JSONValue, _ key: String, _ keyPath: String) throws -> String {
        guard let v = object[key] else { throw RedactionPolicyError(keyPath: "\(keyPath).\(key)", message: "missing") }
        guard let s = v.stringValue else { throw RedactionPolicyError(keyPath: "\(keyPath).\(key)", message: "must be a string, not \(v.typeName)") }
        return s
    }

    static func parseActions(_ value: JSONValue?, keyPath: String) throws -> [String: RedactionAction] {
        guard let value else { return [:] }
        guard let members = value.objectMembers else {
            throw RedactionPolicyError(keyPath: keyPath, message: "must be an object of entity types to actions, not \(value.typeName)")
        }
        var out: [String: RedactionAction] = [:]
        let names = RedactionAction.allCases.map(\.rawValue).joined(separator: ", ")
        for m in members {
            let kp = "\(keyPath).\(m.key)"
            guard out[m.key] == nil else { throw RedactionPolicyError(keyPath: kp, message: "the key appears twice") }
            guard let s = m.value.stringValue else { throw RedactionPolicyError(keyPath: kp, message: "must be an action name (\(names)), not \(m.value.typeName)") }
            guard let action = RedactionAction(rawValue: s) else {
                throw RedactionPolicyError(keyPath: kp, message: "unknown action '\(s)' (expected one of: \(names))")
            }
            out[m.key] = action
        }
        return out
    }

    static func parseFields(_ value: JSONValue?, keyPath: String) throws -> [FieldRule] {
        guard let value else { return [] }
        guard let items = value.arrayValue else {
            throw RedactionPolicyError(keyPath: keyPath, message: "must be an array of {\"path\", \"rule\"} objects, not \(value.typeName)")
        }
        var out: [FieldRule] = []
        for (k, item) in items.enumerated() {
            let kp = "\(keyPath)[\(k)]"
            guard let m = item.objectMembers else { throw RedactionPolicyError(keyPath: kp, message: "must be an object, not \(item.typeName)") }
            try checkKeys(m, allowed: ["path", "rule", "description"], keyPath: kp)
            let path = try requiredString(item, "path", kp)
            let ruleName = try requiredString(item, "rule", kp)
            guard let kind = FieldRuleKind(rawValue: ruleName) else {
                throw RedactionPolicyError(keyPath: kp + ".rule", message: "unknown rule '\(ruleName)' (expected drop or skip)")
            }
            out.append(try FieldRule(path: path, kind: kind, keyPath: kp))
        }
        return out
    }
}
