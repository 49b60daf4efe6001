import XCTest
@testable import Redaction

/// Fixes of session 14: provider key prefixes found bare in prose (Notion's older `secret_`,
/// Doppler, Square, Meta, Fly.io, PlanetScale), and the misses of probe round 15
/// (docs/REDACTION.md §19). Each positive case failed before its fix.
final class Session14Tests: XCTestCase, DetectionAssertions {
    let engine = RedactionEngine()

    // MARK: - Provider keys without a label

    func testMoreProviderKeysWithoutALabel() {
        let keys = [
            "secret_" + "NqVwYS81VP7Hb1DX8pPd5khxE3pyIgKpaUnArl63Xyk",  // Notion (older internal integrations)
            "dp.st." + "satv." + "Tvetw0tESulEETldq8b8Vw2zbJYAxyL1aCcTlN99",  // Doppler service token with its environment
            "dp.st." + "Tvetw0tESulEETldq8b8Vw2zbJYAxyL1aCcTlN99ab",  // … and without
            "dp.pt." + "mhWp708DwGw5HqXDgLVXZx3scB8fnvGNx6jvr7SIftR",  // Doppler personal token
            "sq0atp-" + "ZE1gamRkhfvjxNWgKWCVu0",  // Square access token
            "sq0csp-" + "ZE1gamRkhfvjxNWgKWCVu0Tvetw0tESulEETldq8b8V",  // Square application secret
            "EAACEdEose0cBA" + "KZCZAZBDc1JZClVlZAqPlLbHuyZBZAdNzAKtXZCLbQnqZBQTZCjZAHZCGNSZAXsuDZCBLZBZA3ZAiC0ZBcZA6j1dMZD",  // Meta
            "fo1_" + "Aeetelc8gYV59GAgDAeoAb8KIsPgRGu7x8eDygkXphN",  // Fly.io
            "pscale_tkn_" + "Mvd4siHAsAxXisPmW8UcaF8kt92AQsA01LRDv6UHGuT",  // PlanetScale
            "pscale_pw_" + "Mvd4siHAsAxXisPmW8UcaF8kt92AQsA01LRDv6UHGuT",
        ]
        for key in keys {
            assertFinds(key, as: .secret, in: "here it is \(key) thanks")
            assertFinds(key, as: .secret, in: "\(key)")
        }
        // Words that start like them stay.
        assertClean("secret_key = os.environ[\"X\"]; secret_name: prod-db-credentials-for-staging-eu-west")
        assertClean("secret_" + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
        assertClean("EAAsomething; dp.st.dev is the prefix; sq0atp-short; fo1_ and pscale_tkn_ too")
        assertClean("EAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
    }
}
