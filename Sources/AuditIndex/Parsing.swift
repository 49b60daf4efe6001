// Parsers for command-line and HTTP query arguments. Errors say what form was expected and
// never repeat the argument (it may be a user name or a customer id).

/// Parsing of time arguments (`--from`, `--to`).
public enum TimeArgument {
    /// Parses a time into milliseconds since the epoch (UTC).
    ///
    /// Accepted forms:
    /// - `now`;
    /// - relative to `now`: a sign, an integer and a unit `ms`, `s`, `m`, `h`, `d` or `w`
    ///   (`-24h`, `-7d`, `-30m`, `+1h`);
    /// - RFC 3339: `2026-11-24T09:00:00Z`, `2026-11-24T09:00:00.123456+01:00` (fraction truncated
    ///   to ms; `t`/`z` and a space separator accepted; second 60 counts as the next second);
    /// - a date alone, `2026-11-24`, meaning its midnight UTC.
    public static func parse(_ text: String, now: Int64) throws(IndexError) -> Int64 {
        let operation = "parse time"
        let bytes = Array(text.utf8)
        if text == "now" { return now }
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            guard let offset = relative(bytes) else {
                throw IndexError.invalidArgument("a relative time is a sign, a number and a unit (ms, s, m, h, d, w), e.g. -24h",
                                                 operation: operation)
            }
            let (result, overflow) = first == UInt8(ascii: "-") ? now.subtractingReportingOverflow(offset)
                                                                  : now.addingReportingOverflow(offset)
            guard !overflow else { throw IndexError.invalidArgument("the relative time is out of range", operation: operation) }
            return result
        }
        guard let ms = rfc3339(bytes) else {
            throw IndexError.invalidArgument(
                "expected RFC 3339 (2026-11-24T09:00:00Z), a date (2026-11-24), a relative time (-24h) or now",
                operation: operation)
        }
        return ms
    }

    private static func relative(_ bytes: [UInt8]) -> Int64? {
        var i = 1
        var value: Int64 = 0
        let digitsStart = i
        while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(bytes[i] - UInt8(ascii: "0")))
            if o1 || o2 { return nil }
            value = a
            i += 1
        }
        guard i > digitsStart else { return nil }
        let unit = String(decoding: bytes[i...], as: UTF8.self)
        let scale: Int64
        switch unit {
        case "ms": scale = 1
        case "s": scale = 1000
        case "m": scale = 60_000
        case "h": scale = 3_600_000
        case "d": scale = 86_400_000
        case "w": scale = 604_800_000
        default: return nil
        }
        let (result, overflow) = value.multipliedReportingOverflow(by: scale)
        return overflow ? nil : result
    }

    private static func rfc3339(_ b: [UInt8]) -> Int64? {
        var i = 0
        func number(_ count: Int) -> Int64? {
            guard i + count <= b.count else { return nil }
            var v: Int64 = 0
            for j in i..<(i + count) {
                guard b[j] >= UInt8(ascii: "0"), b[j] <= UInt8(ascii: "9") else { return nil }
                v = v * 10 + Int64(b[j] - UInt8(ascii: "0"))
            }
            i += count
            return v
        }
        func expect(_ c: Character) -> Bool {
            guard i < b.count, b[i] == c.asciiValue! else { return false }
            i += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2) else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month) else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        if i == b.count { return days * 86_400_000 }
        guard i < b.count, [UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")].contains(b[i]) else { return nil }
        i += 1
        guard let hour = number(2), expect(":"), let minute = number(2), expect(":"), let second = number(2) else { return nil }
        guard hour <= 23, minute <= 59, second <= 60 else { return nil }
        var millis: Int64 = 0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var digits = 0
            while i < b.count, b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") {
                if digits < 3 { millis = millis * 10 + Int64(b[i] - UInt8(ascii: "0")) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 3) { millis *= 10 }
        }
        guard i < b.count else { return nil }
        var offsetMinutes: Int64 = 0
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            let negative = b[i] == UInt8(ascii: "-")
            i += 1
            guard let oh = number(2), expect(":"), let om = number(2), oh <= 23, om <= 59 else { return nil }
            offsetMinutes = (oh * 60 + om) * (negative ? -1 : 1)
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60
        return seconds * 1000 + millis
    }

    private static func isLeapYear(_ y: Int64) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    private static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

extension StatusMatch {
    /// Parses a comma-separated list of status codes and classes: `404`, `4xx` (or `4XX`), `4xx,500`.
    public static func parse(_ text: String) throws(IndexError) -> StatusMatch {
        var match = StatusMatch()
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let bytes = Array(part.utf8)
            guard bytes.count == 3, bytes[0] >= UInt8(ascii: "0"), bytes[0] <= UInt8(ascii: "9") else {
                throw IndexError.invalidArgument("a status is a 3-digit code (404) or a class (4xx)", operation: "parse status")
            }
            let rest = String(decoding: bytes[1...], as: UTF8.self)
            if rest == "xx" || rest == "XX" {
                match.classes.insert(Int(bytes[0] - UInt8(ascii: "0")))
            } else if let code = Int(String(decoding: bytes, as: UTF8.self)) {
                match.codes.insert(code)
            } else {
                throw IndexError.invalidArgument("a status is a 3-digit code (404) or a class (4xx)", operation: "parse status")
            }
        }
        return match
    }
}

extension MetadataCondition {
    /// Parses `key=value` or `key=v1,v2` (values ORed). A backslash escapes the next character,
    /// so `\,` is a comma inside a value and `\\` a backslash. The key must not be empty.
    ///
    /// Read scalar by scalar, not by characters: a combining mark or an emoji modifier right after
    /// `=` or `,` (`k=🏻…`) would otherwise merge with it into one character and hide it.
    public static func parse(_ text: String) throws(IndexError) -> MetadataCondition {
        let operation = "parse metadata condition"
        let scalars = text.unicodeScalars
        guard let equals = scalars.firstIndex(of: "=") else {
            throw IndexError.invalidArgument("a metadata condition is key=value or key=v1,v2", operation: operation)
        }
        let key = String(String.UnicodeScalarView(scalars[..<equals]))
        guard !key.isEmpty else {
            throw IndexError.invalidArgument("the metadata key is empty", operation: operation)
        }
        var values = Set<String>()
        var current = String.UnicodeScalarView()
        var escaping = false
        for c in scalars[scalars.index(after: equals)...] {
            if escaping {
                current.append(c)
                escaping = false
            } else if c == "\\" {
                escaping = true
            } else if c == "," {
                values.insert(String(current))
                current = String.UnicodeScalarView()
            } else {
                current.append(c)
            }
        }
        guard !escaping else {
            throw IndexError.invalidArgument("a metadata value ends with a lone backslash", operation: operation)
        }
        values.insert(String(current))
        return MetadataCondition(key: key, values: values)
    }
}

extension GroupField {
    /// Parses one field name: `region`, `tenant`, `team`, `user`, `api_key` (`api_key_id`),
    /// `kind`, `model`, `provider`, `status`, `error` (`error_class`), `backend` (`route_backend`),
    /// or a metadata key as `meta:KEY` (also `meta.KEY`, `metadata.KEY`).
    public static func parse(_ text: String) throws(IndexError) -> GroupField {
        for prefix in ["meta:", "meta.", "metadata.", "metadata:"] where text.hasPrefix(prefix) {
            let key = String(text.dropFirst(prefix.count))
            guard !key.isEmpty else { break }
            return .metadata(key)
        }
        switch text {
        case "region": return .region
        case "tenant": return .tenant
        case "team": return .team
        case "user": return .user
        case "api_key", "api_key_id", "api-key": return .apiKeyID
        case "kind": return .kind
        case "model": return .model
        case "provider": return .provider
        case "status": return .status
        case "error", "error_class": return .errorClass
        case "backend", "route_backend": return .routeBackend
        default:
            throw IndexError.invalidArgument(
                "unknown group-by field; use region, tenant, team, user, api_key, kind, model, provider, status, "
                    + "error, backend or meta:KEY", operation: "parse group-by")
        }
    }

    /// Parses a comma-separated list of fields (`model,meta:customer_id`).
    public static func parseList(_ text: String) throws(IndexError) -> [GroupField] {
        var fields: [GroupField] = []
        for part in text.split(separator: ",") {
            // A field named twice groups once (`model,model` would give rows with a key twice).
            let field = try parse(String(part))
            if !fields.contains(field) { fields.append(field) }
        }
        return fields
    }
}

extension TimeBucket {
    /// Parses `minute`, `hour` or `day`.
    public static func parse(_ text: String) throws(IndexError) -> TimeBucket {
        guard let bucket = TimeBucket(rawValue: text) else {
            throw IndexError.invalidArgument("a bucket is minute, hour or day", operation: "parse bucket")
        }
        return bucket
    }
}
