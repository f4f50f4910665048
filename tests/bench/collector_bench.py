#!/usr/bin/env python3
"""Collector throughput per core, per protocol, with tracegen on loopback (docs/benchmarks.md).

For each protocol: start ariadne-collector (memory storage, bounded) pinned to CPU 0, run
ariadne-tracegen pinned to CPU 1 as fast as it can, and measure the spans the collector accepted,
the collector's CPU seconds (from /proc), tracegen's CPU seconds (from its report) and the
collector's peak RSS. Spans per collector core = accepted spans / collector CPU seconds. Then one
run at a fixed 100,000 spans/s over OTLP gRPC for the RSS target. Each figure is the median of
--runs runs. The baseline beside each protocol is codec_bench's raw decode rate of the same
format on this machine, measured in the same invocation.

Usage: tests/bench/collector_bench.py [--build build] [--runs 3] [--seconds 10] [--short]
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

# protocol -> (collector option naming its port, codec_bench format of the same bytes)
PROTOCOLS = {
    "otlp-grpc": ("collector.otlp.grpc.host-port", "otlp-proto"),
    "jaeger-grpc": ("collector.grpc-server.host-port", "jaeger-proto"),
    "otlp-http": ("collector.otlp.http.host-port", "otlp-proto"),
    "otlp-http-json": ("collector.otlp.http.host-port", "otlp-json"),
    "jaeger-thrift-http": ("collector.http-server.host-port", "jaeger-thrift-binary"),
    "zipkin-json": ("collector.zipkin.host-port", "zipkin-v2-json"),
    "zipkin-proto": ("collector.zipkin.host-port", "zipkin-v2-proto"),
}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


_handed_out = set()


def free_port():
    """A free port not handed out before in this run (the kernel may reuse a just-closed one)."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _handed_out:
            _handed_out.add(port)
            return port


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def peak_rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def metric(text, name):
    return sum(float(m.group(1)) for m in re.finditer(rf"^{name}(?:{{[^}}]*}})? (\S+)$", text, re.M))


class Collector:
    def __init__(self, build, pin, extra=()):
        self.ports = {option: free_port() for option, _ in PROTOCOLS.values()}
        self.admin = free_port()
        args = [f"--{option}=127.0.0.1:{port}" for option, port in self.ports.items()]
        args += [f"--admin.http.host-port=127.0.0.1:{self.admin}",
                 "--memory.max-traces=2000",  # the store keeps ~20k spans: RSS is the collector's
                 "--collector.queue-size=200000", "--collector.num-workers=4",
                 "--log-level=warn"] + list(extra)
        self.process = subprocess.Popen(pin + [f"{build}/services/collector/ariadne-collector"] + args)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.admin}/", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("collector did not start")

    def metrics(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.admin}/metrics", timeout=5) as r:
            return r.read().decode()

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=60)


def run_once(build, protocol, seconds, rate, pins, extra=(), workers=2):
    collector = Collector(build, pins[0], extra)
    try:
        option, _ = PROTOCOLS[protocol]
        cpu_before = cpu_seconds(collector.process.pid)
        tracegen = subprocess.run(
            pins[1] + [f"{build}/services/tracegen/ariadne-tracegen", f"--protocol={protocol}",
                       f"--endpoint=127.0.0.1:{collector.ports[option]}", f"--rate={rate}",
                       f"--duration={seconds}s", f"--workers={workers}", "--batch-size=200"],
            capture_output=True, text=True, timeout=seconds + 60)
        if tracegen.returncode != 0 and not extra:
            raise SystemExit(f"tracegen failed on {protocol}: {tracegen.stderr[-2000:]}")
        report = json.loads(tracegen.stdout.strip().splitlines()[-1])
        if report["spans_failed"] > 0:
            raise SystemExit(f"tracegen saw failures on {protocol}: {report['errors_by_status']}")
        # Let the queue drain into storage before reading the collector's CPU and counters.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            text = collector.metrics()
            received = metric(text, "jaeger_collector_spans_received_total")
            done = (metric(text, "jaeger_collector_spans_rejected_total") +
                    metric(text, "jaeger_collector_spans_dropped_total") +
                    metric(text, "jaeger_collector_spans_processed_total"))
            if received == done:
                break
            time.sleep(0.1)
        collector_cpu = cpu_seconds(collector.process.pid) - cpu_before
        return {
            "accepted_per_second": report["spans_per_second"],
            "per_collector_core": report["spans_accepted"] / collector_cpu,
            "collector_cpu": collector_cpu / report["seconds"],
            "tracegen_cpu": report["cpu_seconds"] / report["seconds"],
            "rss_mib": peak_rss_mib(collector.process.pid),
            "accounted": received == done,
            "rejected": report["spans_rejected"],
            "received": received,
            "collector_rejected": metric(text, "jaeger_collector_spans_rejected_total"),
            "dropped": metric(text, "jaeger_collector_spans_dropped_total"),
            "saved": metric(text, "jaeger_collector_spans_processed_total"),
        }
    finally:
        collector.stop()


def raw_decode_rates(build, short):
    """codec_bench's decode spans/s per format (one core, same machine, same invocation)."""
    done = subprocess.run([f"{build}/tests/bench/codec_bench"] + (["--short"] if short else []),
                          capture_output=True, text=True, check=True)
    rates = {}
    for line in done.stdout.splitlines():
        parts = line.split()
        if len(parts) > 5 and parts[2] == "|" and parts[1].isdigit():
            rates[parts[0]] = float(parts[4])
    return rates


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default="build")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--short", action="store_true", help="one 2 s run per protocol (CI smoke)")
    args = parser.parse_args()
    if args.short:
        args.runs, args.seconds = 1, 2
    cores = os.cpu_count() or 1
    pins = ([["taskset", "-c", "0"], ["taskset", "-c", "1"]] if cores >= 2 else [[], []])

    raw = raw_decode_rates(args.build, args.short)
    print(f"collector_bench: median of {args.runs} run(s) of {args.seconds} s; collector on CPU 0, "
          f"tracegen (2 workers, 200 spans/request) on CPU 1; memory storage")
    print(f"{'protocol':<20} {'accepted/s':>11} {'per core':>10} {'raw decode':>11} {'ratio':>6} "
          f"{'coll. CPU':>9} {'tracegen':>8} {'RSS MiB':>8}")
    failed = False
    for protocol, (_, codec) in PROTOCOLS.items():
        runs = [run_once(args.build, protocol, args.seconds, 0, pins) for _ in range(args.runs)]
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0] if k != "accounted"}
        failed |= not all(r["accounted"] for r in runs)
        print(f"{protocol:<20} {med['accepted_per_second']:>11.0f} {med['per_collector_core']:>10.0f} "
              f"{raw.get(codec, 0):>11.0f} {med['per_collector_core'] / raw.get(codec, 1):>6.2f} "
              f"{med['collector_cpu']:>9.2f} {med['tracegen_cpu']:>8.2f} {med['rss_mib']:>8.0f}")

    runs = [run_once(args.build, "otlp-grpc", max(args.seconds, 2) * 2, 100000, pins)
            for _ in range(args.runs)]
    print(f"otlp-grpc at 100,000 spans/s: accepted {statistics.median(r['accepted_per_second'] for r in runs):.0f}/s, "
          f"collector CPU {statistics.median(r['collector_cpu'] for r in runs):.2f} core, "
          f"peak RSS {statistics.median(r['rss_mib'] for r in runs):.0f} MiB")
    failed |= not all(r["accounted"] for r in runs)

    # Overload: a small queue, one storage worker, tracegen with 4 workers as fast as it can.
    overload = run_once(args.build, "otlp-http", max(args.seconds, 2) * 2, 0, pins,
                        extra=("--collector.queue-size=2000", "--collector.num-workers=1"),
                        workers=4)
    print(f"overload (otlp-http, queue 2000 spans, 1 worker, tracegen 4 workers): received "
          f"{overload['received']:.0f} = saved {overload['saved']:.0f} + rejected "
          f"{overload['collector_rejected']:.0f} + dropped {overload['dropped']:.0f}; "
          f"peak RSS {overload['rss_mib']:.0f} MiB")
    failed |= not overload["accounted"]
    if failed:
        print("collector_bench: received != rejected + dropped + processed in some run", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
