"""Runs the unmodified Singer tap for Xero (tap-xero) against paysync's loopback fake Xero.

`make bench-peers` uses it to compare paysync with the tool users would pick instead, on the
same server and data. Nothing of the tap is changed: requests to Xero's two hosts are rewritten
to the fake server's address, and the catalog selects the invoices and payments streams (the
ones paysync reads), built with the tap's own schema and metadata functions.

usage: python tap_xero_loopback.py BASE_URL CONFIG_JSON CATALOG_JSON [tap-xero arguments...]
  BASE_URL      http://127.0.0.1:PORT of the fake server
  CONFIG_JSON   the tap's config file (written by the caller; the tap rewrites it with the
                rotated refresh token, as it does in production)
  CATALOG_JSON  written here before the tap starts
With PEAK_RSS_FILE set, the process's peak resident memory (VmHWM, kB) is written there at exit.
"""
import json
import sys

import tap_xero
from tap_xero import streams as tap_streams

from loopback import redirect, report_at_exit

base_url, config_path, catalog_path = sys.argv[1], sys.argv[2], sys.argv[3]
redirect(("https://api.xero.com", "https://identity.xero.com"), base_url)
report_at_exit()

selected = {"invoices", "payments"}
catalog = {"streams": []}
for stream in tap_streams.all_streams:
    if stream.tap_stream_id not in selected:
        continue
    schema = tap_xero.load_schema(stream.tap_stream_id)
    metadata = tap_xero.load_metadata(stream, schema)
    for entry in metadata:
        if not entry["breadcrumb"]:
            entry["metadata"]["selected"] = True
    catalog["streams"].append({
        "stream": stream.tap_stream_id, "tap_stream_id": stream.tap_stream_id,
        "key_properties": stream.pk_fields, "schema": schema, "metadata": metadata,
    })
with open(catalog_path, "w") as handle:
    json.dump(catalog, handle)

sys.argv = ["tap-xero", "--config", config_path, "--catalog", catalog_path] + sys.argv[4:]
tap_xero.main()
