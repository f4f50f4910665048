// A realistic span batch for benchmarks: what an instrumented HTTP service exports in one request.
#pragma once

#include <cstdint>
#include <string>

#include "tracecore/model.h"

namespace ariadne::bench {

// `span_count` spans in traces of 8 spans, one resource (6 attributes), one scope. Each span has
// 10 attributes (6 strings, 2 ints, 1 bool, 1 double), every other span 2 events with 2 attributes,
// every tenth span an error status; kinds cycle through server/client/internal/producer.
inline tracecore::SpanBatch MakeRealisticBatch(size_t span_count) {
  using namespace tracecore;
  SpanBatch batch;
  uint32_t resource = batch.AddResource();
  Attributes& resource_attributes = batch.resources()[resource].attributes;
  resource_attributes.push_back({"service.name", AnyValue::String("checkout-service")});
  resource_attributes.push_back({"service.version", AnyValue::String("2.14.1")});
  resource_attributes.push_back({"host.name", AnyValue::String("ip-10-0-12-34.ec2.internal")});
  resource_attributes.push_back({"telemetry.sdk.language", AnyValue::String("nodejs")});
  resource_attributes.push_back({"telemetry.sdk.name", AnyValue::String("opentelemetry")});
  resource_attributes.push_back({"process.pid", AnyValue::Int(48213)});
  uint32_t scope = batch.AddScope();
  batch.scopes()[scope].name = "@opentelemetry/instrumentation-http";
  batch.scopes()[scope].version = "0.57.1";

  static constexpr SpanKind kKinds[] = {SpanKind::kServer, SpanKind::kClient, SpanKind::kInternal,
                                        SpanKind::kProducer};
  const uint64_t t0 = 1764240000000000000ULL;
  for (size_t i = 0; i < span_count; ++i) {
    Span& span = batch.AddSpan(resource, scope);
    span.trace_id = TraceId{0x5b8efff798038103ULL + i / 8, 0xd269b633813fc60cULL};
    span.span_id = SpanId{0xeee19b7ec3c1b174ULL + i};
    if (i % 8 != 0) span.parent_span_id = SpanId{0xeee19b7ec3c1b174ULL + i - i % 8};
    span.name = (i % 2 == 0) ? "GET /api/v1/orders/{orderId}" : "SELECT orders.shop";
    span.kind = kKinds[i % 4];
    span.flags = 0x101;
    span.start_time_unix_nano = t0 + i * 1000123;
    span.end_time_unix_nano = span.start_time_unix_nano + 2500000 + (i % 17) * 1000;
    span.attributes.push_back({"http.method", AnyValue::String("GET")});
    span.attributes.push_back(
        {"http.url",
         AnyValue::String("https://shop.example.com/api/v1/orders/81723?expand=items")});
    span.attributes.push_back({"http.route", AnyValue::String("/api/v1/orders/{orderId}")});
    span.attributes.push_back({"net.peer.name", AnyValue::String("orders-db.internal")});
    span.attributes.push_back({"db.system", AnyValue::String("postgresql")});
    span.attributes.push_back(
        {"user_agent.original", AnyValue::String("Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0")});
    span.attributes.push_back({"http.status_code", AnyValue::Int(200)});
    span.attributes.push_back(
        {"http.response_content_length", AnyValue::Int(18211 + static_cast<int64_t>(i))});
    span.attributes.push_back({"cache.hit", AnyValue::Bool(i % 3 == 0)});
    span.attributes.push_back({"sampling.ratio", AnyValue::Double(0.25)});
    if (i % 2 == 0) {
      for (int e = 0; e < 2; ++e) {
        Event& event = span.events.emplace_back(batch.arena());
        event.time_unix_nano = span.start_time_unix_nano + 100000 * (e + 1);
        event.name = e == 0 ? "cache miss" : "retry";
        event.attributes.push_back({"cache.key", AnyValue::String("orders:81723")});
        event.attributes.push_back({"attempt", AnyValue::Int(e + 1)});
      }
    }
    if (i % 10 == 9) {
      span.status.code = SpanStatusCode::kError;
      span.status.message = "deadline exceeded";
    }
  }
  return batch;
}

}  // namespace ariadne::bench
