#include "core/guests.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <utility>

#include "core/guests_impl.hpp"
#include "core/policy.hpp"
#include "core/utf8.hpp"
#include "core/winback.hpp"

namespace mend {

using guest_book::kMaxNotes;

std::string_view guest_tier_name(GuestTier t) {
  switch (t) {
    case GuestTier::kNew: return "new";
    case GuestTier::kReturning: return "returning";
    case GuestTier::kRegular: return "regular";
    case GuestTier::kVip: return "vip";
  }
  return "new";
}

std::optional<GuestTier> guest_tier_from_name(std::string_view name) {
  for (GuestTier t :
       {GuestTier::kNew, GuestTier::kReturning, GuestTier::kRegular, GuestTier::kVip}) {
    if (guest_tier_name(t) == name) return t;
  }
  return std::nullopt;
}

namespace {

// What a person may write into a profile: bounded, and not blank.
std::string check_texts(const std::vector<std::string>& items, std::string_view field,
                        std::size_t max_items, std::size_t max_chars) {
  if (items.size() > max_items) {
    return std::string(field) + ": at most " + std::to_string(max_items) + " entries";
  }
  for (const std::string& s : items) {
    if (s.find_first_not_of(" \t\r\n") == std::string::npos) {
      return std::string(field) + ": an entry is empty";
    }
    if (s.size() > max_chars) {
      return std::string(field) + ": an entry is longer than " + std::to_string(max_chars) +
             " characters";
    }
  }
  return {};
}

}  // namespace

GuestBook::GuestBook(GuestSettings settings) : impl_(std::make_unique<Impl>(std::move(settings))) {}
GuestBook::~GuestBook() = default;
GuestBook::GuestBook(GuestBook&&) noexcept = default;
GuestBook& GuestBook::operator=(GuestBook&&) noexcept = default;

void GuestBook::update_settings(GuestSettings settings) {
  impl_->apply_settings(std::move(settings));
  impl_->enforce_bounds();
}

void GuestBook::on_event(const Event& e) {
  Impl& m = *impl_;
  m.advance(e.ts);
  if (const auto* b = e.as<BookingChanged>(); b != nullptr && !b->booking.empty()) {
    m.on_booking(*b, e.ts);
  } else if (const auto* x = e.as<BookingCancelled>(); x != nullptr) {
    if (const Impl::Booking* bk = m.bookings.find(x->booking)) {
      m.booking_over(x->booking, *bk);
      m.bookings.erase(x->booking);
    }
  } else if (const auto* a = e.as<GuestArrived>(); a != nullptr) {
    m.on_visit(a->booking, a->customer, e.ts);
  } else if (const auto* s = e.as<GuestSeated>(); s != nullptr) {
    m.on_seated(*s, e.ts);
  } else if (const auto* o = e.as<OrderOpened>(); o != nullptr) {
    m.on_order(*o, e.ts);
  } else if (const auto* p = e.as<CheckPaid>(); p != nullptr) {
    m.on_paid(*p);
  } else if (const auto* t = e.as<TableCleared>(); t != nullptr) {
    m.seatings.erase(t->table);
  }
  m.enforce_bounds();
}

std::vector<VisitStarted> GuestBook::take_started_visits() {
  return std::exchange(impl_->started, {});
}

void GuestBook::on_case_opened(const Case& c) {
  Impl& m = *impl_;
  m.advance(c.opened_at);
  // Only the latest visit's list changes, and it holds each kind once: at most kCaseKindCount.
  if (const Impl::Guest* found = m.resolve(c.subject); found != nullptr && found->r.latest) {
    Impl::Guest& g = m.touch(found->r.id, nullptr);
    if (std::find(g.r.latest_failures.begin(), g.r.latest_failures.end(), c.kind) ==
        g.r.latest_failures.end()) {
      g.r.latest_failures.push_back(c.kind);
    }
  }
  m.enforce_bounds();
}

namespace {

// One line of what was done: the resolution's note, else the plan people approved.
std::string recovery_line(const Case& c) {
  constexpr std::size_t kMaxLine = 200;
  std::string done =
      c.resolution && !c.resolution->note.empty() ? c.resolution->note : c.recommendation.text;
  if (done.empty()) done = "resolved";
  return std::string(utf8_prefix(std::string(failure_words(c.kind)) + ": " + done, kMaxLine));
}

}  // namespace

void GuestBook::on_case_resolved(const Case& c) {
  Impl& m = *impl_;
  const Impl::Guest* found = m.resolve(c.subject);
  if (found == nullptr || !found->r.latest) return;
  Impl::Guest& g = m.touch(found->r.id, nullptr);
  GuestRecord& r = g.r;
  std::vector<std::string>* lines = nullptr;
  if (c.opened_at >= *r.latest) {
    lines = &r.latest_recovery;
  } else if (r.previous && c.opened_at >= *r.previous) {
    lines = &r.previous_recovery;
  }
  if (lines == nullptr || lines->size() >= static_cast<std::size_t>(kCaseKindCount)) return;
  lines->push_back(recovery_line(c));
}

GuestProfile GuestBook::profile_for(const Subject& s) const {
  const Impl& m = *impl_;
  if (const Impl::Guest* g = m.resolve(s); g != nullptr) return m.profile(*g);
  // A guest the book does not know may still be one the venue marks VIP by hand.
  std::string id = s.customer;
  if (id.empty() && !s.booking.empty()) {
    if (const Impl::Booking* b = m.bookings.find(s.booking)) id = b->customer;
  }
  GuestProfile p;
  if (!id.empty() && m.vips.count(id) != 0) {
    p.id = std::move(id);
    p.tier = GuestTier::kVip;
  }
  return p;
}

std::optional<GuestProfile> GuestBook::find(std::string_view customer_id) const {
  const Impl::Guest* g = impl_->find(customer_id);
  if (g == nullptr) return std::nullopt;
  return impl_->profile(*g);
}

std::size_t GuestBook::size() const { return impl_->lru.size(); }

const GuestRecord* GuestBook::record(std::string_view customer_id) const {
  const Impl::Guest* g = impl_->find(customer_id);
  return g != nullptr ? &g->r : nullptr;
}

std::vector<const GuestRecord*> GuestBook::search(std::string_view query, std::size_t limit) const {
  std::string q(query);
  std::transform(q.begin(), q.end(), q.begin(), [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  });
  const auto contains = [&](const std::string& field) {
    if (q.empty()) return true;
    const auto it = std::search(field.begin(), field.end(), q.begin(), q.end(), [](char a, char b) {
      return std::tolower(static_cast<unsigned char>(a)) == static_cast<unsigned char>(b);
    });
    return it != field.end();
  };
  std::vector<const GuestRecord*> out;
  for (auto it = impl_->lru.rbegin(); it != impl_->lru.rend() && out.size() < limit; ++it) {
    const GuestRecord& r = it->r;
    if (contains(r.name) || contains(r.id) || contains(r.email) || contains(r.phone)) {
      out.push_back(&r);
    }
  }
  return out;
}

std::optional<std::int64_t> GuestBook::add_note(std::string_view customer_id, std::string text,
                                                std::string author, WallTime now) {
  Impl& m = *impl_;
  Impl::Guest* g = m.find(customer_id);
  if (g == nullptr) return std::nullopt;
  m.advance(now);
  const std::int64_t id = g->r.next_note++;
  g->r.notes.push_back(GuestNote{id, std::move(text), std::move(author), now});
  if (g->r.notes.size() > kMaxNotes) g->r.notes.erase(g->r.notes.begin());
  m.changed(*g);
  return id;
}

GuestBook::EditResult GuestBook::edit(std::string_view customer_id, const GuestEdit& e,
                                      const std::string& by, WallTime now) {
  Impl& m = *impl_;
  Impl::Guest* g = m.find(customer_id);
  EditResult out;
  if (g == nullptr) {
    out.error = "no such guest";
    return out;
  }
  GuestRecord r = g->r;
  std::string error;
  if (e.name) {
    if (e.name->find_first_not_of(" \t") == std::string::npos || e.name->size() > 200) {
      error = "name: must be 1 to 200 characters";
    } else if (*e.name != r.name) {
      r.name = *e.name;
      out.changed.emplace_back("name");
    }
  }
  if (e.tags && error.empty()) {
    error = check_texts(*e.tags, "tags", 20, 40);
    std::set<std::string> tags(e.tags->begin(), e.tags->end());
    if (error.empty() && tags != r.tags) {
      r.tags = std::move(tags);
      out.changed.emplace_back("tags");
    }
  }
  if (e.preferences && error.empty()) {
    error = check_texts(*e.preferences, "preferences", 20, 200);
    if (error.empty() && *e.preferences != r.preferences) {
      r.preferences = *e.preferences;
      out.changed.emplace_back("preferences");
    }
  }
  if (e.health_consent && error.empty() && *e.health_consent != r.health_consent.has_value()) {
    if (*e.health_consent) {
      r.health_consent = HealthConsent{by, now};
    } else {
      r.health_consent.reset();
      std::erase_if(r.dietary,
                    [](const DietaryNote& d) { return d.basis == HealthBasis::kConsent; });
    }
    out.changed.emplace_back("health_consent");
  }
  if (e.dietary && error.empty()) {
    error = check_texts(*e.dietary, "dietary", 20, 200);
    if (error.empty() && !r.health_consent) {
      error = "dietary: the guest's consent to keep health data is not recorded";
    }
    if (error.empty()) {
      std::vector<DietaryNote> kept;
      for (const std::string& text : *e.dietary) {
        const auto was =
            std::find_if(r.dietary.begin(), r.dietary.end(), [&](const DietaryNote& d) {
              return d.basis == HealthBasis::kConsent && d.text == text;
            });
        kept.push_back(
            was != r.dietary.end() ? *was : DietaryNote{text, HealthBasis::kConsent, {}, by, now});
      }
      for (const DietaryNote& d : r.dietary) {
        if (d.basis == HealthBasis::kThisBooking) kept.push_back(d);
      }
      if (kept != r.dietary) {
        r.dietary = std::move(kept);
        out.changed.emplace_back("dietary");
      }
    }
  }
  if (e.occasions && error.empty()) {
    if (e.occasions->size() > 20) error = "occasions: at most 20 entries";
    for (const Occasion& o : *e.occasions) {
      if (error.empty() && (o.kind.empty() || o.kind.size() > 40)) {
        error = "occasions: a kind must be 1 to 40 characters";
      }
    }
    if (error.empty()) {
      std::vector<Occasion> kept;
      for (const Occasion& o : r.occasions) {
        if (!o.booking.empty()) kept.push_back(o);
      }
      for (Occasion o : *e.occasions) {
        o.booking.clear();
        if (o.source.empty()) o.source = by;
        kept.push_back(std::move(o));
      }
      if (kept != r.occasions) {
        r.occasions = std::move(kept);
        out.changed.emplace_back("occasions");
      }
    }
  }
  if (!error.empty()) return EditResult{{}, std::move(error)};
  if (!out.changed.empty()) {
    m.advance(now);
    g->r = std::move(r);
    m.changed(*g);
  }
  return out;
}

std::vector<GuestBook::BookingView> GuestBook::bookings_between(WallTime from, WallTime to) const {
  std::vector<BookingView> out;
  impl_->bookings.each([&](const std::string& id, const Impl::Booking& b, WallTime) {
    if (b.at && *b.at >= from && *b.at < to)
      out.push_back(BookingView{id, b.customer, *b.at, b.party});
  });
  std::sort(out.begin(), out.end(), [](const BookingView& a, const BookingView& b) {
    return std::tie(a.at, a.booking) < std::tie(b.at, b.booking);
  });
  return out;
}

std::string GuestBook::id_for_contact(std::string_view email, std::string_view phone) const {
  const std::string e = normal_email(email);
  if (!e.empty()) {
    for (auto it = impl_->lru.rbegin(); it != impl_->lru.rend(); ++it) {
      if (it->r.email == e) return it->r.id;
    }
  }
  if (normal_phone(phone).empty()) return {};
  for (auto it = impl_->lru.rbegin(); it != impl_->lru.rend(); ++it) {
    if (same_phone(it->r.phone, phone)) return it->r.id;
  }
  return {};
}

std::vector<Lapse> GuestBook::take_lapsed(WallTime now, std::string_view venue) {
  Impl& m = *impl_;
  m.advance(now);
  std::vector<Lapse> out;
  for (Impl::Guest& g : m.lru) {
    std::optional<Lapse> l = lapse_of(g.r, m.settings, now, venue);
    if (!l) continue;
    g.r.lapsed_flagged = now;
    m.dirty.insert(g.r.id);  // saved, but not "seen": flagging is not the guest coming back
    out.push_back(std::move(*l));
  }
  return out;
}

bool GuestBook::erase(std::string_view customer_id) {
  Impl& m = *impl_;
  if (m.find(customer_id) == nullptr) return false;
  const std::string id(customer_id);
  m.forget(id);
  // Nothing may lead back to the guest: their bookings, and the tables and checks they were at.
  std::vector<std::string> links;
  m.bookings.each([&](const std::string& key, const Impl::Booking& b, WallTime) {
    if (b.customer == id) links.push_back(key);
  });
  for (const std::string& key : links) m.bookings.erase(key);
  for (auto* map : {&m.seatings, &m.checks}) {
    links.clear();
    map->each([&](const std::string& key, const std::string& who, WallTime) {
      if (who == id) links.push_back(key);
    });
    for (const std::string& key : links) map->erase(key);
  }
  return true;
}

GuestBook::Expired GuestBook::expire(WallTime now) {
  Impl& m = *impl_;
  m.advance(now);
  Expired out;
  std::vector<std::string> stale;
  for (Impl::Guest& g : m.lru) {
    GuestRecord& r = g.r;
    if (r.last_seen + m.settings.keep_profiles <= now) {
      stale.push_back(r.id);
      continue;
    }
    const auto notes = r.notes.size();
    std::erase_if(r.notes, [&](const GuestNote& n) { return n.at + m.settings.keep_notes <= now; });
    const auto dietary = r.dietary.size();
    std::erase_if(r.dietary, [&](const DietaryNote& d) {
      return d.basis == HealthBasis::kConsent && d.at + m.settings.keep_dietary <= now;
    });
    out.notes += notes - r.notes.size();
    out.dietary += dietary - r.dietary.size();
    // Not changed(): tidying is not seeing the guest, so last_seen stays.
    if (notes != r.notes.size() || dietary != r.dietary.size()) m.dirty.insert(r.id);
  }
  for (const std::string& id : stale) m.forget(id);
  out.profiles = stale.size();
  return out;
}

}  // namespace mend
