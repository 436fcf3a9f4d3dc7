// SHA-256 and HMAC-SHA256 (FIPS 180-4, RFC 2104). The server stores only hashes of secret keys
// and device tokens, and will verify identity tokens with HMAC.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace ashna::server {

std::array<std::uint8_t, 32> sha256(std::string_view data);
std::array<std::uint8_t, 32> hmac_sha256(std::string_view key, std::string_view data);
// Lower-case hex of sha256(data).
std::string sha256_hex(std::string_view data);
std::string to_hex(const std::array<std::uint8_t, 32>& digest);

}  // namespace ashna::server
