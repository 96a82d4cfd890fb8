// Replays the fuzz corpus (tests/fuzz/corpus/<fuzzer>/) and every saved crash
// (tests/fuzz/crashes/) through both fuzz entry points, so that every test run checks that
// what the fuzzers once found stays fixed. A failing input aborts the binary; its name is
// printed first.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/fuzz/geojson_import_fuzz.h"

namespace gridwork::fuzz {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> FilesUnder(const fs::path& dir) {
  std::vector<fs::path> files;
  if (!fs::exists(dir)) return files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().filename() != "README.md") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void ReplayAll(const fs::path& dir, int (*entry)(const uint8_t*, size_t), const char* name) {
  for (const fs::path& file : FilesUnder(dir)) {
    const std::string bytes = ReadFile(file);
    std::fprintf(stderr, "%s <- %s\n", name, file.c_str());
    INFO(file.string());
    REQUIRE(entry(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()) == 0);
  }
}

const fs::path kFuzzDir = GRIDWORK_FUZZ_DIR;

}  // namespace

TEST_CASE("the corpus has inputs for both fuzzers") {
  REQUIRE(FilesUnder(kFuzzDir / "corpus" / "geojson_import").size() >= 10);
  REQUIRE(FilesUnder(kFuzzDir / "corpus" / "region_index").size() >= 5);
}

TEST_CASE("every corpus input and saved crash passes FuzzGeoJsonImport") {
  ReplayAll(kFuzzDir / "corpus", &FuzzGeoJsonImport, "FuzzGeoJsonImport");
  ReplayAll(kFuzzDir / "crashes", &FuzzGeoJsonImport, "FuzzGeoJsonImport");
}

TEST_CASE("every corpus input and saved crash passes FuzzRegionIndexLookup") {
  ReplayAll(kFuzzDir / "corpus", &FuzzRegionIndexLookup, "FuzzRegionIndexLookup");
  ReplayAll(kFuzzDir / "crashes", &FuzzRegionIndexLookup, "FuzzRegionIndexLookup");
}

}  // namespace gridwork::fuzz
