#!/usr/bin/env python3
"""ariadne-collector as a process: the seed's flags, environment and tuning file, admin port,
clear errors for bad configuration, and a clean exit on SIGTERM.

Usage: collector_process_test.py <path to ariadne-collector> <repository root>
Standard library only; every listener is on 127.0.0.1 with ports picked free by the OS.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

from process_support import free_port, http
import process_support

BINARY = ""
ROOT = ""


def fixture(name):
    return process_support.fixture(ROOT, name)


class Collector:
    """Starts ariadne-collector with `args` (+ a free admin port) and waits until it serves."""

    def __init__(self, args, env=None):
        self.admin = free_port()
        self.process = subprocess.Popen(
            [BINARY, f"--admin.http.host-port=127.0.0.1:{self.admin}"] + args,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env={**os.environ, **(env or {})})
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                _, stderr = self.process.communicate()
                raise AssertionError("collector exited early: " + stderr.decode())
            try:
                status, body, _ = http("GET", f"http://127.0.0.1:{self.admin}/")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError("collector did not become healthy in 20 s")

    def metrics(self):
        return http("GET", f"http://127.0.0.1:{self.admin}/metrics")[1].decode()

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        _, stderr = self.process.communicate(timeout=30)
        return self.process.returncode, stderr.decode()


def run_to_exit(args, env=None):
    done = subprocess.run([BINARY, "--admin.http.host-port=127.0.0.1:0"] + args,
                          capture_output=True, text=True, timeout=30,
                          env={**os.environ, **(env or {})})
    return done.returncode, done.stderr


class SeedConfiguration(unittest.TestCase):
    def seed_command(self, grpc, http_port, zipkin, sampling):
        # docker-compose.jaeger-prod.yml, collector.command, with our ports and paths.
        return ["--collector.otlp.enabled=true",
                f"--collector.otlp.grpc.host-port=127.0.0.1:{grpc}",
                f"--collector.otlp.http.host-port=127.0.0.1:{http_port}",
                f"--collector.zipkin.host-port=127.0.0.1:{zipkin}",
                f"--sampling.strategies-file={sampling}"]

    def test_seed_command_serves_everything_and_stops_cleanly_on_sigterm(self):
        grpc, http_port, zipkin = free_port(), free_port(), free_port()
        sampling = os.path.join(ROOT, "tests", "fixtures", "seed", "sampling.json")
        # The seed's production compose shares 14250 and 14268 between Jaeger and OTLP.
        args = self.seed_command(grpc, http_port, zipkin, sampling) + [
            f"--collector.grpc-server.host-port=127.0.0.1:{grpc}",
            f"--collector.http-server.host-port=127.0.0.1:{http_port}"]
        collector = Collector(args, env={"SPAN_STORAGE_TYPE": "memory"})
        base = f"http://127.0.0.1:{http_port}"
        status, body, _ = http("POST", base + "/v1/traces", fixture("otlp-http-export-request.bin"),
                               {"Content-Type": "application/x-protobuf"})
        self.assertEqual(status, 200)
        status, _, _ = http("POST", base + "/api/traces",
                            fixture("jaeger-thrift-binary-http-batch.bin"),
                            {"Content-Type": "application/x-thrift"})
        self.assertEqual(status, 202)
        status, _, _ = http("POST", f"http://127.0.0.1:{zipkin}/api/v2/spans",
                            fixture("zipkin-v2-spans.json"), {"Content-Type": "application/json"})
        self.assertEqual(status, 202)
        status, body, _ = http("GET", base + "/api/sampling?service=frontend")
        self.assertEqual(json.loads(body), {"strategyType": "RATE_LIMITING",
                                            "rateLimitingSampling": {"maxTracesPerSecond": 100}})
        self.assertIn('jaeger_collector_spans_received_total{debug="false",format="otlp",'
                      'svc="frontend",transport="http"} 4', collector.metrics())
        code, stderr = collector.stop()
        self.assertEqual(code, 0, stderr)
        self.assertIn("draining", stderr)

    def test_elasticsearch_flags_say_the_storage_is_not_built_yet(self):
        code, stderr = run_to_exit(["--es.server-urls=http://elasticsearch:9200",
                                    "--es.username=elastic", "--es.tags-as-fields.all=true"],
                                   env={"SPAN_STORAGE_TYPE": "elasticsearch"})
        self.assertEqual(code, 2)
        self.assertIn("elasticsearch", stderr)
        self.assertIn("not in this build", stderr)
        code, stderr = run_to_exit([], env={"SPAN_STORAGE_TYPE": "elasticsearch"})
        self.assertEqual(code, 2)
        self.assertIn("not in this build", stderr)

    def test_seed_tuning_file_applies_its_collector_options(self):
        # collector-performance.yaml names es.* options too, which fail until that storage exists.
        tuning = os.path.join(ROOT, "tests", "fixtures", "seed", "collector-performance.yaml")
        code, stderr = run_to_exit([f"--config-file={tuning}"])
        self.assertEqual(code, 2)
        self.assertIn("es.", stderr)
        self.assertIn("not in this build", stderr)
        # The same file without its es: section: the collector's tuning keys take effect.
        with open(tuning) as f:
            text = f.read()
        without_es = text[:text.index("    es:")]
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
            f.write(without_es)
        try:
            collector = Collector([f"--config-file={f.name}"] + self.loopback())
            self.assertIn("jaeger_collector_queue_capacity 10000", collector.metrics())
            code, stderr = collector.stop()
            self.assertEqual(code, 0, stderr)
        finally:
            os.unlink(f.name)

    def test_environment_variables_use_jaegers_names(self):
        zipkin = free_port()
        collector = Collector(self.loopback(zipkin=False),
                              env={"COLLECTOR_ZIPKIN_HOST_PORT": f"127.0.0.1:{zipkin}",
                                   "COLLECTOR_QUEUE_SIZE": "1234"})
        status, _, _ = http("POST", f"http://127.0.0.1:{zipkin}/api/v2/spans",
                            fixture("zipkin-v2-spans.json"), {"Content-Type": "application/json"})
        self.assertEqual(status, 202)
        self.assertIn("jaeger_collector_queue_capacity 1234", collector.metrics())
        code, stderr = collector.stop()
        self.assertEqual(code, 0, stderr)

    def test_bad_flags_and_values_stop_the_process_with_a_message(self):
        code, stderr = run_to_exit(["--collector.queu-size=10"])
        self.assertEqual(code, 2)
        self.assertIn("--collector.queue-size", stderr)
        code, stderr = run_to_exit(["--collector.queue-size=lots"])
        self.assertEqual(code, 2)
        self.assertIn("collector.queue-size", stderr)
        code, stderr = run_to_exit(["--sampling.strategies-file=/nonexistent/sampling.json"])
        self.assertEqual(code, 2)
        self.assertIn("--sampling.strategies-file", stderr)
        code, stderr = run_to_exit(["--collector.grpc.tls.enabled=true"])
        self.assertEqual(code, 2)
        self.assertIn("--collector.grpc.tls", stderr)

    def test_help_lists_every_option_with_its_environment_name(self):
        done = subprocess.run([BINARY, "--help"], capture_output=True, text=True, timeout=30)
        self.assertEqual(done.returncode, 0)
        for name in ["--collector.queue-size", "COLLECTOR_QUEUE_SIZE", "--span-storage.type",
                     "SPAN_STORAGE_TYPE", "--sampling.strategies-file", "--collector.otlp.enabled"]:
            self.assertIn(name, done.stdout)

    def test_configuration_docs_list_exactly_what_help_prints(self):
        done = subprocess.run([BINARY, "--help"], capture_output=True, text=True, timeout=30)
        with open(os.path.join(ROOT, "docs", "configuration.md")) as f:
            docs = f.read()
        marker = "<!-- ariadne-collector --help -->\n```text\n"
        start = docs.index(marker) + len(marker)
        documented = docs[start:docs.index("```", start)]
        self.assertEqual(documented, done.stdout,
                         "docs/configuration.md is out of date: paste `ariadne-collector --help`")

    @staticmethod
    def loopback(zipkin=True):
        args = [f"--collector.grpc-server.host-port=127.0.0.1:{free_port()}",
                f"--collector.http-server.host-port=127.0.0.1:{free_port()}",
                f"--collector.otlp.grpc.host-port=127.0.0.1:{free_port()}",
                f"--collector.otlp.http.host-port=127.0.0.1:{free_port()}"]
        if zipkin:
            args.append(f"--collector.zipkin.host-port=127.0.0.1:{free_port()}")
        return args


if __name__ == "__main__":
    BINARY, ROOT = sys.argv[1], sys.argv[2]
    unittest.main(argv=sys.argv[:1], verbosity=2)
