// Helpers for the Config tests: an argv built from strings, YAML written to a temporary file, and
// a capture of the "config" logger's info lines.
#pragma once

#include <spdlog/sinks/ostream_sink.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/config.h"
#include "runtime/log.h"
#include "tracecore/status.h"

namespace ariadne::testing {

using Environment = std::map<std::string, std::string>;

// Parses `args` (without the program name) and `environment`.
inline tracecore::Status ParseArgs(runtime::Config& config, const std::vector<std::string>& args,
                                   const Environment& environment = {}) {
  std::vector<const char*> argv = {"ariadne-test"};
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  return config.Parse(static_cast<int>(argv.size()), argv.data(), environment);
}

// A file holding `text` in a fresh temporary directory, removed with the object.
class TempFile {
 public:
  explicit TempFile(const std::string& text, const std::string& name = "config.yaml") {
    static int counter = 0;
    directory_ =
        std::filesystem::temp_directory_path() /
        ("ariadne-config-test-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(directory_);
    path_ = (directory_ / name).string();
    std::ofstream(path_, std::ios::binary) << text;
  }
  ~TempFile() {
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::filesystem::path directory_;
  std::string path_;
};

// The seed files under tests/fixtures/seed/.
inline std::string SeedFixturePath(const std::string& name) {
  return (std::filesystem::path(ARIADNE_WIRE_FIXTURES).parent_path() / "seed" / name).string();
}

inline std::string ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Collects what the "config" logger writes while the object lives.
class ConfigLogCapture {
 public:
  ConfigLogCapture()
      : logger_(runtime::Logger("config")),
        sink_(std::make_shared<spdlog::sinks::ostream_sink_st>(stream_)) {
    sink_->set_pattern("%l %v");
    logger_->sinks().push_back(sink_);
  }
  ~ConfigLogCapture() {
    auto& sinks = logger_->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
  }
  ConfigLogCapture(const ConfigLogCapture&) = delete;
  ConfigLogCapture& operator=(const ConfigLogCapture&) = delete;

  std::string text() const { return stream_.str(); }

 private:
  std::ostringstream stream_;
  std::shared_ptr<spdlog::logger> logger_;
  std::shared_ptr<spdlog::sinks::ostream_sink_st> sink_;
};

}  // namespace ariadne::testing
