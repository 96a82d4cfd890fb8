#include "tools/gridctl/analytics_commands.h"

#include <cstdio>
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "gridwork/service/time_convert.h"

namespace gridwork::gridctl {
namespace {

namespace av1 = analytics::v1;

int Cockpit(Client& c, const std::string& region) {
  av1::GetCockpitRequest req;
  req.set_region_prefix(region);
  av1::Cockpit resp;
  auto ctx = c.Context();
  grpc::Status s = c.analytics().GetCockpit(ctx.get(), req, &resp);
  if (!s.ok()) return Fail("cockpit", s);
  auto line = [](const av1::RegionFigures& f) {
    return absl::StrFormat("%-28s %7d %7d %7d %8.1f%% %6d %7d %7d %7d",
                           f.region_path().empty() ? "(all)" : f.region_path(), f.workers_total(),
                           f.workers_online(), f.workers_in_own_grid(), 100 * f.coverage_today(),
                           f.orders_open(), f.orders_overdue(), f.orders_reported_today(),
                           f.orders_closed_today());
  };
  std::cout << absl::StrFormat("%-28s %7s %7s %7s %9s %6s %7s %7s %7s\n", "REGION", "WORKERS",
                               "ONLINE", "IN-GRID", "COVERAGE", "OPEN", "OVERDUE", "REPORTED",
                               "CLOSED");
  std::cout << line(resp.total()) << "\n";
  for (const auto& child : resp.children()) std::cout << line(child) << "\n";
  const auto& i = resp.inspections_today();
  std::cout << absl::StrFormat(
      "inspections today: %d due, %d done (%d on time), %d missed, %d results (%d with problems)\n",
      i.assigned(), i.done(), i.done_on_time(), i.missed(), i.results(), i.results_with_problems());
  for (const auto& s : resp.surges()) {
    std::cout << absl::StrFormat("surge: %s %s today %d vs %.1f\n", s.region_path(),
                                 s.category_id(), s.today(), s.trailing_average());
  }
  return 0;
}

int Assessment(Client& c, const std::string& region) {
  av1::ListAssessmentRequest req;
  req.set_region_prefix(region);
  req.set_page_size(1000);
  auto ctx = c.Context();
  auto reader = c.analytics().ExportAssessmentCsv(ctx.get(), req);
  av1::CsvChunk chunk;
  while (reader->Read(&chunk)) std::cout << chunk.data();
  grpc::Status s = reader->Finish();
  return s.ok() ? 0 : Fail("assessment", s);
}

int OrderStats(Client& c, const std::string& region) {
  av1::GetOrderStatsRequest req;
  req.set_region_prefix(region);
  av1::GetOrderStatsResponse resp;
  auto ctx = c.Context();
  grpc::Status s = c.analytics().GetOrderStats(ctx.get(), req, &resp);
  if (!s.ok()) return Fail("order-stats", s);
  Print(resp);
  return 0;
}

int SeriesCsv(Client& c, const std::vector<std::string>& args) {
  av1::QuerySeriesRequest req;
  av1::Metric metric;
  if (args.empty() || !av1::Metric_Parse(args[0], &metric)) {
    std::cerr << "gridctl: series-csv needs a metric name, e.g. METRIC_ORDERS_REPORTED\n";
    return 2;
  }
  req.set_metric(metric);
  if (args.size() > 1) req.set_region_prefix(args[1]);
  int days = 30;
  if (args.size() > 2 && (!absl::SimpleAtoi(args[2], &days) || days < 1)) {
    std::cerr << "gridctl: DAYS must be a positive number\n";
    return 2;
  }
  *req.mutable_from() = service::ToProto(absl::Now() - absl::Hours(24 * days));
  *req.mutable_to() = service::ToProto(absl::Now());
  req.set_granularity(av1::GRANULARITY_DAY);
  auto ctx = c.Context();
  auto reader = c.analytics().ExportSeriesCsv(ctx.get(), req);
  av1::CsvChunk chunk;
  while (reader->Read(&chunk)) std::cout << chunk.data();
  grpc::Status s = reader->Finish();
  return s.ok() ? 0 : Fail("series-csv", s);
}

}  // namespace

std::optional<int> RunAnalyticsCommand(Client& c, const std::string& command,
                                       const std::vector<std::string>& args) {
  auto arg = [&](size_t i) { return i < args.size() ? args[i] : std::string(); };
  if (command == "cockpit") return Cockpit(c, arg(0));
  if (command == "assessment") return Assessment(c, arg(0));
  if (command == "order-stats") return OrderStats(c, arg(0));
  if (command == "series-csv") return SeriesCsv(c, args);
  return std::nullopt;
}

}  // namespace gridwork::gridctl
