#ifndef GATELOG_CCRYPTO_SHIM_H
#define GATELOG_CCRYPTO_SHIM_H
/* SHA256_Init/Update/Final are deprecated in OpenSSL 3 in favour of EVP, but still built and
   supported (Debian and Ubuntu build them). They hash in a caller-owned context, with the same
   assembly (SHA-NI where present) as EVP, and without EVP_Digest's per-call context allocation and
   provider dispatch: 57-96 ns instead of ~200 ns for the 8-73 byte messages hashed per record
   (docs/PERFORMANCE.md, session 5). */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/sha.h>

/// OPENSSL_free is a macro; Swift cannot import it.
static inline void gatelog_openssl_free(void *p) { OPENSSL_free(p); }

/// SHA-256 of `length` bytes at `data` into `digest` (32 bytes), in a context on the stack.
static inline void gatelog_sha256(const void *data, size_t length, unsigned char *digest) {
    SHA256_CTX context;
    SHA256_Init(&context);
    SHA256_Update(&context, data, length);
    SHA256_Final(digest, &context);
}
#endif
