#include "local/local_store.h"

#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <rocksdb/write_buffer_manager.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <limits>
#include <list>
#include <map>
#include <span>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "local/span_block.h"
#include "local/store_layout.h"
#include "runtime/log.h"
#include "storage/span_match.h"
#include "tracecore/span_copier.h"

namespace ariadne::storage::local {

namespace fs = std::filesystem;
using tracecore::Span;
using tracecore::SpanBatch;
using tracecore::Status;
using tracecore::TraceId;

constexpr uint64_t kNanosPerSecond = 1'000'000'000ULL;
// Batches are written in blocks of whole traces, of about this many spans. Smaller blocks
// compress worse, larger ones make reading one trace decompress more: with tracegen's spans,
// 128-span blocks took 140 bytes per span, 512 took 119, 1,024 took 110 (as much as whole
// 1,000-span batches), and search and get-trace times were alike from 512 up
// (docs/benchmarks.md).
constexpr size_t kBlockSpans = 1024;

struct LocalStore::Families {
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // owned; destroyed before the DB
  rocksdb::ColumnFamilyHandle* records = nullptr;
  rocksdb::ColumnFamilyHandle* traces = nullptr;
  rocksdb::ColumnFamilyHandle* search = nullptr;
  rocksdb::ColumnFamilyHandle* meta = nullptr;
  rocksdb::ColumnFamilyHandle* dependencies = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> bucketed() const {
    return {records, traces, search, dependencies};
  }
};

struct LocalStore::PendingWrite {
  rocksdb::WriteBatch batch;
};

namespace {

const std::vector<std::string>& FamilyNames() {
  static const std::vector<std::string> names = {rocksdb::kDefaultColumnFamilyName,
                                                 kRecordsFamily,
                                                 kTracesFamily,
                                                 kSearchFamily,
                                                 kMetaFamily,
                                                 kDependenciesFamily};
  return names;
}

Status FromRocks(const rocksdb::Status& status, std::string_view doing) {
  if (status.ok()) return {};
  std::string message = "local store: " + std::string(doing) + ": " + status.ToString();
  if (status.IsCorruption()) return Status::DataLoss(std::move(message));
  return Status::Unavailable(std::move(message));
}

std::string_view View(const rocksdb::Slice& slice) {
  return {slice.data(), slice.size()};
}

rocksdb::ColumnFamilyOptions FamilyOptions(const std::shared_ptr<rocksdb::Cache>& cache,
                                           const std::string& name) {
  rocksdb::ColumnFamilyOptions options;
  options.compression = rocksdb::kZSTD;
  options.bottommost_compression = rocksdb::kZSTD;
  options.level_compaction_dynamic_level_bytes = true;
  options.write_buffer_size = 32ULL << 20;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  table.format_version = 5;
  table.block_size = 16 << 10;
  if (name == kRecordsFamily) {
    // Span blocks arrive compressed (span_block.h): compressing them again costs CPU and saves
    // nothing.
    options.compression = rocksdb::kNoCompression;
    options.bottommost_compression = rocksdb::kNoCompression;
  } else if (name == kTracesFamily) {
    // Looked up by bucket | trace id: a prefix bloom filter answers "not in this bucket".
    options.prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(kTraceKeyPrefixBytes));
    options.memtable_prefix_bloom_size_ratio = 0.05;
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    table.whole_key_filtering = false;
  }
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return options;
}

bool DirectoryIsEmpty(const fs::path& path) {
  std::error_code error;
  return fs::is_empty(path, error) && !error;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string joined;
  for (const auto& name : names) joined += (joined.empty() ? "" : ", ") + name;
  return joined;
}

// The buckets of a store are found by reading the meta family's 'B' entries.
Status ReadBuckets(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* meta, std::set<uint32_t>& out) {
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions(), meta));
  const std::string start(1, kMetaBucketTag);
  for (it->Seek(start); it->Valid() && it->key().starts_with(start); it->Next()) {
    uint32_t bucket = 0;
    if (!ParseMetaBucketKey(View(it->key()), bucket)) {
      return Status::DataLoss("local store: corrupt bucket entry in the meta family");
    }
    out.insert(bucket);
  }
  return FromRocks(it->status(), "reading the bucket list");
}

}  // namespace

LocalStore::LocalStore(LocalStoreOptions options)
    : options_(std::move(options)),
      dependencies_(options_.dependency_capacity),
      // Records are decoded in two halves at most, so one helper is all a read can use.
      decode_split_(std::min<size_t>(1, runtime::ForkJoin::HelpersForThisMachine())) {}

Status LocalStore::Open(LocalStoreOptions options, std::shared_ptr<LocalStore>& out) {
  std::shared_ptr<LocalStore> store(new LocalStore(std::move(options)));
  ARIADNE_RETURN_IF_ERROR(store->OpenDatabase());
  ARIADNE_RETURN_IF_ERROR(store->CheckOrWriteFormat());
  ARIADNE_RETURN_IF_ERROR(store->LoadState());
  store->StartBackgroundThread();
  out = std::move(store);
  return {};
}

LocalStore::~LocalStore() {
  {
    std::lock_guard lock(background_mutex_);
    stopping_ = true;
  }
  background_wake_.notify_all();
  if (background_.joinable()) background_.join();
  if (db_ != nullptr && !options_.read_only) {
    const Status flushed = Flush();
    if (!flushed.ok()) runtime::Logger("storage")->error("{}", flushed.message());
  }
  if (families_ != nullptr && db_ != nullptr) {
    for (auto* handle : families_->handles) db_->DestroyColumnFamilyHandle(handle);
  }
  db_.reset();
  if (!secondary_path_.empty()) {
    std::error_code ignored;
    fs::remove_all(secondary_path_, ignored);
  }
}

// ---------------------------------------------------------------------------------------------
// Opening

Status LocalStore::OpenDatabase() {
  const fs::path path(options_.path);
  const bool exists = fs::exists(path);
  const bool has_database = exists && fs::exists(path / "CURRENT");
  if (options_.read_only && !has_database) {
    return Status::InvalidArgument(PathSetting() +
                                   ": no store there to read; start the process that writes it "
                                   "(ariadne-collector) first, or point " +
                                   Flag("path") + " at its data");
  }
  if (exists && !has_database && !DirectoryIsEmpty(path)) {
    return Status::InvalidArgument(
        PathSetting() + ": the directory holds files that are not an Ariadne store; point " +
        Flag("path") + " at an empty or new directory (nothing was changed)");
  }
  if (has_database) {
    std::vector<std::string> names;
    ARIADNE_RETURN_IF_ERROR(
        FromRocks(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), options_.path, &names),
                  "reading " + options_.path));
    std::vector<std::string> sorted_names = names;
    std::vector<std::string> expected = FamilyNames();
    std::sort(sorted_names.begin(), sorted_names.end());
    std::sort(expected.begin(), expected.end());
    if (sorted_names != expected) {
      return Status::InvalidArgument(
          PathSetting() + ": a RocksDB database that Ariadne did not write (column families: " +
          JoinNames(names) + "); point " + Flag("path") + " at an empty or new directory");
    }
  }

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = !has_database;
  db_options.create_missing_column_families = !has_database;
  db_options.max_background_jobs = 2;
  db_options.bytes_per_sync = 1 << 20;
  db_options.wal_bytes_per_sync = 1 << 20;  // start writing the log out every MiB
  db_options.keep_log_file_num = 3;
  db_options.max_total_wal_size = 256ULL << 20;
  db_options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  db_options.write_buffer_manager =
      std::make_shared<rocksdb::WriteBufferManager>(options_.write_buffer_bytes);
  const std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(options_.cache_bytes);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : FamilyNames()) {
    descriptors.emplace_back(name, FamilyOptions(cache, name));
  }

  families_ = std::make_unique<Families>();
  rocksdb::DB* raw = nullptr;
  rocksdb::Status opened;
  if (options_.read_only) {
    db_options.max_open_files = -1;  // required of secondary instances
    std::string pattern = (fs::temp_directory_path() / "ariadne-local-reader-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      return Status::Unavailable("local store: cannot create a temporary directory in " +
                                 fs::temp_directory_path().string());
    }
    secondary_path_ = pattern;
    opened = rocksdb::DB::OpenAsSecondary(db_options, options_.path, secondary_path_, descriptors,
                                          &families_->handles, &raw);
  } else {
    opened = rocksdb::DB::Open(db_options, options_.path, descriptors, &families_->handles, &raw);
  }
  if (!opened.ok()) {
    if (opened.IsIOError() && opened.ToString().find("lock") != std::string::npos) {
      return Status::Unavailable(PathSetting() +
                                 ": another process has the store open for writing; a second "
                                 "process can read it with " +
                                 Flag("read-only") + "=true (" + opened.ToString() + ")");
    }
    return FromRocks(opened, "opening " + options_.path +
                                 " (nothing was deleted; if the store is damaged, move it aside "
                                 "and start with an empty directory)");
  }
  db_.reset(raw);
  families_->records = families_->handles[1];
  families_->traces = families_->handles[2];
  families_->search = families_->handles[3];
  families_->meta = families_->handles[4];
  families_->dependencies = families_->handles[5];
  return {};
}

Status LocalStore::CheckOrWriteFormat() {
  std::string value;
  const rocksdb::Status read =
      db_->Get(rocksdb::ReadOptions(), families_->meta,
               rocksdb::Slice(kFormatKey.data(), kFormatKey.size()), &value);
  if (read.IsNotFound()) {
    if (options_.read_only) {
      return Status::Unavailable(PathSetting() +
                                 ": the store is still being created by its writer; retry");
    }
    uint64_t records = 0;
    ARIADNE_RETURN_IF_ERROR(CountSpans(records));
    if (records != 0) {
      return Status::InvalidArgument(PathSetting() +
                                     ": the store has spans but no format record; it was not "
                                     "written by Ariadne or is damaged (nothing was changed)");
    }
    const uint64_t retention = static_cast<uint64_t>(options_.retention.count());
    bucket_seconds_ = options_.bucket_seconds != 0 ? options_.bucket_seconds
                      : retention == 0 || retention >= 12 * 3600
                          ? 3600
                          : static_cast<uint32_t>(std::max<uint64_t>(retention / 12, 1));
    const std::string format = EncodeFormatRecord({kFormatVersion, bucket_seconds_});
    rocksdb::WriteOptions sync;
    sync.sync = true;
    return FromRocks(db_->Put(sync, families_->meta,
                              rocksdb::Slice(kFormatKey.data(), kFormatKey.size()), format),
                     "writing the format record");
  }
  ARIADNE_RETURN_IF_ERROR(FromRocks(read, "reading the format record"));
  FormatRecord format;
  ARIADNE_RETURN_IF_ERROR(DecodeFormatRecord(value, format));
  if (format.version != kFormatVersion) {
    return Status::InvalidArgument(
        PathSetting() + ": the store has format version " + std::to_string(format.version) +
        " and this build of Ariadne reads version " + std::to_string(kFormatVersion) +
        (format.version > kFormatVersion ? "; run the newer Ariadne that wrote it"
                                         : "; it was written by an older Ariadne") +
        ", or point " + Flag("path") + " at another directory (nothing was changed)");
  }
  bucket_seconds_ = format.bucket_seconds;
  return {};
}

Status LocalStore::LoadState() {
  std::lock_guard lock(write_mutex_);
  known_buckets_.clear();
  ARIADNE_RETURN_IF_ERROR(ReadBuckets(*db_, families_->meta, known_buckets_));
  // The next record number follows the largest one in any bucket (the clock may have gone back
  // between runs, so the last bucket does not always hold it).
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), families_->records));
  for (uint32_t bucket : known_buckets_) {
    if (bucket == std::numeric_limits<uint32_t>::max()) {
      it->SeekToLast();
    } else {
      it->SeekForPrev(BucketKey(bucket + 1));
    }
    uint32_t found_bucket = 0;
    uint64_t seq = 0;
    if (it->Valid() && ParseRecordKey(View(it->key()), found_bucket, seq) &&
        found_bucket == bucket) {
      next_seq_ = std::max(next_seq_, seq + 1);
    }
  }
  // Dependency entries draw numbers from the same counter after the last record. The counter
  // grows far slower than the clock in nanoseconds, so starting at the clock keeps every number
  // new even then.
  next_seq_ = std::max(next_seq_, NowNanos());
  return FromRocks(it->status(), "reading the last record number");
}

void LocalStore::StartBackgroundThread() {
  background_ = std::thread([this] { BackgroundLoop(); });
}

// Primary: writes dependency counts of the seconds that have passed, and enforces retention every
// minute (or every bucket, when buckets are shorter). Read-only: catches up with the primary.
void LocalStore::BackgroundLoop() {
  const auto tick = options_.read_only ? options_.follow_interval : std::chrono::milliseconds(1000);
  const uint64_t retention_every = std::min<uint64_t>(60, bucket_seconds_);
  uint64_t last_retention_second = 0;
  std::unique_lock lock(background_mutex_);
  while (!background_wake_.wait_for(lock, tick, [this] { return stopping_; })) {
    lock.unlock();
    Status status;
    if (options_.read_only) {
      status = CatchUp();
    } else {
      PendingWrite write;
      const uint64_t now_second = NowNanos() / kNanosPerSecond;
      AddDependencyCounts(now_second, false, write);
      status = Commit(write);
      if (status.ok() && now_second >= last_retention_second + retention_every) {
        last_retention_second = now_second;
        status = EnforceRetention();
      }
    }
    if (!status.ok()) runtime::Logger("storage")->warn("{}", status.message());
    lock.lock();
  }
}

// ---------------------------------------------------------------------------------------------
// Writing

uint64_t LocalStore::NowNanos() const {
  if (options_.clock) return options_.clock();
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

uint32_t LocalStore::BucketOf(uint64_t unix_nanos) const {
  const uint64_t second = unix_nanos / kNanosPerSecond;
  return static_cast<uint32_t>(second - second % bucket_seconds_);
}

Status LocalStore::WriteBatch(const SpanBatch& batch) {
  if (options_.read_only) {
    return Status::Unimplemented("local store: opened with " + Flag("read-only") +
                                 "; it takes no writes");
  }
  if (batch.spans().empty()) return {};
  dependencies_.Observe(batch);
  const uint64_t now = NowNanos();
  PendingWrite write;
  ARIADNE_RETURN_IF_ERROR(AddWrites(batch, BucketOf(now), write));
  AddDependencyCounts(now / kNanosPerSecond, false, write);
  return Commit(write);
}

namespace {

// Trace ids in numeric order (spelled out: clang-tidy misreads the defaulted <=>).
bool TraceIdLess(const TraceId& a, const TraceId& b) {
  return a.high != b.high ? a.high < b.high : a.low < b.low;
}

// The spans of a batch in trace id order, in batch order within a trace, and where each trace's
// run of them starts (with spans.size() last).
struct ByTrace {
  std::vector<const Span*> spans;
  std::vector<size_t> starts;
  std::span<const Span* const> trace(size_t i) const {
    return std::span<const Span* const>(spans).subspan(starts[i], starts[i + 1] - starts[i]);
  }
  size_t traces() const { return starts.size() - 1; }
};

ByTrace GroupByTrace(const SpanBatch& batch) {
  ByTrace out;
  out.spans.reserve(batch.spans().size());
  for (const Span& span : batch.spans()) out.spans.push_back(&span);
  std::stable_sort(out.spans.begin(), out.spans.end(), [](const Span* a, const Span* b) {
    return TraceIdLess(a->trace_id, b->trace_id);
  });
  for (size_t i = 0; i < out.spans.size(); ++i) {
    if (i == 0 || out.spans[i]->trace_id != out.spans[i - 1]->trace_id) out.starts.push_back(i);
  }
  out.starts.push_back(out.spans.size());
  return out;
}

// A search entry holds spans that start within one aligned window of this width, so that an
// entry keyed by its newest start holds no span that starts more than the width before: a search
// for spans that start by T reads from the entries whose newest start is T plus the width.
constexpr uint64_t kSearchWindowNanos = kNanosPerSecond;

// One search entry per service and start window of a trace's spans in a record: the newest span
// start and the spans' summaries.
void AddSearchEntries(const SpanBatch& batch, std::span<const Span* const> group, uint32_t bucket,
                      uint64_t seq, rocksdb::WriteBatch& out, rocksdb::ColumnFamilyHandle* family) {
  std::map<std::pair<std::string_view, uint64_t>, std::vector<const Span*>> by_service;
  for (const Span* span : group) {
    by_service[{batch.resource_of(*span).ServiceName(),
                span->start_time_unix_nano / kSearchWindowNanos}]
        .push_back(span);
  }
  std::string value;
  for (const auto& [service_window, spans] : by_service) {
    uint64_t newest = 0;
    for (const Span* span : spans) newest = std::max(newest, span->start_time_unix_nano);
    value.clear();
    for (const Span* span : spans) AppendSpanSummary(*span, newest, value);
    out.Put(family, SearchKey(bucket, service_window.first, newest, group.front()->trace_id, seq),
            value);
  }
}

}  // namespace

Status LocalStore::AddWrites(const SpanBatch& batch, uint32_t bucket, PendingWrite& write) {
  const ByTrace by_trace = GroupByTrace(batch);
  // Whole traces, cut into blocks of about kBlockSpans spans.
  std::vector<size_t> cuts = {0};  // trace numbers where blocks start, then traces()
  for (size_t i = 1; i < by_trace.traces(); ++i) {
    if (by_trace.starts[i] - by_trace.starts[cuts.back()] >= kBlockSpans) cuts.push_back(i);
  }
  cuts.push_back(by_trace.traces());
  std::vector<std::string> blocks(cuts.size() - 1);
  for (size_t b = 0; b + 1 < cuts.size(); ++b) {
    const size_t first = by_trace.starts[cuts[b]];
    const size_t end = by_trace.starts[cuts[b + 1]];
    ARIADNE_RETURN_IF_ERROR(EncodeSpanBlock(
        batch, std::span<const Span* const>(by_trace.spans).subspan(first, end - first),
        blocks[b]));
  }
  // The batch's distinct (service, kind, operation) first: a key is built for each of those only.
  absl::flat_hash_set<std::tuple<std::string_view, tracecore::SpanKind, std::string_view>> seen;
  std::vector<std::string> operations;
  for (const Span& span : batch.spans()) {
    const std::string_view service = batch.resource_of(span).ServiceName();
    if (seen.emplace(service, span.kind, span.name).second) {
      operations.push_back(MetaOperationKey(bucket, service, span.kind, span.name));
    }
  }
  uint64_t first_seq = 0;
  {
    std::lock_guard lock(write_mutex_);
    first_seq = next_seq_;
    next_seq_ += blocks.size();
    if (known_buckets_.insert(bucket).second) {
      write.batch.Put(families_->meta, MetaBucketKey(bucket), "");
    }
    // Each bucket lists its own operations. Only hostile input names more than the bound:
    // forgetting them costs rewriting a few keys, not memory.
    if (bucket != operations_bucket_ || written_operations_.size() > kMaxRememberedOperations) {
      operations_bucket_ = bucket;
      written_operations_.clear();
    }
    for (const std::string& key : operations) {
      if (written_operations_.insert(key).second) write.batch.Put(families_->meta, key, "");
    }
  }
  for (size_t b = 0; b < blocks.size(); ++b) {
    const uint64_t seq = first_seq + b;
    write.batch.Put(families_->records, RecordKey(bucket, seq), blocks[b]);
    for (size_t i = cuts[b]; i < cuts[b + 1]; ++i) {
      const std::span<const Span* const> trace = by_trace.trace(i);
      write.batch.Put(families_->traces, TraceKey(bucket, trace.front()->trace_id, seq), "");
      AddSearchEntries(batch, trace, bucket, seq, write.batch, families_->search);
    }
  }
  return {};
}

void LocalStore::AddDependencyCounts(uint64_t now_second, bool everything, PendingWrite& write) {
  std::vector<DependencyTracker::Counted> counted;
  dependencies_.TakeCompleted(now_second, everything, counted);
  if (counted.empty()) return;
  // One entry per (granularity, time); several writes for one time get distinct numbers.
  std::map<std::pair<char, uint64_t>, std::string> values;
  for (const auto& count : counted) {
    AppendLinkCount(count.parent, count.child, count.count,
                    values[{count.granularity, count.time}]);
  }
  const uint32_t bucket = BucketOf(NowNanos());
  uint64_t seq = 0;
  {
    std::lock_guard lock(write_mutex_);
    seq = next_seq_;
    next_seq_ += values.size();
    if (known_buckets_.insert(bucket).second) {
      write.batch.Put(families_->meta, MetaBucketKey(bucket), "");
    }
  }
  for (const auto& [at, value] : values) {
    write.batch.Put(families_->dependencies, DependencyKey(bucket, at.first, at.second, seq++),
                    value);
  }
}

Status LocalStore::Commit(PendingWrite& write) {
  if (write.batch.Count() == 0) return {};
  rocksdb::WriteOptions options;
  options.sync = options_.sync_writes;
  return FromRocks(db_->Write(options, &write.batch), "writing spans");
}

Status LocalStore::Flush() {
  if (options_.read_only) return {};
  PendingWrite write;
  AddDependencyCounts(0, true, write);
  ARIADNE_RETURN_IF_ERROR(Commit(write));
  return FromRocks(db_->FlushWAL(/*sync=*/true), "syncing the write-ahead log");
}

// ---------------------------------------------------------------------------------------------
// Retention

Status LocalStore::EnforceRetention() {
  if (options_.read_only || options_.retention.count() == 0) return {};
  const uint64_t now_second = NowNanos() / kNanosPerSecond;
  const auto retention = static_cast<uint64_t>(options_.retention.count());
  if (now_second < retention) return {};
  const uint64_t cutoff = now_second - retention;  // arrivals before this may go
  uint32_t first_kept = 0;
  {
    std::lock_guard lock(write_mutex_);
    for (uint32_t bucket : known_buckets_) {
      first_kept = bucket;
      if (static_cast<uint64_t>(bucket) + bucket_seconds_ > cutoff) break;
      first_kept = bucket + bucket_seconds_;
    }
    if (known_buckets_.empty() || first_kept <= *known_buckets_.begin()) return {};
  }
  return DropBucketsBefore(first_kept);
}

Status LocalStore::DropBucketsBefore(uint32_t first_kept) {
  const std::string begin = BucketKey(0);
  const std::string end = BucketKey(first_kept);
  const rocksdb::Slice begin_slice(begin);
  const rocksdb::Slice end_slice(end);
  rocksdb::WriteOptions write_options;
  for (auto* family : families_->bucketed()) {
    // Whole files first (no rewriting), then what shares a file with newer buckets.
    ARIADNE_RETURN_IF_ERROR(
        FromRocks(rocksdb::DeleteFilesInRange(db_.get(), family, &begin_slice, &end_slice, false),
                  "dropping old buckets"));
    ARIADNE_RETURN_IF_ERROR(
        FromRocks(db_->DeleteRange(write_options, family, begin, end), "dropping old buckets"));
  }
  for (char tag : {kMetaBucketTag, kMetaOperationTag}) {
    const std::string meta_begin = std::string(1, tag) + begin;
    const std::string meta_end = std::string(1, tag) + end;
    ARIADNE_RETURN_IF_ERROR(
        FromRocks(db_->DeleteRange(write_options, families_->meta, meta_begin, meta_end),
                  "dropping old buckets"));
  }
  {
    std::lock_guard lock(write_mutex_);
    known_buckets_.erase(known_buckets_.begin(), known_buckets_.lower_bound(first_kept));
  }
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (auto* family : families_->bucketed()) {
    ARIADNE_RETURN_IF_ERROR(FromRocks(db_->CompactRange(compact, family, &begin_slice, &end_slice),
                                      "compacting dropped buckets"));
  }
  ARIADNE_RETURN_IF_ERROR(FromRocks(db_->CompactRange(compact, families_->meta, nullptr, nullptr),
                                    "compacting dropped buckets"));
  runtime::Logger("storage")->info("local store: dropped the buckets before {} (retention {}s)",
                                   first_kept, options_.retention.count());
  return {};
}

// ---------------------------------------------------------------------------------------------
// Reading

std::vector<uint32_t> LocalStore::LiveBuckets() {
  std::lock_guard lock(write_mutex_);
  return {known_buckets_.begin(), known_buckets_.end()};
}

Status LocalStore::CatchUp() {
  if (!options_.read_only) return {};
  ARIADNE_RETURN_IF_ERROR(FromRocks(db_->TryCatchUpWithPrimary(), "following the writer"));
  std::set<uint32_t> buckets;
  ARIADNE_RETURN_IF_ERROR(ReadBuckets(*db_, families_->meta, buckets));
  std::lock_guard lock(write_mutex_);
  known_buckets_ = std::move(buckets);
  return {};
}

Status LocalStore::GetTrace(const TraceId& id, uint32_t max_chunk_spans,
                            const SpanChunkConsumer& consume, bool& found) {
  std::vector<std::string> record_keys;
  rocksdb::ReadOptions read_options;
  read_options.prefix_same_as_start = true;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, families_->traces));
  for (uint32_t bucket : LiveBuckets()) {
    const std::string prefix = TraceKeyPrefix(bucket, id);
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      TraceKeyParts parts;
      if (!ParseTraceKey(View(it->key()), parts)) {
        return Status::DataLoss("local store: corrupt trace index entry");
      }
      record_keys.push_back(RecordKey(parts.bucket, parts.seq));
    }
  }
  ARIADNE_RETURN_IF_ERROR(FromRocks(it->status(), "reading the trace index"));
  found = false;
  if (record_keys.empty()) return {};
  return ReadRecords(id, record_keys, max_chunk_spans, [&](SpanBatch& chunk) {
    found = true;
    return consume(chunk);
  });
}

namespace {

// Decodes the spans of the listed traces from `records` into `batch`.
Status DecodeRecords(std::span<const std::string_view> records, std::span<const TraceId> traces,
                     SpanBatch& batch) {
  for (std::string_view record : records) {
    ARIADNE_RETURN_IF_ERROR(DecodeSpanBlockTraces(record, traces, batch));
  }
  return {};
}

// Hands the spans of one trace to `consume` in chunks of at most `max_spans`. Records are
// decoded as they are added, a group of them in two halves at once through `split` (each record
// means decompressing a whole block, so two are enough to make a second core worth it).
class ChunkWriter {
 public:
  ChunkWriter(const TraceId& trace, uint32_t max_spans, const SpanChunkConsumer& consume,
              runtime::ForkJoin& split)
      : trace_(trace),
        max_spans_(std::max<uint32_t>(max_spans, 1)),
        consume_(consume),
        split_(split) {}

  // Adds the trace's spans in `records`.
  Status Add(std::span<const std::string_view> records) {
    const std::span<const TraceId> traces(&trace_, 1);
    SpanBatch decoded;
    Status status;
    if (records.size() < 2) {
      status = DecodeRecords(records, traces, decoded);
    } else {
      const size_t half = records.size() / 2;
      SpanBatch second_half;
      Status second_status;
      split_.RunBoth(
          [&] { status = DecodeRecords(records.first(half), traces, decoded); },
          [&] { second_status = DecodeRecords(records.subspan(half), traces, second_half); });
      if (status.ok()) status = second_status;
      if (status.ok()) decoded.Append(std::move(second_half));
    }
    ARIADNE_RETURN_IF_ERROR(status);
    return Take(std::move(decoded));
  }

  // Hands out the last chunk.
  Status Finish() { return Emit(); }

 private:
  // Moves `decoded` into the chunk whole when it fits, else copies it span by span, handing out
  // each chunk as it fills.
  Status Take(SpanBatch&& decoded) {
    if (chunk_.spans().empty() && decoded.spans().size() <= max_spans_) {
      chunk_ = std::move(decoded);
      return {};
    }
    if (chunk_.spans().size() + decoded.spans().size() <= max_spans_) {
      chunk_.Append(std::move(decoded));
      return {};
    }
    auto copier = std::make_unique<tracecore::SpanCopier>(chunk_);
    for (const Span& span : decoded.spans()) {
      if (chunk_.spans().size() == max_spans_) {
        copier.reset();
        ARIADNE_RETURN_IF_ERROR(Emit());
        copier = std::make_unique<tracecore::SpanCopier>(chunk_);
      }
      copier->Copy(decoded, span);
    }
    return {};
  }

  Status Emit() {
    if (chunk_.spans().empty()) return {};
    Status consumed = consume_(chunk_);
    chunk_ = SpanBatch();
    return consumed;
  }

  const TraceId trace_;
  const uint32_t max_spans_;
  const SpanChunkConsumer& consume_;
  runtime::ForkJoin& split_;
  SpanBatch chunk_;
};

}  // namespace

Status LocalStore::ReadRecords(const TraceId& trace, const std::vector<std::string>& keys,
                               uint32_t max_chunk_spans, const SpanChunkConsumer& consume) {
  ChunkWriter chunks(trace, max_chunk_spans, consume, decode_split_);
  constexpr size_t kKeysPerRead = 16;
  std::vector<std::string_view> records;
  for (size_t first = 0; first < keys.size(); first += kKeysPerRead) {
    const size_t count = std::min(kKeysPerRead, keys.size() - first);
    std::vector<rocksdb::Slice> slices(keys.begin() + first, keys.begin() + first + count);
    std::vector<rocksdb::PinnableSlice> values(count);
    std::vector<rocksdb::Status> statuses(count);
    db_->MultiGet(rocksdb::ReadOptions(), families_->records, count, slices.data(), values.data(),
                  statuses.data());
    records.clear();
    for (size_t i = 0; i < count; ++i) {
      if (statuses[i].IsNotFound()) continue;  // dropped by retention since the index was read
      ARIADNE_RETURN_IF_ERROR(FromRocks(statuses[i], "reading a span record"));
      records.push_back(View(values[i]));
    }
    // Records are decoded in groups whose blocks hold at most two chunks' spans in all (at least
    // one record each), each group in two halves at once: small blocks (a trace's pieces) share
    // one handoff to the second core, and a consumer that stops early (a trace cut at the
    // query's span bound) has paid for about two chunks beyond what it took.
    const std::span<const std::string_view> all(records);
    for (size_t begin = 0; begin < all.size();) {
      uint64_t spans = 0;
      size_t end = begin;
      for (; end < all.size(); ++end) {
        uint64_t block_spans = 0;
        ARIADNE_RETURN_IF_ERROR(SpanBlockSpanCount(all[end], block_spans));
        if (end > begin && spans + block_spans > 2ULL * max_chunk_spans) break;
        spans += block_spans;
      }
      ARIADNE_RETURN_IF_ERROR(chunks.Add(all.subspan(begin, end - begin)));
      begin = end;
    }  // before `values` go
  }
  return chunks.Finish();
}

// Traces found so far by a search, with the start of their newest matching span.
class LocalStore::SearchResults {
 public:
  explicit SearchResults(uint32_t limit) : limit_(limit) {}

  void Add(const TraceId& trace, uint64_t start) {
    auto [it, inserted] = newest_.try_emplace(trace, start);
    if (!inserted) {
      it->second = std::max(it->second, start);
      return;
    }
    if (newest_.size() >= limit_) UpdateThreshold();
  }

  // True when an entry whose spans all start before `start` cannot change the answer.
  bool CannotImprove(uint64_t start) const {
    return newest_.size() >= limit_ && start < threshold_;
  }

  void TakeNewest(std::vector<TraceId>& out) const {
    std::vector<std::pair<uint64_t, TraceId>> sorted;
    sorted.reserve(newest_.size());
    for (const auto& [trace, start] : newest_) sorted.emplace_back(start, trace);
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : TraceIdLess(b.second, a.second);
    });
    const size_t count = std::min<size_t>(sorted.size(), limit_);
    for (size_t i = 0; i < count; ++i) out.push_back(sorted[i].second);
  }

 private:
  struct TraceIdHash {
    size_t operator()(const TraceId& id) const {
      return static_cast<size_t>(id.low ^ (id.high * 0x9E3779B97F4A7C15ULL));
    }
  };

  // The start of the limit-th newest trace: values only grow, so an older threshold is a safe
  // (lower) bound until it is recomputed.
  void UpdateThreshold() {
    std::vector<uint64_t> starts;
    starts.reserve(newest_.size());
    for (const auto& entry : newest_) starts.push_back(entry.second);
    std::nth_element(starts.begin(), starts.begin() + (limit_ - 1), starts.end(), std::greater<>());
    threshold_ = starts[limit_ - 1];
  }

  const uint32_t limit_;
  uint64_t threshold_ = 0;
  std::unordered_map<TraceId, uint64_t, TraceIdHash> newest_;
};

// Blocks a search has opened, newest use first, up to a bound on their decompressed bytes: a
// search walks back in time, and the blocks of the moment it is at hold many of its candidates.
class LocalStore::BlockCache {
 public:
  // The block at `key`, or null.
  SpanBlockReader* Find(const std::string& key) {
    const auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    entries_.splice(entries_.begin(), entries_, it->second);
    return it->second->second.get();
  }

  SpanBlockReader& Add(const std::string& key, std::unique_ptr<SpanBlockReader> reader) {
    bytes_ += reader->payload().size();
    entries_.emplace_front(key, std::move(reader));
    index_[key] = entries_.begin();
    while (bytes_ > kMaxBytes && entries_.size() > 1) {
      bytes_ -= entries_.back().second->payload().size();
      index_.erase(entries_.back().first);
      entries_.pop_back();
    }
    return *entries_.front().second;
  }

 private:
  static constexpr size_t kMaxBytes = 32 << 20;
  using Entries = std::list<std::pair<std::string, std::unique_ptr<SpanBlockReader>>>;
  Entries entries_;
  std::unordered_map<std::string, Entries::iterator> index_;
  size_t bytes_ = 0;
};

// A trace whose search summary matched, with the record to check its tags in.
struct LocalStore::TagCandidate {
  TraceId trace;
  std::string record;  // its key
};

namespace {

bool SummaryMatches(const SpanSummary& span, const TraceQuery& query) {
  if (!query.operation.empty() && span.name != query.operation) return false;
  if (query.span_kind && span.kind != *query.span_kind) return false;
  if (span.start < query.start_time_min) return false;
  if (query.start_time_max != 0 && span.start > query.start_time_max) return false;
  if (query.duration_min != 0 && span.duration < query.duration_min) return false;
  if (query.duration_max != 0 && span.duration > query.duration_max) return false;
  return true;
}

}  // namespace

Status LocalStore::FindTraceIds(const TraceQuery& query, std::vector<TraceId>& out) {
  if (query.limit == 0) return {};
  SearchResults results(query.limit);
  // Traces whose summaries match, waiting for their spans to be checked against the tags.
  std::vector<TagCandidate> candidates;
  constexpr size_t kCandidatesPerCheck = 32;
  BlockCache cache;
  std::vector<uint32_t> buckets = LiveBuckets();
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), families_->search));
  std::vector<SpanSummary> summaries;
  for (auto bucket = buckets.rbegin(); bucket != buckets.rend(); ++bucket) {
    const std::string prefix = SearchKeyPrefix(*bucket, query.service);
    std::string seek = prefix;
    // Entries newer than this hold no span that starts by start_time_max.
    const uint64_t newest_wanted =
        query.start_time_max == 0 ||
                query.start_time_max > std::numeric_limits<uint64_t>::max() - kSearchWindowNanos
            ? std::numeric_limits<uint64_t>::max()
            : query.start_time_max + kSearchWindowNanos;
    PutFixed64(std::numeric_limits<uint64_t>::max() - newest_wanted, seek);
    for (it->Seek(seek); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      SearchKeyParts key;
      if (!ParseSearchKey(View(it->key()), key)) {
        return Status::DataLoss("local store: corrupt search entry");
      }
      if (key.newest_start < query.start_time_min || results.CannotImprove(key.newest_start)) {
        break;
      }
      summaries.clear();
      ARIADNE_RETURN_IF_ERROR(DecodeSearchSummary(View(it->value()), key.newest_start, summaries));
      uint64_t newest_match = 0;
      bool matched = false;
      for (const SpanSummary& span : summaries) {
        if (!SummaryMatches(span, query)) continue;
        matched = true;
        newest_match = std::max(newest_match, span.start);
      }
      if (!matched) continue;
      if (query.tags.empty()) {
        results.Add(key.trace, newest_match);
        continue;
      }
      candidates.push_back({key.trace, RecordKey(key.bucket, key.seq)});
      if (candidates.size() == kCandidatesPerCheck) {
        ARIADNE_RETURN_IF_ERROR(CheckTags(query, candidates, cache, results));
      }
    }
    ARIADNE_RETURN_IF_ERROR(FromRocks(it->status(), "searching"));
    ARIADNE_RETURN_IF_ERROR(CheckTags(query, candidates, cache, results));
  }
  results.TakeNewest(out);
  return {};
}

// Tags need the spans themselves: each record is read and opened once for all the candidates it
// holds (and kept for the next candidates in `cache`).
Status LocalStore::CheckTags(const TraceQuery& query, std::vector<TagCandidate>& candidates,
                             BlockCache& cache, SearchResults& results) {
  if (candidates.empty()) return {};
  std::map<std::string, std::vector<TraceId>> by_record;
  for (const TagCandidate& candidate : candidates) {
    by_record[candidate.record].push_back(candidate.trace);
  }
  tracecore::jaeger::SpanView view;
  for (const auto& [record, traces] : by_record) {
    SpanBlockReader* block = cache.Find(record);
    if (block == nullptr) {
      rocksdb::PinnableSlice value;
      const rocksdb::Status read =
          db_->Get(rocksdb::ReadOptions(), families_->records, record, &value);
      if (read.IsNotFound()) continue;  // dropped by retention since the index was read
      ARIADNE_RETURN_IF_ERROR(FromRocks(read, "reading a span record"));
      auto opened = std::make_unique<SpanBlockReader>();
      ARIADNE_RETURN_IF_ERROR(opened->Open(View(value)));
      block = &cache.Add(record, std::move(opened));
    }
    // `decoded` points into the cached block, which outlives it.
    SpanBatch decoded;
    const std::span<const TraceId> wanted(traces);
    ARIADNE_RETURN_IF_ERROR(block->Read(&wanted, decoded));
    for (const Span& span : decoded.spans()) {
      if (SpanMatches(decoded, span, query, view)) {
        results.Add(span.trace_id, span.start_time_unix_nano);
      }
    }
  }
  candidates.clear();
  return {};
}

Status LocalStore::GetServices(std::vector<std::string>& out) {
  std::set<std::string, std::less<>> services;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), families_->meta));
  const std::string start(1, kMetaOperationTag);
  for (it->Seek(start); it->Valid() && it->key().starts_with(start); it->Next()) {
    OperationKeyParts parts;
    if (!ParseMetaOperationKey(View(it->key()), parts)) {
      return Status::DataLoss("local store: corrupt operation entry");
    }
    if (services.find(parts.service) == services.end()) services.emplace(parts.service);
  }
  ARIADNE_RETURN_IF_ERROR(FromRocks(it->status(), "listing services"));
  out.insert(out.end(), services.begin(), services.end());
  return {};
}

Status LocalStore::GetOperations(const std::string& service,
                                 std::optional<tracecore::SpanKind> span_kind,
                                 std::vector<Operation>& out) {
  std::set<Operation> operations;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), families_->meta));
  const std::string start(1, kMetaOperationTag);
  for (it->Seek(start); it->Valid() && it->key().starts_with(start); it->Next()) {
    OperationKeyParts parts;
    if (!ParseMetaOperationKey(View(it->key()), parts)) {
      return Status::DataLoss("local store: corrupt operation entry");
    }
    if (parts.service != service || (span_kind && parts.kind != *span_kind)) continue;
    operations.insert({std::string(parts.name), parts.kind});
  }
  ARIADNE_RETURN_IF_ERROR(FromRocks(it->status(), "listing operations"));
  out.insert(out.end(), operations.begin(), operations.end());
  return {};
}

Status LocalStore::GetDependencies(uint64_t end_time, uint64_t lookback,
                                   std::vector<DependencyLink>& out) {
  const uint64_t first_second = (end_time > lookback ? end_time - lookback : 0) / kNanosPerSecond;
  const uint64_t last_second = end_time / kNanosPerSecond;
  // Whole minutes inside the window come from the minute counts, the edges from the seconds.
  struct Range {
    char granularity;
    uint64_t from;
    uint64_t to;  // inclusive
  };
  std::vector<Range> ranges;
  const uint64_t first_minute = (first_second + 59) / 60;
  const uint64_t end_minute = (last_second + 1) / 60;  // minutes before this are whole
  if (first_minute < end_minute) {
    ranges.push_back({kMinuteGranularity, first_minute, end_minute - 1});
    if (first_second < first_minute * 60) {
      ranges.push_back({kSecondGranularity, first_second, first_minute * 60 - 1});
    }
    if (end_minute * 60 <= last_second) {
      ranges.push_back({kSecondGranularity, end_minute * 60, last_second});
    }
  } else {
    ranges.push_back({kSecondGranularity, first_second, last_second});
  }

  std::map<std::pair<std::string, std::string>, uint64_t> counts;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), families_->dependencies));
  std::vector<LinkCount> links;
  for (uint32_t bucket : LiveBuckets()) {
    for (const Range& range : ranges) {
      for (it->Seek(DependencyKey(bucket, range.granularity, range.from, 0)); it->Valid();
           it->Next()) {
        uint32_t key_bucket = 0;
        char granularity = 0;
        uint64_t time = 0;
        if (!ParseDependencyKey(View(it->key()), key_bucket, granularity, time)) {
          return Status::DataLoss("local store: corrupt dependency entry");
        }
        if (key_bucket != bucket || granularity != range.granularity || time > range.to) break;
        links.clear();
        ARIADNE_RETURN_IF_ERROR(DecodeDependencyCounts(View(it->value()), links));
        for (const LinkCount& link : links) counts[{link.parent, link.child}] += link.count;
      }
    }
  }
  ARIADNE_RETURN_IF_ERROR(FromRocks(it->status(), "reading dependencies"));
  for (const auto& [pair, count] : counts) out.push_back({pair.first, pair.second, count});
  return {};
}

// ---------------------------------------------------------------------------------------------
// Introspection

Status LocalStore::CountSpans(uint64_t& out) {
  out = 0;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), families_->records));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    uint64_t count = 0;
    ARIADNE_RETURN_IF_ERROR(SpanBlockSpanCount(View(it->value()), count));
    out += count;
  }
  return FromRocks(it->status(), "counting spans");
}

Status LocalStore::Settle() {
  if (options_.read_only) return {};
  ARIADNE_RETURN_IF_ERROR(Flush());
  ARIADNE_RETURN_IF_ERROR(
      FromRocks(db_->Flush(rocksdb::FlushOptions(), families_->handles), "flushing memtables"));
  const char* const kBusy[] = {"rocksdb.num-running-compactions", "rocksdb.num-running-flushes",
                               "rocksdb.compaction-pending", "rocksdb.mem-table-flush-pending"};
  for (;;) {
    uint64_t busy = 0;
    for (const char* property : kBusy) {
      uint64_t value = 0;
      if (db_->GetIntProperty(property, &value)) busy += value;
    }
    if (busy == 0) return {};
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

uint64_t LocalStore::TableBytes() {
  uint64_t total = 0;
  for (auto* family : families_->handles) {
    uint64_t bytes = 0;
    if (db_->GetIntProperty(family, "rocksdb.live-sst-files-size", &bytes)) total += bytes;
  }
  return total;
}

}  // namespace ariadne::storage::local
