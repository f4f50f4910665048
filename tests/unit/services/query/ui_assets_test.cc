// The web UI of ariadne-query (services/query/src/ui_assets.h, reference §4.6): the embedded
// index.html with the seed's UI config injected, base paths "" and "/jaeger", the SPA fallback,
// the API's 404 under the base path, content types, caching and ETags, --query.static-files with
// path traversal attempts, bad UI configurations, and script-safe injection.
#include "ui_assets.h"

#include <rapidjson/document.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "runtime/http_client.h"
#include "runtime/http_server.h"

namespace ariadne::testing {
namespace {

namespace fs = std::filesystem;
namespace http = boost::beast::http;
using query::UiAssets;
using query::UiOptions;

const std::string kSeedUiConfig =
    std::string(ARIADNE_SOURCE_DIR) + "/tests/unit/services/query/seed_ui_config.json";

// A directory of its own under the system's temporary directory, removed with its contents.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "ariadne-ui-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const fs::path& path() const { return path_; }

  // Writes `content` to `relative` (folders created); returns the full path.
  std::string Write(const std::string& relative, const std::string& content) const {
    const fs::path file = path_ / relative;
    fs::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary);
    out << content;
    REQUIRE(out.good());
    return file.string();
  }

 private:
  fs::path path_;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

UiOptions MakeOptions(std::string base_path, std::string static_files = "",
                      std::string ui_config_file = "", bool archive_enabled = false) {
  UiOptions options;
  options.base_path = std::move(base_path);
  options.static_files = std::move(static_files);
  options.ui_config_file = std::move(ui_config_file);
  options.archive_enabled = archive_enabled;
  return options;
}

std::shared_ptr<const UiAssets> Load(const UiOptions& options) {
  std::shared_ptr<const UiAssets> assets;
  const tracecore::Status loaded = query::LoadUi(options, assets);
  INFO(loaded.message());
  REQUIRE(loaded.ok());
  REQUIRE(assets != nullptr);
  return assets;
}

// The message of a LoadUi that must fail.
std::string LoadError(const UiOptions& options) {
  std::shared_ptr<const UiAssets> assets;
  const tracecore::Status loaded = query::LoadUi(options, assets);
  REQUIRE_FALSE(loaded.ok());
  CHECK(assets == nullptr);
  return loaded.message();
}

// One answer of a router, with its headers by name.
struct Answer {
  unsigned status = 0;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  std::string Header(const std::string& name) const {
    for (const auto& [key, value] : headers) {
      if (key == name) return value;
    }
    return {};
  }
};

// A router with the UI routes and stand-ins for two API routes (an exact one and a prefix).
class UiRouter {
 public:
  explicit UiRouter(const std::shared_ptr<const UiAssets>& assets) {
    const std::string& base = assets->base_path();
    const auto api = [](const runtime::HttpRequest&, runtime::HttpResponse& response) {
      response.content_type = "application/json";
      response.body = "api";
    };
    router_.Add(http::verb::get, base + "/api/services", api);
    router_.AddPrefix(http::verb::get, base + "/api/traces/", api);
    query::AddUiRoutes(assets, router_);
  }

  Answer Send(http::verb method, const std::string& path,
              const std::vector<std::pair<std::string, std::string>>& headers = {}) const {
    http::fields fields;
    for (const auto& [name, value] : headers) fields.insert(name, value);
    runtime::HttpRequest request;
    request.method = method;
    request.path = path;
    request.headers = &fields;
    runtime::HttpResponse response;
    router_.Dispatch(request, response);
    return {response.status, response.content_type, response.body, response.headers};
  }
  Answer Get(const std::string& path,
             const std::vector<std::pair<std::string, std::string>>& headers = {}) const {
    return Send(http::verb::get, path, headers);
  }

 private:
  runtime::HttpRouter router_;
};

// The value assigned by "<name> = <value>;" in `page`, up to the end of its line.
std::string Assigned(const std::string& page, const std::string& name) {
  const std::string start = name + " = ";
  const size_t at = page.find(start);
  INFO(name);
  REQUIRE(at != std::string::npos);
  const size_t value = at + start.size();
  const size_t end = page.find(";\n", value);
  REQUIRE(end != std::string::npos);
  return page.substr(value, end - value);
}

rapidjson::Document ParseJson(const std::string& text) {
  rapidjson::Document document;
  document.Parse(text.data(), text.size());
  INFO(text);
  REQUIRE_FALSE(document.HasParseError());
  return document;
}

// The string `value` holds; "<not a string>" when it holds none.
std::string Text(const rapidjson::Value& value) {
  if (!value.IsString()) return "<not a string>";
  return {value.GetString(), value.GetStringLength()};
}

void CheckIndex(const Answer& answer, const std::shared_ptr<const UiAssets>& assets) {
  CHECK(answer.status == 200);
  CHECK(answer.content_type == "text/html; charset=utf-8");
  CHECK(answer.Header("Cache-Control") == "no-cache");
  CHECK_FALSE(answer.Header("ETag").empty());
  CHECK(answer.body == assets->index_html());
}

// The exact 404 body of an unknown API route (reference §4.2).
std::string ApiNotFound(const std::string& method, const std::string& path) {
  return R"({"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":404,"msg":"no API )"
         R"(route for )" +
         method + " " + path + "\"}]}\n";
}

TEST_CASE("the build embeds web/ byte for byte") {
  bool has_index = false;
  for (const query::EmbeddedFile& file : query::EmbeddedUiFiles()) {
    INFO(file.path);
    CHECK(file.bytes ==
          ReadFile(std::string(ARIADNE_SOURCE_DIR) + "/web/" + std::string(file.path)));
    has_index = has_index || file.path == "index.html";
  }
  CHECK(has_index);
}

TEST_CASE("every embedded file is served with its type and cache policy") {
  const auto assets = Load(MakeOptions("/jaeger"));
  const UiRouter router(assets);
  for (const query::EmbeddedFile& file : query::EmbeddedUiFiles()) {
    const std::string path(file.path);
    INFO(path);
    const Answer answer = router.Get("/jaeger/" + path);
    CHECK(answer.status == 200);
    if (path == "index.html") {
      CheckIndex(answer, assets);
      continue;
    }
    CHECK(answer.body == file.bytes);
    const std::string_view type = query::ContentTypeFor(path);
    CHECK(answer.content_type == (type.empty() ? "application/octet-stream" : type));
    // No build step names files by their content, so every file is revalidated (ETag → 304).
    CHECK(answer.Header("Cache-Control") == "no-cache");
  }
}

TEST_CASE("the embedded index.html gets the seed's UI config, capabilities, version, base href") {
  const auto assets = Load(MakeOptions("/jaeger", "", kSeedUiConfig, true));
  const std::string& page = assets->index_html();

  const rapidjson::Document config = ParseJson(Assigned(page, "JAEGER_CONFIG"));
  REQUIRE(config.IsObject());
  CHECK(Text(config["menu"][0u]["label"]) == "MCP System");
  CHECK(Text(config["menu"][0u]["items"][1u]["url"]) == "/jaeger/architecture");
  CHECK(config["dependencies"]["dagMaxNumServices"].GetInt() == 200);
  CHECK(Text(config["dependencies"]["defaultLookback"]) == "1h");
  CHECK(config["archiveEnabled"].IsTrue());
  // Never third-party tracking.
  CHECK_FALSE(config.HasMember("tracking"));
  CHECK(page.find("UA-00000000-0") == std::string::npos);
  CHECK(page.find("gaID") == std::string::npos);

  CHECK(Assigned(page, "JAEGER_STORAGE_CAPABILITIES") == R"({"archiveStorage":true})");
  const rapidjson::Document version = ParseJson(Assigned(page, "JAEGER_VERSION"));
  CHECK(version["gitVersion"].IsString());
  CHECK(version["gitVersion"].GetStringLength() > 0);
  CHECK(version["gitCommit"].IsString());
  CHECK(version["buildDate"].IsString());
  CHECK(page.find("<base href=\"/jaeger/\"") != std::string::npos);
  CHECK(page.find("<base href=\"/\"") == std::string::npos);
  // The .js placeholder stays for the UI: only a .js configuration replaces it.
  CHECK(page.find("// JAEGER_CONFIG_JS") != std::string::npos);
  // Says what it is and links to the API under the base path (through <base href>).
  CHECK(page.find("Ariadne") != std::string::npos);
  CHECK(page.find("href=\"api/services\"") != std::string::npos);
}

TEST_CASE("without a UI config the index keeps the defaults, base path \"\" keeps <base href=/>") {
  const auto assets = Load(MakeOptions(""));
  const std::string& page = assets->index_html();
  CHECK(page.find("const JAEGER_CONFIG = DEFAULT_CONFIG;") != std::string::npos);
  CHECK(Assigned(page, "JAEGER_STORAGE_CAPABILITIES") == R"({"archiveStorage":false})");
  CHECK(page.find("<base href=\"/\"") != std::string::npos);
  CHECK(page.find("DEFAULT_VERSION;") == std::string::npos);
}

TEST_CASE("routes under base path /jaeger") {
  const auto assets = Load(MakeOptions("/jaeger"));
  const UiRouter router(assets);

  SECTION("the UI's own paths answer index.html") {
    for (const std::string path :
         {"/jaeger", "/jaeger/", "/jaeger/search", "/jaeger/trace/abc", "/jaeger/trace/abc...def",
          "/jaeger/dependencies", "/jaeger/index.html", "/jaeger/search/", "/jaeger/static"}) {
      INFO(path);
      CheckIndex(router.Get(path), assets);
    }
  }
  SECTION("unknown API paths answer 404 in Jaeger's envelope; known ones reach the API") {
    for (const std::string path :
         {"/jaeger/api/nope", "/jaeger/api", "/jaeger/api/", "/jaeger/api/services/x"}) {
      INFO(path);
      const Answer answer = router.Get(path);
      CHECK(answer.status == 404);
      CHECK(answer.content_type == "text/plain; charset=utf-8");
      CHECK(answer.body == ApiNotFound("GET", path));
    }
    CHECK(router.Get("/jaeger/api/services").body == "api");
    CHECK(router.Get("/jaeger/api/traces/abc").body == "api");
  }
  SECTION("/ redirects to the UI; paths outside the base path are not the UI's") {
    const Answer root = router.Get("/");
    CHECK(root.status == 302);
    CHECK(root.Header("Location") == "/jaeger/");
    CHECK(router.Get("/search").status == 404);
    CHECK(router.Get("/jaegerx").status == 404);
    CHECK(router.Get("/api/services").status == 404);
  }
  SECTION("missing files are 404, not the page") {
    for (const std::string path : {"/jaeger/static/no-such-file.js", "/jaeger/no-such-file.css",
                                   "/jaeger/no-such-icon.ico", "/jaeger/static/no-such-file"}) {
      INFO(path);
      const Answer answer = router.Get(path);
      CHECK(answer.status == 404);
      CHECK(answer.body == "no UI file " + path + "\n");
    }
  }
  SECTION("HEAD answers as GET (the server sends no body); other methods are 405") {
    const Answer head = router.Send(http::verb::head, "/jaeger/search");
    CHECK(head.status == 200);
    CHECK(head.content_type == "text/html; charset=utf-8");
    CHECK(router.Send(http::verb::head, "/jaeger/api/nope").status == 404);
    const Answer post = router.Send(http::verb::post, "/jaeger/search");
    CHECK(post.status == 405);
    CHECK(post.Header("Allow") == "GET, HEAD");
  }
}

TEST_CASE("routes under base path \"\"") {
  const auto assets = Load(MakeOptions(""));
  const UiRouter router(assets);
  for (const std::string path : {"/", "/search", "/trace/abc", "/index.html"}) {
    INFO(path);
    CheckIndex(router.Get(path), assets);
  }
  CHECK(router.Get("/api/nope").body == ApiNotFound("GET", "/api/nope"));
  CHECK(router.Get("/api").status == 404);
  CHECK(router.Get("/api/services").body == "api");
  CHECK(router.Get("/static/no-such-file.js").status == 404);
}

TEST_CASE("ETag and If-None-Match") {
  const auto assets = Load(MakeOptions("/jaeger"));
  const UiRouter router(assets);
  const Answer first = router.Get("/jaeger/search");
  const std::string etag = first.Header("ETag");
  REQUIRE(etag.size() > 2);
  CHECK(etag.front() == '"');
  CHECK(etag.back() == '"');
  CHECK(router.Get("/jaeger/").Header("ETag") == etag);

  for (const std::string& header : {etag, "W/" + etag, "\"other\", " + etag, std::string("*")}) {
    INFO(header);
    const Answer again = router.Get("/jaeger/trace/1", {{"If-None-Match", header}});
    CHECK(again.status == 304);
    CHECK(again.body.empty());
    CHECK(again.Header("ETag") == etag);
    CHECK(again.Header("Cache-Control") == "no-cache");
  }
  for (const std::string& header : {std::string("\"other\""), std::string("garbage"),
                                    std::string("\""), etag.substr(0, etag.size() - 1)}) {
    INFO(header);
    CHECK(router.Get("/jaeger/search", {{"If-None-Match", header}}).status == 200);
  }
}

// A static-files directory with one file of every type, beside a file it must not reach.
struct StaticSite {
  StaticSite() {
    root = dir.path() / "site";
    dir.Write("outside/secret.js", "secret");
    dir.Write("site/index.html",
              "<html><head><base href=\"/\" /><script>\n"
              "// JAEGER_CONFIG_JS\n"
              "// dropped with the line above\n"
              "var c = JAEGER_CONFIG   =   DEFAULT_CONFIG;\n"
              "var s = JAEGER_STORAGE_CAPABILITIES=DEFAULT_STORAGE_CAPABILITIES;\n"
              "var v = JAEGER_VERSION = DEFAULT_VERSION;\n"
              "</script></head></html>\n");
    for (const auto& [file, content] : kFiles) dir.Write("site/" + file, content);
    dir.Write("site/.env", "hidden");
    dir.Write("site/sub/.hidden.js", "hidden");
    fs::create_symlink(dir.path() / "outside/secret.js", root / "static/link.js");
    fs::create_symlink("../../outside", root / "static/outdir");
    fs::create_symlink("app.js", root / "static/alias.js");
    REQUIRE(::mkfifo((root / "static/pipe.js").c_str(), 0600) == 0);
  }

  UiOptions Options(const std::string& config = "") const {
    return MakeOptions("/jaeger", root.string(), config);
  }

  TempDir dir;
  fs::path root;
  const std::vector<std::pair<std::string, std::string>> kFiles = {
      {"static/app.js", "export const a = 1;\n"},
      {"static/app.mjs", "export const b = 2;\n"},
      {"static/style.css", "body{}"},
      {"static/logo.svg", "<svg/>"},
      {"static/img.png", std::string("\x89PNG\r\n\x1a\n\0\0", 10)},
      {"favicon.ico", std::string("\0\0\1\0", 4)},
      {"static/data.json", "{}"},
      {"static/font.woff2", "wOF2"},
      {"static/app.js.map", "{\"version\":3}"},
      {"static/readme.weird", "?"},
  };
};

TEST_CASE("a static-files directory serves each file with its type, read when requested") {
  StaticSite site;
  const auto assets = Load(site.Options());
  const UiRouter router(assets);
  const std::vector<std::pair<std::string, std::string>> types = {
      {"static/app.js", "text/javascript; charset=utf-8"},
      {"static/app.mjs", "text/javascript; charset=utf-8"},
      {"static/style.css", "text/css; charset=utf-8"},
      {"static/logo.svg", "image/svg+xml"},
      {"static/img.png", "image/png"},
      {"favicon.ico", "image/x-icon"},
      {"static/data.json", "application/json"},
      {"static/font.woff2", "font/woff2"},
      {"static/app.js.map", "application/json"},
      {"static/readme.weird", "application/octet-stream"},
  };
  for (size_t i = 0; i < types.size(); ++i) {
    INFO(types[i].first);
    const Answer answer = router.Get("/jaeger/" + types[i].first);
    CHECK(answer.status == 200);
    CHECK(answer.content_type == types[i].second);
    CHECK(answer.body == site.kFiles[i].second);
    // Files being developed are revalidated every time.
    CHECK(answer.Header("Cache-Control") == "no-cache");
    CHECK(answer.Header("X-Content-Type-Options") == "nosniff");
  }
  // A symlink that stays inside the directory is served.
  CHECK(router.Get("/jaeger/static/alias.js").body == "export const a = 1;\n");
  // A percent-encoded name is decoded once.
  CHECK(router.Get("/jaeger/static/%61pp.js").body == "export const a = 1;\n");

  SECTION("an edited file is served new, with a new ETag") {
    const Answer before = router.Get("/jaeger/static/app.js");
    CHECK(router.Get("/jaeger/static/app.js", {{"If-None-Match", before.Header("ETag")}}).status ==
          304);
    site.dir.Write("site/static/app.js", "export const a = 2;\n");
    const Answer after =
        router.Get("/jaeger/static/app.js", {{"If-None-Match", before.Header("ETag")}});
    CHECK(after.status == 200);
    CHECK(after.body == "export const a = 2;\n");
    CHECK(after.Header("ETag") != before.Header("ETag"));
  }
  SECTION("index.html is processed at start-up") {
    const std::string& page = assets->index_html();
    CHECK(page.find("<base href=\"/jaeger/\" />") != std::string::npos);
    CHECK(page.find("var s = JAEGER_STORAGE_CAPABILITIES = {\"archiveStorage\":false};") !=
          std::string::npos);
    CHECK(page.find("var v = JAEGER_VERSION = {\"gitCommit\":\"\",\"gitVersion\":\"") !=
          std::string::npos);
    CheckIndex(router.Get("/jaeger/index.html"), assets);
    CheckIndex(router.Get("/jaeger/trace/abc"), assets);
  }
}

TEST_CASE("a static-files directory never serves what is outside it") {
  StaticSite site;
  const UiRouter router(Load(site.Options()));

  SECTION("traversal, encoded or not, NUL, backslashes and absolute paths are 400") {
    const std::vector<std::string> paths = {
        "/jaeger/../outside/secret.js",
        "/jaeger/static/../../outside/secret.js",
        "/jaeger/static/%2e%2e/%2e%2e/outside/secret.js",
        "/jaeger/%2e%2e%2foutside%2fsecret.js",
        "/jaeger/static/..%2f..%2foutside%2fsecret.js",
        "/jaeger/static/%2E%2E%5Csecret.js",
        "/jaeger/static/..%5c..%5coutside%5csecret.js",
        "/jaeger/static\\..\\secret.js",
        "/jaeger/static/app.js%00.png",
        "/jaeger/%2f" + site.dir.path().string() + "/outside/secret.js",
        "/jaeger//etc/passwd",
        "/jaeger/static/./app.js",
        "/jaeger/static/%zz.js",
        "/jaeger/static/%2",
    };
    for (const std::string& path : paths) {
      INFO(path);
      const Answer answer = router.Get(path);
      CHECK(answer.status == 400);
      CHECK(answer.body.starts_with("invalid UI path "));
      CHECK(answer.body.find("secret\n") == std::string::npos);
    }
  }
  SECTION("symlinks out of the directory, hidden files, FIFOs are not served") {
    for (const std::string path : {"/jaeger/static/link.js", "/jaeger/static/outdir/secret.js",
                                   "/jaeger/sub/.hidden.js", "/jaeger/static/pipe.js"}) {
      INFO(path);
      const Answer answer = router.Get(path);
      CHECK(answer.status == 404);
      CHECK(answer.body == "no UI file " + path + "\n");
    }
    // A hidden name without a file type is a UI route: the page, never the file.
    const Answer env = router.Get("/jaeger/.env");
    CHECK(env.status == 200);
    CHECK(env.body.find("hidden") == std::string::npos);
  }
}

TEST_CASE("a .js UI config replaces the JAEGER_CONFIG_JS line and the line after it") {
  StaticSite site;
  const std::string js =
      "  function UIConfig () {\n"
      "  return { menu: [{ label: '</script><script>alert(1)</SCRIPT>', url: 'x' }] };\n"
      "}\n\n";
  const std::string file = site.dir.Write("ui-config.js", js);
  const std::string page = Load(site.Options(file))->index_html();
  CHECK(page.find("<script>\nfunction UIConfig () {\n  return { menu: [{ label: "
                  "'<\\/script><script>alert(1)<\\/SCRIPT>', url: 'x' }] };\n}\nvar c = ") !=
        std::string::npos);
  CHECK(page.find("dropped with the line above") == std::string::npos);
  CHECK(page.find("JAEGER_CONFIG_JS") == std::string::npos);
  // The JSON placeholder stays: the UI prefers UIConfig().
  CHECK(page.find("var c = JAEGER_CONFIG   =   DEFAULT_CONFIG;") != std::string::npos);

  site.dir.Write("other.js", "var config = {};");
  CHECK(LoadError(site.Options((site.dir.path() / "other.js").string())) ==
        "--query.ui-config: " + (site.dir.path() / "other.js").string() +
            " must define function UIConfig() { return {...}; }");
}

TEST_CASE("JSON config values cannot close the script they are injected into") {
  StaticSite site;
  const std::string label = "</script><script>alert(1)</script><!-- & \xE2\x80\xA8\xE2\x80\xA9 >";
  const std::string file = site.dir.Write(
      "ui.json", "{\"menu\":[{\"label\":\"" + label + "\",\"url\":\"/a?b=1&c=2\"}]}");
  const std::string page = Load(site.Options(file))->index_html();
  const std::string injected = Assigned(page, "var c = JAEGER_CONFIG");
  CHECK(injected.find('<') == std::string::npos);
  CHECK(injected.find('>') == std::string::npos);
  CHECK(injected.find('&') == std::string::npos);
  CHECK(injected.find("\xE2\x80\xA8") == std::string::npos);
  CHECK(injected.find("\xE2\x80\xA9") == std::string::npos);
  CHECK(injected.find("\\u003c/script\\u003e") != std::string::npos);
  CHECK(injected.find("\\u2028\\u2029") != std::string::npos);
  // The same values once parsed.
  const rapidjson::Document config = ParseJson(injected);
  CHECK(Text(config["menu"][0u]["label"]) == label);
  CHECK(Text(config["menu"][0u]["url"]) == "/a?b=1&c=2");
}

TEST_CASE("bad UI configurations stop start-up with a message naming the flag") {
  TempDir dir;
  const auto error_for = [&](const std::string& name, const std::string& content) {
    const std::string file = dir.Write(name, content);
    return LoadError(MakeOptions("", "", file));
  };
  const std::string prefix = "--query.ui-config: " + (dir.path() / "").string();

  SECTION("not JSON: the parse error and its position") {
    // The seed shows its file under a "// ui-config.json" heading; JSON has no comments.
    CHECK(error_for("seed.json", "// ui-config.json\n{}") ==
          prefix +
              "seed.json is not valid JSON: Invalid value. (line 1, column 1); JSON has "
              "no comments");
    CHECK(error_for("late.json", "{\n  \"a\": 1,\n  \"b\": }\n") ==
          prefix + "late.json is not valid JSON: Invalid value. (line 3, column 8)");
    CHECK(error_for("two.json", "{} {}") ==
          prefix +
              "two.json is not valid JSON: The document root must not be followed by "
              "other values. (line 1, column 4)");
    CHECK(error_for("empty.json", "") ==
          prefix + "empty.json is not valid JSON: The document is empty. (line 1, column 1)");
    CHECK(error_for("utf8.json", "{\"a\":\"\xFF\"}") ==
          prefix + "utf8.json is not valid JSON: Invalid encoding in string. (line 1, column 7)");
  }
  SECTION("JSON that is not an object") {
    CHECK(error_for("array.json", "[{\"menu\":[]}]") ==
          prefix + "array.json must hold a JSON object ({...}), not an array");
    CHECK(error_for("string.json", "\"x\"") ==
          prefix + "string.json must hold a JSON object ({...}), not a string");
  }
  SECTION("a missing file, a folder") {
    CHECK(LoadError(MakeOptions("", "", (dir.path() / "missing.json").string())) ==
          prefix + "missing.json cannot be read: No such file or directory");
    fs::create_directories(dir.path() / "folder.json");
    CHECK(LoadError(MakeOptions("", "", (dir.path() / "folder.json").string())) ==
          prefix + "folder.json cannot be read: not a regular file");
  }
  SECTION("an unknown extension says which are accepted") {
    for (const std::string name : {"ui-config.yaml", "ui-config", "ui.json.bak"}) {
      INFO(name);
      CHECK(error_for(name, "{}") ==
            prefix + name +
                " has an unknown extension; accepted are .json (the UI configuration object) and "
                ".js (a script that defines function UIConfig())");
    }
  }
  SECTION("the seed's flag name when the seed's option set the file") {
    const std::string file = dir.Write("bad.json", "[]");
    UiOptions options = MakeOptions("", "", file);
    options.ui_config_flag = "--query.ui.config-file";
    CHECK(LoadError(options) ==
          "--query.ui.config-file: " + file + " must hold a JSON object ({...}), not an array");
  }
  SECTION("extensions in any case") {
    const std::string file = dir.Write("UI.JSON", "{\"a\":1}");
    CHECK(Assigned(Load(MakeOptions("", "", file))->index_html(), "JAEGER_CONFIG") == "{\"a\":1}");
  }
}

TEST_CASE("bad --query.static-files and --query.base-path stop start-up") {
  TempDir dir;
  CHECK(LoadError(MakeOptions("", (dir.path() / "nope").string())) ==
        "--query.static-files: " + (dir.path() / "nope").string() +
            " cannot be opened: No such file or directory");
  const std::string file = dir.Write("file", "x");
  CHECK(LoadError(MakeOptions("", file)) ==
        "--query.static-files: " + file + " is not a directory");
  const std::string index = (fs::canonical(dir.path()) / "index.html").string();
  CHECK(LoadError(MakeOptions("", dir.path().string())) ==
        "--query.static-files: " + index +
            " cannot be read: No such file or directory; the directory must hold the UI's "
            "index.html");
  for (const std::string base : {"jaeger", "/jaeger/", "/"}) {
    INFO(base);
    CHECK(LoadError(MakeOptions(base)) ==
          "invalid value \"" + base +
              "\" for --query.base-path: it must be empty or start with '/' and not end with "
              "'/', e.g. /jaeger");
  }
}

TEST_CASE("a base path is written into <base href> as attribute text") {
  const auto assets = Load(MakeOptions("/a\"b<c>&d'"));
  CHECK(assets->index_html().find("<base href=\"/a&quot;b&lt;c&gt;&amp;d&#39;/\"") !=
        std::string::npos);
}

TEST_CASE("ContentTypeFor") {
  CHECK(query::ContentTypeFor("index.html") == "text/html; charset=utf-8");
  CHECK(query::ContentTypeFor("static/APP.JS") == "text/javascript; charset=utf-8");
  CHECK(query::ContentTypeFor("a.b/c") == "");
  CHECK(query::ContentTypeFor(".js") == "");
  CHECK(query::ContentTypeFor("x.woff2") == "font/woff2");
}

TEST_CASE("over HTTP: HEAD has no body, 304 has none, GET has the page") {
  const auto assets = Load(MakeOptions("/jaeger"));
  auto router = std::make_shared<runtime::HttpRouter>();
  query::AddUiRoutes(assets, *router);
  std::unique_ptr<runtime::HttpServer> server;
  runtime::HttpServerOptions options;
  options.name = "ui-test";
  options.host_port = "127.0.0.1:0";
  options.threads = 1;
  REQUIRE(runtime::HttpServer::Start(options, router, server).ok());
  runtime::HttpClient client("127.0.0.1", server->port());

  runtime::HttpClientResponse get;
  REQUIRE(client.Request(http::verb::get, "/jaeger/search?service=x", {}, {}, get).ok());
  CHECK(get.status == 200);
  CHECK(get.body == assets->index_html());
  CHECK(get.headers[http::field::content_type] == "text/html; charset=utf-8");
  const std::string etag(get.headers[http::field::etag]);

  runtime::HttpClientResponse head;
  REQUIRE(client.Request(http::verb::head, "/jaeger/search", {}, {}, head).ok());
  CHECK(head.status == 200);
  CHECK(head.body.empty());
  CHECK(head.headers[http::field::content_length] == std::to_string(assets->index_html().size()));

  runtime::HttpClientResponse cached;
  REQUIRE(client.Request(http::verb::get, "/jaeger/", {{"If-None-Match", etag}}, {}, cached).ok());
  CHECK(cached.status == 304);
  CHECK(cached.body.empty());

  runtime::HttpClientResponse api;
  REQUIRE(client.Request(http::verb::get, "/jaeger/api/nope", {}, {}, api).ok());
  CHECK(api.status == 404);
  CHECK(api.body == ApiNotFound("GET", "/jaeger/api/nope"));
  server->Stop();
}

}  // namespace
}  // namespace ariadne::testing
