// The contribution ledger's rows (core/contributions.hpp, docs/ledger.md): chained at commit,
// read back for the core and the views, and verified. Its own file: store.cpp is at its size
// limit. The ledger is written a few times a shift, so its statements are prepared as used.
#include <string>
#include <vector>

#include "adapters/store/audit_chain.hpp"
#include "adapters/store/store.hpp"

namespace mend {
namespace {

// The store's own meta key for the ledger chain's head: "<last seq> <last hash>".
constexpr std::string_view kLedgerHeadKey = "store.ledger_head";
constexpr json::ParseLimits kEntryLimits{16, std::size_t{1} << 20};

std::optional<LedgerEntry> entry_of(const std::string& text) {
  auto parsed = json::parse(text, kEntryLimits);
  return parsed ? ledger_entry_from_json(*parsed.value) : std::nullopt;
}

}  // namespace

void Store::write_ledger(CommitStats& stats) {
  if (ledger_.empty()) return;
  // Continues from the recorded head, so a deleted tail is a broken link, not papered over.
  std::int64_t last = 0;
  std::string prev;
  if (auto text = meta(kLedgerHeadKey)) {
    auto head = audit_chain::parse_head(*text);
    if (!head) throw StoreError(path(), "the ledger's head in meta is unreadable: " + *text);
    last = head->first;
    prev = head->second;
  }
  sqlite::Stmt find_audit(db_,
                          "SELECT id FROM audit WHERE action = ?1 AND target = ?2 "
                          "ORDER BY id DESC LIMIT 1");
  sqlite::Stmt insert(db_,
                      "INSERT INTO ledger (seq, at, kind, person, guest, text, prev_hash, hash) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  for (LedgerEntry e : ledger_) {  // a copy: what stays staged is as the core made it
    if (e.seq != last + 1) {
      throw StoreError(path(), "ledger entry " + std::to_string(e.seq) + " does not follow entry " +
                                   std::to_string(last));
    }
    for (LedgerEvidence& ev : e.evidence) {
      if (ev.type != "audit" || ev.audit != 0) continue;
      sqlite::Query q(find_audit);
      q.bind(1, ev.action).bind(2, ev.target);
      if (q.step()) ev.audit = q.int64(0);
    }
    const std::string text = json::dump(ledger_entry_to_json(e));
    const std::string hash = audit_chain::link_hash(prev, text);
    sqlite::Query q(insert);
    q.bind(1, e.seq).bind(2, to_ms(e.at)).bind(3, ledger_kind_name(e.kind)).bind(4, e.person);
    q.bind(5, e.guest).bind(6, text).bind(7, prev).bind(8, hash).run();
    last = e.seq;
    prev = hash;
    ++stats.ledger;
  }
  sqlite::Stmt head(db_,
                    "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE "
                    "SET value = excluded.value");
  sqlite::Query(head).bind(1, kLedgerHeadKey).bind(2, std::to_string(last) + " " + prev).run();
}

std::vector<LedgerRow> Store::ledger_rows(std::string_view person, std::string_view guest) {
  sqlite::Stmt s(db_,
                 "SELECT seq, text, prev_hash, hash FROM ledger WHERE (?1 = '' OR person = ?1) "
                 "AND (?2 = '' OR guest = ?2) ORDER BY seq");
  sqlite::Query q(s);
  q.bind(1, person).bind(2, guest);
  std::vector<LedgerRow> out;
  while (q.step()) {
    LedgerRow r;
    r.text = q.text(1);
    auto e = entry_of(r.text);
    if (!e) {
      throw StoreError(path(),
                       "ledger entry " + std::to_string(q.int64(0)) + " does not read as an entry");
    }
    r.entry = std::move(*e);
    r.prev_hash = q.text(2);
    r.hash = q.text(3);
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<LedgerEntry> Store::load_ledger() {
  std::vector<LedgerEntry> out;
  for (LedgerRow& r : ledger_rows()) out.push_back(std::move(r.entry));
  return out;
}

std::optional<std::pair<std::int64_t, std::string>> Store::ledger_head() {
  auto text = meta(kLedgerHeadKey);
  return text ? audit_chain::parse_head(*text) : std::nullopt;
}

std::optional<LedgerBreak> Store::verify_ledger() {
  const std::optional<std::string> head_text = meta(kLedgerHeadKey);
  const auto head = head_text ? audit_chain::parse_head(*head_text) : std::nullopt;
  if (head_text && !head) return LedgerBreak{1, "the chain's head in the store is unreadable"};
  sqlite::Stmt s(db_,
                 "SELECT seq, at, kind, person, guest, text, prev_hash, hash FROM ledger "
                 "ORDER BY seq");
  sqlite::Query q(s);
  std::string prev;
  std::int64_t last = 0;
  while (q.step()) {
    const std::int64_t seq = q.int64(0);
    const std::string text = q.text(5);
    const std::string prev_hash = q.text(6);
    if (seq != last + 1) {
      return LedgerBreak{last + 1, "entry " + std::to_string(last + 1) + " is missing"};
    }
    if (!head || seq > head->first) {
      return LedgerBreak{seq, "entry " + std::to_string(seq) + " is past the chain's head"};
    }
    if (prev_hash != prev) {
      return LedgerBreak{seq, "entry " + std::to_string(seq) +
                                  " does not link to the entry before it (prev_hash differs)"};
    }
    if (q.text(7) != audit_chain::link_hash(prev_hash, text)) {
      return LedgerBreak{
          seq, "entry " + std::to_string(seq) + " was changed: its hash does not match its text"};
    }
    const auto e = entry_of(text);
    if (!e || e->seq != seq || to_ms(e->at) != q.int64(1) ||
        ledger_kind_name(e->kind) != q.text(2) || e->person != q.text(3) || e->guest != q.text(4)) {
      return LedgerBreak{
          seq, "entry " + std::to_string(seq) + " was changed: its columns do not match its text"};
    }
    prev = q.text(7);
    last = seq;
  }
  if (head && last < head->first) {
    return LedgerBreak{last + 1, "entries " + std::to_string(last + 1) + " to " +
                                     std::to_string(head->first) + " are missing"};
  }
  if (head && prev != head->second) {
    return LedgerBreak{last, "entry " + std::to_string(last) + " is not the chain's head"};
  }
  return std::nullopt;
}

}  // namespace mend
