#include "services/gateway/shard_merge.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "absl/base/casts.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gridwork/core/ids.h"
#include "gridwork/core/status_macros.h"

namespace gridwork::gateway {
namespace {

namespace pb = google::protobuf;

bool Unavailable(grpc::StatusCode c) {
  return c == grpc::StatusCode::UNAVAILABLE || c == grpc::StatusCode::DEADLINE_EXCEEDED ||
         c == grpc::StatusCode::CANCELLED || c == grpc::StatusCode::UNKNOWN;
}

grpc::Status ShardFailure(absl::string_view service, const ShardAnswer& a) {
  if (Unavailable(a.status.error_code())) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        absl::StrCat(service, " shard ", a.shard, " did not answer (",
                                     a.status.error_message(), "); no partial answer is given"));
  }
  return grpc::Status(a.status.error_code(),
                      absl::StrCat(service, " shard ", a.shard, ": ", a.status.error_message()));
}

constexpr char kTokenPrefix[] = "gwm1.";
constexpr char kTokenDomain[] = "gridwork-merged-page/1";

void PutField(std::string* out, absl::string_view v) { absl::StrAppend(out, v.size(), ":", v); }

bool GetField(absl::string_view* in, std::string* v) {
  size_t colon = in->find(':');
  if (colon == absl::string_view::npos || colon == 0 || colon > 9) return false;
  size_t n = 0;
  if (!absl::SimpleAtoi(in->substr(0, colon), &n) || in->size() - colon - 1 < n) return false;
  *v = std::string(in->substr(colon + 1, n));
  in->remove_prefix(colon + 1 + n);
  return true;
}

absl::Status BadToken() {
  return absl::InvalidArgumentError(
      "page_token is not a token of this list (modified, or from a different query)");
}

// The only repeated message field of a list response.
const pb::FieldDescriptor* ItemsField(const pb::Descriptor* d) {
  for (int i = 0; i < d->field_count(); ++i) {
    const pb::FieldDescriptor* f = d->field(i);
    if (f->is_repeated() && f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) return f;
  }
  return nullptr;
}

}  // namespace

grpc::Status FanOutStatus(absl::string_view service, const std::vector<ShardAnswer>& answers) {
  for (const ShardAnswer& a : answers) {
    if (!a.status.ok()) return ShardFailure(service, a);
  }
  return grpc::Status::OK;
}

grpc::Status CombineLookup(absl::string_view service, const std::vector<ShardAnswer>& answers,
                           int* ok) {
  *ok = -1;
  for (size_t i = 0; i < answers.size(); ++i) {
    if (answers[i].status.ok()) {
      *ok = static_cast<int>(i);
      return grpc::Status::OK;
    }
  }
  for (const ShardAnswer& a : answers) {
    if (a.status.error_code() != grpc::StatusCode::NOT_FOUND) return ShardFailure(service, a);
  }
  return answers.front().status;
}

location::v1::CountOnlineResponse MergeCountOnline(
    const std::vector<location::v1::CountOnlineResponse>& parts) {
  location::v1::CountOnlineResponse out;
  std::map<std::string, location::v1::RegionCount> children;
  for (const auto& p : parts) {
    out.set_online(out.online() + p.online());
    out.set_known(out.known() + p.known());
    for (const auto& c : p.children()) {
      location::v1::RegionCount& m = children[c.region_id()];
      m.set_region_id(c.region_id());
      m.set_online(m.online() + c.online());
      m.set_known(m.known() + c.known());
    }
  }
  for (auto& [id, c] : children) *out.add_children() = std::move(c);
  return out;
}

location::v1::FindNearbyWorkersResponse MergeNearby(
    const location::v1::FindNearbyWorkersRequest& req,
    const std::vector<location::v1::FindNearbyWorkersResponse>& parts) {
  const int limit = req.max_results() <= 0 ? 20 : std::min(req.max_results(), 200);
  std::vector<const location::v1::NearbyWorker*> all;
  for (const auto& p : parts) {
    for (const auto& w : p.workers()) all.push_back(&w);
  }
  std::stable_sort(all.begin(), all.end(), [](const auto* a, const auto* b) {
    if (a->distance_m() != b->distance_m()) return a->distance_m() < b->distance_m();
    return a->position().worker_id() < b->position().worker_id();
  });
  location::v1::FindNearbyWorkersResponse out;
  for (size_t i = 0; i < all.size() && static_cast<int>(i) < limit; ++i) {
    *out.add_workers() = *all[i];
  }
  return out;
}

workorder::v1::CountOrdersResponse MergeCountOrders(
    const std::vector<workorder::v1::CountOrdersResponse>& parts) {
  std::map<int, workorder::v1::CountOrdersResponse::Column> columns;
  workorder::v1::CountOrdersResponse out;
  for (const auto& p : parts) {
    out.set_total(out.total() + p.total());
    out.set_overdue(out.overdue() + p.overdue());
    for (const auto& c : p.columns()) {
      auto& m = columns[c.state()];
      m.set_state(c.state());
      m.set_count(m.count() + c.count());
      m.set_overdue(m.overdue() + c.overdue());
    }
  }
  for (auto& [state, c] : columns) *out.add_columns() = std::move(c);
  return out;
}

namespace {

void AddFigures(const analytics::v1::RegionFigures& from, analytics::v1::RegionFigures* to,
                double* weighted_coverage) {
  to->set_workers_total(to->workers_total() + from.workers_total());
  to->set_workers_online(to->workers_online() + from.workers_online());
  to->set_workers_in_own_grid(to->workers_in_own_grid() + from.workers_in_own_grid());
  to->set_grids(to->grids() + from.grids());
  to->set_orders_open(to->orders_open() + from.orders_open());
  to->set_orders_overdue(to->orders_overdue() + from.orders_overdue());
  to->set_orders_reported_today(to->orders_reported_today() + from.orders_reported_today());
  to->set_orders_closed_today(to->orders_closed_today() + from.orders_closed_today());
  *weighted_coverage += from.coverage_today() * from.grids();
}

}  // namespace

analytics::v1::Cockpit MergeCockpit(const std::vector<analytics::v1::Cockpit>& parts) {
  namespace av1 = analytics::v1;
  av1::Cockpit out;
  if (!parts.empty()) out.set_region_prefix(parts.front().region_prefix());
  out.mutable_total()->set_region_path(out.region_prefix());
  double total_coverage = 0;
  std::map<std::string, std::pair<av1::RegionFigures, double>> children;
  for (const av1::Cockpit& p : parts) {
    if (p.as_of().seconds() > out.as_of().seconds() ||
        (p.as_of().seconds() == out.as_of().seconds() && p.as_of().nanos() > out.as_of().nanos())) {
      *out.mutable_as_of() = p.as_of();
    }
    AddFigures(p.total(), out.mutable_total(), &total_coverage);
    for (const av1::RegionFigures& c : p.children()) {
      auto& [figures, coverage] = children[c.region_path()];
      figures.set_region_path(c.region_path());
      AddFigures(c, &figures, &coverage);
    }
    for (const auto& [state, n] : p.orders_by_state()) (*out.mutable_orders_by_state())[state] += n;
    av1::InspectionFigures* insp = out.mutable_inspections_today();
    const av1::InspectionFigures& pi = p.inspections_today();
    insp->set_assigned(insp->assigned() + pi.assigned());
    insp->set_done(insp->done() + pi.done());
    insp->set_done_on_time(insp->done_on_time() + pi.done_on_time());
    insp->set_missed(insp->missed() + pi.missed());
    insp->set_results(insp->results() + pi.results());
    insp->set_results_with_problems(insp->results_with_problems() + pi.results_with_problems());
    while (out.online_by_hour_size() < p.online_by_hour_size()) out.add_online_by_hour(0);
    for (int h = 0; h < p.online_by_hour_size(); ++h) {
      out.set_online_by_hour(h, out.online_by_hour(h) + p.online_by_hour(h));
    }
    for (const av1::Surge& s : p.surges()) *out.add_surges() = s;
    out.set_generation(out.generation() + p.generation());
  }
  if (out.total().grids() > 0) {
    out.mutable_total()->set_coverage_today(total_coverage / out.total().grids());
  }
  for (auto& [path, fc] : children) {
    auto& [figures, coverage] = fc;
    if (figures.grids() > 0) figures.set_coverage_today(coverage / figures.grids());
    *out.add_children() = std::move(figures);
  }
  std::stable_sort(out.mutable_surges()->begin(), out.mutable_surges()->end(),
                   [](const av1::Surge& a, const av1::Surge& b) {
                     return a.today() != b.today() ? a.today() > b.today()
                                                   : a.region_path() < b.region_path();
                   });
  return out;
}

analytics::v1::GetHeatmapResponse MergeHeatmap(
    const std::vector<analytics::v1::GetHeatmapResponse>& parts) {
  analytics::v1::GetHeatmapResponse out;
  std::map<std::pair<double, double>, analytics::v1::HeatCell> cells;
  for (const auto& p : parts) {
    if (out.cell_size_m() == 0) out.set_cell_size_m(p.cell_size_m());
    out.set_total(out.total() + p.total());
    for (const auto& c : p.cells()) {
      analytics::v1::HeatCell& m = cells[{c.center().lat(), c.center().lng()}];
      *m.mutable_center() = c.center();
      m.set_count(m.count() + c.count());
      for (const auto& [cat, n] : c.by_category()) (*m.mutable_by_category())[cat] += n;
    }
  }
  for (auto& [at, c] : cells) *out.add_cells() = std::move(c);
  return out;
}

analytics::v1::ListSurgesResponse MergeSurges(
    const std::vector<analytics::v1::ListSurgesResponse>& parts) {
  analytics::v1::ListSurgesResponse out;
  for (const auto& p : parts) {
    for (const auto& s : p.surges()) *out.add_surges() = s;
  }
  std::stable_sort(out.mutable_surges()->begin(), out.mutable_surges()->end(),
                   [](const analytics::v1::Surge& a, const analytics::v1::Surge& b) {
                     if (a.today() != b.today()) return a.today() > b.today();
                     if (a.region_path() != b.region_path())
                       return a.region_path() < b.region_path();
                     return a.category_id() < b.category_id();
                   });
  return out;
}

absl::StatusOr<analytics::v1::QuerySeriesResponse> MergeSeries(
    const std::vector<analytics::v1::QuerySeriesResponse>& parts) {
  namespace av1 = analytics::v1;
  constexpr size_t kMaxGroups = 200;  // analytics' limit (series.cc)
  using PeriodKey = std::pair<int64_t, int32_t>;
  std::map<PeriodKey, google::protobuf::Timestamp> periods;
  std::map<std::string, std::map<PeriodKey, double>> groups;
  for (const av1::QuerySeriesResponse& p : parts) {
    const bool empty_answer =
        p.series_size() == 1 && p.series(0).group().empty() &&
        std::all_of(p.series(0).points().begin(), p.series(0).points().end(),
                    [](const av1::SeriesPoint& pt) { return pt.value() == 0; });
    for (const av1::Series& s : p.series()) {
      std::map<PeriodKey, double>* values = empty_answer ? nullptr : &groups[s.group()];
      for (const av1::SeriesPoint& pt : s.points()) {
        const PeriodKey at{pt.period_start().seconds(), pt.period_start().nanos()};
        periods.emplace(at, pt.period_start());
        if (values != nullptr) (*values)[at] += pt.value();
      }
    }
  }
  if (groups.size() > kMaxGroups) {
    return absl::InvalidArgumentError(absl::StrCat(
        "more than ", kMaxGroups, " groups over all shards: narrow the region or filter"));
  }
  if (groups.empty() && !periods.empty()) groups[""];  // every shard empty: analytics' answer
  av1::QuerySeriesResponse out;
  for (const auto& [group, values] : groups) {
    av1::Series* s = out.add_series();
    s->set_group(group);
    double total = 0;
    for (const auto& [at, start] : periods) {
      auto it = values.find(at);
      const double v = it == values.end() ? 0.0 : it->second;
      av1::SeriesPoint* pt = s->add_points();
      *pt->mutable_period_start() = start;
      pt->set_value(v);
      total += v;
    }
    s->set_total(total);
  }
  return out;
}

namespace {

absl::Duration DurationOf(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

google::protobuf::Duration DurationProto(absl::Duration d) {
  google::protobuf::Duration out;
  const int64_t s = absl::IDivDuration(d, absl::Seconds(1), &d);
  out.set_seconds(s);
  out.set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(d)));
  return out;
}

// The counts of an order stats row (and its stage times) being summed.
struct OrderSums {
  analytics::v1::OrderStatsRow row;  // counts summed; rates not yet set
  int64_t rating_sum = 0;
  // stage -> (count, Σ average × count in seconds, largest p90)
  std::map<int, std::tuple<int64_t, double, google::protobuf::Duration>> stages;
};

void AddOrderRow(const analytics::v1::OrderStatsRow& from, OrderSums* to) {
  analytics::v1::OrderStatsRow& r = to->row;
  r.set_key(from.key());
  r.set_reported(r.reported() + from.reported());
  r.set_dispatched(r.dispatched() + from.dispatched());
  r.set_closed(r.closed() + from.closed());
  r.set_closed_on_time(r.closed_on_time() + from.closed_on_time());
  r.set_reopened(r.reopened() + from.reopened());
  r.set_overdue(r.overdue() + from.overdue());
  r.set_rated(r.rated() + from.rated());
  r.set_returned(r.returned() + from.returned());
  r.set_escalated(r.escalated() + from.escalated());
  r.set_cancelled_invalid(r.cancelled_invalid() + from.cancelled_invalid());
  r.set_open_now(r.open_now() + from.open_now());
  r.set_overdue_now(r.overdue_now() + from.overdue_now());
  to->rating_sum += std::llround(from.satisfaction() * static_cast<double>(from.rated()));
  for (const analytics::v1::StageTime& st : from.stages()) {
    auto& [count, weighted, p90] = to->stages[st.stage()];
    count += st.count();
    weighted += absl::ToDoubleSeconds(DurationOf(st.average())) * static_cast<double>(st.count());
    if (st.count() > 0 && DurationOf(st.p90()) > DurationOf(p90)) p90 = st.p90();
  }
}

analytics::v1::OrderStatsRow FinishOrderRow(OrderSums sums) {
  analytics::v1::OrderStatsRow r = std::move(sums.row);
  if (r.closed() > 0) {
    r.set_on_time_rate(static_cast<double>(r.closed_on_time()) / r.closed());
    r.set_reopen_rate(static_cast<double>(r.reopened()) / r.closed());
  }
  if (r.rated() > 0) r.set_satisfaction(static_cast<double>(sums.rating_sum) / r.rated());
  for (const auto& [stage, s] : sums.stages) {
    const auto& [count, weighted, p90] = s;
    analytics::v1::StageTime* st = r.add_stages();
    st->set_stage(stage);
    st->set_count(count);
    if (count > 0) {
      *st->mutable_average() = DurationProto(absl::Seconds(weighted / static_cast<double>(count)));
      *st->mutable_p90() = p90;
    }
  }
  return r;
}

void AddInspectionFigures(const analytics::v1::InspectionFigures& from,
                          analytics::v1::InspectionFigures* to) {
  to->set_assigned(to->assigned() + from.assigned());
  to->set_done(to->done() + from.done());
  to->set_done_on_time(to->done_on_time() + from.done_on_time());
  to->set_missed(to->missed() + from.missed());
  to->set_results(to->results() + from.results());
  to->set_results_with_problems(to->results_with_problems() + from.results_with_problems());
}

analytics::v1::InspectionStatsRow InspectionRow(const std::string& key,
                                                const analytics::v1::InspectionFigures& f) {
  analytics::v1::InspectionStatsRow row;
  row.set_key(key);
  *row.mutable_figures() = f;
  if (f.results() > 0) {
    row.set_problem_rate(static_cast<double>(f.results_with_problems()) / f.results());
  }
  if (f.assigned() > 0) row.set_done_rate(static_cast<double>(f.done()) / f.assigned());
  return row;
}

}  // namespace

analytics::v1::GetOrderStatsResponse MergeOrderStats(
    const std::vector<analytics::v1::GetOrderStatsResponse>& parts) {
  std::map<std::string, OrderSums> rows;
  OrderSums total;
  for (const auto& p : parts) {
    for (const auto& r : p.rows()) AddOrderRow(r, &rows[r.key()]);
    AddOrderRow(p.total(), &total);
  }
  analytics::v1::GetOrderStatsResponse out;
  for (auto& [key, sums] : rows) *out.add_rows() = FinishOrderRow(std::move(sums));
  total.row.set_key("total");
  *out.mutable_total() = FinishOrderRow(std::move(total));
  return out;
}

analytics::v1::GetInspectionStatsResponse MergeInspectionStats(
    const std::vector<analytics::v1::GetInspectionStatsResponse>& parts) {
  std::map<std::string, analytics::v1::InspectionFigures> rows;
  analytics::v1::InspectionFigures total;
  for (const auto& p : parts) {
    for (const auto& r : p.rows()) AddInspectionFigures(r.figures(), &rows[r.key()]);
    AddInspectionFigures(p.total().figures(), &total);
  }
  analytics::v1::GetInspectionStatsResponse out;
  for (const auto& [key, f] : rows) *out.add_rows() = InspectionRow(key, f);
  *out.mutable_total() = InspectionRow("total", total);
  return out;
}

absl::StatusOr<geofence::v1::BatchLocateResponse> MergeBatchLocate(
    int positions, const std::vector<geofence::v1::BatchLocateResponse>& parts) {
  geofence::v1::BatchLocateResponse out;
  for (int i = 0; i < positions; ++i) out.add_results();
  for (const auto& p : parts) {
    if (p.results_size() != positions) {
      return absl::InvalidArgumentError(absl::StrCat("a geofence shard answered ", p.results_size(),
                                                     " results for ", positions, " positions"));
    }
    for (int i = 0; i < positions; ++i) {
      if (p.results(i).found() && !out.results(i).found()) *out.mutable_results(i) = p.results(i);
    }
  }
  return out;
}

absl::StatusOr<std::set<std::string>> ImportDistricts(absl::string_view geojson) {
  pb::Struct doc;
  pb::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  if (!pb::util::JsonStringToMessage(std::string(geojson), &doc, options).ok()) {
    return absl::InvalidArgumentError("geojson is not a JSON object");
  }
  std::set<std::string> districts;
  auto features = doc.fields().find("features");
  if (features == doc.fields().end() || !features->second.has_list_value()) return districts;
  for (const pb::Value& f : features->second.list_value().values()) {
    if (!f.has_struct_value()) continue;
    const auto& fields = f.struct_value().fields();
    std::string id;
    if (auto props = fields.find("properties");
        props != fields.end() && props->second.has_struct_value()) {
      const auto& pf = props->second.struct_value().fields();
      if (auto it = pf.find("id"); it != pf.end()) id = it->second.string_value();
    }
    if (id.empty()) {
      if (auto it = fields.find("id"); it != fields.end()) id = it->second.string_value();
    }
    if (!id.empty()) districts.insert(id.substr(0, id.find('/')));
  }
  return districts;
}

std::string QueryFingerprint(const pb::Message& request) {
  std::unique_ptr<pb::Message> copy(request.New());
  copy->CopyFrom(request);
  const pb::Descriptor* d = copy->GetDescriptor();
  for (const char* name : {"page_size", "page_token"}) {
    if (const pb::FieldDescriptor* f = d->FindFieldByName(name)) {
      copy->GetReflection()->ClearField(copy.get(), f);
    }
  }
  std::string bytes;
  {
    pb::io::StringOutputStream raw(&bytes);
    pb::io::CodedOutputStream out(&raw);
    out.SetSerializationDeterministic(true);  // map fields in key order
    copy->SerializeToCodedStream(&out);
  }
  return Sha256Hex(absl::StrCat(d->full_name(), "\n", bytes));
}

std::string EncodeMergedToken(absl::string_view fingerprint,
                              const std::vector<ShardCursor>& cursors, absl::string_view extra) {
  std::string payload;
  PutField(&payload, fingerprint);
  PutField(&payload, absl::StrCat(cursors.size()));
  for (const ShardCursor& c : cursors) {
    PutField(&payload, c.shard);
    PutField(&payload, c.token);
    PutField(&payload, absl::StrCat(c.skip));
    PutField(&payload, c.done ? "1" : "0");
  }
  if (!extra.empty()) PutField(&payload, extra);
  return absl::StrCat(kTokenPrefix, absl::WebSafeBase64Escape(payload), ".",
                      Sha256Hex(absl::StrCat(kTokenDomain, payload)).substr(0, 32));
}

absl::StatusOr<std::vector<ShardCursor>> DecodeMergedToken(absl::string_view token,
                                                           absl::string_view fingerprint,
                                                           const std::vector<std::string>& shards,
                                                           std::string* extra) {
  std::vector<ShardCursor> cursors;
  if (extra != nullptr) extra->clear();
  if (token.empty()) {
    for (const std::string& s : shards) cursors.push_back(ShardCursor{s, "", 0, false});
    return cursors;
  }
  if (!absl::ConsumePrefix(&token, kTokenPrefix)) return BadToken();
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  std::string payload;
  if (parts.size() != 2 || !absl::WebSafeBase64Unescape(parts[0], &payload) ||
      Sha256Hex(absl::StrCat(kTokenDomain, payload)).substr(0, 32) != parts[1]) {
    return BadToken();
  }
  absl::string_view in = payload;
  std::string fp, count;
  size_t n = 0;
  if (!GetField(&in, &fp) || !GetField(&in, &count) || !absl::SimpleAtoi(count, &n)) {
    return BadToken();
  }
  if (fp != fingerprint || n != shards.size()) return BadToken();
  for (size_t i = 0; i < n; ++i) {
    ShardCursor c;
    std::string skip, done;
    if (!GetField(&in, &c.shard) || !GetField(&in, &c.token) || !GetField(&in, &skip) ||
        !GetField(&in, &done) || !absl::SimpleAtoi(skip, &c.skip) || c.skip < 0 ||
        (done != "0" && done != "1") || c.shard != shards[i]) {
      return BadToken();
    }
    c.done = done == "1";
    cursors.push_back(std::move(c));
  }
  std::string carried;
  if (!in.empty() && (!GetField(&in, &carried) || carried.empty() || !in.empty())) {
    return BadToken();
  }
  if (extra != nullptr) *extra = std::move(carried);
  return cursors;
}

int ShardPageSize(const ListSpec& spec, int requested, const ShardCursor& cursor) {
  int want = requested == 0 ? spec.default_page_size : std::min(requested, spec.max_page_size);
  return std::min(spec.max_page_size, cursor.skip + want);
}

absl::Status MergeListPage(const ListSpec& spec, int requested_page_size,
                           absl::string_view fingerprint, const std::vector<ShardCursor>& cursors,
                           const std::vector<const pb::Message*>& pages, pb::Message* out) {
  if (requested_page_size < 0) return absl::InvalidArgumentError("page_size must be >= 0");
  const int want = requested_page_size == 0 ? spec.default_page_size
                                            : std::min(requested_page_size, spec.max_page_size);
  const pb::Descriptor* d = out->GetDescriptor();
  const pb::FieldDescriptor* items = ItemsField(d);
  const pb::FieldDescriptor* next = d->FindFieldByName("next_page_token");
  if (items == nullptr || next == nullptr) {
    return absl::InternalError(absl::StrCat(d->full_name(), " is not a list response"));
  }
  struct Stream {
    const pb::Message* page = nullptr;
    int pos = 0;  // next item of the page
    int size = 0;
    std::string next;
  };
  std::vector<Stream> streams(cursors.size());
  for (size_t i = 0; i < cursors.size(); ++i) {
    if (cursors[i].done || pages[i] == nullptr) continue;
    Stream& s = streams[i];
    s.page = pages[i];
    s.size = s.page->GetReflection()->FieldSize(*s.page, items);
    s.pos = std::min(cursors[i].skip, s.size);
    s.next = s.page->GetReflection()->GetString(*s.page, next);
  }
  for (const pb::Message* page : pages) {
    if (page == nullptr) continue;
    out->CopyFrom(*page);  // the other fields: the first shard's
    out->GetReflection()->ClearField(out, items);
    out->GetReflection()->ClearField(out, next);
    break;
  }
  const pb::Reflection* r = out->GetReflection();
  int taken = 0;
  while (taken < want) {
    int best = -1;
    bool blocked = false;
    for (size_t i = 0; i < streams.size(); ++i) {
      const Stream& s = streams[i];
      if (s.page == nullptr) continue;
      if (s.pos >= s.size) {
        // A shard with more items than it sent: a later item of it may sort before the
        // others' heads, so this page ends here (an ordered merge never reorders pages).
        if (!s.next.empty() && spec.less != nullptr) blocked = true;
        continue;
      }
      if (best < 0) {
        best = static_cast<int>(i);
      } else if (spec.less != nullptr) {
        const Stream& b = streams[best];
        if (spec.less(s.page->GetReflection()->GetRepeatedMessage(*s.page, items, s.pos),
                      b.page->GetReflection()->GetRepeatedMessage(*b.page, items, b.pos))) {
          best = static_cast<int>(i);
        }
      }
      if (spec.less == nullptr) break;  // shard order: the first stream with items
    }
    if (blocked || best < 0) break;
    Stream& s = streams[best];
    r->AddMessage(out, items)
        ->CopyFrom(s.page->GetReflection()->GetRepeatedMessage(*s.page, items, s.pos));
    ++s.pos;
    ++taken;
  }
  std::vector<ShardCursor> after = cursors;
  bool more = false;
  for (size_t i = 0; i < cursors.size(); ++i) {
    const Stream& s = streams[i];
    ShardCursor& c = after[i];
    if (c.done) continue;
    if (s.page == nullptr) {
      more = true;  // not asked this round (cannot happen for a live shard; keep it)
      continue;
    }
    if (s.pos < s.size) {
      c.skip = s.pos;  // same shard page next time, skipping what was returned
    } else if (s.next.empty()) {
      c = ShardCursor{c.shard, "", 0, true};
    } else {
      c = ShardCursor{c.shard, s.next, 0, false};
    }
    if (!c.done) more = true;
  }
  if (more) r->SetString(out, next, EncodeMergedToken(fingerprint, after));
  return absl::OkStatus();
}

namespace {

bool AssessmentLess(const pb::Message& a, const pb::Message& b) {
  const auto& x = static_cast<const analytics::v1::AssessmentRow&>(a);
  const auto& y = static_cast<const analytics::v1::AssessmentRow&>(b);
  if (x.score() != y.score()) return x.score() > y.score();
  return x.worker_id() < y.worker_id();
}

// The ranking's state between pages (the token's `extra`): "before:score bits:rank:done".
struct RankCarry {
  int64_t before = 0;      // rows on the pages before
  double last_score = 0;   // the score of the last of them
  int32_t last_rank = 0;   // and its rank
  int64_t done_total = 0;  // total_workers of the shards exhausted before this page
};

std::string EncodeCarry(const RankCarry& c) {
  return absl::StrCat(c.before, ":", absl::bit_cast<uint64_t>(c.last_score), ":", c.last_rank, ":",
                      c.done_total);
}

bool DecodeCarry(absl::string_view s, RankCarry* c) {
  std::vector<absl::string_view> f = absl::StrSplit(s, ':');
  uint64_t bits = 0;
  if (f.size() != 4 || !absl::SimpleAtoi(f[0], &c->before) || !absl::SimpleAtoi(f[1], &bits) ||
      !absl::SimpleAtoi(f[2], &c->last_rank) || !absl::SimpleAtoi(f[3], &c->done_total) ||
      c->before < 0 || c->done_total < 0) {
    return false;
  }
  c->last_score = absl::bit_cast<double>(bits);
  return true;
}

}  // namespace

const ListSpec& AssessmentListSpec() {
  static const auto* spec = new ListSpec{100, 1000, AssessmentLess};
  return *spec;
}

absl::Status MergeAssessmentPage(int requested_page_size, absl::string_view fingerprint,
                                 const std::vector<ShardCursor>& cursors, absl::string_view extra,
                                 const std::vector<const pb::Message*>& pages,
                                 analytics::v1::ListAssessmentResponse* out) {
  namespace av1 = analytics::v1;
  RankCarry carry;
  if (!extra.empty() && !DecodeCarry(extra, &carry)) return BadToken();
  int64_t total = carry.done_total;
  const ShardCursor* first = nullptr;
  uint64_t version = 0;
  for (size_t i = 0; i < pages.size(); ++i) {
    if (pages[i] == nullptr) continue;
    const auto& p = static_cast<const av1::ListAssessmentResponse&>(*pages[i]);
    if (first == nullptr) {
      first = &cursors[i];
      version = p.config_version();
    } else if (p.config_version() != version) {
      return absl::FailedPreconditionError(absl::StrCat(
          "analytics shards ", first->shard, " and ", cursors[i].shard,
          " rank by different assessment configs (versions ", version, " and ", p.config_version(),
          "), so their scores do not compare; set the config through the gateway, which "
          "writes every shard"));
    }
    total += p.total_workers();
  }
  GW_RETURN_IF_ERROR(
      MergeListPage(AssessmentListSpec(), requested_page_size, fingerprint, cursors, pages, out));
  out->set_total_workers(static_cast<int32_t>(total));
  out->set_config_version(version);
  for (av1::AssessmentRow& row : *out->mutable_rows()) {
    const bool tie = carry.before > 0 && std::abs(row.score() - carry.last_score) < 1e-9;
    const int32_t rank = tie ? carry.last_rank : static_cast<int32_t>(carry.before + 1);
    row.set_rank(rank);
    ++carry.before;
    carry.last_score = row.score();
    carry.last_rank = rank;
  }
  if (out->next_page_token().empty()) return absl::OkStatus();
  std::vector<std::string> shards;
  for (const ShardCursor& c : cursors) shards.push_back(c.shard);
  GW_ASSIGN_OR_RETURN(std::vector<ShardCursor> after,
                      DecodeMergedToken(out->next_page_token(), fingerprint, shards));
  for (size_t i = 0; i < cursors.size(); ++i) {
    if (!cursors[i].done && after[i].done && pages[i] != nullptr) {
      carry.done_total +=
          static_cast<const av1::ListAssessmentResponse&>(*pages[i]).total_workers();
    }
  }
  out->set_next_page_token(EncodeMergedToken(fingerprint, after, EncodeCarry(carry)));
  return absl::OkStatus();
}

bool OrderListLess(const pb::Message& a, const pb::Message& b) {
  const auto& x = static_cast<const workorder::v1::WorkOrder&>(a);
  const auto& y = static_cast<const workorder::v1::WorkOrder&>(b);
  if (x.state() != y.state()) return x.state() < y.state();
  if (x.region_path() != y.region_path()) return x.region_path() < y.region_path();
  if (x.created_at().seconds() != y.created_at().seconds()) {
    return x.created_at().seconds() > y.created_at().seconds();
  }
  if (x.created_at().nanos() != y.created_at().nanos()) {
    return x.created_at().nanos() > y.created_at().nanos();
  }
  return x.id() < y.id();
}

}  // namespace gridwork::gateway
