// HttpRouter, HttpRequest and ParseQuery (declared in runtime/http_server.h).
#include <algorithm>
#include <stdexcept>

#include "runtime/http_server.h"

namespace ariadne::runtime {
namespace {

namespace http = boost::beast::http;

constexpr size_t kMaxEchoedPath = 200;  // of a path quoted in a 404/405 body

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view text) {
  std::string decoded;
  decoded.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      decoded += ' ';
    } else if (c == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
               HexValue(text[i + 2]) >= 0) {
      decoded += static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2]));
      i += 2;
    } else {
      decoded += c;
    }
  }
  return decoded;
}

std::string EchoPath(std::string_view path) {
  if (path.size() <= kMaxEchoedPath) return std::string(path);
  return std::string(path.substr(0, kMaxEchoedPath)) + "...";
}

}  // namespace

std::string_view HttpRequest::Header(std::string_view name) const {
  if (headers == nullptr) return {};
  const auto found = headers->find(name);
  if (found == headers->end()) return {};
  return found->value();
}

std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> parameters;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (part.empty()) continue;
    const size_t eq = part.find('=');
    if (eq == std::string_view::npos) {
      parameters.emplace_back(PercentDecode(part), std::string());
    } else {
      parameters.emplace_back(PercentDecode(part.substr(0, eq)),
                              PercentDecode(part.substr(eq + 1)));
    }
  }
  return parameters;
}

const HttpHandler* HttpRouter::Route::Find(http::verb method) const {
  for (const auto& [verb, handler] : handlers) {
    if (verb == method) return &handler;
  }
  return method == http::verb::head ? Find(http::verb::get) : nullptr;
}

void HttpRouter::AddTo(Route& route, http::verb method, HttpHandler handler) {
  const auto same_method = [&](const auto& entry) { return entry.first == method; };
  if (std::any_of(route.handlers.begin(), route.handlers.end(), same_method)) {
    throw std::logic_error("HttpRouter: " + std::string(http::to_string(method)) + " " +
                           route.pattern + " registered twice");
  }
  route.handlers.emplace_back(method, std::move(handler));
}

void HttpRouter::Add(http::verb method, std::string path, HttpHandler handler) {
  auto found = exact_.find(path);
  if (found == exact_.end()) {
    Route route;
    route.pattern = path;
    found = exact_.emplace(std::move(path), std::move(route)).first;
  }
  AddTo(found->second, method, std::move(handler));
}

void HttpRouter::AddPrefix(http::verb method, std::string prefix, HttpHandler handler) {
  auto found = std::find_if(prefixes_.begin(), prefixes_.end(),
                            [&](const Route& route) { return route.pattern == prefix; });
  if (found == prefixes_.end()) {
    Route route;
    route.pattern = std::move(prefix);
    prefixes_.push_back(std::move(route));
    std::stable_sort(prefixes_.begin(), prefixes_.end(), [](const Route& a, const Route& b) {
      return a.pattern.size() > b.pattern.size();
    });
    found = std::find_if(prefixes_.begin(), prefixes_.end(),
                         [](const Route& candidate) { return candidate.handlers.empty(); });
  }
  AddTo(*found, method, std::move(handler));
}

std::string_view HttpRouter::Dispatch(const HttpRequest& request, HttpResponse& response) const {
  std::string_view route;
  if (const HttpHandler* handler = Find(request, response, route)) (*handler)(request, response);
  return route;
}

const HttpHandler* HttpRouter::Find(const HttpRequest& request, HttpResponse& response,
                                    std::string_view& route) const {
  route = "other";
  const Route* best = nullptr;
  if (const auto exact = exact_.find(request.path); exact != exact_.end()) {
    best = &exact->second;
  } else {
    for (const Route& prefix : prefixes_) {  // longest first
      if (request.path.substr(0, prefix.pattern.size()) == prefix.pattern) {
        best = &prefix;
        break;
      }
    }
  }
  if (best != nullptr) {
    if (const HttpHandler* handler = best->Find(request.method)) {
      route = best->pattern;
      return handler;
    }
    AnswerMethodNotAllowed(request, *best, response);
    return nullptr;
  }
  response.status = 404;
  response.content_type = "text/plain";
  response.body = "no route for ";
  response.body += http::to_string(request.method);
  response.body += ' ';
  response.body += EchoPath(request.path);
  return nullptr;
}

void HttpRouter::AnswerMethodNotAllowed(const HttpRequest& request, const Route& route,
                                        HttpResponse& response) {
  std::vector<std::string_view> allowed;
  for (const auto& entry : route.handlers) allowed.push_back(http::to_string(entry.first));
  std::sort(allowed.begin(), allowed.end());
  allowed.erase(std::unique(allowed.begin(), allowed.end()), allowed.end());
  std::string allow;
  for (const std::string_view method : allowed) {
    if (!allow.empty()) allow += ", ";
    allow += method;
  }
  response.status = 405;
  response.content_type = "text/plain";
  response.body = "method " + std::string(http::to_string(request.method)) +
                  " is not allowed for " + EchoPath(request.path) + "; allowed: " + allow;
  response.headers.emplace_back("Allow", std::move(allow));
}

}  // namespace ariadne::runtime
