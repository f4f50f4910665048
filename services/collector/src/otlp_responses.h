// The small OTLP and google.rpc messages the receivers answer with, in protobuf and in JSON.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ariadne::collector {

// ExportTraceServiceResponse; with rejected_spans > 0 it carries partial_success
// {rejected_spans, error_message}. Empty message (0 bytes / "{}") otherwise.
void EncodeExportResponse(uint64_t rejected_spans, std::string_view error_message, bool json,
                          std::string& out);

// google.rpc.Status{code, message}: the body of an OTLP/HTTP error response.
void EncodeRpcStatus(int code, std::string_view message, bool json, std::string& out);

// google.rpc.Status{code, message, details=[google.rpc.RetryInfo{retry_delay}]} as protobuf: the
// grpc-status-details-bin trailer that tells OTLP exporters a RESOURCE_EXHAUSTED is retryable.
std::string EncodeRetryableStatus(int code, std::string_view message, uint32_t retry_after_seconds);

}  // namespace ariadne::collector
