// libFuzzer driver for gridwork::fuzz::FuzzOsmAndForm (built only with -DGRIDWORK_FUZZ=ON;
// tests/fuzz/run.sh builds and runs it).
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/gateway_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return gridwork::fuzz::FuzzOsmAndForm(data, size);
}
