// libFuzzer driver for gridwork::fuzz::FuzzGeoJsonImport (built only with -DGRIDWORK_FUZZ=ON;
// tests/fuzz/run.sh builds and runs it).
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/geojson_import_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return gridwork::fuzz::FuzzGeoJsonImport(data, size);
}
