#ifndef GATELOG_CSQLITE_SHIM_H
#define GATELOG_CSQLITE_SHIM_H
#include <sqlite3.h>

/// SQLITE_TRANSIENT is a function-like cast macro Swift cannot import.
static inline sqlite3_destructor_type gatelog_sqlite_transient(void) { return SQLITE_TRANSIENT; }
static inline sqlite3_destructor_type gatelog_sqlite_static(void) { return SQLITE_STATIC; }
#endif
