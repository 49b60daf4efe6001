import XCTest
@testable import GatelogCrypto

final class CryptoTests: XCTestCase {
    func testSHA256KnownAnswers() {
        XCTAssertEqual(SHA256.hash("").hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hash("abc").hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let hasher = SHA256Hasher()
        hasher.update(Array("a".utf8)); hasher.update(Array("bc".utf8))
        XCTAssertEqual(hasher.finalize().hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    func testHMACRFC4231Case2() {
        let mac = HMACSHA256.authenticate(key: Array("Jefe".utf8), message: "what do ya want for nothing?")
        XCTAssertEqual(mac.hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    /// RFC 8032 section 7.1, test 1 (empty message).
    func testEd25519RFC8032Vector() throws {
        let key = try Ed25519PrivateKey(seed: Hex.decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")!)
        XCTAssertEqual(Hex.encode(key.publicKey.raw), "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
        let sig = try key.sign([])
        XCTAssertEqual(Hex.encode(sig), "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")
        XCTAssertTrue(key.publicKey.isValidSignature(sig, for: []))
        var bad = sig; bad[0] ^= 1
        XCTAssertFalse(key.publicKey.isValidSignature(bad, for: []))
        XCTAssertFalse(key.publicKey.isValidSignature(sig, for: [1]))
    }

    func testDigestRoundTrip() {
        let d = SHA256.hash("x")
        XCTAssertEqual(Digest32(hex: d.hex), d)
        XCTAssertEqual(Digest32(bytes: d.bytes), d)
        XCTAssertNil(Digest32(hex: "zz"))
    }

    func testConstantTimeEquals() {
        XCTAssertTrue(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        XCTAssertFalse(ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        XCTAssertFalse(ConstantTime.equals([1, 2], [1, 2, 3]))
    }
}
