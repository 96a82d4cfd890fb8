// One libpq connection of a benchmark's PostgreSQL baseline: connect, run a statement whose
// result is not needed, and the server's last error. The baselines (postgis_lookup,
// location_postgis, stack_postgis) own one each and use get() for everything else.
// Not thread-safe: one connection per thread.
#ifndef GRIDWORK_BENCH_PG_CONNECTION_H_
#define GRIDWORK_BENCH_PG_CONNECTION_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"

typedef struct pg_conn PGconn;

namespace gridwork::bench {

class PgConnection {
 public:
  // UNAVAILABLE with libpq's message when the server cannot be reached.
  static absl::StatusOr<std::unique_ptr<PgConnection>> Connect(const std::string& conninfo);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs `sql` and discards its result; INTERNAL naming the statement's start on failure.
  absl::Status Exec(const std::string& sql);
  // "PostgreSQL 15.x / PostGIS 3.x" for a report, or "unknown".
  std::string PostgisVersion();
  // The message of the last failed call on this connection.
  std::string Error() const;
  PGconn* get() const { return conn_; }

 private:
  explicit PgConnection(PGconn* conn) : conn_(conn) {}
  PGconn* conn_;
};

}  // namespace gridwork::bench

#endif  // GRIDWORK_BENCH_PG_CONNECTION_H_
