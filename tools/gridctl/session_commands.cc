#include "tools/gridctl/session_commands.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "tools/gridctl/client.h"
#include "tools/gridctl/credentials.h"
#include "tools/gridctl/exit_codes.h"

namespace gridwork::gridctl {
namespace {

constexpr char kDefaultGateway[] = "127.0.0.1:50050";

sdk::ConnectOptions Options(const std::string& gateway, const std::string& user,
                            const GatewayFlags& flags) {
  sdk::ConnectOptions o;
  o.gateway_addr = gateway;
  o.call_timeout = flags.timeout;
  // The refresh token rotates on every use: store each new one at once.
  o.on_refresh_token = [gateway, user](const std::string& rt) {
    absl::Status s = SaveCredentials({gateway, user, rt});
    if (!s.ok()) std::cerr << "gridctl: " << s.message() << "\n";
  };
  return o;
}

// Reads one line from /dev/tty with echo off. Empty on failure.
std::optional<std::string> AskPassword(const std::string& prompt) {
  int fd = open("/dev/tty", O_RDWR | O_NOCTTY);
  if (fd < 0) return std::nullopt;
  (void)!write(fd, prompt.data(), prompt.size());
  termios old{};
  const bool have_termios = tcgetattr(fd, &old) == 0;
  if (have_termios) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  std::string line;
  char ch;
  while (read(fd, &ch, 1) == 1 && ch != '\n') line.push_back(ch);
  if (have_termios) tcsetattr(fd, TCSAFLUSH, &old);
  (void)!write(fd, "\n", 1);
  close(fd);
  return line;
}

absl::StatusOr<std::string> Password(const GatewayFlags& flags, const std::string& user) {
  if (!flags.password_file.empty()) {
    std::ifstream in(flags.password_file);
    std::string line;
    if (!in || !std::getline(in, line)) {
      return absl::InvalidArgumentError(absl::StrCat("cannot read ", flags.password_file));
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }
  if (const char* env = std::getenv("GRIDWORK_PASSWORD"); env != nullptr && *env != '\0') {
    return std::string(env);
  }
  std::optional<std::string> typed = AskPassword(absl::StrCat("password for ", user, ": "));
  if (!typed.has_value()) {
    return absl::InvalidArgumentError(
        "no terminal to ask the password on: use --password_file or $GRIDWORK_PASSWORD");
  }
  return *typed;
}

int Report(const std::string& what, const absl::Status& s) {
  std::cerr << "gridctl: " << what << ": " << s.message() << "\n";
  return ExitCodeFor(s);
}

}  // namespace

bool HasStoredLogin() {
  auto c = LoadCredentials();
  return c.ok() && c->has_value() && !(*c)->refresh_token.empty();
}

absl::StatusOr<std::unique_ptr<sdk::Session>> ConnectStored(const GatewayFlags& flags) {
  auto stored = LoadCredentials();
  if (!stored.ok()) return stored.status();
  if (!stored->has_value() || (*stored)->refresh_token.empty()) {
    return absl::UnauthenticatedError(
        absl::StrCat("not logged in: run gridctl login USER (no ", CredentialsPath(), ")"));
  }
  const Credentials& c = **stored;
  std::string gateway = !flags.gateway.empty() ? flags.gateway
                        : !c.gateway.empty()   ? c.gateway
                                               : kDefaultGateway;
  auto session = sdk::Session::Resume(Options(gateway, c.user, flags), c.refresh_token);
  if (absl::IsUnauthenticated(session.status())) {
    (void)DeleteCredentials();
    return absl::UnauthenticatedError(absl::StrCat("the stored session of ", c.user, " has ended (",
                                                   session.status().message(),
                                                   "); run gridctl login ", c.user));
  }
  return session;
}

int Login(const std::string& user, const GatewayFlags& flags) {
  auto password = Password(flags, user);
  if (!password.ok()) {
    std::cerr << "gridctl: login: " << password.status().message() << "\n";
    return kExitUsage;
  }
  const std::string gateway = flags.gateway.empty() ? kDefaultGateway : flags.gateway;
  auto session = sdk::Session::Login(Options(gateway, user, flags), user, *password);
  if (!session.ok()) return Report("login", session.status());
  std::cerr << "logged in as " << (*session)->subject() << " ("
            << common::v1::Role_Name((*session)->role()) << ", scope "
            << ((*session)->scope().empty() ? "everything" : (*session)->scope()) << ") at "
            << gateway << "; credentials in " << CredentialsPath() << "\n";
  return kExitOk;
}

int Logout(const GatewayFlags& flags) {
  if (!HasStoredLogin()) {
    std::cerr << "gridctl: not logged in\n";
    return kExitOk;
  }
  auto session = ConnectStored(flags);
  absl::Status s = session.ok() ? (*session)->Logout() : session.status();
  absl::Status removed = DeleteCredentials();
  if (!removed.ok()) return Report("logout", removed);
  // A session that had already ended is as logged out as it gets.
  if (!s.ok() && !absl::IsUnauthenticated(s)) return Report("logout", s);
  std::cerr << "logged out\n";
  return kExitOk;
}

int WhoAmI(const GatewayFlags& flags) {
  auto session = ConnectStored(flags);
  if (!session.ok()) return Report("whoami", session.status());
  gateway::v1::WhoAmIResponse me;
  absl::Status s =
      (*session)->Call(&gateway::v1::Identity::Stub::WhoAmI, gateway::v1::WhoAmIRequest(), &me);
  if (!s.ok()) return Report("whoami", s);
  if (flags.format == OutputFormat::kJson) {
    Print(me);
    std::cout << "\n";
    return kExitOk;
  }
  Listing l({"USER", "ROLE", "SCOPE", "DEPARTMENT", "SESSION", "GATEWAY"});
  l.Add(me,
        {me.user().username(), common::v1::Role_Name(me.user().role()), me.user().region_scope(),
         me.user().department(), me.session_id(), (*session)->options().gateway_addr});
  l.Print(flags.format, std::cout);
  return kExitOk;
}

}  // namespace gridwork::gridctl
