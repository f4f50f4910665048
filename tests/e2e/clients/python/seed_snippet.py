#!/usr/bin/env python3
"""The Python tracing setup of the seed (section 4.2, "tracing.py"), unchanged except that the
agent address comes from the environment, followed by a small harness that makes one known span,
shuts the tracer provider down (which flushes) and writes the manifest of what the exporter was
handed.

    ARIADNE_E2E_JAEGER_AGENT_HOST=127.0.0.1 ARIADNE_E2E_JAEGER_AGENT_PORT=6831 \\
        .venv-jaeger/bin/python seed_snippet.py --manifest out.json

The exporter sends one compact-Thrift emitBatch datagram over UDP to that address (a Jaeger agent).
The manifest says protocol "jaeger-agent-compact" and endpoint "HOST:PORT", in the format of
tests/e2e/README.md (written by send.py's writer).

Exit status: 0 when the exporter was handed the one span and returned SUCCESS for it without
logging a problem (over UDP that means the datagram was handed to the kernel); 1 otherwise; 2 on a
usage error. The manifest is written in both of the first two cases.
"""

import argparse
import os
import sys

from send import ProblemLog, write_manifest

HOST_VARIABLE = "ARIADNE_E2E_JAEGER_AGENT_HOST"
PORT_VARIABLE = "ARIADNE_E2E_JAEGER_AGENT_PORT"


def parse_command_line():
    """The manifest path; checks the two environment variables first (exit 2 when they are wrong),
    so that the snippet below can read them as it stands."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--manifest", required=True)
    options = parser.parse_args()  # exits with status 2 on a usage error
    if not os.environ.get(HOST_VARIABLE):
        parser.error(f"{HOST_VARIABLE} is not set")
    port_text = os.environ.get(PORT_VARIABLE, "")
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        parser.error(f"{PORT_VARIABLE} must be a port in 1..65535, got {port_text!r}")
    return options


OPTIONS = parse_command_line()
PROBLEMS = ProblemLog("opentelemetry.exporter.jaeger")

# ---- the seed's snippet, as users run it --------------------------------------------------------
# tracing.py
from opentelemetry import trace
from opentelemetry.exporter.jaeger.thrift import JaegerExporter
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

# Configure Jaeger exporter
jaeger_exporter = JaegerExporter(
    agent_host_name=os.environ[HOST_VARIABLE],
    agent_port=int(os.environ[PORT_VARIABLE]),
    # or use collector
    # collector_endpoint="http://jaeger-collector:14268/api/traces"
)

# Configure tracer provider
trace.set_tracer_provider(
    TracerProvider(
        resource=Resource.create({SERVICE_NAME: "model-router"})
    )
)

# Add span processor
tracer_provider = trace.get_tracer_provider()
span_processor = BatchSpanProcessor(jaeger_exporter)
tracer_provider.add_span_processor(span_processor)
# ---- end of the seed's snippet ------------------------------------------------------------------

from opentelemetry.sdk.trace.export import SpanExportResult  # noqa: E402
from opentelemetry.trace import SpanKind  # noqa: E402


class ObservedExports:
    """Watches the exporter the snippet built (without changing its configuration): remembers the
    spans it is handed and what each export call returned or raised."""

    def __init__(self, exporter):
        self.spans = []
        self.failures = []
        self.calls = 0
        original_export = exporter.export

        def export(spans):
            self.spans.extend(spans)
            self.calls += 1
            try:
                result = original_export(spans)
            except Exception as error:
                self.failures.append(f"export raised {type(error).__name__}: {error}")
                raise
            if result != SpanExportResult.SUCCESS:
                self.failures.append(f"export returned {result.name}")
            return result

        exporter.export = export  # the processor calls the instance's attribute

    def failure(self):
        if len(self.spans) != 1:
            return f"the exporter was handed {len(self.spans)} spans"
        if self.failures:
            return self.failures[0]
        if self.calls == 0:
            return "the exporter was never called"
        return ""


def main():
    observed = ObservedExports(jaeger_exporter)
    span = trace.get_tracer("seed-snippet-e2e", "0.1.0").start_span(
        "GET /seed/snippet",
        kind=SpanKind.SERVER,
        attributes={"http.request.method": "GET", "e2e.seed.snippet": True, "e2e.seed.count": 1},
    )
    span.add_event("seed.event", {"e2e.seed.note": "from section 4.2"})
    span.end()

    tracer_provider.shutdown()  # BatchSpanProcessor exports what it holds, then stops
    endpoint = f"{os.environ[HOST_VARIABLE]}:{os.environ[PORT_VARIABLE]}"
    write_manifest(OPTIONS.manifest, observed.spans, "jaeger-agent-compact", endpoint)
    failure = observed.failure() or PROBLEMS.failure()
    if failure:
        print(f"seed_snippet.py: {failure}", file=sys.stderr)
        return 1
    print(f"seed snippet sent 1 span to the agent at {endpoint}: SUCCESS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
