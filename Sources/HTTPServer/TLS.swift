internal import CSSL
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// TLS settings: PEM files for the certificate chain and private key. TLS 1.2 is the minimum version.
public struct TLSConfiguration: Sendable, Equatable {
    /// Path of a PEM file holding the server certificate followed by any intermediates.
    public var certificateChainPath: String
    /// Path of a PEM file holding the private key (unencrypted).
    public var privateKeyPath: String

    /// Creates a configuration.
    public init(certificateChainPath: String, privateKeyPath: String) {
        self.certificateChainPath = certificateChainPath
        self.privateKeyPath = privateKeyPath
    }

    /// Loads the certificate chain and the key as the server will, and throws what is wrong with
    /// them: lets a command refuse bad TLS files before it creates or opens anything else.
    public func check() throws(HTTPServerError) {
        _ = try TLSContext(self)
    }
}

/// An OpenSSL server context. The pointer is only used under the mutex, so the class is Sendable.
final class TLSContext: Sendable {
    private let context: Mutex<OpaquePointer>

    init(_ configuration: TLSConfiguration) throws(HTTPServerError) {
        guard let ctx = SSL_CTX_new(TLS_server_method()) else {
            throw HTTPServerError(.tlsConfiguration, "cannot create a TLS context")
        }
        ERR_clear_error()
        guard gatelog_ssl_ctx_set_min_tls12(ctx) == 1 else {
            SSL_CTX_free(ctx)
            throw HTTPServerError(.tlsConfiguration, "cannot set the minimum TLS version")
        }
        gatelog_ssl_ctx_disable_renegotiation(ctx)
        gatelog_ssl_ctx_refuse_passphrase(ctx)
        _ = gatelog_ssl_ctx_set_mode(ctx, gatelog_ssl_nonblocking_modes())
        let certificate = configuration.certificateChainPath, key = configuration.privateKeyPath
        guard SSL_CTX_use_certificate_chain_file(ctx, certificate) == 1 else {
            SSL_CTX_free(ctx)
            ERR_clear_error()
            throw HTTPServerError(.tlsConfiguration, "cannot load the TLS certificate chain \(certificate): "
                                  + (TLSContext.fileProblem(certificate) ?? "it holds no PEM certificate OpenSSL accepts"))
        }
        guard SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) == 1 else {
            // OpenSSL checks the key against the certificate as it loads it.
            var text = [UInt8](repeating: 0, count: 256)
            text.withUnsafeMutableBufferPointer { b in
                b.withMemoryRebound(to: CChar.self) { ERR_error_string_n(ERR_peek_last_error(), $0.baseAddress, $0.count) }
            }
            let mismatch = String(decoding: text.prefix { $0 != 0 }, as: UTF8.self).contains("mismatch")
            SSL_CTX_free(ctx)
            ERR_clear_error()
            let reason = TLSContext.fileProblem(key)
                ?? (TLSContext.isEncryptedKey(key) ? "it is encrypted; gatelog needs an unencrypted key (keep it mode 0600)"
                    : mismatch ? "it does not match the certificate \(certificate)" : "it holds no PEM private key OpenSSL accepts")
            throw HTTPServerError(.tlsConfiguration, "cannot load the TLS private key \(key): \(reason)")
        }
        guard SSL_CTX_check_private_key(ctx) == 1 else {
            SSL_CTX_free(ctx)
            ERR_clear_error()
            throw HTTPServerError(.tlsConfiguration, "the TLS private key \(key) does not match the certificate \(certificate)")
        }
        certificateWarning = TLSContext.validityProblem(ctx, path: certificate)
        context = Mutex(ctx)
    }

    /// Why clients will refuse the certificate although it loaded (expired, or not valid yet), or nil.
    let certificateWarning: String?

    private static func validityProblem(_ ctx: OpaquePointer, path: String) -> String? {
        guard let x509 = SSL_CTX_get0_certificate(ctx) else { return nil }
        if let notAfter = X509_get0_notAfter(x509), X509_cmp_current_time(notAfter) < 0 {
            return "the TLS certificate \(path) has expired: clients will refuse it"
        }
        if let notBefore = X509_get0_notBefore(x509), X509_cmp_current_time(notBefore) > 0 {
            return "the TLS certificate \(path) is not valid yet: clients will refuse it"
        }
        return nil
    }

    deinit {
        context.withLock { SSL_CTX_free($0) }
    }

    /// Why `path` cannot be read as a PEM file (missing, a directory, unreadable, empty), or nil.
    static func fileProblem(_ path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0 else { return String(cString: strerror(errno)) }
        if (st.st_mode & S_IFMT) == S_IFDIR { return "it is a directory" }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return String(cString: strerror(errno)) }
        close(fd)
        if st.st_size == 0 { return "the file is empty" }
        return nil
    }

    /// Whether the PEM file at `path` holds an encrypted private key (PKCS#8 `ENCRYPTED PRIVATE
    /// KEY` or a legacy `Proc-Type: 4,ENCRYPTED` header). Reads at most 64 KiB.
    static func isEncryptedKey(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return false }
        let text = String(decoding: buffer[0..<n], as: UTF8.self)
        return text.contains("ENCRYPTED PRIVATE KEY") || text.contains("Proc-Type: 4,ENCRYPTED")
    }

    /// Creates a per-connection SSL object on `fd`.
    func makeConnection(fd: Int32) -> OpaquePointer? {
        context.withLock { ctx in
            guard let ssl = SSL_new(ctx) else { return nil }
            guard SSL_set_fd(ssl, fd) == 1 else {
                SSL_free(ssl)
                return nil
            }
            return ssl
        }
    }
}

/// TLS over a non-blocking socket, driven by poll() on WANT_READ/WANT_WRITE. Owned by one connection thread.
final class TLSTransport: Transport {
    private let fd: Int32
    private let ssl: OpaquePointer

    /// Performs the server handshake before `deadline`; nil when it fails, times out, or `wakeFD`
    /// becomes readable (shutdown).
    init?(context: TLSContext, fd: Int32, deadline: UInt64, wakeFD: Int32? = nil) {
        if TLSTransport.answerPlainHTTP(fd: fd, deadline: deadline, wakeFD: wakeFD) { return nil }
        guard let ssl = context.makeConnection(fd: fd) else { return nil }
        self.fd = fd
        self.ssl = ssl
        while true {
            ERR_clear_error()
            let rc = SSL_accept(ssl)
            if rc == 1 { break }
            let events: Int16
            switch SSL_get_error(ssl, rc) {
            case SSL_ERROR_WANT_READ: events = Int16(POLLIN)
            case SSL_ERROR_WANT_WRITE: events = Int16(POLLOUT)
            default:
                ERR_clear_error()
                return nil
            }
            guard case .ready = Sockets.wait(fd, events: events, deadline: deadline, wakeFD: wakeFD) else { return nil }
        }
    }

    deinit {
        SSL_free(ssl)
    }

    /// A client that sends plain HTTP to the TLS port (`http://` instead of `https://`) gets a
    /// plaintext 400 that says so, instead of a reset connection: a TLS handshake starts with a
    /// record of type 22 (0x16), an HTTP request with an upper-case method letter. Peeks at the
    /// first byte without consuming it; true when the connection was answered and must close.
    static func answerPlainHTTP(fd: Int32, deadline: UInt64, wakeFD: Int32?) -> Bool {
        guard case .ready = Sockets.wait(fd, events: Int16(POLLIN), deadline: deadline, wakeFD: wakeFD) else { return false }
        var first: UInt8 = 0
        let n = recv(fd, &first, 1, Int32(MSG_PEEK))
        guard n == 1, first >= UInt8(ascii: "A"), first <= UInt8(ascii: "Z") else { return false }
        let body = HTTPResponse.errorBody(code: "plain_http_on_tls_port",
                                          message: "this port speaks HTTPS: the request was sent as plain HTTP (use https://)")
        let head = "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        let response = Array(head.utf8) + body
        _ = response.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        // Let the client read the answer before the close (a close with unread request bytes
        // would reset the connection and could discard it).
        shutdown(fd, Int32(SHUT_WR))
        var sink = [UInt8](repeating: 0, count: 4096)
        let drainUntil = min(deadline, Monotonic.now() + Monotonic.nanoseconds(.milliseconds(500)))
        while case .ready = Sockets.wait(fd, events: Int16(POLLIN), deadline: drainUntil, wakeFD: wakeFD) {
            let r = sink.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if r <= 0 { break }
        }
        return true
    }

    func read(into buffer: UnsafeMutableRawBufferPointer, deadline: UInt64, wakeFD: Int32?) -> ReadResult {
        while true {
            ERR_clear_error()
            let n = SSL_read(ssl, buffer.baseAddress, Int32(clamping: buffer.count))
            if n > 0 { return .bytes(Int(n)) }
            let events: Int16
            switch SSL_get_error(ssl, n) {
            case SSL_ERROR_WANT_READ: events = Int16(POLLIN)
            case SSL_ERROR_WANT_WRITE: events = Int16(POLLOUT)
            case SSL_ERROR_ZERO_RETURN: return .endOfStream
            case SSL_ERROR_SYSCALL where n == 0: return .endOfStream
            default:
                ERR_clear_error()
                return .failed
            }
            switch Sockets.wait(fd, events: events, deadline: deadline, wakeFD: wakeFD) {
            case .ready: continue
            case .timeout: return .timeout
            case .woken: return .woken
            }
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer, deadline: UInt64) throws {
        var offset = 0
        while offset < bytes.count {
            ERR_clear_error()
            let n = SSL_write(ssl, bytes.baseAddress! + offset, Int32(clamping: bytes.count - offset))
            if n > 0 { offset += Int(n); continue }
            let events: Int16
            switch SSL_get_error(ssl, n) {
            case SSL_ERROR_WANT_READ: events = Int16(POLLIN)
            case SSL_ERROR_WANT_WRITE: events = Int16(POLLOUT)
            default:
                ERR_clear_error()
                throw HTTPServerError(.writeFailed, "sending to the TLS client failed")
            }
            if case .timeout = Sockets.wait(fd, events: events, deadline: deadline, wakeFD: nil) {
                throw HTTPServerError(.writeFailed, "sending to the TLS client timed out")
            }
        }
    }

    func finishWrites() {
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
        ERR_clear_error()
        _ = shutdown(fd, Int32(SHUT_WR))
    }
}
