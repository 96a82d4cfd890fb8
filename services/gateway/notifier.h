// Delivery of resident verification codes. Pluggable: an SMS gateway implements Notifier;
// the default (LogNotifier) writes the code to the gateway's log so a local setup works
// without one.
#ifndef GRIDWORK_SERVICES_GATEWAY_NOTIFIER_H_
#define GRIDWORK_SERVICES_GATEWAY_NOTIFIER_H_

#include <string>

#include "absl/status/status.h"

namespace gridwork::gateway {

class Notifier {
 public:
  virtual ~Notifier() = default;
  // Sends `code` to `phone`. An error fails RegisterResident (the code is not stored).
  // Must be thread-safe.
  virtual absl::Status SendVerificationCode(const std::string& phone, const std::string& code) = 0;
};

// Logs {"msg":"verification code","phone":...,"code":...} at info level. For development and
// tests only: anyone who can read the log can register any phone number.
class LogNotifier final : public Notifier {
 public:
  absl::Status SendVerificationCode(const std::string& phone, const std::string& code) override;
};

}  // namespace gridwork::gateway

#endif  // GRIDWORK_SERVICES_GATEWAY_NOTIFIER_H_
