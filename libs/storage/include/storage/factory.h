// The storage registry: every backend of this build, created by name ("memory", "local", ...).
//
// A backend is a BackendFactory: it registers its own options (--memory.*, --local.*) on the
// service's Config, then opens the store. Every backend is listed in one place,
// libs/storage/src/registry.cc; names a user of Jaeger may ask for that this build does not have
// yet ("elasticsearch", "opensearch", ...) are listed there too, with the reason.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/config.h"
#include "storage/span_reader.h"
#include "storage/span_writer.h"
#include "tracecore/status.h"

namespace ariadne::storage {

// An open store. One object usually implements all three; readers may be null for a
// write-only backend.
struct Backend {
  std::shared_ptr<SpanWriter> writer;
  std::shared_ptr<SpanReader> reader;
  std::shared_ptr<DependencyReader> dependencies;
};

class BackendFactory {
 public:
  virtual ~BackendFactory() = default;
  virtual std::string_view name() const = 0;
  // Registers the backend's options, bound to members of the factory. Called once, before parsing.
  virtual void AddOptions(runtime::Config& config) = 0;
  // Opens the store with the parsed options. Errors say what to fix (a path, a flag).
  virtual tracecore::Status Open(Backend& out) = 0;
};

// Every backend built in, in a stable order.
std::vector<std::unique_ptr<BackendFactory>> MakeBackendFactories();

// Adds the --span-storage.type option (SPAN_STORAGE_TYPE) and every backend's options to `config`,
// bound to `*type` and to the factories.
void AddStorageOptions(runtime::Config& config, std::string* type,
                       std::vector<std::unique_ptr<BackendFactory>>& factories);

// Opens the backend named `type` from `factories`, or explains which names exist.
tracecore::Status OpenBackend(std::string_view type,
                              std::vector<std::unique_ptr<BackendFactory>>& factories,
                              Backend& out);

}  // namespace ariadne::storage
