#ifndef PAYSYNC_CSQLITE_SHIM_H
#define PAYSYNC_CSQLITE_SHIM_H
#include <sqlite3.h>

// SQLITE_TRANSIENT is a macro that casts -1 to a function pointer; Swift cannot import it.
static inline sqlite3_destructor_type paysync_sqlite_transient(void) {
    return (sqlite3_destructor_type)-1;
}

// sqlite3_config is variadic; Swift cannot call it. Turns off SQLite's memory statistics (a
// global mutex and counter update on every allocation). Must run before the library is first
// used; returns SQLITE_MISUSE (harmlessly) afterwards.
static inline int paysync_sqlite_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
#endif
