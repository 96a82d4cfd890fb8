#include "services/gateway/password_hash.h"

#include <catch2/catch.hpp>

namespace gridwork::gateway {
namespace {

TEST_CASE("password hash verifies the right password and only it", "[password]") {
  v1::PasswordHash h = HashPassword("correct horse battery", 1000);
  CHECK(h.salt().size() == kSaltBytes);
  CHECK(h.hash().size() == kHashBytes);
  CHECK(h.iterations() == 1000);
  CHECK(VerifyPassword("correct horse battery", h));
  CHECK_FALSE(VerifyPassword("correct horse batterY", h));
  CHECK_FALSE(VerifyPassword("", h));
}

TEST_CASE("password hashes are salted per call", "[password]") {
  v1::PasswordHash a = HashPassword("same password", 1000);
  v1::PasswordHash b = HashPassword("same password", 1000);
  CHECK(a.salt() != b.salt());
  CHECK(a.hash() != b.hash());
}

TEST_CASE("password hash matches a known PBKDF2-HMAC-SHA256 vector", "[password]") {
  // RFC 7914 section 11 PBKDF2-HMAC-SHA256 vector: P="passwd", S="salt", c=1, dkLen=32 prefix.
  v1::PasswordHash h;
  h.set_salt("salt");
  h.set_iterations(1);
  std::string expected = {'\x55', '\xac', '\x04', '\x6e', '\x56', '\xe3', '\x08', '\x9f',
                          '\xec', '\x16', '\x91', '\xc2', '\x25', '\x44', '\xb6', '\x05',
                          '\xf9', '\x41', '\x85', '\x21', '\x6d', '\xde', '\x04', '\x65',
                          '\xe6', '\x8b', '\x9d', '\x57', '\xc2', '\x0d', '\xac', '\xbc'};
  h.set_hash(expected);
  CHECK(VerifyPassword("passwd", h));
  CHECK(kDefaultPbkdf2Iterations >= 100000);
}

TEST_CASE("malformed stored hashes never verify", "[password]") {
  v1::PasswordHash h = HashPassword("pw-123456", 10);
  v1::PasswordHash no_iter = h;
  no_iter.set_iterations(0);
  CHECK_FALSE(VerifyPassword("pw-123456", no_iter));
  v1::PasswordHash short_hash = h;
  short_hash.set_hash("abc");
  CHECK_FALSE(VerifyPassword("pw-123456", short_hash));
  CHECK_FALSE(VerifyPassword("pw-123456", v1::PasswordHash()));
}

}  // namespace
}  // namespace gridwork::gateway
