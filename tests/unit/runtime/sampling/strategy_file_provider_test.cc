// StrategyFileProvider: start-up errors name the flag; an edited file changes the answer after
// ReloadNow() or the reload interval, without a restart; a broken edit keeps the last good answer,
// warns once per episode and reports through on_reload.
#include "runtime/strategy_file_provider.h"

#include <spdlog/sinks/ostream_sink.h>
#include <stdlib.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <sstream>
#include <vector>

#include "runtime/log.h"
#include "test_support.h"

namespace ariadne::runtime {
namespace {

namespace fs = std::filesystem;
using tracecore::Status;
using tracecore::StatusCode;
using tracecore::sampling::StrategyType;

// A fresh directory, removed with its files at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "ariadne-sampling-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  REQUIRE(out.good());
}

// Replaces the file in one step, as editors and Kubernetes ConfigMap updates do.
void ReplaceFile(const std::string& path, const std::string& content) {
  WriteFile(path + ".tmp", content);
  fs::rename(path + ".tmp", path);
}

std::string Probabilistic(const std::string& service, double param) {
  return R"({"service_strategies":[{"service":")" + service +
         R"(","type":"probabilistic","param":)" + std::to_string(param) + "}]}";
}

std::optional<double> RateOf(const StrategyFileProvider& provider, std::string_view service) {
  return provider.Current()->For(service).probabilistic_sampling_rate;
}

// Options reading `path` (empty: no file).
StrategyFileProviderOptions FileOptions(const std::string& path) {
  StrategyFileProviderOptions options;
  options.strategies_file = path;
  return options;
}

// Captures what the "sampling" logger writes while it lives.
class LogCapture {
 public:
  LogCapture() : sink_(std::make_shared<spdlog::sinks::ostream_sink_mt>(stream_)) {
    Logger("sampling")->sinks().push_back(sink_);
  }
  ~LogCapture() {
    auto& sinks = Logger("sampling")->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
  }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  size_t Count(std::string_view text) const {
    std::string all = stream_.str();
    size_t count = 0;
    for (size_t at = all.find(text); at != std::string::npos; at = all.find(text, at + 1)) ++count;
    return count;
  }

 private:
  std::ostringstream stream_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_;
};

// Records on_reload calls; lets a test wait for one.
class ReloadRecorder {
 public:
  std::function<void(bool)> Callback() {
    return [this](bool ok) {
      std::lock_guard lock(mutex_);
      results_.push_back(ok);
      changed_.notify_all();
    };
  }
  std::vector<bool> Results() {
    std::lock_guard lock(mutex_);
    return results_;
  }
  // Waits (bounded) until `count` calls have been recorded.
  bool WaitFor(size_t count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(30),
                             [&] { return results_.size() >= count; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<bool> results_;
};

TEST_CASE("without a file every service gets 0.001") {
  StrategyFileProvider provider({});
  REQUIRE(provider.Start().ok());
  CHECK(RateOf(provider, "any") == 0.001);
  CHECK(provider.ReloadNow().ok());
  CHECK(RateOf(provider, "any") == 0.001);
  provider.Stop();
}

TEST_CASE("the seed's sampling.json is served") {
  TempDir dir;
  std::string path = dir.File("sampling.json");
  WriteFile(path, testing::ReadWireFixture("../seed/sampling.json"));
  StrategyFileProvider provider(FileOptions(path));
  REQUIRE(provider.Start().ok());
  auto strategies = provider.Current();
  CHECK(strategies->For("model-router").probabilistic_sampling_rate == 1.0);
  CHECK(strategies->For("workflow-orchestrator").probabilistic_sampling_rate == 0.5);
  CHECK(strategies->For("agent-collaboration").probabilistic_sampling_rate == 1.0);
  CHECK(strategies->For("frontend").strategy_type == StrategyType::kRateLimiting);
  CHECK(strategies->For("frontend").max_traces_per_second == 100);
  CHECK(strategies->For("unknown").probabilistic_sampling_rate == 0.1);
}

TEST_CASE("start-up errors name the flag and the problem") {
  TempDir dir;
  SECTION("a missing file") {
    std::string path = dir.File("missing.json");
    StrategyFileProvider provider(FileOptions(path));
    Status status = provider.Start();
    CHECK(status.code() == StatusCode::kInvalidArgument);
    CHECK(status.message() == "--sampling.strategies-file=" + path +
                                  ": cannot open the file: No such file or directory");
    CHECK(RateOf(provider, "x") == 0.001);
  }
  SECTION("an invalid file") {
    std::string path = dir.File("bad.json");
    WriteFile(path, Probabilistic("a", 1.5));
    StrategyFileProvider provider(FileOptions(path));
    CHECK(provider.Start().message() ==
          "--sampling.strategies-file=" + path +
              ": service_strategies[0].param: expected a number in [0, 1], got 1.5");
  }
  SECTION("a directory") {
    StrategyFileProvider provider(FileOptions(dir.File("")));
    CHECK(provider.Start().message().ends_with(": not a regular file"));
  }
  SECTION("a file over the size limit") {
    std::string path = dir.File("large.json");
    WriteFile(path, std::string(tracecore::sampling::kMaxStrategiesBytes + 1, ' '));
    StrategyFileProvider provider(FileOptions(path));
    Status status = provider.Start();
    CHECK(status.code() == StatusCode::kResourceExhausted);
    CHECK(status.message() == "--sampling.strategies-file=" + path +
                                  ": the file has 4194305 bytes; at most 4194304 are accepted");
  }
  SECTION("a URL") {
    StrategyFileProvider provider(FileOptions("http://127.0.0.1:1/sampling.json"));
    CHECK(provider.Start().code() == StatusCode::kUnimplemented);
  }
}

TEST_CASE("an edited file is served after ReloadNow, a broken edit keeps the last good one") {
  TempDir dir;
  std::string path = dir.File("sampling.json");
  WriteFile(path, Probabilistic("checkout", 0.25));
  ReloadRecorder reloads;
  StrategyFileProviderOptions options = FileOptions(path);
  options.on_reload = reloads.Callback();
  StrategyFileProvider provider(options);
  REQUIRE(provider.Start().ok());
  LogCapture log;
  auto before = provider.Current();
  CHECK(RateOf(provider, "checkout") == 0.25);

  // Nothing changed: nothing happens.
  CHECK(provider.ReloadNow().ok());
  CHECK(provider.Current() == before);
  CHECK(reloads.Results().empty());

  // A good edit, written in place.
  WriteFile(path, Probabilistic("checkout", 0.75));
  CHECK(provider.ReloadNow().ok());
  CHECK(RateOf(provider, "checkout") == 0.75);
  CHECK(before->For("checkout").probabilistic_sampling_rate == 0.25);  // holders keep theirs
  CHECK(reloads.Results() == std::vector<bool>{true});
  CHECK(log.Count("reloaded sampling strategies") == 1);

  // A broken edit: the last good strategies stay; one warning for the episode.
  WriteFile(path, R"({"service_strategies":[{"service":"checkout","type":"probabilistic",)");
  Status broken = provider.ReloadNow();
  CHECK_FALSE(broken.ok());
  CHECK(broken.message().starts_with("--sampling.strategies-file=" + path + ": invalid JSON"));
  CHECK(RateOf(provider, "checkout") == 0.75);
  CHECK(provider.ReloadNow().message() == broken.message());  // same content: no new attempt
  WriteFile(path, Probabilistic("checkout", 2));
  CHECK_FALSE(provider.ReloadNow().ok());
  CHECK(RateOf(provider, "checkout") == 0.75);
  fs::remove(path);
  CHECK(
      provider.ReloadNow().message().ends_with("cannot open the file: No such file or directory"));
  CHECK(provider.ReloadNow().message().ends_with("No such file or directory"));
  CHECK(RateOf(provider, "checkout") == 0.75);
  CHECK(reloads.Results() == std::vector<bool>{true, false, false, false});
  CHECK(log.Count("keeping the previous sampling strategies") == 1);
  CHECK(log.Count("expected a number in [0, 1], got 2") == 0);  // same episode: debug only

  // Recovery.
  WriteFile(path, Probabilistic("checkout", 0.5));
  CHECK(provider.ReloadNow().ok());
  CHECK(RateOf(provider, "checkout") == 0.5);
  CHECK(reloads.Results() == std::vector<bool>{true, false, false, false, true});
  CHECK(log.Count("recovered: loaded sampling strategies") == 1);

  // A second bad episode warns again.
  WriteFile(path, "[]");
  CHECK_FALSE(provider.ReloadNow().ok());
  CHECK(log.Count("keeping the previous sampling strategies") == 2);
}

TEST_CASE("the reload interval picks up an edit without a restart") {
  TempDir dir;
  std::string path = dir.File("sampling.json");
  WriteFile(path, Probabilistic("checkout", 0.25));
  ReloadRecorder reloads;
  StrategyFileProviderOptions options = FileOptions(path);
  options.reload_interval = std::chrono::milliseconds(5);
  options.on_reload = reloads.Callback();
  StrategyFileProvider provider(options);
  REQUIRE(provider.Start().ok());
  CHECK(RateOf(provider, "checkout") == 0.25);

  ReplaceFile(path, R"({"service_strategies":[{"service":"checkout","type":"probabilistic"})");
  REQUIRE(reloads.WaitFor(1));
  CHECK(reloads.Results() == std::vector<bool>{false});  // broken: the old answer stays
  CHECK(RateOf(provider, "checkout") == 0.25);

  ReplaceFile(path, Probabilistic("checkout", 0.125));
  REQUIRE(reloads.WaitFor(2));
  CHECK(reloads.Results() == std::vector<bool>{false, true});
  CHECK(RateOf(provider, "checkout") == 0.125);

  provider.Stop();
  provider.Stop();  // idempotent
  ReplaceFile(path, Probabilistic("checkout", 1));
  CHECK(provider.ReloadNow().ok());  // still usable by hand after Stop
  CHECK(RateOf(provider, "checkout") == 1.0);
}

TEST_CASE("the default probability option applies without a file and in the file's gaps") {
  TempDir dir;
  std::string path = dir.File("sampling.json");
  WriteFile(path, R"({"service_strategies":[{"service":"rl","type":"ratelimiting","param":3}]})");
  StrategyFileProviderOptions options = FileOptions(path);
  options.default_sampling_probability = 0.2;
  StrategyFileProvider provider(options);
  REQUIRE(provider.Start().ok());
  CHECK(RateOf(provider, "other") == 0.2);
  StrategyFileProviderOptions no_file_options;
  no_file_options.default_sampling_probability = 1;
  StrategyFileProvider no_file(no_file_options);
  REQUIRE(no_file.Start().ok());
  CHECK(RateOf(no_file, "other") == 1.0);
}

}  // namespace
}  // namespace ariadne::runtime
