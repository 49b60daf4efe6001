#ifndef GATELOG_CSSL_SHIM_H
#define GATELOG_CSSL_SHIM_H
#include <openssl/ssl.h>
#include <openssl/err.h>

/// SSL_CTX_set_mode is a macro; Swift cannot import it.
static inline long gatelog_ssl_ctx_set_mode(SSL_CTX *ctx, long mode) { return SSL_CTX_set_mode(ctx, mode); }

/// SSL_CTX_set_min_proto_version is a macro; Swift cannot import it.
static inline int gatelog_ssl_ctx_set_min_tls12(SSL_CTX *ctx) {
    return (int)SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
}

/// SSL_CTX_set_options returns a uint64_t in OpenSSL 3 and is a function there, but a macro in some builds.
static inline void gatelog_ssl_ctx_disable_renegotiation(SSL_CTX *ctx) {
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
}

/// The mode flags the server uses for non-blocking sockets.
static inline long gatelog_ssl_nonblocking_modes(void) {
    return SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER;
}
/// A passphrase callback that supplies none: an encrypted private key then fails to load at once,
/// instead of OpenSSL prompting on the terminal (which hung a start with a terminal attached).
static inline int gatelog_no_passphrase(char *buf, int size, int rwflag, void *userdata) {
    (void)buf; (void)size; (void)rwflag; (void)userdata;
    return -1;
}

static inline void gatelog_ssl_ctx_refuse_passphrase(SSL_CTX *ctx) {
    SSL_CTX_set_default_passwd_cb(ctx, gatelog_no_passphrase);
}
#endif
