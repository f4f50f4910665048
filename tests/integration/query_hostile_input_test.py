#!/usr/bin/env python3
"""Every ariadne-query endpoint with bad and hostile parameters (issue 5): huge limits, negative
durations, invalid ids, bad JSON tags, path traversal in static paths, oversized requests. Each
answer must be a 4xx with a message, never a 5xx, a hang or a crash; the process must still serve
afterwards.

Usage: query_hostile_input_test.py <ariadne-all-in-one> <repository root>
Standard library only; every listener is on 127.0.0.1 with ports picked free by the OS.
"""
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

from process_support import free_port, agent_udp_flags
import process_support

BINARY = ""
ROOT = ""
BASE = "/jaeger"
FIXTURE_TRACE = "a1b2c3d4e5f607180000000000000001"

# (target under the base path, what the 4xx must say: a fragment of the message). Parameters
# Jaeger ignores stay ignored (an unknown parameter, `raw=maybe` read as false).
HOSTILE_GETS = [
    # search
    ("/api/traces", "parameter 'service' is required"),
    ("/api/traces?service=frontend&limit=99999999999999999999999", "limit"),
    ("/api/traces?service=frontend&limit=-1", "limit"),
    ("/api/traces?service=frontend&limit=1000000000", "limit"),
    ("/api/traces?service=frontend&minDuration=-5ms", "minDuration"),
    ("/api/traces?service=frontend&maxDuration=-1h", "maxDuration"),
    ("/api/traces?service=frontend&minDuration=10s&maxDuration=1s", "maxDuration"),
    ("/api/traces?service=frontend&minDuration=5parsecs", "minDuration"),
    ("/api/traces?service=frontend&start=abc", "start"),
    ("/api/traces?service=frontend&end=1e400", "end"),
    ("/api/traces?service=frontend&start=-1", "start"),
    ("/api/traces?service=frontend&start=99999999999999999999999", "start"),
    ("/api/traces?service=frontend&tags=%7Bbad", "tags"),
    ("/api/traces?service=frontend&tags=%5B1%2C2%5D", "tags"),
    ("/api/traces?service=frontend&tags=%7B%22a%22%3A%7B%22b%22%3A1%7D%7D", "tags"),
    ("/api/traces?service=frontend&tag=novalue", "tag"),
    ("/api/traces?traceID=zz", "trace id"),
    ("/api/traces?traceID=" + "a" * 33, "trace id"),
    # one trace
    ("/api/traces/zz", "trace id"),
    ("/api/traces/" + "f" * 33, "trace id"),
    ("/api/traces/%00", "trace id"),
    ("/api/traces/..%2f..%2fetc%2fpasswd", "trace id"),
    # services and operations
    ("/api/operations", "parameter 'service' is required"),
    ("/api/operations?service=frontend&spanKind=SERVER", "spanKind"),
    # dependencies
    ("/api/dependencies?endTs=abc", "endTs"),
    ("/api/dependencies?lookback=-5", "lookback"),
    ("/api/dependencies?endTs=99999999999999999999999", "endTs"),
    # api_v3
    ("/api/v3/traces?query.service_name=frontend&query.start_time_min=yesterday&"
     "query.start_time_max=2026-01-01T00:00:00Z", "start_time_min"),
    ("/api/v3/traces?query.service_name=frontend", "start_time"),
    ("/api/v3/traces?query.service_name=frontend&query.start_time_min=2026-01-02T00:00:00Z&"
     "query.start_time_max=2026-01-01T00:00:00Z", "start_time"),
    ("/api/v3/traces?query.service_name=frontend&query.start_time_min=2026-01-01T00:00:00Z&"
     "query.start_time_max=2026-01-02T00:00:00Z&query.num_traces=-3", "num_traces"),
    ("/api/v3/traces?query.service_name=frontend&query.start_time_min=2026-01-01T00:00:00Z&"
     "query.start_time_max=2026-01-02T00:00:00Z&query.duration_min=-1s", "duration_min"),
    ("/api/v3/traces/zz", "trace"),
    ("/api/v3/operations", "service"),
]

# Static paths that try to leave the UI's files: never a file from outside, never a 5xx.
TRAVERSALS = [
    "/static/../../../../etc/passwd",
    "/static/..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/static/..%5c..%5c..%5cetc%5cpasswd",
    "/static/%00../etc/passwd",
    "/static//etc/passwd",
    "/../../../etc/passwd",
]


def raw_request(port, method, target, body=None, headers=None):
    """Sends `target` exactly as given (no normalization) and returns (status, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, target, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


class QueryHostileInput(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.directory = tempfile.mkdtemp(prefix="ariadne-hostile-test-")
        cls.ports = {name: free_port() for name in ("admin", "query", "otlp_http")}
        cls.process = subprocess.Popen(
            [BINARY, "--memory", f"--query.base-path={BASE}",
             f"--admin.http.host-port=127.0.0.1:{cls.ports['admin']}",
             f"--query.http-server.host-port=127.0.0.1:{cls.ports['query']}",
             f"--query.grpc-server.host-port=127.0.0.1:{free_port()}",
             f"--collector.otlp.grpc.host-port=127.0.0.1:{free_port()}",
             f"--collector.otlp.http.host-port=127.0.0.1:{cls.ports['otlp_http']}",
             f"--collector.grpc-server.host-port=127.0.0.1:{free_port()}",
             f"--collector.http-server.host-port=127.0.0.1:{free_port()}",
             f"--http-server.host-port=127.0.0.1:{free_port()}"] + agent_udp_flags(),
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while True:
            try:
                if raw_request(cls.ports["admin"], "GET", "/")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or cls.process.poll() is not None:
                raise AssertionError("all-in-one did not start")
            time.sleep(0.05)
        status, _ = raw_request(cls.ports["otlp_http"], "POST", "/v1/traces",
                                process_support.fixture(ROOT, "otlp-http-export-request.json"),
                                {"Content-Type": "application/json"})
        assert status == 200
        while raw_request(cls.ports["query"], "GET", f"{BASE}/api/traces/{FIXTURE_TRACE}")[0] != 200:
            if time.monotonic() > deadline:
                raise AssertionError("the fixture trace was not saved")
            time.sleep(0.05)

    @classmethod
    def tearDownClass(cls):
        cls.process.terminate()
        cls.process.communicate(timeout=60)
        subprocess.run(["rm", "-rf", cls.directory], check=False)

    def tearDown(self):
        self.assertIsNone(self.process.poll(), "ariadne-all-in-one exited")

    def query(self, method, target, body=None, headers=None):
        return raw_request(self.ports["query"], method, target, body, headers)

    def test_bad_parameters_are_4xx_with_a_message_that_names_them(self):
        for target, says in HOSTILE_GETS:
            with self.subTest(target=target):
                status, body = self.query("GET", BASE + target)
                self.assertTrue(400 <= status < 500, f"{status} {body[:300]!r}")
                self.assertIn(says.encode(), body)

    def test_static_paths_never_leave_the_ui_files(self):
        for target in TRAVERSALS:
            for prefix in (BASE, ""):
                with self.subTest(target=prefix + target):
                    status, body = self.query("GET", prefix + target)
                    self.assertLess(status, 500, body[:300])
                    self.assertNotIn(b"root:", body)  # /etc/passwd's first line

    def test_oversized_requests_are_refused(self):
        status, _ = self.query("GET", f"{BASE}/api/traces?service=" + "x" * 200_000)
        self.assertTrue(400 <= status < 500, status)
        status, body = self.query("POST", f"{BASE}/api/transform", b"{" * (17 << 20),
                                  {"Content-Type": "application/json"})
        self.assertEqual(status, 413, body[:300])
        status, body = self.query("POST", f"{BASE}/api/transform", b"[" * 100_000,
                                  {"Content-Type": "application/json"})
        self.assertEqual(status, 400, body[:300])

    def test_it_still_answers_afterwards(self):
        status, body = self.query("GET", f"{BASE}/api/traces/{FIXTURE_TRACE}")
        self.assertEqual(status, 200)
        self.assertEqual(len(json.loads(body)["data"][0]["spans"]), 4)


if __name__ == "__main__":
    BINARY, ROOT = sys.argv[1], sys.argv[2]
    unittest.main(argv=sys.argv[:1], verbosity=2)
