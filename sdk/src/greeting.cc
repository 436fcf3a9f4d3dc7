// Greetings in English and Persian: time of day, first visit or returning, the customer's name
// when given, and the product they keep looking at but have not bought.
#include "ashna/greeting.h"

#include "ashna/site_model.h"

#include <map>
#include <string_view>

#include "text.h"

namespace ashna {
namespace {

// Every sentence the greeting can say, by name: the names are what a site overrides
// (GreetingContext::templates). Variables: {tod} {name} {item} {n} {every} {last} {days}.
enum Phrase {
  morning, afternoon, evening, night,
  welcome,             // "{tod}! Welcome — have a look around."
  still_thinking,      // "Still thinking about the {item}?"
  back_item,           // "Welcome back — still thinking about the {item}?"
  back_name_item,      // "Welcome back, {name} — still thinking about the {item}?"
  back,                // "{tod} — welcome back!"
  back_name,           // "{tod}, {name} — welcome back!"
  why_generic, why_first, why_back, why_item_now, why_item_back,
  reorder, why_reorder,
  win_back, win_back_name, why_win_back,
  why_win_back_valued,  // the value model says a valuable customer is slipping
  kPhrases
};
using Phrases = std::string_view[kPhrases];

constexpr Phrases kNames = {
    "morning", "afternoon", "evening", "night", "welcome", "still_thinking", "back_item",
    "back_name_item", "back", "back_name", "why_generic", "why_first", "why_back", "why_item_now",
    "why_item_back", "reorder", "why_reorder", "win_back", "win_back_name", "why_win_back",
    "why_win_back_valued",
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
    "شما تقریباً هر {every} آن را سفارش می‌دهید، آخرین بار {last}.",
    "خوش برگشتید — خیلی وقت است شما را ندیده‌ایم!",
    "{name}، خوش برگشتید — خیلی وقت است شما را ندیده‌ایم!",
    "آخرین سفارش شما {days} روز پیش بود.",
    "شما از مشتریان ارزشمند ما هستید و آخرین سفارش شما {days} روز پیش بود.",
};

// The values a sentence can use; an unset one is empty.
struct Vars {
  std::string tod, name, item, n, every, last, days;
  const std::string* find(std::string_view key) const {
    for (auto [k, v] : {std::pair{"tod", &tod}, {"name", &name}, {"item", &item}, {"n", &n},
                        {"every", &every}, {"last", &last}, {"days", &days}})
      if (key == k) return v;
    return nullptr;
  }
};

// The site's sentence for `which` (a "name=template" line of `templates`), else the locale's.
std::string_view phrase(const Phrases& locale, std::string_view templates, Phrase which) {
  for (std::size_t at = 0; at < templates.size();) {
    std::size_t end = templates.find('\n', at);
    if (end == std::string_view::npos) end = templates.size();
    std::string_view line = templates.substr(at, end - at);
    std::size_t eq = line.find('=');
    if (eq != std::string_view::npos && line.substr(0, eq) == kNames[which] &&
        eq + 1 < line.size() && line.size() - eq - 1 <= kMaxTemplateBytes)
      return line.substr(eq + 1);
    at = end + 1;
  }
  return locale[which];
}

// {var} becomes its value; anything else stays as written.
std::string fill(std::string_view tmpl, const Vars& vars) {
  std::string out;
  for (std::size_t i = 0; i < tmpl.size();) {
    if (tmpl[i] == '{') {
      std::size_t end = tmpl.find('}', i);
      if (end != std::string_view::npos) {
        if (const std::string* v = vars.find(tmpl.substr(i + 1, end - i - 1))) {
          out += *v;
          i = end + 1;
          continue;
        }
      }
    }
    out += tmpl[i++];
  }
  return out;
}

std::string times(int n, bool persian) {
  if (persian) return text::persian_digits(std::to_string(n)) + " بار";
  if (n == 1) return "once";
  if (n == 2) return "twice";
  return std::to_string(n) + " times";
}

Phrase time_of_day(int hour) {
  if (hour >= 5 && hour < 12) return morning;
  if (hour >= 12 && hour < 17) return afternoon;
  if (hour >= 17 && hour < 23) return evening;
  return night;
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
    if (e.type == EventType::not_interested) {
      by_item.erase(e.item.id);  // dismissed: not recalled (later views count again)
    } else if (e.type == EventType::purchase) {
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
  const text::Lang lang = text::lang_of(ctx.locale);
  const bool persian = lang == text::Lang::fa;
  auto p = [&](Phrase which) { return phrase(persian ? kPersian : kEnglish, ctx.templates, which); };
  Greeting g;
  g.locale = persian ? "fa" : "en";
  Vars vars;
  vars.tod = p(time_of_day(ctx.local_hour));

  bool returning = false;
  Recall recall;
  if (ctx.personalise && !profile.events().empty()) {
    returning = profile.events().front().ts < current_visit_start(profile, ctx);
    recall = recall_item(profile, ctx);
  }
  std::string name = ctx.personalise ? std::string(profile.trait_value("name")) : "";
  vars.name = name;
  if (recall.last_view) {
    g.item_id = recall.last_view->item.id;
    vars.item = title_of(profile, ctx.catalog, recall.last_view->item.id);
    vars.n = times(recall.views, persian);
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
    vars.item = due_title;
    vars.every = text::interval(due->interval_days, lang);
    vars.last = text::day_month(due->last, lang);
    g.text = fill(p(reorder), vars);
    g.reason = fill(p(why_reorder), vars);
  } else if (lapsed) {
    g.kind = "win_back";
    g.item_id.clear();
    std::string days = std::to_string(ctx.views->rfm.recency_days);
    vars.days = persian ? text::persian_digits(days) : days;
    g.text = fill(p(name.empty() ? win_back : win_back_name), vars);
    g.reason = fill(p(slipping ? why_win_back_valued : why_win_back), vars);
  } else if (!ctx.personalise) {
    g.kind = "generic";
    g.text = fill(p(welcome), vars);
    g.reason = fill(p(why_generic), vars);
  } else if (!returning) {
    g.kind = recall.last_view ? "same_visit" : "first_visit";
    g.text = fill(p(recall.last_view ? still_thinking : welcome), vars);
    g.reason = fill(p(recall.last_view ? why_item_now : why_first), vars);
  } else {
    g.kind = "returning";
    if (recall.last_view)
      g.text = fill(p(name.empty() ? back_item : back_name_item), vars);
    else
      g.text = fill(p(name.empty() ? back : back_name), vars);
    g.reason = fill(p(recall.last_view ? why_item_back : why_back), vars);
  }
  return g;
}

}  // namespace ashna
