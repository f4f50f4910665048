// Every storage backend of this build, and the names of those still to come.
#include <algorithm>
#include <memory>
#include <string>

#include "local/local_backend.h"
#include "memory/memory_store.h"
#include "storage/factory.h"

namespace ariadne::storage {
namespace {

class MemoryBackendFactory final : public BackendFactory {
 public:
  explicit MemoryBackendFactory(StoreRole role) : role_(role) {}

  std::string_view name() const override { return "memory"; }

  void AddOptions(runtime::Config& config) override {
    config.AddInt(BackendOptionName(role_, "memory", "max-traces"), &max_traces_,
                  "The most traces the memory storage keeps; the oldest are evicted first "
                  "(0: no bound)",
                  0, INT64_MAX);
  }

  tracecore::Status Open(Backend& out) override {
    auto store = std::make_shared<MemoryStore>(
        MemoryStoreOptions{.max_traces = static_cast<uint64_t>(max_traces_)});
    out.writer = store;
    out.reader = store;
    out.dependencies = store;
    return {};
  }

 private:
  const StoreRole role_;
  int64_t max_traces_ = 0;
};

// Storage types Jaeger users may name that this build does not have yet.
struct PlannedBackend {
  const char* name;
  const char* options_name;  // the backend name in its flags, rejected with the reason when set
};
constexpr PlannedBackend kPlannedBackends[] = {
    {"elasticsearch", "es"},
    {"opensearch", "es"},
};

std::string NotBuiltReason(std::string_view name, std::string_view type_flag) {
  return "the '" + std::string(name) + "' storage is not in this build of Ariadne yet; use " +
         std::string(type_flag) + "=memory or =local";
}

}  // namespace

std::string BackendOptionName(StoreRole role, std::string_view backend, std::string_view option) {
  std::string name(backend);
  if (role == StoreRole::kArchive) name += "-archive";
  name += '.';
  name += option;
  return name;
}

std::vector<std::unique_ptr<BackendFactory>> MakeBackendFactories(StoreRole role) {
  std::vector<std::unique_ptr<BackendFactory>> factories;
  factories.push_back(std::make_unique<MemoryBackendFactory>(role));
  factories.push_back(local::MakeLocalBackendFactory(role));
  return factories;
}

StorageOptions::StorageOptions(StoreRole role, std::string default_type)
    : role_(role), type_(std::move(default_type)), factories_(MakeBackendFactories(role)) {}

std::string_view StorageOptions::type_flag() const {
  return role_ == StoreRole::kPrimary ? "--span-storage.type" : "--query.archive";
}

void StorageOptions::AddOptions(runtime::Config& config) {
  if (role_ == StoreRole::kPrimary) {
    config.AddString("span-storage.type", &type_,
                     "Where spans are stored: memory or local (environment: SPAN_STORAGE_TYPE)");
  } else {
    config.AddString("query.archive", &type_,
                     "The storage that keeps archived traces (POST /api/archive/{traceID}), "
                     "a second store beside the primary one: memory or local, with its options "
                     "under --<type>-archive.*; empty: no archive");
  }
  for (auto& factory : factories_) factory->AddOptions(config);
  for (const PlannedBackend& planned : kPlannedBackends) {
    if (std::string_view(planned.name) == "opensearch") continue;  // shares es.* with elasticsearch
    config.AddUnavailable(BackendOptionName(role_, planned.options_name, ""),
                          NotBuiltReason(planned.name, type_flag()));
  }
}

tracecore::Status StorageOptions::Open(Backend& out) {
  if (type_.empty() && role_ == StoreRole::kArchive) return {};
  for (auto& factory : factories_) {
    if (factory->name() == type_) return factory->Open(out);
  }
  for (const PlannedBackend& planned : kPlannedBackends) {
    if (planned.name == type_) {
      return tracecore::Status::InvalidArgument(NotBuiltReason(type_, type_flag()));
    }
  }
  std::string known;
  for (auto& factory : factories_) {
    if (!known.empty()) known += ", ";
    known += factory->name();
  }
  return tracecore::Status::InvalidArgument(std::string(type_flag()) + ": unknown storage '" +
                                            type_ + "'; this build has: " + known);
}

}  // namespace ariadne::storage
