// Erasing a guest (docs/privacy.md). The profile goes; what the venue keeps of its own work,
// the events and the cases, stays and is counted as before, with the guest renamed:
//  - the customer id becomes a pseudonym ("erased-g17", from the book's ref), so the venue's
//    statistics still see one guest, but nobody can tell who;
//  - where a record names the guest as its customer, the customer's other fields (name, email,
//    phone) go, and its free text (a booking's notes, a review's words) becomes "[erased]":
//    they say more about a person than a name does;
//  - any other text that mentions the guest's name, email or phone has those words replaced by
//    "[erased]" (the name's parts only as whole words, so "Ann" does not touch "Annual").
// The service applies this to what it holds in memory, and the store to its rows (events,
// cases, case history, dead letters, the cloud outbox), in the same commit.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/guest_record.hpp"
#include "core/json.hpp"

namespace mend {

inline constexpr std::string_view kErasedText = "[erased]";

struct GuestErasure {
  std::string id;         // the customer id
  std::string ref;        // the book's own name for the guest ("g17"), the audit log's
  std::string pseudonym;  // what stands for the id from now on
  std::string name;
  std::string email;  // normalised (normal_email)
  std::string phone;  // normalised (normal_phone)
  bool operator==(const GuestErasure&) const = default;
};

GuestErasure erasure_of(const GuestRecord& r);

// What the store searches for (instr over the lower-cased text): the id, the email, the name
// and its parts, lower-cased, and the phone's phone_key; each non-empty, each once.
std::vector<std::string> erasure_terms(const GuestErasure& e);

// Renames the guest in one piece of text; true when it changed.
bool scrub_text(std::string& s, const GuestErasure& e);
// Renames the guest throughout a JSON document (every string, and customer objects as above);
// true when it changed.
bool scrub_json(json::Value& v, const GuestErasure& e);

}  // namespace mend
