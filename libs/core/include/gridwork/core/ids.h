// Opaque identifiers. IDs are strings everywhere (DESIGN.md section 4); generated ids are
// a short prefix naming the kind plus 128 random bits in lowercase hex, e.g.
// "kp-3f1c0e9a7b2d4c6e8f0a1b2c3d4e5f60". Region ids are not generated: they are
// materialised paths chosen by the importer (see gridwork/geo).
#ifndef GRIDWORK_CORE_IDS_H_
#define GRIDWORK_CORE_IDS_H_

#include <string>

#include "absl/strings/string_view.h"

namespace gridwork {

// Returns "<prefix>-<32 hex digits>" from a cryptographically strong random source.
// Thread-safe.
std::string NewId(absl::string_view prefix);

// Lowercase hex SHA-256 of `data`.
std::string Sha256Hex(absl::string_view data);

}  // namespace gridwork

#endif  // GRIDWORK_CORE_IDS_H_
