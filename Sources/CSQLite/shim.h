#ifndef PAYSYNC_CSQLITE_SHIM_H
#define PAYSYNC_CSQLITE_SHIM_H
#include <sqlite3.h>

// SQLITE_TRANSIENT is a macro that casts -1 to a function pointer; Swift cannot import it.
static inline sqlite3_destructor_type paysync_sqlite_transient(void) {
    return (sqlite3_destructor_type)-1;
}
#endif
