#!/usr/bin/env python3
"""Agent throughput per core with tracegen's datagrams on loopback (docs/benchmarks.md, "Agent").

For each UDP protocol, three measurements on the same datagrams:
  1. baseline: udp_receive_baseline (recvmmsg, nothing else) pinned to CPU 0 receives what
     ariadne-tracegen (CPU 1) sends as fast as it can: the physical receive rate of this machine;
  2. full speed: ariadne-agent pinned to CPU 0 receives the same load and forwards it over gRPC to
     collector_sink (CPU 1, answers PostSpans without decoding, so only the agent is measured);
  3. at 80% of the baseline's rate: the same, paced, to check the target "80% of the baseline with
     no drops".
Spans per agent core = spans the sink accepted / agent CPU seconds (from /proc). A run counts as
"no drops" when every span tracegen sent was delivered (jaeger_agent_reporter_spans_submitted_total)
and no datagram was dropped for any cause. Each figure is the median of --runs runs.

Usage: tests/bench/agent_bench.py [--build build] [--runs 3] [--seconds 5] [--short]
"""
import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

PROTOCOLS = {"jaeger-binary-udp": "jaeger-binary", "jaeger-compact-udp": "jaeger-compact"}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port(kind=socket.SOCK_STREAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def metric(text, name, **labels):
    total = 0.0
    for m in re.finditer(rf"^{name}(?:{{([^}}]*)}})? (\S+)$", text, re.M):
        have = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1) or ""))
        if all(have.get(k) == v for k, v in labels.items()):
            total += float(m.group(2))
    return total


def tracegen(build, pin, protocol, port, seconds, rate):
    done = subprocess.run(
        pin + [f"{build}/services/tracegen/ariadne-tracegen", f"--protocol={protocol}",
               f"--endpoint=127.0.0.1:{port}", f"--duration={seconds}s", f"--rate={rate}",
               "--report.interval=600s"],
        capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode != 0:
        raise SystemExit(f"tracegen failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def baseline(build, pins, protocol, seconds):
    port = free_port(socket.SOCK_DGRAM)
    receiver = subprocess.Popen(
        pins[0] + [f"{build}/tests/bench/udp_receive_baseline", "--port", str(port),
                   "--idle-seconds", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    time.sleep(0.3)
    sent = tracegen(build, pins[1], protocol, port, seconds, 0)
    out, _ = receiver.communicate(timeout=60)
    got = json.loads(out.strip().splitlines()[-1])
    spans_per_datagram = sent["spans_sent"] / max(sent["requests"], 1)
    return {"datagrams_per_second": got["datagrams"] / sent["seconds"],
            "spans_per_second": got["datagrams"] * spans_per_datagram / sent["seconds"],
            "kernel_drops": got["kernel_drops"],
            "per_core_datagrams": got.get("datagrams_per_cpu_second", 0)}


def agent_run(build, pins, protocol, seconds, rate):
    sink_port, admin, udp = free_port(), free_port(), free_port(socket.SOCK_DGRAM)
    sink = subprocess.Popen(pins[1] + [f"{build}/tests/bench/collector_sink", "--port",
                                       str(sink_port)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    processor = PROTOCOLS[protocol]
    agent = subprocess.Popen(
        pins[0] + [f"{build}/services/agent/ariadne-agent",
                   f"--reporter.grpc.host-port=127.0.0.1:{sink_port}",
                   f"--admin.http.host-port=127.0.0.1:{admin}", "--http-server.host-port=",
                   "--processor.jaeger-compact.server-host-port=",
                   "--processor.jaeger-binary.server-host-port=",
                   "--processor.zipkin-compact.server-host-port=",
                   f"--processor.{processor}.server-host-port=127.0.0.1:{udp}",
                   "--log-level=error"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{admin}/metrics"
        deadline = time.monotonic() + 20
        while True:
            try:
                text = urllib.request.urlopen(url, timeout=1).read().decode()
                if metric(text, "jaeger_agent_connection_status_collector_connected") == 1:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the agent did not connect to collector_sink")
            time.sleep(0.05)
        cpu_before = cpu_seconds(agent.pid)
        sent = tracegen(build, pins[1], protocol, udp, seconds, rate)
        # Everything sent is either delivered or dropped once the queue is empty.
        deadline = time.monotonic() + 60
        while True:
            text = urllib.request.urlopen(url, timeout=5).read().decode()
            if metric(text, "jaeger_agent_reporter_queue_spans") == 0 and metric(
                    text, "jaeger_agent_thrift_udp_server_queue_size") == 0:
                break
            if time.monotonic() > deadline:
                break
            time.sleep(0.1)
        time.sleep(0.3)
        text = urllib.request.urlopen(url, timeout=5).read().decode()
        agent_cpu = cpu_seconds(agent.pid) - cpu_before
        delivered = metric(text, "jaeger_agent_reporter_spans_submitted_total")
        processed = metric(text, "jaeger_agent_thrift_udp_server_packets_processed_total")
        dropped_packets = metric(text, "jaeger_agent_thrift_udp_server_packets_dropped_total")
        dropped_spans = metric(text, "jaeger_agent_reporter_spans_dropped_total")
        return {"offered_spans_per_second": sent["spans_sent"] / sent["seconds"],
                "datagrams_per_second": processed / sent["seconds"],
                "spans_per_second": delivered / sent["seconds"],
                "per_agent_core": delivered / agent_cpu if agent_cpu > 0 else 0,
                "agent_cpu": agent_cpu / sent["seconds"],
                "dropped_packets": dropped_packets, "dropped_spans": dropped_spans,
                "no_drops": delivered == sent["spans_sent"] and dropped_packets == 0}
    finally:
        agent.terminate()
        agent.wait(timeout=60)
        sink.terminate()
        sink.communicate(timeout=30)


def median(runs, key):
    return statistics.median(r[key] for r in runs)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default="build")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--short", action="store_true", help="one 2 s run per protocol (CI smoke)")
    args = parser.parse_args()
    if args.short:
        args.runs, args.seconds = 1, 2
    pins = ([["taskset", "-c", "0"], ["taskset", "-c", "1"]] if (os.cpu_count() or 1) >= 2
            else [[], []])
    print(f"agent_bench: median of {args.runs} run(s) of {args.seconds} s; receiver/agent on "
          f"CPU 0, tracegen and collector_sink on CPU 1")
    print(f"{'protocol':<19} {'run':<11} {'offered/s':>10} {'dgrams/s':>9} {'spans/s':>9} "
          f"{'per core':>9} {'vs base':>7} {'drops':>6}")
    for protocol in PROTOCOLS:
        base = [baseline(args.build, pins, protocol, args.seconds) for _ in range(args.runs)]
        base_spans = median(base, "spans_per_second")
        print(f"{protocol:<19} {'baseline':<11} {'':>10} {median(base, 'datagrams_per_second'):>9.0f} "
              f"{base_spans:>9.0f} {'':>9} {'':>7} {median(base, 'kernel_drops'):>6.0f}")
        for label, rate in (("full speed", 0), ("80% base", int(base_spans * 0.8))):
            runs = [agent_run(args.build, pins, protocol, args.seconds, rate)
                    for _ in range(args.runs)]
            drops = median(runs, "dropped_packets") + median(runs, "dropped_spans")
            print(f"{protocol:<19} {label:<11} {median(runs, 'offered_spans_per_second'):>10.0f} "
                  f"{median(runs, 'datagrams_per_second'):>9.0f} "
                  f"{median(runs, 'spans_per_second'):>9.0f} {median(runs, 'per_agent_core'):>9.0f} "
                  f"{median(runs, 'spans_per_second') / base_spans:>7.2f} {drops:>6.0f}"
                  f"{'' if all(r['no_drops'] for r in runs) else '  (not all delivered)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
