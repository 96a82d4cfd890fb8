#include "tools/gridctl/output.h"

#include <algorithm>

#include "absl/strings/str_replace.h"
#include "google/protobuf/util/json_util.h"

namespace gridwork::gridctl {
namespace {

// Terminal columns of UTF-8 text: one per code point, two for CJK ideographs and punctuation
// (U+3000..U+9FFF, lead bytes 0xE3..0xE9) and full-width forms (U+FF00.., lead 0xEF 0xBC..).
size_t DisplayWidth(const std::string& s) {
  size_t w = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if ((c & 0xC0) == 0x80) continue;  // continuation byte
    const bool wide = (c >= 0xE3 && c <= 0xE9) || (c == 0xEF && i + 1 < s.size() &&
                                                   static_cast<unsigned char>(s[i + 1]) >= 0xBC &&
                                                   static_cast<unsigned char>(s[i + 1]) <= 0xBD);
    w += wide ? 2 : 1;
  }
  return w;
}

}  // namespace

std::optional<OutputFormat> ParseOutputFormat(const std::string& s) {
  if (s == "table") return OutputFormat::kTable;
  if (s == "json") return OutputFormat::kJson;
  if (s == "csv") return OutputFormat::kCsv;
  return std::nullopt;
}

Listing::Listing(std::vector<std::string> columns) : columns_(std::move(columns)) {}

void Listing::Add(const google::protobuf::Message& item, std::vector<std::string> cells) {
  cells.resize(columns_.size());
  rows_.push_back(std::move(cells));
  std::string json;
  google::protobuf::util::JsonPrintOptions o;
  o.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(item, &json, o);
  json_.push_back(std::move(json));
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  return "\"" + absl::StrReplaceAll(s, {{"\"", "\"\""}}) + "\"";
}

void Listing::Print(OutputFormat format, std::ostream& out) const {
  switch (format) {
    case OutputFormat::kJson:
      out << "[";
      for (size_t i = 0; i < json_.size(); ++i) out << (i ? ",\n " : "") << json_[i];
      out << "]\n";
      return;
    case OutputFormat::kCsv:
      for (size_t c = 0; c < columns_.size(); ++c) out << (c ? "," : "") << CsvField(columns_[c]);
      out << "\r\n";
      for (const auto& row : rows_) {
        for (size_t c = 0; c < row.size(); ++c) out << (c ? "," : "") << CsvField(row[c]);
        out << "\r\n";
      }
      return;
    case OutputFormat::kTable: {
      std::vector<size_t> width(columns_.size());
      for (size_t c = 0; c < columns_.size(); ++c) width[c] = DisplayWidth(columns_[c]);
      for (const auto& row : rows_) {
        for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], DisplayWidth(row[c]));
      }
      auto line = [&](const std::vector<std::string>& cells) {
        for (size_t c = 0; c < cells.size(); ++c) {
          out << cells[c];
          if (c + 1 < cells.size()) out << std::string(width[c] - DisplayWidth(cells[c]) + 2, ' ');
        }
        out << "\n";
      };
      line(columns_);
      for (const auto& row : rows_) line(row);
      return;
    }
  }
}

}  // namespace gridwork::gridctl
