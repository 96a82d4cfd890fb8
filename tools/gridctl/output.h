// Listings in the format chosen with -o: an aligned table (default, with a header), JSON (an
// array of the listed messages in protobuf's JSON mapping with proto field names; one
// document, for jq and scripts) or CSV (RFC 4180: a header, fields quoted when they hold a
// comma, quote or line break).
#ifndef GRIDWORK_TOOLS_GRIDCTL_OUTPUT_H_
#define GRIDWORK_TOOLS_GRIDCTL_OUTPUT_H_

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "google/protobuf/message.h"

namespace gridwork::gridctl {

enum class OutputFormat { kTable, kJson, kCsv };

// "table", "json", "csv"; nullopt otherwise.
std::optional<OutputFormat> ParseOutputFormat(const std::string& s);

class Listing {
 public:
  explicit Listing(std::vector<std::string> columns);
  // One row: `item` (for JSON) and its cells (for table and CSV), as many as columns.
  void Add(const google::protobuf::Message& item, std::vector<std::string> cells);
  size_t size() const { return rows_.size(); }
  void Print(OutputFormat format, std::ostream& out) const;

 private:
  std::vector<std::string> columns_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<std::string> json_;
};

// One CSV field, quoted when needed.
std::string CsvField(const std::string& s);

}  // namespace gridwork::gridctl

#endif  // GRIDWORK_TOOLS_GRIDCTL_OUTPUT_H_
