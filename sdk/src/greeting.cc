// Greetings in English and Persian: time of day, first visit or returning, the customer's name
// when given, and the product they keep looking at but have not bought.
#include "ashna/greeting.h"

#include "ashna/site_model.h"

#include <map>
#include <string_view>

#include "text.h"

namespace ashna {
namespace {

struct Phrases {
  std::string_view morning, afternoon, evening, night;
  std::string_view welcome;            // "{tod}! Welcome — have a look around."
  std::string_view still_thinking;     // "Still thinking about the {item}?"
  std::string_view back_item;          // "Welcome back — still thinking about the {item}?"
  std::string_view back_name_item;     // "Welcome back, {name} — still thinking about the {item}?"
  std::string_view back;               // "{tod} — welcome back!"
  std::string_view back_name;          // "{tod}, {name} — welcome back!"
  std::string_view why_generic, why_first, why_back, why_item_now, why_item_back;
  std::string_view reorder, why_reorder;   // "Running low on {item}?" / "You reorder it about every {every}."
  std::string_view win_back, win_back_name, why_win_back;
  std::string_view why_win_back_valued;  // the value model says a valuable customer is slipping
};

constexpr Phrases kEnglish = {
    "Good morning", "Good afternoon", "Good evening", "Hello",
    "{tod}! Welcome — have a look around.",
    "Still thinking about the {item}?",
    "Welcome back — still thinking about the {item}?",
    "Welcome back, {name} — still thinking about the {item}?",
    "{tod} — welcome back!",
    "{tod}, {name} — welcome back!",
    "Personalisation is off, so everyone sees this greeting.",
    "This is your first visit.",
    "You have visited before.",
    "You looked at the {item} {n} during this visit.",
    "You looked at the {item} {n} recently and haven't bought it.",
    "Running low on {item}? Time to reorder.",
    "You reorder it about every {every}, last on {last}.",
    "Welcome back — it's been a while!",
    "Welcome back, {name} — it's been a while!",
    "Your last order was {days} days ago.",
    "You are one of our valued customers, and your last order was {days} days ago.",
};

constexpr Phrases kPersian = {
    "صبح بخیر", "روز بخیر", "عصر بخیر", "سلام",
    "{tod}! خوش آمدید — نگاهی بیندازید.",
    "هنوز به {item} فکر می‌کنید؟",
    "خوش برگشتید — هنوز به {item} فکر می‌کنید؟",
    "{name}، خوش برگشتید — هنوز به {item} فکر می‌کنید؟",
    "{tod} — خوش برگشتید!",
    "{tod} {name}، خوش برگشتید!",
    "شخصی‌سازی خاموش است؛ همه این خوشامد را می‌بینند.",
    "این اولین بازدید شماست.",
    "شما قبلاً به ما سر زده‌اید.",
    "شما در همین بازدید {n} به {item} نگاه کردید.",
    "شما اخیراً {n} به {item} نگاه کردید و هنوز آن را نخریده‌اید.",
    "{item} رو به اتمام است؟ وقت سفارش دوباره است.",
    "بر اساس فاصله‌ی سفارش‌های قبلی شما.",
    "خوش برگشتید — خیلی وقت است شما را ندیده‌ایم!",
    "{name}، خوش برگشتید — خیلی وقت است شما را ندیده‌ایم!",
    "آخرین سفارش شما {days} روز پیش بود.",
    "شما از مشتریان ارزشمند ما هستید و آخرین سفارش شما {days} روز پیش بود.",
};

std::string fill(std::string_view tmpl, const std::map<std::string_view, std::string>& vars) {
  std::string out;
  for (std::size_t i = 0; i < tmpl.size();) {
    if (tmpl[i] == '{') {
      std::size_t end = tmpl.find('}', i);
      if (end != std::string_view::npos) {
        auto it = vars.find(tmpl.substr(i + 1, end - i - 1));
        if (it != vars.end()) {
          out += it->second;
          i = end + 1;
          continue;
        }
      }
    }
    out += tmpl[i++];
  }
  return out;
}

std::string persian_digits(std::string_view ascii) {
  static constexpr std::string_view kDigits[] = {"۰", "۱", "۲", "۳", "۴",
                                                 "۵", "۶", "۷", "۸", "۹"};
  std::string out;
  for (char c : ascii) {
    if (c >= '0' && c <= '9') out += kDigits[c - '0'];
    else out += c;
  }
  return out;
}

std::string times(int n, bool persian) {
  if (persian) return persian_digits(std::to_string(n)) + " بار";
  if (n == 1) return "once";
  if (n == 2) return "twice";
  return std::to_string(n) + " times";
}

std::string_view time_of_day(const Phrases& p, int hour) {
  if (hour >= 5 && hour < 12) return p.morning;
  if (hour >= 12 && hour < 17) return p.afternoon;
  if (hour >= 17 && hour < 23) return p.evening;
  return p.night;
}

// The product the customer keeps coming back to: most views within the recall window, not
// bought since the last view; ties go to the latest view.
struct Recall {
  const Event* last_view = nullptr;
  int views = 0;
};

std::string title_of(const Profile& profile, const Catalog* catalog, const std::string& id);

Recall recall_item(const Profile& profile, const GreetingContext& ctx) {
  const bool any_removed = ctx.catalog && !profile.interests('-').empty();
  std::map<std::string_view, Recall> by_item;
  for (const Event& e : profile.events()) {
    if (e.ts > ctx.now) continue;
    if (e.type == EventType::purchase) {
      for (const Line& l : e.lines) by_item.erase(l.item.id);  // bought: stop (later views count again)
    } else if (e.type == EventType::product_view && ctx.now - e.ts <= ctx.recall_window_ms &&
               !(ctx.catalog && ctx.catalog->is_sensitive(e.item.id)) &&
               !(any_removed && item_removed(profile, e.item, *ctx.catalog))) {
      Recall& r = by_item[e.item.id];
      ++r.views;
      r.last_view = &e;
    }
  }
  Recall best;
  for (const auto& [id, r] : by_item) {
    if (title_of(profile, ctx.catalog, r.last_view->item.id).empty()) continue;  // nothing to say it with
    if (!best.last_view || r.views > best.views ||
        (r.views == best.views && r.last_view->ts > best.last_view->ts))
      best = r;
  }
  return best;
}

// Start of the visit that `now` belongs to: the earliest event reachable from now through gaps
// shorter than the visit gap. Events at or after it are "this visit".
std::int64_t current_visit_start(const Profile& profile, const GreetingContext& ctx) {
  std::int64_t start = ctx.now;
  const auto& events = profile.events();
  for (auto it = events.rbegin(); it != events.rend(); ++it) {
    std::int64_t ts = it->ts > ctx.now ? ctx.now : it->ts;
    if (start - ts > ctx.visit_gap_ms) break;
    start = ts;
  }
  return start;
}

// A title for an item: the catalog's, else the one it was last seen or bought with.
std::string title_of(const Profile& profile, const Catalog* catalog, const std::string& id) {
  if (catalog)
    if (const CatalogItem* c = catalog->find(id); c && !c->title.empty()) return c->title;
  const auto& events = profile.events();
  for (auto it = events.rbegin(); it != events.rend(); ++it) {
    if (it->item.id == id && !it->item.title.empty()) return it->item.title;
    for (const Line& l : it->lines)
      if (l.item.id == id && !l.item.title.empty()) return l.item.title;
  }
  return {};
}

}  // namespace

Greeting make_greeting(const Profile& profile, const GreetingContext& ctx) {
  const bool persian = ctx.locale == "fa" || ctx.locale.rfind("fa-", 0) == 0;
  const Phrases& p = persian ? kPersian : kEnglish;
  Greeting g;
  g.locale = persian ? "fa" : "en";
  std::map<std::string_view, std::string> vars{{"tod", std::string(time_of_day(p, ctx.local_hour))}};

  bool returning = false;
  Recall recall;
  if (ctx.personalise && !profile.events().empty()) {
    returning = profile.events().front().ts < current_visit_start(profile, ctx);
    recall = recall_item(profile, ctx);
  }
  std::string name = ctx.personalise ? std::string(profile.trait_value("name")) : "";
  if (!name.empty()) vars["name"] = name;
  if (recall.last_view) {
    g.item_id = recall.last_view->item.id;
    vars["item"] = title_of(profile, ctx.catalog, recall.last_view->item.id);
    vars["n"] = times(recall.views, persian);
  }

  // The strongest signals first: an item due again, then a customer slipping away.
  const Cadence* due = nullptr;
  std::string due_title;
  if (ctx.personalise && ctx.views) {
    for (const Cadence& c : ctx.views->items) {
      if (c.status != CadenceStatus::due_soon && c.status != CadenceStatus::overdue) continue;
      if (ctx.catalog && ctx.catalog->is_sensitive(c.key)) continue;
      if (ctx.catalog && item_removed(profile, Item{c.key, "", "", 0}, *ctx.catalog)) continue;
      due_title = title_of(profile, ctx.catalog, c.key);
      if (!due_title.empty()) {
        due = &c;
        break;
      }
    }
  }
  // Lapsed by RFM, or by the value model: a valuable customer whose purchase pattern says they
  // are probably slipping away, even if RFM still calls them a champion.
  const bool slipping = ctx.views && is_slipping(ctx.views->value);
  const bool lapsed = ctx.personalise && ctx.views && returning &&
                      (slipping || ctx.views->rfm.segment == "at_risk" || ctx.views->rfm.segment == "cant_lose" ||
                       ctx.views->rfm.segment == "hibernating" || ctx.views->rfm.segment == "lost");

  if (due) {
    g.kind = "reorder";
    g.item_id = due->key;
    vars["item"] = due_title;
    vars["every"] = text::interval(due->interval_days);
    vars["last"] = text::day_month(due->last);
    g.text = fill(p.reorder, vars);
    g.reason = fill(p.why_reorder, vars);
  } else if (lapsed) {
    g.kind = "win_back";
    g.item_id.clear();
    std::string days = std::to_string(ctx.views->rfm.recency_days);
    vars["days"] = persian ? persian_digits(days) : days;
    g.text = fill(name.empty() ? p.win_back : p.win_back_name, vars);
    g.reason = fill(slipping ? p.why_win_back_valued : p.why_win_back, vars);
  } else if (!ctx.personalise) {
    g.kind = "generic";
    g.text = fill(p.welcome, vars);
    g.reason = fill(p.why_generic, vars);
  } else if (!returning) {
    g.kind = recall.last_view ? "same_visit" : "first_visit";
    g.text = fill(recall.last_view ? p.still_thinking : p.welcome, vars);
    g.reason = fill(recall.last_view ? p.why_item_now : p.why_first, vars);
  } else {
    g.kind = "returning";
    if (recall.last_view)
      g.text = fill(name.empty() ? p.back_item : p.back_name_item, vars);
    else
      g.text = fill(name.empty() ? p.back : p.back_name, vars);
    g.reason = fill(recall.last_view ? p.why_item_back : p.why_back, vars);
  }
  return g;
}

}  // namespace ashna
