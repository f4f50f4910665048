#include "runtime/metrics.h"

#include <prometheus/text_serializer.h>

namespace ariadne::runtime {

std::string SerializeMetrics(const prometheus::Registry& registry) {
  const prometheus::TextSerializer serializer;
  return serializer.Serialize(registry.Collect());
}

const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const prometheus::Histogram::BucketBoundaries buckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return buckets;
}

}  // namespace ariadne::runtime
