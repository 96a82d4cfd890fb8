// Replays the fuzz corpus (tests/fuzz/corpus/<fuzzer>/) and every saved crash
// (tests/fuzz/crashes/) through the fuzz entry points (the region fuzzers get every corpus,
// the gateway and service fuzzers their own corpus and every crash), so that every test run checks
// that what the fuzzers once found stays fixed. A failing input aborts the binary; its name is
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

#include "tests/fuzz/gateway_fuzz.h"
#include "tests/fuzz/geojson_import_fuzz.h"
#include "tests/fuzz/service_fuzz.h"

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

struct Target {
  const char* corpus;
  int (*entry)(const uint8_t*, size_t);
  const char* name;
};

const Target kGatewayTargets[] = {
    {"gateway_json", &FuzzGatewayJson, "FuzzGatewayJson"},
    {"http_request", &FuzzHttpRequest, "FuzzHttpRequest"},
    {"osmand_form", &FuzzOsmAndForm, "FuzzOsmAndForm"},
    {"open311_form", &FuzzOpen311Form, "FuzzOpen311Form"},
    {"token_verify", &FuzzTokenVerify, "FuzzTokenVerify"},
    {"workorder_handlers", &FuzzWorkorderHandlers, "FuzzWorkorderHandlers"},
    {"inspection_rules", &FuzzInspectionRules, "FuzzInspectionRules"},
};

TEST_CASE("every gateway and service fuzzer has seeds, and they and every crash pass") {
  for (const Target& t : kGatewayTargets) {
    INFO(t.name);
    CHECK(FilesUnder(kFuzzDir / "corpus" / t.corpus).size() >= 5);
    ReplayAll(kFuzzDir / "corpus" / t.corpus, t.entry, t.name);
    ReplayAll(kFuzzDir / "crashes", t.entry, t.name);
  }
}

}  // namespace gridwork::fuzz
