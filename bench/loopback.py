"""What both peer wrappers (tap_xero_loopback.py, tap_quickbooks_loopback.py) do around an
unmodified Singer tap: send its requests for the provider's hosts to the fake server instead, and
report the process's peak resident memory at exit."""
import atexit
import os

import requests


def redirect(hosts, base_url):
    """Rewrites requests to `hosts` (https://…) so they reach `base_url`, after the client library
    has checked the original address (requests-oauthlib insists on HTTPS)."""
    original_send = requests.Session.send

    def send_to_loopback(session, request, **kwargs):
        for host in hosts:
            if request.url.startswith(host):
                request.url = base_url + request.url[len(host):]
        return original_send(session, request, **kwargs)

    requests.Session.send = send_to_loopback


def peak_rss_kb():
    """VmHWM of this process, kB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return line.split()[1]
    return "0"


def report_at_exit(extra=None):
    """At exit: peak RSS to $PEAK_RSS_FILE, and `extra()`'s text to $RECORD_COUNT_FILE, when set."""
    def report():
        path = os.environ.get("PEAK_RSS_FILE")
        if path:
            with open(path, "w") as out:
                out.write(peak_rss_kb())
        path = os.environ.get("RECORD_COUNT_FILE")
        if path and extra:
            with open(path, "w") as out:
                out.write(extra())

    atexit.register(report)
