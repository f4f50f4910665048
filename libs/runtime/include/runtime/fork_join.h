// ForkJoin: lets one request use a second core for half of a large piece of work (rendering a
// 1,000-span trace, say) when the machine has a core to spare, and costs nothing when it has not.
//
// RunBoth(first, second) runs `first` on the calling thread and offers `second` to an idle helper
// thread. If no helper is idle, or none has picked `second` up by the time `first` returns, the
// caller runs `second` itself: a busy machine does the work in turn, as if there were no helpers,
// instead of waiting in a queue. Thread-safe; any number of callers at once.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ariadne::runtime {

class ForkJoin {
 public:
  // `helpers` threads wait for second halves (0: RunBoth runs both in turn on the caller); they
  // are all waiting when the constructor returns.
  explicit ForkJoin(size_t helpers);
  // Stops and joins the helpers; no RunBoth may be running.
  ~ForkJoin();
  ForkJoin(const ForkJoin&) = delete;
  ForkJoin& operator=(const ForkJoin&) = delete;

  // One helper per core beyond the first (none on a 1-core machine).
  static size_t HelpersForThisMachine();

  size_t helpers() const { return helper_count_; }

  // Runs both and returns when both have returned; they may run at the same time, so they must
  // not share mutable state. Neither may throw.
  void RunBoth(const std::function<void()>& first, const std::function<void()>& second);

 private:
  struct Task;
  void HelperLoop();

  const size_t helper_count_;
  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable helpers_ready_;
  std::deque<Task*> queue_;  // offered, not yet taken
  size_t idle_ = 0;          // helpers waiting for work
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace ariadne::runtime
