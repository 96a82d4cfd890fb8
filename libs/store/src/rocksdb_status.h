// rocksdb::Status -> absl::Status, the only place the two meet (STYLE.md "Errors").
//
// Thread safety: pure function.
#ifndef GRIDWORK_STORE_SRC_ROCKSDB_STATUS_H_
#define GRIDWORK_STORE_SRC_ROCKSDB_STATUS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "rocksdb/status.h"

namespace gridwork::store {

// Maps `s` to the absl code a caller can act on and prefixes the message with `context`
// ("rocksdb <context>: <message>"). NotFound -> NOT_FOUND, Corruption -> DATA_LOSS,
// InvalidArgument -> INVALID_ARGUMENT, NotSupported -> UNIMPLEMENTED, Busy/TryAgain/
// Incomplete/ShutdownInProgress/IOError -> UNAVAILABLE (IOError NoSpace -> RESOURCE_EXHAUSTED), TimedOut -> DEADLINE_EXCEEDED,
// Aborted -> ABORTED, anything else -> INTERNAL.
absl::Status FromRocksDb(const rocksdb::Status& s, absl::string_view context);

}  // namespace gridwork::store

#endif  // GRIDWORK_STORE_SRC_ROCKSDB_STATUS_H_
