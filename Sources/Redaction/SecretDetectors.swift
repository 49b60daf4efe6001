/// Credentials: provider keys by prefix, JWTs, PEM private keys, HTTP authorization values,
/// `key = value` assignments with a credential-like key, and AWS secret keys near an access key id.
extension TextScanner {
    /// Where the value of a flag `short` or `long` (` -a `, ` --pass `: spaces included) starts,
    /// searching from `start` to the end of the line but not past `limit`. `searched` is how far
    /// an earlier search for the same command got: those bytes are not read again, which keeps a
    /// text full of such commands linear. Returns the new mark with the value's start (or nil).
    func flagLaterOnLine(from start: Int, within limit: Int, short: StaticString, long: StaticString,
                         searched: Int) -> (valueStart: Int?, searched: Int) {
        var k = Swift.max(start, searched)
        while k < n && k < limit && p[k] != 0x0A {
            if p[k] == UInt8(ascii: " ") {
                if has(k, short) { return (k + short.utf8CodeUnitCount, k + 1) }
                if has(k, long) { return (k + long.utf8CodeUnitCount, k + 1) }
            }
            k += 1
        }
        return (nil, k)
    }

    enum KeyCharset {
        /// `[A-Za-z0-9]`
        case alnum
        /// `[A-Za-z0-9_]`
        case word
        /// `[A-Za-z0-9_-]` (cached runs)
        case token
        /// `[A-Za-z0-9_.-]` (cached runs; trailing dots are sentence punctuation)
        case tokenDot
    }

    /// A provider key whose prefix starts at word start `i` (the word ends at `e`).
    mutating func secretAtWord(_ i: Int, _ e: Int) -> Int? {
        // Not a secret: a card number glued to a card word (`card_4111…`), gated here with them.
        if Bytes.isDigit(p[e - 1]), let end = cardAfterGluedWord(i, e) { return end }
        switch p[i] {
        case UInt8(ascii: "s"):
            if at(i + 1) == UInt8(ascii: "k") {
                if at(i + 2) == UInt8(ascii: "-") {
                    var body = i + 3
                    var minLength = 20
                    if has(body, "ant-") { body += 4; minLength = 32 }
                    else if has(body, "proj-") { body += 5 }
                    else if has(body, "svcacct-") { body += 8 }
                    else if has(body, "admin-") { body += 6 }
                    return keyToken(i, body, min: minLength, max: 256, charset: .token)
                }
                if has(i, "sk_live_") || has(i, "sk_test_") { return keyToken(i, i + 8, min: 16, max: 256, charset: .alnum) }
                // ElevenLabs: `sk_` and 48 lower-case hex digits.
                if at(i + 2) == UInt8(ascii: "_") && e - i == 51 { return hexKey(i, i + 3, e, length: 48) }
            }
            if e - i == 38 && (has(i, "shpat_") || has(i, "shpss_") || has(i, "shpca_") || has(i, "shppa_")) { return hexKey(i, i + 6, e) }  // Shopify
            if has(i, "sbp_") { return keyToken(i, i + 4, min: 40, max: 40, charset: .alnum) }  // Supabase
            // Sentry organization auth tokens (`sntrys_` + base64url with `_`) and user tokens (`sntryu_` + 64 hex).
            if has(i, "sntrys_") { return keyToken(i, i + 7, min: 60, max: 1024, charset: .token) }
            if has(i, "sntryu_") { return keyToken(i, i + 7, min: 64, max: 64, charset: .alnum) }
            // Notion's older internal integration tokens: `secret_` and exactly 43 letters and
            // digits of both cases (`secret_key`, `secret_name` and their kin are not).
            if e - i == 50 && has(i, "secret_") { return keyToken(i, i + 7, min: 43, max: 43, charset: .alnum, mixed: true) }
            // Square access tokens and application secrets.
            if e - i == 6 && (has(i, "sq0atp-") || has(i, "sq0csp-")) { return keyToken(i, i + 7, min: 22, max: 64, charset: .token) }
        case UInt8(ascii: "r"):
            if has(i, "rk_live_") || has(i, "rk_test_") { return keyToken(i, i + 8, min: 16, max: 256, charset: .alnum) }
            if has(i, "r8_") { return keyToken(i, i + 3, min: 30, max: 64, charset: .alnum, mixed: true) }  // Replicate
        case UInt8(ascii: "g"):
            if at(i + 1) == UInt8(ascii: "h") && at(i + 3) == UInt8(ascii: "_") {
                switch at(i + 2) {
                case UInt8(ascii: "p"), UInt8(ascii: "o"), UInt8(ascii: "u"), UInt8(ascii: "s"), UInt8(ascii: "r"):
                    return keyToken(i, i + 4, min: 30, max: 255, charset: .alnum)
                default: break
                }
            }
            if has(i, "github_pat_") { return keyToken(i, i + 11, min: 40, max: 255, charset: .word) }
            if has(i, "glpat-") { return keyToken(i, i + 6, min: 20, max: 64, charset: .token) }
            if has(i, "gsk_") { return keyToken(i, i + 4, min: 40, max: 64, charset: .alnum) }  // Groq
            if has(i, "glsa_") { return keyToken(i, i + 5, min: 32, max: 64, charset: .word) }  // Grafana service accounts
        case UInt8(ascii: "x"):
            if has(i, "xox") && at(i + 4) == UInt8(ascii: "-") {
                switch at(i + 3) {
                case UInt8(ascii: "a"), UInt8(ascii: "b"), UInt8(ascii: "p"), UInt8(ascii: "r"), UInt8(ascii: "s"), UInt8(ascii: "e"):
                    // Slack refresh tokens: `xoxe.xoxp-1-…`, the `xoxe.` prefix included.
                    return keyToken(i >= 5 && has(i - 5, "xoxe.") ? i - 5 : i, i + 5, min: 10, max: 255, charset: .token, needsDigit: true)
                default: break
                }
            }
            if has(i, "xapp-") { return keyToken(i, i + 5, min: 10, max: 255, charset: .token, needsDigit: true) }
            if has(i, "xai-") { return keyToken(i, i + 4, min: 40, max: 128, charset: .alnum) }  // xAI
        case UInt8(ascii: "A"):
            if has(i, "AKIA") || has(i, "ASIA") { return awsAccessKeyID(i) }
            if has(i, "AIza") { return keyToken(i, i + 4, min: 30, max: 40, charset: .token) }
            // A Twilio account SID passed with its auth token: `Client("AC…", "<32 hex>")`.
            if e - i == 34 && at(i + 1) == UInt8(ascii: "C") { return twilioAuthTokenAfterSID(i, e) }
            // Atlassian API tokens: `ATATT3` + base64url, then `=` and an 8-hex checksum.
            if has(i, "ATATT3"), let end = keyToken(i, i + 6, min: 100, max: 300, charset: .token) {
                guard at(end) == UInt8(ascii: "="), end + 9 <= n, !isWordByte(end + 9) else { return end }
                for k in (end + 1)..<(end + 9) where t[Int(p[k])] & ByteClass.hex == 0 { return end }
                spans[spans.count - 1].end = end + 9
                return end + 9
            }
            // age encryption identities.
            if e - i == 3 && has(i, "AGE-SECRET-KEY-1") { return keyToken(i, i + 16, min: 58, max: 58, charset: .alnum) }
        case UInt8(ascii: "y"):
            if has(i, "ya29.") { return keyToken(i, i + 5, min: 20, max: 2048, charset: .tokenDot) }
        case UInt8(ascii: "e"):
            if has(i, "eyJ") { return jwt(i) }
        case UInt8(ascii: "B"), UInt8(ascii: "b"):
            if e - i == 6 && hasIgnoringCase(i, "bearer") { return bearer(e) }
            if e - i == 5 && hasIgnoringCase(i, "basic") { return basic(e) }
        case UInt8(ascii: "h"):
            if e - i == 5 && has(i, "hooks.slack.com/services/") { return slackWebhook(i + 25) }
            if has(i, "hf_") { return keyToken(i, i + 3, min: 30, max: 64, charset: .alnum) }
            // HashiCorp Vault service, batch and recovery tokens.
            if e - i == 3 && (has(i, "hvs.") || has(i, "hvb.") || has(i, "hvr.")) {
                return keyToken(i, i + 4, min: 24, max: 512, charset: .token)
            }
        case UInt8(ascii: "n"):
            if has(i, "npm_") { return keyToken(i, i + 4, min: 30, max: 64, charset: .alnum) }
            if has(i, "ntn_") { return keyToken(i, i + 4, min: 40, max: 60, charset: .alnum) }  // Notion integration tokens
        case UInt8(ascii: "S"):
            // Twilio API key SIDs: `SK` and 32 lower-case hex digits.
            if e - i == 34 && at(i + 1) == UInt8(ascii: "K") { return hexKey(i, i + 2, e) }
            if has(i, "SG.") {
                let a = tokenRunEnd(i + 3)
                guard a - (i + 3) >= 16, at(a) == UInt8(ascii: ".") else { return nil }
                let b = tokenRunEnd(a + 1)
                guard b - (a + 1) >= 16, plausibleSecret(a + 1, b, requireVariety: true) else { return nil }
                emit(i, b, .secret)
                return b
            }
        case UInt8(ascii: "E"):
            // Meta (Facebook, Instagram, WhatsApp Cloud API) access tokens and Square's newer
            // access tokens: `EAA` and at least 60 letters and digits of both cases.
            if has(i, "EAA") { return keyToken(i, i + 3, min: 60, max: 512, charset: .token, mixed: true) }
        case UInt8(ascii: "G"):
            // Google OAuth client secrets: `GOCSPX-` and 28 characters.
            if e - i == 6 && has(i, "GOCSPX-") { return keyToken(i, i + 7, min: 28, max: 28, charset: .token) }
        case UInt8(ascii: "d"):
            // Databricks personal access tokens: `dapi` and 32 lower-case hex digits (an optional `-2` suffix).
            if e - i == 36 && has(i, "dapi") {
                guard let end = hexKey(i, i + 4, e) else { return nil }
                if at(end) == UInt8(ascii: "-") && Bytes.isDigit(at(end + 1)) && !isWordByte(end + 2) {
                    spans[spans.count - 1].end = end + 2
                    return end + 2
                }
                return end
            }
            if (e - i == 7 && has(i, "discord")) || (e - i == 10 && has(i, "discordapp")) { return discordWebhook(i, e) }
            // DigitalOcean personal, OAuth and refresh tokens: `do?_v1_` and 64 hex digits.
            if has(i, "dop_v1_") || has(i, "doo_v1_") || has(i, "dor_v1_") { return keyToken(i, i + 7, min: 64, max: 64, charset: .alnum) }
            // Doppler tokens: `dp.` and a kind (`st.` service tokens, with an environment name
            // before the body: `dp.st.prd.…`), then 40 to 44 letters and digits.
            if e - i == 2 && at(i + 2) == UInt8(ascii: ".") { return dopplerToken(i) }
            // Docker Hub personal access tokens.
            if has(i, "dckr_pat_") { return keyToken(i, i + 9, min: 20, max: 64, charset: .token) }
        case UInt8(ascii: "p"):
            if has(i, "pypi-") { return keyToken(i, i + 5, min: 40, max: 512, charset: .token) }
            if has(i, "pplx-") { return keyToken(i, i + 5, min: 40, max: 64, charset: .alnum) }  // Perplexity
            if has(i, "pcsk_") { return keyToken(i, i + 5, min: 40, max: 128, charset: .word) }  // Pinecone
            if e - i == 3 && has(i, "pul-") { return hexKey(i, i + 4, tokenRunEnd(i + 4), length: 40) }  // Pulumi access tokens
            // PlanetScale service tokens, passwords and OAuth tokens.
            if has(i, "pscale_tkn_") || has(i, "pscale_pw_") || has(i, "pscale_oauth_") {
                return keyToken(i, i + (at(i + 7) == UInt8(ascii: "t") ? 11 : at(i + 7) == UInt8(ascii: "p") ? 10 : 13),
                                min: 32, max: 64, charset: .token)
            }
        case UInt8(ascii: "P"):
            if has(i, "PMAK-") { return keyToken(i, i + 5, min: 50, max: 70, charset: .token) }  // Postman
        case UInt8(ascii: "N"):
            if has(i, "NRAK-") { return keyToken(i, i + 5, min: 27, max: 27, charset: .alnum) }  // New Relic
        case UInt8(ascii: "L"):
            // A base64-encoded PEM private key (kubeconfig `client-key-data`, Secret `tls.key`).
            if has(i, "LS0tLS1CRUdJTi") { return base64PEMKey(i) }
        case UInt8(ascii: "l"):
            if has(i, "lsv2_pt_") || has(i, "lsv2_sk_") { return keyToken(i, i + 8, min: 32, max: 64, charset: .word) }  // LangSmith
            if has(i, "lin_api_") { return keyToken(i, i + 8, min: 32, max: 64, charset: .alnum) }  // Linear
        case UInt8(ascii: "t"):
            if has(i, "tvly-") { return keyToken(i, i + 5, min: 24, max: 64, charset: .token) }  // Tavily
        case UInt8(ascii: "f"):
            if has(i, "fw_") { return keyToken(i, i + 3, min: 20, max: 64, charset: .alnum, mixed: true) }  // Fireworks
            if has(i, "figd_") { return keyToken(i, i + 5, min: 30, max: 64, charset: .token) }  // Figma personal access tokens
            if has(i, "fo1_") { return keyToken(i, i + 4, min: 40, max: 64, charset: .token) }  // Fly.io access tokens
        case UInt8(ascii: "w"):
            if has(i, "whsec_") { return keyToken(i, i + 6, min: 24, max: 64, charset: .alnum) }  // webhook signing secrets
        default:
            break
        }
        return nil
    }

    /// The auth token quoted right after a quoted Twilio account SID at `i..<e` (`AC` and 32
    /// hex digits), as `Client("AC…", "…")` and `(sid, token)` pairs pass them: 32 hex digits.
    /// The SID itself is an identifier, not a secret.
    mutating func twilioAuthTokenAfterSID(_ i: Int, _ e: Int) -> Int? {
        let quote = at(e)
        guard quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'"), at(i - 1) == quote else { return nil }
        for k in (i + 2)..<e where t[Int(p[k])] & ByteClass.hex == 0 { return nil }
        var k = e + 1
        guard at(k) == UInt8(ascii: ",") else { return nil }
        k += 1
        while at(k) == UInt8(ascii: " ") && k - e < 8 { k += 1 }
        guard at(k) == UInt8(ascii: "\"") || at(k) == UInt8(ascii: "'") else { return nil }
        let s = k + 1
        guard s + 32 < n, at(s + 32) == at(k) else { return nil }
        for q in s..<(s + 32) where t[Int(p[q])] & ByteClass.hex == 0 { return nil }
        emit(s, s + 32, .secret)
        return s + 33
    }

    /// A Doppler token at `i` (`dp.` seen): `dp.pt.`, `dp.ct.`, `dp.sa.`, `dp.scim.`, `dp.audit.`
    /// or `dp.st.` plus an environment name and `.`, then 40 to 44 letters and digits.
    mutating func dopplerToken(_ i: Int) -> Int? {
        var body: Int
        if has(i, "dp.pt.") || has(i, "dp.ct.") || has(i, "dp.sa.") { body = i + 6 }
        else if has(i, "dp.scim.") { body = i + 8 }
        else if has(i, "dp.audit.") { body = i + 9 }
        else if has(i, "dp.st.") {
            body = i + 6
            var k = body
            while k < n && k - body < 40 && (Bytes.isLower(p[k]) || Bytes.isDigit(p[k]) || p[k] == UInt8(ascii: "_") || p[k] == UInt8(ascii: "-")) { k += 1 }
            if k > body && at(k) == UInt8(ascii: ".") { body = k + 1 }
        } else {
            return nil
        }
        return keyToken(i, body, min: 40, max: 44, charset: .alnum)
    }

    /// A key body of `charset` from `body`, `min`…`max` long, not followed by a word byte, and
    /// plausible (varied, not a placeholder). Emits `[start, end)` as SECRET.
    /// With `mixed` (a short prefix that ordinary words could start with, `fw_`, `r8_`), the body
    /// needs upper- and lower-case letters and a digit.
    mutating func keyToken(_ start: Int, _ body: Int, min: Int, max: Int, charset: KeyCharset, needsDigit: Bool = false,
                           mixed: Bool = false) -> Int? {
        var end: Int
        switch charset {
        case .token:
            end = tokenRunEnd(body)
        case .tokenDot:
            end = tokenDotRunEnd(body)
            while end > body && p[end - 1] == UInt8(ascii: ".") { end -= 1 }
        case .alnum:
            end = body
            while end < n && Bytes.isAlnum(p[end]) && end - body <= max { end += 1 }
        case .word:
            end = body
            while end < n && (Bytes.isAlnum(p[end]) || p[end] == UInt8(ascii: "_")) && end - body <= max { end += 1 }
        }
        let length = end - body
        guard length >= min && length <= max, isTokenEnd(end) else { return nil }
        guard plausibleSecret(body, end, requireVariety: true, needsDigit: needsDigit, providerPrefixed: true) else { return nil }
        if mixed {
            var upper = false, lower = false, digit = false
            for k in body..<end {
                let c = p[k]
                if Bytes.isUpper(c) { upper = true } else if Bytes.isLower(c) { lower = true } else if Bytes.isDigit(c) { digit = true }
            }
            guard upper && lower && digit else { return nil }
        }
        emit(start, end, .secret)
        return end
    }

    /// A word `[start, e)` whose body `[body, e)` is 32 lower-case hex digits, with digits and
    /// letters mixed (`SKaaf89691052be1ceb374dab4683f84d3`, `dapi07255bc5…`): emitted as SECRET.
    mutating func hexKey(_ start: Int, _ body: Int, _ e: Int, length: Int = 32) -> Int? {
        guard e - body == length else { return nil }
        var digits = 0
        for k in body..<e {
            let c = p[k]
            if Bytes.isDigit(c) { digits += 1 } else if !(c >= UInt8(ascii: "a") && c <= UInt8(ascii: "f")) { return nil }
        }
        guard digits >= length / 8, digits <= length - length / 8, plausibleSecret(body, e, requireVariety: false, providerPrefixed: true) else { return nil }
        emit(start, e, .secret)
        return e
    }

    // MARK: - Azure AD client secrets

    /// Microsoft Entra ID (Azure AD) client secrets, at the `~` of `Q~`: three characters of
    /// `[A-Za-z0-9_~.]`, a digit, `Q~`, then 31–34 of `[A-Za-z0-9_~.-]` (40 characters in all
    /// today), not glued to more of them. Reads at most 6 bytes back and 36 forward.
    mutating func azureClientSecret(_ i: Int) -> Int? {
        @inline(__always) func isSecretByte(_ c: UInt8) -> Bool {
            Bytes.isAlnum(c) || c == UInt8(ascii: "_") || c == UInt8(ascii: "~") || c == UInt8(ascii: ".") || c == UInt8(ascii: "-")
        }
        let s = i - 5
        guard s >= 0, Bytes.isDigit(p[i - 2]) else { return nil }
        for k in s..<(i - 2) where !(isSecretByte(p[k]) && p[k] != UInt8(ascii: "-")) { return nil }
        if s > 0 && isSecretByte(p[s - 1]) { return nil }
        var e = i + 1
        while e < n && isSecretByte(p[e]) && e - i <= 35 { e += 1 }
        if isSecretByte(at(e)) { return nil }
        if p[e - 1] == UInt8(ascii: ".") { e -= 1 }  // the end of a sentence
        let length = e - (i + 1)
        guard length >= 31, length <= 34, plausibleSecret(i + 1, e, requireVariety: true, providerPrefixed: true) else { return nil }
        emit(s, e, .secret)
        return e
    }

    // MARK: - Webhook URLs and bot tokens

    /// `hooks.slack.com/services/T…/B…/<24 letters and digits>` from `v` (after `services/`):
    /// the last part, which authorises posting, is the SECRET.
    mutating func slackWebhook(_ v: Int) -> Int? {
        var k = v
        for lead in [UInt8(ascii: "T"), UInt8(ascii: "B")] {
            guard at(k) == lead else { return nil }
            let s = k
            k += 1
            while k < n && (Bytes.isUpper(p[k]) || Bytes.isDigit(p[k])) && k - s <= 16 { k += 1 }
            guard k - s >= 8, k - s <= 16, at(k) == UInt8(ascii: "/") else { return nil }
            k += 1
        }
        let s = k
        while k < n && Bytes.isAlnum(p[k]) && k - s <= 32 { k += 1 }
        guard k - s >= 20, k - s <= 32, isTokenEnd(k), plausibleSecret(s, k, requireVariety: false, providerPrefixed: true) else { return nil }
        emit(s, k, .secret)
        return k
    }

    /// `discord.com/api/webhooks/<id>/<token>` (also `discordapp.com`), the word `discord…`
    /// at `i` ending at `e`: the token is the SECRET.
    mutating func discordWebhook(_ i: Int, _ e: Int) -> Int? {
        guard has(e, ".com/api/webhooks/") else { return nil }
        var k = e + 18
        let idStart = k
        while k < n && Bytes.isDigit(p[k]) && k - idStart <= 20 { k += 1 }
        guard k - idStart >= 15, k - idStart <= 20, at(k) == UInt8(ascii: "/") else { return nil }
        let s = k + 1
        let end = tokenRunEnd(s)
        guard end - s >= 40, end - s <= 100, plausibleSecret(s, end, requireVariety: false, providerPrefixed: true) else { return nil }
        emit(s, end, .secret)
        return end
    }

    /// Telegram bot tokens, at the `:` in `<8–10 digits>:AA<33 base64url characters>`.
    mutating func telegramBotToken(_ i: Int) -> Int? {
        var s = i
        while s > 0 && Bytes.isDigit(p[s - 1]) && i - s <= 10 { s -= 1 }
        // (In the Bot API's URLs the token follows `/bot`: `https://api.telegram.org/bot123…:AA…/sendMessage`.)
        guard i - s >= 8, i - s <= 10, !isWordByte(s - 1) || has(s - 4, "/bot"), at(s - 1) != UInt8(ascii: "-") else { return nil }
        let end = tokenRunEnd(i + 1)
        guard end - (i + 1) == 35, plausibleSecret(i + 3, end, requireVariety: true, providerPrefixed: true) else { return nil }
        emit(s, end, .secret)
        return end
    }

    /// A Firebase Cloud Messaging legacy server key, `AAAA` + 7 characters + `:APA91b` + ~134
    /// base64url characters, at the `:`.
    mutating func firebaseServerKey(_ i: Int) -> Int? {
        var s = i
        while s > 0 && (Bytes.isAlnum(p[s - 1]) || p[s - 1] == UInt8(ascii: "_") || p[s - 1] == UInt8(ascii: "-")) && i - s <= 12 { s -= 1 }
        guard i - s == 11, has(s, "AAAA"), !isWordByte(s - 1) else { return nil }
        let end = tokenRunEnd(i + 1)
        guard end - i >= 100 else { return nil }
        emit(s, end, .secret)
        return end
    }

    /// The string literal before `-AsPlainText` in PowerShell's `ConvertTo-SecureString "X"
    /// -AsPlainText -Force` (the flag's `-` at `i`). Reads at most 160 bytes back.
    mutating func secureStringLiteral(_ i: Int) -> Int? {
        var k = i - 1
        while k >= 0 && p[k] == UInt8(ascii: " ") && i - k < 4 { k -= 1 }
        guard k > 0, p[k] == UInt8(ascii: "\"") || p[k] == UInt8(ascii: "'") else { return nil }
        let q = p[k], ve = k
        var vs = k - 1
        while vs >= 0 && p[vs] != q && p[vs] != 0x0A && ve - vs <= 130 { vs -= 1 }
        guard vs >= 0, p[vs] == q else { return nil }
        var c = vs - 1
        while c >= 0 && p[c] == UInt8(ascii: " ") && vs - c < 4 { c -= 1 }
        guard hasIgnoringCase(c - 21, "convertto-securestring") || hasIgnoringCase(c - 6, "-string") else { return nil }
        guard isPlausibleValue(vs + 1, ve, quoted: true) else { return nil }
        emit(vs + 1, ve, .secret)
        return i + "-AsPlainText".utf8.count
    }

    /// The password piped to `docker login … --password-stdin` (and the like) by `echo X |` (or
    /// `echo "X" |`) earlier on the line, at the flag's `-` (`i`). Reads at most 256 bytes back.
    mutating func echoedPassword(_ i: Int) -> Int? {
        var k = i - 1
        var bar = -1
        while k >= 0 && i - k <= 256 && p[k] != 0x0A {
            if p[k] == UInt8(ascii: "|") && bar < 0 { bar = k }
            k -= 1
        }
        guard bar > 0 else { return nil }
        var e = 0
        var s = k + 1
        while s + 5 <= bar {
            if hasIgnoringCase(s, "echo ") && (s == k + 1 || !isWordByte(s - 1)) { e = s + 5; break }
            s += 1
        }
        guard e > 0 else { return nil }
        if has(e, "-n ") { e += 3 }
        var vs = e, ve = bar
        while ve > vs && p[ve - 1] == UInt8(ascii: " ") { ve -= 1 }
        if ve - vs >= 2 && (p[vs] == UInt8(ascii: "\"") || p[vs] == UInt8(ascii: "'")) && p[ve - 1] == p[vs] { vs += 1; ve -= 1 }
        for x in vs..<ve where p[x] == UInt8(ascii: " ") { return nil }
        guard ve - vs >= 4, ve - vs <= 128, isPlausibleValue(vs, ve, quoted: true) else { return nil }
        emit(vs, ve, .secret)
        return i + "--password-stdin".utf8.count
    }

    /// The third argument of a database connection call, when it is a string literal:
    /// `new mysqli("localhost", "root", "X", "shop")`, `mysqli_connect(…)`, `new PDO($dsn, "user",
    /// "X")`, JDBC's `DriverManager.getConnection(url, "user", "X")`, at the `(`; returns where the
    /// scan resumes (right after the `(`). Reads at most 320 bytes ahead.
    mutating func connectCall(_ open: Int) -> Int? {
        var k = open + 1
        var argument = 0
        while k < n && k - open <= 320 && argument < 3 {
            while at(k) == UInt8(ascii: " ") { k += 1 }
            let q = at(k)
            if q == UInt8(ascii: "\"") || q == UInt8(ascii: "'") {
                let ve = closingQuote(q, from: k + 1)
                guard ve < n, p[ve] == q else { return nil }
                if argument == 2 {
                    guard isPlausibleValue(k + 1, ve, quoted: true) else { return nil }
                    emit(k + 1, ve, .secret)
                    // The scan goes on inside the arguments: the host may be an IP address
                    // (`"jdbc:mysql://192.168.1.5:3306/shop"`).
                    return open + 1
                }
                k = ve + 1
            } else {
                while k < n && p[k] != UInt8(ascii: ",") && p[k] != UInt8(ascii: ")") && p[k] != 0x0A && k - open <= 320 { k += 1 }
            }
            while at(k) == UInt8(ascii: " ") { k += 1 }
            guard at(k) == UInt8(ascii: ",") else { return nil }
            k += 1
            argument += 1
        }
        return nil
    }

    /// `AKIA`/`ASIA` and 16 upper-case letters or digits.
    mutating func awsAccessKeyID(_ i: Int) -> Int? {
        guard i + 20 <= n, isTokenEnd(i + 20) else { return nil }
        for k in (i + 4)..<(i + 20) where !(Bytes.isUpper(p[k]) || Bytes.isDigit(p[k])) { return nil }
        // AWS's documented example key id (…EXAMPLE) is a placeholder, as gitleaks and detect-secrets treat it.
        guard !has(i + 13, "EXAMPLE"), plausibleSecret(i + 4, i + 20, requireVariety: false, providerPrefixed: true) else { return nil }
        emit(i, i + 20, .secret, awsKeyID: true)
        sawAWSKeyID = true
        return i + 20
    }

    /// Random-looking rather than a placeholder: no run of 6 equal bytes, no ascending run of 6
    /// (`123456`, `abcdef`), enough distinct bytes, and no placeholder words (`your`, `example`,
    /// `xxxx`, `redacted`…). With `requireVariety`, digits or mixed case are required too.
    /// Reads at most 128 bytes.
    ///
    /// With `providerPrefixed` (the value follows a provider's key prefix such as `sk-proj-` or
    /// `AKIA`, itself strong evidence), only explicit placeholder markers reject it — a run of 6
    /// equal bytes (`XXXXXX`) or `your`/`xxxx`/`***`/`...`/`placeholder`/`redacted`/`replace`/
    /// `changeme`/`insert` — because a leaked key costs more than redacting a documentation example.
    func plausibleSecret(_ a: Int, _ b: Int, requireVariety: Bool, needsDigit: Bool = false, providerPrefixed: Bool = false) -> Bool {
        let m = Swift.min(b - a, 128)
        guard m > 0 else { return false }
        var lo: UInt64 = 0, hi: UInt64 = 0
        var digits = 0, uppers = 0, lowers = 0
        var run = 1, maxRun = 1, ascending = 1, maxAscending = 1
        var prev: UInt8 = 0
        for k in 0..<m {
            let c = p[a + k]
            if c < 64 { lo |= 1 << UInt64(c) } else if c < 128 { hi |= 1 << UInt64(c - 64) }
            if Bytes.isDigit(c) { digits += 1 } else if Bytes.isUpper(c) { uppers += 1 } else if Bytes.isLower(c) { lowers += 1 }
            if k > 0 && c == prev { run += 1; maxRun = Swift.max(maxRun, run) } else { run = 1 }
            if k > 0 && c == prev &+ 1 && Bytes.isAlnum(c) { ascending += 1; maxAscending = Swift.max(maxAscending, ascending) } else { ascending = 1 }
            prev = c
        }
        guard maxRun < 6 else { return false }
        let distinct = lo.nonzeroBitCount + hi.nonzeroBitCount
        if providerPrefixed {
            // A body that is mostly one ascending run (`sk-1234567890abcdefghijklmnop`) is a placeholder.
            guard distinct >= Swift.min(6, m / 3), maxAscending * 2 < m else { return false }
            return !containsPlaceholderWord(a, a + m, strictMarkersOnly: true)
        }
        guard maxAscending < 6 else { return false }
        guard distinct >= Swift.min(10, m / 2) else { return false }
        if requireVariety && digits == 0 && !(uppers > 0 && lowers > 0) { return false }
        if needsDigit && digits == 0 { return false }
        return !containsPlaceholderWord(a, a + m)
    }

    /// Words that mark documentation placeholders rather than real values (`your`, `example`,
    /// `xxxx`…), counted only at a boundary (start, end, or next to a non-alphanumeric byte or a
    /// case change), so random key material that happens to spell one is not mistaken for one.
    func containsPlaceholderWord(_ a: Int, _ b: Int, strictMarkersOnly: Bool = false) -> Bool {
        var k = a
        while k < b {
            var length = 0
            switch Bytes.lower(p[k]) {
            case UInt8(ascii: "y"): if hasIgnoringCase(k, "your") { length = 4 }
            case UInt8(ascii: "e"):
                // AWS documentation keys end in upper-case EXAMPLE or EXAMPLEKEY
                // (`wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`).
                if has(k, "EXAMPLE") && (k + 7 == b || (k + 10 == b && has(k + 7, "KEY"))) { return true }
                if !strictMarkersOnly && hasIgnoringCase(k, "example") { length = 7 }
            case UInt8(ascii: "p"): if hasIgnoringCase(k, "placeholder") { length = 11 }
            case UInt8(ascii: "r"): if hasIgnoringCase(k, "redacted") { length = 8 } else if hasIgnoringCase(k, "replace") { length = 7 }
            case UInt8(ascii: "d"): if !strictMarkersOnly && hasIgnoringCase(k, "dummy") { length = 5 }
            case UInt8(ascii: "i"): if hasIgnoringCase(k, "insert") { length = 6 }
            case UInt8(ascii: "f"): if !strictMarkersOnly && hasIgnoringCase(k, "fake") { length = 4 }
            case UInt8(ascii: "s"): if !strictMarkersOnly && hasIgnoringCase(k, "sample") { length = 6 }
            case UInt8(ascii: "c"): if hasIgnoringCase(k, "changeme") { length = 8 }
            case UInt8(ascii: "h"): if !strictMarkersOnly && hasIgnoringCase(k, "here") { length = 4 }
            case UInt8(ascii: "x"): if has(k, "xxxx") || has(k, "XXXX") { return true }
            case UInt8(ascii: "*"): if has(k, "***") { return true }
            case UInt8(ascii: "."): if has(k, "...") { return true }
            // Masks typed or pasted from a UI: `•••`, `●●●`, `∙∙∙`.
            case 0xE2: if has(k, "•••") || has(k, "●●●") || has(k, "∙∙∙") { return true }
            default: break
            }
            if length > 0 && k + length <= b {
                let before = k == a ? 0 : p[k - 1]
                let after = k + length == b ? 0 : p[k + length]
                let first = p[k], last = p[k + length - 1]
                let leftEdge = !Bytes.isAlnum(before) || (Bytes.isLower(before) && Bytes.isUpper(first))
                let rightEdge = !Bytes.isAlnum(after) || (Bytes.isLower(last) && Bytes.isUpper(after))
                if leftEdge || rightEdge { return true }
            }
            k += 1
        }
        return false
    }

    /// True when a value starts with a provider key prefix; such values must also look like a
    /// real key (see `plausibleSecret`), which rejects `sk-1234567890abcdef…` placeholders.
    func startsWithProviderPrefix(_ vs: Int) -> Bool {
        has(vs, "sk-") || has(vs, "sk_") || has(vs, "rk_") || has(vs, "ghp_") || has(vs, "gho_") || has(vs, "AKIA")
            || has(vs, "ASIA") || has(vs, "xox") || has(vs, "AIza") || has(vs, "github_pat_") || has(vs, "glpat-")
    }

    // MARK: - Prose

    /// `password is X`, `changed my password to X`, `password X`, `<password>X</password>`: the
    /// value after a password word (at `i`, ending at `e`). After `is`/`was` (also `password for
    /// the VPN is X`) the value is the single next token unless it is a word of ordinary prose
    /// (`required`, `incorrect`, `too`, `reset`, words ending in `-ed`/`-ing`/`-ly`; see
    /// `isProseWord`); after `to` it needs a digit, a symbol or mixed case, or at least 12
    /// characters; directly after the word it needs a digit, a symbol or mixed case. So "the
    /// password is incorrect" and "password manager" stay. Reads at most 128 bytes ahead.
    mutating func passwordInProse(_ i: Int, _ e: Int) -> Int? {
        let len = e - i
        var e = e
        if (len == 8 && (hasIgnoringCase(i, "password") || hasIgnoringCase(i, "passcode") || hasIgnoringCase(i, "passwort")
                         || hasIgnoringCase(i, "kennwort")))
            || (len == 6 && hasIgnoringCase(i, "passwd")) || (len == 10 && (hasIgnoringCase(i, "passphrase") || hasIgnoringCase(i, "wachtwoord")))
            || (len == 3 && hasIgnoringCase(i, "pwd")) || (len == 5 && (hasIgnoringCase(i, "senha") || hasIgnoringCase(i, "haslo")))
            || (len == 2 && hasIgnoringCase(i, "pw")) || (len == 7 && hasIgnoringCase(i, "parolam")) || (len == 5 && hasIgnoringCase(i, "clave"))
            || (len == 7 && hasIgnoringCase(i, "pasword")) {
            // a password word (`pasword`: a typo common enough in forms and scans)
            // `PW- X`, `pwd- X`: a dash and a blank after the short forms.
            if len <= 3 && at(e) == UInt8(ascii: "-") && at(e + 1) == UInt8(ascii: " ") { e += 1 }
            if len == 7 && at(e) == UInt8(ascii: ":") && at(e + 1) == UInt8(ascii: " ") { return formValue(after: e + 1) }
        } else if len == 4 && hasIgnoringCase(i, "pass") && (hasIgnoringCase(e, " word") && !isWordByte(e + 5)) {
            // `PASS WORD: X` (a scanned form)
            return at(e + 5) == UInt8(ascii: ":") ? formValue(after: e + 6) : nil
        } else if len == 4 && hasIgnoringCase(i, "pass") && hasIgnoringCase(e, " is ") && isWifiPass(before: i) {
            // "the wifi pass is X"
        } else if (len == 5 && hasIgnoringCase(i, "login") || len == 11 && hasIgnoringCase(i, "credentials")
                    || len == 10 && hasIgnoringCase(i, "credential") || len == 5 && hasIgnoringCase(i, "creds")) && at(e) == UInt8(ascii: ":") {
            // `login: admin / X`, `credentials: root / X`
            return loginPair(after: e + 1)
        } else if len == 8 && hasIgnoringCase(i, "contrase") && has(e, "ña") && !isWordByte(e + 3) {
            e += 3  // contraseña
        } else if len == 3 && hasIgnoringCase(i, "has") && has(e, "ło") && !isWordByte(e + 3) {
            e += 3  // hasło
        } else if len == 3 && hasIgnoringCase(i, "mot") && hasIgnoringCase(e, " de passe") && !isWordByte(e + 9) {
            e += 9  // mot de passe
        } else if (len == 11 && has(i, "requirepass") || len == 10 && has(i, "masterauth")) && (i == 0 || at(i - 1) == 0x0A)
                    && at(e) == UInt8(ascii: " ") {
            // redis.conf: `requirepass X`, `masterauth X` at the start of a line.
            return flagValue(e + 1)
        } else if at(i - 1) == UInt8(ascii: "-") && ((len == 11 && hasIgnoringCase(i, "requirepass")) || (len == 10 && hasIgnoringCase(i, "masterauth"))
                    || (len == 9 && hasIgnoringCase(i, "storepass")) || (len == 7 && hasIgnoringCase(i, "keypass"))
                    || (len == 12 && hasIgnoringCase(i, "srcstorepass")) || (len == 13 && hasIgnoringCase(i, "deststorepass"))) {
            // `redis-server --requirepass X`, `keytool -storepass X`: the flag's argument.
            guard at(e) == UInt8(ascii: " ") || at(e) == UInt8(ascii: "=") else { return nil }
            return flagValue(e + 1)
        } else if len == 3 && has(i, "aws") && has(e, " configure set ") {
            // `aws configure set aws_secret_access_key X`: the value of a credential setting.
            let ks = e + 15
            var ke = ks
            while ke < n && Self.isKeyByte(p[ke]) && ke - ks < 64 { ke += 1 }
            guard ke > ks, at(ke) == UInt8(ascii: " "), let kind = Self.classifyKey(p + ks, ke - ks), kind != .cookie else { return nil }
            return flagValue(ke + 1)
        } else if len == 2 && has(i, "gh") && has(e, " secret set ") {
            // `gh secret set NAME --body X` (or `-b X`) on the same line.
            let found = flagLaterOnLine(from: e + 11, within: e + 200, short: " -b ", long: " --body ", searched: flagSearchedUntil.gh)
            flagSearchedUntil.gh = found.searched
            // The words between the command and its flag (`--repo jane@…`) are scanned as usual.
            guard let v = found.valueStart, flagValue(v) != nil else { return nil }
            return e
        } else if len == 11 && has(i, "rabbitmqctl") && (has(e, " add_user ") || has(e, " change_password ")) {
            // `rabbitmqctl add_user NAME X`, `rabbitmqctl change_password NAME X`.
            var k = e + (has(e, " add_user ") ? 10 : 17)
            let name = k
            while k < n && !Bytes.isSpace(p[k]) && k - name <= 128 { k += 1 }
            guard k > name, at(k) == UInt8(ascii: " ") else { return nil }
            return flagValue(k + 1)
        } else if len == 5 && hasIgnoringCase(i, "redis") && hasIgnoringCase(e, "-cli ") {
            // `redis-cli -h cache -a X`: the argument of `-a` (or `--pass`) on the same line.
            let found = flagLaterOnLine(from: e + 4, within: e + 256, short: " -a ", long: " --pass ", searched: flagSearchedUntil.redis)
            flagSearchedUntil.redis = found.searched
            // The arguments before the flag (`-h 10.1.2.3`) are scanned as usual.
            guard let v = found.valueStart, flagValue(v) != nil else { return nil }
            return e
        } else if len == 3 && has(i, "key") && at(e) == UInt8(ascii: "-") && e + 33 <= n && !isWordByte(e + 33),
                  let end = hexKey(i, e + 1, e + 33) {
            return end  // A Mailgun API key: `key-` and 32 lower-case hex digits.
        } else if (len == 3 && hasIgnoringCase(i, "key")) || (len == 5 && hasIgnoringCase(i, "token"))
                    || (len == 6 && (hasIgnoringCase(i, "apikey") || hasIgnoringCase(i, "secret"))) {
            // "My API key is X", "here is the token X", "apikey X": generated key material only.
            return keyMaterialInProse(after: e)
        } else if len == 10 && hasIgnoringCase(i, "identified") && hasIgnoringCase(e, " by ") {
            // SQL: `CREATE USER 'app'@'%' IDENTIFIED BY 'secret'`: the quoted value; Oracle's
            // unquoted `IDENTIFIED BY Tiger2024` when it has a digit, a symbol or mixed case.
            let v = e + 4
            let q = at(v)
            guard q == UInt8(ascii: "'") || q == UInt8(ascii: "\"") else {
                guard Bytes.isAlnum(q) else { return nil }
                var ve = v
                while ve < n && !Bytes.isSpace(p[ve]) && p[ve] != UInt8(ascii: ";") && p[ve] != UInt8(ascii: ",") && ve - v <= 128 { ve += 1 }
                guard ve - v <= 128, isPlausibleValue(v, ve, quoted: false, prose: true, proseMinimum: Int.max) else { return nil }
                emit(v, ve, .secret)
                return ve
            }
            let ve = closingQuote(q, from: v + 1)
            guard ve < n, p[ve] == q, ve - v <= 129, isPlausibleValue(v + 1, ve, quoted: true) else { return nil }
            emit(v + 1, ve, .secret)
            return ve + 1
        } else {
            return nil
        }
        // MySQL: `SET PASSWORD FOR 'app'@'%' = 'X'`, `SET PASSWORD = PASSWORD('X')`.
        if len == 8 && hasIgnoringCase(i - 4, "set ") && (hasIgnoringCase(e, " for ") || hasIgnoringCase(e, " = ")) {
            var k = e
            while k < n && p[k] != UInt8(ascii: "=") && p[k] != 0x0A && k - e <= 160 { k += 1 }
            guard at(k) == UInt8(ascii: "=") else { return nil }
            k += 1
            while at(k) == UInt8(ascii: " ") && k - e <= 170 { k += 1 }
            if hasIgnoringCase(k, "password(") { k += 9 }
            let q = at(k)
            guard q == UInt8(ascii: "'") || q == UInt8(ascii: "\"") else { return nil }
            let ve = closingQuote(q, from: k + 1)
            guard ve < n, p[ve] == q, ve - k <= 129, isPlausibleValue(k + 1, ve, quoted: true) else { return nil }
            emit(k + 1, ve, .secret)
            return ve + 1
        }
        // XML: <password>X</password>
        if at(i - 1) == UInt8(ascii: "<") && at(e) == UInt8(ascii: ">") {
            var ve = e + 1
            while ve < n && p[ve] != UInt8(ascii: "<") && p[ve] != 0x0A && ve - e <= 129 { ve += 1 }
            guard has(ve, "</"), isPlausibleValue(e + 1, ve, quoted: true) else { return nil }
            emit(e + 1, ve, .secret)
            return ve
        }
        return proseValue(after: e, wordStart: i)
    }

    /// The value of a form field after its label and `:` (`pasword: X`): blanks, then one word
    /// that passes `isPlausibleValue` for prose.
    mutating func formValue(after k0: Int) -> Int? {
        var vs = k0
        while at(vs) == UInt8(ascii: " ") && vs - k0 < 4 { vs += 1 }
        var ve = vs
        while ve < n && !Bytes.isSpace(p[ve]) && ve - vs <= 128 { ve += 1 }
        guard ve - vs <= 128 else { return nil }
        ve = withoutTrailingPunctuation(vs, ve)
        guard ve - vs >= 4, isPlausibleValue(vs, ve, quoted: false, prose: true, proseMinimum: Int.max) else { return nil }
        emit(vs, ve, .secret)
        return ve
    }

    /// Whether `wifi`, `wi-fi` or `wlan` and a blank end just before `i` ("the wifi pass is X").
    func isWifiPass(before i: Int) -> Bool {
        hasIgnoringCase(i - 5, "wifi ") || hasIgnoringCase(i - 6, "wi-fi ") || hasIgnoringCase(i - 5, "wlan ")
    }

    /// `Login: user / X`: a user name, ` / `, and a password on the same line (a value that
    /// passes `isPlausibleValue` for prose). Reads at most ~200 bytes.
    mutating func loginPair(after k0: Int) -> Int? {
        var k = k0
        while at(k) == UInt8(ascii: " ") && k - k0 < 4 { k += 1 }
        let us = k
        while k < n && !Bytes.isSpace(p[k]) && k - us <= 64 { k += 1 }
        guard k > us, k - us <= 64, has(k, " / ") else { return nil }
        return formValue(after: k + 3)
    }

    /// After `key`, `token`, `apikey` or `secret` ending at `e` in prose (`My API key is X`,
    /// `apikey: X`, `the token X`): a value that looks like generated key material
    /// (`isRandomToken`), not a git or SHA-256 hash. Reads at most about 530 bytes.
    mutating func keyMaterialInProse(after e: Int) -> Int? {
        var v = e
        if at(v) == UInt8(ascii: ":") { v += 1 }
        var spaces = 0
        while at(v) == UInt8(ascii: " ") && spaces < 2 { v += 1; spaces += 1 }
        guard spaces >= 1 else { return nil }
        for word in ["is: ", "is ", "was ", "= "] as [StaticString] where hasIgnoringCase(v, word) {
            v += word.utf8CodeUnitCount
            break
        }
        while at(v) == UInt8(ascii: " ") && v - e < 12 { v += 1 }
        if at(v) == UInt8(ascii: "\"") || at(v) == UInt8(ascii: "'") || at(v) == UInt8(ascii: "`") { v += 1 }
        let vs = v
        var ve = vs
        while ve < n && ve - vs <= 512 {
            let c = p[ve]
            guard Bytes.isAlnum(c) || c == UInt8(ascii: "_") || c == UInt8(ascii: "-") || c == UInt8(ascii: "+") || c == UInt8(ascii: "/")
                    || c == UInt8(ascii: "=") || c == UInt8(ascii: ".") || c == UInt8(ascii: "%") else { break }
            ve += 1
        }
        while ve > vs && (p[ve - 1] == UInt8(ascii: ".") || p[ve - 1] == UInt8(ascii: ",")) { ve -= 1 }
        let m = ve - vs
        guard m >= 16, m <= 512, isTokenEnd(ve) else { return nil }
        // `eyJ…`: a JWT is the JWT detector's (a lone header or payload is not a credential).
        if has(vs, "eyJ") { return nil }
        // Hex digits of one case: an API key at 32 (Mailgun, Twilio); hashes (40, 64) and key ids
        // (`GPG signing key 3AA5C34371567BD2`) otherwise.
        if m != 32 {
            var hex = true
            var lower = false, upper = false
            for k in vs..<ve {
                let c = p[k]
                if Bytes.isDigit(c) { continue }
                let l = Bytes.lower(c)
                guard l >= UInt8(ascii: "a") && l <= UInt8(ascii: "f") else { hex = false; break }
                if c == l { lower = true } else { upper = true }
            }
            if hex && !(lower && upper) { return nil }
        }
        guard isRandomToken(vs, ve) else { return nil }
        emit(vs, ve, .secret)
        return ve
    }

    /// A diceware-style passphrase: four or more lower-case words of at least four letters
    /// joined by hyphens (`correct-horse-battery-staple`; not `state-of-the-art`).
    func isPassphrase(_ vs: Int, _ ve: Int) -> Bool {
        var words = 0, length = 0
        for k in vs...ve {
            if k == ve || p[k] == UInt8(ascii: "-") {
                guard length >= 4 else { return false }
                words += 1
                length = 0
            } else {
                length += 1
            }
        }
        return words >= 4
    }

    /// `ve` moved back over sentence punctuation that ends a value in prose (`. , ; : ' )`).
    /// `ve` without the characters of no alphabet glued to the end of a value (`Sakura2025#🙏`,
    /// `X！`, `X。`, `X”`): emoji, symbols, CJK and typographic punctuation.
    func withoutTrailingSymbols(_ vs: Int, _ ve: Int) -> Int {
        var ve = ve
        while ve > vs && p[ve - 1] >= 0x80 {
            var k = ve - 1
            while k > vs && ve - k < 4 && p[k] & 0xC0 == 0x80 { k -= 1 }
            let lead = p[k]
            // U+0080–U+00BF, U+2000–U+2FFF (punctuation, symbols, dingbats), emoji, CJK
            // punctuation (U+3000–U+303F) and full-width punctuation (not its letters and digits).
            let symbol = lead < 0xC3 || lead == 0xE2 || lead >= 0xF0 || (lead == 0xE3 && at(k + 1) == 0x80)
                || (lead == 0xEF && at(k + 1) == 0xBC && !(at(k + 2) >= 0x90 && at(k + 2) <= 0x99) && !(at(k + 2) >= 0xA1 && at(k + 2) <= 0xBA))
            guard symbol else { break }
            ve = k
        }
        return ve
    }

    /// A value wrapped in brackets or typographic quotes at `v` — `(X)`, `[X]`, `“X”`, `„X“`,
    /// `«X»`, `‘X’`, `「X」`, `【X】` — with nothing blank inside: where `X` starts and ends, and
    /// where the scan resumes (after the closing character); or nil.
    func wrappedValue(_ v: Int) -> (start: Int, end: Int, after: Int)? {
        let pairs: [(StaticString, StaticString)] = [("(", ")"), ("[", "]"), ("\u{201C}", "\u{201D}"), ("\u{201E}", "\u{201C}"),
                                                     ("\u{AB}", "\u{BB}"), ("\u{2018}", "\u{2019}"), ("\u{300C}", "\u{300D}"),
                                                     ("\u{3010}", "\u{3011}")]
        let c = at(v)
        guard c == UInt8(ascii: "(") || c == UInt8(ascii: "[") || c == 0xE2 || c == 0xC2 || c == 0xE3 else { return nil }
        for (open, close) in pairs where has(v, open) {
            let start = v + open.utf8CodeUnitCount
            // `(optional)`-style asides and `("user", "pw")` tuples are no wrapped values.
            guard start < n, !Bytes.isSpace(p[start]), p[start] != UInt8(ascii: "\""), p[start] != UInt8(ascii: "'") else { return nil }
            var k = start
            while k < n && k - start <= 128 && !Bytes.isSpace(p[k]) {
                if has(k, close) { return k > start ? (start, k, k + close.utf8CodeUnitCount) : nil }
                k += 1
            }
            return nil
        }
        return nil
    }

    func withoutTrailingPunctuation(_ vs: Int, _ ve: Int) -> Int {
        var ve = ve
        while ve > vs, let last = Optional(p[ve - 1]),
              last == UInt8(ascii: ".") || last == UInt8(ascii: ",") || last == UInt8(ascii: ";") || last == UInt8(ascii: ":")
              || last == UInt8(ascii: "'") || last == UInt8(ascii: ")") {
            ve -= 1
        }
        return ve
    }

    /// Whether `[vs, ve)` has an ASCII digit or symbol, or an upper-case ASCII letter after its
    /// first byte (letters of other scripts count as letters).
    func hasStrengthMark(_ vs: Int, _ ve: Int) -> Bool {
        for k in vs..<ve {
            let c = p[k]
            if c >= 0x80 || Bytes.isLower(c) { continue }
            if Bytes.isUpper(c) { if k > vs { return true } } else { return true }
        }
        return false
    }

    /// The value after a password word ending at `e` (see `passwordInProse`).
    mutating func proseValue(after e: Int, wordStart i: Int) -> Int? {
        var v = e
        var spaces = 0
        while at(v) == UInt8(ascii: " ") && spaces < 2 { v += 1; spaces += 1 }
        guard spaces >= 1 else { return nil }
        // A Markdown table row naming the password in one cell and giving it in the next:
        // `| password | X |` (also in backticks).
        if at(v) == UInt8(ascii: "|") && at(v + 1) == UInt8(ascii: " ") && lineStartsWithCell(before: i) {
            var vs = v + 2
            while at(vs) == UInt8(ascii: " ") && vs - v < 8 { vs += 1 }
            var ve = vs
            while ve < n && p[ve] != UInt8(ascii: "|") && p[ve] != 0x0A && ve - vs <= 130 { ve += 1 }
            guard at(ve) == UInt8(ascii: "|") else { return nil }
            while ve > vs && p[ve - 1] == UInt8(ascii: " ") { ve -= 1 }
            if ve - vs >= 2 && p[vs] == UInt8(ascii: "`") && p[ve - 1] == UInt8(ascii: "`") { vs += 1; ve -= 1 }
            for k in vs..<ve where p[k] == UInt8(ascii: " ") { return nil }
            guard ve - vs >= 4, !Self.isProseWord(p + vs, ve - vs), isPlausibleValue(vs, ve, quoted: false, prose: true, proseMinimum: Int.max) else { return nil }
            emit(vs, ve, .secret)
            return ve
        }
        var foreignConnector = false
        // "password for the VPN is X": up to four short words between the password word and "is"
        // (also German "für … ist", French "de/pour … est", Spanish "de/para … es", Italian
        // "di/per … è", Portuguese "do/da/de/para … é", Dutch "van/voor … is").
        if hasIgnoringCase(v, "for ") || hasIgnoringCase(v, "on ") || hasIgnoringCase(v, "of ") || has(v, "für ")
            || has(v, "de ") || has(v, "du ") || has(v, "do ") || has(v, "da ") || has(v, "di ") || has(v, "del ") || has(v, "dell'")
            || has(v, "della ") || has(v, "dello ") || has(v, "degli ") || has(v, "delle ")
            || has(v, "pour ") || has(v, "para ") || has(v, "per ") || has(v, "van ") || has(v, "voor ") || has(v, "vom ") || has(v, "zum ") {
            foreignConnector = !(hasIgnoringCase(v, "for ") || hasIgnoringCase(v, "on ") || hasIgnoringCase(v, "of "))
            var k = v
            var words = 0
            var found = false
            while words < 5 {
                let ws = k
                while k < n && (Bytes.isAlnum(p[k]) || p[k] >= 0x80 || p[k] == UInt8(ascii: "-") || p[k] == UInt8(ascii: "_") || p[k] == UInt8(ascii: "'"))
                        && k - ws <= 24 { k += 1 }
                // "the password for the shared mailbox: X"
                if k > ws && k - ws <= 24 && words > 0 && at(k) == UInt8(ascii: ":") && at(k + 1) == UInt8(ascii: " ") { v = k + 2; found = true; break }
                guard k > ws, k - ws <= 24, at(k) == UInt8(ascii: " ") else { break }
                if words > 0 && (hasIgnoringCase(ws, "is ") || hasIgnoringCase(ws, "was ") || has(ws, "ist ") || has(ws, "est ")
                                 || has(ws, "es ") || has(ws, "é ") || has(ws, "è ") || has(ws, "lautet") || has(ws, "war ") || has(ws, "était ")
                                 || has(ws, "era ") || has(ws, "foi ") || has(ws, "fue ")) { v = ws; found = true; break }
                k += 1
                words += 1
            }
            guard found else { return nil }
        }
        var linked = false
        var single = false
        // Linked by a word of another language ("ist", "est", "es", "è"…): ordinary words there
        // ("abgelaufen", "expiré", "scaduta") are not told from passwords by `isProseWord`, so
        // the value needs a digit, a symbol or an upper-case letter after its first.
        var foreignLink = false
        // English, and "es", "é", "ist", "est", "jest", "is" after the words of other languages.
        for word in ["is ", "was ", "to ", "= ", "is: ", "was: ", "es ", "é ", "è ", "ist ", "est : ", "est\u{A0}: ", "est\u{202F}: ", "est ", "jest ",
                     "lautet: ", "lautet ", "war ", "était ", "era ", "foi ", "fue ", "- ", "\u{2013} ", "\u{2014} "] as [StaticString]
        where hasIgnoringCase(v, word) {
            v += word.utf8CodeUnitCount
            linked = true
            foreignLink = !(hasIgnoringCase(v - word.utf8CodeUnitCount, "is") || hasIgnoringCase(v - word.utf8CodeUnitCount, "was")
                            || hasIgnoringCase(v - word.utf8CodeUnitCount, "to") || word.utf8CodeUnitCount <= 2)
            single = Bytes.lower(p[v - word.utf8CodeUnitCount]) != UInt8(ascii: "t") && p[v - word.utf8CodeUnitCount] != UInt8(ascii: "=")
                && p[v - word.utf8CodeUnitCount] != UInt8(ascii: "-") && p[v - word.utf8CodeUnitCount] != 0xE2
                || word.utf8CodeUnitCount == 5
            break
        }
        while at(v) == UInt8(ascii: " ") && v - e < 8 { v += 1 }
        var vs = v
        var quoted = false
        if at(vs) == UInt8(ascii: "\"") || at(vs) == UInt8(ascii: "'") || at(vs) == UInt8(ascii: "`") { vs += 1; quoted = true }
        var ve = vs
        while ve < n && !Bytes.isSpace(p[ve]) && p[ve] != UInt8(ascii: "\"") && p[ve] != UInt8(ascii: "`") && ve - vs <= 128 { ve += 1 }
        // In brackets or typographic quotes (`password (Summer2024!)`, `пароль «X»`): what is inside.
        if !quoted, let (inner, innerEnd, _) = wrappedValue(vs) {
            vs = inner
            ve = innerEnd
        }
        ve = withoutTrailingSymbols(vs, ve)
        // An attribute, not prose: `<Password value="X"/>` (the quoted value), `password type="text"`.
        if !quoted && ve > vs && p[ve - 1] == UInt8(ascii: "=") {
            guard ve - vs == 6 && hasIgnoringCase(vs, "value="), at(ve) == UInt8(ascii: "\"") || at(ve) == UInt8(ascii: "'") else { return nil }
            let q = p[ve]
            let qs = ve + 1
            var qe = qs
            while qe < n && p[qe] != q && p[qe] != 0x0A && qe - qs <= 128 { qe += 1 }
            guard at(qe) == q, isPlausibleValue(qs, qe, quoted: true) else { return nil }
            emit(qs, qe, .secret)
            return qe + 1
        }
        ve = withoutTrailingPunctuation(vs, ve)
        // "password managers?": sentence punctuation after a plain word is not part of a value
        // (but "password is Sunshine!" keeps it: the `!` may belong to the password).
        var wordEnd = ve
        if ve > vs && (p[ve - 1] == UInt8(ascii: "?") || p[ve - 1] == UInt8(ascii: "!")) {
            var plainWord = true
            for k in vs..<(ve - 1) where !Bytes.isLetter(p[k]) { plainWord = false; break }
            if plainWord {
                wordEnd = ve - 1
                if !(single && p[ve - 1] == UInt8(ascii: "!")) { ve -= 1 }
            }
        }
        guard wordEnd - vs >= 4, ve - vs <= 128 else { return nil }
        // Hyphenated words ("customer-facing", "zero-downtime") are prose, not passwords.
        var wordsAndHyphens = true
        for k in vs..<wordEnd where !(Bytes.isLower(p[k]) || p[k] == UInt8(ascii: "-")) { wordsAndHyphens = false; break }
        if wordsAndHyphens && (!single || !Self.isSingleLowercaseWord(p + vs, wordEnd - vs)) && !(linked && isPassphrase(vs, wordEnd)) { return nil }
        if (foreignLink || foreignConnector) && !quoted && !hasStrengthMark(vs, ve) { return nil }
        if single && !quoted {
            // "the password is required", "password is too short": ordinary prose.
            if Self.isProseWord(p + vs, wordEnd - vs) { return nil }
            guard isPlausibleValue(vs, ve, quoted: true) else { return nil }
        } else {
            guard isPlausibleValue(vs, ve, quoted: quoted, prose: true, proseMinimum: linked ? 12 : Int.max) else { return nil }
        }
        emit(vs, ve, .secret)
        return ve
    }

    /// Whether only `|`, spaces, `*` and backticks stand between the start of the line and `i`
    /// (the first cell of a Markdown table row). Reads at most 16 bytes back.
    func lineStartsWithCell(before i: Int) -> Bool {
        var k = i - 1
        var bar = false
        while k >= 0 && i - k <= 16 {
            let c = p[k]
            if c == 0x0A { break }
            if c == UInt8(ascii: "|") { bar = true } else if c != UInt8(ascii: " ") && c != UInt8(ascii: "*") && c != UInt8(ascii: "`") { return false }
            k -= 1
        }
        return bar && (k < 0 || p[k] == 0x0A)
    }

    /// Letters only, lower case.
    static func isSingleLowercaseWord(_ s: UnsafePointer<UInt8>, _ length: Int) -> Bool {
        for k in 0..<length where !Bytes.isLower(s[k]) { return false }
        return true
    }

    /// A word of ordinary prose after "password is": a stopword (`required`, `incorrect`, `too`,
    /// `the`…), or a lower-case word ending in `ed`, `ing` or `ly` (`expired`, `missing`,
    /// `usually`). Case-insensitive for the list; at most 16 bytes are compared.
    static func isProseWord(_ s: UnsafePointer<UInt8>, _ length: Int) -> Bool {
        guard length <= 16 else { return false }
        var allLetters = true, lower = true
        for k in 0..<length {
            if !Bytes.isLetter(s[k]) { allLetters = false }
            if !Bytes.isLower(s[k]) { lower = false }
        }
        guard allLetters else { return false }
        var lowered = [UInt8](repeating: 0, count: length)
        for k in 0..<length { lowered[k] = Bytes.lower(s[k]) }
        if lower && length >= 5 {
            // Participles, adverbs and adjectives: expired, missing, usually, configurable, sensitive…
            let word = String(decoding: lowered, as: UTF8.self)
            for suffix in ["ed", "ing", "ly", "able", "ible", "ive", "ous", "ful", "less", "ent", "ant", "tion", "ness", "ical"]
            where word.hasSuffix(suffix) {
                return true
            }
        }
        return proseWords.contains(String(decoding: lowered, as: UTF8.self))
    }

    static let proseWords: Set<String> = [
        "required", "incorrect", "correct", "invalid", "valid", "wrong", "reset", "expired", "missing", "empty",
        "blank", "set", "unset", "not", "too", "very", "being", "been", "case", "the", "also", "still", "now", "only",
        "just", "weak", "strong", "secure", "insecure", "long", "short", "mandatory", "optional", "needed", "shown",
        "hidden", "visible", "same", "different", "good", "fine", "okay", "locked", "case-sensitive", "sensitive",
        "known", "unknown", "available", "unavailable", "there", "here", "what", "this", "that", "your", "their",
        "with", "from", "then", "should", "must", "will", "would", "could", "might", "never", "always", "really",
        "given", "below", "above", "following", "like", "more", "less", "least", "hard", "easy", "simple", "complex",
        "unique", "random", "default", "temporary", "permanent", "current", "previous", "final", "about", "going",
        "shared", "null", "none", "stored", "saved", "changed", "updated", "sent", "hashed", "encrypted", "protected",
        "accepted", "rejected", "enabled", "disabled", "generated", "managed", "cached", "ignored", "compromised",
        "leaked", "included", "attached", "provided", "needs", "into", "over", "under", "within", "without", "because",
        "when", "where", "which", "whatever", "something", "nothing", "anything", "everything", "identical", "mismatch",
        "mismatched", "incomplete", "complete", "ready", "done", "gone", "lost", "safe", "unsafe", "open", "closed",
        "free", "fixed", "printed", "logged", "written", "hardcoded", "unchanged", "part", "used", "useless", "pretty",
        "quite", "rather", "extremely", "insufficient", "sufficient", "enough", "obvious", "trivial", "guessable",
        "unguessable", "stale", "old", "new", "fresh", "unused", "stolen", "public", "private", "secret",
        "confidential", "redacted", "masked", "elsewhere", "somewhere", "forgotten", "forgot", "bad", "fake", "real",
        // es, pt, fr, de, nl, pl
        "requis", "requise", "incorrecte", "incorrecta", "incorrecto", "correcta", "correcto", "obligatorio", "obligatoria",
        "obligatoire", "requerida", "requerido", "necesaria", "incorreta", "incorreto", "errada", "errado", "obrigatoria",
        "erforderlich", "falsch", "richtig", "abgelaufen", "onjuist", "verplicht", "vereist", "wymagane", "vide", "vacia",
    ]

    // MARK: - Command-line password flags

    /// `-p PASSWORD` or `-pPASSWORD` after a `-u user` (or `--user`) flag earlier on the same
    /// line: `docker login -u admin -p D0ck3rP@ss`, `mysql -u root -pMyS3cret`. The value needs a
    /// letter and a digit, a symbol or mixed case, so ports (`-p 8080:80`), `-pthread` and
    /// `-p` alone stay. Reads at most 128 bytes back.
    /// PHP `define( 'DB_PASSWORD', 'X' );` with a credential-like name, at the `(`: the value.
    mutating func phpDefine(_ open: Int) -> Int? {
        let e = open
        var k = open + 1
        while at(k) == UInt8(ascii: " ") && k - e < 4 { k += 1 }
        let q = at(k)
        guard q == UInt8(ascii: "'") || q == UInt8(ascii: "\"") else { return nil }
        let ks = k + 1
        var ke = ks
        while ke < n && Self.isKeyByte(p[ke]) && ke - ks < 64 { ke += 1 }
        guard at(ke) == q, ke > ks, Self.classifyKey(p + ks, ke - ks) == .credential else { return nil }
        k = ke + 1
        while at(k) == UInt8(ascii: " ") && k - ke < 4 { k += 1 }
        guard at(k) == UInt8(ascii: ",") else { return nil }
        k += 1
        while at(k) == UInt8(ascii: " ") && k - ke < 12 { k += 1 }
        let vq = at(k)
        guard vq == UInt8(ascii: "'") || vq == UInt8(ascii: "\"") else { return nil }
        let ve = closingQuote(vq, from: k + 1)
        guard ve < n, p[ve] == vq, ve - k <= 513, isPlausibleValue(k + 1, ve, quoted: true) else { return nil }
        emit(k + 1, ve, .secret)
        return ve + 1
    }

    /// A `.pgpass` line, `host:port:database:user:password` (port digits or `*`), at the colon
    /// after the host, which starts the line: the password, which runs to the end of the line.
    /// Reads at most 253 bytes back and ~330 forward.
    mutating func pgpassLine(_ i: Int) -> Int? {
        @inline(__always) func isHostByte(_ c: UInt8) -> Bool {
            Bytes.isAlnum(c) || c == UInt8(ascii: ".") || c == UInt8(ascii: "-") || c == UInt8(ascii: "_") || c == UInt8(ascii: "*")
        }
        var h = i
        while h > 0 && i - h <= 253 && isHostByte(p[h - 1]) { h -= 1 }
        guard h < i, h == 0 || p[h - 1] == 0x0A else { return nil }
        var k = i + 1
        let ps = k
        if at(k) == UInt8(ascii: "*") { k += 1 } else { while Bytes.isDigit(at(k)) && k - ps < 5 { k += 1 } }
        guard k > ps, at(k) == UInt8(ascii: ":") else { return nil }
        for _ in 0..<2 {  // database, user
            k += 1
            let fs = k
            while k < n && k - fs < 64 && p[k] != UInt8(ascii: ":") && !Bytes.isSpace(p[k]) { k += 1 }
            guard k > fs, at(k) == UInt8(ascii: ":") else { return nil }
        }
        let vs = k + 1
        var ve = vs
        while ve < n && !Bytes.isSpace(p[ve]) && ve - vs <= 128 { ve += 1 }
        let next = at(ve)
        guard ve > vs, ve - vs <= 128, next == 0 || next == 0x0A || next == 0x0D, isPlausibleValue(vs, ve, quoted: true) else { return nil }
        emit(vs, ve, .secret)
        return ve
    }

    /// The argument of a command-line password flag at `v` (one token, optionally quoted),
    /// when it looks like a literal; emits it and returns where the scan resumes.
    mutating func flagValue(_ v: Int) -> Int? {
        var vs = v
        if at(vs) == UInt8(ascii: "'") || at(vs) == UInt8(ascii: "\"") { vs += 1 }
        var ve = vs
        while ve < n && !Bytes.isSpace(p[ve]) && p[ve] != UInt8(ascii: "'") && p[ve] != UInt8(ascii: "\"") && ve - vs <= 128 { ve += 1 }
        guard ve > vs, ve - vs <= 128, at(vs) != UInt8(ascii: "-"), isPlausibleValue(vs, ve, quoted: true) else { return nil }
        emit(vs, ve, .secret)
        return ve
    }

    /// Commands whose flags `commandPasswordFlag` and `assignment` read, by group (bits of
    /// `commandGroups`).
    enum CommandGroup {
        static let sqlServer: UInt32 = 1, zip: UInt32 = 2, ldap: UInt32 = 4, sevenZip: UInt32 = 8, smb: UInt32 = 16,
                   htpasswd: UInt32 = 32, curl: UInt32 = 64, net: UInt32 = 128
        static let names: [(StaticString, UInt32)] = [
            ("sqlcmd", sqlServer), ("bcp", sqlServer), ("osql", sqlServer), ("isql", sqlServer),
            ("zip", zip), ("unzip", zip), ("zipcloak", zip), ("fcrackzip", zip),
            ("ldapsearch", ldap), ("ldapmodify", ldap), ("ldapadd", ldap), ("ldapdelete", ldap), ("ldapwhoami", ldap),
            ("ldappasswd", ldap), ("ldapcompare", ldap), ("ldapmodrdn", ldap), ("ldapexop", ldap), ("ldapurl", ldap),
            ("7z", sevenZip), ("7za", sevenZip), ("7zz", sevenZip), ("7zr", sevenZip), ("rar", sevenZip), ("unrar", sevenZip),
            ("smbclient", smb), ("rpcclient", smb), ("smbmap", smb), ("smbget", smb), ("smbcacls", smb), ("winexe", smb),
            ("mount.cifs", smb), ("net", smb | net), ("htpasswd", htpasswd), ("curl", curl),
        ]
    }

    /// The groups of the command named by the word starting at `k`: a word that starts the text or
    /// follows a blank, a quote, a backtick, `(`, `;`, `|`, `&` or a directory's `/` or `\`, and
    /// is followed by a blank (or `.exe`, or a closing quote, then a blank). Case-insensitive.
    func commandGroups(at k: Int) -> UInt32 {
        let c = Bytes.lower(p[k])
        guard Bytes.isLetter(p[k]) || Bytes.isDigit(p[k]) else { return 0 }
        if k > 0 {
            let before = p[k - 1]
            guard before == UInt8(ascii: " ") || before == UInt8(ascii: "\t") || before == 0x0A || before == UInt8(ascii: "`")
                || before == UInt8(ascii: "\"") || before == UInt8(ascii: "'") || before == UInt8(ascii: "(") || before == UInt8(ascii: ";")
                || before == UInt8(ascii: "|") || before == UInt8(ascii: "&") || before == UInt8(ascii: "/") || before == UInt8(ascii: "\\") else { return 0 }
        }
        var groups: UInt32 = 0
        for (name, group) in CommandGroup.names where name.utf8Start[0] == c && hasIgnoringCase(k, name) {
            var e = k + name.utf8CodeUnitCount
            if hasIgnoringCase(e, ".exe") { e += 4 }
            // A quoted path ends with its quote: `"C:\Program Files\7-Zip\7z.exe" x …`.
            if at(e) == UInt8(ascii: "\"") || at(e) == UInt8(ascii: "'") { e += 1 }
            if at(e) == UInt8(ascii: " ") || at(e) == UInt8(ascii: "\t") { groups |= group }
        }
        return groups
    }

    /// Whether a command of `groups` runs earlier on the line of `i`. Linear over a text: what
    /// the line holds up to the last position asked about is kept (`commandLine`), and only the
    /// bytes after it are read; a position before it (rare) reads at most 256 bytes back.
    mutating func commandBefore(_ i: Int, _ groups: UInt32) -> Bool {
        if i < commandLine.scanned {
            var seen: UInt32 = 0
            var k = i - 1
            while k >= 0 && i - k <= 256 && p[k] != 0x0A { seen |= commandGroups(at: k); k -= 1 }
            return seen & groups != 0
        }
        var seen = commandLine.seen
        var k = commandLine.scanned
        while k < i {
            if p[k] == 0x0A { seen = 0 } else if p[k] < 0x80 { seen |= commandGroups(at: k) }
            k += 1
        }
        commandLine = (i, seen)
        return seen & groups != 0
    }

    /// Password flags whose letter means "password" only for some commands, at the `-` of a flag
    /// after a blank: `sqlcmd`/`bcp`/`osql -P X`, `zip`/`unzip -P X`, `ldapsearch`/`ldapmodify`/… 
    /// `-w X`, `7z -pX` (glued), `smbclient`/`rpcclient`/`smbmap -U user%X`, `curl -U user:X`
    /// (its proxy user, found by `assignment`), `htpasswd -b FILE USER X`. The command must run
    /// earlier on the same line; the value must look like a literal (`flagValue`).
    mutating func commandPasswordFlag(_ i: Int) -> Int? {
        let before = at(i - 1)
        guard before == UInt8(ascii: " ") || before == UInt8(ascii: "\t") else { return nil }
        let letter = at(i + 1), next = at(i + 2)
        let spaced = next == UInt8(ascii: " "), glued = !spaced && next != 0 && !Bytes.isSpace(next)
        switch letter {
        case UInt8(ascii: "P"):
            guard spaced || glued, commandBefore(i, CommandGroup.sqlServer | CommandGroup.zip) else { return nil }
            return flagValue(spaced ? i + 3 : i + 2)
        case UInt8(ascii: "w"):
            guard spaced || glued, commandBefore(i, CommandGroup.ldap) else { return nil }
            return flagValue(spaced ? i + 3 : i + 2)
        case UInt8(ascii: "p"):
            guard glued, commandBefore(i, CommandGroup.sevenZip) else { return nil }
            return flagValue(i + 2)
        case UInt8(ascii: "U"):
            // `smbclient //fs/share -U corp/jdoe%X`: the password after `%`.
            guard spaced, commandBefore(i, CommandGroup.smb) else { return nil }
            var k = i + 3
            while k < n && !Bytes.isSpace(p[k]) && p[k] != UInt8(ascii: "%") && k - i <= 96 { k += 1 }
            guard at(k) == UInt8(ascii: "%"), k > i + 3 else { return nil }
            return flagValue(k + 1)
        case UInt8(ascii: "b"):
            // `htpasswd -b [-c] FILE USER X`: the third word after the flags.
            guard spaced || next == UInt8(ascii: "c") || next == UInt8(ascii: "B"), commandBefore(i, CommandGroup.htpasswd) else { return nil }
            var k = i + 2
            var words = 0
            while k < n && p[k] != 0x0A && k - i <= 256 {
                while at(k) == UInt8(ascii: " ") { k += 1 }
                guard k < n, !Bytes.isSpace(p[k]) else { return nil }
                if p[k] == UInt8(ascii: "-") && words == 0 {
                    while k < n && !Bytes.isSpace(p[k]) { k += 1 }
                    continue
                }
                words += 1
                if words == 3 { return flagValue(k) }
                while k < n && !Bytes.isSpace(p[k]) { k += 1 }
            }
            return nil
        default:
            return nil
        }
    }

    mutating func passwordFlag(_ i: Int) -> Int? {
        let before = at(i - 1)
        guard before == UInt8(ascii: " ") || before == UInt8(ascii: "\t") else { return nil }
        var vs = i + 2
        if at(vs) == UInt8(ascii: " ") { vs += 1 }
        var quoted = false
        if at(vs) == UInt8(ascii: "'") || at(vs) == UInt8(ascii: "\"") { vs += 1; quoted = true }
        var ve = vs
        while ve < n && !Bytes.isSpace(p[ve]) && p[ve] != UInt8(ascii: "'") && p[ve] != UInt8(ascii: "\"") && ve - vs <= 128 { ve += 1 }
        guard ve > vs, ve - vs <= 128, at(vs) != UInt8(ascii: "-") else { return nil }
        var letter = false
        for k in vs..<ve where Bytes.isLetter(p[k]) { letter = true; break }
        // (Letters alone are enough for the value once the user flag is seen: `sshpass -p
        // cVromaLpUgaEKxfy`, `mysql -u root -pzpchdqxud`; checked below.)
        guard letter, isPlausibleValue(vs, ve, quoted: true) else { return nil }
        let strong = isPlausibleValue(vs, ve, quoted: quoted, prose: true, proseMinimum: Int.max)
        // A user flag before, on the same line.
        var k = i - 2
        var sawUser = has(i - 8, "sshpass ")
        while k >= 1 && i - k <= 128 && p[k] != 0x0A {
            if p[k] == UInt8(ascii: "-") && (p[k - 1] == UInt8(ascii: " ") || p[k - 1] == UInt8(ascii: "\t"))
                && (at(k + 1) == UInt8(ascii: "u") && ((at(k + 2) == UInt8(ascii: " ") && at(k + 3) != UInt8(ascii: "-")) || Bytes.isAlnum(at(k + 2)))
                    || has(k, "--user")) {
                sawUser = true
                break
            }
            k -= 1
        }
        guard sawUser else { return nil }
        // Letters only: at least 8, not a word of prose (`-p` of a user flag's command).
        guard strong || (ve - vs >= 8 && !Self.isProseWord(p + vs, ve - vs)) else { return nil }
        emit(vs, ve, .secret)
        return ve
    }

    // MARK: - JWT

    /// `header.payload.signature` in base64url, where the header decodes to a JOSE header
    /// (contains `"alg"` or `"typ"`) or header and payload are both `eyJ…` objects of 16+
    /// characters, the payload is a JSON object, and the signature is empty (unsecured) or at
    /// least 16 characters.
    mutating func jwt(_ i: Int) -> Int? {
        let headerEnd = tokenRunEnd(i)
        guard headerEnd - i >= 10, headerEnd - i <= 2048, at(headerEnd) == UInt8(ascii: ".") else { return nil }
        let payloadStart = headerEnd + 1
        let payloadEnd = tokenRunEnd(payloadStart)
        guard payloadEnd - payloadStart >= 4, p[payloadStart] == UInt8(ascii: "e"),
              p[payloadStart + 1] >= UInt8(ascii: "w") && p[payloadStart + 1] <= UInt8(ascii: "z"),
              at(payloadEnd) == UInt8(ascii: ".") else { return nil }
        let signatureStart = payloadEnd + 1
        let signatureEnd = tokenRunEnd(signatureStart)
        let signatureLength = signatureEnd - signatureStart
        guard signatureLength == 0 || signatureLength >= 16 else { return nil }
        // The header decodes to a JOSE header, or both header and payload are sizeable base64url
        // JSON objects ("eyJ…" = '{"').
        let bothObjects = has(payloadStart, "eyJ") && headerEnd - i >= 16 && payloadEnd - payloadStart >= 16
        if !bothObjects {
            guard let header = decodeBase64(i, headerEnd, urlSafe: true), header.first == UInt8(ascii: "{"),
                  contains(header, "\"alg\"") || contains(header, "\"typ\"") else { return nil }
        }
        emit(i, signatureEnd, .secret)
        return signatureEnd
    }

    /// The 6-bit value of a base64 (or, with `urlSafe`, base64url) character; nil for anything
    /// else, padding included.
    @inline(__always)
    static func base64Value(_ c: UInt8, urlSafe: Bool) -> UInt32? {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return UInt32(c - 65)
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return UInt32(c - 97 + 26)
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(c - 48 + 52)
        case UInt8(ascii: "-") where urlSafe, UInt8(ascii: "+") where !urlSafe: return 62
        case UInt8(ascii: "_") where urlSafe, UInt8(ascii: "/") where !urlSafe: return 63
        default: return nil
        }
    }

    /// Decodes base64 or base64url (padding optional) in `[a, b)`; nil on a bad character.
    func decodeBase64(_ a: Int, _ b: Int, urlSafe: Bool) -> [UInt8]? {
        var out = [UInt8]()
        out.reserveCapacity((b - a) * 3 / 4)
        var acc: UInt32 = 0
        var bits = 0
        for k in a..<b {
            let c = p[k]
            guard let v = Self.base64Value(c, urlSafe: urlSafe) else {
                return c == UInt8(ascii: "=") && k >= b - 2 ? out : nil
            }
            acc = acc << 6 | v
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
            }
        }
        return out
    }

    func contains(_ haystack: [UInt8], _ needle: StaticString) -> Bool {
        let m = needle.utf8CodeUnitCount
        guard haystack.count >= m else { return false }
        let q = needle.utf8Start
        outer: for s in 0...(haystack.count - m) {
            for k in 0..<m where haystack[s + k] != q[k] { continue outer }
            return true
        }
        return false
    }

    // MARK: - HTTP authorization

    /// `Bearer <token>` (RFC 6750 characters, at least 12, varied): scheme and token are the
    /// secret, as the value of an Authorization header.
    mutating func bearer(_ e: Int) -> Int? {
        var v = e
        while (at(v) == UInt8(ascii: " ") || at(v) == UInt8(ascii: "\t")) && v - e < 3 { v += 1 }
        guard v > e else { return nil }
        var end = bearerRunEnd(v)
        while end > v && (p[end - 1] == UInt8(ascii: ".") || p[end - 1] == UInt8(ascii: ",")) { end -= 1 }
        guard end - v >= 12, end - v <= 8192, plausibleSecret(v, end, requireVariety: true) else { return nil }
        emit(e - 6, end, .secret)
        return end
    }

    /// `Basic <base64>` whose decoding is printable `user:password`: scheme and credential.
    mutating func basic(_ e: Int) -> Int? {
        var v = e
        while (at(v) == UInt8(ascii: " ") || at(v) == UInt8(ascii: "\t")) && v - e < 3 { v += 1 }
        guard v > e else { return nil }
        var end = v
        while end < n && t2[Int(p[end])] & ByteClass2.base64Padded != 0 && end - v <= 1024 { end += 1 }
        let length = end - v
        guard length >= 8, length % 4 == 0, isTokenEnd(end) else { return nil }
        guard let decoded = decodeBase64(v, end, urlSafe: false), decoded.count >= 3,
              decoded.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }), decoded.contains(UInt8(ascii: ":")) else { return nil }
        emit(e - 5, end, .secret)
        return end
    }

    // MARK: - PEM private keys

    /// From `-----BEGIN … PRIVATE KEY-----` through the matching `-----END …-----` line, the
    /// whole block. The end marker must come within 16 KiB with no other BEGIN in between;
    /// otherwise (a truncated key) the block extends over the base64 lines that follow.
    mutating func pemBlock(_ i: Int) -> Int? {
        let labelStart = i + 11
        var k = labelStart
        // Upper-case words, digits too (`SSH2 ENCRYPTED PRIVATE KEY`).
        while k < n && k - labelStart <= 48 && (Bytes.isUpper(p[k]) || Bytes.isDigit(p[k]) || p[k] == UInt8(ascii: " ")) { k += 1 }
        guard has(k, "-----") else { return nil }
        var isPrivate = false
        var q = labelStart
        while q + 11 <= k { if has(q, "PRIVATE KEY") { isPrivate = true; break }; q += 1 }
        guard isPrivate else { return nil }
        let headerEnd = k + 5
        let endMarker = nextMarker("-----END ", from: headerEnd, cache: &pemEndCache)
        if endMarker >= 0 && endMarker - headerEnd <= 16384 {
            let nextBegin = nextMarker("-----BEGIN ", from: headerEnd, cache: &pemBeginCache)
            if nextBegin < 0 || nextBegin > endMarker {
                var m = endMarker + 9
                while m < n && m - endMarker <= 64 && (Bytes.isUpper(p[m]) || Bytes.isDigit(p[m]) || p[m] == UInt8(ascii: " ")) { m += 1 }
                return has(m, "-----") ? m + 5 : m
            }
        }
        return truncatedPEMBody(headerEnd)
    }

    /// A PEM block encoded in base64 as a whole (`LS0tLS1CRUdJTi…` is `-----BEGIN`), as
    /// kubeconfig `client-key-data` and Kubernetes Secret `tls.key` values carry it. Only the
    /// first 64 base64 characters are decoded; the block is a SECRET when that header's label
    /// says `PRIVATE KEY` (certificates and public keys are left alone, as `pemBlock` does).
    /// The span is the whole base64 run, with wrapped lines (`\n`, `\r\n` or escaped `\n`,
    /// optionally indented) followed while every line before the last has the first line's
    /// width. Each byte of the run is read once; a rejected continuation reads at most one
    /// line width and 32 bytes of indentation past the run.
    mutating func base64PEMKey(_ i: Int) -> Int? {
        // Bounded decode of the header: up to 64 base64 characters across line breaks.
        var header = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        var headerCount = 0
        withUnsafeMutableBytes(of: &header) { out in
            var acc: UInt32 = 0, bits = 0, chars = 0, k = i
            while chars < 64 && k < n {
                guard let v = Self.base64Value(p[k], urlSafe: false) else {
                    let skip = lineBreakLength(k)
                    if skip == 0 { chars = 64; continue }
                    k += skip
                    continue
                }
                acc = acc << 6 | v
                bits += 6
                if bits >= 8 {
                    bits -= 8
                    out[headerCount] = UInt8(truncatingIfNeeded: acc >> UInt32(bits))
                    headerCount += 1
                }
                chars += 1
                k += 1
            }
        }
        let isPrivateKey = withUnsafeBytes(of: &header) { h -> Bool in
            // "-----BEGIN " then an upper-case label then "-----".
            let begin: StaticString = "-----BEGIN "
            guard headerCount > 16 else { return false }
            for k in 0..<11 where h[k] != begin.utf8Start[k] { return false }
            var k = 11
            while k < headerCount && (Bytes.isUpper(h[k]) || h[k] == UInt8(ascii: " ")) { k += 1 }
            guard k + 5 <= headerCount, (0..<5).allSatisfy({ h[k + $0] == UInt8(ascii: "-") }) else { return false }
            let privateKey = Array("PRIVATE KEY".utf8)
            var q = 11
            while q + 11 <= k {
                if (0..<11).allSatisfy({ h[q + $0] == privateKey[$0] }) { return true }
                q += 1
            }
            return false
        }
        guard isPrivateKey else { return nil }
        // The run: the first line, then lines of the same width while the previous one was full.
        @inline(__always) func lineEnd(_ from: Int) -> Int {
            var e = from
            while e < n && t2[Int(p[e])] & ByteClass2.base64Padded != 0 { e += 1 }
            return e
        }
        var end = lineEnd(i)
        let width = end - i
        // Wrapped output (`base64`, `openssl base64`) has 64- or 76-character lines.
        guard width >= 40, width <= 128, width % 4 == 0 else { return emitBase64PEM(i, end) }
        while p[end - 1] != UInt8(ascii: "=") {
            let skip = lineBreakLength(end)
            guard skip > 0 else { break }
            var s = end + skip
            var indent = 0
            while s < n && (p[s] == UInt8(ascii: " ") || p[s] == UInt8(ascii: "\t")) && indent < 32 { s += 1; indent += 1 }
            var e = s
            while e < n && e - s <= width && t2[Int(p[e])] & ByteClass2.base64Padded != 0 { e += 1 }
            let length = e - s
            guard length > 0, length <= width, length % 4 == 0, e >= n || Self.endsBase64Line(p[e]) else { break }
            // A short last line: long, or with a digit or `+/=` (not a word of the next line).
            if length < width && length < 16 {
                var special = false
                for k in s..<e where !Bytes.isLetter(p[k]) { special = true; break }
                guard special else { break }
            }
            end = e
            if length < width { break }
        }
        return emitBase64PEM(i, end)
    }

    @inline(__always) mutating func emitBase64PEM(_ i: Int, _ end: Int) -> Int {
        emit(i, end, .secret)
        return end
    }

    /// Bytes that may follow the last line of a wrapped base64 value: whitespace, an escape, a
    /// closing quote or bracket, a separator. Not `.`, `:`, `-`, `_`: the next key of a YAML
    /// map (`tls.crt:`) is no base64 line.
    @inline(__always) static func endsBase64Line(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\\"),
             UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "}"),
             UInt8(ascii: "]"), UInt8(ascii: ")"), UInt8(ascii: "<"):
            return true
        default:
            return false
        }
    }

    /// Length of a line break at `k`: `\n`, `\r\n`, `\r`, or the escaped `\\n`, `\\r\\n`, `\\r`
    /// of JSON strings; 0 when there is none.
    @inline(__always) func lineBreakLength(_ k: Int) -> Int {
        let c = at(k)
        if c == UInt8(ascii: "\n") { return 1 }
        if c == UInt8(ascii: "\r") { return at(k + 1) == UInt8(ascii: "\n") ? 2 : 1 }
        guard c == UInt8(ascii: "\\") else { return 0 }
        if at(k + 1) == UInt8(ascii: "n") { return 2 }
        if at(k + 1) == UInt8(ascii: "r") { return at(k + 2) == UInt8(ascii: "\\") && at(k + 3) == UInt8(ascii: "n") ? 4 : 2 }
        return 0
    }

    /// Base64 lines after a header with no end marker: tokens separated by whitespace or by
    /// escaped newlines (`\n`), each long (>= 16) or with a digit or `+/=`.
    func truncatedPEMBody(_ start: Int) -> Int {
        var m = start
        var lastGood = start
        while m < n {
            while m < n {
                if Bytes.isSpace(p[m]) { m += 1; continue }
                if p[m] == UInt8(ascii: "\\") && (at(m + 1) == UInt8(ascii: "n") || at(m + 1) == UInt8(ascii: "r")) { m += 2; continue }
                break
            }
            let ts = m
            var special = false
            while m < n && t2[Int(p[m])] & ByteClass2.base64Padded != 0 {
                if !Bytes.isLetter(p[m]) { special = true }
                m += 1
            }
            let length = m - ts
            guard length > 0, length >= 16 || special else { break }
            lastGood = m
        }
        return lastGood
    }

    /// The next occurrence of `marker` at or after `from` (-1 when none), with a forward-only
    /// cache so repeated searches stay linear overall.
    func nextMarker(_ marker: StaticString, from: Int, cache: inout (from: Int, at: Int)) -> Int {
        if from >= cache.from && (cache.at < 0 || cache.at >= from) { return cache.at }
        var s = from
        let first = marker.utf8Start[0]
        while s < n {
            if p[s] == first && has(s, marker) { cache = (from, s); return s }
            s += 1
        }
        cache = (from, -1)
        return -1
    }

    // MARK: - Assignments

    /// `key = value`, `key: value`, `"key": "value"`, `key := value`, `key => value` where the key
    /// looks like a credential (`password`, `api_key`, `client_secret`, `*_token`…). The value is
    /// the secret; variable references, templates and placeholders are skipped.
    /// Reads at most 52 bytes back and 512 forward.
    mutating func assignment(_ i: Int) -> Int? {
        let c = p[i]
        var j = i - 1
        if c == UInt8(ascii: "=") {
            if at(i + 1) == UInt8(ascii: "=") { return nil }
            let pv = at(j)
            if pv == UInt8(ascii: "=") || pv == UInt8(ascii: "!") || pv == UInt8(ascii: "<") || pv == UInt8(ascii: ">") { return nil }
            if pv == UInt8(ascii: ":") { j -= 1 }
        } else {
            if at(i + 1) == UInt8(ascii: "=") || at(i + 1) == UInt8(ascii: ":") || at(j) == UInt8(ascii: ":") { return nil }
            // Markdown emphasis around the key: `**Password**: X`, `__token__: X`.
            if at(j) == UInt8(ascii: "*") { j -= 1; if at(j) == UInt8(ascii: "*") { j -= 1 } }
            // A qualifier in parentheses between the key and the colon: `Password (temp): X`.
            if at(j) == UInt8(ascii: ")") {
                var k = j - 1
                while k > 0 && j - k <= 24 && (Bytes.isAlnum(p[k]) || p[k] == UInt8(ascii: " ") || p[k] == UInt8(ascii: "-")) { k -= 1 }
                if k > j - 24 && k >= 1 && p[k] == UInt8(ascii: "(") && j - k >= 2 && p[k - 1] == UInt8(ascii: " ") { j = k - 1 }
            }
        }
        // Aligned keys (Terraform, .ini and YAML formatters, Go structs) may stand well apart from
        // the sign: up to 32 blanks.
        var spaces = 0
        while j >= 0 && (p[j] == UInt8(ascii: " ") || p[j] == UInt8(ascii: "\t")) && spaces < 32 { j -= 1; spaces += 1 }
        // French typography: a no-break space (U+00A0, U+202F) before the colon (`Mot de passe : X`).
        if c == UInt8(ascii: ":") && spaces == 0 && j >= 2 && ((p[j] == 0xA0 && p[j - 1] == 0xC2) || (p[j] == 0xAF && p[j - 1] == 0x80 && p[j - 2] == 0xE2)) {
            j -= p[j] == 0xA0 ? 2 : 3
            spaces = 1
        }
        // A subscript: `app.config['SECRET_KEY'] = '…'`, `os.environ["DB_PASSWORD"] = "…"`, `ENV['API_TOKEN'] = …`.
        let subscripted = c == UInt8(ascii: "=") && at(j) == UInt8(ascii: "]") && (at(j - 1) == UInt8(ascii: "\"") || at(j - 1) == UInt8(ascii: "'"))
        if subscripted { j -= 1 }
        var keyQuote: UInt8 = 0
        if j >= 0 && (p[j] == UInt8(ascii: "\"") || p[j] == UInt8(ascii: "'")) {
            keyQuote = p[j]
            j -= 1
            // JSON escaped once or more inside text: \"password\", \\\"password\\\".
            var slashes = 0
            while j >= 0 && p[j] == UInt8(ascii: "\\") && slashes < 7 { j -= 1; slashes += 1 }
        }
        let keyEnd = j + 1
        // Keys end with a letter (or a letter and one digit): a quick exit for digit-dense text.
        let lastKeyByte = at(keyEnd - 1)
        // Password words of other scripts: パスワード, 密码, пароль, contraseña, hasło.
        var foreignKeyStart = lastKeyByte >= 0x80 || at(keyEnd - 2) >= 0x80 ? foreignPasswordKeyStart(keyEnd) : nil
        guard foreignKeyStart != nil || Bytes.isLetter(lastKeyByte) || (Bytes.isDigit(lastKeyByte) && Bytes.isLetter(at(keyEnd - 2))) else { return nil }
        if let f = foreignKeyStart {
            j = f - 1
        } else {
            while j >= 0 && Self.isKeyByte(p[j]) {
                j -= 1
                if keyEnd - j > 48 { return nil }
            }
        }
        let keyStart = j + 1
        guard keyEnd - keyStart >= 2 else { return nil }
        // "key=token:e60098e1": the would-be key is itself a value (but PowerShell's
        // `$env:API_TOKEN = "…"` is an assignment).
        if (at(keyStart - 1) == UInt8(ascii: "=") && !has(keyStart - 15, "--from-literal="))
            || (at(keyStart - 1) == UInt8(ascii: ":") && keyQuote == 0 && !(c == UInt8(ascii: "=") && hasIgnoringCase(keyStart - 5, "$env:"))
                // `.npmrc`: `//registry.npmjs.org/:_authToken=…`, `//host/path/:_password=…`.
                && !(c == UInt8(ascii: "=") && at(keyStart - 2) == UInt8(ascii: "/"))) {
            return nil
        }
        if keyQuote != 0 && at(keyStart - 1) != keyQuote { return nil }
        if subscripted && at(keyStart - 2) != UInt8(ascii: "[") { return nil }
        // `https://x-access-token:ghs_…@github.com`: URL userinfo, which `atSign` handles.
        if c == UInt8(ascii: ":") && has(keyStart - 3, "://") { return nil }
        if keyQuote == 0 && j >= 0 && p[j] >= 0x80 && foreignKeyStart == nil {
            // A word with non-ASCII letters before its ASCII end: "lösenord", "şifre".
            foreignKeyStart = foreignPasswordKeyStart(keyEnd)
            if foreignKeyStart == nil { return nil }
        }
        var kind = foreignKeyStart != nil ? .credential : Self.classifyKey(p + keyStart, keyEnd - keyStart)
        // The shell's working directory (`PWD=/home/jdoe` in sudo and audit logs), not a password.
        if c == UInt8(ascii: "=") && (at(i + 1) == UInt8(ascii: "/") || at(i + 1) == UInt8(ascii: "~"))
            && ((keyEnd - keyStart == 3 && has(keyStart, "PWD")) || (keyEnd - keyStart == 6 && has(keyStart, "OLDPWD"))) {
            return nil
        }
        // "mot de passe: …"
        if kind == nil && keyEnd - keyStart == 5 && hasIgnoringCase(keyStart - 7, "mot de passe") { kind = .credential }
        // "Access code: X"
        if kind == nil && keyEnd - keyStart == 4 && hasIgnoringCase(keyStart - 7, "access code") { kind = .credential }
        if kind == nil && keyEnd - keyStart == 5 && hasIgnoringCase(keyStart, "value") {
            kind = namedValueKind(before: keyStart)
        }
        // An HTML `<meta name="api-key" content="…">`: the attribute named by `name`.
        if kind == nil && keyEnd - keyStart == 7 && c == UInt8(ascii: "=") && keyQuote == 0 && hasIgnoringCase(keyStart, "content") {
            kind = namedValueKind(before: keyStart)
        }
        // A Google service account's `private_key_id` (40 hex digits): it names the private key.
        if kind == nil && keyEnd - keyStart == 14 && has(keyStart, "private_key_id") { kind = .randomKey }
        if kind == nil && keyEnd - keyStart == 7 && c == UInt8(ascii: "=") && has(keyStart, "default") {
            kind = terraformVariableKind(before: keyStart)
        }
        // Signed URLs: `…&sig=<base64>` (Azure SAS), `?signature=…`, `X-Amz-Signature=…` in a
        // query string, when the value looks random.
        if kind == nil && c == UInt8(ascii: "=") && keyQuote == 0 && (at(keyStart - 1) == UInt8(ascii: "?") || at(keyStart - 1) == UInt8(ascii: "&"))
            && ((keyEnd - keyStart == 3 && hasIgnoringCase(keyStart, "sig")) || (keyEnd - keyStart == 9 && hasIgnoringCase(keyStart, "signature"))
                || (keyEnd - keyStart == 15 && hasIgnoringCase(keyStart, "x-amz-signature"))
                || (keyEnd - keyStart == 4 && hasIgnoringCase(keyStart, "code"))) {
            kind = .randomKey
        }
        // curl -u user:password, --user user:password; the user may be an e-mail address
        // (`curl -u jane@example.com:X`, the usual form for Jira or Zendesk API tokens).
        let userStart = kind == nil && c == UInt8(ascii: ":") && keyQuote == 0 && spaces == 0 ? emailUserStart(before: keyStart) : keyStart
        if kind == nil && c == UInt8(ascii: ":") && keyQuote == 0 && spaces == 0
            && (has(userStart - 3, "-u ") || has(userStart - 7, "--user ") || has(userStart - 7, "--user=")
                || has(userStart - 7, "--auth ") || has(userStart - 7, "--auth=")
                || has(userStart - 13, "--proxy-user ") || has(userStart - 13, "--proxy-user=")
                || (has(userStart - 3, "-U ") && commandBefore(userStart, CommandGroup.curl))) {
            // `curl -u sk_live_…:` (an API key as the user, no password): the key.
            let next = at(i + 1)
            if userStart == keyStart && (next == 0 || next == UInt8(ascii: " ") || next == UInt8(ascii: "\"") || next == UInt8(ascii: "'") || next == 0x0A) {
                guard isRandomToken(keyStart, keyEnd) else { return nil }
                emit(keyStart, keyEnd, .secret)
                return i + 1
            }
            kind = .credential
        }
        // Windows `net use Z: \\fs\share /user:CORP\jdoe X`: the word after the user.
        if kind == nil && c == UInt8(ascii: ":") && keyEnd - keyStart == 4 && at(keyStart - 1) == UInt8(ascii: "/")
            && hasIgnoringCase(keyStart, "user") && commandBefore(keyStart, CommandGroup.net) {
            var k = i + 1
            while k < n && !Bytes.isSpace(p[k]) && k - i <= 128 { k += 1 }
            guard at(k) == UInt8(ascii: " "), at(k + 1) != UInt8(ascii: "/"), at(k + 1) != UInt8(ascii: "*") else { return nil }
            return flagValue(k + 1)
        }
        guard let keyKind = kind else { return nil }
        if keyKind == .cookie {
            // "Cookie: a=1; sessionid=…", "Set-Cookie: sid=…; HttpOnly": the random-looking values.
            if c == UInt8(ascii: ":") { cookieHeader(i + 1) }
            return nil
        }

        // The value.
        var v = i + 1
        if c == UInt8(ascii: "=") && at(v) == UInt8(ascii: ">") { v += 1 }
        spaces = 0
        while (at(v) == UInt8(ascii: " ") || at(v) == UInt8(ascii: "\t")) && spaces < 32 { v += 1; spaces += 1 }
        // `**API key:** value`: the closing emphasis of a Markdown key.
        if c == UInt8(ascii: ":") && at(v) == UInt8(ascii: "*") && at(v + 1) == UInt8(ascii: "*") && at(v + 2) == UInt8(ascii: " ") {
            v += 3
            while at(v) == UInt8(ascii: " ") && v - i < 8 { v += 1 }
        }
        var vs: Int, ve: Int
        var quoted = false
        var resume = -1
        let q = at(v)
        if q == UInt8(ascii: "\"") || q == UInt8(ascii: "'") || q == UInt8(ascii: "`") {
            quoted = true
            vs = v + 1
            ve = closingQuote(q, from: vs)
            guard ve - vs <= 512, ve < n, p[ve] == q else { return nil }
            resume = ve + 1
        } else if q == UInt8(ascii: "\\"), let open = escapedQuote(v) {
            // A JSON-escaped string inside text: \"value\" (or escaped again: \\\"value\\\")
            quoted = true
            vs = open
            ve = closingQuote(UInt8(ascii: "\\"), from: vs)
            guard ve - vs <= 512, ve + 1 < n, p[ve] == UInt8(ascii: "\\") else { return nil }
            resume = ve + 2
            var opening = open - v - 2  // backslashes before the opening quote's own
            while opening > 0 && ve > vs && p[ve - 1] == UInt8(ascii: "\\") { ve -= 1; opening -= 1 }
        } else {
            vs = v
            // `private_key: -----BEGIN … PRIVATE KEY----- MIIE…`: the PEM detector takes the whole block.
            if at(vs) == UInt8(ascii: "-") && has(vs, "-----BEGIN ") { return nil }
            ve = nextStop(from: vs, cache: &valueEndCache, isStop: Self.isValueTerminator, accept: { _ in true })
            // `&` separates parameters in a query string or form body (`?a=1&password=x&b=2`),
            // but is an ordinary character of a password in configuration, `.env` files and
            // prose (`SECRET_KEY=django-insecure-k3j&x9!m2p#q`). Inside a query (the key follows
            // `?` or `&`) the first `&` ends the value; elsewhere only `&&` or `&name=` does.
            let amp = nextStop(from: vs, cache: &ampCache, isStop: { $0 == UInt8(ascii: "&") }, accept: { _ in true })
            if keyQuote == 0 && (at(keyStart - 1) == UInt8(ascii: "?") || at(keyStart - 1) == UInt8(ascii: "&")) {
                ve = Swift.min(ve, amp)
            }
            guard ve - vs <= 512 else { return nil }
            // `auth=("user", "password")` (Python requests): the second string.
            if keyKind == .authorization && at(vs) == UInt8(ascii: "(") && keyEnd - keyStart == 4, let end = authTuple(vs) { return end }
            // A value in brackets or typographic quotes (`password: (Summer2024!)`, `„X“`, `«X»`,
            // `【X】`): what is inside them.
            if let (inner, innerEnd, after) = wrappedValue(vs) {
                vs = inner
                ve = innerEnd
                resume = after
                if keyKind == .randomKey {
                    guard isRandomToken(vs, ve) else { return nil }
                    emit(vs, ve, .secret)
                    return Swift.max(resume, i + 1)
                }
            }
            // At most 512 bytes (the value), read directly: the cache only serves value starts.
            var a = amp
            while a < ve {
                if p[a] == UInt8(ascii: "&") && (at(a + 1) == UInt8(ascii: "&") || startsParameter(a + 1)) { ve = a; break }
                a += 1
            }
            if resume == -1 {
                ve = withoutTrailingSymbols(vs, ve)
                while ve > vs && (p[ve - 1] == UInt8(ascii: ".") || p[ve - 1] == UInt8(ascii: ",")) { ve -= 1 }
                resume = ve
            }
        }
        // A generic `…key` name vouches for a value only when the value looks random.
        if keyKind == .randomKey {
            guard isRandomToken(vs, ve) else { return nil }
            emit(vs, ve, .secret)
            return Swift.max(resume, i + 1)
        }
        // "Bearer abc…", "Basic …", "Token …": the scheme and its credential form the value; the
        // credential alone is checked for plausibility.
        var checkStart = vs
        if keyKind == .authorization {
            // The scheme: a letter, then letters, digits and `-` (`Bearer`, `DeepL-Auth-Key`,
            // `AWS4-HMAC-SHA256`).
            var w = vs
            if w < n && Bytes.isLetter(p[w]) {
                while w < n && (Bytes.isAlnum(p[w]) || p[w] == UInt8(ascii: "-")) && w - vs <= 24 { w += 1 }
            }
            if w > vs && at(w) == UInt8(ascii: " ") && (quoted ? w < ve : w == ve) {
                var x = w
                while at(x) == UInt8(ascii: " ") && x - w < 4 { x += 1 }
                // A list of parameters (`Digest username="…", response="…"`, `OAuth
                // oauth_consumer_key="…", oauth_signature="…"`, `AWS4-HMAC-SHA256
                // Credential=…, Signature=…`): the whole header value.
                var k = x
                while Bytes.isLetter(at(k)) || at(k) == UInt8(ascii: "_") || at(k) == UInt8(ascii: "-") { k += 1; if k - x > 32 { break } }
                let parameters = k > x && k - x <= 32 && at(k) == UInt8(ascii: "=")
                    && (Bytes.isAlnum(at(k + 1)) || at(k + 1) == UInt8(ascii: "\"") || at(k + 1) == UInt8(ascii: "'"))
                if quoted {
                    if x < ve { checkStart = x }
                } else if parameters {
                    var end = x
                    while end < n && end - x < 1024 {
                        let b = p[end]
                        if b == 0x0A || b == 0x0D || b == UInt8(ascii: "'") { break }
                        if b == UInt8(ascii: "\\") && (at(end + 1) == UInt8(ascii: "n") || at(end + 1) == UInt8(ascii: "r")) { break }
                        end += 1
                    }
                    while end > x && (p[end - 1] == UInt8(ascii: " ") || p[end - 1] == UInt8(ascii: "\t")) { end -= 1 }
                    emit(vs, end, .secret)
                    return Swift.max(end, i + 1)
                } else if t2[Int(at(x))] & ByteClass2.bearer != 0 {
                    checkStart = x
                    ve = bearerRunEnd(x)
                    while ve > x && (p[ve - 1] == UInt8(ascii: ".") || p[ve - 1] == UInt8(ascii: ",")) { ve -= 1 }
                    resume = ve
                }
            }
        }
        let prose = c == UInt8(ascii: ":") && keyQuote == 0 && !quoted
        // Literal contexts where a bare word is a value, not a variable: a command-line flag
        // (`--password=rootpass`) or a shell/env assignment (`DB_PASSWORD=secret npm start`).
        var literal = p[keyStart] == UInt8(ascii: "-")
        if !literal && c == UInt8(ascii: "=") && keyQuote == 0 && keyEnd == i && v == i + 1 {
            literal = true
            for k in keyStart..<keyEnd where !(Bytes.isUpper(p[k]) || Bytes.isDigit(p[k]) || p[k] == UInt8(ascii: "_")) { literal = false; break }
        }
        // "password: Sunshine": after a plain password word, a single word counts unless it is prose.
        var proseMinimum = 10
        let keyLength = keyEnd - keyStart
        if prose && checkStart == vs && ((keyLength == 8 && (hasIgnoringCase(keyStart, "password") || hasIgnoringCase(keyStart, "passcode")))
            || (keyLength == 6 && hasIgnoringCase(keyStart, "passwd"))) && !Self.isProseWord(p + vs, ve - vs) {
            proseMinimum = 0
        }
        // `spring.datasource.password=#sFkb…`, `password = #sFkb…`: after `=`, a `#` glued to the
        // next character starts the value (a comment is `# text`).
        let hashValue = !quoted && c == UInt8(ascii: "=") && at(vs) == UInt8(ascii: "#") && (vs == i + 1 || Bytes.isAlnum(at(vs + 1)))
        guard isPlausibleValue(checkStart, ve, quoted: quoted || literal || hashValue, prose: prose && checkStart == vs, proseMinimum: proseMinimum) else { return nil }
        emit(vs, ve, .secret)
        return Swift.max(resume, i + 1)
    }

    /// `("user", "password")` at `open`: the second quoted string, when plausible. Reads at most
    /// about 300 bytes.
    mutating func authTuple(_ open: Int) -> Int? {
        var k = open + 1
        while at(k) == UInt8(ascii: " ") && k - open < 4 { k += 1 }
        let q1 = at(k)
        guard q1 == UInt8(ascii: "\"") || q1 == UInt8(ascii: "'") else { return nil }
        var e1 = k + 1
        while e1 < n && p[e1] != q1 && p[e1] != 0x0A && e1 - k <= 128 { e1 += 1 }
        guard at(e1) == q1 else { return nil }
        k = e1 + 1
        while at(k) == UInt8(ascii: " ") && k - e1 < 4 { k += 1 }
        guard at(k) == UInt8(ascii: ",") else { return nil }
        k += 1
        while at(k) == UInt8(ascii: " ") && k - e1 < 8 { k += 1 }
        let q2 = at(k)
        guard q2 == UInt8(ascii: "\"") || q2 == UInt8(ascii: "'") else { return nil }
        let vs = k + 1
        var ve = vs
        while ve < n && p[ve] != q2 && p[ve] != 0x0A && ve - vs <= 128 { ve += 1 }
        guard at(ve) == q2, isPlausibleValue(vs, ve, quoted: true) else { return nil }
        emit(vs, ve, .secret)
        return ve + 1
    }

    /// After the backslashes at `v`, a double quote (`\"`, `\\\"`): where the quoted text starts.
    func escapedQuote(_ v: Int) -> Int? {
        var k = v
        while at(k) == UInt8(ascii: "\\") && k - v < 7 { k += 1 }
        return at(k) == UInt8(ascii: "\"") ? k + 1 : nil
    }

    /// The values of a cookie header from `v` to the end of the line (or of a quoted header
    /// value): each `name=value` whose value is random-looking (`isRandomToken`) is a SECRET;
    /// attributes (`HttpOnly`, `Path=/`) and ordinary values (`theme=dark`) are not. Each byte
    /// is parsed once per scan (`cookieScannedUntil` only moves forward).
    mutating func cookieHeader(_ v: Int) {
        var k = Swift.max(v, cookieScannedUntil)
        while at(k) == UInt8(ascii: " ") || at(k) == UInt8(ascii: "\t") { k += 1 }
        if at(k) == UInt8(ascii: "\\") && at(k + 1) == UInt8(ascii: "\"") { k += 1 }
        if at(k) == UInt8(ascii: "\"") || at(k) == UInt8(ascii: "'") { k += 1 }
        @inline(__always) func endsHeader(_ c: UInt8) -> Bool {
            c == 0x0A || c == 0x0D || c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") || c == UInt8(ascii: "\\")
        }
        @inline(__always) func endsPair(_ c: UInt8) -> Bool {
            c == UInt8(ascii: ";") || c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: ",") || endsHeader(c)
        }
        while k < n && !endsHeader(p[k]) {
            if endsPair(p[k]) { k += 1; continue }
            while k < n && !endsPair(p[k]) && p[k] != UInt8(ascii: "=") { k += 1 }
            guard at(k) == UInt8(ascii: "=") else { continue }
            let vs = k + 1
            k = vs
            while k < n && !endsPair(p[k]) { k += 1 }
            if isRandomToken(vs, k) { emit(vs, k, .secret) }
        }
        cookieScannedUntil = k
    }

    /// A value that looks like generated key material rather than a word, an identifier or a
    /// path: 16–512 characters of letters, digits and `_ - + / = . %`, with letters, frequent
    /// changes between digits, upper and lower case (at least 6 and a fifth of the length), not
    /// a UUID, and plausible (`plausibleSecret`: no long runs, varied, no placeholder words).
    /// `5aef7ac86d66c7a644fb12853ef86dcf` is; `welcome_message_2`, `X-API-Key` are not.
    func isRandomToken(_ a: Int, _ b: Int) -> Bool {
        // Laravel's `APP_KEY=base64:…`: the key material follows the prefix.
        let a = has(a, "base64:") ? a + 7 : a
        let m = b - a
        guard m >= 16, m <= 512 else { return false }
        var letters = 0, changes = 0
        var previous = 0
        for k in a..<b {
            let c = p[k]
            let cls: Int
            if Bytes.isDigit(c) { cls = 1 } else if Bytes.isUpper(c) { cls = 2; letters += 1 } else if Bytes.isLower(c) { cls = 3; letters += 1 }
            else if c == UInt8(ascii: "_") || c == UInt8(ascii: "-") || c == UInt8(ascii: "+") || c == UInt8(ascii: "/")
                || c == UInt8(ascii: "=") || c == UInt8(ascii: ".") || c == UInt8(ascii: "%") { continue }
            else { return false }
            if previous != 0 && cls != previous { changes += 1 }
            previous = cls
        }
        guard letters > 0, changes >= Swift.max(6, m / 5) else { return false }
        // Stripe publishable keys are public by design.
        if has(a, "pk_test_") || has(a, "pk_live_") { return false }
        if m == 36 && p[a + 8] == UInt8(ascii: "-") && p[a + 13] == UInt8(ascii: "-") && p[a + 18] == UInt8(ascii: "-")
            && p[a + 23] == UInt8(ascii: "-") { return false }
        return plausibleSecret(a, b, requireVariety: true)
    }

    /// For `value:` in `- name: API_TOKEN` / `value: "…"` lists (Kubernetes env, CI variables):
    /// the kind of the `name` on the same or the previous line, within 96 bytes before.
    func namedValueKind(before keyStart: Int) -> KeyKind? {
        var k = keyStart - 4
        var newlines = 0
        while k >= 0 && keyStart - k <= 96 {
            if p[k] == 0x0A {
                newlines += 1
                if newlines == 2 { return nil }
            }
            // `name: X` / `value: Y`, or XML attributes `<add key="ApiKey" value="…" />`.
            // Also a form field named by a CSS selector (`{"selector":"#password","value":"…"}`).
            let nameLength = hasIgnoringCase(k, "name") ? 4 : hasIgnoringCase(k, "selector") ? 8 : hasIgnoringCase(k, "field") ? 5
                : (hasIgnoringCase(k, "key=") && at(k - 1) == UInt8(ascii: " ") && newlines == 0 ? 3 : 0)
            if nameLength > 0 && !Bytes.isAlnum(at(k - 1)) {
                var v = k + nameLength
                while v < keyStart && (p[v] == UInt8(ascii: "\"") || p[v] == UInt8(ascii: "'") || p[v] == UInt8(ascii: " ")) { v += 1 }
                guard v < keyStart, p[v] == UInt8(ascii: ":") || p[v] == UInt8(ascii: "=") else { return nil }
                v += 1
                while v < keyStart && (p[v] == UInt8(ascii: "\"") || p[v] == UInt8(ascii: "'") || p[v] == UInt8(ascii: " ")) { v += 1 }
                if nameLength == 8 && v < keyStart && (p[v] == UInt8(ascii: "#") || p[v] == UInt8(ascii: ".")) { v += 1 }
                var w = v
                while w < keyStart && Self.isKeyByte(p[w]) && w - v < 64 { w += 1 }
                return w - v >= 2 ? Self.classifyKey(p + v, w - v) : nil
            }
            k -= 1
        }
        return nil
    }

    /// For `default = "…"` in a Terraform variable block (`variable "db_password" {`): the kind
    /// of the variable's name, when the block opens within 160 bytes (and 3 lines) before.
    func terraformVariableKind(before keyStart: Int) -> KeyKind? {
        var k = keyStart - 1
        var newlines = 0
        while k >= 9 && keyStart - k <= 160 {
            let c = p[k]
            if c == 0x0A {
                newlines += 1
                if newlines == 4 { return nil }
            } else if c == UInt8(ascii: "}") {
                return nil
            } else if c == UInt8(ascii: "\"") && has(k - 9, "variable ") && !Bytes.isAlnum(at(k - 10)) {
                var w = k + 1
                while w < keyStart && Self.isKeyByte(p[w]) && w - k <= 64 { w += 1 }
                guard at(w) == UInt8(ascii: "\""), w - k - 1 >= 2 else { return nil }
                return Self.classifyKey(p + k + 1, w - k - 1)
            }
            k -= 1
        }
        return nil
    }

    /// The end of a quoted value starting at `from`: the next `quote` not preceded by a
    /// backslash, or a newline. For `\\` it finds the next `\\"` (an escaped quote in text
    /// that quotes JSON). Results come from forward-only caches, so repeated calls stay linear.
    mutating func closingQuote(_ quote: UInt8, from: Int) -> Int {
        let p = self.p, n = self.n
        let notEscaped: (Int) -> Bool = { k in p[k] == 0x0A || k == 0 || p[k - 1] != UInt8(ascii: "\\") }
        switch quote {
        case UInt8(ascii: "\""):
            return nextStop(from: from, cache: &doubleQuoteCache, isStop: { $0 == 0x0A || $0 == UInt8(ascii: "\"") }, accept: notEscaped)
        case UInt8(ascii: "'"):
            return nextStop(from: from, cache: &singleQuoteCache, isStop: { $0 == 0x0A || $0 == UInt8(ascii: "'") }, accept: notEscaped)
        case UInt8(ascii: "`"):
            return nextStop(from: from, cache: &backtickCache, isStop: { $0 == 0x0A || $0 == UInt8(ascii: "`") }, accept: { _ in true })
        default:
            return nextStop(from: from, cache: &escapedQuoteCache, isStop: { $0 == 0x0A || $0 == UInt8(ascii: "\\") },
                            accept: { k in p[k] == 0x0A || (k + 1 < n && p[k + 1] == UInt8(ascii: "\"")) })
        }
    }

    /// The first position at or after `from` whose byte satisfies `isStop` and whose position
    /// satisfies `accept` (both must depend on the text only, not on `from`), or `n`.
    /// Forward-only cache: a start inside `[cache.from, cache.at]` has the same answer, and new
    /// searches begin after the previous answer, so all searches of a scan cost O(n) together.
    func nextStop(from: Int, cache: inout (from: Int, at: Int), isStop: (UInt8) -> Bool, accept: (Int) -> Bool) -> Int {
        if from >= cache.from && from <= cache.at { return cache.at }
        var k = from
        while k < n && !(isStop(p[k]) && accept(k)) { k += 1 }
        cache = (from, k)
        return k
    }

    @inline(__always) static func isKeyByte(_ c: UInt8) -> Bool {
        Bytes.isAlnum(c) || c == UInt8(ascii: "_") || c == UInt8(ascii: "-") || c == UInt8(ascii: ".")
    }

    /// A parameter name and `=` at `k` (`user=` in `…&user=bob`): letters, digits, `_`, `-`, `.`,
    /// `[`, `]`, starting with a letter or `_`, at most 64 bytes.
    func startsParameter(_ k: Int) -> Bool {
        let c = at(k)
        guard Bytes.isLetter(c) || c == UInt8(ascii: "_") else { return false }
        var x = k + 1
        while x < n && x - k <= 64 && (Self.isKeyByte(p[x]) || p[x] == UInt8(ascii: "[") || p[x] == UInt8(ascii: "]")) { x += 1 }
        return at(x) == UInt8(ascii: "=")
    }

    /// Bytes that end an unquoted value (`&` is handled by `assignment`: it ends a value only in
    /// a query string).
    @inline(__always) static func isValueTerminator(_ c: UInt8) -> Bool {
        switch c {
        case 0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: ")"),
             UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "<"),
             UInt8(ascii: ">"), UInt8(ascii: "\\"), UInt8(ascii: "|"):
            return true
        default:
            return false
        }
    }

    /// A value that could be a real credential rather than a placeholder, a template, a
    /// variable reference or a flag. `prose` (an unquoted `key: value` outside code) asks for a
    /// value with a digit, a symbol or mixed case, or at least 10 characters.
    func isPlausibleValue(_ vs: Int, _ ve: Int, quoted: Bool, prose: Bool = false, proseMinimum: Int = 10) -> Bool {
        let length = ve - vs
        guard length >= 3, length <= 512 else { return false }
        // Variables, templates and placeholders: $VAR ${VAR} $(cmd) %(name)s {{ x }} <your key> [SECRET]
        let first = p[vs], second = at(vs + 1), last = p[ve - 1]
        switch first {
        case UInt8(ascii: "$"):
            if second == UInt8(ascii: "{") || second == UInt8(ascii: "(") || Bytes.isLetter(second) || second == UInt8(ascii: "_") { return false }
        case UInt8(ascii: "%"):
            if second == UInt8(ascii: "(") || second == UInt8(ascii: "{") || (length == 2) { return false }
            // A Windows environment variable: `%DB_PASSWORD%`.
            if last == UInt8(ascii: "%") && length >= 3 {
                var name = true
                for k in (vs + 1)..<(ve - 1) where !Self.isKeyByte(p[k]) { name = false; break }
                if name { return false }
            }
        case UInt8(ascii: "{"):
            if second == UInt8(ascii: "{") || second == UInt8(ascii: "%") || last == UInt8(ascii: "}") { return false }
        case UInt8(ascii: "<"):
            return false
        case UInt8(ascii: "["):
            if last == UInt8(ascii: "]") { return false }
        case UInt8(ascii: "#"), UInt8(ascii: "@"):
            if !quoted { return false }
        case UInt8(ascii: "!"):
            // A YAML tag (`password: !vault |`, `!Ref DbPassword`), not a literal.
            if !quoted && Bytes.isLetter(second) {
                var tag = true
                for k in (vs + 1)..<ve where !(Bytes.isLetter(p[k]) || p[k] == UInt8(ascii: "_")) { tag = false; break }
                if tag { return false }
            }
        default: break
        }
        var allSame = true
        var digits = 0, symbols = 0, uppers = 0, lowers = 0, dots = 0
        var hasParen = false
        for k in vs..<ve {
            let c = p[k]
            if c != p[vs] { allSame = false }
            if Bytes.isDigit(c) { digits += 1 }
            else if Bytes.isUpper(c) { uppers += 1 }
            else if Bytes.isLower(c) { lowers += 1 }
            else if c == UInt8(ascii: ".") { dots += 1 }
            else if c == UInt8(ascii: "(") || c == UInt8(ascii: "[") { hasParen = true }
            else if c != UInt8(ascii: "_") { symbols += 1 }
        }
        if allSame { return false }
        if digits == length && length <= 4 { return false }
        if Self.isPlaceholderValue(p + vs, length) || containsPlaceholderWord(vs, ve) { return false }
        if !quoted {
            if hasParen || at(ve) == UInt8(ascii: "(") { return false }
            // config.password, os.environ, self.secret: a reference, not a literal.
            if dots > 0 && symbols == 0 && digits == 0 && Self.isDottedIdentifier(p + vs, length) { return false }
            // A capitalised word ("Tomorrow") is prose; "hunter2", "s3cr3t!" or "xYz" are not.
            let mixedCase = lowers > 0 && (uppers > 1 || (uppers == 1 && !Bytes.isUpper(p[vs])))
            if prose && digits == 0 && symbols == 0 && !mixedCase && length < proseMinimum { return false }
            // CONSTANT_NAME or snake_name: an identifier in code, not a literal.
            if digits == 0 && symbols == 0 && dots == 0 && (uppers == 0 || lowers == 0) && length >= 4 {
                var hasUnderscore = false
                for k in vs..<ve where p[k] == UInt8(ascii: "_") { hasUnderscore = true; break }
                if hasUnderscore { return false }
            }
            // A bare word (letters only) is a literal only where a configuration value ends: at
            // the end of the line (`password: supersecret`), before a comment, or before `&` in
            // a query string. In code it is a variable, a type or a keyword
            // (`token = await f()`, `for (Page token : pages)`, `{"token": headers}`).
            if digits == 0 && symbols == 0 && dots == 0 {
                var k = ve
                while at(k) == UInt8(ascii: " ") || at(k) == UInt8(ascii: "\t") { k += 1 }
                let next = at(k)
                let endsValue = next == 0 || next == 0x0A || next == 0x0D || next == UInt8(ascii: "#") || at(ve) == UInt8(ascii: "&")
                if !endsValue { return false }
            }
        }
        if startsWithProviderPrefix(vs) && !plausibleSecret(vs, ve, requireVariety: true) { return false }
        return true
    }

    /// `a.b.c` where every part starts with a letter or `_`.
    static func isDottedIdentifier(_ s: UnsafePointer<UInt8>, _ length: Int) -> Bool {
        var atPartStart = true
        for k in 0..<length {
            let c = s[k]
            if c == UInt8(ascii: ".") {
                if atPartStart { return false }
                atPartStart = true
                continue
            }
            if atPartStart && !(Bytes.isLetter(c) || c == UInt8(ascii: "_")) { return false }
            atPartStart = false
        }
        return !atPartStart
    }

    /// Values that say "no value here".
    static func isPlaceholderValue(_ s: UnsafePointer<UInt8>, _ length: Int) -> Bool {
        guard length <= 16 else { return false }
        var lowered = [UInt8](repeating: 0, count: length)
        for k in 0..<length { lowered[k] = Bytes.lower(s[k]) }
        let word = String(decoding: lowered, as: UTF8.self)
        return placeholderValues.contains(word)
    }

    static let placeholderValues: Set<String> = [
        "null", "none", "nil", "undefined", "true", "false", "yes", "no", "required", "optional", "string", "str",
        "env", "redacted", "hidden", "masked", "secret", "password", "passwd", "changeme", "example", "placeholder",
        "todo", "tbd", "n/a", "empty", "default", "test", "token", "apikey", "api_key", "value", "unset", "not set",
        "xxx", "removed", "omitted", "sensitive", "dummy", "secret_key", "api-key", "bearer", "basic", "int", "bool",
    ]

    // MARK: - Credential-like keys

    /// Where a password word of another script ends at `keyEnd` (`パスワード`, `密码`, `密碼`,
    /// `пароль`, `Пароль`, `contraseña`, `hasło`), or nil.
    func foreignPasswordKeyStart(_ keyEnd: Int) -> Int? {
        for word in ["パスワード", "密码", "密碼", "пароль", "Пароль", "ПАРОЛЬ", "contraseña", "hasło", "口令", "lösenord",
                     "şifre", "Şifre", "jelszó", "slaptažodis", "κωδικός", "Κωδικός", "סיסמה", "पासवर्ड", "mật khẩu",
                     "รหัสผ่าน", "كلمة المرور"] as [StaticString] {
            let start = keyEnd - word.utf8CodeUnitCount
            if hasIgnoringCase(start, word) && !(Bytes.isLetter(at(start - 1)) && Bytes.isLetter(p[start])) { return start }
        }
        return nil
    }

    /// How a key name marks its value.
    enum KeyKind {
        /// A credential (password, secret, API key, token…).
        case credential
        /// An HTTP Authorization header: the value may start with a scheme word.
        case authorization
        /// A cookie header: a secret as a whole field value; inside free text only its
        /// random-looking cookie values (`sessionid=p5yftIY7…`) are.
        case cookie
        /// A generic name ending in `key` (`key`, `AZURE_OPENAI_KEY`, `openaiKey`, `x-key`): a
        /// credential only when its value looks random (`isRandomToken`), never as a whole
        /// record field.
        case randomKey
    }

    /// Where a `user@domain` word whose domain part is the key at `keyStart` (what the key scan
    /// sees before a `:`) starts: only when an `@` comes right before the key, at most 128 bytes
    /// back; otherwise `keyStart`. For `-u jane@example.com:X`.
    func emailUserStart(before keyStart: Int) -> Int {
        guard at(keyStart - 1) == UInt8(ascii: "@") else { return keyStart }
        var u = keyStart - 1
        while u > 0 && keyStart - u < 128 {
            let b = p[u - 1]
            if Bytes.isSpace(b) || b == UInt8(ascii: "=") || b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") { break }
            u -= 1
        }
        return u < keyStart - 1 ? u : keyStart
    }

    /// Classifies a key name (case and `_`/`-`/`.` ignored); nil when it is not credential-like.
    /// One pass over the normalised name plus suffix checks: O(length).
    static func classifyKey(_ key: UnsafePointer<UInt8>, _ length: Int) -> KeyKind? {
        guard length >= 2, length <= 64, mightBeCredentialKey(key, length) else { return nil }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { buffer -> KeyKind? in
            var count = 0
            for k in 0..<length where Bytes.isAlnum(key[k]) { buffer[count] = Bytes.lower(key[k]); count += 1 }
            let m = count
            let norm = UnsafePointer(buffer.baseAddress!)
            @inline(__always) func at(_ k: Int, _ s: StaticString) -> Bool {
                let l = s.utf8CodeUnitCount
                guard k + l <= m else { return false }
                let q = s.utf8Start
                for x in 0..<l where norm[k + x] != q[x] { return false }
                return true
            }
            @inline(__always) func ends(_ s: StaticString) -> Bool { m >= s.utf8CodeUnitCount && at(m - s.utf8CodeUnitCount, s) }
            @inline(__always) func equals(_ s: StaticString) -> Bool { m == s.utf8CodeUnitCount && at(0, s) }
            // Names of things about a credential, not the credential: api_key_id, token_url,
            // secret_name, password_file, token_expires_in.
            let aboutCredential = ends("id") || ends("ids") || ends("name") || ends("names") || ends("type") || ends("count")
                || ends("length") || ends("url") || ends("uri") || ends("path") || ends("file") || ends("ref") || ends("hint")
                || ends("policy") || ends("expiry") || ends("expires") || ends("expiresin") || ends("expiresat") || ends("ttl")
                || ends("enabled") || ends("required") || ends("version") || ends("header") || ends("headers")
                || ends("param") || ends("prefix") || ends("field") || ends("format")
                || ends("timeout") || ends("interval") || ends("attempts") || ends("retries") || ends("seconds") || ends("minutes")
                || ends("hours") || ends("days") || ends("maxage") || ends("lifetime") || ends("rotation") || ends("strength")
                || ends("algo") || ends("algorithm") || ends("last4") || ends("lastfour")
                // When it was set or changed (`PasswordLastSet`, `password_changed_at`).
                || ends("lastset") || ends("changedat") || ends("updatedat") || ends("createdat") || ends("setat") || ends("lastchanged")
                || ends("timestamp") || ends("date")
                // Pagination and sync cursors (`next_page_token`, `pageToken`, AWS `NextToken`):
                // opaque positions in a listing, not credentials.
                || ends("pagetoken") || ends("nexttoken") || ends("continuationtoken") || ends("synctoken") || ends("resumetoken")
                || ends("cursortoken")
            if aboutCredential { return nil }
            if equals("parola") || equals("parool") || equals("heslo") || equals("geslo") || equals("sifre")
                || ends("salasana") || ends("adgangskode") || ends("passord") || ends("lozinka") || ends("jelszo") {
                return .credential
            }
            var hasAPI = false, hasQualifier = false
            for k in 0..<m {
                switch norm[k] {
                case UInt8(ascii: "p"):
                    if at(k, "passw") || at(k, "passphrase") || at(k, "passcode") || at(k, "privatekey") { return .credential }
                case UInt8(ascii: "s"):
                    if at(k, "secret") && !at(k, "secretary") { return .credential }
                    if equals("senha") { return .credential }
                    if at(k, "signing") || at(k, "storage") || at(k, "shared") || at(k, "session") || at(k, "subscription") || at(k, "service") {
                        hasQualifier = true
                    }
                case UInt8(ascii: "c"):
                    if at(k, "credential") || at(k, "contrase") { return .credential }
                    if at(k, "client") { hasQualifier = true }
                case UInt8(ascii: "a"):
                    if at(k, "authorization") { return .authorization }
                    if at(k, "apikey") || at(k, "accesskey") || at(k, "accesscode") { return .credential }
                    if at(k, "api") { hasAPI = true }
                    if at(k, "account") || at(k, "auth") { hasQualifier = true }
                case UInt8(ascii: "k"):
                    if at(k, "kennwort") { return .credential }
                case UInt8(ascii: "w"):
                    if at(k, "wachtwoord") { return .credential }
                    if at(k, "webhook") { hasQualifier = true }
                case UInt8(ascii: "h"):
                    if at(k, "haslo") { return .credential }
                case UInt8(ascii: "m"):
                    if at(k, "motdepasse") { return .credential }
                    if at(k, "master") { hasQualifier = true }
                case UInt8(ascii: "e"):
                    if at(k, "encryption") { hasQualifier = true }
                case UInt8(ascii: "l"):
                    if at(k, "license") { hasQualifier = true }
                default:
                    break
                }
            }
            if equals("cookie") || equals("setcookie") { return .cookie }
            if ends("token") { return .credential }
            if ends("pwd") || equals("pw") || equals("pass") || equals("mdp") { return .credential }
            if ends("pass") {
                // db_pass, SMTP-PASS: a separator right before "pass" (not "bypass", "compass").
                let sep = length >= 5 ? key[length - 5] : 0
                if sep == UInt8(ascii: "_") || sep == UInt8(ascii: "-") || sep == UInt8(ascii: ".") { return .credential }
            }
            if equals("auth") || ends("basicauth") || ends("httpauth") { return .authorization }
            if ends("key") && (hasAPI || hasQualifier) { return .credential }
            if ends("key") {
                // "key", "AZURE_OPENAI_KEY", "x-key", "openaiKey" — not "monkey", "hockey", nor
                // keys that name data rather than guard it (cache, primary, sort, public keys…).
                let l = length
                let separated = m == 3 || (l >= 4 && (key[l - 4] == UInt8(ascii: "_") || key[l - 4] == UInt8(ascii: "-")
                    || key[l - 4] == UInt8(ascii: ".") || (key[l - 3] == UInt8(ascii: "K") && Bytes.isLower(key[l - 4]))))
                let dataKey = ends("cachekey") || ends("primarykey") || ends("sortkey") || ends("partitionkey") || ends("foreignkey")
                    || ends("idempotencykey") || ends("objectkey") || ends("publickey") || ends("pubkey") || ends("hotkey")
                    || ends("shortcutkey") || ends("lookupkey") || ends("hashkey") || ends("indexkey") || ends("rowkey")
                    || ends("groupkey") || ends("cursorkey") || ends("translationkey") || ends("i18nkey") || ends("messagekey")
                    || ends("dedupkey") || ends("dedupekey") || ends("routingkey") || ends("shardkey") || ends("bucketkey")
                    || ends("mapkey") || ends("uniquekey") || ends("compositekey") || ends("eventkey") || ends("labelkey")
                    || ends("publishablekey") || ends("sitekey") || ends("recaptchakey")
                if separated && !dataKey { return .randomKey }
            }
            return nil
        }
    }

    /// A fast pre-check: every credential-like name contains one of `key tok pas pw sec sen cre aut wac has
    /// coo ken con mot` (case-insensitive). One pass, no allocation.
    @inline(__always) static func mightBeCredentialKey(_ key: UnsafePointer<UInt8>, _ length: Int) -> Bool {
        var k = 0
        while k + 1 < length {
            let a = Bytes.lower(key[k]), b = Bytes.lower(key[k + 1])
            switch a {
            case UInt8(ascii: "k"): if b == UInt8(ascii: "e") { return true }
            case UInt8(ascii: "t"): if b == UInt8(ascii: "o") && k + 2 < length && Bytes.lower(key[k + 2]) == UInt8(ascii: "k") { return true }
            case UInt8(ascii: "p"): if b == UInt8(ascii: "w") || (b == UInt8(ascii: "a") && k + 2 < length && Bytes.lower(key[k + 2]) == UInt8(ascii: "s")) { return true }
            case UInt8(ascii: "s"):
                if b == UInt8(ascii: "e") && k + 2 < length && (Bytes.lower(key[k + 2]) == UInt8(ascii: "c") || Bytes.lower(key[k + 2]) == UInt8(ascii: "n")) {
                    return true
                }
            case UInt8(ascii: "c"):
                if b == UInt8(ascii: "r") && k + 2 < length && Bytes.lower(key[k + 2]) == UInt8(ascii: "e") { return true }
                if b == UInt8(ascii: "o") && k + 2 < length
                    && (Bytes.lower(key[k + 2]) == UInt8(ascii: "o") || Bytes.lower(key[k + 2]) == UInt8(ascii: "n") || Bytes.lower(key[k + 2]) == UInt8(ascii: "d")) {
                    return true  // cookie, connection, credential…; code (access_code)
                }
            case UInt8(ascii: "a"): if b == UInt8(ascii: "u") && k + 2 < length && Bytes.lower(key[k + 2]) == UInt8(ascii: "t") { return true }
            case UInt8(ascii: "m"):
                if b == UInt8(ascii: "o") && k + 2 < length && Bytes.lower(key[k + 2]) == UInt8(ascii: "t") { return true }
                if b == UInt8(ascii: "d") && length == 3 && Bytes.lower(key[2]) == UInt8(ascii: "p") { return true }  // French "mdp"
            case UInt8(ascii: "w"): if b == UInt8(ascii: "a") && k + 2 < length && Bytes.lower(key[k + 2]) == UInt8(ascii: "c") { return true }
            case UInt8(ascii: "h"): if b == UInt8(ascii: "a") && k + 2 < length && Bytes.lower(key[k + 2]) == UInt8(ascii: "s") { return true }
            default: break
            }
            // Password words of more languages: salasana, adgangskode, parola/parool, heslo, geslo,
            // lozinka, sifre, jelszo (passord is caught by "pas" above).
            if k + 2 < length {
                let c = Bytes.lower(key[k + 2])
                switch a {
                case UInt8(ascii: "s"):
                    if (b == UInt8(ascii: "a") && c == UInt8(ascii: "l")) || (b == UInt8(ascii: "i") && c == UInt8(ascii: "f")) { return true }
                case UInt8(ascii: "a"): if b == UInt8(ascii: "d") && c == UInt8(ascii: "g") { return true }
                case UInt8(ascii: "p"):
                    if b == UInt8(ascii: "a") && c == UInt8(ascii: "r") && k + 3 < length && Bytes.lower(key[k + 3]) == UInt8(ascii: "o") { return true }
                case UInt8(ascii: "e"): if b == UInt8(ascii: "s") && c == UInt8(ascii: "l") { return true }  // heslo, geslo
                case UInt8(ascii: "l"): if b == UInt8(ascii: "o") && c == UInt8(ascii: "z") { return true }
                case UInt8(ascii: "j"): if b == UInt8(ascii: "e") && c == UInt8(ascii: "l") { return true }
                default: break
                }
            }
            k += 1
        }
        return false
    }

    // MARK: - AWS secret access keys

    /// 40 characters of base64 (mixed case, with a digit, `/` or `+`) within 256 bytes of an
    /// AWS access key id. Windows are scanned once each, left to right.
    mutating func findAWSSecretKeys() {
        var scannedTo = 0
        let ids = spans.filter(\.isAWSKeyID)
        for id in ids {
            var a = Swift.max(id.start - 256, scannedTo)
            let b = Swift.min(n, id.end + 256)
            while a > 0 && t[Int(p[a - 1])] & ByteClass.base64 != 0 && id.start - a < 300 { a -= 1 }
            var k = a
            while k < b {
                guard t[Int(p[k])] & ByteClass.base64 != 0 else { k += 1; continue }
                let s = k
                while k < n && t[Int(p[k])] & ByteClass.base64 != 0 && k - s <= 40 { k += 1 }
                if k - s == 40 && t2[Int(at(k))] & ByteClass2.base64Padded == 0 && !isWordByte(s - 1) {
                    var upper = false, lower = false, other = false
                    for x in s..<k {
                        let c = p[x]
                        if Bytes.isUpper(c) { upper = true } else if Bytes.isLower(c) { lower = true } else { other = true }
                    }
                    if upper && lower && other && plausibleSecret(s, k, requireVariety: false) {
                        emit(s, k, .secret)
                    }
                }
                while k < n && t[Int(p[k])] & ByteClass.base64 != 0 { k += 1 }
            }
            scannedTo = Swift.max(scannedTo, k)
        }
    }
}
