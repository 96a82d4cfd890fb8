// SpawnChild's contract: a child started on the main thread ends when its parent dies, so a
// crashed test or benchmark leaves no services behind; one started on another thread does not
// (the kernel ties the death signal to the forking thread).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <string>
#include <thread>

#include "absl/time/clock.h"
#include "tests/integration/service_process.h"

namespace gridwork::testing {
namespace {

// The state letter of /proc/<pid>/stat ('S', 'R', 'Z', ...), or 0 if there is no such process.
char ProcessState(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return 0;
  const size_t name_end = line.rfind(')');
  if (name_end == std::string::npos || name_end + 2 >= line.size()) return 0;
  return line[name_end + 2];
}

// True once `pid` is gone or a zombie (an orphan's new parent may never reap it).
bool Ended(pid_t pid) {
  const char state = ProcessState(pid);
  return state == 0 || state == 'Z';
}

// Forks a parent that spawns `sleep 60` (from its main thread, or from a second thread) and
// exits without stopping it. Returns the sleeper's pid once the parent is gone.
pid_t SleeperOfDeadParent(bool from_second_thread) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t parent = fork();
  REQUIRE(parent >= 0);
  if (parent == 0) {
    close(fds[0]);
    const std::vector<std::string> argv = {"/bin/sleep", "60"};
    pid_t child = -1;
    if (from_second_thread) {
      std::thread spawner([&] { child = SpawnChild(argv, {}, "/dev/null"); });
      spawner.join();
    } else {
      child = SpawnChild(argv, {}, "/dev/null");
    }
    const bool sent = write(fds[1], &child, sizeof(child)) == sizeof(child);
    _exit(sent ? 0 : 1);
  }
  close(fds[1]);
  pid_t child = -1;
  const bool received = read(fds[0], &child, sizeof(child)) == sizeof(child);
  close(fds[0]);
  int status = 0;
  REQUIRE(waitpid(parent, &status, 0) == parent);
  REQUIRE(received);
  REQUIRE(child > 0);
  return child;
}

TEST_CASE("a child spawned on the main thread ends when its parent dies", "[spawn]") {
  const pid_t sleeper = SleeperOfDeadParent(/*from_second_thread=*/false);
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (!Ended(sleeper) && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(20));
  const bool ended = Ended(sleeper);
  if (!ended) kill(sleeper, SIGKILL);
  CHECK(ended);
}

TEST_CASE("a child spawned on another thread outlives its parent", "[spawn]") {
  // The control: the same sleeper, without the death signal, is still asleep.
  const pid_t sleeper = SleeperOfDeadParent(/*from_second_thread=*/true);
  absl::SleepFor(absl::Seconds(1));
  const bool alive = !Ended(sleeper);
  kill(sleeper, SIGKILL);
  CHECK(alive);
}

}  // namespace
}  // namespace gridwork::testing
