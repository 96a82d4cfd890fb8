#include "services/gateway/static_files.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"

namespace gridwork::gateway {
namespace {

const char* ContentType(const std::string& path) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript"},
      {".mjs", "text/javascript"},
      {".css", "text/css"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".map", "application/json"},
      {".txt", "text/plain"},
      {".geojson", "application/geo+json"},
  };
  for (const auto& [ext, type] : kTypes) {
    if (absl::EndsWith(path, ext)) return type;
  }
  return "application/octet-stream";
}

bool SafePath(const std::string& p) {
  if (p.find('\0') != std::string::npos || p.find('\\') != std::string::npos) return false;
  for (absl::string_view seg : absl::StrSplit(p, '/')) {
    if (seg == "..") return false;
  }
  return true;
}

HttpResponse NotFound() {
  HttpResponse r;
  r.status = 404;
  r.body = "{\"code\":\"NOT_FOUND\",\"message\":\"no such page\"}";
  return r;
}

}  // namespace

HttpResponse ServeStatic(const std::string& web_root, const HttpRequest& req) {
  if (req.method != "GET" && req.method != "HEAD") return NotFound();
  if (!SafePath(req.path)) return NotFound();
  namespace fs = std::filesystem;
  std::string rel = req.path == "/" ? "/index.html" : req.path;
  fs::path file = fs::path(web_root) / rel.substr(1);
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) {
    bool has_ext = fs::path(rel).has_extension();
    if (has_ext) return NotFound();
    file = fs::path(web_root) / "index.html";
    if (!fs::is_regular_file(file, ec)) return NotFound();
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return NotFound();
  std::stringstream ss;
  ss << in.rdbuf();
  HttpResponse r;
  r.content_type = ContentType(file.string());
  r.body = ss.str();
  return r;
}

}  // namespace gridwork::gateway
