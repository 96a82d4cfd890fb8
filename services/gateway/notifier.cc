#include "services/gateway/notifier.h"

#include "gridwork/core/log.h"

namespace gridwork::gateway {

absl::Status LogNotifier::SendVerificationCode(const std::string& phone, const std::string& code) {
  log::Info("verification code", {{"phone", phone}, {"code", code}});
  return absl::OkStatus();
}

}  // namespace gridwork::gateway
