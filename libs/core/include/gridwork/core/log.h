// Structured logging: one JSON object per line on stderr, e.g.
//   {"ts":"2026-11-23T04:30:00.123Z","level":"info","service":"geofence",
//    "msg":"listening","grpc_addr":"127.0.0.1:50051"}
//
//   gridwork::log::Info("fence transition", {{"worker", w}, {"kind", "exit"}, {"grid", g}});
//
// Fields keep their JSON type (string, integer, double, bool). Lines are written whole under a
// mutex, so concurrent callers never interleave. Thread-safe.
#ifndef GRIDWORK_CORE_LOG_H_
#define GRIDWORK_CORE_LOG_H_

#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <string>
#include <utility>
#include <variant>

#include "absl/strings/string_view.h"

namespace gridwork::log {

enum class Level { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// A field value; string_view values must outlive the call only.
using Value = std::variant<absl::string_view, int64_t, double, bool>;

struct Field {
  Field(absl::string_view k, absl::string_view v) : key(k), value(v) {}
  Field(absl::string_view k, const std::string& v) : key(k), value(absl::string_view(v)) {}
  Field(absl::string_view k, const char* v) : key(k), value(absl::string_view(v)) {}
  Field(absl::string_view k, int v) : key(k), value(static_cast<int64_t>(v)) {}
  Field(absl::string_view k, long v) : key(k), value(static_cast<int64_t>(v)) {}
  Field(absl::string_view k, long long v) : key(k), value(static_cast<int64_t>(v)) {}
  Field(absl::string_view k, unsigned v) : key(k), value(static_cast<int64_t>(v)) {}
  Field(absl::string_view k, unsigned long v) : key(k), value(static_cast<int64_t>(v)) {}
  Field(absl::string_view k, unsigned long long v) : key(k), value(static_cast<int64_t>(v)) {}
  Field(absl::string_view k, double v) : key(k), value(v) {}
  Field(absl::string_view k, bool v) : key(k), value(v) {}
  absl::string_view key;
  Value value;
};

// Process-wide settings; call once from main before serving.
void SetServiceName(absl::string_view service);
void SetMinLevel(Level level);
// Redirects output (default std::cerr). For tests; the stream must outlive all logging.
void SetSinkForTest(std::ostream* sink);

void Write(Level level, absl::string_view msg, std::initializer_list<Field> fields);

inline void Debug(absl::string_view msg, std::initializer_list<Field> f = {}) {
  Write(Level::kDebug, msg, f);
}
inline void Info(absl::string_view msg, std::initializer_list<Field> f = {}) {
  Write(Level::kInfo, msg, f);
}
inline void Warning(absl::string_view msg, std::initializer_list<Field> f = {}) {
  Write(Level::kWarning, msg, f);
}
inline void Error(absl::string_view msg, std::initializer_list<Field> f = {}) {
  Write(Level::kError, msg, f);
}

}  // namespace gridwork::log

#endif  // GRIDWORK_CORE_LOG_H_
