#include "core/roles.hpp"

namespace mend {

namespace {

struct RoleName {
  Role role;
  std::string_view name;
};
constexpr RoleName kRoleNames[] = {
    {Role::kStaff, "staff"},
    {Role::kManager, "manager"},
    {Role::kAdmin, "admin"},
    {Role::kIntegration, "integration"},
};

}  // namespace

std::string_view role_name(Role r) {
  for (const auto& n : kRoleNames) {
    if (n.role == r) return n.name;
  }
  return "?";
}

std::optional<Role> parse_role(std::string_view name) {
  for (const auto& n : kRoleNames) {
    if (n.name == name) return n.role;
  }
  return std::nullopt;
}

bool is_person_role(Role r) { return r != Role::kIntegration; }

std::optional<Role> parse_person_role(std::string_view name) {
  const auto r = parse_role(name);
  if (!r || !is_person_role(*r)) return std::nullopt;
  return r;
}

int authority_rank(Role r) {
  for (std::size_t i = 0; i < kPersonRoles.size(); ++i) {
    if (kPersonRoles[i] == r) return static_cast<int>(i);
  }
  return -1;
}

int authority_rank(std::string_view name) {
  const auto r = parse_person_role(name);
  return r ? authority_rank(*r) : -1;
}

std::string person_role_list() {
  std::string out;
  for (const Role r : kPersonRoles) {
    if (!out.empty()) out += ", ";
    out += role_name(r);
  }
  return out;
}

}  // namespace mend
