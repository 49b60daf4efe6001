#ifndef GATELOG_CCRYPTO_SHIM_H
#define GATELOG_CCRYPTO_SHIM_H
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/sha.h>

/// OPENSSL_free is a macro; Swift cannot import it.
static inline void gatelog_openssl_free(void *p) { OPENSSL_free(p); }
#endif
