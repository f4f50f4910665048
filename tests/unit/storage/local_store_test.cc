// LocalStore: the conformance suite, plus what only the local backend does: persistence across
// reopening, retention by whole buckets, refusing directories it did not write, read-only
// followers, and records larger than a chunk.
#include "local/local_store.h"

#include <rocksdb/db.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "local/store_layout.h"
#include "storage/span_store_conformance.h"

namespace ariadne::storage::local {
namespace {

namespace fs = std::filesystem;
using testing::conformance::BatchBuilder;
using testing::conformance::kMs;
using testing::conformance::kT0;
using testing::conformance::ServiceQuery;
using testing::conformance::Spans;
using testing::conformance::Trace;
using tracecore::SpanBatch;
using tracecore::Status;
using tracecore::StatusCode;
using tracecore::TraceId;

// A fresh directory under the system's temporary directory, removed with everything in it.
class TemporaryDirectory {
 public:
  TemporaryDirectory() {
    std::string pattern = (fs::temp_directory_path() / "ariadne-local-test-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TemporaryDirectory() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
  const fs::path& path() const { return path_; }
  std::string store() const { return (path_ / "store").string(); }

 private:
  fs::path path_;
};

LocalStoreOptions OptionsAt(const std::string& path) {
  LocalStoreOptions options;
  options.path = path;
  options.cache_bytes = 8 << 20;
  options.write_buffer_bytes = 8 << 20;
  return options;
}

std::shared_ptr<LocalStore> OpenOrFail(const LocalStoreOptions& options) {
  std::shared_ptr<LocalStore> store;
  const Status opened = LocalStore::Open(options, store);
  INFO(opened.message());
  REQUIRE(opened.ok());
  return store;
}

// A store in its own temporary directory, removed when the last pointer to the store goes.
Backend OpenFreshStore() {
  struct Owned {
    TemporaryDirectory directory;
    std::shared_ptr<LocalStore> store;
  };
  auto owned = std::make_shared<Owned>();
  owned->store = OpenOrFail(OptionsAt(owned->directory.store()));
  // The aliasing constructor: each pointer keeps the directory alive too; the store closes
  // before its directory is removed (members are destroyed in reverse order).
  std::shared_ptr<LocalStore> store(owned, owned->store.get());
  return {store, store, store};
}

const bool kConformanceRegistered = testing::RegisterSpanStoreConformance("local", OpenFreshStore);

// A moving clock for the retention tests, in Unix nanoseconds.
struct FakeClock {
  std::shared_ptr<std::atomic<uint64_t>> now = std::make_shared<std::atomic<uint64_t>>(kT0);
  std::function<uint64_t()> function() const {
    return [now = now] { return now->load(); };
  }
  void Advance(uint64_t nanos) { *now += nanos; }
};

uint64_t CountSpans(LocalStore& store) {
  uint64_t count = 0;
  const Status counted = store.CountSpans(count);
  INFO(counted.message());
  REQUIRE(counted.ok());
  return count;
}

bool Stored(SpanReader& reader, const TraceId& trace) {
  bool found = false;
  const Status read = reader.GetTrace(
      trace, 100, [](const SpanBatch&) { return Status(); }, found);
  INFO(read.message());
  REQUIRE(read.ok());
  return found;
}

// A batch of `traces` traces of `spans` spans each, numbered from `first`, with attributes large
// enough that table files are written.
SpanBatch Load(uint64_t first, uint64_t traces, uint64_t spans) {
  BatchBuilder batch;
  for (uint64_t t = first; t < first + traces; ++t) {
    for (uint64_t s = 1; s <= spans; ++s) {
      batch.Add("loader", {.trace = Trace(t),
                           .id = t * 1000 + s,
                           .parent = s == 1 ? 0 : t * 1000 + 1,
                           .name = "op-" + std::to_string(s % 7),
                           .start = kT0 + t * kMs + s});
    }
  }
  return batch.Take();
}

TEST_CASE("local: spans written before closing are read after reopening") {
  TemporaryDirectory directory;
  {
    auto store = OpenOrFail(OptionsAt(directory.store()));
    REQUIRE(store->WriteBatch(Spans("frontend", {{.trace = Trace(1), .id = 1}})).ok());
  }
  auto store = OpenOrFail(OptionsAt(directory.store()));
  CHECK(Stored(*store, Trace(1)));
  CHECK(CountSpans(*store) == 1);
  std::vector<std::string> services;
  REQUIRE(store->GetServices(services).ok());
  CHECK(services == std::vector<std::string>{"frontend"});
  // New writes after reopening never overwrite old records.
  REQUIRE(store->WriteBatch(Spans("frontend", {{.trace = Trace(2), .id = 2}})).ok());
  CHECK(CountSpans(*store) == 2);
  CHECK(Stored(*store, Trace(1)));
}

TEST_CASE("local: retention drops whole buckets and the table files return to the baseline") {
  TemporaryDirectory directory;
  FakeClock clock;
  LocalStoreOptions options = OptionsAt(directory.store());
  options.retention = std::chrono::seconds(10);
  options.bucket_seconds = 2;
  options.clock = clock.function();
  auto store = OpenOrFail(options);
  REQUIRE(store->Flush().ok());
  const uint64_t baseline = store->TableBytes();

  // Six buckets' worth of spans, flushed to table files.
  for (uint64_t second = 0; second < 12; ++second) {
    REQUIRE(store->WriteBatch(Load(second * 100, 20, 10)).ok());
    clock.Advance(1000 * kMs);
  }
  REQUIRE(store->Flush().ok());
  CHECK(CountSpans(*store) == 12 * 20 * 10);

  SECTION("buckets younger than the retention stay") {
    REQUIRE(store->EnforceRetention().ok());
    // Now = T0 + 12 s, cutoff T0 + 2 s: only the first bucket [T0, T0 + 2 s) is all older.
    CHECK(CountSpans(*store) == 10 * 20 * 10);
    CHECK_FALSE(Stored(*store, Trace(0)));
    CHECK_FALSE(Stored(*store, Trace(100)));
    CHECK(Stored(*store, Trace(200)));
    CHECK(Stored(*store, Trace(1100)));
  }
  SECTION("when every bucket is older than the retention, nothing is left") {
    clock.Advance(60'000 * kMs);
    REQUIRE(store->EnforceRetention().ok());
    CHECK(CountSpans(*store) == 0);
    CHECK_FALSE(Stored(*store, Trace(1100)));
    std::vector<std::string> services;
    REQUIRE(store->GetServices(services).ok());
    CHECK(services.empty());
    CHECK(store->TableBytes() <= baseline + 4096);
  }
}

TEST_CASE("local: operations stay listed while a bucket that saw them is kept") {
  TemporaryDirectory directory;
  FakeClock clock;
  LocalStoreOptions options = OptionsAt(directory.store());
  options.retention = std::chrono::seconds(10);
  options.bucket_seconds = 2;
  options.clock = clock.function();
  auto store = OpenOrFail(options);
  // A call from frontend to backend, so that dependency counts are written too.
  auto call = [](uint64_t trace) {
    BatchBuilder batch;
    batch.Add("frontend", {.trace = Trace(trace), .id = trace * 10 + 1, .name = "GET /"});
    batch.Add("backend",
              {.trace = Trace(trace), .id = trace * 10 + 2, .parent = trace * 10 + 1, .name = "q"});
    return batch.Take();
  };
  REQUIRE(store->WriteBatch(call(1)).ok());
  // The next bucket is first used by the dependency counts, then by the same operations.
  clock.Advance(3000 * kMs);
  REQUIRE(store->Flush().ok());
  REQUIRE(store->WriteBatch(call(2)).ok());
  // The first bucket expires; the second, which saw the same operations, is kept.
  clock.Advance(10'000 * kMs);
  REQUIRE(store->EnforceRetention().ok());
  CHECK_FALSE(Stored(*store, Trace(1)));
  CHECK(Stored(*store, Trace(2)));
  std::vector<storage::Operation> operations;
  REQUIRE(store->GetOperations("frontend", std::nullopt, operations).ok());
  CHECK(operations == std::vector<storage::Operation>{{"GET /", tracecore::SpanKind::kInternal}});
}

TEST_CASE("local: a directory holding other files is refused and left untouched") {
  TemporaryDirectory directory;
  const fs::path file = directory.path() / "store" / "notes.txt";
  fs::create_directories(file.parent_path());
  std::ofstream(file) << "mine";
  std::shared_ptr<LocalStore> store;
  const Status opened = LocalStore::Open(OptionsAt(directory.store()), store);
  CHECK(opened.code() == StatusCode::kInvalidArgument);
  CHECK_THAT(opened.message(), Catch::Contains("not an Ariadne store"));
  CHECK_THAT(opened.message(), Catch::Contains("--local.path"));
  CHECK(fs::exists(file));
  CHECK(fs::directory_iterator(file.parent_path())->path() == file);
}

TEST_CASE("local: a RocksDB database Ariadne did not write is refused") {
  TemporaryDirectory directory;
  {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open(options, directory.store(), &raw).ok());
    REQUIRE(raw->Put(rocksdb::WriteOptions(), "key", "value").ok());
    delete raw;
  }
  std::shared_ptr<LocalStore> store;
  const Status opened = LocalStore::Open(OptionsAt(directory.store()), store);
  CHECK(opened.code() == StatusCode::kInvalidArgument);
  CHECK_THAT(opened.message(), Catch::Contains("Ariadne did not write"));
}

TEST_CASE("local: a store of another format version is refused with what to do") {
  // A store of format 1 (each trace's spans as OTLP protobuf) and one of a future format.
  const auto [version, advice] =
      GENERATE(std::pair<uint32_t, const char*>{1, "written by an older Ariadne"},
               std::pair<uint32_t, const char*>{kFormatVersion + 1, "run the newer Ariadne"});
  TemporaryDirectory directory;
  { OpenOrFail(OptionsAt(directory.store())); }
  {
    // Rewrite the format record as that version would have written it.
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const char* name : {"default", kRecordsFamily, kTracesFamily, kSearchFamily, kMetaFamily,
                             kDependenciesFamily}) {
      families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    REQUIRE(
        rocksdb::DB::Open(rocksdb::DBOptions(), directory.store(), families, &handles, &raw).ok());
    REQUIRE(raw->Put(rocksdb::WriteOptions(), handles[4], std::string(kFormatKey),
                     EncodeFormatRecord({version, 3600}))
                .ok());
    for (auto* handle : handles) REQUIRE(raw->DestroyColumnFamilyHandle(handle).ok());
    delete raw;
  }
  std::shared_ptr<LocalStore> store;
  const Status opened = LocalStore::Open(OptionsAt(directory.store()), store);
  CHECK(opened.code() == StatusCode::kInvalidArgument);
  CHECK_THAT(opened.message(), Catch::Contains("format version " + std::to_string(version)));
  CHECK_THAT(opened.message(), Catch::Contains(advice));
  CHECK_THAT(opened.message(), Catch::Contains("nothing was changed"));
}

TEST_CASE("local: a second writer is refused and told about --local.read-only") {
  TemporaryDirectory directory;
  auto writer = OpenOrFail(OptionsAt(directory.store()));
  std::shared_ptr<LocalStore> second;
  const Status opened = LocalStore::Open(OptionsAt(directory.store()), second);
  CHECK(opened.code() == StatusCode::kUnavailable);
  CHECK_THAT(opened.message(), Catch::Contains("--local.read-only=true"));
}

TEST_CASE("local: a read-only store follows the writer's spans") {
  TemporaryDirectory directory;
  auto writer = OpenOrFail(OptionsAt(directory.store()));
  REQUIRE(writer->WriteBatch(Spans("frontend", {{.trace = Trace(1), .id = 1}})).ok());
  REQUIRE(writer->Flush().ok());

  LocalStoreOptions options = OptionsAt(directory.store());
  options.read_only = true;
  auto reader = OpenOrFail(options);
  CHECK(Stored(*reader, Trace(1)));
  CHECK_FALSE(Stored(*reader, Trace(2)));
  CHECK(reader->WriteBatch(Spans("frontend", {{.trace = Trace(3), .id = 3}})).code() ==
        StatusCode::kUnimplemented);

  REQUIRE(writer->WriteBatch(Spans("backend", {{.trace = Trace(2), .id = 2}})).ok());
  REQUIRE(writer->Flush().ok());
  REQUIRE(reader->CatchUp().ok());
  CHECK(Stored(*reader, Trace(2)));
  std::vector<std::string> services;
  REQUIRE(reader->GetServices(services).ok());
  CHECK(services == std::vector<std::string>{"backend", "frontend"});
}

TEST_CASE("local: a read-only store needs an existing store") {
  TemporaryDirectory directory;
  LocalStoreOptions options = OptionsAt(directory.store());
  options.read_only = true;
  std::shared_ptr<LocalStore> store;
  const Status opened = LocalStore::Open(options, store);
  CHECK(opened.code() == StatusCode::kInvalidArgument);
  CHECK_THAT(opened.message(), Catch::Contains("no store there"));
}

TEST_CASE("local: a record larger than a chunk is handed out in chunks of the bound") {
  TemporaryDirectory directory;
  auto store = OpenOrFail(OptionsAt(directory.store()));
  REQUIRE(store->WriteBatch(Load(7, 1, 25)).ok());
  std::vector<size_t> sizes;
  bool found = false;
  REQUIRE(store
              ->GetTrace(
                  Trace(7), 10,
                  [&](const SpanBatch& chunk) {
                    sizes.push_back(chunk.spans().size());
                    return Status();
                  },
                  found)
              .ok());
  CHECK(found);
  CHECK(sizes == std::vector<size_t>{10, 10, 5});
}

}  // namespace
}  // namespace ariadne::storage::local
