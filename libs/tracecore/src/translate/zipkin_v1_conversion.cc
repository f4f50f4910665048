// Zipkin v1 -> v2 spans, the way zipkin2's V1SpanConverter splits and interprets them.
#include "tracecore/translate/zipkin_translation.h"

namespace ariadne::tracecore::zipkin {
namespace {

// The v1 core annotations found in one span; null when absent.
struct CoreAnnotations {
  const V1Annotation* cs = nullptr;
  const V1Annotation* sr = nullptr;
  const V1Annotation* ss = nullptr;
  const V1Annotation* cr = nullptr;
  const V1Annotation* ms = nullptr;
  const V1Annotation* mr = nullptr;
  const V1Annotation* ws = nullptr;
  const V1Annotation* wr = nullptr;
};

const ZipkinEndpoint* EndpointOf(const V1Annotation& annotation) {
  return annotation.has_endpoint ? &annotation.endpoint : nullptr;
}

bool SameServiceName(const ZipkinEndpoint& left, const ZipkinEndpoint* right) {
  return right != nullptr && left.service_name == right->service_name;
}

uint64_t DurationBetween(uint64_t begin_us, uint64_t end_us) {
  return end_us > begin_us ? end_us - begin_us : 0;
}

// True when the span's own timestamp and duration end exactly at `end`: then the missing start
// annotation can be rebuilt from the span timestamp.
bool EndMatchesSpan(const V1Annotation* end, const V1Span& v1) {
  return end != nullptr && v1.timestamp_us != 0 && v1.duration_us != 0 &&
         v1.timestamp_us + v1.duration_us == end->timestamp_us;
}

}  // namespace

bool IsAddressKey(std::string_view key) {
  return key == "ca" || key == "sa" || key == "ma";
}

void V1Span::Clear() {
  trace_id = {};
  id = {};
  parent_id = {};
  name = {};
  debug = false;
  timestamp_us = 0;
  duration_us = 0;
  annotations.clear();
  binary_annotations.clear();
}

ZipkinSpan& V1SpanConverter::NewSpan(const V1Span& v1, const ZipkinEndpoint* endpoint) {
  if (used_ == spans_.size()) spans_.push_back(std::make_unique<ZipkinSpan>());
  ZipkinSpan& span = *spans_[used_++];
  span.Clear();
  span.trace_id = v1.trace_id;
  span.id = v1.id;
  span.parent_id = v1.parent_id;
  span.name = v1.name;
  span.debug = v1.debug;
  if (endpoint != nullptr) span.local_endpoint = *endpoint;
  return span;
}

// The span that holds what happened at `endpoint`: the first span when the endpoint is unknown,
// else the span of the same service (a span without a local endpoint adopts this one), else a
// new span.
ZipkinSpan& V1SpanConverter::SpanFor(const V1Span& v1, const ZipkinEndpoint* endpoint) {
  if (endpoint == nullptr) return *spans_[0];
  for (size_t i = 0; i < used_; ++i) {
    ZipkinSpan& span = *spans_[i];
    if (span.local_endpoint.empty()) {
      span.local_endpoint = *endpoint;
      return span;
    }
    if (SameServiceName(span.local_endpoint, endpoint)) return span;
  }
  return NewSpan(v1, endpoint);
}

Status V1SpanConverter::Convert(const V1Span& v1, ModelBuilder& builder) {
  used_ = 0;
  NewSpan(v1, nullptr);

  // Annotations: core ones give kind and timing, the others become v2 annotations.
  CoreAnnotations core;
  for (const V1Annotation& annotation : v1.annotations) {
    if (annotation.value.empty()) continue;
    ZipkinSpan& span = SpanFor(v1, EndpointOf(annotation));
    std::string_view value = annotation.value;
    // Core annotations need an endpoint; without one they are ordinary annotations.
    bool core_candidate = value.size() == 2 && annotation.has_endpoint;
    if (core_candidate && value == "cs") {
      span.kind = SpanKind::kClient;
      core.cs = &annotation;
    } else if (core_candidate && value == "sr") {
      span.kind = SpanKind::kServer;
      core.sr = &annotation;
    } else if (core_candidate && value == "ss") {
      span.kind = SpanKind::kServer;
      core.ss = &annotation;
    } else if (core_candidate && value == "cr") {
      span.kind = SpanKind::kClient;
      core.cr = &annotation;
    } else if (core_candidate && value == "ms") {
      span.kind = SpanKind::kProducer;
      core.ms = &annotation;
    } else if (core_candidate && value == "mr") {
      span.kind = SpanKind::kConsumer;
      core.mr = &annotation;
    } else if (core_candidate && value == "ws") {
      core.ws = &annotation;
    } else if (core_candidate && value == "wr") {
      core.wr = &annotation;
    } else {
      span.annotations.push_back({annotation.timestamp_us, value});
    }
  }

  // A start annotation lost when bridging from an event model is rebuilt from the span's times.
  V1Annotation rebuilt_cs, rebuilt_sr;
  if (core.cs == nullptr && EndMatchesSpan(core.cr, v1)) {
    rebuilt_cs = {v1.timestamp_us, "cs", true, core.cr->endpoint};
    core.cs = &rebuilt_cs;
  }
  if (core.sr == nullptr && EndMatchesSpan(core.ss, v1)) {
    rebuilt_sr = {v1.timestamp_us, "sr", true, core.ss->endpoint};
    core.sr = &rebuilt_sr;
  }

  auto timestamp_and_duration = [&](const V1Annotation& begin, const V1Annotation* end) {
    ZipkinSpan& span = SpanFor(v1, EndpointOf(begin));
    if (v1.timestamp_us != 0 && v1.duration_us != 0) {
      span.timestamp_us = v1.timestamp_us;
      span.duration_us = v1.duration_us;
    } else {
      span.timestamp_us = begin.timestamp_us;
      if (end != nullptr) span.duration_us = DurationBetween(begin.timestamp_us, end->timestamp_us);
    }
  };

  if (core.cs != nullptr && core.sr != nullptr) {
    // Both sides of an RPC in one v1 span: the client owns the span's timing, the server side is
    // a shared span timed by its own annotations.
    timestamp_and_duration(*core.cs, core.cr);
    ZipkinSpan* client = &SpanFor(v1, EndpointOf(*core.cs));
    ZipkinSpan* server;
    if (SameServiceName(core.cs->endpoint, EndpointOf(*core.sr))) {
      // Loopback: one service on both sides still makes two spans.
      client->kind = SpanKind::kClient;
      server = &NewSpan(v1, EndpointOf(*core.sr));
      server->kind = SpanKind::kServer;
    } else {
      server = &SpanFor(v1, EndpointOf(*core.sr));
    }
    server->shared = true;
    server->timestamp_us = core.sr->timestamp_us;
    if (core.ss != nullptr) {
      server->duration_us = DurationBetween(core.sr->timestamp_us, core.ss->timestamp_us);
    }
    if (core.cr == nullptr && v1.duration_us == 0) client->duration_us = 0;  // one-way
  } else if (core.cs != nullptr && core.cr != nullptr) {
    timestamp_and_duration(*core.cs, core.cr);
  } else if (core.sr != nullptr && core.ss != nullptr) {
    timestamp_and_duration(*core.sr, core.ss);
  } else {
    // An incomplete RPC: start annotations give the timestamp, lone end annotations stay.
    for (size_t i = 0; i < used_; ++i) {
      ZipkinSpan& span = *spans_[i];
      if (span.kind == SpanKind::kClient) {
        if (core.cs != nullptr) span.timestamp_us = core.cs->timestamp_us;
        if (core.cr != nullptr) span.annotations.push_back({core.cr->timestamp_us, "cr"});
      } else if (span.kind == SpanKind::kServer) {
        if (core.sr != nullptr) span.timestamp_us = core.sr->timestamp_us;
        if (core.ss != nullptr) span.annotations.push_back({core.ss->timestamp_us, "ss"});
      }
    }
    if (v1.timestamp_us != 0) {
      spans_[0]->timestamp_us = v1.timestamp_us;
      spans_[0]->duration_us = v1.duration_us;
    }
  }

  // v1 had no shared flag: a server side without its own timestamp (or without a duration
  // although it ended) is the shared half of a span whose client side reported the timing.
  if (core.cs == nullptr && core.sr != nullptr &&
      (v1.timestamp_us == 0 || (core.ss != nullptr && v1.duration_us == 0))) {
    SpanFor(v1, EndpointOf(*core.sr)).shared = true;
  }

  // Messaging: producer and consumer sides (normally in different v1 spans).
  if (core.ms != nullptr && core.mr != nullptr) {
    ZipkinSpan* producer = &SpanFor(v1, EndpointOf(*core.ms));
    ZipkinSpan* consumer;
    if (SameServiceName(core.ms->endpoint, EndpointOf(*core.mr))) {
      producer->kind = SpanKind::kProducer;
      consumer = &NewSpan(v1, EndpointOf(*core.mr));
      consumer->kind = SpanKind::kConsumer;
    } else {
      consumer = &SpanFor(v1, EndpointOf(*core.mr));
    }
    consumer->shared = true;
    if (core.wr != nullptr) {
      consumer->timestamp_us = core.wr->timestamp_us;
      consumer->duration_us = DurationBetween(core.wr->timestamp_us, core.mr->timestamp_us);
    } else {
      consumer->timestamp_us = core.mr->timestamp_us;
    }
    producer->timestamp_us = core.ms->timestamp_us;
    producer->duration_us =
        core.ws != nullptr ? DurationBetween(core.ms->timestamp_us, core.ws->timestamp_us) : 0;
  } else if (core.ms != nullptr) {
    timestamp_and_duration(*core.ms, core.ws);
  } else if (core.mr != nullptr) {
    if (core.wr != nullptr) {
      timestamp_and_duration(*core.wr, core.mr);
    } else {
      timestamp_and_duration(*core.mr, nullptr);
    }
  } else {
    if (core.ws != nullptr) {
      SpanFor(v1, EndpointOf(*core.ws)).annotations.push_back({core.ws->timestamp_us, "ws"});
    }
    if (core.wr != nullptr) {
      SpanFor(v1, EndpointOf(*core.wr)).annotations.push_back({core.wr->timestamp_us, "wr"});
    }
  }

  // Binary annotations: addresses become remote endpoints, the rest tags.
  const ZipkinEndpoint* ca = nullptr;
  const ZipkinEndpoint* sa = nullptr;
  const ZipkinEndpoint* ma = nullptr;
  for (const V1BinaryAnnotation& binary : v1.binary_annotations) {
    const ZipkinEndpoint* endpoint = binary.has_endpoint ? &binary.endpoint : nullptr;
    if (binary.is_address) {
      if (endpoint == nullptr) continue;
      if (binary.key == "ca") ca = endpoint;
      if (binary.key == "sa") sa = endpoint;
      if (binary.key == "ma") ma = endpoint;
      continue;
    }
    ZipkinSpan& span = SpanFor(v1, endpoint);
    if (binary.key == "lc") {
      // "lc" names the local component; an empty one is only a marker.
      if (binary.value.type() == ValueType::kString && binary.value.string_value().empty())
        continue;
      span.tags.push_back({"component", binary.value});
      continue;
    }
    span.tags.push_back({binary.key, binary.value});
  }

  bool no_core_annotations =
      core.cs == nullptr && core.cr == nullptr && core.ss == nullptr && core.sr == nullptr;
  if (no_core_annotations && (ca != nullptr || sa != nullptr)) {
    if (ca != nullptr && sa != nullptr) {
      SpanFor(v1, ca).remote_endpoint = *sa;
    } else if (sa != nullptr) {
      // "sa" alone is a remote address; it does not make the span a client.
      SpanFor(v1, nullptr).remote_endpoint = *sa;
    } else {
      // "ca" alone: the span is the server of that client.
      ZipkinSpan& span = SpanFor(v1, nullptr);
      span.kind = SpanKind::kServer;
      span.remote_endpoint = *ca;
    }
  } else {
    const V1Annotation* server = core.sr != nullptr ? core.sr : core.ss;
    if (ca != nullptr && server != nullptr && !(*ca == server->endpoint)) {
      ZipkinEndpoint client_address = *ca;
      // Finagle reports the client socket under the server's own service name; dropping the name
      // avoids a self-link.
      if (SameServiceName(server->endpoint, ca)) client_address.service_name = {};
      SpanFor(v1, EndpointOf(*server)).remote_endpoint = client_address;
    }
    if (sa != nullptr) {
      if (core.cs != nullptr) {
        SpanFor(v1, EndpointOf(*core.cs)).remote_endpoint = *sa;
      } else if (core.cr != nullptr) {
        SpanFor(v1, EndpointOf(*core.cr)).remote_endpoint = *sa;
      }
    }
    if (ma != nullptr) {
      if (core.ms != nullptr) SpanFor(v1, EndpointOf(*core.ms)).remote_endpoint = *ma;
      if (core.mr != nullptr) SpanFor(v1, EndpointOf(*core.mr)).remote_endpoint = *ma;
    }
  }

  for (size_t i = 0; i < used_; ++i) ARIADNE_RETURN_IF_ERROR(builder.Append(*spans_[i]));
  return Status::Ok();
}

}  // namespace ariadne::tracecore::zipkin
