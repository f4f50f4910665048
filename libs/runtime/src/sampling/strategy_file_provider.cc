#include "runtime/strategy_file_provider.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "runtime/log.h"

namespace ariadne::runtime {

using tracecore::Status;
using tracecore::sampling::kMaxStrategiesBytes;
using tracecore::sampling::ParseOptions;
using tracecore::sampling::Strategies;

namespace {

constexpr std::string_view kFlag = "--sampling.strategies-file";
// Longest wait between two reloads (longer intervals would overflow the clock arithmetic).
constexpr std::chrono::nanoseconds kMaxReloadInterval = std::chrono::hours(24 * 365);

std::shared_ptr<spdlog::logger> SamplingLog() {
  static const std::shared_ptr<spdlog::logger> logger = Logger("sampling");
  return logger;
}

std::string ErrnoText(int error) {
  return std::strerror(
      error);  // NOLINT(concurrency-mt-unsafe): glibc's is thread-safe for known codes
}

// Closes a file descriptor when it goes out of scope.
class FileCloser {
 public:
  explicit FileCloser(int fd) : fd_(fd) {}
  ~FileCloser() { ::close(fd_); }
  FileCloser(const FileCloser&) = delete;
  FileCloser& operator=(const FileCloser&) = delete;

 private:
  int fd_;
};

bool IsUrl(std::string_view path) {
  return path.starts_with("http://") || path.starts_with("https://");
}

}  // namespace

StrategyFileProvider::StrategyFileProvider(StrategyFileProviderOptions options)
    : options_(std::move(options)),
      current_(std::make_shared<const Strategies>(options_.default_sampling_probability)) {}

StrategyFileProvider::~StrategyFileProvider() {
  Stop();
}

Status StrategyFileProvider::Start() {
  const std::string& path = options_.strategies_file;
  if (path.empty()) {
    SamplingLog()->info("no {} given: every service is sampled with probability {}", kFlag,
                        options_.default_sampling_probability);
    return {};
  }
  if (IsUrl(path)) {
    return Status::Unimplemented(std::string(kFlag) + "=" + path +
                                 ": loading strategies from a URL is not supported; download the "
                                 "file and give its path");
  }
  std::string content;
  ARIADNE_RETURN_IF_ERROR(ReadFile(content));
  std::shared_ptr<const Strategies> strategies;
  ARIADNE_RETURN_IF_ERROR(ParseContent(content, strategies));
  SamplingLog()->info("loaded sampling strategies from {} (per-service strategies: {})", path,
                      strategies->ServiceCount());
  LogWarnings(*strategies);
  Install(std::move(strategies));
  {
    std::lock_guard lock(reload_mutex_);
    last_seen_ = std::move(content);
  }
  if (options_.reload_interval.count() > 0) {
    reload_thread_ = std::thread([this] { ReloadLoop(); });
  }
  return {};
}

std::shared_ptr<const Strategies> StrategyFileProvider::Current() const {
  std::lock_guard lock(current_mutex_);
  return current_;
}

Status StrategyFileProvider::ReloadNow() {
  if (options_.strategies_file.empty() || IsUrl(options_.strategies_file)) return {};
  return Reload();
}

void StrategyFileProvider::Stop() {
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_signal_.notify_all();
  if (reload_thread_.joinable()) reload_thread_.join();
}

Status StrategyFileProvider::ReadFile(std::string& content) const {
  const std::string& path = options_.strategies_file;
  auto failure = [&](std::string_view what) {
    return Status::InvalidArgument(std::string(kFlag) + "=" + path + ": " + std::string(what));
  };
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return failure("cannot open the file: " + ErrnoText(errno));
  FileCloser closer(fd);
  struct stat info {};
  if (::fstat(fd, &info) != 0) return failure("cannot read the file: " + ErrnoText(errno));
  if (!S_ISREG(info.st_mode)) return failure("not a regular file");
  auto too_large = [&](size_t size) {
    return Status::ResourceExhausted(std::string(kFlag) + "=" + path + ": the file has " +
                                     std::to_string(size) + " bytes; at most " +
                                     std::to_string(kMaxStrategiesBytes) + " are accepted");
  };
  if (static_cast<uint64_t>(info.st_size) > kMaxStrategiesBytes) {
    return too_large(static_cast<size_t>(info.st_size));
  }
  // The file may grow while it is read: read at most one byte past the limit.
  content.assign(static_cast<size_t>(info.st_size) + 1, '\0');
  size_t length = 0;
  while (true) {
    if (length == content.size()) {
      if (length > kMaxStrategiesBytes) return too_large(length);
      content.resize(std::min(content.size() * 2, kMaxStrategiesBytes + 1));
    }
    ssize_t n = ::read(fd, content.data() + length, content.size() - length);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return failure("cannot read the file: " + ErrnoText(errno));
    if (n == 0) break;
    length += static_cast<size_t>(n);
  }
  content.resize(length);
  return {};
}

Status StrategyFileProvider::ParseContent(std::string_view content,
                                          std::shared_ptr<const Strategies>& out) const {
  auto strategies = std::make_shared<Strategies>();
  ParseOptions parse_options;
  parse_options.default_sampling_probability = options_.default_sampling_probability;
  Status status = Strategies::Parse(content, *strategies, parse_options);
  if (!status.ok()) return status.WithContext(std::string(kFlag) + "=" + options_.strategies_file);
  out = std::move(strategies);
  return {};
}

void StrategyFileProvider::Install(std::shared_ptr<const Strategies> strategies) {
  std::lock_guard lock(current_mutex_);
  current_ = std::move(strategies);
}

void StrategyFileProvider::LogWarnings(const Strategies& strategies) const {
  for (const std::string& warning : strategies.warnings()) {
    SamplingLog()->warn("{}: {}", options_.strategies_file, warning);
  }
}

Status StrategyFileProvider::Reload() {
  std::lock_guard lock(reload_mutex_);
  std::string content;
  Status status = ReadFile(content);
  // A read error is remembered as "\0" + its message, which no text file starts with, so that
  // the same error seen twice counts as no change.
  std::string seen = status.ok() ? std::move(content) : std::string(1, '\0') + status.message();
  if (seen == last_seen_) return last_status_;
  last_seen_ = std::move(seen);

  std::shared_ptr<const Strategies> strategies;
  if (status.ok()) status = ParseContent(last_seen_, strategies);
  if (status.ok()) {
    SamplingLog()->info("{} sampling strategies from {} (per-service strategies: {})",
                        in_bad_episode_ ? "recovered: loaded" : "reloaded",
                        options_.strategies_file, strategies->ServiceCount());
    LogWarnings(*strategies);
    Install(std::move(strategies));
    in_bad_episode_ = false;
  } else if (!in_bad_episode_) {
    SamplingLog()->warn("keeping the previous sampling strategies: {}", status.message());
    in_bad_episode_ = true;
  } else {
    SamplingLog()->debug("the strategies file is still not usable: {}", status.message());
  }
  last_status_ = status;
  if (options_.on_reload) options_.on_reload(status.ok());
  return status;
}

void StrategyFileProvider::ReloadLoop() {
  const std::chrono::nanoseconds interval = std::min(options_.reload_interval, kMaxReloadInterval);
  std::unique_lock lock(stop_mutex_);
  while (!stop_signal_.wait_for(lock, interval, [this] { return stopping_; })) {
    lock.unlock();
    (void)Reload();
    lock.lock();
  }
}

}  // namespace ariadne::runtime
