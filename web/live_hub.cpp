#include "web/live_hub.hpp"

#include <algorithm>
#include <random>
#include <utility>

namespace mend::web {

namespace {

std::string random_run_id() {
  std::random_device rd;
  std::string id;
  constexpr std::string_view kHex = "0123456789abcdef";
  for (int i = 0; i < 4; ++i) {
    const std::uint32_t r = rd();
    for (int shift = 0; shift < 32; shift += 4) id += kHex[(r >> shift) & 0xfU];
  }
  return id;
}

}  // namespace

LiveHub::LiveHub(std::size_t ring_size, std::string run_id)
    : ring_size_(std::max<std::size_t>(ring_size, 1)),
      run_id_(run_id.empty() ? random_run_id() : std::move(run_id)) {}

const LiveMessage& LiveHub::resync_message() {
  static const LiveMessage message = std::make_shared<const std::string>(R"({"type":"resync"})");
  return message;
}

std::uint64_t LiveHub::publish(std::string_view type, const json::Value& data) {
  const std::uint64_t seq = ++last_seq_;
  std::string text = "{\"seq\":" + std::to_string(seq) + ",\"type\":";
  json::append_quoted(text, type);
  text += ",\"data\":";
  json::dump_to(text, data);
  text += '}';
  auto message = std::make_shared<const std::string>(std::move(text));
  ring_.push_back(message);
  if (ring_.size() > ring_size_) ring_.pop_front();

  // A subscriber that refuses is closing itself; it is forgotten here, after the loop, since
  // erasing while iterating would skip the next one.
  bool refused = false;
  for (auto*& s : subscribers_) {
    if (!s->deliver(message)) {
      s = nullptr;
      refused = true;
      ++stats_.slow_disconnects;
    }
  }
  if (refused) std::erase(subscribers_, nullptr);
  return seq;
}

void LiveHub::subscribe(LiveSubscriber& subscriber, const std::optional<LiveCursor>& cursor,
                        std::size_t max_messages, std::size_t max_bytes) {
  if (std::find(subscribers_.begin(), subscribers_.end(), &subscriber) != subscribers_.end()) {
    return;
  }
  std::string hello = R"({"type":"hello","run":)";
  json::append_quoted(hello, run_id_);
  hello += ",\"seq\":" + std::to_string(last_seq_) + "}";
  if (!subscriber.deliver(std::make_shared<const std::string>(std::move(hello)))) {
    ++stats_.slow_disconnects;
    return;
  }
  const bool same_run = cursor && (cursor->run.empty() || cursor->run == run_id_);
  if (cursor && (!same_run || cursor->since != last_seq_)) {
    const std::uint64_t since = cursor->since;
    const std::uint64_t first_kept = last_seq_ - ring_.size() + 1;
    const std::uint64_t missed = last_seq_ - since;
    bool replay =
        same_run && since < last_seq_ && since + 1 >= first_kept && missed <= max_messages;
    std::size_t bytes = 0;
    const std::size_t from = replay ? ring_.size() - missed : ring_.size();
    for (std::size_t i = from; replay && i < ring_.size(); ++i) {
      bytes += ring_[i]->size();
      replay = bytes <= max_bytes;
    }
    if (replay) {
      for (std::size_t i = from; i < ring_.size(); ++i) {
        if (!subscriber.deliver(ring_[i])) {
          ++stats_.slow_disconnects;
          return;
        }
        ++stats_.replayed;
      }
    } else {
      ++stats_.resyncs;
      if (!subscriber.deliver(resync_message())) {
        ++stats_.slow_disconnects;
        return;
      }
    }
  }
  subscribers_.push_back(&subscriber);
}

void LiveHub::unsubscribe(LiveSubscriber& subscriber) { std::erase(subscribers_, &subscriber); }

void LiveHub::note_queue(std::size_t messages, std::size_t bytes) {
  stats_.peak_queued_messages = std::max(stats_.peak_queued_messages, messages);
  stats_.peak_queued_bytes = std::max(stats_.peak_queued_bytes, bytes);
}

LiveHubStats LiveHub::stats() const {
  LiveHubStats s = stats_;
  s.last_seq = last_seq_;
  s.subscribers = subscribers_.size();
  return s;
}

}  // namespace mend::web
