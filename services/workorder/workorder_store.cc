#include "services/workorder/workorder_store.h"

#include <rocksdb/options.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gridwork/core/log.h"
#include "gridwork/core/status_macros.h"
#include "gridwork/store/family_tuning.h"
#include "gridwork/store/key_codec.h"
#include "gridwork/store/stored_proto.h"
#include "services/workorder/transition_table.h"

namespace gridwork::workorder {
namespace {

using store::KeyBuilder;
using store::ParseStoredProto;

constexpr char kOrders[] = "orders";
constexpr char kHistory[] = "history";
constexpr char kOpenOrders[] = "open_orders";
constexpr char kByState[] = "by_state";
constexpr char kByReporter[] = "by_reporter";
constexpr char kByCategory[] = "by_category";
constexpr char kTimers[] = "timers";
constexpr char kPhotos[] = "photos";
constexpr char kPhotoBlobs[] = "photo_blobs";
constexpr char kPhotoRefs[] = "photo_refs";
constexpr char kCategories[] = "categories";
constexpr char kRules[] = "rules";

int64_t Millis(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000 + t.nanos() / 1000000;
}

std::string StateKey(const v1::WorkOrder& o) {
  return KeyBuilder()
      .Uint32(static_cast<uint32_t>(o.state()))
      .String(o.region_path())
      .Int64(-Millis(o.created_at()))
      .String(o.id())
      .Build();
}

std::string ReporterKey(const v1::WorkOrder& o) {
  return KeyBuilder().String(o.reporter()).Int64(-Millis(o.created_at())).String(o.id()).Build();
}

std::string CategoryKey(const v1::WorkOrder& o) {
  return KeyBuilder().String(o.category_id()).Int64(Millis(o.created_at())).String(o.id()).Build();
}

// by_state key -> (region path, order id).
bool ParseStateKey(absl::string_view key, std::string* region, std::string* id) {
  uint32_t state = 0;
  int64_t neg_created = 0;
  return store::GetFixed32BE(&key, &state) && store::GetStringComponent(&key, region) &&
         store::GetOrderedInt64(&key, &neg_created) && store::GetStringComponent(&key, id) &&
         key.empty();
}

// The order id is the last string component of every index key.
bool TrailingOrderId(absl::string_view key, size_t skip_fixed, int skip_strings, std::string* id) {
  std::string ignored;
  for (int i = 0; i < skip_strings; ++i) {
    if (!store::GetStringComponent(&key, &ignored)) return false;
  }
  if (key.size() < skip_fixed) return false;
  key.remove_prefix(skip_fixed);
  return store::GetStringComponent(&key, id) && key.empty();
}

// Visits [start, limit) of `family`, skipping `after_key` itself, handing the order id.
absl::Status ScanIndex(store::Db* db, const store::FamilyHandle& family, std::string start,
                       const std::string& limit, const std::string& after_key,
                       const std::function<bool(absl::string_view, std::string*)>& parse_id,
                       const std::function<bool(const std::string&, const std::string&)>& fn) {
  if (!after_key.empty() && after_key >= start) start = after_key;
  absl::Status error;
  GW_RETURN_IF_ERROR(
      db->ScanRange(family, start, limit, [&](absl::string_view k, absl::string_view) {
        if (k == after_key) return true;
        std::string id;
        if (!parse_id(k, &id)) {
          error = absl::DataLossError("malformed work-order index key");
          return false;
        }
        return fn(std::string(k), id);
      }));
  return error;
}

}  // namespace

absl::StatusOr<std::unique_ptr<WorkOrderStore>> WorkOrderStore::Open(const std::string& dir,
                                                                     Clock* clock, bool sync,
                                                                     bool pipelined_sync) {
  std::unique_ptr<WorkOrderStore> s(new WorkOrderStore());
  store::DbOptions opts;
  opts.path = dir;
  opts.service_name = "workorder";
  opts.sync = sync;
  opts.pipelined_sync = pipelined_sync;
  opts.clock = clock;
  auto blob_files = [](rocksdb::ColumnFamilyOptions* o) {
    // Photos are large and written once: keep them out of the LSM tree (no rewrite of the
    // bytes at every compaction).
    o->enable_blob_files = true;
    o->min_blob_size = 4096;
    o->compression = rocksdb::kNoCompression;  // JPEG/PNG are compressed already
    o->blob_compression_type = rocksdb::kNoCompression;
  };
  GW_ASSIGN_OR_RETURN(
      s->db_,
      store::Db::Open(
          opts,
          {{kOrders, "order id -> WorkOrder", store::TuneForPointLookups},
           {kHistory, "str(order id) u64(seq) -> OrderEvent (hash-chained)",
            store::TuneForScansByFirstComponent},
           {kOpenOrders, "order id -> '' (every open order; their by_state keys are in memory)"},
           {kByState,
            "u32(state) str(region path) i64(-created ms) str(order id) -> '' (closed and "
            "cancelled orders)"},
           {kByReporter, "str(reporter) i64(-created ms) str(order id) -> ''"},
           {kByCategory, "str(category) i64(created ms) str(order id) -> ''"},
           {kTimers, "i64(due ms) str(order id) u32(kind) -> u32(stage) i64(deadline ms)"},
           {kPhotos, "sha256 -> PhotoRecord"},
           {kPhotoBlobs, "sha256 -> image bytes", blob_files},
           {kPhotoRefs, "str(sha256) str(order id) -> ''"},
           {kCategories, "category id -> Category"},
           {kRules, "rule id -> DispatchRule"}}));
  const std::pair<const char*, store::FamilyHandle*> handles[] = {
      {kOrders, &s->orders_},          {kHistory, &s->history_},
      {kOpenOrders, &s->open_orders_}, {kByState, &s->by_state_},
      {kByReporter, &s->by_reporter_}, {kByCategory, &s->by_category_},
      {kTimers, &s->timers_},          {kPhotos, &s->photos_},
      {kPhotoBlobs, &s->photo_blobs_}, {kPhotoRefs, &s->photo_refs_},
      {kCategories, &s->categories_},  {kRules, &s->rules_}};
  for (const auto& [name, handle] : handles) {
    GW_ASSIGN_OR_RETURN(*handle, s->db_->Family(name));
  }
  GW_RETURN_IF_ERROR(s->ConvertOpenStateKeys());
  GW_RETURN_IF_ERROR(s->LoadOpenOrders());
  return s;
}

absl::Status WorkOrderStore::ConvertOpenStateKeys() {
  std::vector<std::pair<std::string, std::string>> found;  // (by_state key, order id)
  for (int s = v1::State_MIN; s <= v1::State_MAX; ++s) {
    const auto state = static_cast<v1::State>(s);
    if (!v1::State_IsValid(s) || !IsOpenState(state)) continue;
    const std::string prefix = KeyBuilder().Uint32(static_cast<uint32_t>(s)).Build();
    absl::Status error;
    GW_RETURN_IF_ERROR(
        db_->ScanPrefix(by_state_, prefix, [&](absl::string_view k, absl::string_view) {
          std::string region, id;
          if (!ParseStateKey(k, &region, &id)) {
            error = absl::DataLossError("malformed by_state index key");
            return false;
          }
          found.emplace_back(std::string(k), std::move(id));
          return true;
        }));
    GW_RETURN_IF_ERROR(error);
  }
  constexpr size_t kPerCommit = 1000;
  for (size_t i = 0; i < found.size(); i += kPerCommit) {
    store::WriteRequest write;
    for (size_t j = i; j < found.size() && j < i + kPerCommit; ++j) {
      write.Delete(by_state_, found[j].first);
      write.Put(open_orders_, found[j].second, "");
    }
    GW_RETURN_IF_ERROR(db_->Commit(std::move(write)).status());
  }
  if (!found.empty()) {
    log::Info("workorder store: open orders moved from by_state to open_orders",
              {{"orders", static_cast<int64_t>(found.size())}});
  }
  return absl::OkStatus();
}

absl::Status WorkOrderStore::LoadOpenOrders() {
  const absl::Time start = absl::Now();
  std::vector<std::string> ids;
  GW_RETURN_IF_ERROR(db_->ScanPrefix(open_orders_, "", [&](absl::string_view k, absl::string_view) {
    ids.emplace_back(k);
    return true;
  }));
  int64_t missing = 0, not_open = 0;
  for (const std::string& id : ids) {
    absl::StatusOr<v1::WorkOrder> order = GetOrder(id);
    if (absl::IsNotFound(order.status())) {
      ++missing;
      continue;
    }
    GW_RETURN_IF_ERROR(order.status());
    if (!IsOpenState(order->state())) {
      ++not_open;
      continue;
    }
    open_index_.Set(id, StateKey(*order));
  }
  if (missing > 0 || not_open > 0) {
    // Both would mean a write that broke the contract of PutOrder; the orders themselves are
    // intact, and the index holds exactly the open ones.
    log::Warning("workorder store: open_orders names orders that are not open",
                 {{"missing", missing}, {"not_open", not_open}});
  }
  log::Info("workorder store: open orders indexed",
            {{"orders", static_cast<int64_t>(open_index_.size())},
             {"ms", absl::ToInt64Milliseconds(absl::Now() - start)}});
  return absl::OkStatus();
}

// ---- Orders and history --------------------------------------------------------------------

absl::StatusOr<v1::WorkOrder> WorkOrderStore::GetOrder(const std::string& order_id) const {
  auto v = db_->Get(orders_, order_id);
  if (absl::IsNotFound(v.status())) {
    return absl::NotFoundError(absl::StrCat("work order ", order_id, " does not exist"));
  }
  GW_RETURN_IF_ERROR(v.status());
  return ParseStoredProto<v1::WorkOrder>(*v, "work order");
}

void WorkOrderStore::PutOrder(const v1::WorkOrder& order, const v1::WorkOrder* previous,
                              store::WriteRequest* req) const {
  req->Put(orders_, order.id(), order.SerializeAsString());
  const bool open = IsOpenState(order.state());
  if (previous == nullptr) {
    if (open) {
      req->Put(open_orders_, order.id(), "");
    } else {
      req->Put(by_state_, StateKey(order), "");
    }
    req->Put(by_reporter_, ReporterKey(order), "");
    req->Put(by_category_, CategoryKey(order), "");
    return;
  }
  const bool was_open = IsOpenState(previous->state());
  if (was_open && open) return;  // the move is in memory only (Indexed)
  if (was_open) {
    req->Delete(open_orders_, order.id());
    req->Put(by_state_, StateKey(order), "");
    return;
  }
  // No rule leaves CLOSED or CANCELLED (RATE keeps the key); kept correct all the same.
  const std::string old_key = StateKey(*previous);
  if (open) {
    req->Delete(by_state_, old_key);
    req->Put(open_orders_, order.id(), "");
    return;
  }
  std::string new_key = StateKey(order);
  if (old_key != new_key) {
    req->Delete(by_state_, old_key);
    req->Put(by_state_, new_key, "");
  }
}

void WorkOrderStore::Indexed(const v1::WorkOrder& order) {
  open_index_.Set(order.id(), IsOpenState(order.state()) ? StateKey(order) : std::string());
}

absl::Status WorkOrderStore::Reindex(const std::string& order_id) {
  absl::StatusOr<v1::WorkOrder> order = GetOrder(order_id);
  if (absl::IsNotFound(order.status())) {
    open_index_.Set(order_id, "");
    return absl::OkStatus();
  }
  GW_RETURN_IF_ERROR(order.status());
  Indexed(*order);
  return absl::OkStatus();
}

void WorkOrderStore::PutHistoryEvent(const v1::OrderEvent& event, store::WriteRequest* req) const {
  req->Put(history_, KeyBuilder().String(event.order_id()).Uint64(event.seq()).Build(),
           event.SerializeAsString());
}

absl::StatusOr<std::vector<v1::OrderEvent>> WorkOrderStore::GetHistory(
    const std::string& order_id) const {
  std::vector<v1::OrderEvent> out;
  absl::Status error;
  GW_RETURN_IF_ERROR(db_->ScanPrefix(
      history_, KeyBuilder().String(order_id).Build(), [&](absl::string_view, absl::string_view v) {
        auto e = ParseStoredProto<v1::OrderEvent>(v, "history event");
        if (!e.ok()) {
          error = e.status();
          return false;
        }
        out.push_back(*std::move(e));
        return true;
      }));
  GW_RETURN_IF_ERROR(error);
  return out;
}

absl::Status WorkOrderStore::ScanState(v1::State state, const std::string& region_prefix,
                                       const std::string& after_key, const StateScanFn& fn) const {
  std::string prefix = KeyBuilder().Uint32(static_cast<uint32_t>(state)).Build() + region_prefix;
  std::string start = prefix;
  if (!after_key.empty() && after_key >= start) start = after_key;
  const std::string limit = store::PrefixSuccessor(prefix);
  absl::Status error;
  auto visit = [&](absl::string_view k) {
    if (k == after_key) return true;
    std::string region, id;
    if (!ParseStateKey(k, &region, &id)) {
      error = absl::DataLossError("malformed by_state index key");
      return false;
    }
    return fn(std::string(k), region, id);
  };
  if (IsOpenState(state)) {
    open_index_.Scan(start, limit, visit);
  } else {
    GW_RETURN_IF_ERROR(db_->ScanRange(
        by_state_, start, limit, [&](absl::string_view k, absl::string_view) { return visit(k); }));
  }
  return error;
}

absl::Status WorkOrderStore::ScanReporter(
    const std::string& reporter, const std::string& after_key,
    const std::function<bool(const std::string&, const std::string&)>& fn) const {
  std::string prefix = KeyBuilder().String(reporter).Build();
  return ScanIndex(
      db_.get(), by_reporter_, prefix, store::PrefixSuccessor(prefix), after_key,
      [](absl::string_view k, std::string* id) { return TrailingOrderId(k, 8, 1, id); }, fn);
}

absl::Status WorkOrderStore::ScanCategorySince(
    const std::string& category_id, absl::Time since,
    const std::function<bool(const std::string&)>& fn) const {
  std::string prefix = KeyBuilder().String(category_id).Build();
  std::string start = KeyBuilder().String(category_id).Int64(absl::ToUnixMillis(since)).Build();
  return ScanIndex(
      db_.get(), by_category_, start, store::PrefixSuccessor(prefix), "",
      [](absl::string_view k, std::string* id) { return TrailingOrderId(k, 8, 1, id); },
      [&](const std::string&, const std::string& id) { return fn(id); });
}

// ---- Timers --------------------------------------------------------------------------------

void WorkOrderStore::PutTimer(absl::Time due, const std::string& order_id, TimerKind kind,
                              v1::Stage stage, absl::Time deadline,
                              store::WriteRequest* req) const {
  std::string key = KeyBuilder()
                        .Int64(absl::ToUnixMillis(due))
                        .String(order_id)
                        .Uint32(static_cast<uint32_t>(kind))
                        .Build();
  std::string value;
  store::PutFixed32BE(&value, static_cast<uint32_t>(stage));
  store::PutOrderedInt64(&value, absl::ToUnixMillis(deadline));
  req->Put(timers_, key, value);
}

void WorkOrderStore::DeleteTimer(const TimerEntry& t, store::WriteRequest* req) const {
  req->Delete(timers_, t.key);
}

absl::StatusOr<std::vector<TimerEntry>> WorkOrderStore::DueTimers(absl::Time now,
                                                                  size_t limit) const {
  std::vector<TimerEntry> out;
  absl::Status error;
  std::string limit_key = KeyBuilder().Int64(absl::ToUnixMillis(now) + 1).Build();
  GW_RETURN_IF_ERROR(
      db_->ScanRange(timers_, "", limit_key, [&](absl::string_view k, absl::string_view v) {
        TimerEntry t;
        t.key = std::string(k);
        int64_t due_ms = 0, deadline_ms = 0;
        uint32_t kind = 0, stage = 0;
        absl::string_view key = k, value = v;
        if (!store::GetOrderedInt64(&key, &due_ms) ||
            !store::GetStringComponent(&key, &t.order_id) || !store::GetFixed32BE(&key, &kind) ||
            !key.empty() || !store::GetFixed32BE(&value, &stage) ||
            !store::GetOrderedInt64(&value, &deadline_ms) || !value.empty()) {
          error = absl::DataLossError("malformed SLA timer record");
          return false;
        }
        t.due = absl::FromUnixMillis(due_ms);
        t.kind = static_cast<TimerKind>(kind);
        t.stage = static_cast<v1::Stage>(stage);
        t.deadline = absl::FromUnixMillis(deadline_ms);
        out.push_back(std::move(t));
        return out.size() < limit;
      }));
  GW_RETURN_IF_ERROR(error);
  return out;
}

absl::StatusOr<uint64_t> WorkOrderStore::CountTimers() const {
  uint64_t n = 0;
  GW_RETURN_IF_ERROR(db_->ScanPrefix(timers_, "", [&](absl::string_view, absl::string_view) {
    ++n;
    return true;
  }));
  return n;
}

// ---- Photos --------------------------------------------------------------------------------

absl::StatusOr<v1::PhotoRecord> WorkOrderStore::GetPhotoRecord(const std::string& sha256) const {
  auto v = db_->Get(photos_, sha256);
  if (absl::IsNotFound(v.status())) {
    return absl::NotFoundError(absl::StrCat("photo ", sha256, " was not uploaded"));
  }
  GW_RETURN_IF_ERROR(v.status());
  return ParseStoredProto<v1::PhotoRecord>(*v, "photo record");
}

absl::StatusOr<std::string> WorkOrderStore::GetPhotoBytes(const std::string& sha256) const {
  auto v = db_->Get(photo_blobs_, sha256);
  if (absl::IsNotFound(v.status())) {
    return absl::DataLossError(absl::StrCat("photo ", sha256, " has a record but no content"));
  }
  return v;
}

void WorkOrderStore::PutPhoto(const v1::PhotoRecord& record, const std::string& bytes,
                              store::WriteRequest* req) const {
  req->Put(photos_, record.sha256(), record.SerializeAsString());
  req->Put(photo_blobs_, record.sha256(), bytes);
}

void WorkOrderStore::PutPhotoRef(const std::string& sha256, const std::string& order_id,
                                 store::WriteRequest* req) const {
  req->Put(photo_refs_, KeyBuilder().String(sha256).String(order_id).Build(), "");
}

absl::StatusOr<bool> WorkOrderStore::HasPhotoRef(const std::string& sha256,
                                                 const std::string& order_id) const {
  auto v = db_->Get(photo_refs_, KeyBuilder().String(sha256).String(order_id).Build());
  if (absl::IsNotFound(v.status())) return false;
  GW_RETURN_IF_ERROR(v.status());
  return true;
}

// ---- Catalogue -----------------------------------------------------------------------------

absl::StatusOr<std::vector<v1::Category>> WorkOrderStore::LoadCategories() const {
  std::vector<v1::Category> out;
  absl::Status error;
  GW_RETURN_IF_ERROR(db_->ScanPrefix(categories_, "", [&](absl::string_view, absl::string_view v) {
    auto c = ParseStoredProto<v1::Category>(v, "category");
    if (!c.ok()) {
      error = c.status();
      return false;
    }
    out.push_back(*std::move(c));
    return true;
  }));
  GW_RETURN_IF_ERROR(error);
  return out;
}

void WorkOrderStore::PutCategory(const v1::Category& c, store::WriteRequest* req) const {
  req->Put(categories_, c.id(), c.SerializeAsString());
}

absl::StatusOr<std::vector<v1::DispatchRule>> WorkOrderStore::LoadRules() const {
  std::vector<v1::DispatchRule> out;
  absl::Status error;
  GW_RETURN_IF_ERROR(db_->ScanPrefix(rules_, "", [&](absl::string_view, absl::string_view v) {
    auto r = ParseStoredProto<v1::DispatchRule>(v, "dispatch rule");
    if (!r.ok()) {
      error = r.status();
      return false;
    }
    out.push_back(*std::move(r));
    return true;
  }));
  GW_RETURN_IF_ERROR(error);
  return out;
}

void WorkOrderStore::PutRule(const v1::DispatchRule& r, store::WriteRequest* req) const {
  req->Put(rules_, r.id(), r.SerializeAsString());
}

void WorkOrderStore::DeleteRule(const std::string& id, store::WriteRequest* req) const {
  req->Delete(rules_, id);
}

}  // namespace gridwork::workorder
