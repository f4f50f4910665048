#include "runtime/degraded_episode.h"

#include <spdlog/sinks/ostream_sink.h>

#include <catch2/catch.hpp>
#include <sstream>

#include "runtime/log.h"

namespace ariadne::runtime {
namespace {

// Captures what the "episode-test" logger writes.
struct CapturedLog {
  CapturedLog() {
    Logger("episode-test")->sinks().push_back(sink);
    Logger("episode-test")->set_level(spdlog::level::info);
  }
  ~CapturedLog() { Logger("episode-test")->sinks().pop_back(); }
  size_t Count(const std::string& text) const {
    const std::string all = stream.str();
    size_t count = 0;
    for (size_t at = all.find(text); at != std::string::npos; at = all.find(text, at + 1)) {
      ++count;
    }
    return count;
  }
  std::ostringstream stream;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink =
      std::make_shared<spdlog::sinks::ostream_sink_mt>(stream);
};

TEST_CASE("a flapping state is one episode: one warn, then one info once it stays quiet") {
  CapturedLog log;
  DegradedEpisode episode("episode-test", "the queue is full", std::chrono::hours(1));
  for (int i = 0; i < 100; ++i) {
    episode.Enter("detail");
    episode.Leave();  // within the quiet period: the episode goes on
  }
  CHECK(log.Count("the queue is full (detail)") == 1);
  CHECK(log.Count("over:") == 0);
}

TEST_CASE("an episode ends at the first Leave after the quiet period, with the count") {
  CapturedLog log;
  DegradedEpisode episode("episode-test", "storage is failing", std::chrono::nanoseconds(0));
  episode.Enter("first");
  episode.Enter("second");
  episode.Leave();
  episode.Leave();
  CHECK(log.Count("storage is failing (first)") == 1);
  CHECK(log.Count("over: storage is failing (2 times in this episode)") == 1);
  episode.Enter("again");
  CHECK(log.Count("storage is failing (again)") == 1);
}

}  // namespace
}  // namespace ariadne::runtime
