// SamplingProxy: the cache, its background refresher, and the generic gRPC calls to a collector's
// SamplingManager (raw ByteBuffers, tracecore's codecs: no generated code).
#include "sampling_proxy.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "runtime/degraded_episode.h"
#include "tracecore/sampling/strategies.h"

namespace ariadne::agent {
namespace {

namespace http = boost::beast::http;
namespace sampling = tracecore::sampling;
using Clock = std::chrono::steady_clock;

// Lives as long as the program: gRPC's RpcMethod keeps a pointer to the name.
const std::string& MethodName() {
  static const std::string* const kName =
      new std::string("/jaeger.api_v2.SamplingManager/GetSamplingStrategy");
  return *kName;
}

// A call that failed within this long (or the TTL, when longer) is not repeated for a request:
// the request gets the last known strategy, or the failure, at once.
constexpr std::chrono::seconds kMinRetryAfterFailure{1};
// Bounds of the refresher's period (a quarter of the TTL).
constexpr std::chrono::milliseconds kMinRefreshTick{10};
constexpr std::chrono::milliseconds kMaxRefreshTick{1000};

constexpr char kTextContentType[] = "text/plain; charset=utf-8";

// Go's names of gRPC codes, as Jaeger's "collector error: rpc error: code = X desc = ..." shows
// them.
std::string_view GoCodeName(grpc::StatusCode code) {
  static constexpr std::string_view kNames[] = {
      "OK",       "Canceled",       "Unknown",          "InvalidArgument",   "DeadlineExceeded",
      "NotFound", "AlreadyExists",  "PermissionDenied", "ResourceExhausted", "FailedPrecondition",
      "Aborted",  "OutOfRange",     "Unimplemented",    "Internal",          "Unavailable",
      "DataLoss", "Unauthenticated"};
  const auto index = static_cast<size_t>(code);
  return index < std::size(kNames) ? kNames[index] : "Unknown";
}

// A service name quoted for a log line; names come from the network, so long ones are cut.
std::string Quoted(std::string_view service) {
  constexpr size_t kMaxLoggedBytes = 128;
  std::string quoted = "service \"";
  quoted.append(service.substr(0, kMaxLoggedBytes));
  quoted += service.size() > kMaxLoggedBytes ? "...\"" : "\"";
  return quoted;
}

// Both JSON forms of one strategy, encoded once when it arrives.
struct Answer {
  std::string json;
  std::string legacy_json;
};

// Which error counter a failed request moves.
enum class ErrorSource { kCollectorProxy, kProto };

// One service in the cache. Guarded by Impl::mutex_; shared with calls in flight and waiting
// requests, so an entry forgotten by the cache stays valid for them.
struct Entry {
  std::shared_ptr<const Answer> answer;  // last known; null until a call succeeded
  size_t answer_bytes = 0;
  Clock::time_point fetched_at;    // when `answer` arrived
  Clock::time_point last_request;  // when a client last asked
  bool fetching = false;           // a call is in flight
  bool failed = false;             // the last finished call failed
  Clock::time_point failed_at;
  std::string error;  // that failure, as the 500 says it after "collector error: "
  ErrorSource error_source = ErrorSource::kCollectorProxy;
};

// One GetSamplingStrategy call. Owned by Impl::calls_ from its start to its completion.
struct Call {
  std::string service;
  std::shared_ptr<Entry> entry;
  std::shared_ptr<grpc::Channel> channel;
  grpc::ClientContext context;
  grpc::ByteBuffer request;
  grpc::ByteBuffer response;
};

// What a request is answered with.
struct Outcome {
  static Outcome Served(std::shared_ptr<const Answer> answer, bool stale) {
    Outcome outcome;
    outcome.answer = std::move(answer);
    outcome.stale = stale;
    return outcome;
  }
  static Outcome Failed(std::string error, ErrorSource source) {
    Outcome outcome;
    outcome.error = std::move(error);
    outcome.error_source = source;
    return outcome;
  }

  std::shared_ptr<const Answer> answer;  // null: an error
  bool stale = false;
  std::string error;
  ErrorSource error_source = ErrorSource::kCollectorProxy;
};

prometheus::Family<prometheus::Counter>& RequestsFamily(prometheus::Registry& registry) {
  return prometheus::BuildCounter()
      .Name("jaeger_agent_http_server_requests_total")
      .Help(
          "Sampling requests answered with a strategy (200), by endpoint: sampling is "
          "/sampling, sampling-legacy is /")
      .Register(registry);
}

prometheus::Family<prometheus::Counter>& ErrorsFamily(prometheus::Registry& registry) {
  return prometheus::BuildCounter()
      .Name("jaeger_agent_http_server_errors_total")
      .Help(
          "Sampling requests answered with an error: 4xx/all without a single ?service=, "
          "5xx/collector-proxy when the collector call failed and nothing was known, "
          "5xx/proto when its answer did not decode, 5xx/write when the response could not be "
          "written")
      .Register(registry);
}

}  // namespace

class SamplingProxy::Impl {
 public:
  Impl(ChannelSource channel, std::chrono::nanoseconds cache_ttl,
       std::chrono::nanoseconds call_timeout, prometheus::Registry& registry)
      : channel_(std::move(channel)),
        ttl_(cache_ttl),
        call_timeout_(std::max(call_timeout, std::chrono::nanoseconds(1))),
        request_wait_(std::min<std::chrono::nanoseconds>(call_timeout_, kMaxRequestWait)),
        retry_after_failure_(std::max<std::chrono::nanoseconds>(ttl_, kMinRetryAfterFailure)),
        refresh_age_(ttl_ * 3 / 4),
        refresh_tick_(
            std::clamp<std::chrono::nanoseconds>(ttl_ / 4, kMinRefreshTick, kMaxRefreshTick)),
        sampling_requests_(RequestsFamily(registry).Add({{"type", "sampling"}})),
        legacy_requests_(RequestsFamily(registry).Add({{"type", "sampling-legacy"}})),
        bad_requests_(ErrorsFamily(registry).Add({{"status", "4xx"}, {"source", "all"}})),
        collector_errors_(
            ErrorsFamily(registry).Add({{"status", "5xx"}, {"source", "collector-proxy"}})),
        proto_errors_(ErrorsFamily(registry).Add({{"status", "5xx"}, {"source", "proto"}})),
        stale_served_(prometheus::BuildCounter()
                          .Name("jaeger_agent_sampling_stale_served_total")
                          .Help("Sampling requests answered with the last known strategy of the "
                                "service because the collector did not answer (or answered "
                                "with an error)")
                          .Register(registry)
                          .Add({})),
        collector_failing_("agent",
                           "the collector does not answer sampling requests: each service gets "
                           "its last known strategy, or 500 when none is known") {
    // Jaeger's series for a response that could not be written: the HTTP server writes ours, so
    // it stays 0, but dashboards that read it find it.
    ErrorsFamily(registry).Add({{"status", "5xx"}, {"source", "write"}});
    if (ttl_ > std::chrono::nanoseconds::zero()) refresher_ = std::thread([this] { Refresh(); });
  }

  ~Impl() {
    std::unique_lock<std::mutex> lock(mutex_);
    stopping_ = true;
    changed_.notify_all();
    lock.unlock();
    if (refresher_.joinable()) refresher_.join();
    lock.lock();
    // Copies keep each call alive while it is cancelled outside the lock (its completion may
    // run on this thread).
    std::vector<std::shared_ptr<Call>> calls;
    for (const auto& [call, owned] : calls_) calls.push_back(owned);
    lock.unlock();
    for (const auto& call : calls) call->context.TryCancel();
    calls.clear();
    lock.lock();
    changed_.wait(lock, [this] { return calls_.empty(); });
  }

  void AddRoutes(runtime::HttpRouter& router) {
    router.Add(http::verb::get, "/sampling",
               [this](const runtime::HttpRequest& request, runtime::HttpResponse& response) {
                 Handle(request, /*legacy=*/false, response);
               });
    router.Add(http::verb::get, "/",
               [this](const runtime::HttpRequest& request, runtime::HttpResponse& response) {
                 Handle(request, /*legacy=*/true, response);
               });
  }

 private:
  // The one value of ?service=, or false when it is missing or repeated.
  static bool SingleService(std::string_view query, std::string& service) {
    int count = 0;
    for (auto& [key, value] : runtime::ParseQuery(query)) {
      if (key != "service") continue;
      service = std::move(value);
      ++count;
    }
    return count == 1;
  }

  // Runs on an HTTP io thread.
  void Handle(const runtime::HttpRequest& request, bool legacy, runtime::HttpResponse& response) {
    std::string service;
    if (!SingleService(request.query, service)) {
      // Jaeger's answer, byte for byte.
      response.status = 400;
      response.content_type = kTextContentType;
      response.body = "'service' parameter must be provided once\n";
      bad_requests_.Increment();
      return;
    }
    const Outcome outcome = Lookup(service);
    if (!outcome.answer) {
      response.status = 500;
      response.content_type = kTextContentType;
      response.body = "collector error: " + outcome.error + "\n";
      (outcome.error_source == ErrorSource::kProto ? proto_errors_ : collector_errors_).Increment();
      return;
    }
    if (outcome.stale) stale_served_.Increment();
    response.content_type = "application/json";
    response.body = legacy ? outcome.answer->legacy_json : outcome.answer->json;
    (legacy ? legacy_requests_ : sampling_requests_).Increment();
  }

  Outcome Lookup(const std::string& service) {
    const Clock::time_point now = Clock::now();
    std::unique_lock<std::mutex> lock(mutex_);
    const std::shared_ptr<Entry> entry = FindOrAdd(service);
    entry->last_request = now;
    if (entry->answer && now - entry->fetched_at < ttl_) {
      return Outcome::Served(entry->answer, false);
    }
    const bool failed_lately = entry->failed && now - entry->failed_at < retry_after_failure_;
    if (!entry->fetching && !failed_lately) {
      entry->fetching = true;
      lock.unlock();
      StartCall(service, entry);
      lock.lock();
    }
    changed_.wait_until(lock, now + request_wait_, [&] { return !entry->fetching; });
    if (!entry->fetching && !entry->failed && entry->answer) {
      return Outcome::Served(entry->answer, false);
    }
    if (entry->answer) return Outcome::Served(entry->answer, true);
    if (entry->fetching) {
      const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(request_wait_);
      return Outcome::Failed("no answer from the collector within " +
                                 std::to_string(waited.count()) + " ms; retry later",
                             ErrorSource::kCollectorProxy);
    }
    return Outcome::Failed(entry->error, entry->error_source);
  }

  // The cache entry of `service`, added (forgetting the least recently asked service when the
  // cache is full) when it is not there. Called with mutex_ held.
  std::shared_ptr<Entry> FindOrAdd(const std::string& service) {
    auto found = entries_.find(service);
    if (found != entries_.end()) return found->second;
    while (entries_.size() >= kMaxServices) ForgetLeastRecent(nullptr);
    auto entry = std::make_shared<Entry>();
    cached_bytes_ += service.size();
    entries_.emplace(service, entry);
    return entry;
  }

  // Forgets the entry asked for least recently, other than `keep`. Called with mutex_ held.
  void ForgetLeastRecent(const Entry* keep) {
    auto oldest = entries_.end();
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->second.get() == keep) continue;
      if (oldest == entries_.end() || it->second->last_request < oldest->second->last_request) {
        oldest = it;
      }
    }
    if (oldest == entries_.end()) return;
    cached_bytes_ -= oldest->first.size() + oldest->second->answer_bytes;
    entries_.erase(oldest);
  }

  // Asks the collector for `service`'s strategy; `entry->fetching` is already set. Called without
  // mutex_ held (a completion may run on this thread).
  void StartCall(const std::string& service, const std::shared_ptr<Entry>& entry) {
    std::shared_ptr<grpc::Channel> channel = channel_();
    if (!channel) {
      Finish(service, entry, "no collector connection", ErrorSource::kCollectorProxy, nullptr);
      return;
    }
    auto call = std::make_shared<Call>();
    call->service = service;
    call->entry = entry;
    call->channel = channel;
    std::string request;
    sampling::EncodeSamplingParameters(service, request);
    grpc::Slice slice(request);
    call->request = grpc::ByteBuffer(&slice, 1);
    call->context.set_deadline(std::chrono::system_clock::now() + call_timeout_);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) {
        FinishLocked(service, *entry, "the agent is shutting down", ErrorSource::kCollectorProxy,
                     nullptr);
        return;
      }
      calls_.emplace(call.get(), call);
    }
    grpc::GenericStub stub(channel);
    Call* raw = call.get();
    stub.UnaryCall(&raw->context, MethodName(), grpc::StubOptions(), &raw->request, &raw->response,
                   [this, raw](const grpc::Status& status) { Completed(raw, status); });
  }

  // Runs on a gRPC thread (or inline). Touches nothing of this after releasing mutex_ the last
  // time: the destructor may be waiting for calls_ to empty.
  void Completed(Call* raw, const grpc::Status& status) {
    std::shared_ptr<const Answer> answer;
    std::string error;
    ErrorSource source = ErrorSource::kCollectorProxy;
    if (status.ok()) {
      Decode(raw->response, answer, error);
      source = ErrorSource::kProto;
    } else {
      error = "rpc error: code = " + std::string(GoCodeName(status.error_code())) +
              " desc = " + status.error_message();
    }
    if (answer) {
      collector_failing_.Leave();
    } else {
      collector_failing_.Enter(Quoted(raw->service) + ": " + error);
    }
    std::shared_ptr<Call> owned;  // destroyed after the lock is released
    std::lock_guard<std::mutex> lock(mutex_);
    auto found = calls_.find(raw);
    owned = std::move(found->second);
    calls_.erase(found);
    FinishLocked(raw->service, *raw->entry, error, source, std::move(answer));
  }

  // The response bytes as both JSON forms; on failure `error` says why.
  static void Decode(grpc::ByteBuffer& response, std::shared_ptr<const Answer>& answer,
                     std::string& error) {
    std::vector<grpc::Slice> slices;
    std::string bytes;
    if (response.Length() > 0) {
      if (!response.Dump(&slices).ok()) {
        error = "the collector's answer could not be read";
        return;
      }
      bytes.reserve(response.Length());
      for (const grpc::Slice& slice : slices) {
        bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
      }
    }
    sampling::StrategyResponse strategy;
    const tracecore::Status status = sampling::DecodeProto(bytes, strategy);
    if (!status.ok()) {
      error = "malformed answer: " + status.message();
      return;
    }
    auto encoded = std::make_shared<Answer>();
    sampling::EncodeJson(strategy, encoded->json);
    sampling::EncodeLegacyJson(strategy, encoded->legacy_json);
    answer = std::move(encoded);
  }

  void Finish(const std::string& service, const std::shared_ptr<Entry>& entry,
              const std::string& error, ErrorSource source, std::shared_ptr<const Answer> answer) {
    if (!answer) collector_failing_.Enter(Quoted(service) + ": " + error);
    std::lock_guard<std::mutex> lock(mutex_);
    FinishLocked(service, *entry, error, source, std::move(answer));
  }

  // Records the end of a call for `entry` (`answer` null: it failed with `error`) and wakes the
  // requests waiting for it. Called with mutex_ held.
  void FinishLocked(const std::string& service, Entry& entry, const std::string& error,
                    ErrorSource source, std::shared_ptr<const Answer> answer) {
    const Clock::time_point now = Clock::now();
    entry.fetching = false;
    if (answer) {
      const size_t bytes = answer->json.size() + answer->legacy_json.size();
      auto found = entries_.find(service);
      const bool cached = found != entries_.end() && found->second.get() == &entry;
      if (cached) cached_bytes_ += bytes - entry.answer_bytes;
      entry.answer = std::move(answer);
      entry.answer_bytes = bytes;
      entry.fetched_at = now;
      entry.failed = false;
      entry.error.clear();
      while (cached && cached_bytes_ > kMaxCachedBytes && entries_.size() > 1) {
        ForgetLeastRecent(&entry);
      }
    } else {
      entry.failed = true;
      entry.failed_at = now;
      entry.error = error;
      entry.error_source = source;
    }
    changed_.notify_all();
  }

  // The refresher thread: asks again for every service asked for within kActiveWindow whose
  // answer is refresh_age_ old, every refresh_tick_.
  void Refresh() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
      changed_.wait_for(lock, refresh_tick_, [this] { return stopping_; });
      if (stopping_) return;
      const Clock::time_point now = Clock::now();
      std::vector<std::pair<std::string, std::shared_ptr<Entry>>> due;
      for (const auto& [service, entry] : entries_) {
        if (entry->fetching || !entry->answer) continue;
        if (now - entry->last_request > kActiveWindow) continue;
        if (now - entry->fetched_at < refresh_age_) continue;
        entry->fetching = true;
        due.emplace_back(service, entry);
      }
      lock.unlock();
      for (const auto& [service, entry] : due) StartCall(service, entry);
      lock.lock();
    }
  }

  const ChannelSource channel_;
  const std::chrono::nanoseconds ttl_;
  const std::chrono::nanoseconds call_timeout_;
  const std::chrono::nanoseconds request_wait_;
  const std::chrono::nanoseconds retry_after_failure_;
  const std::chrono::nanoseconds refresh_age_;
  const std::chrono::nanoseconds refresh_tick_;

  prometheus::Counter& sampling_requests_;
  prometheus::Counter& legacy_requests_;
  prometheus::Counter& bad_requests_;
  prometheus::Counter& collector_errors_;
  prometheus::Counter& proto_errors_;
  prometheus::Counter& stale_served_;
  runtime::DegradedEpisode collector_failing_;

  std::mutex mutex_;
  std::condition_variable changed_;  // a call finished, or stopping_
  bool stopping_ = false;
  std::unordered_map<std::string, std::shared_ptr<Entry>> entries_;
  size_t cached_bytes_ = 0;  // service names and answers of entries_
  std::map<Call*, std::shared_ptr<Call>> calls_;
  std::thread refresher_;  // started by the constructor when the TTL is positive
};

SamplingProxy::SamplingProxy(ChannelSource channel, std::chrono::nanoseconds cache_ttl,
                             std::chrono::nanoseconds call_timeout, prometheus::Registry& registry)
    : impl_(std::make_unique<Impl>(std::move(channel), cache_ttl, call_timeout, registry)) {}

SamplingProxy::~SamplingProxy() = default;

void SamplingProxy::AddRoutes(runtime::HttpRouter& router) {
  impl_->AddRoutes(router);
}

}  // namespace ariadne::agent
