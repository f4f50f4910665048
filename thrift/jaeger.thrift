# Ariadne: Jaeger Thrift span model (wire-compatible with jaeger-idl
# thrift/jaeger.thrift). All times are microseconds since the Unix epoch.

namespace cpp jaegertracing.thrift
namespace java com.uber.jaeger.thriftjava

# Note: the numbering differs from the protobuf ValueType enum.
enum TagType { STRING = 0, DOUBLE = 1, BOOL = 2, LONG = 3, BINARY = 4 }

# Typed key/value; only the v* member selected by vType is meaningful.
struct Tag {
  1: required string  key
  2: required TagType vType
  3: optional string  vStr
  4: optional double  vDouble
  5: optional bool    vBool
  6: optional i64     vLong
  7: optional binary  vBinary
}

# Timestamped set of fields.
struct Log {
  1: required i64       timestamp
  2: required list<Tag> fields
}

enum SpanRefType { CHILD_OF = 0, FOLLOWS_FROM = 1 }

struct SpanRef {
  1: required SpanRefType refType
  2: required i64         traceIdLow
  3: required i64         traceIdHigh
  4: required i64         spanId
}

# IDs are signed on the wire; treat them as unsigned 64-bit values.
struct Span {
  1:  required i64           traceIdLow
  2:  required i64           traceIdHigh    # 0 for 64-bit trace ids
  3:  required i64           spanId
  4:  required i64           parentSpanId   # 0 = no parent
  5:  required string        operationName
  6:  optional list<SpanRef> references
  7:  required i32           flags          # 1 = sampled, 2 = debug
  8:  required i64           startTime
  9:  required i64           duration
  10: optional list<Tag>     tags
  11: optional list<Log>     logs
}

# The emitting service.
struct Process {
  1: required string    serviceName
  2: optional list<Tag> tags
}

# Client-side drop counters reported alongside a batch.
struct ClientStats {
  1: required i64 fullQueueDroppedSpans
  2: required i64 tooLargeDroppedSpans
  3: required i64 failedToEmitSpans
}

# Unit of submission (UDP agent and HTTP /api/traces).
struct Batch {
  1: required Process     process
  2: required list<Span>  spans
  3: optional i64         seqNo
  4: optional ClientStats stats
}

struct BatchSubmitResponse {
  1: required bool ok
}

# Legacy TChannel collector endpoint.
service Collector {
  list<BatchSubmitResponse> submitBatches(1: list<Batch> batches)
}
