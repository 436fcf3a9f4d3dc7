// Greeting: the sentence a page shows its visitor, with a reason a person can read.
// Pure: the same profile and context always give the same greeting.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ashna/catalog.h"
#include "ashna/profile.h"
#include "ashna/views.h"

namespace ashna {

struct GreetingContext {
  std::int64_t now = 0;                        // Unix ms
  int local_hour = 12;                         // 0..23 in the visitor's time zone
  std::string locale = "en";                   // "en" or "fa"; others fall back to "en"
  std::int64_t visit_gap_ms = 30 * 60 * 1000;  // inactivity that starts a new visit
  std::int64_t recall_window_ms = 30LL * 24 * 3600 * 1000;  // older product views are not recalled
  bool personalise = true;                     // false: a generic greeting, profile unused
  // Optional: with views (and the catalog for titles) the greeting can remind a due reorder or
  // welcome back a customer who has lapsed. Not owned; must outlive the call.
  const Views* views = nullptr;
  const Catalog* catalog = nullptr;
  // The site's own wording for this locale, as lines "phrase=template" (phrase names and
  // variables: docs/personalisation.md); phrases it does not name keep Ashna's wording. A
  // template longer than kMaxTemplateBytes is ignored. Not owned; must outlive the call.
  std::string_view templates;
};
constexpr std::size_t kMaxTemplateBytes = 300;

struct Greeting {
  // generic: personalisation off; first_visit: no earlier visit; same_visit: browsing now;
  // returning: an earlier visit exists; reorder: an item is due again; win_back: lapsed customer.
  std::string kind;
  std::string text;
  std::string reason;     // why this greeting, for a tooltip or the profile centre
  std::string item_id;    // the product it mentions, or ""
  std::string locale;     // the locale actually used
};

Greeting make_greeting(const Profile& profile, const GreetingContext& context);

}  // namespace ashna
