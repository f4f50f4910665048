#include "tracegen/request_pool.h"

#include <algorithm>
#include <utility>

namespace ariadne::tracegen {

uint64_t RequestGroup::PickSalt(Rng& rng) const {
  for (;;) {
    const uint64_t salt = rng.Next();
    if (!std::binary_search(ids_.begin(), ids_.end(), salt)) return salt;
  }
}

void RequestGroup::Stamp(size_t index, uint64_t salt, std::string& body, uint32_t& spans) {
  if (!templates_.empty()) {
    templates_[index].Stamp(salt, body);
    spans = templates_[index].spans();
    return;
  }
  if (salt != slices_salt_) {
    for (tracecore::SpanBatch& slice : slices_) XorIds(salt ^ slices_salt_, slice);
    slices_salt_ = salt;
  }
  body.clear();
  EncodeDatagram(protocol_, slices_[index], body);
  spans = static_cast<uint32_t>(slices_[index].spans().size());
}

RequestGroup RequestGroup::Build(Protocol protocol, tracecore::SpanBatch batch, size_t traces,
                                 uint64_t now_unix_nano) {
  RequestGroup group;
  group.protocol_ = protocol;
  group.traces_ = traces;
  group.spans_ = batch.spans().size();
  group.built_at_ = now_unix_nano;
  group.ids_ = CollectIds(batch);
  const IdForm form = InfoOf(protocol).id_form;
  if (form == IdForm::kVarint) {
    group.source_ = std::make_unique<tracecore::SpanBatch>(std::move(batch));
    group.slices_ = SliceForDatagrams(protocol, *group.source_);
    return group;
  }
  std::vector<EncodedRequest> requests;
  EncodeRequests(protocol, batch, requests);
  group.templates_.reserve(requests.size());
  for (EncodedRequest& request : requests) {
    group.templates_.push_back(
        RequestTemplate::Build(std::move(request.body), request.spans, group.ids_, form));
  }
  return group;
}

RequestPool::RequestPool(const ServiceGraph& graph, const GeneratorOptions& generator,
                         const PoolOptions& options)
    : options_(options),
      generator_(graph, generator),
      spans_per_group_(
          std::max<size_t>(1, options.batch_size) *
          (InfoOf(options.protocol).one_resource_per_request ? graph.services().size() : 1)) {}

RequestGroup RequestPool::BuildGroup(uint64_t now_unix_nano) {
  tracecore::SpanBatch batch;
  const size_t traces = generator_.GenerateSpans(spans_per_group_, now_unix_nano, batch);
  return RequestGroup::Build(options_.protocol, std::move(batch), traces, now_unix_nano);
}

RequestGroup& RequestPool::Next(uint64_t now_unix_nano) {
  const size_t capacity = std::max<size_t>(1, options_.groups);
  if (groups_.size() < capacity) {
    groups_.push_back(BuildGroup(now_unix_nano));
    return groups_.back();
  }
  RequestGroup& group = groups_[next_];
  next_ = (next_ + 1) % capacity;
  const auto age = static_cast<uint64_t>(options_.max_age.count());
  if (now_unix_nano > group.built_at_unix_nano() + age) group = BuildGroup(now_unix_nano);
  return group;
}

RequestGroup RequestPool::BuildExact(size_t traces, uint64_t now_unix_nano) {
  tracecore::SpanBatch batch;
  generator_.Generate(traces, now_unix_nano, batch);
  return RequestGroup::Build(options_.protocol, std::move(batch), traces, now_unix_nano);
}

}  // namespace ariadne::tracegen
