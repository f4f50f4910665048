// The web UI as ariadne-query serves it (reference §4.6): the files of web/, compiled into the
// binary, or a directory on disk (--query.static-files), under the base path B ("" or "/x"):
//
//   GET|HEAD B/index.html, B, B/ and every other path that is not a file (the UI's own routes,
//            e.g. B/search, B/trace/{id})       index.html as processed at start-up, no-cache
//   GET|HEAD B/<file>                          that file, no-cache with an ETag (If-None-Match
//                                              -> 304): the UI's file names do not change with
//                                              their content, so a browser revalidates each one
//   GET|HEAD B/static/<missing>, B/<missing>.js (a name with a file type, see ContentTypeFor)
//                                              404: a missing script is not answered with a page
//   GET|HEAD B/api, B/api/<unknown>            404 in Jaeger's envelope (the API's own routes are
//                                              longer or exact, so the router prefers them)
//   GET|HEAD /                                 302 to B/ when B is not empty
//
// index.html is processed once, at start-up (Jaeger's placeholders):
//   "JAEGER_CONFIG = DEFAULT_CONFIG;"   the UI configuration of a .json --query.ui-config (an
//                                       object; its "tracking" member is dropped: Ariadne never
//                                       loads third-party tracking)
//   "// JAEGER_CONFIG_JS" and the line after it   the contents of a .js --query.ui-config
//   "JAEGER_STORAGE_CAPABILITIES = DEFAULT_STORAGE_CAPABILITIES;"   {"archiveStorage":bool}
//   "JAEGER_VERSION = DEFAULT_VERSION;" {"gitCommit","gitVersion","buildDate"}
//   '<base href="/"'                    '<base href="B/"'
// Injected JSON has '<', '>', '&', U+2028 and U+2029 escaped, and injected JS has "</script"
// escaped, so that no configuration value can end the <script> it sits in.
//
// Path safety: the path after B/ is percent-decoded once; a bad escape, NUL, a backslash, a "." or
// ".." segment, or a leading '/' (B//x, B/%2Fx) is answered 400; names starting with '.' are never
// served. With --query.static-files, files are read when requested (edits show on reload): only
// regular files whose real path (symlinks resolved) lies inside the directory, at most 32 MiB
// each; index.html is still read once, at start-up. Nothing outside the embedded set or the
// directory is served, and no request is answered 5xx.
#pragma once

#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "runtime/http_server.h"
#include "tracecore/status.h"

namespace ariadne::query {

struct UiOptions {
  std::string base_path;       // "" or "/x" (no trailing '/'), as FinishQueryOptions leaves it
  std::string static_files;    // directory served instead of the embedded files; "": embedded
  std::string ui_config_file;  // .json or .js; "": none
  // Named in configuration errors: "--query.ui.config-file" when the seed's name set the file.
  std::string ui_config_flag = "--query.ui-config";
  bool archive_enabled = false;  // JAEGER_STORAGE_CAPABILITIES.archiveStorage
};

// One file of web/ as the build embedded it (the generated ui_embedded_files.cc).
struct EmbeddedFile {
  std::string_view path;  // relative to web/, '/'-separated
  std::string_view bytes;
};

// Every embedded file, sorted by path. The views point into the binary (static storage).
std::span<const EmbeddedFile> EmbeddedUiFiles();

// The Content-Type of a file named `path` by its extension (case-insensitive): html, js/mjs
// (text/javascript), css, svg, png, ico, json, map, woff2, ...; "" for an unknown type.
std::string_view ContentTypeFor(std::string_view path);

// The loaded UI: immutable after Load, shared by every HTTP thread.
class UiAssets {
 public:
  // Reads index.html (embedded, or from `options.static_files`) and the UI configuration, and
  // processes index.html. Errors name the flag to fix (--query.static-files, the UI config flag,
  // --query.base-path) and, for JSON, the parse error and its line and column. Logs (component
  // "query") where the UI is served from and, once, that a "tracking" section was ignored.
  static tracecore::Status Load(const UiOptions& options, std::shared_ptr<const UiAssets>& out);

  const std::string& base_path() const { return base_path_; }
  // index.html as served.
  const std::string& index_html() const { return index_html_; }

  // Answers a GET or HEAD whose path is the base path or starts with "<base path>/".
  void Serve(const runtime::HttpRequest& request, runtime::HttpResponse& response) const;

 private:
  // What one answer serves: `bytes` outlive it (static storage, index_html_, or the caller's).
  struct Asset {
    std::string_view bytes;
    std::string etag;  // quoted
    std::string_view content_type;
  };
  enum class DiskRead { kServed, kMissing, kTooLarge };

  UiAssets() = default;
  tracecore::Status LoadFiles(const UiOptions& options, std::string& index_template);
  void ServeFile(const runtime::HttpRequest& request, const std::string& relative,
                 runtime::HttpResponse& response) const;
  // Reads `relative` from the static-files directory into `data` and describes it in `out`.
  DiskRead ReadDiskFile(const std::string& relative, std::string& data, Asset& out) const;
  static void Answer(const runtime::HttpRequest& request, const Asset& asset,
                     runtime::HttpResponse& response);

  std::string base_path_;
  std::string static_dir_;  // canonical; "" when the embedded files are served
  std::string index_html_;
  Asset index_;                                      // over index_html_
  std::map<std::string, Asset, std::less<>> files_;  // the embedded files but index.html
};

// UiAssets::Load.
tracecore::Status LoadUi(const UiOptions& options, std::shared_ptr<const UiAssets>& out);

// Adds the routes at the top of this file for `assets` (which the handlers share) to `router`.
// Register the API routes too (before or after): exact and longer routes win over these.
void AddUiRoutes(const std::shared_ptr<const UiAssets>& assets, runtime::HttpRouter& router);

}  // namespace ariadne::query
