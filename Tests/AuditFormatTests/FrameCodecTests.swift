import XCTest
import AuditFormat
import GatelogCrypto

final class FrameCodecTests: XCTestCase {
    static let key = try! LogSigningKey(
        name: "gatelog-test", privateKey: Ed25519PrivateKey(seed: Hex.decode("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb")!))

    static func records() -> [PreparedRecord] {
        (0..<5).map { i in
            let body = String(repeating: "token\(i) ", count: 20 * (i + 1))
            return PreparedRecord(id: "frame-\(i)", envelope: Array(#"{"id":"frame-\#(i)","ts":"2026-01-01T00:00:00Z","region":"r"}"#.utf8),
                                  content: i == 2 ? Array("{}".utf8) : Array(#"{"request":{"text":"\#(body)"}}"#.utf8))
        }
    }

    static func encoded(firstPosition: UInt64 = 41, previous: Digest32 = SHA256.hash("previous")) throws -> EncodedFrame {
        try FrameCodec.encode(records: records(), firstPosition: firstPosition, previousChain: previous, region: "r",
                              key: key, compressor: ZstdCompressor())
    }

    func testEncodeParseDecodeRoundTrip() throws {
        let previous = SHA256.hash("previous")
        let frame = try Self.encoded(previous: previous)
        let records = Self.records()
        XCTAssertEqual(frame.bytes.count, frame.header.totalSize)
        guard case .header(let header) = frame.bytes.withUnsafeBytes({ FrameCodec.parseHeader($0) }) else { return XCTFail("no header") }
        XCTAssertEqual(header, frame.header)
        XCTAssertEqual(header.firstPosition, 41)
        XCTAssertEqual(header.positions, 41..<46)
        XCTAssertEqual(header.previousChain, previous)
        XCTAssertTrue(frame.bytes.withUnsafeBytes { FrameCodec.hasValidTrailer($0, header: header) })
        XCTAssertLessThan(header.payloadSize, Int(header.envelopesRawLength + header.contentsRawLength), "the payload is compressed")

        let decompressor = ZstdDecompressor()
        let envelopes = try XCTUnwrap(try frame.bytes.withUnsafeBytes { try FrameCodec.envelopes($0, header: header, decompressor: decompressor) })
        let contents = try XCTUnwrap(try frame.bytes.withUnsafeBytes { try FrameCodec.contents($0, header: header, decompressor: decompressor) })
        let envelopeRanges = FrameCodec.ranges(lengths: header.directory.map(\.envelopeLength))
        let contentRanges = FrameCodec.ranges(lengths: header.directory.map(\.contentLength))
        var chain = previous
        for (k, r) in records.enumerated() {
            XCTAssertEqual(Array(envelopes[envelopeRanges[k]]), r.envelope)
            XCTAssertEqual(Array(contents[contentRanges[k]]), r.content)
            XCTAssertEqual(header.directory[k].idHash, PreparedRecord.idHash("frame-\(k)"))
            XCTAssertEqual(header.directory[k].leafHash, r.leafHash)
            XCTAssertEqual(frame.leafHashes[k], r.leafHash)
            chain = LogHash.chain(previous: chain, position: 41 + UInt64(k), leaf: r.leafHash)
            XCTAssertEqual(frame.chainHashes[k], chain)
        }
        XCTAssertEqual(header.chainHead, chain)
        let signature = frame.bytes.withUnsafeBytes { FrameCodec.signature($0, header: header) }
        XCTAssertEqual(signature.keyHash, Self.key.verifier.keyHashValue)
        let message = FrameCodec.signedMessage(region: "r", firstPosition: 41, recordCount: 5, chainHead: chain)
        XCTAssertTrue(Self.key.verifier.isValidSignature(signature.signature, for: message))
        XCTAssertFalse(Self.key.verifier.isValidSignature(signature.signature,
                                                          for: FrameCodec.signedMessage(region: "r2", firstPosition: 41, recordCount: 5, chainHead: chain)))
    }

    /// Every prefix of a frame, as left by a torn write or fed one byte at a time, asks for more
    /// bytes or yields a header whose frame is longer than the prefix; never a complete frame.
    func testEveryTruncationIsIncompleteAndNeverCrashes() throws {
        let frame = try Self.encoded()
        let headerSize = frame.header.headerSize
        for n in 0..<frame.bytes.count {
            let prefix = Array(frame.bytes[0..<n])
            let parsed = prefix.withUnsafeBytes { FrameCodec.parseHeader($0) }
            switch parsed {
            case .needMore(let needed):
                XCTAssertGreaterThan(needed, n)
                XCTAssertEqual(needed, n < FrameHeader.fixedSize ? FrameHeader.fixedSize : headerSize, "at \(n)")
            case .header(let h):
                XCTAssertGreaterThanOrEqual(n, headerSize)
                XCTAssertEqual(h, frame.header)
                XCTAssertGreaterThan(h.totalSize, n)
                XCTAssertFalse(prefix.withUnsafeBytes { FrameCodec.hasValidTrailer($0, header: h) })
            case .invalid(let why):
                XCTFail("a prefix of \(n) bytes was called invalid: \(why)")
            }
        }
    }

    func testEveryFlippedHeaderBitIsCaught() throws {
        let frame = try Self.encoded()
        for offset in 0..<frame.header.headerSize {
            for bit in [0, 3, 7] {
                var bytes = frame.bytes
                bytes[offset] ^= UInt8(1 << bit)
                let parsed = bytes.withUnsafeBytes { FrameCodec.parseHeader($0) }
                if case .header(let h) = parsed {
                    XCTFail("flip of bit \(bit) at byte \(offset) went unnoticed (\(h.recordCount) records)")
                }
            }
        }
    }

    func testFlippedPayloadOrSignatureByteFailsTheTrailer() throws {
        let frame = try Self.encoded()
        for offset in stride(from: frame.header.headerSize, to: frame.bytes.count, by: 7) {
            var bytes = frame.bytes
            bytes[offset] ^= 0x20
            guard case .header(let h) = bytes.withUnsafeBytes({ FrameCodec.parseHeader($0) }) else { return XCTFail("header damaged") }
            XCTAssertFalse(bytes.withUnsafeBytes { FrameCodec.hasValidTrailer($0, header: h) }, "flip at \(offset)")
        }
    }

    /// Headers with a valid digest but impossible lengths are refused before any allocation.
    func testHostileLengthsAreInvalid() throws {
        let frame = try Self.encoded()
        let payload = Array(frame.bytes[frame.header.headerSize..<(frame.header.headerSize + frame.header.payloadSize)])
        func reassembled(_ change: (inout FrameHeader) -> Void) -> FrameHeaderParse {
            var h = frame.header
            change(&h)
            let bytes = FrameCodec.assemble(header: &h, payload: payload, keyHash: 0, signature: [UInt8](repeating: 0, count: 64))
            return bytes.withUnsafeBytes { FrameCodec.parseHeader($0) }
        }
        func assertInvalid(_ p: FrameHeaderParse, _ reason: String, line: UInt = #line) {
            guard case .invalid(let why) = p else { return XCTFail("accepted: \(p)", line: line) }
            XCTAssertTrue(why.contains(reason), why, line: line)
        }
        assertInvalid(reassembled { $0.contentsStoredLength = FrameHeader.maxBlockSize + 1 }, "larger than")
        assertInvalid(reassembled { $0.envelopesRawLength += 1 }, "envelope lengths do not add up")
        assertInvalid(reassembled { $0.contentsRawLength -= 1 }, "content lengths do not add up")
        assertInvalid(reassembled { $0.directory[0].contentLength += 1 }, "content lengths do not add up")
        assertInvalid(reassembled { $0.contentsStoredLength = 0 }, "content block lengths disagree")
        assertInvalid(reassembled { $0.flags = 0x80 }, "unknown frame flags")
        assertInvalid(reassembled { $0.flags = FrameHeader.contentPurgedFlag }, "purged content block has a length")
        // A purged content block with zero lengths is a valid header.
        guard case .header(let purged) = reassembled({ h in
            h.flags = FrameHeader.contentPurgedFlag
            h.contentsRawLength = 0
            h.contentsStoredLength = 0
        }) else { return XCTFail("purged header refused") }
        XCTAssertTrue(purged.isContentPurged)
    }

    /// Random bytes after a frame magic never crash the parser and never pass the header digest.
    func testRandomHeadersNeverParse() {
        var state: UInt64 = 99
        for _ in 0..<3000 {
            var bytes: [UInt8] = [0x47, 0x4C, 0x46, 0x52, 1, 0]
            let length = Int(state % 600)
            for _ in 0..<length {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                bytes.append(UInt8(truncatingIfNeeded: state >> 33))
            }
            if case .header = bytes.withUnsafeBytes({ FrameCodec.parseHeader($0) }) { XCTFail("random bytes parsed as a header") }
        }
    }

    func testSegmentHeaderAndFooterRoundTripAndRejectDamage() throws {
        let header = SegmentHeader(segmentNumber: 3, firstPosition: 1000, previousChain: SHA256.hash("p"), createdAt: 1_767_225_600_000, region: "eu-west-1")
        let bytes = header.encode()
        XCTAssertEqual(bytes.count, header.size)
        XCTAssertEqual(try bytes.withUnsafeBytes { try SegmentHeader.decode($0).get() }, header)
        for n in 0..<bytes.count {
            XCTAssertThrowsError(try Array(bytes[0..<n]).withUnsafeBytes { try SegmentHeader.decode($0).get() })
        }
        for offset in 0..<bytes.count {
            var damaged = bytes
            damaged[offset] ^= 0x04
            XCTAssertThrowsError(try damaged.withUnsafeBytes { try SegmentHeader.decode($0).get() }, "flip at \(offset)")
        }
        let footer = SegmentFooter(recordCount: 10, frameCount: 3, treeSize: 1010, lastChain: SHA256.hash("c"), merkleRoot: SHA256.hash("m"),
                                   segmentDigest: SHA256.hash("s"), sealedAt: 1_767_225_700_000)
        let fb = footer.encode()
        XCTAssertEqual(fb.count, SegmentFooter.size)
        XCTAssertEqual(try fb.withUnsafeBytes { try SegmentFooter.decode($0).get() }, footer)
        for offset in 0..<fb.count {
            var damaged = fb
            damaged[offset] ^= 0x80
            XCTAssertThrowsError(try damaged.withUnsafeBytes { try SegmentFooter.decode($0).get() }, "flip at \(offset)")
        }
        XCTAssertEqual(SegmentNaming.fileName(12), "00000000000000000012.seg")
        XCTAssertEqual(SegmentNaming.number(fromFileName: "00000000000000000012.seg"), 12)
        XCTAssertNil(SegmentNaming.number(fromFileName: "12.seg"))
        XCTAssertNil(SegmentNaming.number(fromFileName: "0000000000000000001x.seg"))
    }
}
