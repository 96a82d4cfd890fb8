#include "gridwork/store/key_codec.h"

#include <cstring>

namespace gridwork::store {
namespace {

constexpr char kEscape = '\x00';
constexpr char kEscapedZero = '\xFF';
constexpr char kTerminator = '\x01';
constexpr uint64_t kSignBit = uint64_t{1} << 63;

}  // namespace

void PutFixed32BE(std::string* dst, uint32_t v) {
  char buf[4];
  for (int i = 3; i >= 0; --i) {
    buf[i] = static_cast<char>(v & 0xFF);
    v >>= 8;
  }
  dst->append(buf, sizeof(buf));
}

void PutFixed64BE(std::string* dst, uint64_t v) {
  char buf[8];
  for (int i = 7; i >= 0; --i) {
    buf[i] = static_cast<char>(v & 0xFF);
    v >>= 8;
  }
  dst->append(buf, sizeof(buf));
}

void PutOrderedInt64(std::string* dst, int64_t v) {
  PutFixed64BE(dst, static_cast<uint64_t>(v) ^ kSignBit);
}

void PutStringComponent(std::string* dst, absl::string_view s) {
  dst->reserve(dst->size() + s.size() + 2);
  // Copy the runs between escape bytes whole (ids and paths rarely contain one).
  for (size_t pos = 0; pos < s.size();) {
    const void* hit = std::memchr(s.data() + pos, kEscape, s.size() - pos);
    const size_t end =
        hit == nullptr ? s.size() : static_cast<size_t>(static_cast<const char*>(hit) - s.data());
    dst->append(s.data() + pos, end - pos);
    if (end == s.size()) break;
    dst->push_back(kEscape);
    dst->push_back(kEscapedZero);
    pos = end + 1;
  }
  dst->push_back(kEscape);
  dst->push_back(kTerminator);
}

bool GetFixed32BE(absl::string_view* src, uint32_t* v) {
  if (src->size() < 4) return false;
  uint32_t r = 0;
  for (int i = 0; i < 4; ++i) r = (r << 8) | static_cast<uint8_t>((*src)[i]);
  *v = r;
  src->remove_prefix(4);
  return true;
}

bool GetFixed64BE(absl::string_view* src, uint64_t* v) {
  if (src->size() < 8) return false;
  uint64_t r = 0;
  for (int i = 0; i < 8; ++i) r = (r << 8) | static_cast<uint8_t>((*src)[i]);
  *v = r;
  src->remove_prefix(8);
  return true;
}

bool GetOrderedInt64(absl::string_view* src, int64_t* v) {
  uint64_t u;
  if (!GetFixed64BE(src, &u)) return false;
  *v = static_cast<int64_t>(u ^ kSignBit);
  return true;
}

bool GetStringComponent(absl::string_view* src, std::string* v) {
  std::string out;
  size_t i = 0;
  while (i < src->size()) {
    char c = (*src)[i];
    if (c != kEscape) {
      out.push_back(c);
      ++i;
      continue;
    }
    if (i + 1 >= src->size()) return false;
    char next = (*src)[i + 1];
    if (next == kTerminator) {
      *v = std::move(out);
      src->remove_prefix(i + 2);
      return true;
    }
    if (next != kEscapedZero) return false;
    out.push_back(kEscape);
    i += 2;
  }
  return false;  // no terminator
}

std::string EncodeFixed64BE(uint64_t v) {
  std::string s;
  PutFixed64BE(&s, v);
  return s;
}

bool DecodeFixed64BE(absl::string_view src, uint64_t* v) {
  return src.size() == 8 && GetFixed64BE(&src, v);
}

std::string PrefixSuccessor(absl::string_view prefix) {
  std::string s(prefix);
  while (!s.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(s.back());
    if (last != 0xFF) {
      ++last;
      return s;
    }
    s.pop_back();
  }
  return s;
}

}  // namespace gridwork::store
