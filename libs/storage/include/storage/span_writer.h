// SpanWriter: the write side of the storage plug point.
//
// The collector's workers hand every batch that passed validation to one SpanWriter. Backends live
// beside each other under libs/storage/<name>/ and are created by name through the registry
// (storage/factory.h).
#pragma once

#include <memory>

#include "tracecore/model.h"
#include "tracecore/status.h"

namespace ariadne::storage {

class SpanWriter {
 public:
  virtual ~SpanWriter() = default;

  // Stores every span of `batch`. Thread-safe: several workers call it at once. The batch is only
  // borrowed: a backend copies what it keeps. OK means the spans are stored with the backend's
  // documented durability; an error means none or only some were, and the caller counts them all
  // as failed (kResourceExhausted: the backend is overloaded, retrying later may work).
  virtual tracecore::Status WriteBatch(const tracecore::SpanBatch& batch) = 0;

  // The same for a batch the caller shares (and no longer changes): a backend that keeps spans in
  // memory may keep the batch itself instead of copying it. The collector writes through this
  // one. By default, WriteBatch(*batch).
  virtual tracecore::Status WriteSharedBatch(
      const std::shared_ptr<const tracecore::SpanBatch>& batch) {
    return WriteBatch(*batch);
  }

  // Blocks until everything accepted by WriteBatch is as durable as the backend promises.
  // Called at shutdown after the last WriteBatch returned.
  virtual tracecore::Status Flush() = 0;
};

}  // namespace ariadne::storage
