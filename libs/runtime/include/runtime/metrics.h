// Metrics: one prometheus-cpp registry per process, exposed in Prometheus text format on the
// admin port. Names follow Jaeger's (reference §7.1): jaeger_<component>_<name>, counters end in
// _total, durations are histograms in seconds.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>
#include <vector>

namespace ariadne::runtime {

// The Prometheus text exposition (format 0.0.4) of everything in `registry`.
std::string SerializeMetrics(const prometheus::Registry& registry);

// Latency buckets in seconds, from 0.5 ms to 10 s.
const prometheus::Histogram::BucketBoundaries& LatencyBuckets();

}  // namespace ariadne::runtime
