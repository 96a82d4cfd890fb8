// Pure pieces of the gateway's shard fan-out (shard_fanout.h runs the calls): how answers
// of several shards become one, and the composite page token of a merged list.
//
// Every function here is deterministic and does no I/O, so it is unit-tested directly
// (shard_router_test.cc).
//
// Thread safety: plain functions.
#ifndef GRIDWORK_SERVICES_GATEWAY_SHARD_MERGE_H_
#define GRIDWORK_SERVICES_GATEWAY_SHARD_MERGE_H_

#include <grpcpp/support/status.h>

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "gridwork/analytics/v1/analytics.pb.h"
#include "gridwork/geofence/v1/geofence.pb.h"
#include "gridwork/location/v1/location.pb.h"
#include "gridwork/workorder/v1/workorder.pb.h"

namespace gridwork::gateway {

// One shard's answer to a fanned-out call.
struct ShardAnswer {
  std::string shard;  // "d1"
  grpc::Status status;
  std::string response;  // serialized response message when status is OK
};

// The one status a fan-out answers with when not every shard answered OK: the first failed
// shard in shard order. UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED and UNKNOWN become
// UNAVAILABLE "<service> shard <id> did not answer (...)": the gateway never answers with a
// silently partial result. Any other code is kept, its message prefixed with the shard.
// OK iff every answer is OK.
grpc::Status FanOutStatus(absl::string_view service, const std::vector<ShardAnswer>& answers);

// The answer of a lookup by opaque id asked of the default shard and then of the others
// (shard_fanout.h): the first OK answer; else, if any shard failed other than NOT_FOUND,
// that failure (as FanOutStatus: UNAVAILABLE naming the shard that may hold the object);
// else the default shard's NOT_FOUND. Returns the index of the chosen OK answer in `*ok`
// (-1 when the result is an error). REQUIRES: !answers.empty(); answers[0] is the default.
grpc::Status CombineLookup(absl::string_view service, const std::vector<ShardAnswer>& answers,
                           int* ok);

// CountOnline: online and known summed; children summed per region_id, sorted by it.
location::v1::CountOnlineResponse MergeCountOnline(
    const std::vector<location::v1::CountOnlineResponse>& parts);

// FindNearbyWorkers: all workers nearest first (ties by worker id), cut at the request's
// limit (location's rule: 0 -> 20, at most 200). Each shard already answered its own
// nearest `limit`, so the first `limit` of the union are the global nearest.
location::v1::FindNearbyWorkersResponse MergeNearby(
    const location::v1::FindNearbyWorkersRequest& req,
    const std::vector<location::v1::FindNearbyWorkersResponse>& parts);

// CountOrders: every column, total and overdue summed per state (columns in enum order).
workorder::v1::CountOrdersResponse MergeCountOrders(
    const std::vector<workorder::v1::CountOrdersResponse>& parts);

// GetCockpit of disjoint districts: counts, orders by state, inspection figures and online
// workers per hour summed; children (one district each) and surges (most today first)
// concatenated; as_of the latest; generation the sum (so it grows whenever a part does).
// coverage_today is averaged weighted by `grids` (exact only when grids have equal numbers
// of cells: the shards do not report their cell counts).
analytics::v1::Cockpit MergeCockpit(const std::vector<analytics::v1::Cockpit>& parts);

// GetHeatmap of disjoint districts: cells with the same centre (a cell on a border between
// districts) summed, counts per category too; total summed; cell_size_m of the first part.
// Cells ordered by centre (lat, then lng).
analytics::v1::GetHeatmapResponse MergeHeatmap(
    const std::vector<analytics::v1::GetHeatmapResponse>& parts);

// ---- Windowed analytics of disjoint districts -------------------------------------------
//
// Each analytics shard holds the counters of its own districts only (a worker's fixes count
// on the shard of the grids the worker is bound to), so a figure that is a sum of counters is
// the sum of the shards' figures. Ratios and averages are recomputed from the summed counts.
// Not exact: a worker bound to grids of districts on two shards is counted on both (fixes,
// active workers, assessment), as no shard knows the other's bindings.

// ListSurges: every shard's surges (a surge is of one community, so of one district and one
// shard), ordered as analytics orders them: most today first, then region path, then
// category id. Exact.
analytics::v1::ListSurgesResponse MergeSurges(
    const std::vector<analytics::v1::ListSurgesResponse>& parts);

// QuerySeries: series with the same group summed point by point (points matched by
// period_start; a period that only some shards answered, as when the window's unset end
// fell on a period boundary between their clocks, is kept with the others' zero) and each
// total recomputed as the sum of its points; groups in key order, every group with every
// period. A shard with no counters answers one all-zero series "" (analytics' empty answer);
// it adds no group unless every shard answered so. Exact. INVALID_ARGUMENT if the merged
// series have more than 200 groups (analytics' own limit for one query).
absl::StatusOr<analytics::v1::QuerySeriesResponse> MergeSeries(
    const std::vector<analytics::v1::QuerySeriesResponse>& parts);

// GetOrderStats: rows with the same key (and the total) summed, counts and open/overdue now;
// on_time_rate, reopen_rate and satisfaction recomputed from the summed counts (a shard's
// rating sum is its satisfaction × rated, rounded: ratings are whole numbers). Stage times:
// count summed, average weighted by count (exact to the nanosecond); p90 is the largest of
// the shards' p90 (each is the upper bound of the histogram bucket holding that shard's 90th
// percentile; the merged 90th percentile lies between the smallest and the largest, so the
// largest is an upper bound, exact when one shard has samples of the stage or all agree,
// else up to a few buckets high: the shards do not return their histograms). Rows by key.
analytics::v1::GetOrderStatsResponse MergeOrderStats(
    const std::vector<analytics::v1::GetOrderStatsResponse>& parts);

// GetInspectionStats: figures of rows with the same key (and the total) summed; problem_rate
// and done_rate recomputed from the sums. Exact. Rows by key.
analytics::v1::GetInspectionStatsResponse MergeInspectionStats(
    const std::vector<analytics::v1::GetInspectionStatsResponse>& parts);

// BatchLocate: result i is the first part whose result i is found (districts are disjoint,
// so at most one shard finds a point), else not found. INVALID_ARGUMENT if a part has a
// different number of results than `positions`.
absl::StatusOr<geofence::v1::BatchLocateResponse> MergeBatchLocate(
    int positions, const std::vector<geofence::v1::BatchLocateResponse>& parts);

// The districts (first path component of each feature's id: properties.id, else the
// feature's string id) of an ImportRegions GeoJSON. INVALID_ARGUMENT if it does not parse as
// a JSON object; features without an id are skipped (geofence reports them).
absl::StatusOr<std::set<std::string>> ImportDistricts(absl::string_view geojson);

// ---- Merged lists -------------------------------------------------------------------------
//
// A list fanned out over n shards pages with a composite token holding, per shard, the
// shard's own page token where its next page starts, how many items of that page the merged
// pages already returned (`skip`), and whether the shard is exhausted:
//
//   token   = "gwm1." base64url(payload) "." hex(SHA-256("gridwork-merged-page/1" payload))[0,32)
//   payload = netstrings: query fingerprint, n, then per shard: id, token, skip, done;
//             then the merge's own state (`extra`) if it has any
//
// The checksum makes a modified token INVALID_ARGUMENT rather than a silent wrong page; it
// is not a secret (a forged token can only hand shards their own page tokens, which every
// shard validates and scopes itself). The query fingerprint (SHA-256 of the request with
// page_size and page_token cleared) refuses a token used with different filters.

struct ShardCursor {
  std::string shard;
  std::string token;  // the shard's page token ("" = its first page)
  int skip = 0;       // items of that page already returned
  bool done = false;  // the shard has no more items
};

// The fingerprint of a list request: hex SHA-256 of the request without paging fields.
std::string QueryFingerprint(const google::protobuf::Message& request);

// `extra` is state of the merge itself (e.g. a ranking's position, MergeAssessmentPage),
// carried after the cursors when not empty and covered by the checksum.
std::string EncodeMergedToken(absl::string_view fingerprint,
                              const std::vector<ShardCursor>& cursors,
                              absl::string_view extra = "");

// The cursors of `token` for `shards` (in routing order); a fresh cursor per shard for an
// empty token; the token's `extra` in `*extra` ("" if none). INVALID_ARGUMENT when the token is
// malformed, its checksum does not match, it was issued for another query, or it names other
// shards.
absl::StatusOr<std::vector<ShardCursor>> DecodeMergedToken(absl::string_view token,
                                                           absl::string_view fingerprint,
                                                           const std::vector<std::string>& shards,
                                                           std::string* extra = nullptr);

// How a merged list is read: the repeated item field of the response is found by
// reflection (the only repeated message field), paging by the AIP-132 field names.
struct ListSpec {
  int default_page_size = 50;
  int max_page_size = 500;
  // Strict weak order of items as the shards list them; nullptr = shard order
  // (concatenation).
  std::function<bool(const google::protobuf::Message&, const google::protobuf::Message&)> less;
};

// The page size a shard is asked for, given the caller's page size and the cursor's skip.
int ShardPageSize(const ListSpec& spec, int requested, const ShardCursor& cursor);

// Merges one round: `pages[i]` is shard i's answer to its cursor (nullptr for a done
// shard). Takes items in `spec.less` order (skipping each cursor's `skip`) until the page is
// full or a shard that has more runs out of fetched items (so the merged order holds across
// pages); fills `out` (a response of the list's type) with the items and the next token.
// Other fields of the response (e.g. GetCoverage's cell_size_m) are those of the first
// shard that answered.
// INVALID_ARGUMENT if the requested page size is negative.
absl::Status MergeListPage(const ListSpec& spec, int requested_page_size,
                           absl::string_view fingerprint, const std::vector<ShardCursor>& cursors,
                           const std::vector<const google::protobuf::Message*>& pages,
                           google::protobuf::Message* out);

// ListAssessment over shards: rows merged best first (score descending, then worker id, as
// analytics ranks), ranks recomputed over every shard's rows (1 = best; a row whose score is
// within 1e-9 of the row before it shares its rank, as analytics ranks), total_workers summed.
// The rank of a row needs the number of rows before it and the score and rank of the row
// just before, across pages: the next token carries them (`extra`, with the total_workers of
// shards already exhausted), so every page ranks as one unsharded list would.
// `extra` is the token's extra ("" on the first page). FAILED_PRECONDITION if the shards
// answered with different assessment config versions (their scores are not comparable: set
// the config through the gateway, which writes every shard). INVALID_ARGUMENT for a bad
// `extra` or page size. Paging as MergeListPage.
absl::Status MergeAssessmentPage(int requested_page_size, absl::string_view fingerprint,
                                 const std::vector<ShardCursor>& cursors, absl::string_view extra,
                                 const std::vector<const google::protobuf::Message*>& pages,
                                 analytics::v1::ListAssessmentResponse* out);

// The page sizes of ListAssessment (analytics: default 100, maximum 1000) and its order.
const ListSpec& AssessmentListSpec();

// The order ListOrders lists in: state, then region path, then newest first (then id).
bool OrderListLess(const google::protobuf::Message& a, const google::protobuf::Message& b);

}  // namespace gridwork::gateway

#endif  // GRIDWORK_SERVICES_GATEWAY_SHARD_MERGE_H_
