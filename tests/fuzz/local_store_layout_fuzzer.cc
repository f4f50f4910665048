// Fuzz target: everything the `local` store decodes from its own files (which a damaged disk or
// another program may have changed): keys of every family, search summaries, dependency counts
// and the format record. Span records have their own target (span_block_fuzzer).
#include "fuzz_target.h"
#include "local/store_layout.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ariadne::storage::local;
  const std::string_view bytes = ariadne::fuzz::AsView(data, size);

  TraceKeyParts trace_key;
  (void)ParseTraceKey(bytes, trace_key);
  SearchKeyParts search_key;
  (void)ParseSearchKey(bytes, search_key);
  OperationKeyParts operation_key;
  (void)ParseMetaOperationKey(bytes, operation_key);
  uint32_t bucket = 0;
  uint64_t number = 0;
  char granularity = 0;
  (void)ParseMetaBucketKey(bytes, bucket);
  (void)ParseDependencyKey(bytes, bucket, granularity, number);
  (void)ParseRecordKey(bytes, bucket, number);

  FormatRecord format;
  (void)DecodeFormatRecord(bytes, format);
  std::vector<SpanSummary> summaries;
  (void)DecodeSearchSummary(bytes, UINT64_MAX / 2, summaries);
  std::vector<LinkCount> links;
  (void)DecodeDependencyCounts(bytes, links);
  return 0;
}
