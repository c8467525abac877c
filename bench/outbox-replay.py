"""outbox-replay: the outbox drain's ledger work with paysync taken away (`make bench-ledger`).

Fills an outbox of N rows of paysync's shape (one write per record), then drains it with the
statements paysync's drain issues per batch of 100 records, in one transaction each: settle the
last batch (DELETE by a json_each id list), find the next records, read their due rows, mark
them sending (UPDATE by id list), COMMIT. WAL, synchronous=FULL, 16 MiB cache,
temp_store=MEMORY; the system libsqlite3 through Python's sqlite3 module. Prints CPU seconds.

usage: outbox-replay.py CLAIM KEYS [N]
  CLAIM  key-order    records in record-key order; index (sink, state, record_key, id)
                      (paysync before migration 0008)
         queue-order  records in row-id order, each with all its due rows; indexes
                      (sink, state, id) and (sink, record_key) (paysync from migration 0008)
  KEYS   random       record keys in no relation to row ids (a real first sync: invoices
                      arrive in update order, not number order)
         ascending    record keys ascending with row ids
"""
import json, os, random, sys, tempfile, time

import sqlite3

claim, keys_order = sys.argv[1], sys.argv[2]
count = int(sys.argv[3]) if len(sys.argv) > 3 else 100_000
assert claim in ("key-order", "queue-order") and keys_order in ("random", "ascending")
path = os.path.join(tempfile.mkdtemp(prefix="outbox-replay"), "ledger.db")
db = sqlite3.connect(path, isolation_level=None)
for pragma in ("journal_mode = WAL", "synchronous = FULL", "cache_size = -16384", "temp_store = MEMORY"):
    db.execute(f"PRAGMA {pragma}")
db.execute("""CREATE TABLE outbox (id INTEGER PRIMARY KEY, sink TEXT NOT NULL, record_key TEXT NOT NULL, object_id INTEGER NOT NULL,
    changes TEXT NOT NULL, from_status TEXT, to_status TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL, last_error TEXT, created_run INTEGER, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
    action TEXT, write_key TEXT)""")
if claim == "key-order":
    db.execute("CREATE INDEX outbox_by_sink_state ON outbox (sink, state, record_key, id)")
else:
    db.execute("CREATE INDEX outbox_in_queue_order ON outbox (sink, state, id)")
    db.execute("CREATE INDEX outbox_by_record ON outbox (sink, record_key)")
random.seed(1)
numbers = random.sample(range(10**9), count) if keys_order == "random" else range(count)
changes = '{"status":[null,"paid"],"amount_paid":[null,"120.00"],"amount_due":[null,"0.00"],"last_payment_date":[null,"2025-01-02"]}'
db.execute("BEGIN")
db.executemany("""INSERT INTO outbox (sink, record_key, object_id, changes, to_status, next_attempt_at, created_at, updated_at, write_key)
    VALUES ('hubspot', ?, ?, ?, 'paid', 0, 0, 0, ?)""",
               [(f"INV-{number:09d}", row, changes, f"0123456789abcdef0123456789abcdef:hubspot:{row}:0") for row, number in enumerate(numbers)])
db.execute("COMMIT")

start = time.process_time()
commit_seconds = 0.0
position, last_key, sent, batches = 0, "", None, 0
while True:
    db.execute("BEGIN IMMEDIATE")
    if sent:
        db.execute("DELETE FROM outbox WHERE id IN (SELECT value FROM json_each(?)) AND state IN ('sending')", (json.dumps(sent),))
    if claim == "key-order":
        keys = [row[0] for row in db.execute("""SELECT DISTINCT record_key FROM outbox WHERE sink = 'hubspot' AND state = 'pending'
            AND next_attempt_at <= 1 AND record_key > ? ORDER BY record_key LIMIT 100""", (last_key,))]
        rows = db.execute("""SELECT id, changes, write_key FROM outbox WHERE sink = 'hubspot' AND state = 'pending' AND next_attempt_at <= 1
            AND record_key >= ? AND record_key <= ? ORDER BY record_key, id""", (keys[0], keys[-1])).fetchall() if keys else []
    else:
        keys, seen = [], set()
        for row_id, key in db.execute("""SELECT id, record_key FROM outbox INDEXED BY outbox_in_queue_order WHERE sink = 'hubspot'
                AND state = 'pending' AND id > ? AND next_attempt_at <= 1 ORDER BY id""", (position,)):
            if key in seen:
                continue
            seen.add(key)
            keys.append(key)
            position = row_id
            if len(keys) == 100:
                break
        rows = db.execute("""SELECT id, changes, write_key FROM outbox WHERE sink = 'hubspot' AND record_key IN (SELECT value FROM json_each(?))
            AND state = 'pending' AND next_attempt_at <= 1 ORDER BY record_key, id""", (json.dumps(keys),)).fetchall()
    if not keys:
        db.execute("COMMIT")
        break
    sent = [row[0] for row in rows]
    db.execute("""UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated_at = 1
        WHERE id IN (SELECT value FROM json_each(?)) AND state IN ('pending')""", (json.dumps(sent),))
    before = time.process_time()
    db.execute("COMMIT")
    commit_seconds += time.process_time() - before
    last_key, batches = keys[-1], batches + 1
seconds = time.process_time() - start
left = db.execute("SELECT count(*) FROM outbox WHERE state = 'pending'").fetchone()[0]
assert left == 0, f"{left} rows were never claimed"
print(f"{claim:<12} {keys_order:<10} {count} writes, {batches} batches: {seconds:.2f} CPU s (COMMIT {commit_seconds:.2f}): "
      f"{count / seconds:,.0f} writes per CPU-second")
