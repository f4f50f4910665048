#!/usr/bin/env python3
"""Sends a known set of spans with one of the OpenTelemetry Python SDK's exporters.

    .venv/bin/python send.py --protocol otlp-grpc|otlp-http-proto|jaeger-agent-compact \\
        --endpoint ENDPOINT --manifest out.json [--service NAME] \\
        [--compression none|gzip|deflate] [--timeout-ms N]

--endpoint is handed to the exporter unchanged: http://127.0.0.1:4317 for otlp-grpc (plain text
because of the http scheme), the full URL http://127.0.0.1:4318/v1/traces for otlp-http-proto.
--compression deflate exists for otlp-http-proto only.

jaeger-agent-compact is opentelemetry-exporter-jaeger-thrift's JaegerExporter in agent mode: one
compact-Thrift emitBatch datagram per export over UDP to --endpoint HOST:PORT (an agent, 6831 in
production), given to the exporter as agent_host_name and agent_port. --compression and
--timeout-ms do not apply to it. That exporter needs an older SDK, so this protocol runs with
.venv-jaeger/bin/python (requirements-jaeger.txt); the others with .venv/bin/python.

The same spans are recorded with the SDK's InMemorySpanExporter and written as a manifest in the
format of tests/e2e/README.md, which is also what ../node/send.js writes.

Exit status: 0 when every export call returned SUCCESS for all spans, 1 when an export failed or
the flush timed out (the manifest is still written), 2 on a usage error. Over UDP nothing answers:
SUCCESS only means that the datagram was handed to the kernel, and a batch the Jaeger exporter
refuses to send because it exceeds its 65000-byte packet limit (it logs a warning and still
returns SUCCESS) counts as a failure here.
"""

import argparse
import json
import logging
import sys
import threading
import time

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.version import __version__ as SDK_VERSION
from opentelemetry.trace import Link, SpanKind, Status, StatusCode

PROTOCOLS = ("otlp-grpc", "otlp-http-proto", "jaeger-agent-compact")
JAEGER_AGENT_PROTOCOL = "jaeger-agent-compact"
SCOPE_NAME = "ariadne-e2e-python"
SCOPE_VERSION = "1.2.3"


def parse_command_line():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--protocol", required=True, choices=PROTOCOLS)
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--manifest", required=True)
    parser.add_argument("--service", default="e2e-python")
    parser.add_argument("--compression", default="none", choices=("none", "gzip", "deflate"))
    parser.add_argument("--timeout-ms", type=int, default=10000)
    options = parser.parse_args()  # exits with status 2 on a usage error
    if options.timeout_ms <= 0:
        parser.error("--timeout-ms must be positive")
    if options.compression == "deflate" and options.protocol == "otlp-grpc":
        parser.error("--compression deflate is for otlp-http-proto only")
    if options.protocol == JAEGER_AGENT_PROTOCOL:
        if options.compression != "none":
            parser.error("--compression is for the OTLP protocols only")
        try:
            options.agent_host, options.agent_port = parse_host_port(options.endpoint)
        except ValueError as error:
            parser.error(f"--endpoint: {error}")
    return options


def parse_host_port(endpoint):
    """(host, port) of 'HOST:PORT'; raises ValueError naming what is wrong."""
    host, separator, port_text = endpoint.rpartition(":")
    if not separator or not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ValueError(f"expected HOST:PORT with a port in 1..65535, got {endpoint!r}")
    return host, int(port_text)


def make_exporter(options):
    """The real exporter for the protocol, configured only through its public options."""
    timeout_seconds = options.timeout_ms / 1000.0
    if options.protocol == JAEGER_AGENT_PROTOCOL:
        # Only in .venv-jaeger (requirements-jaeger.txt): the exporter needs SDK 1.39.x.
        from opentelemetry.exporter.jaeger.thrift import JaegerExporter

        return JaegerExporter(agent_host_name=options.agent_host, agent_port=options.agent_port)
    if options.protocol == "otlp-grpc":
        import grpc
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        compression = grpc.Compression.Gzip if options.compression == "gzip" else None
        return OTLPSpanExporter(
            endpoint=options.endpoint, timeout=timeout_seconds, compression=compression
        )
    from opentelemetry.exporter.otlp.proto.http import Compression
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter(
        endpoint=options.endpoint,
        timeout=timeout_seconds,
        compression=Compression(options.compression),
    )


class ResultRecordingExporter(SpanExporter):
    """Wraps the real exporter and remembers every export result and every exception it raised
    (the processor only logs them)."""

    def __init__(self, inner):
        self._inner = inner
        self._lock = threading.Lock()
        self._failures = []  # messages
        self._spans_exported = 0

    def export(self, spans):
        try:
            result = self._inner.export(spans)
        except Exception as error:
            with self._lock:
                self._failures.append(f"export raised {type(error).__name__}: {error}")
            raise
        with self._lock:
            if result == SpanExportResult.SUCCESS:
                self._spans_exported += len(spans)
            else:
                self._failures.append(f"export returned {result.name}")
        return result

    def shutdown(self):
        self._inner.shutdown()

    def force_flush(self, timeout_millis=30000):
        return self._inner.force_flush(timeout_millis)

    def failure(self, expected):
        """A message naming what went wrong, or '' when all `expected` spans were exported."""
        with self._lock:
            if self._failures:
                return self._failures[0]
            if self._spans_exported != expected:
                return f"exported {self._spans_exported} of {expected} spans"
        return ""


class ProblemLog(logging.Handler):
    """Remembers the warnings and errors that a logger (and its children) reports. The Jaeger
    exporter says only through its log that it did not send a batch (too large for one datagram)."""

    def __init__(self, logger_name):
        super().__init__(level=logging.WARNING)
        self._messages = []
        logging.getLogger(logger_name).addHandler(self)

    def emit(self, record):
        self._messages.append(record.getMessage())

    def failure(self):
        return f"the exporter logged: {self._messages[0]}" if self._messages else ""


# ---- the known trace set ------------------------------------------------------------------------


def all_types(prefix):
    """One attribute of every OTel value type, with `prefix` on every key."""
    return {
        f"{prefix}.string": "héllo wörld ✓ 世界",
        f"{prefix}.int": 42,
        f"{prefix}.int_negative": -7,
        f"{prefix}.int_large": 2**63 - 1,
        f"{prefix}.double": 3.25,
        f"{prefix}.double_negative": -0.5,
        f"{prefix}.bool_true": True,
        f"{prefix}.bool_false": False,
        f"{prefix}.string_array": ["alpha", "beta", "gamma"],
        f"{prefix}.int_array": [1, -2, 3],
        f"{prefix}.double_array": [1.5, -2.25],
        f"{prefix}.bool_array": [True, False, True],
    }


def record_trace_set(tracer):
    """Trace A: SERVER root (OK) -> CLIENT child (ERROR) -> INTERNAL grandchild.
    Trace B: PRODUCER root linked to A's root -> CONSUMER child linked to A's grandchild.
    Times are explicit, one minute in the past, with sub-microsecond parts."""
    base = (time.time_ns() // 1_000_000 - 60_000) * 1_000_000

    def at(offset_nanos):
        return base + offset_nanos

    def parent(span):
        return trace.set_span_in_context(span)

    root = tracer.start_span(
        "GET /api/checkout",
        context=Context(),
        kind=SpanKind.SERVER,
        start_time=at(1_000_111),
        attributes={
            "http.request.method": "GET",
            "http.route": "/api/checkout",
            **all_types("e2e.span"),
        },
    )
    root.add_event("request.received", all_types("e2e.event"), timestamp=at(1_500_666))
    root.add_event("cache.miss", timestamp=at(2_000_000))

    client = tracer.start_span(
        "POST /inventory/reserve",
        context=parent(root),
        kind=SpanKind.CLIENT,
        start_time=at(5_000_222),
        attributes={"server.address": "inventory.internal", "server.port": 8443, "e2e.retries": 2},
    )
    internal = tracer.start_span(
        "serialize-request",
        context=parent(client),
        kind=SpanKind.INTERNAL,
        start_time=at(5_100_444),
        attributes={"e2e.payload.bytes": 1024},
    )
    internal.end(end_time=at(6_200_555))

    client.add_event(
        "exception",
        {"exception.type": "TimeoutError", "exception.message": "no answer within 250 ms"},
        timestamp=at(200_400_777),
    )
    client.set_status(Status(StatusCode.ERROR, "inventory service timed out"))
    client.end(end_time=at(200_500_333))

    root.set_status(Status(StatusCode.OK))
    root.end(end_time=at(251_000_999))

    producer = tracer.start_span(
        "orders publish",
        context=Context(),
        kind=SpanKind.PRODUCER,
        start_time=at(300_000_888),
        attributes={"messaging.system": "kafka", "messaging.destination.name": "orders"},
        links=[Link(root.get_span_context(), all_types("e2e.link"))],
    )
    consumer = tracer.start_span(
        "orders process",
        context=parent(producer),
        kind=SpanKind.CONSUMER,
        start_time=at(310_000_123),
        attributes={"messaging.system": "kafka", "messaging.operation.type": "process"},
        links=[Link(internal.get_span_context())],
    )
    consumer.add_event("message.acked", {"e2e.offset": 1_234_567}, timestamp=at(329_000_001))
    consumer.end(end_time=at(330_000_456))
    producer.end(end_time=at(301_000_999))


# ---- the manifest -------------------------------------------------------------------------------


def scalar_type(value):
    # bool first: in Python a bool is also an int. The OTLP encoder makes the same choice.
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    raise ValueError(f"unsupported attribute value {value!r}")


def typed_value(value):
    if isinstance(value, (list, tuple)):
        element_types = {scalar_type(element) for element in value}
        if len(element_types) != 1:
            raise ValueError(f"the test trace set only uses homogeneous arrays: {value!r}")
        return {"type": element_types.pop() + "[]", "value": list(value)}
    return {"type": scalar_type(value), "value": value}


def attributes_to_manifest(attributes):
    return {key: typed_value(value) for key, value in (attributes or {}).items()}


def trace_state_text(trace_state):
    return trace_state.to_header() if trace_state else ""


def span_to_manifest(span):
    context = span.get_span_context()
    scope = span.instrumentation_scope
    return {
        "traceId": format(context.trace_id, "032x"),
        "spanId": format(context.span_id, "016x"),
        "parentSpanId": format(span.parent.span_id, "016x") if span.parent else "",
        "traceState": trace_state_text(context.trace_state),
        "name": span.name,
        # OTLP numbers: the API's SpanKind is INTERNAL=0 .. CONSUMER=4, OTLP's is one more.
        "kind": span.kind.value + 1,
        "startTimeUnixNano": str(span.start_time),
        "endTimeUnixNano": str(span.end_time),
        "attributes": attributes_to_manifest(span.attributes),
        "events": [
            {
                "name": event.name,
                "timeUnixNano": str(event.timestamp),
                "attributes": attributes_to_manifest(event.attributes),
            }
            for event in span.events
        ],
        "links": [
            {
                "traceId": format(link.context.trace_id, "032x"),
                "spanId": format(link.context.span_id, "016x"),
                "traceState": trace_state_text(link.context.trace_state),
                "attributes": attributes_to_manifest(link.attributes),
            }
            for link in span.links
        ],
        "status": {"code": span.status.status_code.value, "message": span.status.description or ""},
        "resource": attributes_to_manifest(span.resource.attributes),
        "scope": {"name": scope.name, "version": scope.version or ""},
    }


def write_manifest(path, spans, protocol, endpoint, service=None):
    """Writes the manifest of `spans` (ReadableSpans) to `path`; `service` is left out when None
    (as in seed_snippet.py's manifest)."""
    entries = sorted(
        (span_to_manifest(span) for span in spans), key=lambda s: int(s["startTimeUnixNano"])
    )
    manifest = {
        "client": "opentelemetry-python",
        "sdkVersion": SDK_VERSION,
        "protocol": protocol,
        "endpoint": endpoint,
    }
    if service is not None:
        manifest["service"] = service
    manifest["spans"] = entries
    with open(path, "w", encoding="utf-8") as out:
        json.dump(manifest, out, indent=2, ensure_ascii=False)
        out.write("\n")


def main():
    options = parse_command_line()
    recorder = InMemorySpanExporter()
    problems = ProblemLog("opentelemetry.exporter.jaeger")
    exporter = ResultRecordingExporter(make_exporter(options))
    provider = TracerProvider(
        resource=Resource.create(
            {
                "service.name": options.service,
                "service.version": "4.5.6",
                "e2e.custom.key": "custom-value",
                "e2e.custom.int": 99,
            }
        ),
        shutdown_on_exit=False,
    )
    provider.add_span_processor(SimpleSpanProcessor(recorder))
    provider.add_span_processor(
        BatchSpanProcessor(exporter, export_timeout_millis=options.timeout_ms)
    )

    record_trace_set(provider.get_tracer(SCOPE_NAME, SCOPE_VERSION))

    flushed = provider.force_flush(timeout_millis=options.timeout_ms + 5000)
    spans = recorder.get_finished_spans()
    write_manifest(options.manifest, spans, options.protocol, options.endpoint, options.service)
    failure = (
        exporter.failure(len(spans)) or problems.failure() or ("" if flushed else "flush timed out")
    )
    provider.shutdown()
    if failure:
        print(f"send.py: {options.protocol} to {options.endpoint}: {failure}", file=sys.stderr)
        return 1
    print(f"sent {len(spans)} spans over {options.protocol} to {options.endpoint}: SUCCESS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
