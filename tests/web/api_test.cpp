// The handlers, the router and the response helpers, called directly: no sockets.
#include "web/api.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "core/json.hpp"
#include "web/http.hpp"
#include "web/router.hpp"

namespace mend::web {
namespace {

const WallTime kT0 = wall_from_ms(1795374000000);

Case make_case(std::string id, CaseKind kind, CaseStatus status) {
  Case c;
  c.id = std::move(id);
  c.kind = kind;
  c.status = status;
  c.subject.table = "T12";
  c.opened_at = kT0;
  c.updated_at = kT0;
  c.reason = "seated 10 minutes ago, no order";
  c.evidence.push_back(Evidence{"ev-1", "guest.seated", kT0, ""});
  return c;
}

Request request(std::string_view target, http::verb method = http::verb::get) {
  Request req{method, target, 11};
  req.set(http::field::host, "mend.local");
  return req;
}

json::Value parse_body(const Response& res) {
  auto parsed = json::parse(res.body());
  EXPECT_TRUE(parsed) << "not JSON: " << res.body();
  return parsed ? *parsed.value : json::Value();
}

std::string error_code_of(const Response& res) {
  const json::Value body = parse_body(res);
  const json::Value* error = body.get("error");
  const json::Value* code = error == nullptr ? nullptr : error->get("code");
  return code != nullptr && code->as_string() != nullptr ? *code->as_string() : "";
}

class ApiTest : public ::testing::Test {
 protected:
  ApiTest() {
    book_.load(make_case("c-1", CaseKind::kTableNoOrder, CaseStatus::kOpen));
    book_.load(make_case("c-2", CaseKind::kBillSlow, CaseStatus::kAcknowledged));
    book_.load(make_case("c-3", CaseKind::kTableNoOrder, CaseStatus::kClosed));
  }

  Response get(std::string_view target, http::verb method = http::verb::get) {
    return router_.route(request(target, method));
  }

  // The ids in a {"cases":[...]} body, comma-separated.
  std::string case_ids(const Response& res) {
    const json::Value body = parse_body(res);
    const json::Value* cases = body.get("cases");
    if (cases == nullptr || cases->as_array() == nullptr) return "<no cases array>";
    std::string out;
    for (const auto& c : *cases->as_array()) {
      if (!out.empty()) out += ',';
      out += *c.get("id")->as_string();
    }
    return out;
  }

  CaseBook book_;
  Metrics metrics_;
  bool broker_ = true;
  bool store_ = true;
  ApiContext ctx_{
      book_, metrics_, [this] { return broker_; }, [this] { return store_; }, "v-1", "0.1.0",
      {},    {}};
  Router router_ = make_api_router(ctx_);
};

TEST_F(ApiTest, LivezSaysOk) {
  const Response res = get("/livez");
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res.body(), "ok\n");
  EXPECT_EQ(res[http::field::content_type], "text/plain; charset=utf-8");
}

TEST_F(ApiTest, ReadyzIsOkWhenBrokerAndStoreAre) {
  const Response res = get("/readyz");
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res[http::field::content_type], "application/json");
  EXPECT_EQ(
      res.body(),
      R"({"ready":true,"checks":{"broker":true,"store":true},"venue":"v-1","version":"0.1.0"})");
}

TEST_F(ApiTest, ReadyzNamesTheBrokerWhenItIsDown) {
  broker_ = false;
  const Response res = get("/readyz");
  EXPECT_EQ(res.result(), http::status::service_unavailable);
  EXPECT_EQ(
      res.body(),
      R"({"ready":false,"checks":{"broker":false,"store":true},)"
      R"("error":{"code":"not_ready","message":"not ready: not connected to the MQTT broker"},)"
      R"("venue":"v-1","version":"0.1.0"})");
}

TEST_F(ApiTest, ReadyzNamesTheStoreWhenItIsNotWritable) {
  store_ = false;
  const Response res = get("/readyz");
  EXPECT_EQ(res.result(), http::status::service_unavailable);
  const json::Value body = parse_body(res);
  EXPECT_EQ(*body.get("checks")->get("broker")->as_bool(), true);
  EXPECT_EQ(*body.get("checks")->get("store")->as_bool(), false);
  EXPECT_EQ(*body.get("error")->get("message")->as_string(),
            "not ready: the store is not writable");
}

TEST_F(ApiTest, ReadyzShowsTheCloudLinkButIsReadyWithoutIt) {
  ApiContext ctx{book_,
                 metrics_,
                 [] { return true; },
                 [] { return true; },
                 "v-1",
                 "0.1.0",
                 {},
                 [] {
                   json::Object o;
                   o.append("enabled", true);
                   o.append("connected", false);
                   o.append("unsent", 12);
                   return json::Value(std::move(o));
                 }};
  const Response res = handle_readyz(ctx, request("/readyz"), Params{});
  EXPECT_EQ(res.result(), http::status::ok);
  const json::Value body = parse_body(res);
  const json::Value* cloud = body.get("cloud");
  ASSERT_NE(cloud, nullptr) << res.body();
  EXPECT_EQ(cloud->get("connected")->as_bool(), std::optional<bool>(false));
  EXPECT_EQ(cloud->get("unsent")->as_int(), std::optional<std::int64_t>(12));
}

TEST_F(ApiTest, ReadyzWithoutProbesIsNotReady) {
  ApiContext bare{book_, metrics_, {}, {}, "v-1", "0.1.0", {}, {}};
  const Response res = handle_readyz(bare, request("/readyz"), Params{});
  EXPECT_EQ(res.result(), http::status::service_unavailable);
  EXPECT_EQ(error_code_of(res), "not_ready");
}

TEST_F(ApiTest, MetricsRendersThePrometheusText) {
  metrics_.cases_open.set(2);
  metrics_.cases_opened[CaseKind::kBillSlow].inc();
  const Response res = get("/metrics");
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res[http::field::content_type], "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(res.body(), metrics_.render());
  EXPECT_NE(res.body().find("\nmend_cases_open 2\n"), std::string::npos);
  EXPECT_NE(res.body().find("\nmend_cases_opened_total{kind=\"bill.slow\"} 1\n"),
            std::string::npos);
}

TEST_F(ApiTest, CasesListsEveryCaseInIdOrder) {
  const Response res = get("/api/v1/cases");
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res[http::field::content_type], "application/json");
  EXPECT_EQ(case_ids(res), "c-1,c-2,c-3");
  // Each entry is the case as published on MQTT.
  const json::Value body = parse_body(res);
  EXPECT_EQ(body.get("cases")->as_array()->front(), case_to_json(*book_.find("c-1")));
}

TEST_F(ApiTest, CasesFilters) {
  EXPECT_EQ(case_ids(get("/api/v1/cases?status=open")), "c-1");
  EXPECT_EQ(case_ids(get("/api/v1/cases?status=acknowledged")), "c-2");
  EXPECT_EQ(case_ids(get("/api/v1/cases?kind=table.no_order")), "c-1,c-3");
  EXPECT_EQ(case_ids(get("/api/v1/cases?open=true")), "c-1,c-2");
  EXPECT_EQ(case_ids(get("/api/v1/cases?open=false")), "c-1,c-2,c-3");
  EXPECT_EQ(case_ids(get("/api/v1/cases?kind=table.no_order&open=true")), "c-1");
  EXPECT_EQ(case_ids(get("/api/v1/cases?status=closed&open=true")), "");
  EXPECT_EQ(case_ids(get("/api/v1/cases?kind=table%2Eno_order")), "c-1,c-3");
  EXPECT_EQ(case_ids(get("/api/v1/cases?&status=open&")), "c-1");
}

TEST_F(ApiTest, CasesRefusesABadFilterWithWhatIsAllowed) {
  const Response res = get("/api/v1/cases?status=bogus");
  EXPECT_EQ(res.result(), http::status::bad_request);
  EXPECT_EQ(res.body(),
            R"({"error":{"code":"invalid_parameter","message":"status must be one of open, )"
            R"(acknowledged, awaiting_approval, actioned, follow_up, resolved, closed"}})");

  for (const char* target :
       {"/api/v1/cases?kind=table", "/api/v1/cases?open=yes", "/api/v1/cases?open",
        "/api/v1/cases?stauts=open", "/api/v1/cases?status=open&status=closed"}) {
    const Response bad = get(target);
    EXPECT_EQ(bad.result(), http::status::bad_request) << target;
    EXPECT_EQ(error_code_of(bad), "invalid_parameter") << target;
  }
  const auto message = [this](std::string_view target) {
    return *parse_body(get(target)).get("error")->get("message")->as_string();
  };
  EXPECT_EQ(message("/api/v1/cases?open=1"), "open must be true or false");
  EXPECT_EQ(message("/api/v1/cases?x=1"), "unknown parameter 'x'; allowed: status, kind, open");
}

TEST_F(ApiTest, CasesRefusesAQueryThatDoesNotDecode) {
  for (const char* target : {"/api/v1/cases?status=%zz", "/api/v1/cases?status=%4",
                             "/api/v1/cases?status=%00", "/api/v1/cases?status=%C3"}) {
    const Response res = get(target);
    EXPECT_EQ(res.result(), http::status::bad_request) << target;
    EXPECT_EQ(error_code_of(res), "bad_request") << target;
  }
}

TEST_F(ApiTest, CaseDetailIsTheCaseJson) {
  const Response res = get("/api/v1/cases/c-2");
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res.body(), json::dump(case_to_json(*book_.find("c-2"))));
  // A percent-encoded id is decoded before the lookup.
  EXPECT_EQ(get("/api/v1/cases/c%2D2").body(), res.body());
}

TEST_F(ApiTest, UnknownCaseIs404Json) {
  const Response res = get("/api/v1/cases/c-404");
  EXPECT_EQ(res.result(), http::status::not_found);
  EXPECT_EQ(res[http::field::content_type], "application/json");
  EXPECT_EQ(res.body(), R"({"error":{"code":"not_found","message":"no case with id 'c-404'"}})");
}

TEST_F(ApiTest, UnknownRouteIs404Json) {
  for (const char* target : {"/nope", "/", "/api/v1/cases/", "/api/v1/cases/c-1/x", "/livez/"}) {
    const Response res = get(target);
    EXPECT_EQ(res.result(), http::status::not_found) << target;
    EXPECT_EQ(error_code_of(res), "not_found") << target;
  }
  EXPECT_EQ(get("/nope?a=b").body(),
            R"({"error":{"code":"not_found","message":"no such resource: /nope"}})");
}

TEST_F(ApiTest, WrongMethodIs405WithAllow) {
  const Response res = get("/api/v1/cases/c-1", http::verb::delete_);
  EXPECT_EQ(res.result(), http::status::method_not_allowed);
  EXPECT_EQ(res[http::field::allow], "GET, HEAD");
  EXPECT_EQ(res.body(),
            R"({"error":{"code":"method_not_allowed","message":"DELETE is not allowed here; )"
            R"(allowed: GET, HEAD"}})");
  EXPECT_EQ(get("/livez", http::verb::post).result(), http::status::method_not_allowed);
}

TEST_F(ApiTest, HeadIsAnsweredByTheGetRouteWithoutABody) {
  Response res = get("/livez", http::verb::head);
  EXPECT_EQ(res.result(), http::status::ok);
  finalize_response(res, 11, true, http::verb::head);
  EXPECT_EQ(res.body(), "");
  EXPECT_EQ(res[http::field::content_length], "3");
}

TEST_F(ApiTest, TargetThatIsNotAPathIs400) {
  EXPECT_EQ(get("http://mend.local/livez").result(), http::status::bad_request);
  EXPECT_EQ(get("*", http::verb::options).result(), http::status::bad_request);
  EXPECT_EQ(get("/api/v1/cases/%ff").result(), http::status::bad_request);
}

TEST(Router, PathParamsAndFirstMatchWins) {
  Router r;
  r.add(http::verb::get, "/a/{x}/b/{y}", [](const Request&, const Params& p) {
    return text_response(http::status::ok, *p.path_param("x") + "|" + *p.path_param("y"));
  });
  r.add(http::verb::get, "/a/{x}/b/literal",
        [](const Request&, const Params&) { return text_response(http::status::ok, "second"); });
  r.add(http::verb::post, "/a/{x}/b/{y}", [](const Request&, const Params&) {
    return text_response(http::status::created, "posted");
  });
  EXPECT_EQ(r.route(request("/a/1/b/two%20words")).body(), "1|two words");
  EXPECT_EQ(r.route(request("/a/1/b/literal")).body(), "1|literal");
  EXPECT_EQ(r.route(request("/a/1/b/2", http::verb::post)).result(), http::status::created);
  const Response res = r.route(request("/a/1/b/2", http::verb::put));
  EXPECT_EQ(res[http::field::allow], "GET, HEAD, POST");
  // An empty segment never fills a placeholder.
  EXPECT_EQ(r.route(request("/a//b/2")).result(), http::status::not_found);
}

TEST(Router, QueryParamsReachTheHandler) {
  Router r;
  r.add(http::verb::get, "/q", [](const Request&, const Params& p) {
    std::string out;
    for (const auto& [k, v] : p.query.items()) out += k + "=" + v + ";";
    return text_response(http::status::ok, out);
  });
  EXPECT_EQ(r.route(request("/q?a=1&b=x+y&c&d=%26%3D&&e=")).body(), "a=1;b=x y;c=;d=&=;e=;");
}

TEST(Router, RefusesBadPatternsAndRepeats) {
  Router r;
  const auto h = [](const Request&, const Params&) { return text_response(http::status::ok, ""); };
  EXPECT_THROW(r.add(http::verb::get, "no-slash", h), std::invalid_argument);
  EXPECT_THROW(r.add(http::verb::get, "/a/{}", h), std::invalid_argument);
  EXPECT_THROW(r.add(http::verb::get, "/a/{x", h), std::invalid_argument);
  EXPECT_THROW(r.add(http::verb::get, "/a/x}", h), std::invalid_argument);
  EXPECT_THROW(r.add(http::verb::get, "/a/{x{y}", h), std::invalid_argument);
  r.add(http::verb::get, "/a/{x}", h);
  EXPECT_THROW(r.add(http::verb::get, "/a/{x}", h), std::invalid_argument);
  r.add(http::verb::post, "/a/{x}", h);
}

TEST(PercentDecode, DecodesAndRefusesWhatIsNotCleanUtf8) {
  EXPECT_EQ(percent_decode("%41%62c", false), "Abc");
  EXPECT_EQ(percent_decode("caf%C3%A9", false), "caf\xc3\xa9");
  EXPECT_EQ(percent_decode("a+b", false), "a+b");
  EXPECT_EQ(percent_decode("a+b", true), "a b");
  EXPECT_EQ(percent_decode("", true), "");
  EXPECT_EQ(percent_decode("%", false), std::nullopt);
  EXPECT_EQ(percent_decode("%4", false), std::nullopt);
  EXPECT_EQ(percent_decode("%g1", false), std::nullopt);
  EXPECT_EQ(percent_decode("%00", false), std::nullopt);           // NUL
  EXPECT_EQ(percent_decode("%0A", false), std::nullopt);           // newline
  EXPECT_EQ(percent_decode("%7F", false), std::nullopt);           // DEL
  EXPECT_EQ(percent_decode("%C3", false), std::nullopt);           // truncated sequence
  EXPECT_EQ(percent_decode("%C0%AF", false), std::nullopt);        // overlong '/'
  EXPECT_EQ(percent_decode("%ED%A0%80", false), std::nullopt);     // surrogate
  EXPECT_EQ(percent_decode("%F4%90%80%80", false), std::nullopt);  // past U+10FFFF
  EXPECT_EQ(percent_decode("%F0%9F%8D%95", false), "\xf0\x9f\x8d\x95");
}

TEST(Http, ErrorResponseIsStableJson) {
  const Response res = error_response(http::status::not_found, "not_found", "no \"such\" thing");
  EXPECT_EQ(res.result(), http::status::not_found);
  EXPECT_EQ(res[http::field::content_type], "application/json");
  EXPECT_EQ(res.body(), R"({"error":{"code":"not_found","message":"no \"such\" thing"}})");
}

TEST(Http, FinalizeAddsSecurityHeadersAndLength) {
  Response res = json_response(http::status::ok, json::Value(json::Object{}));
  finalize_response(res, 11, true, http::verb::get);
  EXPECT_EQ(res["Content-Security-Policy"],
            "default-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; "
            "base-uri 'none'");
  EXPECT_EQ(res["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(res["Referrer-Policy"], "no-referrer");
  EXPECT_EQ(res["Cache-Control"], "no-store");
  EXPECT_EQ(res[http::field::content_length], "2");
  EXPECT_TRUE(res.keep_alive());
  EXPECT_FALSE(res.need_eof());
}

TEST(Http, FinalizeKeepsAHandlersCachePolicyAndHonoursClose) {
  Response res = text_response(http::status::ok, "asset");
  res.set(http::field::cache_control, "max-age=3600");
  res.set(http::field::connection, "close");
  finalize_response(res, 11, true, http::verb::get);
  EXPECT_EQ(res["Cache-Control"], "max-age=3600");
  EXPECT_FALSE(res.keep_alive());
  EXPECT_TRUE(res.need_eof());
}

TEST(Http, FinalizeFollowsTheRequestsVersionAndKeepAlive) {
  Response res = text_response(http::status::ok, "x");
  finalize_response(res, 10, false, http::verb::get);
  EXPECT_EQ(res.version(), 10u);
  EXPECT_TRUE(res.need_eof());
  Response kept = text_response(http::status::ok, "x");
  finalize_response(kept, 11, false, http::verb::get);
  EXPECT_EQ(kept[http::field::connection], "close");
}

}  // namespace
}  // namespace mend::web
