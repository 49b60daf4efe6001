#ifndef GATELOG_CZSTD_SHIM_H
#define GATELOG_CZSTD_SHIM_H
#include <zstd.h>
#include <zdict.h>
#endif
