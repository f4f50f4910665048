#!/usr/bin/env python3
"""ariadne-all-in-one as a process: the seed's all-in-one environment, traces kept on local disk
across restarts, kill -9 in the middle of a load (the durability promise of
docs/local-storage.md), the seed's Node.js snippet, --memory, and clear errors.

Usage: all_in_one_process_test.py <ariadne-all-in-one> <ariadne-tracegen> <repository root>
Standard library only; every listener is on 127.0.0.1 with ports picked free by the OS.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

from process_support import free_port, free_udp_port
import process_support

BINARY = ""
TRACEGEN = ""
ROOT = ""

# The trace of every span in tests/fixtures/wire (OTLP's service is "frontend").
FIXTURE_TRACE = "a1b2c3d4e5f607180000000000000001"

def http(method, url, body=None, headers=None):
    return process_support.http(method, url, body, headers)[:2]


def fixture(name):
    return process_support.fixture(ROOT, name)


class AllInOne:
    """ariadne-all-in-one on free loopback ports with its store under `data`."""

    def __init__(self, data, args=(), env=None):
        self.ports = {name: free_port() for name in
                      ("admin", "query", "otlp_grpc", "otlp_http", "grpc", "http", "sampling")}
        self.udp = {name: free_udp_port()
                    for name in ("jaeger-compact", "jaeger-binary", "zipkin-compact")}
        self.args = [
            f"--admin.http.host-port=127.0.0.1:{self.ports['admin']}",
            f"--query.http-server.host-port=127.0.0.1:{self.ports['query']}",
            f"--query.grpc-server.host-port=127.0.0.1:{free_port()}",
            f"--collector.otlp.grpc.host-port=127.0.0.1:{self.ports['otlp_grpc']}",
            f"--collector.otlp.http.host-port=127.0.0.1:{self.ports['otlp_http']}",
            f"--collector.grpc-server.host-port=127.0.0.1:{self.ports['grpc']}",
            f"--collector.http-server.host-port=127.0.0.1:{self.ports['http']}",
            f"--http-server.host-port=127.0.0.1:{self.ports['sampling']}",
            f"--local.path={data}"] + [
            f"--processor.{name}.server-host-port=127.0.0.1:{self.udp[name]}"
            for name in self.udp] + list(args)
        self.env = env or {}
        self.start()

    def start(self):
        self.process = subprocess.Popen([BINARY] + self.args, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, env={**os.environ, **self.env})
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                _, stderr = self.process.communicate()
                raise AssertionError("all-in-one exited early: " + stderr.decode())
            try:
                if http("GET", f"http://127.0.0.1:{self.ports['admin']}/")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError("all-in-one did not become healthy in 30 s")

    def api(self, path):
        status, body = http("GET", f"http://127.0.0.1:{self.ports['query']}{path}")
        return status, json.loads(body) if body else None

    def metric_sum(self, name):
        text = http("GET", f"http://127.0.0.1:{self.ports['admin']}/metrics")[1].decode()
        total = 0.0
        for line in text.splitlines():
            if line.startswith(name + "{") or line.startswith(name + " "):
                total += float(line.rsplit(" ", 1)[1])
        return total

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        _, stderr = self.process.communicate(timeout=60)
        return self.process.returncode, stderr.decode()

    def kill(self):
        self.process.kill()  # SIGKILL: no chance to flush anything
        self.process.communicate(timeout=30)

    def restart(self):
        self.start()


def span_ids_of(response):
    return [span["spanID"] for trace in response["data"] for span in trace["spans"]]


class AllInOneProcess(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.mkdtemp(prefix="ariadne-all-in-one-test-")
        self.data = os.path.join(self.directory, "data")

    def tearDown(self):
        shutil.rmtree(self.directory, ignore_errors=True)

    def test_seed_environment_serves_every_receiver_and_keeps_traces_across_restarts(self):
        zipkin = free_port()
        # docker-compose.jaeger.yml's all-in-one environment.
        server = AllInOne(self.data, env={"COLLECTOR_OTLP_ENABLED": "true",
                                          "COLLECTOR_ZIPKIN_HOST_PORT": f"127.0.0.1:{zipkin}"})
        status, _ = http("POST", f"http://127.0.0.1:{server.ports['otlp_http']}/v1/traces",
                         fixture("otlp-http-export-request.bin"),
                         {"Content-Type": "application/x-protobuf"})
        self.assertEqual(status, 200)
        status, _ = http("POST", f"http://127.0.0.1:{server.ports['http']}/api/traces",
                         fixture("jaeger-thrift-binary-http-batch.bin"),
                         {"Content-Type": "application/x-thrift"})
        self.assertEqual(status, 202)
        status, _ = http("POST", f"http://127.0.0.1:{zipkin}/api/v2/spans",
                         fixture("zipkin-v2-spans.json"), {"Content-Type": "application/json"})
        self.assertEqual(status, 202)
        status, body = http("GET", f"http://127.0.0.1:{server.ports['sampling']}"
                                   "/sampling?service=frontend")
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body)["strategyType"], "PROBABILISTIC")
        status, body = http("GET", f"http://127.0.0.1:{server.ports['sampling']}/?service=frontend")
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body)["strategyType"], 0)  # the legacy form: an integer

        # Written by the collector's workers shortly after the answers.
        received = server.metric_sum("jaeger_collector_spans_received_total")
        self.assertGreater(received, 4)
        deadline = time.monotonic() + 10
        while server.metric_sum("jaeger_collector_spans_saved_by_svc_total") < received:
            self.assertLess(time.monotonic(), deadline, "spans were not saved in 10 s")
            time.sleep(0.05)
        status, before = server.api(f"/api/traces/{FIXTURE_TRACE}?raw=true")
        self.assertEqual(status, 200, before)
        self.assertEqual(len(span_ids_of(before)), received)
        status, services = server.api("/api/services")
        self.assertIn("frontend", services["data"])

        code, stderr = server.stop()
        self.assertEqual(code, 0, stderr)
        server.restart()
        status, after = server.api(f"/api/traces/{FIXTURE_TRACE}?raw=true")
        self.assertEqual(status, 200)
        self.assertEqual(after, before)
        self.assertEqual(server.api("/api/services")[1]["data"], services["data"])
        code, stderr = server.stop()
        self.assertEqual(code, 0, stderr)

    def test_each_fixture_through_its_receiver_gives_the_golden_trace_document(self):
        # tests/golden/query/README.md: the documents were checked field by field by hand.
        for name, port, path, content_type, accepted in [
                ("otlp-http-export-request.bin", "otlp_http", "/v1/traces",
                 "application/x-protobuf", 200),
                ("otlp-http-export-request.json", "otlp_http", "/v1/traces",
                 "application/json", 200),
                ("jaeger-thrift-binary-http-batch.bin", "http", "/api/traces",
                 "application/x-thrift", 202),
                ("zipkin-v2-spans.json", "zipkin", "/api/v2/spans", "application/json", 202)]:
            with self.subTest(fixture=name):
                zipkin = free_port()
                server = AllInOne(self.data, ["--memory"],
                                  env={"COLLECTOR_ZIPKIN_HOST_PORT": f"127.0.0.1:{zipkin}"})
                try:
                    target = zipkin if port == "zipkin" else server.ports[port]
                    status, _ = http("POST", f"http://127.0.0.1:{target}{path}", fixture(name),
                                     {"Content-Type": content_type})
                    self.assertEqual(status, accepted)
                    deadline = time.monotonic() + 10
                    while server.metric_sum("jaeger_collector_spans_saved_by_svc_total") < 4:
                        self.assertLess(time.monotonic(), deadline, "spans were not saved in 10 s")
                        time.sleep(0.05)
                    status, body = http("GET", f"http://127.0.0.1:{server.ports['query']}"
                                               f"/api/traces/{FIXTURE_TRACE}?prettyPrint=true")
                    self.assertEqual(status, 200)
                    with open(os.path.join(ROOT, "tests", "golden", "query", name + ".json"),
                              "rb") as f:
                        self.assertEqual(body + b"\n", f.read())
                finally:
                    code, stderr = server.stop()
                    self.assertEqual(code, 0, stderr)

    def test_an_archived_trace_outlives_the_primary_store_and_a_restart(self):
        archive = os.path.join(self.directory, "archive")
        server = AllInOne(self.data, ["--memory", "--memory.max-traces=1", "--query.archive=local",
                                      f"--local-archive.path={archive}"])
        status, _ = http("POST", f"http://127.0.0.1:{server.ports['otlp_http']}/v1/traces",
                         fixture("otlp-http-export-request.json"),
                         {"Content-Type": "application/json"})
        self.assertEqual(status, 200)
        deadline = time.monotonic() + 10
        while server.api(f"/api/traces/{FIXTURE_TRACE}")[0] != 200:
            self.assertLess(time.monotonic(), deadline, "the trace was not saved in 10 s")
            time.sleep(0.05)
        _, before = server.api(f"/api/traces/{FIXTURE_TRACE}")
        status, body = http("POST", f"http://127.0.0.1:{server.ports['query']}"
                                    f"/api/archive/{FIXTURE_TRACE}")
        self.assertEqual((status, json.loads(body)["errors"]), (200, []))
        # Another trace evicts the fixture's from the one-trace primary store.
        other = fixture("otlp-http-export-request.json").replace(
            b"a1b2c3d4e5f607180000000000000001", b"0000000000000000000000000000beef")
        http("POST", f"http://127.0.0.1:{server.ports['otlp_http']}/v1/traces", other,
             {"Content-Type": "application/json"})
        while server.api("/api/traces/beef")[0] != 200:
            self.assertLess(time.monotonic(), deadline, "the second trace was not saved")
            time.sleep(0.05)
        code, stderr = server.stop()
        self.assertEqual(code, 0, stderr)
        server.restart()  # --memory: the primary store is empty now; the archive is on disk
        self.assertEqual(server.api("/api/traces/beef")[0], 404)
        self.assertEqual(server.api(f"/api/traces/{FIXTURE_TRACE}"), (200, before))
        code, stderr = server.stop()
        self.assertEqual(code, 0, stderr)

    def test_kill_9_during_a_load_loses_no_saved_span(self):
        server = AllInOne(self.data)
        load = subprocess.Popen(
            [TRACEGEN, "--protocol=otlp-grpc",
             f"--endpoint=127.0.0.1:{server.ports['otlp_grpc']}", "--rate=3000",
             "--duration=60s", "--spans-per-trace=10"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        try:
            # Mid-load: once a few thousand spans are saved, read the count and kill at once.
            deadline = time.monotonic() + 60
            while server.metric_sum("jaeger_collector_spans_saved_by_svc_total") < 3000:
                self.assertLess(time.monotonic(), deadline, "the load did not get going")
                time.sleep(0.05)
            saved = server.metric_sum("jaeger_collector_spans_saved_by_svc_total")
            server.kill()
        finally:
            load.terminate()
            load.communicate(timeout=30)

        server.restart()
        # Every trace starts at the graph's entry service, so one search finds them all.
        status, found = server.api("/api/traces?service=frontend&limit=1000&lookback=1h")
        self.assertEqual(status, 200, found)
        spans = span_ids_of(found)
        self.assertLess(len(found["data"]), 1000, "raise the limit: the search was cut short")
        self.assertEqual(len(spans), len(set(spans)), "a span was stored twice")
        self.assertGreaterEqual(len(spans), saved,
                                f"{saved:.0f} spans were saved before kill -9, {len(spans)} read "
                                "after the restart")
        code, stderr = server.stop()
        self.assertEqual(code, 0, stderr)

    def test_the_seeds_node_snippet_produces_traces_the_api_returns(self):
        snippet = os.path.join(ROOT, "tests", "e2e", "clients", "node", "seed_snippet.js")
        server = AllInOne(self.data)
        manifest = os.path.join(self.directory, "manifest.json")
        done = subprocess.run(
            ["node", snippet, "--manifest", manifest], capture_output=True, text=True, timeout=60,
            env={**os.environ, "ARIADNE_E2E_JAEGER_ENDPOINT":
                 f"http://127.0.0.1:{server.ports['http']}/api/traces"})
        self.assertEqual(done.returncode, 0, done.stderr)
        with open(manifest) as f:
            sent = json.load(f)["spans"][0]
        # The seed's snippet reads SERVICE_NAME from a module that does not export it, so the
        # SDK names the service itself (docs/collector.md).
        deadline = time.monotonic() + 10
        while True:
            status, found = server.api("/api/traces?service=unknown_service:node&lookback=1h")
            if status == 200 and found["data"]:
                break
            self.assertLess(time.monotonic(), deadline, f"no trace found: {found}")
            time.sleep(0.1)
        span = found["data"][0]["spans"][0]
        self.assertEqual(span["operationName"], "GET /seed/snippet")
        self.assertEqual(found["data"][0]["traceID"].lstrip("0"), sent["traceId"].lstrip("0"))
        code, stderr = server.stop()
        self.assertEqual(code, 0, stderr)

    def test_the_seeds_python_snippet_through_the_agent_port_produces_traces_the_api_returns(self):
        # Section 4.2's tracing.py sends compact Thrift to an agent on 6831; the all-in-one runs
        # the agent's UDP servers. The snippet runs in the venv of its exporter
        # (tests/e2e/clients/python/requirements-jaeger.txt, installed by scripts/setup-e2e.sh).
        clients = os.path.join(ROOT, "tests", "e2e", "clients", "python")
        python = os.path.join(clients, ".venv-jaeger", "bin", "python")
        self.assertTrue(os.access(python, os.X_OK), "run scripts/setup-e2e.sh")
        server = AllInOne(self.data)
        manifest = os.path.join(self.directory, "manifest.json")
        done = subprocess.run(
            [python, "seed_snippet.py", "--manifest", manifest], cwd=clients, capture_output=True,
            text=True, timeout=60,
            env={**os.environ, "ARIADNE_E2E_JAEGER_AGENT_HOST": "127.0.0.1",
                 "ARIADNE_E2E_JAEGER_AGENT_PORT": str(server.udp["jaeger-compact"])})
        self.assertEqual(done.returncode, 0, done.stderr)
        with open(manifest) as f:
            sent = json.load(f)["spans"][0]
        deadline = time.monotonic() + 10
        while True:
            status, found = server.api("/api/traces?service=model-router&lookback=1h")
            if status == 200 and found["data"]:
                break
            self.assertLess(time.monotonic(), deadline, f"no trace found: {found}")
            time.sleep(0.1)
        trace = found["data"][0]
        self.assertEqual(trace["spans"][0]["operationName"], "GET /seed/snippet")
        self.assertEqual(trace["traceID"].lstrip("0"), sent["traceId"].lstrip("0"))
        self.assertEqual(trace["processes"][trace["spans"][0]["processID"]]["serviceName"],
                         "model-router")
        code, stderr = server.stop()
        self.assertEqual(code, 0, stderr)

    def test_memory_flag_keeps_nothing_on_disk(self):
        server = AllInOne(self.data, ["--memory"])
        status, _ = http("POST", f"http://127.0.0.1:{server.ports['otlp_http']}/v1/traces",
                         fixture("otlp-http-export-request.bin"),
                         {"Content-Type": "application/x-protobuf"})
        self.assertEqual(status, 200)
        code, stderr = server.stop()
        self.assertEqual(code, 0, stderr)
        self.assertFalse(os.path.exists(self.data))
        server.restart()
        self.assertEqual(server.api(f"/api/traces/{FIXTURE_TRACE}")[0], 404)
        server.stop()

    def test_a_directory_of_other_files_stops_it_with_a_message(self):
        os.makedirs(self.data)
        with open(os.path.join(self.data, "notes.txt"), "w") as f:
            f.write("mine")
        done = subprocess.run([BINARY, f"--local.path={self.data}",
                               "--admin.http.host-port=127.0.0.1:0"],
                              capture_output=True, text=True, timeout=30)
        self.assertEqual(done.returncode, 2)
        self.assertIn("not an Ariadne store", done.stderr)
        self.assertEqual(os.listdir(self.data), ["notes.txt"])

    def test_configuration_docs_list_exactly_what_help_prints(self):
        done = subprocess.run([BINARY, "--help"], capture_output=True, text=True, timeout=30)
        self.assertEqual(done.returncode, 0)
        with open(os.path.join(ROOT, "docs", "configuration.md")) as f:
            docs = f.read()
        marker = "<!-- ariadne-all-in-one --help -->\n```text\n"
        start = docs.index(marker) + len(marker)
        self.assertEqual(docs[start:docs.index("```", start)], done.stdout,
                         "docs/configuration.md is out of date: paste `ariadne-all-in-one --help`")


if __name__ == "__main__":
    BINARY, TRACEGEN, ROOT = sys.argv[1], sys.argv[2], sys.argv[3]
    unittest.main(argv=sys.argv[:1], verbosity=2)
