// HttpRouter lookup (exact, prefix, 404, 405) and the request helpers, without sockets.
#include <catch2/catch.hpp>
#include <stdexcept>

#include "runtime/http_server.h"

namespace ariadne::runtime {
namespace {

namespace http = boost::beast::http;

// A handler that answers with `name`, so that a test sees which route ran.
HttpHandler Answer(std::string name) {
  return [name = std::move(name)](const HttpRequest&, HttpResponse& response) {
    response.body = name;
  };
}

struct Routed {
  std::string_view route;
  HttpResponse response;
};

Routed Route(const HttpRouter& router, http::verb method, std::string_view path) {
  HttpRequest request;
  request.method = method;
  request.path = path;
  Routed routed;
  routed.route = router.Dispatch(request, routed.response);
  return routed;
}

std::string HeaderOf(const HttpResponse& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return "";
}

HttpRouter SampleRouter() {
  HttpRouter router;
  router.Add(http::verb::get, "/api/services", Answer("services"));
  router.Add(http::verb::post, "/api/traces", Answer("post traces"));
  router.Add(http::verb::get, "/api/traces", Answer("get traces"));
  router.AddPrefix(http::verb::get, "/api/traces/", Answer("trace by id"));
  router.AddPrefix(http::verb::get, "/api/", Answer("api"));
  router.AddPrefix(http::verb::get, "/static/", Answer("static"));
  router.AddPrefix(http::verb::post, "/upload/", Answer("upload"));
  return router;
}

TEST_CASE("an exact path wins over every prefix") {
  const HttpRouter router = SampleRouter();
  const Routed get = Route(router, http::verb::get, "/api/traces");
  CHECK(get.response.status == 200);
  CHECK(get.response.body == "get traces");
  CHECK(get.route == "/api/traces");
  const Routed post = Route(router, http::verb::post, "/api/traces");
  CHECK(post.response.body == "post traces");
}

TEST_CASE("the longest matching prefix wins, whatever the order of registration") {
  const HttpRouter router = SampleRouter();
  const Routed by_id = Route(router, http::verb::get, "/api/traces/abc123");
  CHECK(by_id.response.body == "trace by id");
  CHECK(by_id.route == "/api/traces/");
  const Routed other = Route(router, http::verb::get, "/api/dependencies");
  CHECK(other.response.body == "api");
  CHECK(other.route == "/api/");
}

TEST_CASE("a path no route matches is 404 with the method and path") {
  const HttpRouter router = SampleRouter();
  const Routed missing = Route(router, http::verb::get, "/x");
  CHECK(missing.response.status == 404);
  CHECK(missing.response.content_type == "text/plain");
  CHECK(missing.response.body == "no route for GET /x");
  CHECK(missing.route == "other");
  // "/api" is neither the exact path "/api/services" nor under the prefix "/api/".
  CHECK(Route(router, http::verb::get, "/api").response.status == 404);
}

TEST_CASE("a known path asked with another method is 405 with an Allow header") {
  const HttpRouter router = SampleRouter();
  const Routed put = Route(router, http::verb::put, "/api/traces");
  CHECK(put.response.status == 405);
  CHECK(put.route == "other");
  // Allowed: what the exact route and the matching prefix "/api/" serve.
  CHECK(HeaderOf(put.response, "Allow") == "GET, POST");
  const Routed upload = Route(router, http::verb::get, "/upload/file");
  CHECK(upload.response.status == 405);
  CHECK(HeaderOf(upload.response, "Allow") == "POST");
  CHECK_THAT(upload.response.body, Catch::Contains("GET") && Catch::Contains("/upload/file"));
}

TEST_CASE("the most specific route decides: a shorter prefix does not take its other methods") {
  HttpRouter router;
  router.AddPrefix(http::verb::post, "/a/b/", Answer("post b"));
  router.AddPrefix(http::verb::get, "/a/", Answer("get a"));  // e.g. a UI's catch-all
  router.Add(http::verb::post, "/a/exact", Answer("post exact"));
  CHECK(Route(router, http::verb::post, "/a/b/c").response.body == "post b");
  CHECK(Route(router, http::verb::get, "/a/c").response.body == "get a");
  const Routed get_b = Route(router, http::verb::get, "/a/b/c");
  CHECK(get_b.response.status == 405);
  CHECK(get_b.response.body == "method GET is not allowed for /a/b/c; allowed: POST");
  CHECK(Route(router, http::verb::get, "/a/exact").response.status == 405);
}

TEST_CASE("HEAD is served by the GET handler unless a HEAD handler is registered") {
  HttpRouter router;
  router.Add(http::verb::get, "/x", Answer("get x"));
  router.AddPrefix(http::verb::get, "/p/", Answer("get p"));
  router.Add(http::verb::get, "/h", Answer("get h"));
  router.Add(http::verb::head, "/h", Answer("head h"));
  router.Add(http::verb::post, "/post-only", Answer("post"));
  CHECK(Route(router, http::verb::head, "/x").response.body == "get x");
  CHECK(Route(router, http::verb::head, "/p/q").response.body == "get p");
  CHECK(Route(router, http::verb::head, "/h").response.body == "head h");
  CHECK(Route(router, http::verb::head, "/post-only").response.status == 405);
}

TEST_CASE("registering the same method and path twice is a programming error") {
  HttpRouter router;
  router.Add(http::verb::get, "/x", Answer("1"));
  CHECK_THROWS_AS(router.Add(http::verb::get, "/x", Answer("2")), std::logic_error);
  router.AddPrefix(http::verb::get, "/p/", Answer("1"));
  CHECK_THROWS_AS(router.AddPrefix(http::verb::get, "/p/", Answer("2")), std::logic_error);
  router.Add(http::verb::post, "/x", Answer("3"));  // another method is fine
}

TEST_CASE("handler exceptions propagate out of Dispatch (the server turns them into 500)") {
  HttpRouter router;
  router.Add(http::verb::get, "/throw",
             [](const HttpRequest&, HttpResponse&) { throw std::runtime_error("boom"); });
  CHECK_THROWS_WITH(Route(router, http::verb::get, "/throw"), "boom");
}

TEST_CASE("ParseQuery decodes parameters in order") {
  using Parameters = std::vector<std::pair<std::string, std::string>>;
  CHECK(ParseQuery("a=1&a=2&b") == Parameters{{"a", "1"}, {"a", "2"}, {"b", ""}});
  CHECK(ParseQuery("") == Parameters{});
  CHECK(ParseQuery("service=my%20svc&tags=%7B%22error%22%3A%22true%22%7D") ==
        Parameters{{"service", "my svc"}, {"tags", "{\"error\":\"true\"}"}});
  CHECK(ParseQuery("q=a+b%2Bc") == Parameters{{"q", "a b+c"}});
  CHECK(ParseQuery("x=1&&y=&=z") == Parameters{{"x", "1"}, {"y", ""}, {"", "z"}});
  CHECK(ParseQuery("k%3D=v%3D1") == Parameters{{"k=", "v=1"}});
  // Malformed escapes stay as they are.
  CHECK(ParseQuery("p=100%&q=%zz&r=%4") == Parameters{{"p", "100%"}, {"q", "%zz"}, {"r", "%4"}});
  CHECK(ParseQuery("lower=%c3%a9") == Parameters{{"lower", "\xc3\xa9"}});
}

TEST_CASE("HttpRequest::Header is case-insensitive and empty when absent") {
  http::fields fields;
  fields.set("Content-Type", "application/json");
  HttpRequest request;
  CHECK(request.Header("content-type").empty());  // no headers at all
  request.headers = &fields;
  CHECK(request.Header("content-type") == "application/json");
  CHECK(request.Header("CONTENT-TYPE") == "application/json");
  CHECK(request.Header("X-Missing").empty());
}

}  // namespace
}  // namespace ariadne::runtime
