// The tablet UI's files, read from http.ui_dir: only plain names under it, never anything
// beside or above it.
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "web/handlers/handlers.hpp"

namespace mend::web::handlers {
namespace {

constexpr std::size_t kMaxStaticFile = 8u << 20;

std::string_view content_type_for(const std::filesystem::path& p) {
  static const std::map<std::string, std::string_view> kTypes{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".png", "image/png"},
      {".svg", "image/svg+xml"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".mp3", "audio/mpeg"},
      {".wav", "audio/wav"},
  };
  auto it = kTypes.find(p.extension().string());
  return it == kTypes.end() ? std::string_view("application/octet-stream") : it->second;
}

// A URL path that may name a file under the UI directory: plain segments of safe characters,
// none of them "." or "..", so nothing outside the directory can be reached.
bool safe_static_path(std::string_view path) {
  if (path.empty() || path.front() != '/' || path.size() > 200) return false;
  std::string_view rest = path.substr(1);
  while (!rest.empty()) {
    const auto slash = rest.find('/');
    const std::string_view seg = rest.substr(0, slash);
    if (seg.empty() || seg == "." || seg == ".." || seg.front() == '.') return false;
    for (char ch : seg) {
      const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                      (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '_';
      if (!ok) return false;
    }
    if (slash == std::string_view::npos) break;
    rest = rest.substr(slash + 1);
  }
  return true;
}

std::optional<std::string> read_small_file(const std::filesystem::path& p) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(p, ec)) return std::nullopt;
  const auto size = std::filesystem::file_size(p, ec);
  if (ec || size > kMaxStaticFile) return std::nullopt;
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

Response static_file(const Request& req, const Params&, const Caller&, const HandlerContext& ctx) {
  std::string_view path = req.target();
  path = path.substr(0, path.find('?'));
  if (path == "/") path = "/index.html";
  if (ctx.ui_dir.empty() || !safe_static_path(path)) {
    return refuse(http::status::not_found, error_code::kNotFound, "no such page");
  }
  const std::filesystem::path file = ctx.ui_dir / std::filesystem::path(path.substr(1));
  auto body = read_small_file(file);
  if (!body) return refuse(http::status::not_found, error_code::kNotFound, "no such page");
  auto res = text_response(http::status::ok, std::move(*body), content_type_for(file));
  // Vite names built assets by their content hash: they never change under one name.
  if (path.rfind("/assets/", 0) == 0) {
    res.set(http::field::cache_control, "public, max-age=31536000, immutable");
  } else {
    res.set(http::field::cache_control, "no-cache");
  }
  return res;
}

}  // namespace mend::web::handlers
