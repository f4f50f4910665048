#include "ui_assets.h"

#include <fcntl.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <optional>
#include <utility>

#include "runtime/log.h"
#include "ui_json.h"

#ifndef ARIADNE_VERSION
#error "ARIADNE_VERSION must be defined (services/query/CMakeLists.txt)"
#endif

namespace ariadne::query {
namespace {

namespace http = boost::beast::http;
using runtime::HttpRequest;
using runtime::HttpResponse;
using tracecore::Status;

constexpr size_t kMaxUiConfigBytes = size_t{1} << 20;   // --query.ui-config
constexpr size_t kMaxIndexBytes = size_t{4} << 20;      // index.html of --query.static-files
constexpr size_t kMaxDiskFileBytes = size_t{32} << 20;  // a file of --query.static-files
constexpr size_t kMaxEchoedPath = 200;                  // of a path quoted in an answer

constexpr std::string_view kNoCache = "no-cache";

struct ContentType {
  std::string_view extension;
  std::string_view type;
};
constexpr std::array<ContentType, 19> kContentTypes = {{
    {"css", "text/css; charset=utf-8"},
    {"gif", "image/gif"},
    {"htm", "text/html; charset=utf-8"},
    {"html", "text/html; charset=utf-8"},
    {"ico", "image/x-icon"},
    {"jpeg", "image/jpeg"},
    {"jpg", "image/jpeg"},
    {"js", "text/javascript; charset=utf-8"},
    {"json", "application/json"},
    {"map", "application/json"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"png", "image/png"},
    {"svg", "image/svg+xml"},
    {"txt", "text/plain; charset=utf-8"},
    {"wasm", "application/wasm"},
    {"webmanifest", "application/manifest+json"},
    {"webp", "image/webp"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
}};

char Lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return Lower(x) == Lower(y); });
}

std::string Echo(std::string_view path) {
  if (path.size() <= kMaxEchoedPath) return std::string(path);
  return std::string(path.substr(0, kMaxEchoedPath)) + "...";
}

// A strong validator of `bytes`: FNV-1a 64 of the content and its length, quoted.
std::string EntityTag(std::string_view bytes) {
  uint64_t hash = 14695981039346656037ULL;
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string tag = "\"";
  for (int shift = 60; shift >= 0; shift -= 4) tag.push_back(kHex[(hash >> shift) & 0xF]);
  tag += '-';
  tag += std::to_string(bytes.size());
  tag += '"';
  return tag;
}

// Whether an If-None-Match value ("*", or a list of entity tags, weak or strong) names `etag`.
// Comparison is weak, as RFC 9110 asks for If-None-Match.
bool NoneMatchHits(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    const size_t start = header.find_first_not_of(" \t,");
    if (start == std::string_view::npos) return false;
    header.remove_prefix(start);
    if (header.front() == '*') return true;
    if (header.starts_with("W/")) header.remove_prefix(2);
    if (header.empty() || header.front() != '"') {
      const size_t comma = header.find(',');
      if (comma == std::string_view::npos) return false;
      header.remove_prefix(comma);
      continue;
    }
    const size_t close = header.find('"', 1);
    if (close == std::string_view::npos) return false;
    if (header.substr(0, close + 1) == etag) return true;
    header.remove_prefix(close + 1);
  }
  return false;
}

void WriteText(unsigned status, std::string message, HttpResponse& response) {
  response.status = status;
  response.content_type = "text/plain; charset=utf-8";
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.body = std::move(message);
  response.body.push_back('\n');
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// `path` (the part after "<base>/") percent-decoded into `out`; "" when it may be looked up, else
// what is wrong with it. '+' stays '+' (this is a path, not a query).
std::string DecodeRelativePath(std::string_view path, std::string& out) {
  out.clear();
  out.reserve(path.size());
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] != '%') {
      out.push_back(path[i]);
      continue;
    }
    if (i + 2 >= path.size() || HexValue(path[i + 1]) < 0 || HexValue(path[i + 2]) < 0) {
      return "'%' must be followed by two hex digits";
    }
    out.push_back(static_cast<char>(HexValue(path[i + 1]) * 16 + HexValue(path[i + 2])));
    i += 2;
  }
  if (out.starts_with('/')) return "absolute paths are not allowed";
  if (out.find('\0') != std::string::npos) return "it holds a NUL byte";
  if (out.find('\\') != std::string::npos) return "it holds a backslash";
  std::string_view rest = out;
  while (true) {
    const size_t slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    if (segment == "." || segment == "..") return "'.' and '..' segments are not allowed";
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return {};
}

// Whether `relative` (decoded and checked) could name a file: no empty segments and no segment
// starting with '.' (hidden files are never served).
bool IsFileName(std::string_view relative) {
  if (relative.empty()) return false;
  while (true) {
    const size_t slash = relative.find('/');
    const std::string_view segment = relative.substr(0, slash);
    if (segment.empty() || segment.front() == '.') return false;
    if (slash == std::string_view::npos) return true;
    relative.remove_prefix(slash + 1);
  }
}

// Reads the regular file `path` (at most `max_bytes`) into `out`. Opening does not block on a
// FIFO or device (O_NONBLOCK, then only regular files are read); with `no_follow`, a symlink as
// the last component is refused. Errors are texts for messages; `too_large` tells that one apart.
std::string ReadRegularFile(const std::string& path, size_t max_bytes, bool no_follow,
                            std::string& out, bool* too_large = nullptr) {
  int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK;
  if (no_follow) flags |= O_NOFOLLOW;
  const int fd = ::open(path.c_str(), flags);
  if (fd < 0) return std::strerror(errno);
  struct stat info {};
  std::string error;
  if (::fstat(fd, &info) != 0) {
    error = std::strerror(errno);
  } else if (!S_ISREG(info.st_mode)) {
    error = "not a regular file";
  } else if (static_cast<uint64_t>(info.st_size) > max_bytes) {
    error = "larger than " + std::to_string(max_bytes >> 20) + " MiB";
    if (too_large != nullptr) *too_large = true;
  } else {
    out.resize(static_cast<size_t>(info.st_size));
    size_t done = 0;
    while (done < out.size()) {
      const ssize_t n = ::read(fd, out.data() + done, out.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        error = std::strerror(errno);
        break;
      }
      if (n == 0) break;  // shrank while read
      done += static_cast<size_t>(n);
    }
    out.resize(done);
  }
  ::close(fd);
  return error;
}

// `json` (RapidJSON's compact output) made safe inside a <script>: '<', '>' and '&' become \u003c,
// \u003e and \u0026, U+2028 and U+2029 \u2028 and \u2029. These only occur inside JSON strings,
// where the escapes mean the same characters.
std::string EscapeJsonForScript(std::string_view json) {
  std::string out;
  out.reserve(json.size());
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else if (c == '\xE2' && i + 2 < json.size() && json[i + 1] == '\x80' &&
               (json[i + 2] == '\xA8' || json[i + 2] == '\xA9')) {
      out += json[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// `js` with every "</script" (any case) written "<\/script", which means the same in a JS string,
// template or regular expression, and cannot end the <script> element.
std::string EscapeJsForScript(std::string_view js) {
  constexpr std::string_view kEnd = "</script";
  std::string out;
  out.reserve(js.size());
  for (size_t i = 0; i < js.size(); ++i) {
    if (js[i] == '<' && EqualsIgnoreCase(js.substr(i, kEnd.size()), kEnd)) {
      out += "<\\/";
      ++i;  // the '/'
      continue;
    }
    out.push_back(js[i]);
  }
  return out;
}

std::string EscapeHtmlAttribute(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string_view TrimSpace(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t\r\n\f\v");
  if (first == std::string_view::npos) return {};
  const size_t last = text.find_last_not_of(" \t\r\n\f\v");
  return text.substr(first, last - first + 1);
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

// Whether `js` defines `function UIConfig() {` (spaces allowed around the parentheses), as
// Jaeger requires of a .js UI configuration.
bool DefinesUiConfigFunction(std::string_view js) {
  constexpr std::string_view kFunction = "function";
  for (size_t at = js.find(kFunction); at != std::string_view::npos;
       at = js.find(kFunction, at + 1)) {
    size_t i = at + kFunction.size();
    const size_t name_start = i;
    while (i < js.size() && IsSpace(js[i])) ++i;
    if (i == name_start) continue;
    for (const std::string_view token : {"UIConfig", "(", ")", "{"}) {
      while (i < js.size() && IsSpace(js[i])) ++i;
      if (js.substr(i, token.size()) != token) {
        i = std::string_view::npos;
        break;
      }
      i += token.size();
    }
    if (i != std::string_view::npos) return true;
  }
  return false;
}

// Line and column (1-based) of byte `offset` of `text`.
std::string Position(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  const std::string_view before = text.substr(0, offset);
  const size_t line = 1 + static_cast<size_t>(std::count(before.begin(), before.end(), '\n'));
  const size_t line_start = before.rfind('\n');
  const size_t column = line_start == std::string_view::npos ? offset + 1 : offset - line_start;
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

std::string_view JsonTypeName(const rapidjson::Value& value) {
  if (value.IsArray()) return "an array";
  if (value.IsString()) return "a string";
  if (value.IsNumber()) return "a number";
  if (value.IsBool()) return "a boolean";
  return "null";
}

// What index.html gets in place of its placeholders.
struct Injections {
  std::optional<std::string> config_json;  // escaped for a <script>
  std::optional<std::string> config_js;    // escaped for a <script>
  std::string capabilities;
  std::string version;
  std::string base_href;  // attribute text, "" to leave <base href="/"> alone
};

struct Replaced {
  int config_json = 0;
  int config_js = 0;
  int base_href = 0;
};

// Matches "<name> *= *<default_name>;" at page[at]; sets `end` past it.
bool MatchAssignment(std::string_view page, size_t at, std::string_view name,
                     std::string_view default_name, size_t& end) {
  if (page.substr(at, name.size()) != name) return false;
  size_t i = at + name.size();
  while (i < page.size() && page[i] == ' ') ++i;
  if (i >= page.size() || page[i] != '=') return false;
  ++i;
  while (i < page.size() && page[i] == ' ') ++i;
  if (page.substr(i, default_name.size()) != default_name) return false;
  i += default_name.size();
  if (i >= page.size() || page[i] != ';') return false;
  end = i + 1;
  return true;
}

// Matches, at the start of a line, "// JAEGER_CONFIG_JS" (any case, spaces allowed) up to the end
// of the line after it (Jaeger's `(?im)^\s*//\s*JAEGER_CONFIG_JS.*\n.*`); sets `end` to the
// newline that ends that next line (or the end of the page).
bool MatchConfigJsLines(std::string_view page, size_t at, size_t& end) {
  constexpr std::string_view kMarker = "JAEGER_CONFIG_JS";
  size_t i = at;
  while (i < page.size() && page[i] != '\n' && IsSpace(page[i])) ++i;
  if (page.substr(i, 2) != "//") return false;
  i += 2;
  while (i < page.size() && page[i] != '\n' && IsSpace(page[i])) ++i;
  if (!EqualsIgnoreCase(page.substr(i, kMarker.size()), kMarker)) return false;
  const size_t newline = page.find('\n', i);
  if (newline == std::string_view::npos) return false;
  end = std::min(page.find('\n', newline + 1), page.size());
  return true;
}

// index.html with its placeholders replaced, in one pass (injected text is never scanned again).
std::string ProcessIndex(std::string_view page, const Injections& in, Replaced& replaced) {
  constexpr std::string_view kBase = "<base href=\"/\"";
  std::string out;
  out.reserve(page.size() + 4096);
  bool line_start = true;
  size_t i = 0;
  while (i < page.size()) {
    size_t end = 0;
    const bool at_line_start = line_start;
    line_start = false;  // unless page[i] is a newline, below
    if (at_line_start && in.config_js && MatchConfigJsLines(page, i, end)) {
      out += *in.config_js;
      ++replaced.config_js;
      i = end;
      continue;
    }
    if (page[i] == 'J') {
      if (in.config_json && MatchAssignment(page, i, "JAEGER_CONFIG", "DEFAULT_CONFIG", end)) {
        out += "JAEGER_CONFIG = " + *in.config_json + ";";
        ++replaced.config_json;
        i = end;
        continue;
      }
      if (MatchAssignment(page, i, "JAEGER_STORAGE_CAPABILITIES", "DEFAULT_STORAGE_CAPABILITIES",
                          end)) {
        out += "JAEGER_STORAGE_CAPABILITIES = " + in.capabilities + ";";
        i = end;
        continue;
      }
      if (MatchAssignment(page, i, "JAEGER_VERSION", "DEFAULT_VERSION", end)) {
        out += "JAEGER_VERSION = " + in.version + ";";
        i = end;
        continue;
      }
    }
    if (page[i] == '<' && !in.base_href.empty() && page.substr(i, kBase.size()) == kBase) {
      out += "<base href=\"" + in.base_href + "/\"";
      ++replaced.base_href;
      i += kBase.size();
      continue;
    }
    line_start = page[i] == '\n';
    out.push_back(page[i]);
    ++i;
  }
  return out;
}

std::string_view Extension(std::string_view path) {
  const size_t slash = path.rfind('/');
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return {};
  return name.substr(dot + 1);
}

Status InvalidConfig(const UiOptions& options, std::string reason) {
  return Status::InvalidArgument(options.ui_config_flag + ": " + options.ui_config_file + " " +
                                 std::move(reason));
}

// The UI configuration of `options` into `in`.
Status LoadUiConfig(const UiOptions& options, Injections& in) {
  const std::string& file = options.ui_config_file;
  if (file.empty()) return {};
  const std::string extension(Extension(file));
  const bool json = EqualsIgnoreCase(extension, "json");
  if (!json && !EqualsIgnoreCase(extension, "js")) {
    return InvalidConfig(options,
                         "has an unknown extension; accepted are .json (the UI configuration "
                         "object) and .js (a script that defines function UIConfig())");
  }
  std::string text;
  if (std::string error = ReadRegularFile(file, kMaxUiConfigBytes, false, text); !error.empty()) {
    return InvalidConfig(options, "cannot be read: " + error);
  }
  if (!json) {
    const std::string_view js = TrimSpace(text);
    if (!DefinesUiConfigFunction(js)) {
      return InvalidConfig(options, "must define function UIConfig() { return {...}; }");
    }
    in.config_js = EscapeJsForScript(js);
    return {};
  }
  rapidjson::Document document;
  document.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(
      text.data(), text.size());
  if (document.HasParseError()) {
    const size_t offset = document.GetErrorOffset();
    std::string reason = std::string("is not valid JSON: ") +
                         rapidjson::GetParseError_En(document.GetParseError()) + " (" +
                         Position(text, offset) + ")";
    if (offset < text.size() && text[offset] == '/') reason += "; JSON has no comments";
    return InvalidConfig(options, std::move(reason));
  }
  if (!document.IsObject()) {
    return InvalidConfig(
        options, "must hold a JSON object ({...}), not " + std::string(JsonTypeName(document)));
  }
  if (document.HasMember("tracking")) {
    document.RemoveMember("tracking");
    runtime::Logger("query")->info(
        "{}: the \"tracking\" section of {} is ignored: Ariadne never loads third-party tracking "
        "into the UI",
        options.ui_config_flag, file);
  }
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  document.Accept(writer);
  in.config_json = EscapeJsonForScript({buffer.GetString(), buffer.GetSize()});
  return {};
}

Status CheckBasePath(const std::string& base_path) {
  if (base_path.empty() || (base_path.front() == '/' && base_path.back() != '/')) return {};
  return Status::InvalidArgument("invalid value \"" + base_path +
                                 "\" for --query.base-path: it must be empty or start with '/' "
                                 "and not end with '/', e.g. /jaeger");
}

void AnswerApiNotFound(const HttpRequest& request, HttpResponse& response) {
  response.status = 404;
  response.content_type = "text/plain; charset=utf-8";
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.body =
      ErrorBody(404, "no API route for " + std::string(http::to_string(request.method)) + " " +
                         Echo(request.path));
}

}  // namespace

std::string_view ContentTypeFor(std::string_view path) {
  const std::string_view extension = Extension(path);
  for (const ContentType& entry : kContentTypes) {
    if (EqualsIgnoreCase(extension, entry.extension)) return entry.type;
  }
  return {};
}

Status UiAssets::LoadFiles(const UiOptions& options, std::string& index_template) {
  if (options.static_files.empty()) {
    for (const EmbeddedFile& file : EmbeddedUiFiles()) {
      if (file.path == "index.html") {
        index_template = file.bytes;
        continue;
      }
      files_.emplace(std::string(file.path), Asset{.bytes = file.bytes,
                                                   .etag = EntityTag(file.bytes),
                                                   .content_type = ContentTypeFor(file.path)});
    }
    if (index_template.empty()) {
      return Status::InvalidArgument(
          "this build embedded no web/index.html: rebuild with web/ in place, or serve a "
          "directory with --query.static-files");
    }
    return {};
  }
  std::error_code ec;
  const std::filesystem::path dir = std::filesystem::canonical(options.static_files, ec);
  if (ec) {
    return Status::InvalidArgument("--query.static-files: " + options.static_files +
                                   " cannot be opened: " + ec.message());
  }
  if (!std::filesystem::is_directory(dir, ec)) {
    return Status::InvalidArgument("--query.static-files: " + options.static_files +
                                   " is not a directory");
  }
  static_dir_ = dir.native();
  const std::string index_path = (dir / "index.html").native();
  if (std::string error = ReadRegularFile(index_path, kMaxIndexBytes, false, index_template);
      !error.empty()) {
    return Status::InvalidArgument("--query.static-files: " + index_path + " cannot be read: " +
                                   error + "; the directory must hold the UI's index.html");
  }
  return {};
}

Status UiAssets::Load(const UiOptions& options, std::shared_ptr<const UiAssets>& out) {
  ARIADNE_RETURN_IF_ERROR(CheckBasePath(options.base_path));
  std::shared_ptr<UiAssets> assets(new UiAssets());
  assets->base_path_ = options.base_path;
  std::string index_template;
  ARIADNE_RETURN_IF_ERROR(assets->LoadFiles(options, index_template));

  Injections in;
  ARIADNE_RETURN_IF_ERROR(LoadUiConfig(options, in));
  in.capabilities =
      options.archive_enabled ? R"({"archiveStorage":true})" : R"({"archiveStorage":false})";
  in.version = R"({"gitCommit":"","gitVersion":")" ARIADNE_VERSION R"(","buildDate":""})";
  in.base_href = EscapeHtmlAttribute(options.base_path);
  Replaced replaced;
  assets->index_html_ = ProcessIndex(index_template, in, replaced);
  assets->index_ = Asset{.bytes = assets->index_html_,
                         .etag = EntityTag(assets->index_html_),
                         .content_type = "text/html; charset=utf-8"};

  auto log = runtime::Logger("query");
  if ((in.config_json && replaced.config_json == 0) || (in.config_js && replaced.config_js == 0)) {
    log->warn("{}: index.html has no {} placeholder, so {} has no effect", options.ui_config_flag,
              in.config_json ? "JAEGER_CONFIG = DEFAULT_CONFIG;" : "// JAEGER_CONFIG_JS",
              options.ui_config_file);
  }
  if (!in.base_href.empty() && replaced.base_href == 0) {
    log->warn(
        "--query.base-path: index.html has no <base href=\"/\">, so the UI may load its "
        "files from / instead of {}/",
        options.base_path);
  }
  log->info("web UI under {}/ from {}", options.base_path,
            assets->static_dir_.empty() ? "the files built into this binary"
                                        : assets->static_dir_ + " (--query.static-files)");
  out = std::move(assets);
  return {};
}

void UiAssets::Answer(const HttpRequest& request, const Asset& asset, HttpResponse& response) {
  response.headers.emplace_back("ETag", asset.etag);
  // Every file is revalidated: without a build step, names do not change with their content.
  response.headers.emplace_back("Cache-Control", std::string(kNoCache));
  if (NoneMatchHits(request.Header("If-None-Match"), asset.etag)) {
    response.status = 304;
    return;
  }
  response.status = 200;
  response.content_type =
      asset.content_type.empty() ? "application/octet-stream" : std::string(asset.content_type);
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.body.assign(asset.bytes);
}

UiAssets::DiskRead UiAssets::ReadDiskFile(const std::string& relative, std::string& data,
                                          Asset& out) const {
  std::error_code ec;
  const std::filesystem::path real =
      std::filesystem::canonical(std::filesystem::path(static_dir_) / relative, ec);
  if (ec) return DiskRead::kMissing;
  // The real path must lie inside the directory, and be no hidden file there either (a symlink
  // inside may point at one).
  const std::string& text = real.native();
  const std::string prefix = static_dir_ == "/" ? static_dir_ : static_dir_ + "/";
  if (!text.starts_with(prefix) || !IsFileName(std::string_view(text).substr(prefix.size()))) {
    return DiskRead::kMissing;
  }
  bool too_large = false;
  if (!ReadRegularFile(text, kMaxDiskFileBytes, true, data, &too_large).empty()) {
    return too_large ? DiskRead::kTooLarge : DiskRead::kMissing;
  }
  out = Asset{.bytes = data, .etag = EntityTag(data), .content_type = ContentTypeFor(relative)};
  return DiskRead::kServed;
}

void UiAssets::ServeFile(const HttpRequest& request, const std::string& relative,
                         HttpResponse& response) const {
  if (relative == "index.html") return Answer(request, index_, response);
  if (IsFileName(relative)) {
    if (static_dir_.empty()) {
      const auto found = files_.find(relative);
      if (found != files_.end()) return Answer(request, found->second, response);
    } else {
      std::string data;
      Asset asset;
      switch (ReadDiskFile(relative, data, asset)) {
        case DiskRead::kServed: return Answer(request, asset, response);
        case DiskRead::kTooLarge:
          return WriteText(404,
                           "UI file " + Echo(request.path) + " is larger than " +
                               std::to_string(kMaxDiskFileBytes >> 20) +
                               " MiB, the most ariadne-query serves from --query.static-files",
                           response);
        case DiskRead::kMissing: break;
      }
    }
  }
  // A missing file of the UI is 404; anything else is a route of the UI itself.
  if (relative.starts_with("static/") || !ContentTypeFor(relative).empty()) {
    return WriteText(404, "no UI file " + Echo(request.path), response);
  }
  Answer(request, index_, response);
}

void UiAssets::Serve(const HttpRequest& request, HttpResponse& response) const {
  std::string_view rest = request.path.substr(std::min(base_path_.size(), request.path.size()));
  if (rest.empty() || rest == "/") return Answer(request, index_, response);
  rest.remove_prefix(1);
  std::string relative;
  if (const std::string problem = DecodeRelativePath(rest, relative); !problem.empty()) {
    return WriteText(400, "invalid UI path " + Echo(request.path) + ": " + problem, response);
  }
  ServeFile(request, relative, response);
}

Status LoadUi(const UiOptions& options, std::shared_ptr<const UiAssets>& out) {
  return UiAssets::Load(options, out);
}

void AddUiRoutes(const std::shared_ptr<const UiAssets>& assets, runtime::HttpRouter& router) {
  const std::string& base = assets->base_path();
  const runtime::HttpHandler serve = [assets](const HttpRequest& request, HttpResponse& response) {
    assets->Serve(request, response);
  };
  const runtime::HttpHandler redirect = [location = base + "/"](const HttpRequest&,
                                                                HttpResponse& response) {
    response.headers.emplace_back("Location", location);
    WriteText(302, "the UI is at " + location, response);
  };
  for (const http::verb method : {http::verb::get, http::verb::head}) {
    router.AddPrefix(method, base + "/", serve);
    router.Add(method, base + "/api", AnswerApiNotFound);
    router.AddPrefix(method, base + "/api/", AnswerApiNotFound);
    if (!base.empty()) {
      router.Add(method, base, serve);  // as Jaeger: the index, not a redirect
      router.Add(method, "/", redirect);
    }
  }
}

}  // namespace ariadne::query
