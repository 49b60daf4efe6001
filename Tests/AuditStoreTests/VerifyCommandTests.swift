import XCTest
import Foundation
import AuditFormat
import AuditStore
import JSON
#if canImport(Glibc)
import Glibc
#endif

/// `gatelog verify` as a process: exit 0 intact, 1 broken, 2 usage, 3 I/O; `--json`;
/// `--checkpoint FILE` and `--key FILE` catch a rewritten store.
final class VerifyCommandTests: XCTestCase {
    func run(_ binary: String, _ arguments: [String], input: [UInt8] = []) throws -> (code: Int32, output: String) {
        let child = try ChildProcess(binary, arguments)
        child.feed(input.isEmpty ? [] : [input], pausesMicroseconds: [], closeWhenDone: true)
        let code = child.wait()
        return (code, child.output())
    }

    func testExitCodesJSONAndOutsideCheckpoint() throws {
        let binary = try ChildProcess.gatelogBinary()
        signal(SIGPIPE, SIG_IGN)
        let tmp = TemporaryDirectory("gatelog-cli")
        let data = "\(tmp.path)/data"
        let input = (0..<300).map { Fixtures.recordText($0, region: "cli") + "\n" }.joined()
        let ingest = try run(binary, ["ingest", "--data", data, "--segment-size", "16KiB", "-"], input: Array(input.utf8))
        XCTAssertEqual(ingest.code, 0, ingest.output)
        XCTAssertTrue(ingest.output.contains(#""accepted":300"#), ingest.output)

        let clean = try run(binary, ["verify", "--data", data, "--json"])
        XCTAssertEqual(clean.code, 0, clean.output)
        let json = try JSONValue.parse(clean.output)
        XCTAssertEqual(json["intact"], .bool(true))
        XCTAssertEqual(json["regions"]?.arrayValue?.first?["records"], .int(300))

        // The witness keeps the latest checkpoint and the verifier key.
        let checkpoint = try run(binary, ["checkpoint", "--data", data])
        XCTAssertEqual(checkpoint.code, 0, checkpoint.output)
        let checkpointFile = "\(tmp.path)/witness.checkpoint"
        try Fixtures.write(checkpointFile, Array(checkpoint.output.utf8))
        let keys = try run(binary, ["key", "list", "--data", data])
        let keyFile = "\(tmp.path)/witness.keys"
        try Fixtures.write(keyFile, Array(keys.output.utf8))
        XCTAssertEqual(try run(binary, ["verify", "--data", data, "--checkpoint", checkpointFile, "--key", keyFile]).code, 0)

        // Usage errors: 2.
        XCTAssertEqual(try run(binary, ["verify", "--data", data, "--bogus", "x"]).code, 2)
        XCTAssertEqual(try run(binary, ["verify", "--data", "\(tmp.path)/nothing-here"]).code, 2)
        let unknown = try run(binary, ["verify", "--data", data, "--region", "no-such-region"])
        XCTAssertEqual(unknown.code, 2, "a region that does not exist is not reported intact: \(unknown.output)")

        // A directory where a segment file belongs is damage (1), named in the report.
        let config = StoreConfiguration(dataDirectory: data)
        let segments = "\(config.regionDirectory("cli"))/segments"
        let extra = "\(segments)/\(SegmentNaming.fileName(999))"
        XCTAssertEqual(mkdir(extra, 0o755), 0)
        let directory = try run(binary, ["verify", "--data", data])
        XCTAssertEqual(directory.code, 1, directory.output)
        XCTAssertTrue(directory.output.contains("\(SegmentNaming.fileName(999)) is a directory, not a segment file"), directory.output)
        XCTAssertEqual(rmdir(extra), 0)

        // A symbolic link to nothing where a segment belongs is damage too.
        XCTAssertEqual(symlink(extra, extra), 0)
        let loop = try run(binary, ["verify", "--data", data])
        XCTAssertEqual(loop.code, 1, loop.output)
        XCTAssertTrue(loop.output.contains("is a symbolic link to nothing"), loop.output)
        XCTAssertEqual(unlink(extra), 0)

        // An I/O error (a segment that cannot be opened: here a link through a name longer than
        // NAME_MAX, ENAMETOOLONG): 3, after the report of every region, the unreadable one named
        // with the error.
        XCTAssertEqual(symlink("/" + String(repeating: "a", count: 300), extra), 0)
        let unreadable = try run(binary, ["verify", "--data", data])
        XCTAssertEqual(unreadable.code, 3, unreadable.output)
        XCTAssertTrue(unreadable.output.contains("cli: UNREADABLE — the check stopped:"), unreadable.output)
        let unreadableJSON = try run(binary, ["verify", "--data", data, "--json"])
        XCTAssertEqual(unreadableJSON.code, 3, unreadableJSON.output)
        let report = try JSONValue.parse(unreadableJSON.output)
        XCTAssertEqual(report["intact"], .bool(false))
        XCTAssertNotNil(report["regions"]?.arrayValue?.first?["error"]?.stringValue, unreadableJSON.output)
        XCTAssertEqual(unlink(extra), 0)

        // Damage: 1, with the break in the JSON.
        let path = Fixtures.segmentPath(config, 2, region: "cli")
        let original = try Fixtures.read(path)
        try Fixtures.flipByte(path, at: original.count - 20)
        let broken = try run(binary, ["verify", "--data", data, "--json"])
        XCTAssertEqual(broken.code, 1, broken.output)
        let brokenJSON = try JSONValue.parse(broken.output)
        XCTAssertEqual(brokenJSON["intact"], .bool(false))
        let firstBreak = brokenJSON["regions"]?.arrayValue?.first?["breaks"]?.arrayValue?.first
        XCTAssertEqual(firstBreak?["kind"], .string("content_modified"))
        XCTAssertEqual(firstBreak?["segment"], .string(SegmentNaming.fileName(2)))
        try Fixtures.write(path, original)

        // A whole rewrite under a new key (checkpoint log included) passes a plain verify that trusts
        // the store's own keys, and fails against the witness's checkpoint and key.
        try FileManager.default.removeItem(atPath: data)
        let rewritten = input.replacingOccurrences(of: #""status":200"#, with: #""status":500"#)
        XCTAssertEqual(try run(binary, ["ingest", "--data", data, "--segment-size", "16KiB", "-"], input: Array(rewritten.utf8)).code, 0)
        XCTAssertEqual(try run(binary, ["verify", "--data", data]).code, 0)
        let caught = try run(binary, ["verify", "--data", data, "--checkpoint", checkpointFile, "--key", keyFile])
        XCTAssertEqual(caught.code, 1, caught.output)
        XCTAssertTrue(caught.output.contains("checkpoint_mismatch"), caught.output)
        XCTAssertTrue(caught.output.contains("bad_signature"), caught.output)
    }
    /// `gatelog export` writes a bundle that `gatelog verify-bundle` checks without the data
    /// directory (exit 0); a changed byte is exit 1, a usage error 2, an unreadable file 3.
    func testExportAndVerifyBundleExitCodes() throws {
        let binary = try ChildProcess.gatelogBinary()
        signal(SIGPIPE, SIG_IGN)
        let tmp = TemporaryDirectory("gatelog-cli")
        let data = "\(tmp.path)/data"
        let input = (0..<120).map { Fixtures.recordText($0, region: "cli") + "\n" }.joined()
        XCTAssertEqual(try run(binary, ["ingest", "--data", data, "--segment-size", "16KiB", "-"], input: Array(input.utf8)).code, 0)
        let bundle = "\(tmp.path)/bundle.ndjson"
        // An existing file is made 0600 too; a symbolic link is not followed.
        XCTAssertTrue(FileManager.default.createFile(atPath: bundle, contents: Data("old".utf8), attributes: [.posixPermissions: 0o644]))
        XCTAssertEqual(symlink(bundle, "\(tmp.path)/link.ndjson"), 0)
        XCTAssertNotEqual(try run(binary, ["export", "--data", data, "--out", "\(tmp.path)/link.ndjson"]).code, 0)
        XCTAssertEqual(try Fixtures.read(bundle), Array("old".utf8), "not written through the link")
        let exported = try run(binary, ["export", "--data", data, "--out", bundle])
        XCTAssertEqual(exported.code, 0, exported.output)
        XCTAssertTrue(exported.output.contains("exported 120 records of region cli"), exported.output)
        var st = stat()
        XCTAssertEqual(stat(bundle, &st), 0)
        XCTAssertEqual(st.st_mode & 0o777, 0o600, "a bundle holds records: owner only")
        let keys = try run(binary, ["key", "list", "--data", data])
        let keyFile = "\(tmp.path)/store.keys"
        try Fixtures.write(keyFile, Array(keys.output.utf8))
        try FileManager.default.removeItem(atPath: data)  // offline: the store is not needed

        let valid = try run(binary, ["verify-bundle", bundle, "--key", keyFile])
        XCTAssertEqual(valid.code, 0, valid.output)
        XCTAssertTrue(valid.output.contains("VALID — 120 records in 1 regions"), valid.output)
        XCTAssertTrue(valid.output.contains("(complete: every record of the log up to it)"), valid.output)
        let json = try JSONValue.parse(try run(binary, ["verify-bundle", bundle, "--key", keyFile, "--json"]).output)
        XCTAssertEqual(json["valid"], .bool(true))

        var bytes = try Fixtures.read(bundle)
        bytes[bytes.count / 2] ^= 0x01  // inside some record line
        try Fixtures.write(bundle, bytes)
        let altered = try run(binary, ["verify-bundle", bundle, "--key", keyFile])
        XCTAssertEqual(altered.code, 1, altered.output)
        XCTAssertTrue(altered.output.contains("INVALID"), altered.output)

        XCTAssertEqual(try run(binary, ["verify-bundle"]).code, 2)
        XCTAssertEqual(try run(binary, ["verify-bundle", bundle, "--key", "\(tmp.path)/no-such-keys"]).code, 2)
        XCTAssertEqual(try run(binary, ["verify-bundle", "\(tmp.path)/no-such-bundle"]).code, 3)
    }

    /// `gatelog checkpoint` hands a witness only a checkpoint the store signed: an entry appended
    /// to the log under another key (claiming a larger tree) is not printed as the latest.
    func testCheckpointCommandIgnoresForgedEntries() throws {
        let binary = try ChildProcess.gatelogBinary()
        signal(SIGPIPE, SIG_IGN)
        let tmp = TemporaryDirectory("gatelog-cli")
        let data = "\(tmp.path)/data"
        let input = (0..<20).map { Fixtures.recordText($0, region: "cli") + "\n" }.joined()
        XCTAssertEqual(try run(binary, ["ingest", "--data", data, "-"], input: Array(input.utf8)).code, 0)
        let logPath = "\(StoreConfiguration(dataDirectory: data).regionDirectory("cli"))/checkpoints.log"
        let forged = try Checkpoint(origin: Checkpoint.origin(region: "cli"), treeSize: 999_999, rootHash: LogHash.emptyTreeRoot,
                                    chainHead: .zero, time: 1).signed(with: Fixtures.storeKey)  // not this store's key
        try Fixtures.write(logPath, try Fixtures.read(logPath) + CheckpointLog.encode(forged))
        let printed = try run(binary, ["checkpoint", "--data", data])
        XCTAssertEqual(printed.code, 0, printed.output)
        XCTAssertTrue(printed.output.hasPrefix("gatelog/cli\n20\n"), printed.output)
    }

    /// A region whose `segments/` directory was deleted is a broken region, not an absent one:
    /// `verify` reports it (its checkpoints cover records that are gone), also with `--region`.
    func testARegionWithoutItsSegmentsDirectoryIsBroken() throws {
        let binary = try ChildProcess.gatelogBinary()
        signal(SIGPIPE, SIG_IGN)
        let tmp = TemporaryDirectory("gatelog-cli")
        let data = "\(tmp.path)/data"
        let input = (0..<200).map { Fixtures.recordText($0, region: "gone") + "\n" }.joined()
            + (0..<50).map { Fixtures.recordText($0, region: "kept") + "\n" }.joined()
        XCTAssertEqual(try run(binary, ["ingest", "--data", data, "--segment-size", "16KiB", "-"], input: Array(input.utf8)).code, 0)
        let config = StoreConfiguration(dataDirectory: data)
        try FileManager.default.removeItem(atPath: "\(config.regionDirectory("gone"))/segments")
        for arguments in [["verify", "--data", data, "--json"], ["verify", "--data", data, "--json", "--region", "gone"]] {
            let result = try run(binary, arguments)
            XCTAssertEqual(result.code, 1, result.output)
            let json = try JSONValue.parse(result.output)
            let gone = json["regions"]?.arrayValue?.first { $0["region"] == .string("gone") }
            // The checkpoints cover records that are gone; the registry also says the region's files are.
            let kinds = gone?["breaks"]?.arrayValue?.compactMap { $0["kind"]?.stringValue } ?? []
            XCTAssertTrue(kinds.contains("tail_truncated") && kinds.contains("record_missing"), result.output)
        }
    }
    /// A damaged public key file does not turn verify into an I/O error: the keys that parse are
    /// used, and the file is named in a note.
    func testAMalformedPublicKeyFileIsANoteNotAnError() throws {
        let binary = try ChildProcess.gatelogBinary()
        signal(SIGPIPE, SIG_IGN)
        let tmp = TemporaryDirectory("gatelog-cli")
        let data = "\(tmp.path)/data"
        let input = (0..<40).map { Fixtures.recordText($0, region: "k") + "\n" }.joined()
        XCTAssertEqual(try run(binary, ["ingest", "--data", data, "-"], input: Array(input.utf8)).code, 0)
        try Fixtures.write("\(data)/keys/public/junk.pub", Array("not a key\n".utf8))
        let text = try run(binary, ["verify", "--data", data])
        XCTAssertEqual(text.code, 0, text.output)
        XCTAssertTrue(text.output.contains("junk.pub is not a valid verifier key"), text.output)
        let json = try run(binary, ["verify", "--data", data, "--json"])
        XCTAssertEqual(json.code, 0, json.output)
        XCTAssertEqual(try JSONValue.parse(json.output)["warnings"]?.arrayValue?.count, 1)
    }

    /// Campaign 12, item 4: `keys/signing.key` replaced by another store's key, or lost, is a
    /// `signing_key_mismatch` break (exit 1, with the region), also under `--key`; a rotation —
    /// finished, or interrupted before the regions were signed again — keeps verifying intact; and
    /// no command but the first creation of a store makes a key, even with `keys/public/` gone.
    func testAReplacedOrLostSigningKeyIsABreakAndRotationIsNot() throws {
        let binary = try ChildProcess.gatelogBinary()
        signal(SIGPIPE, SIG_IGN)
        let tmp = TemporaryDirectory("gatelog-cli")
        let data = "\(tmp.path)/data", other = "\(tmp.path)/other"
        func records(_ range: Range<Int>) -> [UInt8] { Array(range.map { Fixtures.recordText($0, region: "k") + "\n" }.joined().utf8) }
        XCTAssertEqual(try run(binary, ["ingest", "--data", data, "-"], input: records(0..<20)).code, 0)
        XCTAssertEqual(try run(binary, ["ingest", "--data", other, "-"], input: records(0..<5)).code, 0)
        let keyFile = "\(tmp.path)/trusted.pub"
        func verify(_ extra: [String] = []) throws -> (code: Int32, output: String) { try run(binary, ["verify", "--data", data] + extra) }
        func pinKeys() throws { try Fixtures.write(keyFile, Array(try run(binary, ["key", "list", "--data", data]).output.utf8)) }
        try pinKeys()
        XCTAssertEqual(try verify(["--key", keyFile]).code, 0)

        // A finished rotation, then more records under the new key: intact.
        XCTAssertEqual(try run(binary, ["key", "rotate", "--data", data]).code, 0)
        XCTAssertEqual(try run(binary, ["ingest", "--data", data, "-"], input: records(20..<30)).code, 0)
        try pinKeys()
        XCTAssertEqual(try verify(["--key", keyFile]).code, 0)
        // A rotation interrupted before any region was signed again (the new key names the old one
        // as its predecessor, which signed every newest checkpoint): intact, and writable.
        _ = try KeyStore.rotate(dataDirectory: data)
        let interrupted = try verify()
        XCTAssertEqual(interrupted.code, 0, interrupted.output)
        XCTAssertEqual(try run(binary, ["ingest", "--data", data, "-"], input: records(30..<35)).code, 0)
        try pinKeys()
        XCTAssertEqual(try verify(["--key", keyFile]).code, 0)
        let keyPath = "\(data)/keys/signing.key"
        let ownKey = try Fixtures.read(keyPath)
        let publicKeys = try FileIO.list("\(data)/keys/public").sorted()

        // Replaced by another store's key: a break in region k, with and without pinned keys.
        try Fixtures.write(keyPath, try Fixtures.read("\(other)/keys/signing.key"))
        XCTAssertEqual(chmod(keyPath, 0o600), 0)
        for extra in [["--json"], ["--json", "--key", keyFile]] {
            let replaced = try verify(extra)
            XCTAssertEqual(replaced.code, 1, replaced.output)
            let region = try JSONValue.parse(replaced.output)["regions"]?.arrayValue?.first { $0["region"] == .string("k") }
            let mismatch = region?["breaks"]?.arrayValue?.first { $0["kind"] == .string("signing_key_mismatch") }
            XCTAssertEqual(mismatch?["region"], .string("k"), replaced.output)
            XCTAssertTrue(mismatch?["detail"]?.stringValue?.contains("newest checkpoint") == true, replaced.output)
        }
        // The writer refuses, and does not publish the foreign key for a plain verify to trust.
        let refused = try run(binary, ["ingest", "--data", data, "-"], input: records(40..<41))
        XCTAssertNotEqual(refused.code, 0, refused.output)
        XCTAssertEqual(try FileIO.list("\(data)/keys/public").sorted(), publicKeys)
        XCTAssertEqual(try verify().code, 1)

        // Lost: a note naming the file (the log still verifies under the public keys: a copy for an
        // auditor lacks the private key); ingest refuses naming it and makes no key, also when the
        // public keys are gone too (the regions show that the store signed before).
        XCTAssertEqual(unlink(keyPath), 0)
        let lost = try verify()
        XCTAssertEqual(lost.code, 0, lost.output)
        XCTAssertTrue(lost.output.contains("note: keys/signing.key is missing"), lost.output)
        let publicBackup = "\(tmp.path)/public-backup"
        XCTAssertEqual(rename("\(data)/keys/public", publicBackup), 0)
        for _ in 0..<2 {
            let ingest = try run(binary, ["ingest", "--data", data, "-"], input: records(40..<41))
            XCTAssertEqual(ingest.code, 3, ingest.output)
            XCTAssertTrue(ingest.output.contains("signing.key is missing"), ingest.output)
            XCTAssertFalse(FileIO.exists(keyPath), "no new key is made")
            let published = (try? FileIO.list("\(data)/keys/public")) ?? []
            XCTAssertTrue(published.isEmpty, "no new public key: \(published)")
            // Without the registry, the region's checkpoint log still shows it.
            try? FileManager.default.removeItem(atPath: "\(data)/region-registry")
        }
        try? FileManager.default.removeItem(atPath: "\(data)/keys/public")
        XCTAssertEqual(rename(publicBackup, "\(data)/keys/public"), 0)
        try Fixtures.write(keyPath, ownKey)
        XCTAssertEqual(chmod(keyPath, 0o600), 0)
        let restored = try verify(["--key", keyFile])
        XCTAssertEqual(restored.code, 0, restored.output)
        XCTAssertEqual(try run(binary, ["ingest", "--data", data, "-"], input: records(40..<45)).code, 0)
    }
}
