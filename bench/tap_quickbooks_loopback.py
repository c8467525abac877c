"""Runs the unmodified Singer tap for QuickBooks Online (tap-quickbooks) against paysync's loopback
fake QuickBooks.

`make bench-peers` uses it beside tap_xero_loopback.py: the same comparison on the second
accounting source. Nothing of the tap is changed: requests to Intuit's two hosts are rewritten to
the fake server's address (after requests-oauthlib has checked them, so its HTTPS rule still
holds), and the catalog selects the invoices and payments streams (the ones paysync reads), built
by the tap's own discovery.

usage: python tap_quickbooks_loopback.py BASE_URL CONFIG_JSON CATALOG_JSON
  BASE_URL      http://127.0.0.1:PORT of the fake server
  CONFIG_JSON   the tap's config file (the tap rewrites it with the rotated refresh token)
  CATALOG_JSON  written here before the tap starts
At exit, with PEAK_RSS_FILE set, the process's peak resident memory (VmHWM, kB) is written there,
and with RECORD_COUNT_FILE set, the number of records the tap emitted (its batch streams report
no record_count metric).
"""
import json
import sys

import singer

import tap_quickbooks
from tap_quickbooks.discover import do_discover

from loopback import redirect, report_at_exit

base_url, config_path, catalog_path = sys.argv[1], sys.argv[2], sys.argv[3]
redirect(("https://quickbooks.api.intuit.com", "https://oauth.platform.intuit.com"), base_url)

records = 0
original_write_record = singer.write_record


def counting_write_record(*args, **kwargs):
    global records
    records += 1
    return original_write_record(*args, **kwargs)


singer.write_record = counting_write_record
report_at_exit(lambda: str(records))

selected = {"invoices", "payments"}
catalog = do_discover().to_dict()
catalog["streams"] = [stream for stream in catalog["streams"] if stream["tap_stream_id"] in selected]
for stream in catalog["streams"]:
    for entry in stream["metadata"]:
        if not entry["breadcrumb"]:
            entry["metadata"]["selected"] = True
with open(catalog_path, "w") as handle:
    json.dump(catalog, handle)

sys.argv = ["tap-quickbooks", "--config", config_path, "--catalog", catalog_path]
tap_quickbooks.main()
