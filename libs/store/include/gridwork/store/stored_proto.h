// Parsing protobuf values read back from a store. A value that does not parse is corruption
// (or a format change without migration), reported as DATA_LOSS naming what was read.
#ifndef GRIDWORK_STORE_STORED_PROTO_H_
#define GRIDWORK_STORE_STORED_PROTO_H_

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace gridwork::store {

// `what` names the record in the error, e.g. "work order".
template <typename Msg>
absl::StatusOr<Msg> ParseStoredProto(absl::string_view value, absl::string_view what) {
  Msg m;
  if (!m.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return absl::DataLossError(absl::StrCat("stored ", what, " does not parse"));
  }
  return m;
}

}  // namespace gridwork::store

#endif  // GRIDWORK_STORE_STORED_PROTO_H_
