// A Responder for handler tests: records what a deferred answer or stream would send, and keeps
// the callbacks a handler scheduled with after() so the test runs them when it chooses.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <vector>

#include "http.h"

namespace ashna::server::testing {

class FakeResponder final : public Responder {
 public:
  // Ending the exchange drops the pending callbacks, as the session does: a handler's timer that
  // holds the handler (and through it this responder) would otherwise keep both alive for ever.
  void reply(Response response) override {
    decltype(timers_) dropped;  // destroyed after the lock is released
    std::lock_guard lock(mutex_);
    if (!ended_) replied_ = std::move(response), ended_ = true;
    dropped.swap(timers_);
  }
  void start(Response head) override {
    std::lock_guard lock(mutex_);
    head_ = std::move(head);
  }
  void write(std::string chunk, std::function<void(bool)> done) override {
    {
      std::lock_guard lock(mutex_);
      streamed_ += chunk;
    }
    if (done) done(!ended_);
  }
  void finish() override {
    decltype(timers_) dropped;
    std::lock_guard lock(mutex_);
    ended_ = true;
    dropped.swap(timers_);
  }
  void abort() override {
    decltype(timers_) dropped;
    std::lock_guard lock(mutex_);
    ended_ = aborted_ = true;
    dropped.swap(timers_);
  }
  void after(std::chrono::milliseconds delay, std::function<void()> fn) override {
    std::lock_guard lock(mutex_);
    timers_.push_back({delay, std::move(fn)});
  }
  bool done() const override {
    std::lock_guard lock(mutex_);
    return ended_;
  }

  // Runs the callbacks scheduled with a delay <= `upto`, as the session's strand would once that
  // much time has passed, then those they schedule with no delay (a heartbeat that re-arms
  // itself waits for the next call).
  void run(std::chrono::milliseconds upto = std::chrono::milliseconds(0)) {
    for (bool first = true;; first = false) {
      std::vector<std::function<void()>> due;
      {
        std::lock_guard lock(mutex_);
        for (auto it = timers_.begin(); it != timers_.end();) {
          if (it->first <= (first ? upto : std::chrono::milliseconds(0))) {
            due.push_back(std::move(it->second));
            it = timers_.erase(it);
          } else {
            ++it;
          }
        }
      }
      if (due.empty()) return;
      for (auto& fn : due)
        if (!done()) fn();
    }
  }
  std::optional<Response> replied() {
    std::lock_guard lock(mutex_);
    return replied_;
  }
  std::optional<Response> head() {
    std::lock_guard lock(mutex_);
    return head_;
  }
  std::string streamed() {
    std::lock_guard lock(mutex_);
    return streamed_;
  }
  // Drops pending callbacks, as a session does when the exchange ends.
  void end() {
    std::lock_guard lock(mutex_);
    ended_ = true;
    timers_.clear();
  }

 private:
  mutable std::mutex mutex_;
  std::optional<Response> replied_, head_;
  std::string streamed_;
  bool ended_ = false;
 public:
  bool aborted_ = false;
  std::vector<std::pair<std::chrono::milliseconds, std::function<void()>>> timers_;
};

}  // namespace ashna::server::testing
