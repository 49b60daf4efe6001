// Compact encodings of entry fields in the index. All of these are part of the on-disk
// schema: changing one requires a schema migration (or a rebuild).

enum FieldEncoding {
    /// Record ids and trace ids are indexed by a 32-bit hash (64-bit FNV-1a of the UTF-8 bytes,
    /// folded), stored as a signed integer so SQLite keeps it in 4 bytes. The row keeps the full
    /// value, compared after the hash lookup, so a collision only costs a row read.
    static func hash32(_ text: String) -> Int64 {
        var text = text
        return text.withUTF8 { hash32(UnsafeRawBufferPointer($0)) }
    }

    /// `hash32` of UTF-8 bytes.
    static func hash32(_ utf8: UnsafeRawBufferPointer) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return Int64(Int32(truncatingIfNeeded: hash ^ (hash >> 32)))
    }

    /// Row id layout: position in the high bits, region number (1...255) in the low 8 bits, so
    /// row ids stay small (4 bytes up to 8M records per region) in the table and in every index.
    static let regionBits: Int64 = 8
    /// Mask of the region number in a row id.
    static let regionMask: Int64 = (1 << regionBits) - 1
    /// Largest position that fits a row id.
    static let maxPosition: UInt64 = (1 << (63 - UInt64(regionBits))) - 1
    /// Largest region number.
    static let maxRegionNumber: Int64 = regionMask

    /// Records are grouped in blocks of 2^blockBits consecutive positions of one region (2^16 by
    /// default; fixed per index file, in table `setting`). The indexes whose keys are scattered
    /// (id and trace hashes, user, metadata) start with the block, so a batch of inserts only
    /// touches the small key range of the current block instead of pages all over the index:
    /// the write cost per record stays flat as the index grows.
    static let defaultBlockBits = 16

    /// The block of `position` in region number `region`: block sequence number << 8 | region.
    static func block(region: Int64, position: UInt64, blockBits: Int) -> Int64 {
        Int64(position >> UInt64(blockBits)) << regionBits | region
    }

    /// The region number of a block.
    static func region(ofBlock block: Int64) -> Int64 { block & regionMask }

    /// The row id of `position` in region number `region`.
    static func rowID(region: Int64, position: UInt64) -> Int64 {
        (Int64(position) << regionBits) | region
    }

    /// The region number of a row id.
    static func region(ofRowID rid: Int64) -> Int64 { rid & regionMask }

    /// The position of a row id.
    static func position(ofRowID rid: Int64) -> UInt64 { UInt64(rid >> regionBits) }

    /// Cost in units of 1e-9 USD, rounded to nearest; nil when not finite or out of range.
    static func nanoUSD(_ usd: Double) -> Int64? {
        let scaled = (usd * 1e9).rounded()
        guard scaled.isFinite, abs(scaled) < 9.2e18 else { return nil }
        return Int64(scaled)
    }

    /// USD from units of 1e-9 USD.
    static func usd(nano: Int64) -> Double { Double(nano) / 1e9 }

    /// Milliseconds as whole microseconds, rounded to nearest; nil when not finite or out of range.
    static func micros(_ ms: Double) -> Int64? {
        let scaled = (ms * 1000).rounded()
        guard scaled.isFinite, abs(scaled) < 9.2e18 else { return nil }
        return Int64(scaled)
    }

    /// Milliseconds from microseconds.
    static func milliseconds(micros: Int64) -> Double { Double(micros) / 1000 }

    /// Trace ids made of lowercase hex digits (even count, 2...128) are stored as their bytes
    /// (a W3C trace id takes 16 bytes instead of 32); any other text is stored as text.
    static func traceValue(_ trace: String) -> SQLValue {
        let utf8 = trace.utf8
        guard utf8.count >= 2, utf8.count <= 128, utf8.count % 2 == 0 else { return .text(trace) }
        var bytes = [UInt8]()
        bytes.reserveCapacity(utf8.count / 2)
        var high: UInt8 = 0
        var isHigh = true
        for c in utf8 {
            let nibble: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = c - UInt8(ascii: "a") + 10
            default: return .text(trace)
            }
            if isHigh { high = nibble } else { bytes.append(high << 4 | nibble) }
            isHigh.toggle()
        }
        return .blob(bytes)
    }

    /// Lowercase hex of `bytes` (the inverse of `traceValue` for blobs).
    static func hex(_ bytes: UnsafeRawBufferPointer) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Metadata pairs as LEB128 varints: key id, value id, key id, value id...
    static func metadataBlob(_ pairs: [(key: Int64, value: Int64)]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(pairs.count * 4)
        for pair in pairs {
            appendVarint(UInt64(bitPattern: pair.key), to: &out)
            appendVarint(UInt64(bitPattern: pair.value), to: &out)
        }
        return out
    }

    /// Decodes a metadata blob; nil when malformed (a corrupt index).
    static func metadataPairs(_ blob: UnsafeRawBufferPointer) -> [(key: Int64, value: Int64)]? {
        var pairs: [(key: Int64, value: Int64)] = []
        var index = 0
        while index < blob.count {
            guard let key = readVarint(blob, &index), let value = readVarint(blob, &index) else { return nil }
            pairs.append((Int64(bitPattern: key), Int64(bitPattern: value)))
        }
        return pairs
    }

    /// The value id of the first pair with `key` in a metadata blob, without allocating.
    static func firstValue(forKey key: Int64, in blob: UnsafeRawBufferPointer) -> Int64? {
        var index = 0
        while index < blob.count {
            guard let k = readVarint(blob, &index), let v = readVarint(blob, &index) else { return nil }
            if Int64(bitPattern: k) == key { return Int64(bitPattern: v) }
        }
        return nil
    }

    static func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    static func readVarint(_ bytes: UnsafeRawBufferPointer, _ index: inout Int) -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while index < bytes.count, shift < 64 {
            let b = bytes[index]
            index += 1
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
        }
        return nil
    }
}

/// A search position: the (time, row id) of the last entry returned, in a given order.
/// Encoded as base64url (no padding) of: version/order byte, ts (8 bytes BE), row id (8 bytes BE).
struct SearchCursor: Equatable {
    var ts: Int64
    var rowID: Int64
    var order: SearchOrder

    private static let newestFirstTag: UInt8 = 0x01
    private static let oldestFirstTag: UInt8 = 0x02

    var encoded: String {
        var bytes: [UInt8] = [order == .newestFirst ? Self.newestFirstTag : Self.oldestFirstTag]
        for value in [ts, rowID] {
            let u = UInt64(bitPattern: value)
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: u >> UInt64(shift))) }
        }
        return Base64URL.encode(bytes)
    }

    init(ts: Int64, rowID: Int64, order: SearchOrder) {
        self.ts = ts
        self.rowID = rowID
        self.order = order
    }

    /// Decodes a cursor; throws `.invalidArgument` for anything this version did not produce.
    init(encoded: String, operation: String) throws(IndexError) {
        guard let bytes = Base64URL.decode(encoded), bytes.count == 17 else {
            throw IndexError.invalidArgument("the cursor is not one this index produced", operation: operation)
        }
        switch bytes[0] {
        case Self.newestFirstTag: order = .newestFirst
        case Self.oldestFirstTag: order = .oldestFirst
        default: throw IndexError.invalidArgument("the cursor is not one this index produced", operation: operation)
        }
        func read(_ start: Int) -> Int64 {
            var u: UInt64 = 0
            for i in start..<(start + 8) { u = u << 8 | UInt64(bytes[i]) }
            return Int64(bitPattern: u)
        }
        ts = read(1)
        rowID = read(9)
    }
}

/// Base64 with the URL-safe alphabet and no padding (RFC 4648 §5).
enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        var i = 0
        while i + 3 <= bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            for shift in [18, 12, 6, 0] { out.append(alphabet[Int((n >> UInt32(shift)) & 63)]) }
            i += 3
        }
        let rest = bytes.count - i
        if rest == 1 {
            let n = UInt32(bytes[i]) << 16
            out.append(alphabet[Int((n >> 18) & 63)])
            out.append(alphabet[Int((n >> 12) & 63)])
        } else if rest == 2 {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            for shift in [18, 12, 6] { out.append(alphabet[Int((n >> UInt32(shift)) & 63)]) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ text: String) -> [UInt8]? {
        var values = [UInt8]()
        for c in text.utf8 {
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): values.append(c - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): values.append(c - UInt8(ascii: "a") + 26)
            case UInt8(ascii: "0")...UInt8(ascii: "9"): values.append(c - UInt8(ascii: "0") + 52)
            case UInt8(ascii: "-"): values.append(62)
            case UInt8(ascii: "_"): values.append(63)
            default: return nil
            }
        }
        if values.count % 4 == 1 { return nil }
        var out = [UInt8]()
        var i = 0
        while i < values.count {
            let chunk = values[i..<min(i + 4, values.count)]
            var n: UInt32 = 0
            for (j, v) in chunk.enumerated() { n |= UInt32(v) << UInt32(18 - 6 * j) }
            let produced = chunk.count - 1
            for j in 0..<produced { out.append(UInt8(truncatingIfNeeded: n >> UInt32(16 - 8 * j))) }
            // Reject non-canonical encodings (stray bits in the last character).
            if chunk.count < 4 {
                let usedBits = UInt32(produced * 8)
                let mask: UInt32 = (1 << (24 - usedBits)) - 1
                if n & mask != 0 { return nil }
            }
            i += 4
        }
        return out
    }
}
