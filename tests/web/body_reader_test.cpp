#include "web/handlers/body_reader.hpp"

#include <gtest/gtest.h>

namespace mend::web {
namespace {

Request with_body(std::string body, std::string type = "application/json") {
  Request req{http::verb::post, "/x", 11};
  req.set(http::field::content_type, type);
  req.body() = std::move(body);
  req.prepare_payload();
  return req;
}

std::string message_of(const std::optional<Response>& r) {
  if (!r) return {};
  auto v = json::parse(r->body());
  return v ? *v.value->get("error")->get("message")->as_string() : std::string();
}

TEST(BodyReader, ReadsTypedFields) {
  BodyReader b(with_body(R"({"name":"Ann","hours":1.5,"version":3,"f":{"text":"t"}})"));
  EXPECT_EQ(b.string("name", Field::kRequired), "Ann");
  EXPECT_EQ(b.number("hours", Field::kOptional), 1.5);
  EXPECT_EQ(b.integer("version", Field::kOptional), 3);
  EXPECT_EQ(b.string("note", Field::kOptional), "");
  auto f = b.object("f", Field::kOptional);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->string("text", Field::kRequired), "t");
  b.only({"name", "hours", "version", "f"});
  EXPECT_FALSE(b.error());
  EXPECT_FALSE(f->error());
}

TEST(BodyReader, TheFirstProblemIsReportedAnUnknownFieldFirst) {
  BodyReader b(with_body(R"({"name":7,"colour":"red"})"));
  b.string("name", Field::kRequired);
  b.string("pin", Field::kRequired);
  EXPECT_EQ(message_of(b.error()), "'name' must be a string");
  b.only({"name", "pin"});
  const auto err = b.error();
  ASSERT_TRUE(err);
  EXPECT_EQ(err->result(), http::status::bad_request);
  EXPECT_EQ(message_of(err), "unknown field 'colour'; allowed: name, pin");
}

TEST(BodyReader, MissingWrongTypeAndNestedFieldsAreNamed) {
  BodyReader b(with_body(R"({"version":1.5,"f":{"n":"x"}})"));
  b.string("name", Field::kRequired);
  EXPECT_EQ(message_of(b.error()), "'name' is required");
  BodyReader v(with_body(R"({"version":1.5})"));
  EXPECT_FALSE(v.integer("version", Field::kOptional));
  EXPECT_EQ(message_of(v.error()), "'version' must be a whole number");
  auto f = b.object("f", Field::kRequired);
  ASSERT_TRUE(f);
  f->number("n", Field::kRequired);
  EXPECT_EQ(message_of(f->error()), "'f.n' must be a number");
  BodyReader g(with_body(R"({"f":[]})"));
  EXPECT_FALSE(g.object("f", Field::kOptional));
  EXPECT_EQ(message_of(g.error()), "'f' must be an object");
}

TEST(BodyReader, AnUnreadableBodyIsRefusedBeforeAnythingElse) {
  BodyReader not_json(with_body("{name"));
  not_json.string("name", Field::kRequired);
  not_json.only({"x"});
  ASSERT_TRUE(not_json.error());
  EXPECT_EQ(not_json.error()->result(), http::status::bad_request);
  EXPECT_NE(message_of(not_json.error()).find("not valid JSON"), std::string::npos);
  BodyReader array(with_body("[]"));
  EXPECT_EQ(message_of(array.error()), "the body must be a JSON object");
  BodyReader text(with_body("name=Ann", "text/plain"));
  ASSERT_TRUE(text.error());
  EXPECT_EQ(text.error()->result(), http::status::unsupported_media_type);
  // Empty: an error unless the route allows it.
  Request empty{http::verb::post, "/x", 11};
  EXPECT_TRUE(BodyReader(empty).error());
  BodyReader allowed(empty, true);
  EXPECT_EQ(allowed.string("note", Field::kOptional), "");
  EXPECT_FALSE(allowed.error());
}

}  // namespace
}  // namespace mend::web
