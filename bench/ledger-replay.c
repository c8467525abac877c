// ledger-replay: paysync's page commits with paysync taken away (`make bench-ledger`).
//
// Reads a ledger that `paysync-bench ledger` filled (BENCH_KEEP_LEDGER) and commits the very same
// rows, page by page, to a fresh ledger with the same schema and settings, issuing the statements
// paysync issues: per page (up to 1,000 objects of one feed) the known-states select per scope
// (`json_each` id list), BEGIN IMMEDIATE, max(id), 100-row INSERTs of objects, transitions and
// outbox rows, the cursor upsert, COMMIT. WAL, synchronous=FULL, 16 MiB cache, temp_store=MEMORY,
// foreign keys on, SQLite's memory statistics off. It prints the CPU seconds of that work alone.
//
// A variant changes one thing, to isolate what the figure is made of:
//   base                 as paysync does it
//   ascending-keys       external ids replaced by ascending ones of the same length
//   no-invoice-index     without the objects_by_invoice_number index
//   no-foreign-keys      PRAGMA foreign_keys = OFF
//   synchronous-normal   PRAGMA synchronous = NORMAL
//   backfill-reads       no writes: only the known-states selects, page by page, against a copy of
//                        the full source ledger (what a backfill of known objects asks the ledger)
//
// usage: ledger-replay SOURCE.db TARGET.db [variant]
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static sqlite3 *db;

static void check(int code, const char *what) {
    if (code != SQLITE_OK && code != SQLITE_DONE && code != SQLITE_ROW) { fprintf(stderr, "%s: %s\n", what, sqlite3_errmsg(db)); exit(1); }
}

static void execute(const char *sql) {
    char *error = 0;
    if (sqlite3_exec(db, sql, 0, 0, &error) != SQLITE_OK) { fprintf(stderr, "%s: %s\n", sql, error); exit(1); }
}

static double cpu_seconds(void) {
    struct timespec time;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time);
    return time.tv_sec + time.tv_nsec / 1e9;
}

typedef struct { int count, columns; sqlite3_value ***rows; } Rows;

static Rows load(sqlite3 *source, const char *sql) {
    sqlite3_stmt *statement;
    if (sqlite3_prepare_v2(source, sql, -1, &statement, 0) != SQLITE_OK) { fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(source)); exit(1); }
    Rows rows = {0, sqlite3_column_count(statement), 0};
    int capacity = 0;
    while (sqlite3_step(statement) == SQLITE_ROW) {
        if (rows.count == capacity) { capacity = capacity ? capacity * 2 : 1024; rows.rows = realloc(rows.rows, capacity * sizeof *rows.rows); }
        rows.rows[rows.count] = malloc(rows.columns * sizeof(sqlite3_value *));
        for (int column = 0; column < rows.columns; column++) rows.rows[rows.count][column] = sqlite3_value_dup(sqlite3_column_value(statement, column));
        rows.count++;
    }
    sqlite3_finalize(statement);
    return rows;
}

// paysync's known-states select: one per scope in a page.
static const char *knownStatesSQL = "SELECT o.external_id, o.* FROM objects o WHERE o.scope = ? AND o.external_id IN (SELECT value FROM json_each(?))";

// Removes a ledger and its WAL files, so each replay starts from nothing.
static void remove_ledger(const char *target) {
    const char *suffixes[] = {"", "-wal", "-shm"};
    for (int index = 0; index < 3; index++) { char path[4096]; snprintf(path, sizeof path, "%s%s", target, suffixes[index]); remove(path); }
}

// The end of the page that starts at `from`: up to 1,000 objects of one feed (the invoices feed is
// scope 1; payments and refunds share the other), as paysync's pages were.
static int page_end(const Rows *objects, int from) {
    int invoices = sqlite3_value_int(objects->rows[from][1]) == 1, to = from;
    while (to < objects->count && to - from < 1000 && (sqlite3_value_int(objects->rows[to][1]) == 1) == invoices) to++;
    return to;
}

// Writes the page's external ids in `scope` as a JSON array into `list`; says whether there were any.
static int scope_list(char *list, const Rows *objects, int from, int to, int scope) {
    int length = sprintf(list, "["), any = 0;
    for (int row = from; row < to; row++) {
        if (sqlite3_value_int(objects->rows[row][1]) != scope) continue;
        length += sprintf(list + length, "%s\"%s\"", any ? "," : "", sqlite3_value_text(objects->rows[row][2]));
        any = 1;
    }
    sprintf(list + length, "]");
    return any;
}

static sqlite3_stmt *prepare(const char *sql) {
    sqlite3_stmt *statement;
    check(sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, 0), sql);
    return statement;
}

// paysync's MultiRowInsert: up to 100 rows per statement, one prepared statement per row count.
static void insert(sqlite3_stmt **cache, const char *table, const char *columns, Rows *rows, int from, int to) {
    for (int start = from; start < to; start += 100) {
        int count = to - start < 100 ? to - start : 100;
        if (!cache[count]) {
            char *sql = malloc(1 << 20);
            int length = sprintf(sql, "INSERT INTO %s (%s) VALUES ", table, columns);
            for (int row = 0; row < count; row++) {
                length += sprintf(sql + length, row ? ",(" : "(");
                for (int column = 0; column < rows->columns; column++) length += sprintf(sql + length, column ? ",?" : "?");
                length += sprintf(sql + length, ")");
            }
            cache[count] = prepare(sql);
            free(sql);
        }
        sqlite3_stmt *statement = cache[count];
        int parameter = 1;
        for (int row = start; row < start + count; row++)
            for (int column = 0; column < rows->columns; column++) sqlite3_bind_value(statement, parameter++, rows->rows[row][column]);
        check(sqlite3_step(statement), table);
        sqlite3_reset(statement);
        sqlite3_clear_bindings(statement);
    }
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: ledger-replay SOURCE.db TARGET.db [variant]\n"); return 2; }
    const char *sourcePath = argv[1], *target = argv[2], *variant = argc > 3 ? argv[3] : "base";
    sqlite3 *source;
    if (sqlite3_open_v2(sourcePath, &source, SQLITE_OPEN_READONLY, 0) != SQLITE_OK) { fprintf(stderr, "cannot open %s\n", sourcePath); return 1; }

    char objectColumns[4096], query[8192];
    sqlite3_stmt *names;
    sqlite3_prepare_v2(source, "SELECT group_concat(name, ', ') FROM pragma_table_info('objects')", -1, &names, 0);
    sqlite3_step(names);
    snprintf(objectColumns, sizeof objectColumns, "%s", (const char *)sqlite3_column_text(names, 0));
    sqlite3_finalize(names);
    const char *transitionColumns = "id, object_id, run_id, observed_at, provider_updated_at, from_status, to_status, changed";
    const char *outboxColumns = "sink, record_key, object_id, changes, from_status, to_status, next_attempt_at, created_run, created_at, updated_at, action, write_key";
    snprintf(query, sizeof query, "SELECT %s FROM objects ORDER BY id", objectColumns);
    Rows objects = load(source, query);
    snprintf(query, sizeof query, "SELECT %s FROM transitions ORDER BY id", transitionColumns);
    Rows transitions = load(source, query);
    snprintf(query, sizeof query, "SELECT %s FROM outbox ORDER BY id", outboxColumns);
    Rows outbox = load(source, query);
    Rows schema = load(source, "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid");
    const char *seeded[] = {"scopes", "runs", "ledger_identity"};
    Rows seeds[3];
    for (int table = 0; table < 3; table++) { snprintf(query, sizeof query, "SELECT * FROM %s", seeded[table]); seeds[table] = load(source, query); }
    if (transitions.count != objects.count) { fprintf(stderr, "expected one transition per object (a first sync's ledger)\n"); return 1; }

    if (strcmp(variant, "ascending-keys") == 0) {
        for (int row = 0; row < objects.count; row++) {
            char key[64];
            snprintf(key, sizeof key, "%036d", row);
            sqlite3_stmt *value;
            sqlite3_prepare_v2(source, "SELECT ?", -1, &value, 0);
            sqlite3_bind_text(value, 1, key, -1, SQLITE_TRANSIENT);
            sqlite3_step(value);
            sqlite3_value_free(objects.rows[row][2]);
            objects.rows[row][2] = sqlite3_value_dup(sqlite3_column_value(value, 0));
            sqlite3_finalize(value);
        }
    }

    if (strcmp(variant, "backfill-reads") == 0) {
        // The full ledger, copied, read page by page the way a backfill reads it.
        remove_ledger(target);
        sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
        if (sqlite3_open(target, &db) != SQLITE_OK) { fprintf(stderr, "cannot create %s\n", target); return 1; }
        sqlite3_backup *backup = sqlite3_backup_init(db, "main", source, "main");
        sqlite3_backup_step(backup, -1);
        sqlite3_backup_finish(backup);
        execute("PRAGMA journal_mode = WAL");
        execute("PRAGMA cache_size = -16384");
        sqlite3_stmt *known = prepare(knownStatesSQL);
        char *list = malloc(1 << 20);
        int pages = 0, found = 0;
        double start = cpu_seconds();
        for (int from = 0; from < objects.count;) {
            int to = page_end(&objects, from);
            for (int scope = 1; scope < 64; scope++) {
                if (!scope_list(list, &objects, from, to, scope)) continue;
                sqlite3_bind_int(known, 1, scope);
                sqlite3_bind_text(known, 2, list, -1, SQLITE_STATIC);
                while (sqlite3_step(known) == SQLITE_ROW) {
                    // Read every column, as paysync does to rebuild each state.
                    for (int column = 0; column < sqlite3_column_count(known); column++) sqlite3_column_value(known, column), sqlite3_column_bytes(known, column);
                    found++;
                }
                sqlite3_reset(known);
            }
            pages++;
            from = to;
        }
        double total = cpu_seconds() - start;
        printf("%-19s %d objects found, %d pages: %.2f CPU s: %.0f objects per CPU-second\n", variant, found, pages, total, objects.count / total);
        return 0;
    }

    remove_ledger(target);
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    if (sqlite3_open(target, &db) != SQLITE_OK) { fprintf(stderr, "cannot create %s\n", target); return 1; }
    execute("PRAGMA journal_mode = WAL");
    execute(strcmp(variant, "synchronous-normal") == 0 ? "PRAGMA synchronous = NORMAL" : "PRAGMA synchronous = FULL");
    execute("PRAGMA cache_size = -16384");
    execute("PRAGMA temp_store = MEMORY");
    execute(strcmp(variant, "no-foreign-keys") == 0 ? "PRAGMA foreign_keys = OFF" : "PRAGMA foreign_keys = ON");
    execute("BEGIN");
    for (int row = 0; row < schema.count; row++) {
        const char *sql = (const char *)sqlite3_value_text(schema.rows[row][0]);
        if (strcmp(variant, "no-invoice-index") == 0 && strstr(sql, "objects_by_invoice_number")) continue;
        execute(sql);
    }
    for (int table = 0; table < 3; table++) {
        for (int row = 0; row < seeds[table].count; row++) {
            char sql[256];
            int length = snprintf(sql, sizeof sql, "INSERT INTO %s VALUES (", seeded[table]);
            for (int column = 0; column < seeds[table].columns; column++) length += snprintf(sql + length, sizeof sql - length, column ? ",?" : "?");
            snprintf(sql + length, sizeof sql - length, ")");
            sqlite3_stmt *statement = prepare(sql);
            for (int column = 0; column < seeds[table].columns; column++) sqlite3_bind_value(statement, column + 1, seeds[table].rows[row][column]);
            check(sqlite3_step(statement), seeded[table]);
            sqlite3_finalize(statement);
        }
    }
    execute("COMMIT");

    sqlite3_stmt *objectInserts[101] = {0}, *transitionInserts[101] = {0}, *outboxInserts[101] = {0};
    sqlite3_stmt *known = prepare(knownStatesSQL);
    sqlite3_stmt *maxObject = prepare("SELECT max(id) FROM objects");
    sqlite3_stmt *maxTransition = prepare("SELECT max(id) FROM transitions");
    sqlite3_stmt *cursor = prepare(
        "INSERT INTO cursors (provider, account, entity, updated_at, last_id, hold_since, run_id, moved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (provider, account, entity) DO UPDATE SET updated_at = coalesce(excluded.updated_at, cursors.updated_at), "
        "last_id = CASE WHEN excluded.updated_at IS NULL THEN cursors.last_id ELSE excluded.last_id END, "
        "hold_since = excluded.hold_since, run_id = excluded.run_id, moved_at = excluded.moved_at");

    double start = cpu_seconds(), knownSeconds = 0, objectSeconds = 0, otherSeconds = 0, commitSeconds = 0;
    int pages = 0, nextOutbox = 0, scopeSeen[64] = {0};
    char *list = malloc(1 << 20);
    for (int from = 0; from < objects.count;) {
        int to = page_end(&objects, from), invoices = sqlite3_value_int(objects.rows[from][1]) == 1;
        double t0 = cpu_seconds();
        for (int scope = 1; scope < 64; scope++) {  // one select per scope in the page, once the scope exists
            int any = scope_list(list, &objects, from, to, scope);
            if (any && scopeSeen[scope]) {
                sqlite3_bind_int(known, 1, scope);
                sqlite3_bind_text(known, 2, list, -1, SQLITE_STATIC);
                while (sqlite3_step(known) == SQLITE_ROW) {}
                sqlite3_reset(known);
            }
            if (any) scopeSeen[scope] = 1;
        }
        double t1 = cpu_seconds();
        execute("BEGIN IMMEDIATE");
        sqlite3_step(maxObject); sqlite3_reset(maxObject);
        insert(objectInserts, "objects", objectColumns, &objects, from, to);
        double t2 = cpu_seconds();
        sqlite3_step(maxTransition); sqlite3_reset(maxTransition);
        insert(transitionInserts, "transitions", transitionColumns, &transitions, from, to);
        int firstOutbox = nextOutbox;
        sqlite3_int64 lastObject = sqlite3_value_int64(objects.rows[to - 1][0]);
        while (nextOutbox < outbox.count && sqlite3_value_int64(outbox.rows[nextOutbox][2]) <= lastObject) nextOutbox++;
        insert(outboxInserts, "outbox", outboxColumns, &outbox, firstOutbox, nextOutbox);
        sqlite3_bind_text(cursor, 1, "xero", -1, SQLITE_STATIC);
        sqlite3_bind_text(cursor, 2, "tenant", -1, SQLITE_STATIC);
        sqlite3_bind_text(cursor, 3, invoices ? "invoices" : "payments", -1, SQLITE_STATIC);
        sqlite3_bind_value(cursor, 4, objects.rows[to - 1][3]);
        sqlite3_bind_value(cursor, 5, objects.rows[to - 1][2]);
        sqlite3_bind_null(cursor, 6);
        sqlite3_bind_int(cursor, 7, 1);
        sqlite3_bind_int(cursor, 8, 1);
        check(sqlite3_step(cursor), "cursor");
        sqlite3_reset(cursor);
        double t3 = cpu_seconds();
        execute("COMMIT");
        double t4 = cpu_seconds();
        knownSeconds += t1 - t0; objectSeconds += t2 - t1; otherSeconds += t3 - t2; commitSeconds += t4 - t3;
        pages++;
        from = to;
    }
    double total = cpu_seconds() - start;
    printf("%-19s %d objects, %d outbox rows, %d pages: %.2f CPU s (known states %.2f, objects %.2f, transitions + outbox + cursor %.2f, "
           "COMMIT %.2f): %.0f objects per CPU-second\n",
           variant, objects.count, outbox.count, pages, total, knownSeconds, objectSeconds, otherSeconds, commitSeconds, objects.count / total);
    return 0;
}
