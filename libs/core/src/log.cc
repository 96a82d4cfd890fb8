#include "gridwork/core/log.h"

#include <cmath>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gridwork/core/json_escape.h"

namespace gridwork::log {
namespace {

struct State {
  absl::Mutex mu;
  std::string service ABSL_GUARDED_BY(mu) = "gridwork";
  std::ostream* sink ABSL_GUARDED_BY(mu) = &std::cerr;
  Level min_level ABSL_GUARDED_BY(mu) = Level::kInfo;
};

State& GetState() {
  static State* s = new State();
  return *s;
}

const char* LevelName(Level l) {
  switch (l) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarning: return "warning";
    case Level::kError: return "error";
  }
  return "info";
}

void AppendValue(const Value& v, std::string* out) {
  if (auto* s = std::get_if<absl::string_view>(&v)) {
    AppendJsonString(*s, out);
  } else if (auto* i = std::get_if<int64_t>(&v)) {
    absl::StrAppend(out, *i);
  } else if (auto* d = std::get_if<double>(&v)) {
    if (std::isfinite(*d)) {
      absl::StrAppend(out, *d);
    } else {
      out->append("null");  // JSON has no NaN/Inf.
    }
  } else if (auto* b = std::get_if<bool>(&v)) {
    out->append(*b ? "true" : "false");
  }
}

}  // namespace

void SetServiceName(absl::string_view service) {
  State& s = GetState();
  absl::MutexLock lock(&s.mu);
  s.service = std::string(service);
}

void SetMinLevel(Level level) {
  State& s = GetState();
  absl::MutexLock lock(&s.mu);
  s.min_level = level;
}

void SetSinkForTest(std::ostream* sink) {
  State& s = GetState();
  absl::MutexLock lock(&s.mu);
  s.sink = sink == nullptr ? &std::cerr : sink;
}

void Write(Level level, absl::string_view msg, std::initializer_list<Field> fields) {
  State& s = GetState();
  std::string line;
  line.reserve(128);
  line.append("{\"ts\":");
  AppendJsonString(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()),
                   &line);
  absl::StrAppend(&line, ",\"level\":\"", LevelName(level), "\",\"service\":");
  {
    absl::MutexLock lock(&s.mu);
    if (level < s.min_level) return;
    AppendJsonString(s.service, &line);
  }
  line.append(",\"msg\":");
  AppendJsonString(msg, &line);
  for (const Field& f : fields) {
    line.push_back(',');
    AppendJsonString(f.key, &line);
    line.push_back(':');
    AppendValue(f.value, &line);
  }
  line.append("}\n");
  absl::MutexLock lock(&s.mu);
  s.sink->write(line.data(), static_cast<std::streamsize>(line.size()));
  s.sink->flush();
}

}  // namespace gridwork::log
