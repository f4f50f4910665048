// LocalStore: the `local` storage backend, an embedded persistent store on RocksDB (the default
// of ariadne-all-in-one). docs/local-storage.md describes it for users; store_layout.h gives the
// keys and values.
//
// Writes: each batch becomes span blocks of whole traces (span_block.h: columns, compressed with
// zstd by us), an entry per trace in the trace index and one search entry per trace, block,
// service and second of span start, written as one atomic RocksDB write batch through the
// write-ahead log.
//
// Durability: when WriteBatch returns OK the spans are in the write-ahead log in the operating
// system's page cache: they survive the process crashing or being killed (kill -9). With
// `sync_writes` the log is also synced to the disk before WriteBatch returns, so they survive a
// power loss too. Dependency counts are kept in memory for up to a minute before they are
// written; a crash loses the counts of that last minute, never spans.
//
// Retention: data is kept in time buckets by arrival; a bucket is dropped whole (its files are
// deleted) once everything in it is older than `retention`.
//
// Sharing: one process opens the store for writing (the primary). Others may open it read-only
// (`read_only`), as RocksDB secondary instances that follow the primary's writes.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "local/dependency_tracker.h"
#include "runtime/fork_join.h"
#include "storage/span_reader.h"
#include "storage/span_writer.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
class Iterator;
}  // namespace rocksdb

namespace ariadne::storage::local {

struct LocalStoreOptions {
  std::string path = "./data";                     // local.path
  std::chrono::seconds retention{72 * 3600};       // local.retention; 0: keep everything
  bool sync_writes = false;                        // local.sync-writes
  bool read_only = false;                          // local.read-only
  uint64_t cache_bytes = 64ULL << 20;              // local.cache-size (block cache)
  uint64_t write_buffer_bytes = 64ULL << 20;       // local.write-buffer-size (all memtables)
  std::chrono::milliseconds follow_interval{500};  // local.read-only: how often to catch up
  // The width of the time buckets of a new store; 0 chooses it from the retention (an hour, or
  // a twelfth of a shorter retention). An existing store keeps the width it was created with.
  uint32_t bucket_seconds = 0;
  // How many recent spans the dependency tracker remembers (dependency_tracker.h).
  size_t dependency_capacity = 1 << 18;
  // How messages name the options: "--local." ("--local-archive." for the archive store).
  std::string flag_prefix = "--local.";
  // Unix nanoseconds now; tests replace it to move time.
  std::function<uint64_t()> clock;
};

class LocalStore final : public SpanWriter, public SpanReader, public DependencyReader {
 public:
  // Opens or creates the store at options.path. Fails with a message that says what to do when
  // the directory holds something else (another program's files, a store of an unknown format
  // version, a damaged store): it never deletes data it did not write.
  static tracecore::Status Open(LocalStoreOptions options, std::shared_ptr<LocalStore>& out);
  ~LocalStore() override;
  LocalStore(const LocalStore&) = delete;
  LocalStore& operator=(const LocalStore&) = delete;

  tracecore::Status WriteBatch(const tracecore::SpanBatch& batch) override;
  tracecore::Status Flush() override;

  tracecore::Status GetTrace(const tracecore::TraceId& id, uint32_t max_chunk_spans,
                             const SpanChunkConsumer& consume, bool& found) override;
  tracecore::Status FindTraceIds(const TraceQuery& query,
                                 std::vector<tracecore::TraceId>& out) override;
  tracecore::Status GetServices(std::vector<std::string>& out) override;
  tracecore::Status GetOperations(const std::string& service,
                                  std::optional<tracecore::SpanKind> span_kind,
                                  std::vector<Operation>& out) override;
  tracecore::Status GetDependencies(uint64_t end_time, uint64_t lookback,
                                    std::vector<DependencyLink>& out) override;

  // Drops every bucket whose data is all older than the retention. A background thread calls it;
  // tests call it after moving the clock. A read-only store does nothing.
  tracecore::Status EnforceRetention();
  // Read-only stores: catches up with the primary's writes now (the background thread does it
  // every follow_interval).
  tracecore::Status CatchUp();

  // Writes every memtable to table files and waits until no flush or compaction is running or
  // pending (benchmarks and tests measure the settled store).
  tracecore::Status Settle();

  // Spans stored now (reads every record header: for tests and tools, not for hot paths).
  tracecore::Status CountSpans(uint64_t& out);
  // Bytes of the store's table files (what compaction and retention manage; the log and
  // memtables are not included).
  uint64_t TableBytes();
  // The width of this store's buckets.
  uint32_t bucket_seconds() const { return bucket_seconds_; }

 private:
  struct Families;
  struct PendingWrite;
  explicit LocalStore(LocalStoreOptions options);

  tracecore::Status OpenDatabase();
  tracecore::Status CheckOrWriteFormat();
  // Option names for messages: Flag("path") is "--local.path"; PathSetting() "--local.path=DIR".
  std::string Flag(std::string_view option) const {
    return options_.flag_prefix + std::string(option);
  }
  std::string PathSetting() const { return Flag("path") + "=" + options_.path; }
  tracecore::Status LoadState();
  void StartBackgroundThread();
  void BackgroundLoop();

  uint64_t NowNanos() const;
  uint32_t BucketOf(uint64_t unix_nanos) const;
  std::vector<uint32_t> LiveBuckets();
  tracecore::Status AddWrites(const tracecore::SpanBatch& batch, uint32_t bucket,
                              PendingWrite& write);
  void AddDependencyCounts(uint64_t now_second, bool everything, PendingWrite& write);
  tracecore::Status Commit(PendingWrite& write);
  tracecore::Status DropBucketsBefore(uint32_t first_kept);

  // Streams the spans of `trace` in the records at `keys`.
  tracecore::Status ReadRecords(const tracecore::TraceId& trace,
                                const std::vector<std::string>& keys, uint32_t max_chunk_spans,
                                const SpanChunkConsumer& consume);
  class SearchResults;
  struct TagCandidate;
  class BlockCache;
  // Adds the candidates whose spans match the query's tags to `results`, and clears them.
  tracecore::Status CheckTags(const TraceQuery& query, std::vector<TagCandidate>& candidates,
                              BlockCache& cache, SearchResults& results);

  const LocalStoreOptions options_;
  uint32_t bucket_seconds_ = 3600;
  std::unique_ptr<rocksdb::DB> db_;
  std::unique_ptr<Families> families_;
  std::string secondary_path_;  // read-only stores: RocksDB's own files for the secondary

  static constexpr size_t kMaxRememberedOperations = 100'000;

  std::mutex write_mutex_;  // next_seq_, known_buckets_, operations_bucket_, written_operations_
  uint64_t next_seq_ = 1;
  std::set<uint32_t> known_buckets_;          // buckets with a 'B' meta entry
  uint32_t operations_bucket_ = 0;            // the bucket of written_operations_
  std::set<std::string> written_operations_;  // its operation keys this process has written
  DependencyTracker dependencies_;
  runtime::ForkJoin decode_split_;  // lets one read decode a large trace on two cores

  std::mutex background_mutex_;
  std::condition_variable background_wake_;
  bool stopping_ = false;
  std::thread background_;
};

}  // namespace ariadne::storage::local
