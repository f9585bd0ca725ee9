// Devices: temperature out of range, silence (nothing sent for too long) and offline status.
#include "core/engine_impl.hpp"

#include "core/words.hpp"

namespace mend {

std::string Engine::Impl::device_words(const std::string& device) const {
  auto it = devices.find(device);
  if (it == devices.end()) return {};
  const DeviceConfig& d = *it->second;
  if (d.location.empty()) return " (" + d.kind + ")";
  return " (" + d.kind + ", " + d.location + ")";
}

std::string Engine::Impl::device_area(const std::string& device) const {
  auto it = devices.find(device);
  return it == devices.end() ? std::string() : it->second->area;
}

Millis Engine::Impl::silence_of(const std::string& device) const {
  auto it = devices.find(device);
  if (it == devices.end()) return Millis{0};  // unregistered: we do not know its rhythm
  return it->second->silence.value_or(settings.detect.device_silence);
}

void Engine::Impl::device_seen(const std::string& device, const Event& e, Now now,
                               EngineOutput& out) {
  arm_silence(device, now, &e);
  device_back(device, e, now, out);
}

void Engine::Impl::arm_silence(const std::string& device, Now now, const Event* last) {
  const Millis limit = silence_of(device);
  if (limit <= Millis{0}) return;
  const std::string key = make_key(kTagSilence, device);
  const Evidence start = last != nullptr
                             ? evidence_of(*last, "last message")
                             : Evidence{"", "mendd.started", now.wall, "no message since start"};
  if (Wait* w = waits.find(key); w != nullptr && w->stage == 0) {
    w->anchor = now.mono;
    w->started = now.wall;
    w->start = start;
    waits.schedule(*waits.slot_of(key), now.mono + limit);
    return;
  }
  waits.remove(key);
  Wait w;
  w.kind = CaseKind::kDeviceOffline;
  w.key = key;
  w.case_key = make_key(tag_of(CaseKind::kDeviceOffline), device);
  w.subject.device = device;
  w.subject.area = device_area(device);
  w.started = now.wall;
  w.threshold = limit;
  w.start = start;
  w.detail = device_words(device) + " has sent nothing since";
  const std::uint32_t slot = waits.add(std::move(w));
  waits.at(slot).anchor = now.mono;
  waits.schedule(slot, now.mono + limit);
}

void Engine::Impl::device_back(const std::string& device, const Event& e, Now now,
                               EngineOutput& out) {
  const std::string case_key = make_key(tag_of(CaseKind::kDeviceOffline), device);
  const std::string status_key = make_key(kTagOfflineStatus, device);
  waits.remove(status_key);
  auto it = open_cases.find(case_key);
  if (it == open_cases.end()) return;
  Decision d;
  d.op = Decision::Op::kClose;
  d.case_id = it->second.id;
  d.kind = CaseKind::kDeviceOffline;
  d.subject.device = device;
  d.subject.area = device_area(device);
  d.severity = it->second.severity;
  d.at = now.wall;
  d.reason = "Device " + device + " is back online.";
  d.evidence.push_back(evidence_of(e, d.reason));
  out.decisions.push_back(std::move(d));
  case_keys.erase(it->second.id);
  open_cases.erase(it);
}

void Engine::Impl::on_status(const Event& e, const DeviceStatus& b, Now now, EngineOutput& out) {
  if (b.online) {
    device_seen(b.device, e, now, out);
    return;
  }
  const std::string key = make_key(kTagOfflineStatus, b.device);
  if (waits.find(key) != nullptr) return;  // already offline: a retained status again
  Wait w;
  w.kind = CaseKind::kDeviceOffline;
  w.key = key;
  w.case_key = make_key(tag_of(CaseKind::kDeviceOffline), b.device);
  w.subject.device = b.device;
  w.subject.area = device_area(b.device);
  // The status is the broker's last will, published when the broker noticed: it has no ts
  // of its own, so the wait counts from when we heard it.
  w.started = e.ts;
  w.threshold = settings.detect.device_offline;
  w.start = evidence_of(e);
  w.detail = device_words(b.device) + " reported offline";
  start_wait(std::move(w), now, out);
}

void Engine::Impl::on_temperature(const Event& e, const Temperature& b, Now now,
                                  EngineOutput& out) {
  device_seen(b.device, e, now, out);
  double low = settings.detect.temperature_low;
  double high = settings.detect.temperature_high;
  Millis limit = settings.detect.temperature_for;
  auto dev = devices.find(b.device);
  if (dev != devices.end()) {
    low = dev->second->low.value_or(low);
    high = dev->second->high.value_or(high);
    limit = dev->second->out_of_range_for.value_or(limit);
  }
  const double c = b.celsius();
  const std::string key = make_key(tag_of(CaseKind::kTemperatureOutOfRange), b.device);
  const std::string band = words::celsius(low) + " to " + words::celsius(high);
  if (c >= low && c <= high) {
    end_wait(key, e, "Back in range at " + words::celsius(c), now, out);
    return;
  }
  if (Wait* w = waits.find(key)) {
    w->detail =
        device_words(b.device) + " has read " + words::celsius(c) + ", outside " + band + ",";
    return;
  }
  Wait w;
  w.kind = CaseKind::kTemperatureOutOfRange;
  w.key = key;
  w.case_key = key;
  w.subject.device = b.device;
  w.subject.area = device_area(b.device);
  w.started = e.ts;
  w.threshold = limit;
  w.start = evidence_of(e, words::celsius(c));
  w.detail = device_words(b.device) + " has read " + words::celsius(c) + ", outside " + band + ",";
  start_wait(std::move(w), now, out);
}

}  // namespace mend
