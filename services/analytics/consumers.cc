#include "services/analytics/consumers.h"

#include <algorithm>

#include "gridwork/core/log.h"
#include "gridwork/rpc/client.h"

namespace gridwork::analytics {

ConsumerSet::ConsumerSet(store::Db* db, Ingest* ingest, PeerAddresses peers,
                         store::FeedConsumerOptions base, absl::Duration reference_wait)
    : db_(db),
      ingest_(ingest),
      peers_(std::move(peers)),
      location_serial_(db),
      base_(std::move(base)),
      reference_wait_(reference_wait) {
  for (const service::FeedSource& s : peers_.location) cursor_names_.push_back(s.consumer);
  if (!peers_.geofence.empty()) cursor_names_.push_back("analytics<-geofence");
  if (!peers_.workorder.empty()) cursor_names_.push_back("analytics<-workorder");
  if (!peers_.inspection.empty()) cursor_names_.push_back("analytics<-inspection");
  absl::MutexLock l(&mu_);
  Build();
}

ConsumerSet::~ConsumerSet() { Stop(); }

void ConsumerSet::Build() {
  consumers_.clear();
  struct Spec {
    const std::string* address;
    const char* name;
    Source source;
    std::vector<std::string> types;
    absl::Status (Ingest::*apply)(const std::vector<store::FeedEvent>&, store::WriteRequest&);
  };
  // Location: one consumer per feed source, committing through location_serial_.
  for (const service::FeedSource& source : peers_.location) {
    store::FeedConsumerOptions options = base_;
    options.types = {"gridwork.common.v1.AcceptedFixes"};
    options.on_committed = nullptr;  // published by location_serial_ after its own commit
    Ingest* ingest = ingest_;
    consumers_.push_back(std::make_unique<store::FeedConsumer>(
        db_, rpc::MakeChannel(source.address), source.consumer,
        location_serial_.Wrap(
            source.consumer,
            [ingest](const std::vector<store::FeedEvent>& events, store::WriteRequest& w) {
              return ingest->ApplyLocation(events, w);
            },
            [ingest] { ingest->Committed(Source::kLocation); }),
        options));
  }
  const Spec specs[] = {
      {&peers_.geofence,
       "analytics<-geofence",
       Source::kGeofence,
       {"gridwork.geofence.v1.RegionChanged", "gridwork.geofence.v1.BindingChanged",
        "gridwork.geofence.v1.KeyPointChanged", "gridwork.geofence.v1.FenceEvent"},
       &Ingest::ApplyGeofence},
      {&peers_.workorder,
       "analytics<-workorder",
       Source::kWorkOrder,
       {"gridwork.workorder.v1.OrderEvent", "gridwork.workorder.v1.SlaAlarm"},
       &Ingest::ApplyWorkOrder},
      {&peers_.inspection,
       "analytics<-inspection",
       Source::kInspection,
       {"gridwork.inspection.v1.TaskChanged", "gridwork.inspection.v1.ResultSubmitted",
        "gridwork.inspection.v1.ChecklistPublished"},
       &Ingest::ApplyInspection},
  };
  for (const Spec& s : specs) {
    if (s.address->empty()) continue;
    store::FeedConsumerOptions options = base_;
    options.types = s.types;
    // A geofence batch may need a GetRegion call and a rasterisation per grid: small batches
    // keep each commit short (and the stall watchdog quiet) while a city's grids arrive.
    if (s.source == Source::kGeofence) {
      options.max_batch_events = std::min<size_t>(options.max_batch_events, 100);
    }
    Ingest* ingest = ingest_;
    const Source source = s.source;
    options.on_committed = [ingest, source] { ingest->Committed(source); };
    auto apply = s.apply;
    consumers_.push_back(std::make_unique<store::FeedConsumer>(
        db_, rpc::MakeChannel(*s.address), s.name,
        store::FeedConsumer::BatchHandler(
            [ingest, apply](const std::vector<store::FeedEvent>& events, store::WriteRequest& w) {
              return (ingest->*apply)(events, w);
            }),
        options));
  }
}

void ConsumerSet::StartOrdered() {
  store::FeedConsumer* reference = nullptr;
  std::vector<store::FeedConsumer*> rest;
  for (auto& c : consumers_) {
    if (c->name() == "analytics<-geofence") {
      reference = c.get();
    } else {
      rest.push_back(c.get());
    }
  }
  if (reference == nullptr) {
    for (store::FeedConsumer* c : rest) c->Start();
    return;
  }
  reference->Start();
  stop_starter_ = false;
  starter_ = std::thread([this, reference, rest] {
    const absl::Time give_up = absl::Now() + reference_wait_;
    while (!stop_starter_ && !(reference->connected() && reference->lag() == 0)) {
      if (absl::Now() > give_up) {
        log::Warning("geofence feed not caught up: starting the other consumers anyway",
                     {{"lag", reference->lag()}, {"connected", reference->connected()}});
        break;
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
    if (stop_starter_) return;
    for (store::FeedConsumer* c : rest) c->Start();
  });
}

void ConsumerSet::StopAll() {
  stop_starter_ = true;
  if (starter_.joinable()) starter_.join();
  for (auto& c : consumers_) c->Stop();
}

void ConsumerSet::Start() {
  absl::MutexLock l(&mu_);
  if (started_) return;
  StartOrdered();
  started_ = true;
}

void ConsumerSet::Stop() {
  absl::MutexLock l(&mu_);
  StopAll();
}

absl::Status ConsumerSet::Restart(const std::function<absl::Status()>& between) {
  absl::MutexLock l(&mu_);
  StopAll();
  absl::Status s = between();
  Build();
  StartOrdered();
  started_ = true;
  return s;
}

std::vector<v1::ConsumerProgress> ConsumerSet::Progress() const {
  absl::MutexLock l(&mu_);
  std::vector<v1::ConsumerProgress> out;
  for (const auto& c : consumers_) {
    v1::ConsumerProgress p;
    p.set_consumer(c->name());
    p.set_cursor(c->cursor());
    p.set_lag(c->lag());
    p.set_peer_last_sequence(c->cursor() + c->lag());
    p.set_connected(c->connected());
    p.set_events_applied(c->events_applied());
    p.set_dead_letters(c->events_dead_lettered());
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<const store::FeedConsumer*> ConsumerSet::consumers() const {
  absl::MutexLock l(&mu_);
  std::vector<const store::FeedConsumer*> out;
  for (const auto& c : consumers_) out.push_back(c.get());
  return out;
}

}  // namespace gridwork::analytics
