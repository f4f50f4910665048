// Status: the result of every operation on untrusted input.
//
// Decoders never throw and never abort; they return a Status whose message says what was wrong and
// where ("otlp: span[3].attributes[1]: truncated varint"), so that a receiver can put it in a 400
// or INVALID_ARGUMENT reply unchanged.
#pragma once

#include <memory>
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

  Status(const Status& other)
      : error_(other.error_ ? std::make_unique<Error>(*other.error_) : nullptr) {}
  Status& operator=(const Status& other) {
    if (this != &other) error_ = other.error_ ? std::make_unique<Error>(*other.error_) : nullptr;
    return *this;
  }
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;
  ~Status() = default;

  bool ok() const { return error_ == nullptr; }
  StatusCode code() const { return error_ ? error_->code : StatusCode::kOk; }
  // Empty when OK.
  const std::string& message() const { return error_ ? error_->message : EmptyMessage(); }

  // Returns a copy whose message is "<context>: <message>"; OK stays OK.
  Status WithContext(std::string_view context) const {
    if (ok()) return {};
    std::string m(context);
    m += ": ";
    m += error_->message;
    return {error_->code, std::move(m)};
  }

 private:
  // An error lives on the heap so that an OK Status, the common case on every decoder's hot path,
  // is one null pointer: returning and testing it costs what returning a bool does.
  struct Error {
    StatusCode code;
    std::string message;
  };

  Status(StatusCode code, std::string message)
      : error_(std::make_unique<Error>(Error{code, std::move(message)})) {}

  static const std::string& EmptyMessage() {
    static const std::string empty;
    return empty;
  }

  std::unique_ptr<Error> error_;
};

}  // namespace ariadne::tracecore

// Returns the status of `expr` from the enclosing function when it is not OK.
#define ARIADNE_RETURN_IF_ERROR(expr)                      \
  do {                                                     \
    ::ariadne::tracecore::Status ariadne_status_ = (expr); \
    if (!ariadne_status_.ok()) return ariadne_status_;     \
  } while (false)
