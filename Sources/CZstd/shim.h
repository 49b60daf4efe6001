#ifndef GATELOG_CZSTD_SHIM_H
#define GATELOG_CZSTD_SHIM_H
#include <zstd.h>
/* For ZDICT_trainFromBuffer_fastCover with fixed parameters (exported by libzstd.so since 1.3.6). */
#define ZDICT_STATIC_LINKING_ONLY
#include <zdict.h>
#endif
