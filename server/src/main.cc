// ashna-server: the Beast HTTP server over a SQLite store.
#include <algorithm>
#include <chrono>
#include <iostream>
#include <mutex>

#include "eval_recs.h"
#include "fit_value.h"
#include "options.h"
#include "refitter.h"
#include "session.h"
#include "site_cli.h"
#include "sha256.h"
#include "sqlite_store.h"

namespace {

std::int64_t unix_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ashna::server;
  // Offline subcommand: runs instead of the server, before the server's own options.
  if (argc > 1 && std::string_view(argv[1]) == "eval-recs")
    return run_eval_recs(std::vector<std::string>(argv + 2, argv + argc), std::cout, std::cerr);
  if (argc > 1 && std::string_view(argv[1]) == "fit-value") {
    std::vector<std::string> args(argv + 2, argv + argc);
    if (std::find(args.begin(), args.end(), "--site") != args.end()) return run_fit_site(args, std::cout, std::cerr);
    return run_fit_value(args, std::cin, std::cout, std::cerr);
  }
  if (argc > 1 && std::string_view(argv[1]) == "site")
    return run_site_cli(std::vector<std::string>(argv + 2, argv + argc), std::cout, std::cerr);
  auto options = parse_options(std::vector<std::string>(argv + 1, argv + argc));
  if (!options) {
    std::cerr << "ashna-server: " << options.status().message() << "\n" << kUsage;
    return 2;
  }
  if (options->help) {
    std::cout << kUsage;
    return 0;
  }
  ChangeNotifier notifier;  // before the store: the store's writer thread notifies until it closes
  auto store = SqliteStore::open(options->db, [&notifier] { notifier.notify(); });
  if (!store) {
    std::cerr << "ashna-server: " << store.status().message() << "\n";
    return 1;
  }
  if (options->demo) {
    auto site = store.value()->ensure_site("Ashna demo shop", "pk_demo", sha256_hex("sk_demo"), "is_demo", unix_ms());
    if (!site) {
      std::cerr << "ashna-server: " << site.status().message() << "\n";
      return 1;
    }
    std::cout << "demo site ready: publishable key pk_demo, secret key sk_demo, identity secret is_demo\n";
    if (options->static_dirs.empty()) options->static_dirs.push_back("demo-site");
  }
  App app{*store.value(), {}, unix_ms, &notifier, std::make_shared<Metrics>(), {}};
  app.log = [](const std::string& line) {  // JSON lines on stderr, one whole line per write
    static std::mutex mutex;
    // One write(2) per line: std::cerr is unbuffered and flushes after every <<.
    const std::string out = line + '\n';
    std::lock_guard lock(mutex);
    std::cerr.write(out.data(), static_cast<std::streamsize>(out.size()));
  };
  for (const auto& d : options->static_dirs) app.static_roots.emplace_back(d);
  for (auto [given, rule] : {std::pair{options->rate_device, &app.limits.device}, {options->rate_site, &app.limits.site},
                             {options->rate_secret, &app.limits.secret_key}})
    if (given) *rule = RateRule{*given, rule->per_second > 0 ? *given * rule->burst / rule->per_second : 2 * *given};

  Refitter refitter(*store.value(), std::chrono::hours(options->refit_hours), unix_ms, app.log);

  std::string error;
  auto server = Server::create(app, options->host, options->port, error);
  if (!server) {
    std::cerr << "ashna-server: " << error << "\n";
    return 1;
  }
  std::cout << "ashna-server listening on http://" << options->host << ":" << server->port()
            << " (db " << options->db << ")" << std::endl;
  server->run(options->threads);
  std::cout << "ashna-server stopped" << std::endl;
  return 0;
}
