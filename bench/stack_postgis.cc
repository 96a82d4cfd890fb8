#include "bench/stack_postgis.h"

#include <libpq-fe.h>

#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace gridwork::bench {
namespace {

// Data-modifying CTEs run whether or not they are referenced; the whole statement is one
// transaction.
constexpr char kIngest[] = R"(
WITH p AS (SELECT ST_SetSRID(ST_MakePoint($5, $4), 4326) AS geom, to_timestamp($6 / 1000.0) AS t),
     g AS (SELECT r.id FROM grids r, p WHERE ST_Covers(r.geom, p.geom) LIMIT 1),
     ins AS (INSERT INTO positions (worker, device, seq, t, geom, accuracy_m)
             SELECT $1, $2, $3, p.t, p.geom, $7 FROM p
             ON CONFLICT (device, seq) DO NOTHING)
INSERT INTO presence (worker, grid, t, geom)
SELECT $1, (SELECT id FROM g), p.t, p.geom FROM p
ON CONFLICT (worker) DO UPDATE SET grid = EXCLUDED.grid, t = EXCLUDED.t, geom = EXCLUDED.geom
RETURNING grid)";

constexpr char kIngestBatch[] = R"(
WITH p AS (SELECT u.i, u.seq, to_timestamp(u.ms / 1000.0) AS t,
                  ST_SetSRID(ST_MakePoint(u.lng, u.lat), 4326) AS geom
           FROM unnest($3::int8[], $4::int8[], $5::float8[], $6::float8[])
                WITH ORDINALITY AS u(seq, ms, lat, lng, i)),
     g AS (SELECT p.i, (SELECT r.id FROM grids r WHERE ST_Covers(r.geom, p.geom) LIMIT 1) AS grid
           FROM p),
     ins AS (INSERT INTO positions (worker, device, seq, t, geom, accuracy_m)
             SELECT $1, $2, p.seq, p.t, p.geom, 8 FROM p
             ON CONFLICT (device, seq) DO NOTHING),
     last AS (SELECT p.t, p.geom, g.grid FROM p JOIN g USING (i) ORDER BY p.i DESC LIMIT 1)
INSERT INTO presence (worker, grid, t, geom)
SELECT $1, last.grid, last.t, last.geom FROM last
ON CONFLICT (worker) DO UPDATE SET grid = EXCLUDED.grid, t = EXCLUDED.t, geom = EXCLUDED.geom
RETURNING grid)";

}  // namespace

absl::StatusOr<std::unique_ptr<PostgisCorePath>> PostgisCorePath::Connect(
    const std::string& conninfo) {
  absl::StatusOr<std::unique_ptr<PgConnection>> pg = PgConnection::Connect(conninfo);
  if (!pg.ok()) return pg.status();
  return std::unique_ptr<PostgisCorePath>(new PostgisCorePath(*std::move(pg)));
}

PostgisCorePath::~PostgisCorePath() = default;
absl::Status PostgisCorePath::CreateSchema(
    const std::vector<std::pair<std::string, std::string>>& grids) {
  for (const char* sql :
       {"SET client_min_messages = warning", "CREATE EXTENSION IF NOT EXISTS postgis",
        "DROP TABLE IF EXISTS positions", "DROP TABLE IF EXISTS presence",
        "DROP TABLE IF EXISTS grids",
        "CREATE TABLE positions (worker text NOT NULL, device text NOT NULL, seq int8 NOT NULL,"
        " t timestamptz NOT NULL, geom geometry(Point, 4326) NOT NULL, accuracy_m real)",
        "CREATE UNIQUE INDEX positions_device_seq ON positions (device, seq)",
        "CREATE INDEX positions_worker_t ON positions (worker, t)",
        "CREATE TABLE presence (worker text PRIMARY KEY, grid text, t timestamptz NOT NULL,"
        " geom geometry(Point, 4326) NOT NULL)",
        "CREATE TABLE grids (id text PRIMARY KEY, geom geometry(MultiPolygon, 4326) NOT NULL)",
        "CREATE INDEX grids_geom ON grids USING gist (geom)"}) {
    if (absl::Status s = Exec(sql); !s.ok()) return s;
  }
  for (const auto& [id, wkt] : grids) {
    const char* params[] = {id.c_str(), wkt.c_str()};
    PGresult* r =
        PQexecParams(conn_, "INSERT INTO grids VALUES ($1, ST_Multi(ST_GeomFromText($2, 4326)))", 2,
                     nullptr, params, nullptr, nullptr, 0);
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) return absl::InternalError(absl::StrCat("grid ", id, ": ", pg_->Error()));
  }
  return Exec("ANALYZE grids");
}

absl::Status PostgisCorePath::Prepare() {
  for (const char* sql : {"SET synchronous_commit = on", "SET jit = off",
                          "SET max_parallel_workers_per_gather = 0"}) {
    if (absl::Status s = Exec(sql); !s.ok()) return s;
  }
  for (auto [name, sql, n] :
       {std::tuple{"ingest", kIngest, 7}, std::tuple{"ingest_batch", kIngestBatch, 6}}) {
    PGresult* r = PQprepare(conn_, name, sql, n, nullptr);
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) return absl::InternalError(absl::StrCat("prepare ", name, ": ", pg_->Error()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> PostgisCorePath::IngestFix(const std::string& worker,
                                                       const std::string& device, uint64_t seq,
                                                       int64_t time_ms, double lat, double lng,
                                                       double accuracy_m) {
  const std::string seq_s = absl::StrCat(seq), lat_s = absl::StrFormat("%.7f", lat),
                    lng_s = absl::StrFormat("%.7f", lng), ms_s = absl::StrCat(time_ms),
                    acc_s = absl::StrFormat("%.1f", accuracy_m);
  const char* params[] = {worker.c_str(), device.c_str(), seq_s.c_str(), lat_s.c_str(),
                          lng_s.c_str(),  ms_s.c_str(),   acc_s.c_str()};
  PGresult* r = PQexecPrepared(conn_, "ingest", 7, params, nullptr, nullptr, 0);
  if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
    PQclear(r);
    return absl::InternalError("ingest: " + pg_->Error());
  }
  std::string grid = PQgetisnull(r, 0, 0) ? "" : PQgetvalue(r, 0, 0);
  PQclear(r);
  return grid;
}

absl::StatusOr<std::string> PostgisCorePath::IngestBatch(const std::string& worker,
                                                         const std::string& device,
                                                         const std::vector<Fix>& fixes) {
  std::string seq = "{", ms = "{", lat = "{", lng = "{";
  for (size_t i = 0; i < fixes.size(); ++i) {
    const char* sep = i == 0 ? "" : ",";
    absl::StrAppend(&seq, sep, fixes[i].seq);
    absl::StrAppend(&ms, sep, fixes[i].time_ms);
    absl::StrAppendFormat(&lat, "%s%.7f", sep, fixes[i].lat);
    absl::StrAppendFormat(&lng, "%s%.7f", sep, fixes[i].lng);
  }
  for (std::string* a : {&seq, &ms, &lat, &lng}) a->push_back('}');
  const char* params[] = {worker.c_str(), device.c_str(), seq.c_str(),
                          ms.c_str(),     lat.c_str(),    lng.c_str()};
  PGresult* r = PQexecPrepared(conn_, "ingest_batch", 6, params, nullptr, nullptr, 0);
  if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
    PQclear(r);
    return absl::InternalError("ingest batch: " + pg_->Error());
  }
  std::string grid = PQgetisnull(r, 0, 0) ? "" : PQgetvalue(r, 0, 0);
  PQclear(r);
  return grid;
}

}  // namespace gridwork::bench
