# Ariadne: Zipkin v1 Thrift model (wire-compatible with zipkincore.thrift as
# shipped in jaeger-idl). Times are microseconds since the Unix epoch.

namespace cpp twitter.zipkin.thrift
namespace java com.twitter.zipkin.thriftjava

# Core annotation values (Annotation.value).
const string CLIENT_SEND = "cs"
const string CLIENT_RECV = "cr"
const string SERVER_SEND = "ss"
const string SERVER_RECV = "sr"
const string MESSAGE_SEND = "ms"
const string MESSAGE_RECV = "mr"
const string WIRE_SEND = "ws"
const string WIRE_RECV = "wr"
const string CLIENT_SEND_FRAGMENT = "csf"
const string CLIENT_RECV_FRAGMENT = "crf"
const string SERVER_SEND_FRAGMENT = "ssf"
const string SERVER_RECV_FRAGMENT = "srf"

# Well-known BinaryAnnotation keys.
const string LOCAL_COMPONENT = "lc"
const string CLIENT_ADDR = "ca"
const string SERVER_ADDR = "sa"
const string MESSAGE_ADDR = "ma"

# Network location of a service.
struct Endpoint {
  1: i32 ipv4               # packed, a.b.c.d = a<<24 | b<<16 | c<<8 | d
  2: i16 port               # unsigned in practice; 0 = unknown
  3: string service_name
  4: optional binary ipv6   # 16 bytes
}

struct Annotation {
  1: i64 timestamp
  2: string value
  3: optional Endpoint host
  # id 4 is retired; do not reuse
}

enum AnnotationType { BOOL = 0, BYTES = 1, I16 = 2, I32 = 3, I64 = 4, DOUBLE = 5, STRING = 6 }

# Tag; value bytes are interpreted according to annotation_type.
struct BinaryAnnotation {
  1: string key
  2: binary value
  3: AnnotationType annotation_type
  4: optional Endpoint host
}

# ids 2 and 7 are unused.
struct Span {
  1:  i64 trace_id
  3:  string name
  4:  i64 id
  5:  optional i64 parent_id
  6:  list<Annotation> annotations
  8:  list<BinaryAnnotation> binary_annotations
  9:  optional bool debug = 0
  10: optional i64 timestamp
  11: optional i64 duration
  12: optional i64 trace_id_high   # non-zero => 128-bit trace id
}

struct Response {
  1: required bool ok
}

# Legacy TChannel collector endpoint.
service ZipkinCollector {
  list<Response> submitZipkinBatch(1: list<Span> spans)
}
