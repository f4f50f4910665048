// Status: the result of every operation on untrusted input.
//
// Decoders never throw and never abort; they return a Status whose message says what was wrong and
// where ("otlp: span[3].attributes[1]: truncated varint"), so that a receiver can put it in a 400
// or INVALID_ARGUMENT reply unchanged.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace ariadne::tracecore {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,    // the input is malformed; retrying the same bytes will fail again
  kResourceExhausted,  // the input exceeds a configured limit (size, depth, count)
  kUnimplemented,      // well-formed, but asks for something this build does not do
  kInternal,           // a bug: an invariant of ours did not hold
  kUnavailable,        // a resource (disk, network, another service) failed; retrying may work
  kDataLoss,           // stored data is corrupt or unreadable
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string message) {
    return {StatusCode::kInvalidArgument, std::move(message)};
  }
  static Status ResourceExhausted(std::string message) {
    return {StatusCode::kResourceExhausted, std::move(message)};
  }
  static Status Unimplemented(std::string message) {
    return {StatusCode::kUnimplemented, std::move(message)};
  }
  static Status Internal(std::string message) {
    return {StatusCode::kInternal, std::move(message)};
  }

  static Status Unavailable(std::string message) {
    return {StatusCode::kUnavailable, std::move(message)};
  }
  static Status DataLoss(std::string message) {
    return {StatusCode::kDataLoss, std::move(message)};
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "<context>: <message>"; OK stays OK.
  Status WithContext(std::string_view context) const {
    if (ok()) return {};
    std::string m(context);
    m += ": ";
    m += message_;
    return {code_, std::move(m)};
  }

 private:
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

}  // namespace ariadne::tracecore

// Returns the status of `expr` from the enclosing function when it is not OK.
#define ARIADNE_RETURN_IF_ERROR(expr)                      \
  do {                                                     \
    ::ariadne::tracecore::Status ariadne_status_ = (expr); \
    if (!ariadne_status_.ok()) return ariadne_status_;     \
  } while (false)
