#include "planner/format.hpp"
#include "planner_test_util.hpp"

namespace onair::planner::test {
namespace {

const std::string vte = "Asia/Vientiane";

TEST(planner_format, json_and_csv_follow_the_spec) {
    auto p = make_planner(R"(
media:
  tip-lo-30: {file: /media/tip-lo-30.mp4, title: "ຢຸດຕິການຄ້າມະນຸດ, \"Stop\"", duration: 30s}
  mag: {file: /media/mag.mp4, duration: 10m}
campaigns:
  tip-2026: {from: 2026-12-01, until: 2027-03-31, spots: [tip-lo-30]}
breaks:
  - {id: hourly, every: 1h, offset: 58m, between: "06:00-08:00", length: 30s}
programmes:
  - {id: tip-magazine, media: mag, at: "07:50"}
)");
    rundown_header h{"police-tv", "Police TV", date::locate_zone(vte),
                     local(vte, "2026-12-01T00:00:00"), local(vte, "2026-12-02T00:00:00")};
    auto r = p.plan_window(h.from, h.to);
    auto j = to_json(h, r);
    EXPECT_EQ(j["channel"], "police-tv");
    EXPECT_EQ(j["timezone"], "Asia/Vientiane");
    EXPECT_EQ(j["from"], "2026-12-01T00:00:00+07:00");
    EXPECT_EQ(j["to"], "2026-12-02T00:00:00+07:00");
    ASSERT_EQ(j["items"].size(), 2u);
    const auto& spot = j["items"][0];
    EXPECT_EQ(spot["start"], "2026-12-01T06:58:00.000+07:00");
    EXPECT_EQ(spot["end"], "2026-12-01T06:58:30.000+07:00");
    EXPECT_EQ(spot["duration_ms"], 30000);
    EXPECT_EQ(spot["kind"], "spot");
    EXPECT_EQ(spot["media"], "tip-lo-30");
    EXPECT_EQ(spot["campaign"], "tip-2026");
    EXPECT_EQ(spot["break"], "hourly");
    EXPECT_EQ(spot["title"], "ຢຸດຕິການຄ້າມະນຸດ, \"Stop\"");
    EXPECT_EQ(spot["file"], "/media/tip-lo-30.mp4");
    const auto& prog = j["items"][1];
    EXPECT_EQ(prog["kind"], "programme");
    EXPECT_EQ(prog["programme"], "tip-magazine");
    EXPECT_TRUE(prog["campaign"].is_null());
    ASSERT_EQ(j["dropped"].size(), 1u);
    EXPECT_EQ(j["dropped"][0]["break"], "hourly");
    EXPECT_EQ(j["dropped"][0]["at"], "2026-12-01T07:58:00.000+07:00");
    EXPECT_EQ(j["dropped"][0]["reason"], "programme tip-magazine");

    EXPECT_EQ(to_csv(r, *h.zone),
              "start,end,duration_ms,kind,media,campaign,break,title,file\n"
              "2026-12-01T06:58:00.000+07:00,2026-12-01T06:58:30.000+07:00,30000,spot,tip-lo-30,"
              "tip-2026,hourly,\"ຢຸດຕິການຄ້າມະນຸດ, \"\"Stop\"\"\",/media/tip-lo-30.mp4\n"
              "2026-12-01T07:50:00.000+07:00,2026-12-01T08:00:00.000+07:00,600000,programme,mag,"
              ",,mag,/media/mag.mp4\n");
    auto text = to_text(h, r);
    EXPECT_NE(text.find("06:58:00.000"), std::string::npos) << text;
    EXPECT_NE(text.find("Dropped breaks:"), std::string::npos) << text;
    EXPECT_NE(text.find("programme tip-magazine"), std::string::npos) << text;
}

} // namespace
} // namespace onair::planner::test
