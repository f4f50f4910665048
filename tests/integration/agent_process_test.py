#!/usr/bin/env python3
"""ariadne-agent as a process, between real clients' datagrams and a real ariadne-collector: the
seed's flags, the captured UDP fixture, sampling through the agent, hostile datagrams on every
port, and a collector that is down for 30 s under steady load (issue 6).

Usage: agent_process_test.py <ariadne-agent> <ariadne-collector> <ariadne-tracegen> <repo root>
Standard library only; every listener is on 127.0.0.1 with ports picked free by the OS.
"""
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import time
import unittest

from process_support import free_port, free_udp_port, http
import process_support

AGENT = COLLECTOR = TRACEGEN = ROOT = ""

def metric(text, name, **labels):
    """The sum of every sample of `name` whose labels include `labels` (a prefix match when a
    label value ends in '*')."""
    total = 0.0
    for line in text.splitlines():
        match = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$", line)
        if not match or match.group(1) != name:
            continue
        have = dict(re.findall(r'(\w+)="([^"]*)"', match.group(3) or ""))
        if all(have.get(k, "").startswith(v[:-1]) if v.endswith("*") else have.get(k) == v
               for k, v in labels.items()):
            total += float(match.group(4))
    return total


def wait_for(what, condition, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


class Service:
    """One of our executables with `args` (+ a free admin port), once its admin port says 200."""

    def __init__(self, binary, args, env=None):
        self.admin = free_port()
        self.process = subprocess.Popen(
            [binary, f"--admin.http.host-port=127.0.0.1:{self.admin}"] + args,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            env={**os.environ, **(env or {})})
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                _, stderr = self.process.communicate()
                raise AssertionError(f"{binary} exited early: " + stderr.decode())
            try:
                if http("GET", f"http://127.0.0.1:{self.admin}/")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"{binary} did not become healthy in 20 s")

    def metrics(self):
        return http("GET", f"http://127.0.0.1:{self.admin}/metrics")[1].decode()

    def healthy(self):
        return http("GET", f"http://127.0.0.1:{self.admin}/")[0] == 200

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        _, stderr = self.process.communicate(timeout=60)
        return self.process.returncode, stderr.decode()

    def kill(self):
        self.process.kill()
        self.process.communicate(timeout=30)


def start_collector(grpc_port, extra=()):
    return Service(COLLECTOR, [
        f"--collector.grpc-server.host-port=127.0.0.1:{grpc_port}",
        f"--collector.http-server.host-port=127.0.0.1:{free_port()}",
        f"--collector.otlp.grpc.host-port=127.0.0.1:{free_port()}",
        f"--collector.otlp.http.host-port=127.0.0.1:{free_port()}",
        "--span-storage.type=memory"] + list(extra))


class AgentPorts:
    def __init__(self):
        self.compact, self.binary, self.zipkin = free_udp_port(), free_udp_port(), free_udp_port()
        self.http = free_port()

    def flags(self):
        return [f"--processor.jaeger-compact.server-host-port=127.0.0.1:{self.compact}",
                f"--processor.jaeger-binary.server-host-port=127.0.0.1:{self.binary}",
                f"--processor.zipkin-compact.server-host-port=127.0.0.1:{self.zipkin}",
                f"--http-server.host-port=127.0.0.1:{self.http}"]


def send_datagram(port, payload):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(payload, ("127.0.0.1", port))


def fixture(name):
    return process_support.fixture(ROOT, name)


class SeedConfiguration(unittest.TestCase):
    def test_seed_command_forwards_the_captured_datagram_and_proxies_sampling(self):
        grpc = free_port()
        sampling = os.path.join(ROOT, "tests", "fixtures", "seed", "sampling.json")
        collector = start_collector(grpc, [f"--sampling.strategies-file={sampling}"])
        ports = AgentPorts()
        # docker-compose.jaeger-prod.yml, agent.command, with loopback addresses.
        agent = Service(AGENT, [
            f"--reporter.grpc.host-port=127.0.0.1:{grpc}",
            "--reporter.grpc.tls.enabled=false",
            f"--processor.jaeger-compact.server-host-port=127.0.0.1:{ports.compact}",
            f"--processor.jaeger-binary.server-host-port=127.0.0.1:{ports.binary}",
            f"--processor.zipkin-compact.server-host-port=127.0.0.1:{ports.zipkin}",
            f"--processor.zipkin-http.server-host-port=127.0.0.1:{ports.http}"])
        try:
            # The datagram @opentelemetry/exporter-jaeger sent to a Jaeger agent's 6832.
            send_datagram(ports.binary, fixture("jaeger-thrift-binary-udp-emitBatch.bin"))
            # The agent forwards with api_v2 PostSpans, which the collector counts as "proto".
            wait_for("the collector to receive the fixture's 4 spans", lambda: metric(
                collector.metrics(), "jaeger_collector_spans_received_total", format="proto",
                svc="frontend", transport="grpc") == 4)
            agent_metrics = agent.metrics()
            self.assertEqual(metric(agent_metrics,
                                    "jaeger_agent_thrift_udp_server_packets_processed_total",
                                    model="jaeger", protocol="binary"), 1)
            wait_for("the reporter to count the batch", lambda: metric(
                agent.metrics(), "jaeger_agent_reporter_spans_submitted_total",
                format="jaeger") == 4)

            base = f"http://127.0.0.1:{ports.http}"
            status, body, headers = http("GET", base + "/sampling?service=frontend")
            self.assertEqual(status, 200, body)
            self.assertEqual(json.loads(body), {"strategyType": "RATE_LIMITING",
                                                "rateLimitingSampling": {"maxTracesPerSecond": 100}})
            status, body, _ = http("GET", base + "/?service=agent-collaboration")
            self.assertEqual(status, 200, body)
            self.assertEqual(json.loads(body), {"strategyType": 0,
                                                "probabilisticSampling": {"samplingRate": 1}})
            status, body, _ = http("GET", base + "/sampling")
            self.assertEqual(status, 400)
            self.assertIn(b"'service' parameter must be provided once", body)
        finally:
            code, stderr = agent.stop()
            collector.stop()
        self.assertEqual(code, 0, stderr)

    def test_bad_flags_stop_the_process_with_a_message(self):
        def run(args):
            done = subprocess.run([AGENT, "--admin.http.host-port=127.0.0.1:0"] + args,
                                  capture_output=True, text=True, timeout=30)
            return done.returncode, done.stderr

        code, stderr = run([])
        self.assertEqual(code, 2)
        self.assertIn("--reporter.grpc.host-port", stderr)
        code, stderr = run(["--reporter.grpc.host-port=x:1", "--agent.tags=novalue"])
        self.assertEqual(code, 2)
        self.assertIn("--agent.tags", stderr)
        code, stderr = run(["--reporter.grpc.host-port=x:1",
                            "--processor.jaeger-compact.server-max-packet-size=70000"])
        self.assertEqual(code, 2)
        self.assertIn("processor.jaeger-compact.server-max-packet-size", stderr)


    def test_configuration_docs_list_exactly_what_help_prints(self):
        done = subprocess.run([AGENT, "--help"], capture_output=True, text=True, timeout=30)
        self.assertEqual(done.returncode, 0)
        with open(os.path.join(ROOT, "docs", "configuration.md")) as f:
            docs = f.read()
        marker = "<!-- ariadne-agent --help -->\n```text\n"
        start = docs.index(marker) + len(marker)
        self.assertEqual(docs[start:docs.index("```", start)], done.stdout,
                         "docs/configuration.md is out of date: paste `ariadne-agent --help`")


def hostile_datagrams(valid):
    """Datagrams no decoder may accept, built from a valid binary emitBatch message."""
    out = [b"", b"\x00", os.urandom(1), os.urandom(100), os.urandom(4000), valid[:len(valid) // 2],
           valid[:-1], valid.replace(b"emitBatch", b"emitBatcX"),
           # Thrift binary: strict header, then a method name whose declared length is 2 GiB.
           struct.pack(">II", 0x80010004, 0x7FFFFFFF) + b"emitBatch",
           # Thrift compact: protocol id, ONEWAY, seqid, then a name length varint of 2^35.
           b"\x82\x81\x00\xff\xff\xff\xff\x7f" + b"emitBatch",
           # A list of 2^31 structs in the args.
           b"\x82\x81\x00\x09emitBatch\x19\xfc\xff\xff\xff\x07"]
    import random
    rng = random.Random(6)
    for _ in range(200):
        mutated = bytearray(valid)
        for _ in range(rng.randint(1, 8)):
            mutated[rng.randrange(len(mutated))] = rng.randrange(256)
        out.append(bytes(mutated))
    return out


class HostileInput(unittest.TestCase):
    def test_hostile_datagrams_on_every_port_are_counted_and_never_crash(self):
        grpc = free_port()
        collector = start_collector(grpc)
        ports = AgentPorts()
        agent = Service(AGENT, [f"--reporter.grpc.host-port=127.0.0.1:{grpc}"] + ports.flags())
        try:
            valid = fixture("jaeger-thrift-binary-udp-emitBatch.bin")
            for port in (ports.compact, ports.binary, ports.zipkin):
                for datagram in hostile_datagrams(valid):
                    send_datagram(port, datagram)
                send_datagram(port, b"\x82" * 65100)  # over the 65000-byte packet limit
            sent = len(hostile_datagrams(valid)) + 1

            def settled():
                text = agent.metrics()
                seen = metric(text, "jaeger_agent_thrift_udp_server_packets_processed_total") + \
                    metric(text, "jaeger_agent_thrift_udp_server_packets_dropped_total")
                return seen == 3 * sent
            wait_for("every datagram to be processed or dropped", settled)
            text = agent.metrics()
            self.assertEqual(metric(text, "jaeger_agent_thrift_udp_server_packets_dropped_total",
                                    cause="too-large"), 3)
            errors = metric(text, "jaeger_agent_thrift_udp_t_processor_handler_errors_total")
            processed = metric(text, "jaeger_agent_thrift_udp_server_packets_processed_total")
            # Random mutations may leave a valid message (a changed tag value): those are not
            # errors. Every crafted datagram is, and most mutations are.
            self.assertGreaterEqual(errors, 3 * 11)
            self.assertLessEqual(errors, processed)
            self.assertTrue(agent.healthy())
            # Still forwarding afterwards.
            before = metric(collector.metrics(), "jaeger_collector_spans_received_total",
                            svc="frontend")
            send_datagram(ports.binary, valid)
            wait_for("the valid datagram to arrive after the hostile ones", lambda: metric(
                collector.metrics(), "jaeger_collector_spans_received_total",
                svc="frontend") >= before + 4)
        finally:
            code, stderr = agent.stop()
            collector.stop()
        self.assertEqual(code, 0, stderr)


def tracegen(port, services, seconds, rate):
    return subprocess.Popen(
        [TRACEGEN, "--protocol=jaeger-compact-udp", f"--endpoint=127.0.0.1:{port}",
         f"--services={services}", f"--duration={seconds}s", f"--rate={rate}",
         "--report.interval=60s"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def tracegen_result(process):
    out, err = process.communicate(timeout=120)
    if process.returncode != 0:
        raise AssertionError("tracegen failed: " + err)
    return json.loads(out.strip().splitlines()[-1])


class CollectorOutage(unittest.TestCase):
    def test_collector_down_30s_under_load_buffers_delivers_and_counts_what_exceeded(self):
        grpc = free_port()
        collector = start_collector(grpc)
        roomy, tight = AgentPorts(), AgentPorts()
        reporter = [f"--reporter.grpc.host-port=127.0.0.1:{grpc}"]
        # "roomy" keeps the default bound (128 MiB): 30 s of this load fits.
        # "tight" may queue 1 MiB: most of the outage's spans exceed it.
        agents = {"roomy": Service(AGENT, reporter + roomy.flags()),
                  "tight": Service(AGENT, reporter + tight.flags() +
                                   ["--reporter.queue-size-memory=1"])}
        ports = {"roomy": roomy, "tight": tight}
        services = {name: f"{name}-entry,{name}-a,{name}-b" for name in agents}
        try:
            def received(col, name):
                return metric(col.metrics(), "jaeger_collector_spans_received_total",
                              svc=f"{name}-*", transport="grpc")

            # 1. Collector up: everything arrives.
            runs = {n: tracegen(ports[n].compact, services[n], 3, 1000) for n in agents}
            sent_up = {n: tracegen_result(p)["spans_accepted"] for n, p in runs.items()}
            for name in agents:
                wait_for(f"{name}: every span before the outage",
                         lambda n=name: received(collector, n) == sent_up[n])

            # 2. Collector down for 30 s while the load goes on.
            collector.kill()
            runs = {n: tracegen(ports[n].compact, services[n], 30, 2000) for n in agents}
            sent_down = {n: tracegen_result(p)["spans_accepted"] for n, p in runs.items()}
            for name, agent in agents.items():
                text = agent.metrics()
                self.assertEqual(
                    metric(text, "jaeger_agent_thrift_udp_server_packets_dropped_total"), 0, name)
                self.assertEqual(metric(text, "jaeger_agent_connection_status_collector_connected"),
                                 0, name)

            # 3. The collector comes back on the same port: the agents deliver what they kept.
            collector = start_collector(grpc)

            def drained(agent):
                return metric(agent.metrics(), "jaeger_agent_reporter_queue_spans") == 0
            for name, agent in agents.items():
                wait_for(f"{name}: the queue to drain", lambda a=agent: drained(a), 90)

            roomy_text = agents["roomy"].metrics()
            self.assertEqual(received(collector, "roomy"), sent_down["roomy"])
            self.assertEqual(metric(roomy_text, "jaeger_agent_reporter_spans_dropped_total"), 0)
            self.assertEqual(metric(roomy_text, "jaeger_agent_connection_status_collector_connected"),
                             1)

            tight_text = agents["tight"].metrics()
            delivered = received(collector, "tight")
            dropped = metric(tight_text, "jaeger_agent_reporter_spans_dropped_total",
                             cause="queue-full")
            self.assertGreater(delivered, 0)
            self.assertGreater(dropped, 0)
            self.assertEqual(delivered + dropped, sent_down["tight"])
            self.assertEqual(metric(tight_text, "jaeger_agent_reporter_spans_dropped_total"),
                             dropped, "no cause but queue-full")
        finally:
            for agent in agents.values():
                code, stderr = agent.stop()
                self.assertEqual(code, 0, stderr)
            collector.stop()


if __name__ == "__main__":
    AGENT, COLLECTOR, TRACEGEN, ROOT = sys.argv[1:5]
    unittest.main(argv=sys.argv[:1], verbosity=2)
