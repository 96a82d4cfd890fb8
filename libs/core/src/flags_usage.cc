#include "gridwork/core/flags_usage.h"

#include <cstdlib>
#include <iostream>

#include "absl/flags/internal/parse.h"
#include "absl/flags/internal/usage.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"

namespace gridwork {

std::vector<char*> ParseFlags(int argc, char** argv, absl::string_view usage) {
  absl::FlagsUsageConfig config;
  // By default --help shows only flags of the file named like the binary; ours live in
  // services/, tools/, bench/ and libs/, so show every flag defined in this project.
  config.contains_help_flags = [](absl::string_view path) {
    return absl::StrContains(path, "services/") || absl::StrContains(path, "libs/") ||
           absl::StrContains(path, "tools/") || absl::StrContains(path, "bench/") ||
           absl::StrContains(path, "tests/");
  };
  config.contains_helpshort_flags = config.contains_help_flags;
  config.normalize_filename = [](absl::string_view f) { return std::string(f); };
  absl::SetFlagsUsageConfig(config);
  absl::SetProgramUsageMessage(usage);
  // Abseil 20220623 exits with status 1 after --help. Asking for help is not an error, so
  // parse without usage handling, then print the help ourselves and exit 0.
  std::vector<char*> positional = absl::flags_internal::ParseCommandLineImpl(
      argc, argv, absl::flags_internal::ArgvListAction::kRemoveParsedArgs,
      absl::flags_internal::UsageFlagsAction::kIgnoreUsage,
      absl::flags_internal::OnUndefinedFlag::kAbortIfUndefined);
  if (absl::flags_internal::HandleUsageFlags(std::cout, usage) != -1) std::exit(0);
  return positional;
}

}  // namespace gridwork
