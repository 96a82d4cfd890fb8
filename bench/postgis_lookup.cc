#include "postgis_lookup.h"

#include <libpq-fe.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace gridwork::bench {
namespace {

void AppendDouble(double v, std::string* out) {
  char buf[32];
  const int n = std::snprintf(buf, sizeof(buf), "%.17g", v);
  out->append(buf, static_cast<size_t>(n));
}

void AppendRing(const geo::Ring& ring, std::string* out) {
  out->push_back('(');
  for (size_t i = 0; i < ring.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendDouble(ring[i].x(), out);
    out->push_back(' ');
    AppendDouble(ring[i].y(), out);
  }
  out->push_back(')');
}

// EWKT with all 17 significant digits, so PostGIS sees exactly our coordinates.
std::string ToEwkt(const geo::MultiPolygon& mp) {
  std::string out = "SRID=4326;MULTIPOLYGON(";
  for (size_t p = 0; p < mp.size(); ++p) {
    if (p > 0) out.push_back(',');
    out.push_back('(');
    AppendRing(mp[p].outer(), &out);
    for (const geo::Ring& inner : mp[p].inners()) {
      out.push_back(',');
      AppendRing(inner, &out);
    }
    out.push_back(')');
  }
  out.push_back(')');
  return out;
}

// Collects "i ord" rows (i is 1-based within the batch) into out[offset + i - 1].
absl::Status CollectRows(PGresult* res, size_t offset, std::vector<std::vector<int64_t>>* out) {
  const int rows = PQntuples(res);
  for (int r = 0; r < rows; ++r) {
    const long i = std::strtol(PQgetvalue(res, r, 0), nullptr, 10);
    const long ord = std::strtol(PQgetvalue(res, r, 1), nullptr, 10);
    if (i < 1 || offset + static_cast<size_t>(i) > out->size()) {
      return absl::InternalError(absl::StrCat("PostGIS returned row index ", i));
    }
    (*out)[offset + static_cast<size_t>(i) - 1].push_back(ord);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<PostgisLookup>> PostgisLookup::Connect(const std::string& conninfo) {
  absl::StatusOr<std::unique_ptr<PgConnection>> pg = PgConnection::Connect(conninfo);
  if (!pg.ok()) return pg.status();
  std::unique_ptr<PostgisLookup> db(new PostgisLookup(*std::move(pg)));
  if (absl::Status s = db->Exec("SET client_min_messages = warning"); !s.ok()) return s;
  if (absl::Status s = db->Exec("CREATE EXTENSION IF NOT EXISTS postgis"); !s.ok()) return s;
  if (absl::Status s = db->Exec("SET max_parallel_workers_per_gather = 0"); !s.ok()) return s;
  if (absl::Status s = db->Exec("SET jit = off"); !s.ok()) return s;
  return db;
}

PostgisLookup::~PostgisLookup() = default;

absl::Status PostgisLookup::LoadRegions(const std::string& table,
                                        const std::vector<geo::RegionIndex::Region>& regions) {
  if (absl::Status s = Exec(absl::StrCat("DROP TABLE IF EXISTS ", table)); !s.ok()) return s;
  if (absl::Status s = Exec(absl::StrCat(
          "CREATE TABLE ", table, " (ord int PRIMARY KEY, geom geometry(MultiPolygon, 4326))"));
      !s.ok()) {
    return s;
  }
  PGresult* res = PQexec(conn_, absl::StrCat("COPY ", table, " (ord, geom) FROM STDIN").c_str());
  const bool copy_ok = PQresultStatus(res) == PGRES_COPY_IN;
  PQclear(res);
  if (!copy_ok) return absl::InternalError(absl::StrCat("COPY: ", pg_->Error()));
  for (const auto& [ord, mp] : regions) {
    const std::string line = absl::StrCat(ord, "\t", ToEwkt(mp), "\n");
    if (PQputCopyData(conn_, line.data(), static_cast<int>(line.size())) != 1) {
      return absl::InternalError(absl::StrCat("COPY data: ", pg_->Error()));
    }
  }
  if (PQputCopyEnd(conn_, nullptr) != 1) {
    return absl::InternalError(absl::StrCat("COPY end: ", pg_->Error()));
  }
  res = PQgetResult(conn_);
  const bool done = PQresultStatus(res) == PGRES_COMMAND_OK;
  const std::string err = pg_->Error();
  PQclear(res);
  while ((res = PQgetResult(conn_)) != nullptr) PQclear(res);
  if (!done) return absl::InternalError(absl::StrCat("COPY: ", err));
  if (absl::Status s = Exec(absl::StrCat("CREATE INDEX ON ", table, " USING gist (geom)"));
      !s.ok()) {
    return s;
  }
  return Exec(absl::StrCat("ANALYZE ", table));
}

absl::StatusOr<std::vector<std::vector<int64_t>>> PostgisLookup::CoveringBatched(
    const std::string& table, std::span<const geo::Point> points, size_t batch) {
  std::vector<std::vector<int64_t>> out(points.size());
  const std::string sql = absl::StrCat(
      "SELECT q.i, r.ord FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS q(x, y, i) "
      "JOIN ",
      table, " r ON ST_Covers(r.geom, ST_SetSRID(ST_MakePoint(q.x, q.y), 4326))");
  for (size_t start = 0; start < points.size(); start += batch) {
    const size_t end = std::min(points.size(), start + batch);
    std::string xs = "{", ys = "{";
    for (size_t i = start; i < end; ++i) {
      if (i > start) {
        xs.push_back(',');
        ys.push_back(',');
      }
      AppendDouble(points[i].x(), &xs);
      AppendDouble(points[i].y(), &ys);
    }
    xs.push_back('}');
    ys.push_back('}');
    const char* params[2] = {xs.c_str(), ys.c_str()};
    PGresult* res = PQexecParams(conn_, sql.c_str(), 2, nullptr, params, nullptr, nullptr, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
      std::string err = pg_->Error();
      PQclear(res);
      return absl::InternalError(absl::StrCat("batched ST_Covers: ", err));
    }
    absl::Status s = CollectRows(res, start, &out);
    PQclear(res);
    if (!s.ok()) return s;
  }
  return out;
}

absl::StatusOr<std::vector<std::vector<int64_t>>> PostgisLookup::CoveringPerPoint(
    const std::string& table, std::span<const geo::Point> points) {
  const std::string name = absl::StrCat("covers_", table);
  PGresult* res = PQprepare(
      conn_, name.c_str(),
      absl::StrCat("SELECT ord FROM ", table,
                   " WHERE ST_Covers(geom, ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326))")
          .c_str(),
      2, nullptr);
  const bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
  PQclear(res);
  if (!ok) return absl::InternalError(absl::StrCat("prepare: ", pg_->Error()));
  std::vector<std::vector<int64_t>> out(points.size());
  std::string x, y;
  for (size_t i = 0; i < points.size(); ++i) {
    x.clear();
    y.clear();
    AppendDouble(points[i].x(), &x);
    AppendDouble(points[i].y(), &y);
    const char* params[2] = {x.c_str(), y.c_str()};
    res = PQexecPrepared(conn_, name.c_str(), 2, params, nullptr, nullptr, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
      std::string err = pg_->Error();
      PQclear(res);
      return absl::InternalError(absl::StrCat("per-point ST_Covers: ", err));
    }
    for (int r = 0; r < PQntuples(res); ++r) {
      out[i].push_back(std::strtol(PQgetvalue(res, r, 0), nullptr, 10));
    }
    PQclear(res);
  }
  if (absl::Status s = Exec(absl::StrCat("DEALLOCATE ", name)); !s.ok()) return s;
  return out;
}

}  // namespace gridwork::bench
