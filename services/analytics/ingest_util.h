// Small conversions shared by the feed handlers.
#ifndef GRIDWORK_SERVICES_ANALYTICS_INGEST_UTIL_H_
#define GRIDWORK_SERVICES_ANALYTICS_INGEST_UTIL_H_

#include <google/protobuf/timestamp.pb.h>

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gridwork/store/db.h"

namespace gridwork::analytics {

inline int64_t Millis(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000 + t.nanos() / 1000000;
}

// INVALID_ARGUMENT (so the consumer dead-letters it after its attempts) if the payload does
// not hold a `Msg`.
template <typename Msg>
absl::Status Unpack(const store::FeedEvent& e, Msg* out) {
  if (!e.payload().UnpackTo(out)) {
    return absl::InvalidArgumentError(absl::StrCat("feed event ", e.sequence(), " from ",
                                                   e.source(), " is not a ",
                                                   Msg::descriptor()->full_name()));
  }
  return absl::OkStatus();
}

// True if the event's payload is a `d` (type URL ".../<full name>"), without allocating: it
// runs for every event of every batch.
inline bool Is(const store::FeedEvent& e, const google::protobuf::Descriptor* d) {
  const absl::string_view url = e.payload().type_url();
  const std::string& name = d->full_name();
  return url.size() > name.size() && absl::EndsWith(url, name) &&
         url[url.size() - name.size() - 1] == '/';
}

}  // namespace gridwork::analytics

#endif  // GRIDWORK_SERVICES_ANALYTICS_INGEST_UTIL_H_
