// ChangeNotifier: tells waiting change-feed readers (long-polls, SSE streams) that the store
// committed something, so they read again instead of polling. It carries no data: the op log is
// the truth, readers query it after their cursor. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

namespace ashna::server {

class ChangeNotifier {
 public:
  using Id = std::uint64_t;
  // `fn` runs on the notifying thread (the store's writer): it must only hand work elsewhere.
  Id subscribe(std::function<void()> fn);
  void unsubscribe(Id id);
  // Calls every subscriber. Called after each commit.
  void notify();
  std::size_t subscribers() const;

 private:
  mutable std::mutex mutex_;
  Id next_ = 1;
  std::map<Id, std::function<void()>> subscribers_;
};

}  // namespace ashna::server
