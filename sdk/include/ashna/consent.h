// Consent: which purposes the customer allowed. Enforced in the core, not only in the UI:
// before a choice nothing may be stored or sent; "necessary only" keeps no behaviour at all.
#pragma once

#include <string_view>

namespace ashna {

struct Consent {
  bool decided = false;           // false until the customer chose (banner not answered yet)
  bool personalisation = false;
  bool analytics = false;
  bool marketing = false;

  static Consent accept_all() { return {true, true, true, true}; }
  static Consent necessary_only() { return {true, false, false, false}; }

  // May the profile be written to browser storage or synced?
  bool allows_storage() const { return decided && (personalisation || analytics); }
  // May behaviour be kept at all (in memory until a choice, then stored if allowed)?
  bool allows_tracking() const { return !decided || personalisation || analytics; }
  // May decisions use the profile (name, history)?
  bool allows_personalisation() const { return decided && personalisation; }
};

}  // namespace ashna
