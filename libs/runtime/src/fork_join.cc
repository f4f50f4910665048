#include "runtime/fork_join.h"

#include <algorithm>

namespace ariadne::runtime {

// A second half offered to the helpers. Lives on the caller's stack for the length of RunBoth.
struct ForkJoin::Task {
  enum class State { kOffered, kRunning, kDone };
  const std::function<void()>* work = nullptr;
  State state = State::kOffered;
  std::condition_variable done;
};

ForkJoin::ForkJoin(size_t helpers) : helper_count_(helpers) {
  threads_.reserve(helpers);
  for (size_t i = 0; i < helpers; ++i) threads_.emplace_back([this] { HelperLoop(); });
  std::unique_lock lock(mutex_);
  helpers_ready_.wait(lock, [&] { return idle_ == helper_count_; });
}

ForkJoin::~ForkJoin() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  for (std::thread& thread : threads_) thread.join();
}

size_t ForkJoin::HelpersForThisMachine() {
  const unsigned cores = std::thread::hardware_concurrency();
  return cores > 1 ? cores - 1 : 0;
}

void ForkJoin::RunBoth(const std::function<void()>& first, const std::function<void()>& second) {
  Task task;
  task.work = &second;
  {
    std::lock_guard lock(mutex_);
    if (idle_ <= queue_.size()) task.work = nullptr;  // every idle helper already has an offer
    if (task.work != nullptr) queue_.push_back(&task);
  }
  if (task.work == nullptr) {
    first();
    second();
    return;
  }
  work_ready_.notify_one();
  first();
  std::unique_lock lock(mutex_);
  if (task.state == Task::State::kOffered) {  // no helper got to it: take it back
    queue_.erase(std::find(queue_.begin(), queue_.end(), &task));
    lock.unlock();
    second();
    return;
  }
  task.done.wait(lock, [&] { return task.state == Task::State::kDone; });
}

void ForkJoin::HelperLoop() {
  std::unique_lock lock(mutex_);
  while (true) {
    if (++idle_ == helper_count_) helpers_ready_.notify_one();
    work_ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    --idle_;
    if (queue_.empty()) return;  // stopping, nothing offered
    Task* task = queue_.front();
    queue_.pop_front();
    task->state = Task::State::kRunning;
    lock.unlock();
    (*task->work)();
    lock.lock();
    task->state = Task::State::kDone;
    task->done.notify_one();
  }
}

}  // namespace ariadne::runtime
