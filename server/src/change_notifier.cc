// ChangeNotifier; see change_notifier.h.
#include "change_notifier.h"

#include <vector>

namespace ashna::server {

ChangeNotifier::Id ChangeNotifier::subscribe(std::function<void()> fn) {
  std::lock_guard lock(mutex_);
  subscribers_.emplace(next_, std::move(fn));
  return next_++;
}

void ChangeNotifier::unsubscribe(Id id) {
  std::lock_guard lock(mutex_);
  subscribers_.erase(id);
}

void ChangeNotifier::notify() {
  // Called outside the lock, so a subscriber may unsubscribe (or subscribe) from its callback.
  std::vector<std::function<void()>> copy;
  {
    std::lock_guard lock(mutex_);
    copy.reserve(subscribers_.size());
    for (auto& [id, fn] : subscribers_) copy.push_back(fn);
  }
  for (auto& fn : copy) fn();
}

std::size_t ChangeNotifier::subscribers() const {
  std::lock_guard lock(mutex_);
  return subscribers_.size();
}

}  // namespace ashna::server
