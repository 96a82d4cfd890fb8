// libFuzzer driver for gridwork::fuzz::FuzzInspectionRules (built only with -DGRIDWORK_FUZZ=ON;
// tests/fuzz/run.sh builds and runs it).
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/service_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return gridwork::fuzz::FuzzInspectionRules(data, size);
}
