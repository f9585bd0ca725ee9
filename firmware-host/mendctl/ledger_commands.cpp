#include "firmware-host/mendctl/ledger_commands.hpp"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <string>

#include "firmware-host/mendctl/auth_commands.hpp"
#include "firmware-host/mendctl/options.hpp"

namespace mend::mendctl {

namespace {

// "--expect SEQ:HASH" -> the pair, or nullopt.
std::optional<std::pair<std::int64_t, std::string>> parse_expect(const std::string& text) {
  const std::size_t colon = text.find(':');
  if (colon == std::string::npos || colon == 0 || colon > 18) return std::nullopt;
  std::int64_t seq = 0;
  for (std::size_t i = 0; i < colon; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    seq = seq * 10 + (text[i] - '0');
  }
  return std::make_pair(seq, text.substr(colon + 1));
}

}  // namespace

int ledger_verify(std::span<const std::string_view> args) {
  const Parsed p = parse(args, {"--config", "--store", "--expect"});
  if (!p.error.empty()) return usage_error(p.error);
  if (!p.positional.empty()) return usage_error("ledger verify takes no arguments");
  std::optional<std::pair<std::int64_t, std::string>> expect;
  if (auto it = p.flags.find("expect"); it != p.flags.end()) {
    expect = parse_expect(it->second);
    if (!expect) return usage_error("--expect takes SEQ:HASH, the head the cloud received");
  }
  try {
    auto store = open_store_file(p);
    if (auto broken = store->verify_ledger()) {
      std::cout << "ledger: broken at entry " << broken->seq << ": " << broken->problem << '\n';
      return kExitFailed;
    }
    const auto head = store->ledger_head();
    if (expect) {
      // The chain is intact on its own; is it still the chain the cloud saw?
      const auto rows = store->ledger_rows();
      const auto it = std::find_if(rows.begin(), rows.end(), [&](const LedgerRow& r) {
        return r.entry.seq == expect->first;
      });
      if (it == rows.end() || it->hash != expect->second) {
        std::cout << "ledger: entry " << expect->first
                  << (it == rows.end() ? " is not in the chain"
                                       : " has hash " + it->hash + ", not " + expect->second)
                  << ": the chain was rewritten since that head was sent\n";
        return kExitFailed;
      }
    }
    if (!head) {
      std::cout << "ledger: ok, no entries yet\n";
    } else {
      std::cout << "ledger: ok, " << head->first << " entries, head " << head->second << '\n';
    }
    return kExitOk;
  } catch (const std::exception& e) {
    std::cerr << "mendctl: " << e.what() << '\n';
    return kExitFailed;
  }
}

int ledger_export(std::span<const std::string_view> args) {
  const Parsed p = parse(args, {"--config", "--store", "--out"});
  if (!p.error.empty()) return usage_error(p.error);
  if (!p.positional.empty()) return usage_error("ledger export takes no arguments");
  try {
    auto store = open_store_file(p);
    const auto rows = store->ledger_rows();
    std::ofstream file;
    const std::string out = p.flag_or("out", "");
    if (!out.empty()) {
      file.open(out, std::ios::binary | std::ios::trunc);
      if (!file) throw std::runtime_error(out + ": cannot write");
    }
    std::ostream& os = out.empty() ? std::cout : file;
    for (const LedgerRow& r : rows) {
      json::Object o;
      o.append("seq", r.entry.seq);
      o.append("text", r.text);  // exactly the bytes the hash covers
      o.append("prev_hash", r.prev_hash);
      o.append("hash", r.hash);
      os << json::dump(json::Value(std::move(o))) << '\n';
    }
    os.flush();
    if (!os) throw std::runtime_error((out.empty() ? "stdout" : out) + ": write failed");
    if (!out.empty())
      std::cerr << "ledger: " << rows.size() << " entries written to " << out << '\n';
    return kExitOk;
  } catch (const std::exception& e) {
    std::cerr << "mendctl: " << e.what() << '\n';
    return kExitFailed;
  }
}

}  // namespace mend::mendctl
