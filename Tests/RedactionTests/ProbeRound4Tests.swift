import XCTest
@testable import Redaction

/// Fixes from the fourth probing round: CSV cells, `.npmrc` credentials, Authorization headers
/// with parameter lists or hyphenated schemes, SQL `IDENTIFIED BY`. Each case failed before its fix.
final class ProbeRound4Tests: XCTestCase, DetectionAssertions {
    let engine = RedactionEngine()

    func testParenthesisedPhoneStartsACSVCell() {
        assertFinds("(415) 555-2671", as: .phone, in: "17,Jane Doe,jane.doe@example.com,(415) 555-2671")
        assertFinds("(212) 555-0147", as: .phone, in: "contact,(212) 555-0147,NY")
        assertClean("f(1,(2) 3)")
    }

    func testGroupedSSNInACSVCell() {
        assertFinds("219-09-9999", as: .usSSN, in: "88231,r.kumar@corp.example.org,219-09-9999")
        assertFinds("078-05-1120", as: .usSSN, in: "1,Ann,Lee,078-05-1120,1980-01-02")
        assertFinds("123 45 6789", as: .usSSN, in: "Ann Lee,123 45 6789,NY")
        assertClean("part no 123-45-67890 and 000-12-3456, total 1,234")
    }

    func testNpmrcCredentialsAfterTheRegistryPath() {
        assertFinds("1662b5e8-03b6-1ba4-1681-60adb59261ff", as: .secret, in: "//registry.npmjs.org/:_authToken=1662b5e8-03b6-1ba4-1681-60adb59261ff")
        assertFinds("UGE1NXcwcmQtMjAyNA==", as: .secret, in: "//nexus.acme.io/repository/npm/:_password=UGE1NXcwcmQtMjAyNA==\n")
        assertClean("//nexus.acme.io/repository/npm/:username=jdoe")
    }

    func testAuthorizationParameterListsAreTheWholeValue() {
        let digest = #"Digest username="admin", realm="api", nonce="2058765a6ca7cff00d796c25410335b4", uri="/x", response="00141212b62c376631129f34369aad80""#
        assertFinds(digest, as: .secret, in: "Authorization: " + digest + "\nAccept: */*")
        let sigv4 = "AWS4-HMAC-SHA256 Credential=AKIA7ZBKA74ZTJ2WYUHV/20241124/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=0aac36098b2cc2bd818319478da6bd0c621de49f145fda9988c79fc35526f7ea"
        assertFinds(sigv4, as: .secret, in: "Authorization: " + sigv4)
        let oauth = #"OAuth oauth_consumer_key="CM06emxqDyg6inYnJorssm4r", oauth_signature="LaCUBbkpl76DfkhC0Hxzaks6ZcE%3D""#
        assertFinds(oauth, as: .secret, in: "curl -H 'Authorization: " + oauth + "' https://x.io")
    }

    func testHyphenatedAuthorizationScheme() {
        assertFinds("DeepL-Auth-Key 64d6d592-91f0-cde2-e573-8713a818d896", as: .secret,
                    in: "Authorization: DeepL-Auth-Key 64d6d592-91f0-cde2-e573-8713a818d896:fx")
        assertClean("Authorization header missing; expected 'Bearer <token>'")
    }

    func testSQLIdentifiedBy() {
        assertFinds("Xk9#mP2q!Lw", as: .secret, in: "ALTER USER 'root'@'localhost' IDENTIFIED BY 'Xk9#mP2q!Lw';")
        assertFinds("VU0OeHoXJVOvDL", as: .secret, in: "GRANT ALL ON app.* TO 'app'@'%' identified by \"VU0OeHoXJVOvDL\";")
        assertClean("the user is identified by their email; IDENTIFIED BY '<password>'")
    }
}
