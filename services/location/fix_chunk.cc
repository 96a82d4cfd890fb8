#include "services/location/fix_chunk.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"

namespace gridwork::location {
namespace {

constexpr uint8_t kVersion = 1;

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

class Reader {
 public:
  explicit Reader(absl::string_view in) : in_(in) {}
  bool Varint(uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (in_.empty()) return false;
      const uint8_t b = static_cast<uint8_t>(in_.front());
      in_.remove_prefix(1);
      *v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;
  }
  bool Signed(int64_t* v) {
    uint64_t u;
    if (!Varint(&u)) return false;
    *v = UnZigZag(u);
    return true;
  }
  bool Byte(uint8_t* b) {
    if (in_.empty()) return false;
    *b = static_cast<uint8_t>(in_.front());
    in_.remove_prefix(1);
    return true;
  }
  bool Bytes(size_t n, std::string* out) {
    if (in_.size() < n) return false;
    out->assign(in_.data(), n);
    in_.remove_prefix(n);
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  absl::string_view in_;
};

}  // namespace

std::string EncodeChunk(int64_t chunk_start_ms, const std::vector<StoredFix>& fixes) {
  std::string out;
  out.reserve(8 + fixes.size() * 16);
  out.push_back(static_cast<char>(kVersion));
  PutVarint(&out, fixes.size());
  std::map<std::string, uint32_t> device_index;
  std::vector<const std::string*> devices;
  for (const StoredFix& f : fixes) {
    if (device_index.emplace(f.device_id, devices.size()).second) devices.push_back(&f.device_id);
  }
  StoredFix prev;
  prev.time_ms = chunk_start_ms;
  prev.speed_cms = prev.heading_ddeg = prev.battery_pct = -1;
  int64_t prev_device = 0;
  int64_t prev_interval = 0;
  for (const StoredFix& f : fixes) {
    const int64_t interval = f.time_ms - prev.time_ms;
    PutVarint(&out, ZigZag(interval - prev_interval));
    prev_interval = interval;
    PutVarint(&out, ZigZag(static_cast<int64_t>(f.lat_e7) - prev.lat_e7));
    PutVarint(&out, ZigZag(static_cast<int64_t>(f.lng_e7) - prev.lng_e7));
    PutVarint(&out, ZigZag(static_cast<int64_t>(f.accuracy_dm) - prev.accuracy_dm));
    PutVarint(&out, ZigZag(static_cast<int64_t>(f.speed_cms) - prev.speed_cms));
    PutVarint(&out, ZigZag(static_cast<int64_t>(f.heading_ddeg) - prev.heading_ddeg));
    PutVarint(&out, ZigZag(static_cast<int64_t>(f.altitude_dm) - prev.altitude_dm));
    PutVarint(&out, ZigZag(static_cast<int64_t>(f.battery_pct) - prev.battery_pct));
    out.push_back(static_cast<char>((f.crs & 3) | ((f.provider & 3) << 2) | (f.offline ? 16 : 0)));
    const int64_t device = device_index[f.device_id];
    PutVarint(&out, ZigZag(device - prev_device));
    PutVarint(&out, ZigZag(static_cast<int64_t>(f.sequence - prev.sequence)));
    prev = f;
    prev_device = device;
  }
  PutVarint(&out, devices.size());
  for (const std::string* d : devices) {
    PutVarint(&out, d->size());
    out.append(*d);
  }
  return out;
}

absl::StatusOr<std::vector<StoredFix>> DecodeChunk(int64_t chunk_start_ms,
                                                   absl::string_view bytes) {
  auto corrupt = [&](absl::string_view what) {
    return absl::DataLossError(absl::StrCat("fix chunk at ", chunk_start_ms, ": ", what));
  };
  Reader r(bytes);
  uint8_t version;
  if (!r.Byte(&version) || version != kVersion) return corrupt("unknown version");
  uint64_t count;
  if (!r.Varint(&count) || count > 1000000) return corrupt("bad count");
  std::vector<StoredFix> out(count);
  std::vector<int64_t> device_refs(count);
  StoredFix prev;
  prev.time_ms = chunk_start_ms;
  prev.speed_cms = prev.heading_ddeg = prev.battery_pct = -1;
  int64_t prev_device = 0;
  int64_t prev_interval = 0;
  for (uint64_t i = 0; i < count; ++i) {
    StoredFix& f = out[i];
    int64_t ddt, dlat, dlng, dacc, dspeed, dheading, dalt, dbattery, ddev, dseq;
    uint8_t flags;
    if (!r.Signed(&ddt) || !r.Signed(&dlat) || !r.Signed(&dlng) || !r.Signed(&dacc) ||
        !r.Signed(&dspeed) || !r.Signed(&dheading) || !r.Signed(&dalt) || !r.Signed(&dbattery) ||
        !r.Byte(&flags) || !r.Signed(&ddev) || !r.Signed(&dseq)) {
      return corrupt("truncated fix record");
    }
    prev_interval += ddt;
    f.time_ms = prev.time_ms + prev_interval;
    f.lat_e7 = static_cast<int32_t>(prev.lat_e7 + dlat);
    f.lng_e7 = static_cast<int32_t>(prev.lng_e7 + dlng);
    f.accuracy_dm = static_cast<uint32_t>(prev.accuracy_dm + dacc);
    f.speed_cms = static_cast<int32_t>(prev.speed_cms + dspeed);
    f.heading_ddeg = static_cast<int32_t>(prev.heading_ddeg + dheading);
    f.altitude_dm = static_cast<int32_t>(prev.altitude_dm + dalt);
    f.battery_pct = static_cast<int32_t>(prev.battery_pct + dbattery);
    f.crs = flags & 3;
    f.provider = (flags >> 2) & 3;
    f.offline = (flags & 16) != 0;
    device_refs[i] = prev_device + ddev;
    f.sequence = prev.sequence + static_cast<uint64_t>(dseq);
    prev_device = device_refs[i];
    prev = f;
    prev.device_id.clear();
  }
  uint64_t ndev;
  if (!r.Varint(&ndev) || ndev > count + 1) return corrupt("bad device table");
  std::vector<std::string> devices(ndev);
  for (auto& d : devices) {
    uint64_t len;
    if (!r.Varint(&len) || !r.Bytes(len, &d)) return corrupt("truncated device table");
  }
  if (!r.done()) return corrupt("trailing bytes");
  for (uint64_t i = 0; i < count; ++i) {
    if (device_refs[i] < 0 || static_cast<uint64_t>(device_refs[i]) >= ndev) {
      return corrupt("device index out of range");
    }
    out[i].device_id = devices[device_refs[i]];
  }
  return out;
}

bool InsertFix(std::vector<StoredFix>* fixes, StoredFix fix) {
  auto it = std::lower_bound(fixes->begin(), fixes->end(), fix.time_ms,
                             [](const StoredFix& f, int64_t t) { return f.time_ms < t; });
  for (auto same = it; same != fixes->end() && same->time_ms == fix.time_ms; ++same) {
    if (same->device_id == fix.device_id) return false;
  }
  fixes->insert(it, std::move(fix));
  return true;
}

}  // namespace gridwork::location
