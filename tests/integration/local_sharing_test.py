#!/usr/bin/env python3
"""ariadne-collector and ariadne-query sharing one `local` store on one machine: the collector
writes it, the query service follows it read-only (docs/local-storage.md, "Two processes");
and ariadne-query's --help against docs/configuration.md.

Usage: local_sharing_test.py <ariadne-collector> <ariadne-query> <repository root>
Standard library only; every listener is on 127.0.0.1 with ports picked free by the OS.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

from process_support import free_port
import process_support

COLLECTOR = ""
QUERY = ""
ROOT = ""

# The trace of every span in tests/fixtures/wire.
FIXTURE_TRACE = "a1b2c3d4e5f607180000000000000001"

def http(method, url, body=None, headers=None):
    return process_support.http(method, url, body, headers)[:2]


def start(args, admin):
    process = subprocess.Popen(args + [f"--admin.http.host-port=127.0.0.1:{admin}"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            _, stderr = process.communicate()
            raise AssertionError(f"{args[0]} exited early: {stderr.decode()}")
        try:
            if http("GET", f"http://127.0.0.1:{admin}/")[0] == 200:
                return process
        except OSError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"{args[0]} did not become healthy in 30 s")


def stop(process):
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    return process.returncode, stderr.decode()


class LocalSharing(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.mkdtemp(prefix="ariadne-local-sharing-")
        self.storage = ["--span-storage.type=local",
                        f"--local.path={os.path.join(self.directory, 'data')}"]

    def tearDown(self):
        shutil.rmtree(self.directory, ignore_errors=True)

    def test_query_reads_what_a_running_collector_writes(self):
        otlp_http = free_port()
        collector = start([COLLECTOR] + self.storage + [
            f"--collector.grpc-server.host-port=127.0.0.1:{free_port()}",
            f"--collector.http-server.host-port=127.0.0.1:{free_port()}",
            f"--collector.otlp.grpc.host-port=127.0.0.1:{free_port()}",
            f"--collector.otlp.http.host-port=127.0.0.1:{otlp_http}"], free_port())
        query_port = free_port()
        query = start([QUERY] + self.storage + [
            "--local.read-only=true", f"--query.http-server.host-port=127.0.0.1:{query_port}",
            f"--query.grpc-server.host-port=127.0.0.1:{free_port()}"], free_port())
        try:
            status, _ = http("POST", f"http://127.0.0.1:{otlp_http}/v1/traces",
                             process_support.fixture(ROOT, "otlp-http-export-request.bin"),
                             {"Content-Type": "application/x-protobuf"})
            self.assertEqual(status, 200)
            # The follower catches up every half second.
            deadline = time.monotonic() + 10
            while True:
                status, body = http("GET", f"http://127.0.0.1:{query_port}/api/traces/"
                                           f"{FIXTURE_TRACE}?raw=true")
                if status == 200:
                    break
                self.assertLess(time.monotonic(), deadline, body)
                time.sleep(0.1)
            spans = json.loads(body)["data"][0]["spans"]
            self.assertEqual(len(spans), 4)
            services = json.loads(http("GET", f"http://127.0.0.1:{query_port}/api/services")[1])
            self.assertEqual(services["data"], ["frontend"])
        finally:
            query_code, query_stderr = stop(query)
            collector_code, collector_stderr = stop(collector)
        self.assertEqual(query_code, 0, query_stderr)
        self.assertEqual(collector_code, 0, collector_stderr)

    def test_a_reader_before_any_writer_is_told_what_to_start(self):
        done = subprocess.run([QUERY] + self.storage + ["--local.read-only=true",
                                                        "--admin.http.host-port=127.0.0.1:0",
                                                        "--query.http-server.host-port=127.0.0.1:0"],
                              capture_output=True, text=True, timeout=30)
        self.assertEqual(done.returncode, 2)
        self.assertIn("no store there to read", done.stderr)

    def test_configuration_docs_list_exactly_what_query_help_prints(self):
        done = subprocess.run([QUERY, "--help"], capture_output=True, text=True, timeout=30)
        self.assertEqual(done.returncode, 0)
        with open(os.path.join(ROOT, "docs", "configuration.md")) as f:
            docs = f.read()
        marker = "<!-- ariadne-query --help -->\n```text\n"
        start = docs.index(marker) + len(marker)
        self.assertEqual(docs[start:docs.index("```", start)], done.stdout,
                         "docs/configuration.md is out of date: paste `ariadne-query --help`")


if __name__ == "__main__":
    COLLECTOR, QUERY, ROOT = sys.argv[1], sys.argv[2], sys.argv[3]
    unittest.main(argv=sys.argv[:1], verbosity=2)
