#include "core/accounts.hpp"

namespace mend::auth {

std::string_view account_error_name(AccountError e) {
  switch (e) {
    case AccountError::kBadName: return "bad_name";
    case AccountError::kBadPin: return "bad_pin";
    case AccountError::kNameTaken: return "name_taken";
    case AccountError::kNoSuchUser: return "no_such_user";
    case AccountError::kNotAllowed: return "not_allowed";
    case AccountError::kUsersExist: return "users_exist";
    case AccountError::kNoSuchToken: return "no_such_token";
  }
  return "?";
}

std::string_view setup_code_result_name(SetupCodeResult r) {
  switch (r) {
    case SetupCodeResult::kOk: return "ok";
    case SetupCodeResult::kWrong: return "wrong";
    case SetupCodeResult::kUsed: return "used";
    case SetupCodeResult::kExpired: return "expired";
    case SetupCodeResult::kBurned: return "burned";
  }
  return "?";
}

}  // namespace mend::auth
