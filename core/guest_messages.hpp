// Messages for guests (a follow-up, a voucher) go to the venue's messaging integration through
// the cloud link; its delivery receipts come back on mend/v1/<group>/<venue>/receipts as
// {"message":"c-17-m1","case":"c-17","status":"delivered"|"failed","detail":"...","at":"..."}.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "core/time.hpp"

namespace mend {

struct MessageReceipt {
  std::string case_id;
  std::string message_id;
  bool delivered = false;
  std::string detail;  // why it failed, in the integration's words; may be empty
  WallTime at;         // when the integration knew; the box's receipt time when not given
};

// The receipt, or why it is not one. `received` stands in for a missing "at".
std::variant<MessageReceipt, std::string> read_message_receipt(std::string_view payload,
                                                               WallTime received);

}  // namespace mend
