#include "bench/pg_connection.h"

#include <libpq-fe.h>

#include "absl/strings/str_cat.h"

namespace gridwork::bench {

absl::StatusOr<std::unique_ptr<PgConnection>> PgConnection::Connect(const std::string& conninfo) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(conn);
    PQfinish(conn);
    return absl::UnavailableError(absl::StrCat("cannot connect to PostgreSQL: ", msg));
  }
  return std::unique_ptr<PgConnection>(new PgConnection(conn));
}

PgConnection::~PgConnection() { PQfinish(conn_); }

absl::Status PgConnection::Exec(const std::string& sql) {
  PGresult* res = PQexec(conn_, sql.c_str());
  const ExecStatusType st = PQresultStatus(res);
  PQclear(res);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    return absl::InternalError(absl::StrCat(sql.substr(0, 80), ": ", Error()));
  }
  return absl::OkStatus();
}

std::string PgConnection::PostgisVersion() {
  PGresult* r = PQexec(conn_, "SELECT split_part(version(), ' ', 2), postgis_lib_version()");
  std::string v = "unknown";
  if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
    v = absl::StrCat("PostgreSQL ", PQgetvalue(r, 0, 0), " / PostGIS ", PQgetvalue(r, 0, 1));
  }
  PQclear(r);
  return v;
}

std::string PgConnection::Error() const { return PQerrorMessage(conn_); }

}  // namespace gridwork::bench
