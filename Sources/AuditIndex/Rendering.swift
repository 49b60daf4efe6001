import JSON

extension TimeArgument {
    /// Formats milliseconds since the epoch as RFC 3339 UTC with milliseconds
    /// (`2026-11-24T09:00:00.123Z`). The inverse of `parse` for that form.
    public static func format(_ ms: Int64) -> String {
        let msPerDay: Int64 = 86_400_000
        var days = ms / msPerDay
        var rest = ms % msPerDay
        if rest < 0 { rest += msPerDay; days -= 1 }
        // civil_from_days (Howard Hinnant).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ v: Int64, _ width: Int) -> String {
            let s = String(v)
            return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
        }
        let hour = rest / 3_600_000
        let minute = rest / 60_000 % 60
        let second = rest / 1000 % 60
        let millis = rest % 1000
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2)).\(pad(millis, 3))Z"
    }
}

extension LatencySummary {
    /// `{"count":n,"avg":…,"p50":…,"p95":…,"p99":…}` in ms (null when no value).
    public var jsonValue: JSONValue {
        func number(_ d: Double?) -> JSONValue { d.map(JSONValue.double) ?? .null }
        return .object([
            JSONMember("count", .int(count)),
            JSONMember("avg", number(average)),
            JSONMember("p50", number(p50)),
            JSONMember("p95", number(p95)),
            JSONMember("p99", number(p99)),
        ])
    }
}

extension AggregateGroup {
    /// The group as a JSON object: `bucket` (RFC 3339, when grouping by time), one member per
    /// group field named as `GroupField.description`, then `count`, `errors`, `error_rate`,
    /// `input_tokens`, `output_tokens`, `cost_usd` and `latency_ms` (`total`, `ttft`, `itl`).
    /// `groupBy` must be the fields the aggregate was computed with.
    public func jsonValue(groupBy: [GroupField]) -> JSONValue {
        var members: [JSONMember] = []
        if let bucketStart { members.append(JSONMember("bucket", .string(TimeArgument.format(bucketStart)))) }
        for (field, key) in zip(groupBy, keys) {
            members.append(JSONMember(field.description, key.map(JSONValue.string) ?? .null))
        }
        members += [
            JSONMember("count", .int(count)),
            JSONMember("errors", .int(errors)),
            JSONMember("error_rate", .double(errorRate)),
            JSONMember("input_tokens", .int(inputTokens)),
            JSONMember("output_tokens", .int(outputTokens)),
            JSONMember("cost_usd", .double(costUSD)),
            JSONMember("latency_ms", .object([
                JSONMember("total", latencyTotal.jsonValue),
                JSONMember("ttft", ttft.jsonValue),
                JSONMember("itl", itl.jsonValue),
            ])),
        ]
        return .object(members)
    }
}
