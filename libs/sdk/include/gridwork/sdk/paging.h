// ForEachPage: every page of a List* call (AIP-158: page_token in, next_page_token out).
//
//   workorder::v1::ListOrdersRequest req;
//   req.set_page_size(500);
//   absl::Status s = sdk::ForEachPage(*session, &workorder::v1::WorkOrderService::Stub::ListOrders,
//       req, [&](const workorder::v1::ListOrdersResponse& page) {
//         for (const auto& o : page.orders()) Print(o);
//         return absl::OkStatus();   // or void; a non-OK status stops the iteration
//       });
#ifndef GRIDWORK_SDK_PAGING_H_
#define GRIDWORK_SDK_PAGING_H_

#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "gridwork/sdk/session.h"

namespace gridwork::sdk {

// Calls `method` with `request`, then with each next_page_token until one is empty, handing
// every response to `on_page` (which returns void or absl::Status). Each page is one
// Session::Call (deadline, retries). Returns the first error of a call or of `on_page`;
// INTERNAL if the server hands back the token it was given (it would loop forever).
template <class Stub, class Req, class Resp, class OnPage>
absl::Status ForEachPage(Session& session,
                         grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
                         Req request, OnPage&& on_page, const CallOptions& call = {}) {
  while (true) {
    Resp page;
    absl::Status s = session.Call(method, request, &page, call);
    if (!s.ok()) return s;
    if constexpr (std::is_void_v<std::invoke_result_t<OnPage&, const Resp&>>) {
      on_page(page);
    } else {
      absl::Status handled = on_page(page);
      if (!handled.ok()) return handled;
    }
    if (page.next_page_token().empty()) return absl::OkStatus();
    if (page.next_page_token() == request.page_token()) {
      return absl::InternalError("the server returned the page token it was given");
    }
    request.set_page_token(page.next_page_token());
  }
}

}  // namespace gridwork::sdk

#endif  // GRIDWORK_SDK_PAGING_H_
