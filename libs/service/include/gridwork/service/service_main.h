// The first lines of every service's main(): process-wide settings, then the flags.
//
//   int main(int argc, char** argv) {
//     gridwork::service::InitServiceProcess(argc, argv, "what it does.\nUsage: ...");
//     return gridwork::workorder::Run();
//   }
#ifndef GRIDWORK_SERVICE_SERVICE_MAIN_H_
#define GRIDWORK_SERVICE_SERVICE_MAIN_H_

namespace gridwork::service {

// Blocks SIGTERM/SIGINT in every thread (rpc::RunUntilShutdownSignal waits for them), turns off
// Abseil's mutex deadlock detector in Release builds (Debian's Abseil runs it on every Lock,
// behind one process-wide spin lock — measured on the location ingest path; Debug builds and
// tests keep it), and parses the flags (--help prints `usage` and the flags, then exits 0).
void InitServiceProcess(int argc, char** argv, const char* usage);

}  // namespace gridwork::service

#endif  // GRIDWORK_SERVICE_SERVICE_MAIN_H_
