// The storage registry: backends by name, their options on a service's Config, and the names a
// Jaeger user may ask for that this build does not have.
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "runtime/config.h"
#include "storage/factory.h"
#include "storage/span_store_conformance.h"

namespace ariadne::storage {
namespace {

using testing::conformance::Spans;
using testing::conformance::Trace;
using tracecore::Status;
using tracecore::StatusCode;
using Environment = std::map<std::string, std::string>;

// A service's storage options: --span-storage.type and every backend's own, parsed from `args`.
struct StorageConfig {
  StorageOptions storage{StoreRole::kPrimary, "memory"};
  runtime::Config config{"ariadne-test", "storage registry test"};

  StorageConfig() { storage.AddOptions(config); }

  Status Parse(const std::vector<std::string>& args, const Environment& environment = {}) {
    std::vector<const char*> argv = {"ariadne-test"};
    for (const std::string& arg : args) argv.push_back(arg.c_str());
    return config.Parse(static_cast<int>(argv.size()), argv.data(), environment);
  }

  Status Open(Backend& out) { return storage.Open(out); }
};

bool Stored(Backend& backend, const tracecore::TraceId& id) {
  bool found = false;
  const Status read = backend.reader->GetTrace(
      id, 10, [](const tracecore::SpanBatch&) { return Status(); }, found);
  REQUIRE(read.ok());
  return found;
}

TEST_CASE("registry: this build has the memory and local backends") {
  std::vector<std::string> names;
  for (const auto& factory : MakeBackendFactories()) names.emplace_back(factory->name());
  CHECK(names == std::vector<std::string>{"memory", "local"});
}

TEST_CASE("registry: local opens a store at --local.path that keeps spans across reopening") {
  std::string directory =
      (std::filesystem::temp_directory_path() / "ariadne-registry-XXXXXX").string();
  REQUIRE(::mkdtemp(directory.data()) != nullptr);
  const std::string path = directory + "/data";
  for (int run = 0; run < 2; ++run) {
    StorageConfig storage;
    REQUIRE(storage
                .Parse({"--span-storage.type=local", "--local.path=" + path,
                        "--local.retention=24h", "--local.cache-size-mib=8"})
                .ok());
    Backend backend;
    const Status opened = storage.Open(backend);
    INFO(opened.message());
    REQUIRE(opened.ok());
    if (run == 0) {
      REQUIRE(backend.writer->WriteBatch(Spans("frontend", {{.trace = Trace(1), .id = 1}})).ok());
      REQUIRE(backend.writer->Flush().ok());
    }
    CHECK(Stored(backend, Trace(1)));
  }
  CHECK(std::filesystem::exists(path + "/CURRENT"));
  std::filesystem::remove_all(directory);
}

TEST_CASE("registry: a bad --local.retention is rejected naming the option") {
  StorageConfig storage;
  REQUIRE(storage.Parse({"--span-storage.type=local", "--local.retention=500ms"}).ok());
  Backend backend;
  const Status opened = storage.Open(backend);
  CHECK(opened.code() == StatusCode::kInvalidArgument);
  CHECK_THAT(opened.message(), Catch::Contains("--local.retention"));
}

TEST_CASE("registry: memory opens a store that writes and reads") {
  StorageConfig storage;
  REQUIRE(storage.Parse({"--span-storage.type=memory"}).ok());
  Backend backend;
  const Status opened = storage.Open(backend);
  INFO(opened.message());
  REQUIRE(opened.ok());
  REQUIRE(backend.writer != nullptr);
  REQUIRE(backend.reader != nullptr);
  REQUIRE(backend.dependencies != nullptr);
  REQUIRE(backend.writer->WriteBatch(Spans("frontend", {{.trace = Trace(1), .id = 1}})).ok());
  REQUIRE(backend.writer->Flush().ok());
  CHECK(Stored(backend, Trace(1)));
  std::vector<std::string> services;
  REQUIRE(backend.reader->GetServices(services).ok());
  CHECK(services == std::vector<std::string>{"frontend"});
}

TEST_CASE("registry: SPAN_STORAGE_TYPE selects the backend") {
  StorageConfig storage;
  storage.storage.set_type("");
  REQUIRE(storage.Parse({}, {{"SPAN_STORAGE_TYPE", "memory"}}).ok());
  CHECK(storage.storage.type() == "memory");
  Backend backend;
  CHECK(storage.Open(backend).ok());
}

TEST_CASE("registry: --memory.max-traces reaches the memory store") {
  StorageConfig storage;
  SECTION("as a flag") {
    REQUIRE(storage.Parse({"--memory.max-traces=2"}).ok());
  }
  SECTION("from the environment") {
    REQUIRE(storage.Parse({}, {{"MEMORY_MAX_TRACES", "2"}}).ok());
  }
  Backend backend;
  REQUIRE(storage.Open(backend).ok());
  for (uint64_t n = 1; n <= 3; ++n) {
    REQUIRE(backend.writer->WriteBatch(Spans("frontend", {{.trace = Trace(n), .id = n}})).ok());
  }
  CHECK_FALSE(Stored(backend, Trace(1)));
  CHECK(Stored(backend, Trace(2)));
  CHECK(Stored(backend, Trace(3)));
}

TEST_CASE("registry: a bad --memory.max-traces is rejected naming the option") {
  StorageConfig storage;
  const std::string value = GENERATE(as<std::string>(), "-1", "many", "1.5");
  INFO(value);
  const Status parsed = storage.Parse({"--memory.max-traces=" + value});
  CHECK(parsed.code() == StatusCode::kInvalidArgument);
  CHECK_THAT(parsed.message(), Catch::Contains("memory.max-traces"));
}

TEST_CASE("registry: storages Jaeger has and this build has not are named as such") {
  StorageConfig storage;
  const std::string type = GENERATE(as<std::string>(), "elasticsearch", "opensearch");
  INFO(type);
  REQUIRE(storage.Parse({"--span-storage.type=" + type}).ok());
  Backend backend;
  const Status opened = storage.Open(backend);
  CHECK(opened.code() == StatusCode::kInvalidArgument);
  CHECK_THAT(opened.message(), Catch::Contains("'" + type + "'"));
  CHECK_THAT(opened.message(), Catch::Contains("not in this build"));
  CHECK_THAT(opened.message(), Catch::Contains("--span-storage.type=memory"));
  CHECK(backend.writer == nullptr);
  CHECK(backend.reader == nullptr);
}

TEST_CASE("registry: an unknown storage type lists the types this build has") {
  StorageConfig storage;
  REQUIRE(storage.Parse({"--span-storage.type=cassandra"}).ok());
  Backend backend;
  const Status opened = storage.Open(backend);
  CHECK(opened.code() == StatusCode::kInvalidArgument);
  CHECK_THAT(opened.message(), Catch::Contains("unknown storage 'cassandra'"));
  CHECK_THAT(opened.message(), Catch::Contains("memory"));
  CHECK(backend.writer == nullptr);
}

TEST_CASE("registry: options of storages not in this build are rejected when set") {
  StorageConfig storage;
  const Status parsed = storage.Parse({"--es.server-urls=http://127.0.0.1:9200"});
  CHECK(parsed.code() == StatusCode::kInvalidArgument);
  CHECK_THAT(parsed.message(), Catch::Contains("not in this build"));
}

TEST_CASE("registry: options of storages not in this build are accepted when not set") {
  StorageConfig storage;
  // An unrelated variable that shares a prefix with a planned backend's options.
  CHECK(storage.Parse({}, {{"ES_JAVA_OPTS", "-Xmx1g"}}).ok());
}

TEST_CASE("registry: --help lists the storage options") {
  StorageConfig storage;
  const std::string help = storage.config.HelpText();
  CHECK_THAT(help, Catch::Contains("span-storage.type"));
  CHECK_THAT(help, Catch::Contains("SPAN_STORAGE_TYPE"));
  CHECK_THAT(help, Catch::Contains("memory.max-traces"));
  CHECK_THAT(help, Catch::Contains("local.path"));
  CHECK_THAT(help, Catch::Contains("local.retention"));
}

// The archive store of ariadne-query (--query.archive), whose backend options carry "-archive".
struct ArchiveConfig {
  StorageOptions primary{StoreRole::kPrimary, "memory"};
  StorageOptions archive{StoreRole::kArchive, ""};
  runtime::Config config{"ariadne-test", "storage registry test"};

  ArchiveConfig() {
    primary.AddOptions(config);
    archive.AddOptions(config);
  }

  Status Parse(const std::vector<std::string>& args) {
    std::vector<const char*> argv = {"ariadne-test"};
    for (const std::string& arg : args) argv.push_back(arg.c_str());
    return config.Parse(static_cast<int>(argv.size()), argv.data(), {});
  }
};

TEST_CASE("registry: option names carry -archive for the archive store") {
  CHECK(BackendOptionName(StoreRole::kPrimary, "local", "path") == "local.path");
  CHECK(BackendOptionName(StoreRole::kArchive, "local", "path") == "local-archive.path");
  CHECK(BackendOptionName(StoreRole::kArchive, "memory", "max-traces") ==
        "memory-archive.max-traces");
}

TEST_CASE("registry: no archive is opened unless --query.archive names a backend") {
  ArchiveConfig storage;
  REQUIRE(storage.Parse({}).ok());
  Backend archive;
  CHECK(storage.archive.Open(archive).ok());
  CHECK(archive.writer == nullptr);
  CHECK(archive.reader == nullptr);
}

TEST_CASE("registry: the archive is a second store with its own options") {
  std::string directory =
      (std::filesystem::temp_directory_path() / "ariadne-registry-XXXXXX").string();
  REQUIRE(::mkdtemp(directory.data()) != nullptr);
  ArchiveConfig storage;
  REQUIRE(storage
              .Parse({"--span-storage.type=local", "--local.path=" + directory + "/primary",
                      "--query.archive=local", "--local-archive.path=" + directory + "/archive"})
              .ok());
  Backend primary;
  Backend archive;
  REQUIRE(storage.primary.Open(primary).ok());
  REQUIRE(storage.archive.Open(archive).ok());
  REQUIRE(archive.writer != nullptr);
  REQUIRE(archive.writer->WriteBatch(Spans("frontend", {{.trace = Trace(7), .id = 7}})).ok());
  REQUIRE(archive.writer->Flush().ok());
  CHECK(Stored(archive, Trace(7)));
  CHECK_FALSE(Stored(primary, Trace(7)));
  CHECK(std::filesystem::exists(directory + "/archive/CURRENT"));
  archive = {};
  primary = {};
  std::filesystem::remove_all(directory);
}

TEST_CASE("registry: errors about the archive name the archive's options") {
  ArchiveConfig storage;
  SECTION("an unknown type names --query.archive") {
    REQUIRE(storage.Parse({"--query.archive=cassandra"}).ok());
    Backend archive;
    const Status opened = storage.archive.Open(archive);
    CHECK(opened.code() == StatusCode::kInvalidArgument);
    CHECK_THAT(opened.message(), Catch::StartsWith("--query.archive: unknown storage"));
  }
  SECTION("a bad retention names --local-archive.retention") {
    REQUIRE(storage.Parse({"--query.archive=local", "--local-archive.retention=500ms"}).ok());
    Backend archive;
    const Status opened = storage.archive.Open(archive);
    CHECK(opened.code() == StatusCode::kInvalidArgument);
    CHECK_THAT(opened.message(), Catch::Contains("--local-archive.retention"));
  }
  SECTION("options of planned backends are refused for the archive too") {
    const Status parsed = storage.Parse({"--es-archive.server-urls=http://127.0.0.1:9200"});
    CHECK(parsed.code() == StatusCode::kInvalidArgument);
    CHECK_THAT(parsed.message(), Catch::Contains("--query.archive=memory"));
  }
}

}  // namespace
}  // namespace ariadne::storage
