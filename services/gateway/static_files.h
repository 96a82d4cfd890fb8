// Static hosting of the web app: GET/HEAD of files under the web root. "/" and paths without
// a file extension that do not exist serve index.html (client-side routing). Paths with a
// ".." segment, NUL bytes or a backslash are refused (404, nothing outside the root is ever
// opened). Content-Type by extension.
#ifndef GRIDWORK_SERVICES_GATEWAY_STATIC_FILES_H_
#define GRIDWORK_SERVICES_GATEWAY_STATIC_FILES_H_

#include <string>

#include "services/gateway/http_types.h"

namespace gridwork::gateway {

HttpResponse ServeStatic(const std::string& web_root, const HttpRequest& req);

}  // namespace gridwork::gateway

#endif  // GRIDWORK_SERVICES_GATEWAY_STATIC_FILES_H_
