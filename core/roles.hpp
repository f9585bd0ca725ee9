// Roles: the one place that knows their names and their order of authority.
//
// People are staff < manager < admin: a higher role may do and approve what a lower one may.
// Integration is for API tokens and stands outside that order (it reads, never acts). Records
// (case history, audit, the escalation ladder, per-role limits) keep a role as its name, the
// form it has in config, JSON and SQLite; every question about such a name comes here.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace mend {

enum class Role { kStaff, kManager, kAdmin, kIntegration };

// People's roles, lowest authority first.
inline constexpr std::array<Role, 3> kPersonRoles{Role::kStaff, Role::kManager, Role::kAdmin};

std::string_view role_name(Role r);
std::optional<Role> parse_role(std::string_view name);
// Roles a person's account may have (not integration).
bool is_person_role(Role r);

// A person's role by name: staff, manager or admin; nullopt for any other word.
std::optional<Role> parse_person_role(std::string_view name);
// Where a person's role stands: staff 0, manager 1, admin 2; -1 for integration or any other
// word.
int authority_rank(Role r);
int authority_rank(std::string_view name);
// "staff, manager, admin", for messages that list what is allowed.
std::string person_role_list();

}  // namespace mend
