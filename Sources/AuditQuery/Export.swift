import Foundation
import AuditFormat
import AuditIndex
import AuditStore
import GatelogCrypto
import JSON

/// A compliance export that was authorized and audited, ready to be written
/// (`QueryService.prepareExport`). Writing it reads the records page by page, so any number of
/// records streams in bounded memory.
public struct PreparedExport: Sendable {
    let service: QueryService
    let principal: Principal
    /// The caller's filter ANDed with its scope and visible regions.
    let filter: IndexFilter
    let described: JSONValue
    let includeContent: Bool
    /// Why the selection may miss records (`QueryService.answerWarnings`), written into the header.
    public let warnings: [String]
    /// Records that matched when the export was prepared (the access log counts these).
    public let matching: Int64

    /// What was written.
    public struct Summary: Sendable {
        public var records = 0
        /// Matching records left out because no signed checkpoint covered them yet (the writer
        /// signs one at least every second while records arrive): export again to include them.
        public var uncovered = 0
        public var regions: [String] = []
    }

    /// Writes the bundle (docs/FORMAT.md §12) through `write`, one line or more per call.
    public func write(_ write: ([UInt8]) throws -> Void) throws -> Summary {
        var summary = Summary()
        let hasher = SHA256Hasher()
        func emit(_ bytes: [UInt8]) throws {
            hasher.update(bytes)
            try write(bytes)
        }
        try emit(ComplianceBundle.headerLine(created: Int64(Date().timeIntervalSince1970 * 1000), exportedBy: principal.id,
                                             filter: described, contentIncluded: includeContent, warnings: warnings))
        /// Per region: the checkpoint proofs are made against (fixed at the region's first record), if any.
        var checkpoints: [String: SignedCheckpoint?] = [:]
        var keys: [LogVerifierKey]?
        let index = try service.requireIndex()
        var cursor: String?
        repeat {
            let page = try index.search(filter: filter, limit: 1000, cursor: cursor, order: .oldestFirst)
            for entry in page.entries {
                let checkpoint: SignedCheckpoint?
                if let known = checkpoints[entry.region] { checkpoint = known } else {
                    checkpoint = try service.newestCheckpointWithNote(region: entry.region)?.checkpoint
                    checkpoints[entry.region] = checkpoint
                }
                // Every region's log starts with a signed checkpoint: none at all is damage (a deleted
                // or emptied log), not records that are merely newer than the latest checkpoint.
                guard let checkpoint else { throw ExportError.noCheckpoint(region: entry.region) }
                guard entry.position < checkpoint.checkpoint.treeSize else {
                    summary.uncovered += 1
                    continue
                }
                // The checkpoint line comes before the region's first record it proves (and only then).
                if !summary.regions.contains(entry.region) {
                    if keys == nil { keys = try KeyStore.publicKeys(dataDirectory: service.configuration.dataDirectory) }
                    let signers = (keys ?? []).filter { checkpoint.isSigned(by: VerifierKeyring([$0])) }
                    try emit(ComplianceBundle.checkpointLine(region: entry.region, note: checkpoint.noteText, keys: signers))
                    summary.regions.append(entry.region)
                }
                let size = Int(checkpoint.checkpoint.treeSize)
                let (prefix, matches) = try service.checkpointTree(region: entry.region, size: size, root: checkpoint.checkpoint.rootHash)
                guard matches else { throw ExportError.segmentsDoNotMatchCheckpoint(region: entry.region, size: checkpoint.checkpoint.treeSize) }
                let location = RecordLocation(segment: entry.location.segment, frameOffset: entry.location.frameOffset,
                                              indexInFrame: Int(entry.location.recordInFrame))
                let stored = try service.reader(entry.region).read(location, includeContent: includeContent)
                guard let envelope = stored.envelope else { throw ExportError.purged(region: entry.region, position: entry.position) }
                try emit(ComplianceBundle.recordLine(region: entry.region, position: entry.position, envelope: envelope,
                                                     content: includeContent ? (stored.content ?? []) : nil,
                                                     contentDigest: stored.contentDigest,
                                                     inclusionPath: prefix.inclusionProof(index: Int(entry.position))))
                summary.records += 1
            }
            cursor = page.nextCursor
        } while cursor != nil
        try write(ComplianceBundle.endLine(records: summary.records, uncovered: summary.uncovered, digest: hasher.finalize()))
        return summary
    }
}

/// Why an export stopped part way (the bundle then has no end line, and verifying it says so).
public enum ExportError: Error, CustomStringConvertible {
    case segmentsDoNotMatchCheckpoint(region: String, size: UInt64)
    case purged(region: String, position: UInt64)
    case noCheckpoint(region: String)

    public var description: String {
        switch self {
        case .segmentsDoNotMatchCheckpoint(let region, let size):
            return "region \(region): the segments do not match its checkpoint of size \(size); run gatelog verify"
        case .purged(let region, let position):
            return "region \(region): the envelope of the record at position \(position) was purged"
        case .noCheckpoint(let region):
            return "region \(region) has no checkpoint signed by this store (checkpoints.log missing or emptied; run gatelog verify): its records cannot be proven"
        }
    }
}

extension QueryService {
    /// Authorizes and audits a compliance export of the records matching `filter` (within the
    /// principal's scope). Requires `export`; content is included only with `read_content`
    /// (otherwise each record carries its content digest, and still verifies).
    public func prepareExport(_ principal: Principal, filter: IndexFilter) throws -> PreparedExport {
        let parameters = QueryService.describe(filter)
        try authorize(principal, .export, "export", parameters)
        if filter.text != nil { try authorize(principal, .readContent, "export", parameters) }
        try requireIndexCaughtUp(principal, "export", parameters)
        let scopedFilter = scoped(filter, principal)
        let matching = try requireIndex().count(filter: scopedFilter)
        // A region with matching records but no checkpoint of its own at all is damaged (its log was
        // deleted or emptied): refused before anything is written, not exported as "uncovered".
        for region in (scopedFilter.regions ?? []).sorted() where try newestCheckpoint(region: region) == nil {
            var inRegion = scopedFilter
            inRegion.regions = [region]
            if try requireIndex().count(filter: inRegion) > 0 {
                try audit(principal, "export", parameters, results: 0, outcome: "integrity_failure")
                throw StoreError.integrity(region: region, detail: ExportError.noCheckpoint(region: region).description)
            }
        }
        let withContent = principal.can(.readContent)
        try audit(principal, "export", parameters + [JSONMember("content", .bool(withContent))], results: Int(clamping: matching))
        return PreparedExport(service: self, principal: principal, filter: scopedFilter, described: .object(parameters),
                              includeContent: withContent, warnings: answerWarnings(filter, for: principal).map(\.message),
                              matching: matching)
    }
}
