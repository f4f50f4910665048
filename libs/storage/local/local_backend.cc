#include "local/local_backend.h"

#include <chrono>
#include <string>

#include "local/local_store.h"

namespace ariadne::storage::local {
namespace {

class LocalBackendFactory final : public BackendFactory {
 public:
  explicit LocalBackendFactory(StoreRole role) : role_(role) {
    if (role_ == StoreRole::kArchive) {
      options_.path = "./data-archive";
      retention_ = std::chrono::nanoseconds(0);
    }
  }

  std::string_view name() const override { return "local"; }

  void AddOptions(runtime::Config& config) override {
    config.AddString(Option("path"), &options_.path,
                     "The directory of the local storage; created when missing");
    config.AddDuration(Option("retention"), &retention_,
                       "How long the local storage keeps spans (by arrival); older data is "
                       "dropped a whole time bucket at a time (0: keep everything)");
    config.AddBool(Option("sync-writes"), &options_.sync_writes,
                   "Sync the local storage's write-ahead log to the disk before a write is "
                   "acknowledged: spans then survive a power loss, not only a crash");
    config.AddBool(Option("read-only"), &options_.read_only,
                   "Open the local storage for reading only, following the writes of the "
                   "process that has it open for writing (ariadne-query beside "
                   "ariadne-collector on one host)");
    config.AddInt(Option("cache-size-mib"), &cache_mib_,
                  "Memory for the local storage's block cache, in MiB", 1, 1 << 20);
    config.AddInt(Option("write-buffer-size-mib"), &write_buffer_mib_,
                  "Memory for the local storage's unflushed writes (all memtables), in MiB", 1,
                  1 << 20);
  }

  tracecore::Status Open(Backend& out) override {
    if (retention_.count() < 0) {
      return tracecore::Status::InvalidArgument("--" + Option("retention") +
                                                " must not be negative");
    }
    options_.retention = std::chrono::duration_cast<std::chrono::seconds>(retention_);
    if (retention_.count() != 0 && options_.retention.count() == 0) {
      return tracecore::Status::InvalidArgument("--" + Option("retention") +
                                                " must be at least 1s (or 0 to keep everything)");
    }
    options_.flag_prefix = "--" + Option("");
    options_.cache_bytes = static_cast<uint64_t>(cache_mib_) << 20;
    options_.write_buffer_bytes = static_cast<uint64_t>(write_buffer_mib_) << 20;
    std::shared_ptr<LocalStore> store;
    ARIADNE_RETURN_IF_ERROR(LocalStore::Open(options_, store));
    out.writer = store;
    out.reader = store;
    out.dependencies = store;
    return {};
  }

 private:
  std::string Option(std::string_view option) const {
    return BackendOptionName(role_, "local", option);
  }

  const StoreRole role_;
  LocalStoreOptions options_;
  std::chrono::nanoseconds retention_ = std::chrono::hours(72);
  int64_t cache_mib_ = 64;
  int64_t write_buffer_mib_ = 64;
};

}  // namespace

std::unique_ptr<BackendFactory> MakeLocalBackendFactory(StoreRole role) {
  return std::make_unique<LocalBackendFactory>(role);
}

}  // namespace ariadne::storage::local
