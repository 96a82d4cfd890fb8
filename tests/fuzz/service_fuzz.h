// Fuzz entry points for request handlers that run in-process (no gRPC): the work-order
// service's WorkOrderCore over a real RocksDB store in a temporary directory, and the
// inspection service's request validation (checklists, answers, recurrences). Same contract
// as geojson_import_fuzz.h: arbitrary bytes in, 0 out, a bug aborts.
//
//   gridwork::fuzz::FuzzWorkorderHandlers(data, size);   // byte 0 method, byte 1 caller,
//                                                        // rest = the request protobuf
//   gridwork::fuzz::FuzzInspectionRules(data, size);     // byte 0 rule, rest = protobuf
//
// Thread safety: FuzzWorkorderHandlers shares one store per process (the core is thread
// safe); FuzzInspectionRules is pure.
#ifndef GRIDWORK_TESTS_FUZZ_SERVICE_FUZZ_H_
#define GRIDWORK_TESTS_FUZZ_SERVICE_FUZZ_H_

#include <cstddef>
#include <cstdint>

namespace gridwork::fuzz {

// Decodes the rest as the request of one of WorkOrderCore's 16 handlers and calls it as one
// of nine callers (admin, command centre, community station, two workers, two handlers, two
// residents). Aborts on INTERNAL, UNKNOWN or DATA_LOSS (bad input must be refused with a
// code a client can act on), and when a caller reads an order outside its visibility.
int FuzzWorkorderHandlers(const uint8_t* data, size_t size);

// ValidateChecklist, GradeAnswers (on a valid fixed checklist) and ValidateRecurrence +
// Occurrences: only INVALID_ARGUMENT; occurrences strictly increasing inside the window.
int FuzzInspectionRules(const uint8_t* data, size_t size);

}  // namespace gridwork::fuzz

#endif  // GRIDWORK_TESTS_FUZZ_SERVICE_FUZZ_H_
