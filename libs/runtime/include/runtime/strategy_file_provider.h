// StrategyFileProvider: the sampling strategies that the collector and the agent serve, from
// Jaeger's strategies file (--sampling.strategies-file), re-read while the process runs
// (--sampling.strategies-reload-interval).
//
// Behaviour (Jaeger's file provider, plus validation; see tracecore/sampling/strategies.h):
// - No file configured: every service gets probabilistic sampling at the default probability
//   (0.001).
// - Start() loads the file; a missing, unreadable, oversized or invalid file is an error naming
//   the flag, so the process stops with a clear message.
// - Reloading (every reload_interval on the provider's own thread, or ReloadNow()): the file is
//   read again and, when its content differs from the last content read, parsed and swapped in.
//   A bad file keeps the last good strategies; the first failure of a bad episode logs at warn with
//   the reason, the recovery logs at info. on_reload(ok) is called whenever the provider notices
//   a change (new content, or a read error other than the last one), with whether the current
//   strategies now reflect the file.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "tracecore/sampling/strategies.h"
#include "tracecore/status.h"

namespace ariadne::runtime {

struct StrategyFileProviderOptions {
  // --sampling.strategies-file: a file path; empty means Jaeger's defaults.
  std::string strategies_file;
  // --sampling.strategies-reload-interval: zero means the file is read only at Start().
  std::chrono::nanoseconds reload_interval{0};
  // --sampling.default-sampling-probability.
  double default_sampling_probability = tracecore::sampling::kDefaultSamplingProbability;
  // Called on the reloading thread (or ReloadNow's caller) after each noticed change; see above.
  // Must not call back into the provider's ReloadNow or Stop.
  std::function<void(bool ok)> on_reload;
};

class StrategyFileProvider {
 public:
  explicit StrategyFileProvider(StrategyFileProviderOptions options);
  // Stops the reloading thread.
  ~StrategyFileProvider();
  StrategyFileProvider(const StrategyFileProvider&) = delete;
  StrategyFileProvider& operator=(const StrategyFileProvider&) = delete;

  // Loads the file and, when reload_interval > 0, starts the reloading thread. Call once, before
  // the other methods are used from other threads. On error Current() serves the defaults and no
  // thread is started; the message names --sampling.strategies-file and the problem.
  tracecore::Status Start();

  // The strategies in force. Any thread; takes a mutex only for the shared_ptr copy. The object
  // stays valid as long as the caller holds the pointer, across reloads.
  std::shared_ptr<const tracecore::sampling::Strategies> Current() const;

  // Re-reads the file now, on the calling thread, with the same rules as the periodic reload.
  // Returns OK when the strategies in force match the file (also when nothing changed), else the
  // reason the file was not applied. Any thread; serialised with the periodic reload. OK and a
  // no-op without a file.
  tracecore::Status ReloadNow();

  // Stops and joins the reloading thread. Idempotent; any thread but the reloading one.
  void Stop();

 private:
  // Reads the file into `content` (bounded by kMaxStrategiesBytes).
  tracecore::Status ReadFile(std::string& content) const;
  // Parses `content`; the message names the flag.
  tracecore::Status ParseContent(std::string_view content,
                                 std::shared_ptr<const tracecore::sampling::Strategies>& out) const;
  void Install(std::shared_ptr<const tracecore::sampling::Strategies> strategies);
  void LogWarnings(const tracecore::sampling::Strategies& strategies) const;
  // One reload under reload_mutex_: what ReloadNow does.
  tracecore::Status Reload();
  void ReloadLoop();

  const StrategyFileProviderOptions options_;

  mutable std::mutex current_mutex_;
  std::shared_ptr<const tracecore::sampling::Strategies> current_;

  std::mutex reload_mutex_;
  // What the last read saw: the content, or "\0" + the read error (a string no file holds).
  std::string last_seen_;
  tracecore::Status last_status_;  // whether last_seen_ is what is in force
  bool in_bad_episode_ = false;

  std::mutex stop_mutex_;
  std::condition_variable stop_signal_;
  bool stopping_ = false;
  std::thread reload_thread_;
};

}  // namespace ariadne::runtime
