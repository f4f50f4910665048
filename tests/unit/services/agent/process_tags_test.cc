#include "process_tags.h"

#include <catch2/catch.hpp>

namespace ariadne::agent {
namespace {

TEST_CASE("agent tags: plain values, ${NAME} and ${NAME:default} from the environment") {
  const std::map<std::string, std::string> environment = {{"NODE_NAME", "node-7"}, {"EMPTY", ""}};
  ProcessTags tags;
  REQUIRE(ParseProcessTags({"zone=eu-1", "node=${NODE_NAME}", "rack=${RACK:r1}", "pod=${POD_NAME}",
                            "empty=${EMPTY:fallback}", "url=a=b"},
                           environment, tags)
              .ok());
  REQUIRE(tags.size() == 6);
  CHECK((tags[0].key == "zone" && tags[0].value == "eu-1"));
  CHECK((tags[1].key == "node" && tags[1].value == "node-7"));
  CHECK((tags[2].key == "rack" && tags[2].value == "r1"));
  CHECK((tags[3].key == "pod" && tags[3].value.empty()));
  CHECK((tags[4].key == "empty" && tags[4].value == "fallback"));
  CHECK((tags[5].key == "url" && tags[5].value == "a=b"));
}

TEST_CASE("agent tags: an entry that is not key=value names the flag and the entry") {
  ProcessTags tags;
  auto status = ParseProcessTags({"novalue"}, {}, tags);
  REQUIRE_FALSE(status.ok());
  CHECK_THAT(status.message(), Catch::Contains("--agent.tags") && Catch::Contains("'novalue'"));
  status = ParseProcessTags({"=value"}, {}, tags);
  CHECK_FALSE(status.ok());
  status = ParseProcessTags({"node=${NODE_NAME"}, {}, tags);
  REQUIRE_FALSE(status.ok());
  CHECK_THAT(status.message(), Catch::Contains("not closed"));
}

TEST_CASE("agent tags are appended to every resource of a batch, after the client's own") {
  ProcessTags tags = {{"zone", "eu-1"}};
  tracecore::SpanBatch batch;
  for (int i = 0; i < 2; ++i) {
    const uint32_t resource = batch.AddResource();
    batch.resources()[resource].attributes.push_back(
        {.key = "service.name", .value = tracecore::AnyValue::String("svc")});
  }
  AddProcessTags(tags, batch);
  for (const tracecore::Resource& resource : batch.resources()) {
    REQUIRE(resource.attributes.size() == 2);
    CHECK(resource.attributes[0].key == "service.name");
    CHECK(resource.attributes[1].key == "zone");
    CHECK(resource.attributes[1].value.string_value() == "eu-1");
  }
}

}  // namespace
}  // namespace ariadne::agent
