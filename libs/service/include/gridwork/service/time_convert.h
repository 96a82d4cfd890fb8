// google.protobuf.Timestamp / Duration <-> absl::Time / absl::Duration.
#ifndef GRIDWORK_SERVICE_TIME_CONVERT_H_
#define GRIDWORK_SERVICE_TIME_CONVERT_H_

#include "absl/time/time.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/timestamp.pb.h"

namespace gridwork::service {

absl::Time FromProto(const google::protobuf::Timestamp& ts);
google::protobuf::Timestamp ToProto(absl::Time t);
absl::Duration FromProto(const google::protobuf::Duration& d);
google::protobuf::Duration ToProto(absl::Duration d);

}  // namespace gridwork::service

#endif  // GRIDWORK_SERVICE_TIME_CONVERT_H_
