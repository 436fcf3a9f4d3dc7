// `ashna-server site create|list|rotate-key`: manage sites and their keys in the database
// offline (the server may run meanwhile: SQLite WAL allows one more writer process, briefly).
// Keys are printed once and stored hashed (SHA-256); a lost secret key is replaced, not shown.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace ashna::server {

// `args` are the words after "site". Returns the process exit status: 0 done, 1 failed (store),
// 2 bad usage (message and usage on `err`).
int run_site_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// `ashna-server fit-value --site PUBLISHABLE_KEY [--db PATH]`: fits the site's model from every
// profile it holds now, saves it (GET /v1/model serves it from then on) and prints it as JSON
// with the segment sizes; progress goes to `err`. Exit status as run_site_cli.
int run_fit_site(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace ashna::server
