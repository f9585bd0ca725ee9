#include "adapters/mqtt/spool.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace mend {
namespace {

constexpr char kPut = 'P';
constexpr char kDel = 'D';
constexpr std::size_t kHeader = 1 + 4 + 4;
constexpr std::size_t kTrailer = 4;
constexpr std::uint32_t kMaxField = 16u << 20;  // far above a 64 KiB payload plus Paho's framing

std::array<std::uint32_t, 256> make_crc_table() {
  std::array<std::uint32_t, 256> t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[i] = c;
  }
  return t;
}

std::uint32_t crc32(std::string_view data, std::uint32_t crc = 0) {
  static const auto kTable = make_crc_table();
  crc = ~crc;
  for (char ch : data) crc = kTable[(crc ^ static_cast<unsigned char>(ch)) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

std::uint32_t get_u32(const char* p) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= static_cast<std::uint32_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

std::string encode(char type, std::string_view key, std::string_view data) {
  std::string rec;
  rec.reserve(kHeader + key.size() + data.size() + kTrailer);
  rec.push_back(type);
  put_u32(rec, static_cast<std::uint32_t>(key.size()));
  put_u32(rec, static_cast<std::uint32_t>(data.size()));
  rec.append(key);
  rec.append(data);
  put_u32(rec, crc32(rec));
  return rec;
}

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::runtime_error("spool " + path + ": " + what + ": " + std::strerror(errno));
}

// Our incoming messages are "m:<seq>"; Paho's keys never contain ':' ("c-1", "q-3", "s-7").
constexpr std::string_view kIncomingPrefix = "m:";

std::optional<std::uint64_t> incoming_seq(std::string_view key) {
  if (key.substr(0, kIncomingPrefix.size()) != kIncomingPrefix) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : key.substr(kIncomingPrefix.size())) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

std::string encode_incoming(const Spool::Incoming& m) {
  std::string v;
  v.reserve(12 + m.topic.size() + m.payload.size());
  put_u32(v, static_cast<std::uint32_t>(m.topic.size()));
  for (int i = 0; i < 8; ++i) {
    v.push_back(static_cast<char>((static_cast<std::uint64_t>(m.received_ms) >> (8 * i)) & 0xFF));
  }
  v.append(m.topic);
  v.append(m.payload);
  return v;
}

std::optional<Spool::Incoming> decode_incoming(std::uint64_t seq, const std::string& v) {
  if (v.size() < 12) return std::nullopt;
  const std::uint32_t tlen = get_u32(v.data());
  if (v.size() < 12 + std::size_t{tlen}) return std::nullopt;
  std::uint64_t ms = 0;
  for (int i = 0; i < 8; ++i) {
    ms |= static_cast<std::uint64_t>(static_cast<unsigned char>(v[4 + static_cast<std::size_t>(i)]))
          << (8 * i);
  }
  Spool::Incoming m;
  m.seq = seq;
  m.received_ms = static_cast<std::int64_t>(ms);
  m.topic = v.substr(12, tlen);
  m.payload = v.substr(12 + tlen);
  return m;
}

}  // namespace

Spool::Spool(std::string path, std::uint64_t compact_above_bytes, WriteFn write)
    : path_(std::move(path)), compact_above_(compact_above_bytes), write_(std::move(write)) {
  if (!write_)
    write_ = [](int fd, const void* data, std::size_t size, off_t at) {
      return ::pwrite(fd, data, size, at);
    };
  load();
}

Spool::~Spool() {
  if (fd_ >= 0) ::close(fd_);
}

void Spool::load() {
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) fail(path_, "cannot open");
  std::string data;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n < 0) fail(path_, "cannot read");
    if (n == 0) break;
    data.append(buf, static_cast<std::size_t>(n));
  }
  std::size_t pos = 0;
  while (data.size() - pos >= kHeader + kTrailer) {
    const char* p = data.data() + pos;
    const char type = p[0];
    const std::uint32_t klen = get_u32(p + 1);
    const std::uint32_t dlen = get_u32(p + 5);
    if ((type != kPut && type != kDel) || klen > kMaxField || dlen > kMaxField) break;
    const std::size_t total = kHeader + klen + dlen + kTrailer;
    if (data.size() - pos < total) break;
    const std::string_view body(p, kHeader + klen + dlen);
    if (crc32(body) != get_u32(p + kHeader + klen + dlen)) break;
    std::string key(p + kHeader, klen);
    if (type == kPut) {
      std::string value(p + kHeader + klen, dlen);
      auto [it, inserted] = live_.insert_or_assign(std::move(key), std::move(value));
      (void)inserted;
      (void)it;
    } else {
      live_.erase(key);
    }
    pos += total;
  }
  // A torn or corrupt tail is a write the process did not finish: everything before it stands.
  torn_dropped_ = data.size() - pos;
  if (torn_dropped_ > 0 && ::ftruncate(fd_, static_cast<off_t>(pos)) != 0) {
    fail(path_, "cannot truncate a torn tail");
  }
  if (::lseek(fd_, static_cast<off_t>(pos), SEEK_SET) < 0) fail(path_, "cannot seek");
  file_bytes_ = pos;
  for (const auto& [k, v] : live_) {
    live_bytes_ += k.size() + v.size();
    if (auto seq = incoming_seq(k)) incoming_[*seq] = k;
  }
}

std::error_code Spool::write_at(int fd, std::string_view bytes, std::uint64_t at) const {
  while (!bytes.empty()) {
    const ssize_t n = write_(fd, bytes.data(), bytes.size(), static_cast<off_t>(at));
    if (n < 0) {
      if (errno == EINTR) continue;
      return {errno, std::generic_category()};
    }
    if (n == 0) return std::make_error_code(std::errc::no_space_on_device);
    bytes.remove_prefix(static_cast<std::size_t>(n));
    at += static_cast<std::uint64_t>(n);
  }
  return {};
}

// A record is whole or absent: a failed write is cut back off, so the next record never lands
// behind a partial one (which would end the readable log at the next open).
std::error_code Spool::append_locked(std::string_view bytes) {
  const std::error_code ec = write_at(fd_, bytes, file_bytes_);
  if (ec) {
    // Shrinking needs no free space; if even that fails, the next record overwrites the
    // partial one from the same offset and the open-time check cuts any rest.
    [[maybe_unused]] const int cut = ::ftruncate(fd_, static_cast<off_t>(file_bytes_));
    return ec;
  }
  file_bytes_ += bytes.size();
  return {};
}

std::error_code Spool::append_record(char type, std::string_view key, std::string_view data) {
  return append_locked(encode(type, key, data));
}

std::string Spool::describe(std::error_code ec) const {
  return "spool " + path_ + ": cannot write: " + ec.message();
}

std::error_code Spool::probe(std::size_t bytes) {
  std::lock_guard lock(mu_);
  const std::string filler(std::max<std::size_t>(bytes, 1), '\0');
  const std::error_code ec = write_at(fd_, filler, file_bytes_);
  // As in append_locked: a shrink that fails is overwritten by the next record.
  [[maybe_unused]] const int cut = ::ftruncate(fd_, static_cast<off_t>(file_bytes_));
  return ec;
}

void Spool::put(const std::string& key, const std::vector<std::string_view>& parts) {
  std::string value;
  std::size_t n = 0;
  for (auto p : parts) n += p.size();
  value.reserve(n);
  for (auto p : parts) value.append(p);
  std::lock_guard lock(mu_);
  // before Paho acknowledges: this is the durable step
  if (auto ec = append_record(kPut, key, value)) throw std::runtime_error(describe(ec));
  auto it = live_.find(key);
  if (it != live_.end()) live_bytes_ -= it->first.size() + it->second.size();
  live_bytes_ += key.size() + value.size();
  live_.insert_or_assign(key, std::move(value));
}

std::optional<std::string> Spool::get(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = live_.find(key);
  if (it == live_.end()) return std::nullopt;
  return it->second;
}

bool Spool::contains(const std::string& key) const {
  std::lock_guard lock(mu_);
  return live_.count(key) != 0;
}

std::vector<std::string> Spool::keys() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  out.reserve(live_.size());
  for (const auto& [k, v] : live_) {
    if (!incoming_seq(k)) out.push_back(k);
  }
  return out;
}

void Spool::erase_locked(const std::string& key) {
  auto it = live_.find(key);
  if (it == live_.end()) return;
  live_bytes_ -= it->first.size() + it->second.size();
  live_.erase(it);
  (void)append_record(kDel, key, {});  // see remove() in the header
}

void Spool::remove(const std::string& key) {
  std::lock_guard lock(mu_);
  erase_locked(key);
  maybe_compact_locked();
}

void Spool::clear() {
  std::lock_guard lock(mu_);
  // Paho clears its own state (a clean session); our incoming messages are not its to drop.
  std::vector<std::string> paho;
  for (const auto& [k, v] : live_) {
    if (!incoming_seq(k)) paho.push_back(k);
  }
  for (const auto& k : paho) erase_locked(k);
}

std::error_code Spool::append_incoming(const Incoming& m) {
  std::string key = std::string(kIncomingPrefix) + std::to_string(m.seq);
  std::string value = encode_incoming(m);
  std::lock_guard lock(mu_);
  // the durable step, before Paho may acknowledge
  if (auto ec = append_record(kPut, key, value)) return ec;
  live_bytes_ += key.size() + value.size();
  incoming_[m.seq] = key;
  live_.insert_or_assign(std::move(key), std::move(value));
  return {};
}

std::vector<Spool::Incoming> Spool::incoming() const {
  std::lock_guard lock(mu_);
  std::vector<Incoming> out;
  out.reserve(incoming_.size());
  for (const auto& [seq, key] : incoming_) {
    auto it = live_.find(key);
    if (it == live_.end()) continue;
    if (auto m = decode_incoming(seq, it->second)) out.push_back(std::move(*m));
  }
  return out;
}

std::uint64_t Spool::last_incoming_seq() const {
  std::lock_guard lock(mu_);
  return incoming_.empty() ? 0 : incoming_.rbegin()->first;
}

void Spool::release(std::uint64_t seq) {
  std::lock_guard lock(mu_);
  // One write for the whole batch of deletions: a lost DEL only means a message ingested
  // twice, which the store recognises, so they need no write of their own each.
  std::string dels;
  while (!incoming_.empty() && incoming_.begin()->first <= seq) {
    const std::string& key = incoming_.begin()->second;
    auto it = live_.find(key);
    if (it != live_.end()) {
      live_bytes_ -= it->first.size() + it->second.size();
      live_.erase(it);
      dels += encode(kDel, key, {});
    }
    incoming_.erase(incoming_.begin());
  }
  if (!dels.empty()) (void)append_locked(dels);  // see release() in the header
  maybe_compact_locked();
}

// Rewrites the live entries into a fresh file once the log is mostly dead weight. The new file
// is complete and synced before it replaces the old one, so a crash at any point leaves one
// whole spool behind. When it cannot be written (a full disk) the old log stays and the next
// release tries again.
void Spool::maybe_compact_locked() {
  if (file_bytes_ < compact_above_ || live_bytes_ * 4 > file_bytes_) return;
  const std::string tmp = path_ + ".compact";
  const int fd = ::open(tmp.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return;
  std::string out;
  for (const auto& [k, v] : live_) out += encode(kPut, k, v);
  if (write_at(fd, out, 0) || ::fsync(fd) != 0 || ::rename(tmp.c_str(), path_.c_str()) != 0) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return;
  }
  ::close(fd_);
  fd_ = fd;
  file_bytes_ = out.size();
}

Spool::Stats Spool::stats() const {
  std::lock_guard lock(mu_);
  Stats s;
  s.live_entries = live_.size();
  s.live_bytes = live_bytes_;
  s.file_bytes = file_bytes_;
  s.awaiting_release = incoming_.size();
  s.torn_bytes_dropped = torn_dropped_;
  return s;
}

}  // namespace mend
