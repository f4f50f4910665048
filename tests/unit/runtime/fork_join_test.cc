#include "runtime/fork_join.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

namespace ariadne::runtime {
namespace {

using std::chrono::seconds;

TEST_CASE("ForkJoin without helpers runs first then second on the caller") {
  ForkJoin fork_join(0);
  REQUIRE(fork_join.helpers() == 0);
  std::vector<int> order;
  std::thread::id first_thread;
  std::thread::id second_thread;
  fork_join.RunBoth(
      [&] {
        order.push_back(1);
        first_thread = std::this_thread::get_id();
      },
      [&] {
        order.push_back(2);
        second_thread = std::this_thread::get_id();
      });
  CHECK(order == std::vector<int>{1, 2});
  CHECK(first_thread == std::this_thread::get_id());
  CHECK(second_thread == std::this_thread::get_id());
}

TEST_CASE("ForkJoin runs the second half on an idle helper while the first runs") {
  ForkJoin fork_join(1);
  std::promise<std::thread::id> second_started;
  auto started = second_started.get_future();
  std::future_status waited = std::future_status::timeout;
  fork_join.RunBoth([&] { waited = started.wait_for(seconds(30)); },
                    [&] { second_started.set_value(std::this_thread::get_id()); });
  // `first` could only see `second` start if they ran at the same time.
  REQUIRE(waited == std::future_status::ready);
  CHECK(started.get() != std::this_thread::get_id());
}

TEST_CASE("ForkJoin runs both on the caller when every helper is busy") {
  ForkJoin fork_join(1);
  std::promise<void> helper_busy;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::thread other([&] {
    fork_join.RunBoth([&] { released.wait(); },
                      [&] {
                        helper_busy.set_value();
                        released.wait();
                      });
  });
  // `other`'s first half waits for the release, so its second half can only have started on the
  // helper.
  REQUIRE(helper_busy.get_future().wait_for(seconds(30)) == std::future_status::ready);

  std::thread::id first_thread;
  std::thread::id second_thread;
  fork_join.RunBoth([&] { first_thread = std::this_thread::get_id(); },
                    [&] { second_thread = std::this_thread::get_id(); });
  CHECK(first_thread == std::this_thread::get_id());
  CHECK(second_thread == std::this_thread::get_id());
  release.set_value();
  other.join();
}

TEST_CASE(
    "ForkJoin runs every half exactly once and returns after both, under concurrent callers") {
  ForkJoin fork_join(2);
  constexpr int kCallers = 4;
  constexpr int kCallsEach = 2000;
  std::atomic<int> firsts{0};
  std::atomic<int> seconds_run{0};
  std::atomic<int> returned_early{0};  // RunBoth returned before its second half had finished
  std::vector<std::thread> callers;
  for (int c = 0; c < kCallers; ++c) {
    callers.emplace_back([&] {
      for (int i = 1; i <= kCallsEach; ++i) {
        int written_by_second = 0;
        fork_join.RunBoth([&] { firsts.fetch_add(1); },
                          [&] {
                            written_by_second = i;
                            seconds_run.fetch_add(1);
                          });
        if (written_by_second != i) returned_early.fetch_add(1);
      }
    });
  }
  for (std::thread& caller : callers) caller.join();
  CHECK(firsts.load() == kCallers * kCallsEach);
  CHECK(seconds_run.load() == kCallers * kCallsEach);
  CHECK(returned_early.load() == 0);
}

}  // namespace
}  // namespace ariadne::runtime
