import AuditFormat
import GatelogCrypto
#if canImport(Glibc)
import Glibc
#endif

/// One frame found in a segment.
public struct ScannedFrame: Sendable {
    /// Byte offset of the frame in its segment file.
    public var offset: UInt64
    public var header: FrameHeader
}

/// What a scan of one segment file found.
public struct SegmentScan: Sendable {
    public var number: UInt64
    public var path: String
    public var header: SegmentHeader
    public var frames: [ScannedFrame]
    /// The footer, when the segment is sealed.
    public var footer: SegmentFooter?
    /// Offset just after the last good frame (where a footer or the next frame starts).
    public var endOfFrames: UInt64
    /// File size.
    public var fileSize: UInt64
    /// Bytes after the last good frame that are neither a frame nor a valid footer.
    public var residue: (offset: UInt64, reason: String)?
    /// True when a valid frame was found after the residue (corruption, not a torn tail).
    public var framesAfterResidue: Bool
    /// True when the residue holds a 512-byte sector of zeros: part of the last write that never
    /// reached the disk (power loss), even with valid frames after it (one write holds many frames).
    public var residueHasZeroSector = false
    /// Whether the residue can be what a crash leaves (the writer cuts it when no checkpoint covers
    /// it): nothing valid after it, or a lost sector in it.
    public var residueLooksTorn: Bool { residue != nil && (!framesAfterResidue || residueHasZeroSector) }
}

/// Reads the structure of segment files.
public enum SegmentScanner {
    /// Scans `path`. With `checkTrailers`, every frame is read in full and its trailing digest
    /// checked (used for the tail segment during recovery); otherwise only headers are read.
    public static func scan(path: String, number: UInt64, checkTrailers: Bool) throws(FileIOError) -> Result<SegmentScan, SegmentFormatError> {
        let fd = try FileIO.open(path, flags: O_RDONLY)
        defer { close(fd) }
        let size = try FileIO.size(fd, path: path)
        let head = try FileIO.pread(fd, count: Int(min(size, 4096)), offset: 0, path: path)
        let decoded = head.withUnsafeBytes { SegmentHeader.decode($0) }
        guard case .success(let header) = decoded else {
            if case .failure(let e) = decoded { return .failure(e) }
            return .failure(.badMagic)
        }
        var scan = SegmentScan(number: number, path: path, header: header, frames: [], footer: nil,
                               endOfFrames: UInt64(header.size), fileSize: size, residue: nil, framesAfterResidue: false)
        var offset = UInt64(header.size)
        while offset < size {
            let remaining = size - offset
            let probe = try FileIO.pread(fd, count: Int(min(remaining, 8)), offset: offset, path: path)
            if probe.count == 8, probe == SegmentFooter.magic {
                if remaining == UInt64(SegmentFooter.size) {
                    let bytes = try FileIO.pread(fd, count: SegmentFooter.size, offset: offset, path: path)
                    switch bytes.withUnsafeBytes({ SegmentFooter.decode($0) }) {
                    case .success(let footer): scan.footer = footer
                    case .failure(let e): scan.residue = (offset, "segment footer: \(e)")
                    }
                } else {
                    scan.residue = (offset, remaining < UInt64(SegmentFooter.size) ? "truncated segment footer" : "data after the segment footer")
                }
                break
            }
            let fixed = try FileIO.pread(fd, count: Int(min(remaining, UInt64(FrameHeader.fixedSize))), offset: offset, path: path)
            var parsed = fixed.withUnsafeBytes { FrameCodec.parseHeader($0) }
            if case .needMore(let n) = parsed, UInt64(n) <= remaining {
                let more = try FileIO.pread(fd, count: n, offset: offset, path: path)
                parsed = more.withUnsafeBytes { FrameCodec.parseHeader($0) }
            }
            switch parsed {
            case .needMore:
                scan.residue = (offset, "truncated frame header")
            case .invalid(let why):
                scan.residue = (offset, why)
            case .header(let frameHeader):
                guard UInt64(frameHeader.totalSize) <= remaining else {
                    scan.residue = (offset, "truncated frame (\(remaining) of \(frameHeader.totalSize) bytes present)")
                    break
                }
                if checkTrailers {
                    let whole = try FileIO.pread(fd, count: frameHeader.totalSize, offset: offset, path: path)
                    guard whole.withUnsafeBytes({ FrameCodec.hasValidTrailer($0, header: frameHeader) }) else {
                        scan.residue = (offset, "frame digest mismatch")
                        break
                    }
                }
                scan.frames.append(ScannedFrame(offset: offset, header: frameHeader))
                offset += UInt64(frameHeader.totalSize)
                scan.endOfFrames = offset
                continue
            }
            break
        }
        if let residue = scan.residue {
            scan.framesAfterResidue = try containsValidFrame(fd: fd, path: path, from: residue.offset + 1, to: size)
            if scan.framesAfterResidue {
                let rest = try FileIO.pread(fd, count: Int(size - residue.offset), offset: residue.offset, path: path)
                scan.residueHasZeroSector = rest.withUnsafeBytes { FrameCodec.hasZeroSector($0, fileOffset: residue.offset) }
            }
        }
        return .success(scan)
    }

    /// True when a complete, digest-valid frame starts somewhere in `[from, to)`.
    static func containsValidFrame(fd: Int32, path: String, from: UInt64, to: UInt64) throws(FileIOError) -> Bool {
        guard to > from else { return false }
        let bytes = try FileIO.pread(fd, count: Int(to - from), offset: from, path: path)
        return bytes.withUnsafeBytes { b in
            var i = 0
            while i + FrameHeader.fixedSize <= b.count {
                if b[i] == 0x47, b[i + 1] == 0x4C, b[i + 2] == 0x46, b[i + 3] == 0x52 {
                    let slice = UnsafeRawBufferPointer(rebasing: b[i...])
                    if case .header(let h) = FrameCodec.parseHeader(slice), h.totalSize <= slice.count,
                       FrameCodec.hasValidTrailer(UnsafeRawBufferPointer(rebasing: slice[0..<h.totalSize]), header: h) {
                        return true
                    }
                }
                i += 1
            }
            return false
        }
    }

    /// Segment numbers present in a region's `segments/` directory, sorted.
    public static func segmentNumbers(regionDirectory: String) throws(FileIOError) -> [UInt64] {
        let dir = "\(regionDirectory)/segments"
        guard FileIO.exists(dir) else { return [] }
        return try FileIO.list(dir).compactMap(SegmentNaming.number(fromFileName:)).sorted()
    }

    /// Path of segment `number` in a region.
    public static func segmentPath(regionDirectory: String, number: UInt64) -> String {
        "\(regionDirectory)/segments/\(SegmentNaming.fileName(number))"
    }
}
