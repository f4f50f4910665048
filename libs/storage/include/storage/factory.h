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
#include <utility>
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

// The part a store plays, which names its options.
enum class StoreRole {
  kPrimary,  // chosen by --span-storage.type; backend options --<backend>.<option>
  // ariadne-query's archive, chosen by --query.archive; backend options
  // --<backend>-archive.<option>, as Jaeger names its --es-archive.* options.
  kArchive,
};

// The name of option `option` of `backend` in `role`: ("local", "path") -> "local.path", or
// "local-archive.path" for the archive.
std::string BackendOptionName(StoreRole role, std::string_view backend, std::string_view option);

// Every backend built in, in a stable order, registering the options of `role`.
std::vector<std::unique_ptr<BackendFactory>> MakeBackendFactories(
    StoreRole role = StoreRole::kPrimary);

// The store a service opens in one role: the option that chooses the backend and every
// backend's own options. Configure, then Parse the Config, then Open.
class StorageOptions {
 public:
  // `default_type` is the backend used when the option is not set; "" (archive only): none.
  StorageOptions(StoreRole role, std::string default_type);

  // Registers the choosing option (--span-storage.type, environment SPAN_STORAGE_TYPE; or
  // --query.archive) and every backend's options, bound to this object. Once per Config.
  void AddOptions(runtime::Config& config);

  const std::string& type() const { return type_; }
  // Overrides the chosen backend after parsing (the all-in-one's --memory).
  void set_type(std::string type) { type_ = std::move(type); }
  // "--span-storage.type" or "--query.archive": named in messages.
  std::string_view type_flag() const;

  // Opens the chosen backend, or explains which backends exist. With no backend chosen (the
  // archive's default) `out` stays empty and the result is OK.
  tracecore::Status Open(Backend& out);

 private:
  StoreRole role_;
  std::string type_;
  std::vector<std::unique_ptr<BackendFactory>> factories_;
};

}  // namespace ariadne::storage
