/// Byte-level formatting helpers: the generator builds JSON directly into `[UInt8]`
/// without `String` interpolation or `JSONSerialization`.
extension Array where Element == UInt8 {
    /// Appends the UTF-8 bytes of a static string.
    @inline(__always)
    mutating func appendStatic(_ s: StaticString) {
        append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    /// Appends a non-negative or negative integer in decimal.
    mutating func appendDecimal(_ value: Int) {
        if value < 0 { append(UInt8(ascii: "-")) }
        appendDecimal(UInt64(value.magnitude))
    }

    /// Appends an unsigned integer in decimal.
    mutating func appendDecimal(_ value: UInt64) {
        var digits = 0
        var t = value
        repeat { digits += 1; t /= 10 } while t > 0
        var i = count + digits - 1
        append(contentsOf: repeatElement(0x30, count: digits))
        var n = value
        repeat { self[i] = 0x30 &+ UInt8(n % 10); n /= 10; i -= 1 } while n > 0
    }

    /// Appends `value` in decimal, left-padded with zeros to `width` digits.
    mutating func appendDecimal(_ value: Int, width: Int) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var v = value
        while divisor > 0 { append(0x30 &+ UInt8(v / divisor % 10)); v %= divisor; divisor /= 10 }
    }

    /// Appends `scaled / 10^decimals` as a decimal number, trimming trailing fractional zeros
    /// (`12340, 4` → `1.234`; `5, 8` → `0.00000005`; `0, 2` → `0`).
    mutating func appendScaledDecimal(_ scaled: Int, decimals: Int) {
        var divisor = 1
        for _ in 0..<decimals { divisor *= 10 }
        let whole = scaled / divisor
        var fraction = scaled % divisor
        appendDecimal(whole)
        if fraction == 0 { return }
        append(UInt8(ascii: "."))
        var digits = decimals
        while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
        appendDecimal(fraction, width: digits)
    }

    /// Appends the low `digits` nibbles of `value` as lowercase hex.
    mutating func appendHex(_ value: UInt64, digits: Int) {
        var shift = (digits - 1) * 4
        while shift >= 0 {
            append(hexDigitTable[Int((value >> UInt64(shift)) & 0xF)])
            shift -= 4
        }
    }

    /// Appends `bytes` (valid UTF-8) as the body of a JSON string: escapes `"`, `\` and
    /// control characters; everything else is copied, so non-ASCII text stays as UTF-8.
    mutating func appendJSONEscaped(_ bytes: [UInt8]) {
        reserveCapacity(count + bytes.count + 16)
        bytes.withUnsafeBufferPointer { src in
            var runStart = 0
            var i = 0
            let n = src.count
            while i < n {
                let c = src[i]
                if c >= 0x20 && c != 0x22 && c != 0x5C { i += 1; continue }
                if runStart < i { append(contentsOf: UnsafeBufferPointer(rebasing: src[runStart..<i])) }
                switch c {
                case 0x22: append(0x5C); append(0x22)
                case 0x5C: append(0x5C); append(0x5C)
                case 0x0A: append(0x5C); append(UInt8(ascii: "n"))
                case 0x09: append(0x5C); append(UInt8(ascii: "t"))
                case 0x0D: append(0x5C); append(UInt8(ascii: "r"))
                default:
                    appendStatic("\\u00")
                    append(hexDigitTable[Int(c >> 4)]); append(hexDigitTable[Int(c & 0xF)])
                }
                i += 1
                runStart = i
            }
            if runStart < n { append(contentsOf: UnsafeBufferPointer(rebasing: src[runStart..<n])) }
        }
    }

    /// Appends an RFC 3339 UTC timestamp with milliseconds (`2026-11-24T09:00:00.123Z`) for
    /// `milliseconds` since the Unix epoch (proleptic Gregorian calendar, no leap seconds).
    mutating func appendTimestamp(milliseconds: Int64) {
        let ms = Int(((milliseconds % 1000) + 1000) % 1000)
        let totalSeconds = (milliseconds - Int64(ms)) / 1000
        var days = Int(totalSeconds / 86_400)
        var secondOfDay = Int(totalSeconds % 86_400)
        if secondOfDay < 0 { secondOfDay += 86_400; days -= 1 }
        let (year, month, day) = CivilDate.fromDays(days)
        appendDecimal(year, width: 4); append(UInt8(ascii: "-"))
        appendDecimal(month, width: 2); append(UInt8(ascii: "-"))
        appendDecimal(day, width: 2); append(UInt8(ascii: "T"))
        appendDecimal(secondOfDay / 3600, width: 2); append(UInt8(ascii: ":"))
        appendDecimal(secondOfDay / 60 % 60, width: 2); append(UInt8(ascii: ":"))
        appendDecimal(secondOfDay % 60, width: 2); append(UInt8(ascii: "."))
        appendDecimal(ms, width: 3); append(UInt8(ascii: "Z"))
    }
}

let hexDigitTable: [UInt8] = Array("0123456789abcdef".utf8)

/// Conversions between days since 1970-01-01 and civil dates (H. Hinnant's algorithms).
enum CivilDate {
    /// The (year, month, day) of `days` since 1970-01-01.
    static func fromDays(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// Days since 1970-01-01 of a civil date.
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
