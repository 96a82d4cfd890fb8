#include "bench/location_postgis.h"

#include <libpq-fe.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace gridwork::bench {
namespace {

constexpr char kInsert[] = R"(
INSERT INTO positions (worker, device, seq, t, geom, accuracy_m, speed_mps, heading_deg,
                       altitude_m, battery_pct)
SELECT $1, $2, u.seq, to_timestamp(u.ms / 1000.0), ST_SetSRID(ST_MakePoint(u.lng, u.lat), 4326),
       u.acc, u.spd, u.hdg, u.alt, u.bat
FROM unnest($3::int8[], $4::int8[], $5::float8[], $6::float8[], $7::real[], $8::real[],
            $9::real[], $10::real[], $11::real[]) AS u(seq, ms, lat, lng, acc, spd, hdg, alt, bat)
ON CONFLICT (device, seq) DO NOTHING)";

constexpr char kLookup[] = R"(
SELECT count(g.id)
FROM unnest($1::float8[], $2::float8[]) AS u(lng, lat)
LEFT JOIN grids g ON ST_Contains(g.geom, ST_SetSRID(ST_MakePoint(u.lng, u.lat), 4326)))";

template <typename F>
std::string ArrayLiteral(std::span<const PgFix> fixes, F field) {
  std::string s = "{";
  for (size_t i = 0; i < fixes.size(); ++i) {
    if (i > 0) s += ',';
    absl::StrAppend(&s, field(fixes[i]));
  }
  s += '}';
  return s;
}

}  // namespace

absl::StatusOr<std::unique_ptr<PostgisIngest>> PostgisIngest::Connect(const std::string& conninfo) {
  absl::StatusOr<std::unique_ptr<PgConnection>> pg = PgConnection::Connect(conninfo);
  if (!pg.ok()) return pg.status();
  return std::unique_ptr<PostgisIngest>(new PostgisIngest(*std::move(pg)));
}

PostgisIngest::~PostgisIngest() = default;
absl::Status PostgisIngest::CreateSchema(const std::vector<PgGrid>& grids) {
  for (const char* sql :
       {"SET client_min_messages = warning", "CREATE EXTENSION IF NOT EXISTS postgis",
        "DROP TABLE IF EXISTS positions", "DROP TABLE IF EXISTS grids",
        "CREATE TABLE positions (worker text NOT NULL, device text NOT NULL, seq int8 NOT NULL,"
        " t timestamptz NOT NULL, geom geometry(Point, 4326) NOT NULL, accuracy_m real,"
        " speed_mps real, heading_deg real, altitude_m real, battery_pct real)",
        "CREATE UNIQUE INDEX positions_device_seq ON positions (device, seq)",
        "CREATE INDEX positions_worker_t ON positions (worker, t)",
        "CREATE TABLE grids (id text PRIMARY KEY, geom geometry(Polygon, 4326) NOT NULL)",
        "CREATE INDEX grids_geom ON grids USING gist (geom)"}) {
    if (absl::Status s = Exec(sql); !s.ok()) return s;
  }
  std::string insert = "INSERT INTO grids VALUES ";
  for (size_t i = 0; i < grids.size(); ++i) {
    const PgGrid& g = grids[i];
    absl::StrAppendFormat(&insert,
                          "%s('%s', ST_GeomFromText('POLYGON((%.7f %.7f,%.7f %.7f,%.7f %.7f,"
                          "%.7f %.7f,%.7f %.7f))', 4326))",
                          i == 0 ? "" : ",", g.id, g.lng0, g.lat0, g.lng1, g.lat0, g.lng1, g.lat1,
                          g.lng0, g.lat1, g.lng0, g.lat0);
  }
  if (absl::Status s = Exec(insert); !s.ok()) return s;
  return Exec("ANALYZE grids");
}

absl::Status PostgisIngest::Prepare() {
  for (const char* sql : {"SET synchronous_commit = on", "SET jit = off",
                          "SET max_parallel_workers_per_gather = 0"}) {
    if (absl::Status s = Exec(sql); !s.ok()) return s;
  }
  for (auto [name, sql, n] : {std::tuple{"ins", kInsert, 11}, std::tuple{"look", kLookup, 2}}) {
    PGresult* r = PQprepare(conn_, name, sql, n, nullptr);
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) return absl::InternalError(absl::StrCat("prepare ", name, ": ", pg_->Error()));
  }
  return absl::OkStatus();
}

absl::StatusOr<int> PostgisIngest::IngestBatch(const std::string& worker, const std::string& device,
                                               std::span<const PgFix> fixes, int* inside) {
  const std::string seq = ArrayLiteral(fixes, [](const PgFix& f) { return f.seq; });
  const std::string ms = ArrayLiteral(fixes, [](const PgFix& f) { return f.time_ms; });
  auto fmt7 = [](double v) { return absl::StrFormat("%.7f", v); };
  auto fmt1 = [](double v) { return absl::StrFormat("%.1f", v); };
  const std::string lat = ArrayLiteral(fixes, [&](const PgFix& f) { return fmt7(f.lat); });
  const std::string lng = ArrayLiteral(fixes, [&](const PgFix& f) { return fmt7(f.lng); });
  const std::string acc = ArrayLiteral(fixes, [&](const PgFix& f) { return fmt1(f.accuracy_m); });
  const std::string spd = ArrayLiteral(fixes, [&](const PgFix& f) { return fmt1(f.speed_mps); });
  const std::string hdg = ArrayLiteral(fixes, [&](const PgFix& f) { return fmt1(f.heading_deg); });
  const std::string alt = ArrayLiteral(fixes, [&](const PgFix& f) { return fmt1(f.altitude_m); });
  const std::string bat = ArrayLiteral(fixes, [&](const PgFix& f) { return fmt1(f.battery_pct); });
  const char* ins_params[] = {worker.c_str(), device.c_str(), seq.c_str(), ms.c_str(),
                              lat.c_str(),    lng.c_str(),    acc.c_str(), spd.c_str(),
                              hdg.c_str(),    alt.c_str(),    bat.c_str()};
  PGresult* r = PQexecPrepared(conn_, "ins", 11, ins_params, nullptr, nullptr, 0);
  if (PQresultStatus(r) != PGRES_COMMAND_OK) {
    PQclear(r);
    return absl::InternalError("insert: " + pg_->Error());
  }
  int inserted = 0;
  (void)absl::SimpleAtoi(PQcmdTuples(r), &inserted);
  PQclear(r);
  const char* look_params[] = {lng.c_str(), lat.c_str()};
  r = PQexecPrepared(conn_, "look", 2, look_params, nullptr, nullptr, 0);
  if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
    PQclear(r);
    return absl::InternalError("lookup: " + pg_->Error());
  }
  (void)absl::SimpleAtoi(PQgetvalue(r, 0, 0), inside);
  PQclear(r);
  return inserted;
}

absl::StatusOr<std::pair<int64_t, int64_t>> PostgisIngest::PositionsSize() {
  PGresult* r = PQexec(conn_,
                       "SELECT (SELECT count(*) FROM positions), "
                       "pg_total_relation_size('positions')");
  if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
    PQclear(r);
    return absl::InternalError("size: " + pg_->Error());
  }
  int64_t rows = 0, bytes = 0;
  (void)absl::SimpleAtoi(PQgetvalue(r, 0, 0), &rows);
  (void)absl::SimpleAtoi(PQgetvalue(r, 0, 1), &bytes);
  PQclear(r);
  return std::make_pair(rows, bytes);
}

}  // namespace gridwork::bench
