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
  std::string_view name() const override { return "memory"; }

  void AddOptions(runtime::Config& config) override {
    config.AddInt("memory.max-traces", &max_traces_,
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
  int64_t max_traces_ = 0;
};

// Storage types Jaeger users may name that this build does not have yet.
struct PlannedBackend {
  const char* name;
  const char* options_prefix;  // flags of that backend, rejected with the reason when set
};
constexpr PlannedBackend kPlannedBackends[] = {
    {"elasticsearch", "es."},
    {"opensearch", "es."},
};

std::string NotBuiltReason(std::string_view name) {
  return "the '" + std::string(name) +
         "' storage is not in this build of Ariadne yet; use --span-storage.type=memory";
}

}  // namespace

std::vector<std::unique_ptr<BackendFactory>> MakeBackendFactories() {
  std::vector<std::unique_ptr<BackendFactory>> factories;
  factories.push_back(std::make_unique<MemoryBackendFactory>());
  factories.push_back(local::MakeLocalBackendFactory());
  return factories;
}

void AddStorageOptions(runtime::Config& config, std::string* type,
                       std::vector<std::unique_ptr<BackendFactory>>& factories) {
  config.AddString("span-storage.type", type,
                   "Where spans are stored: memory or local (environment: SPAN_STORAGE_TYPE)");
  for (auto& factory : factories) factory->AddOptions(config);
  for (const PlannedBackend& planned : kPlannedBackends) {
    if (std::string_view(planned.name) == "opensearch") continue;  // shares es.* with elasticsearch
    config.AddUnavailable(planned.options_prefix, NotBuiltReason(planned.name));
  }
}

tracecore::Status OpenBackend(std::string_view type,
                              std::vector<std::unique_ptr<BackendFactory>>& factories,
                              Backend& out) {
  for (auto& factory : factories) {
    if (factory->name() == type) return factory->Open(out);
  }
  for (const PlannedBackend& planned : kPlannedBackends) {
    if (planned.name == type) return tracecore::Status::InvalidArgument(NotBuiltReason(type));
  }
  std::string known;
  for (auto& factory : factories) {
    if (!known.empty()) known += ", ";
    known += factory->name();
  }
  return tracecore::Status::InvalidArgument("--span-storage.type: unknown storage '" +
                                            std::string(type) + "'; this build has: " + known);
}

}  // namespace ariadne::storage
