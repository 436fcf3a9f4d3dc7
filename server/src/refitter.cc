// Refitter; see refitter.h.
#include "refitter.h"

#include "ashna/json.h"
#include "site_models.h"
#include "sqlite_store.h"

namespace ashna::server {
namespace {

// How often the thread looks for stale models: an hour, or the interval when that is shorter.
constexpr auto kCheckEvery = std::chrono::hours(1);

}  // namespace

Refitter::Refitter(SqliteStore& store, std::chrono::hours interval, std::function<std::int64_t()> now,
                   std::function<void(const std::string&)> log, std::chrono::seconds first_delay)
    : store_(store), interval_(interval), now_(std::move(now)), log_(std::move(log)) {
  if (interval_.count() > 0) thread_ = std::thread([this, first_delay] { loop(first_delay); });
}

Refitter::~Refitter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

int Refitter::refit_stale() {
  auto sites = store_.list_sites();
  if (!sites) return 0;
  const std::int64_t interval_ms = std::chrono::duration_cast<std::chrono::milliseconds>(interval_).count();
  int fitted = 0;
  for (const auto& info : sites.value()) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) break;
    }
    auto model = current_model(store_, info.site);
    const std::int64_t now = now_();
    if (model && model->fitted_at != 0 && now - model->fitted_at < interval_ms) continue;
    auto report = fit_site(store_, info.site, now);
    fitted += report ? 1 : 0;
    if (!log_) continue;
    std::string line = "{\"ts\":" + std::to_string(now) + ",\"level\":\"" + (report ? "info" : "error") +
                       "\",\"msg\":\"site model fitted\",\"site\":";
    append_json_string(line, info.site.publishable_key);
    if (report) {
      line += ",\"profiles\":" + std::to_string(report->profiles) + ",\"customers\":" +
              std::to_string(report->model.customers) + ",\"value\":" + (report->model.bgnbd ? "true" : "false");
    } else {
      line += ",\"error\":";
      append_json_string(line, report.status().message());
    }
    log_(line + "}");
  }
  return fitted;
}

void Refitter::loop(std::chrono::seconds first_delay) {
  auto wait = std::chrono::duration_cast<std::chrono::seconds>(first_delay);
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      if (wake_.wait_for(lock, wait, [this] { return stopping_; })) return;
    }
    refit_stale();
    wait = std::chrono::duration_cast<std::chrono::seconds>(std::min<std::chrono::seconds>(kCheckEvery, interval_));
  }
}

}  // namespace ashna::server
