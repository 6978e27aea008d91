// `onair report --campaign` end to end: one campaign over two channels (one with a DST change
// in the period), every status, dayparts, estimated reach and outcomes with a known lag, the
// binary's output checked cell by cell. The scenario's numbers are in campaign_scenario.hpp.

#include "asrun/evidence.hpp"
#include "asrun_fixture.hpp"
#include "campaign_scenario.hpp"
#include "process.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

namespace onair::asrun {
namespace {

using test::temp_dir;

constexpr auto run = &test_support::run_onair;

class campaign_report : public ::testing::Test {
protected:
    void SetUp() override { onair::test::write_campaign_scenario(dir_.path()); }
    std::string cmd(const std::string& rest) const {
        return "report --config " + (dir_.path() / "onair.yaml").string() + rest;
    }
    temp_dir dir_;
};

// The 24th's 18:00:30 b failed and was made good on the 25th: it counts in its own cell as made
// good, and as delivered.
TEST_F(campaign_report, counts_one_campaign_over_two_channels_by_day_daypart_and_spot) {
    auto csv = run(cmd(" --campaign tip --from 2026-10-24 --to 2026-10-26 --format csv"));
    ASSERT_EQ(csv.code, 0);
    EXPECT_EQ(csv.out,
              std::string(evidence_csv_header) +
                  // Berlin: the clocks went back on the 25th; 12:00 local is still the 25th
                  "item,tip,radio,2026-10-24,all day,spot-a,1,0,0,0,0,0,0,0,0.0,0.000\n"
                  "item,tip,radio,2026-10-24,all day,spot-b,1,0,0,0,0,0,0,0,0.0,0.000\n"
                  "item,tip,radio,2026-10-25,all day,spot-a,1,1,0,0,0,0,0,0,100.0,30.000\n"
                  "item,tip,radio,2026-10-25,all day,spot-b,1,0,0,1,0,0,0,0,0.0,10.000\n"
                  "item,tip,radio,2026-10-26,all day,spot-a,1,0,0,0,0,0,0,0,0.0,0.000\n"
                  "item,tip,radio,2026-10-26,all day,spot-b,1,0,0,0,0,0,0,0,0.0,0.000\n"
                  "item,tip,tv,2026-10-24,06:00-09:00,spot-a,1,1,0,0,0,0,0,0,100.0,30.000\n"
                  "item,tip,tv,2026-10-24,06:00-09:00,spot-b,1,1,0,0,0,0,0,0,100.0,30.000\n"
                  "item,tip,tv,2026-10-24,17:00-22:00,spot-a,1,1,0,0,0,0,0,0,100.0,30.000\n"
                  "item,tip,tv,2026-10-24,17:00-22:00,spot-b,1,0,1,0,1,0,0,0,100.0,30.000\n"
                  "item,tip,tv,2026-10-25,06:00-09:00,spot-a,1,0,0,0,0,1,0,0,0.0,0.000\n"
                  "item,tip,tv,2026-10-25,06:00-09:00,spot-b,1,1,0,0,0,0,0,0,100.0,30.000\n"
                  "item,tip,tv,2026-10-25,17:00-22:00,spot-a,1,0,0,0,0,0,1,0,0.0,0.000\n"
                  "item,tip,tv,2026-10-25,17:00-22:00,spot-b,1,1,0,0,0,0,0,0,100.0,30.000\n"
                  "item,tip,tv,2026-10-26,06:00-09:00,spot-a,1,0,0,0,0,0,0,0,0.0,0.000\n"
                  "item,tip,tv,2026-10-26,06:00-09:00,spot-b,1,0,0,0,0,0,0,0,0.0,0.000\n"
                  "item,tip,tv,2026-10-26,17:00-22:00,spot-a,1,0,0,0,0,0,0,0,0.0,0.000\n"
                  "item,tip,tv,2026-10-26,17:00-22:00,spot-b,1,0,0,0,0,0,0,0,0.0,0.000\n"
                  "channel,tip,radio,,,,6,1,0,1,0,0,0,0,16.7,40.000\n"
                  "channel,tip,tv,,,,12,5,1,0,1,1,1,0,50.0,180.000\n"
                  "total,tip,,,,,18,6,1,1,1,1,1,0,38.9,220.000\n");

    // one channel: the same cells of that channel
    auto tv = run(cmd(" --campaign tip --channel radio --from 2026-10-25 --to 2026-10-25 "
                      "--format csv"));
    ASSERT_EQ(tv.code, 0);
    EXPECT_EQ(tv.out, std::string(evidence_csv_header) +
                          "item,tip,radio,2026-10-25,all day,spot-a,1,1,0,0,0,0,0,0,100.0,30.000\n"
                          "item,tip,radio,2026-10-25,all day,spot-b,1,0,0,1,0,0,0,0,0.0,10.000\n"
                          "channel,tip,radio,,,,2,1,0,1,0,0,0,0,50.0,40.000\n"
                          "total,tip,,,,,2,1,0,1,0,0,0,0,50.0,40.000\n");
}

TEST_F(campaign_report, json_lists_the_missed_airings_the_reach_and_the_chain) {
    auto out = run(cmd(" --campaign tip --from 2026-10-24 --to 2026-10-26 --format json"));
    ASSERT_EQ(out.code, 0);
    const auto j = nlohmann::json::parse(out.out);
    EXPECT_EQ(j["campaign"], "tip");
    // the four that did not air whole, in time order, at the channel's local time, with why
    const auto& missed = j["missed"];
    ASSERT_EQ(missed.size(), 4u) << missed.dump(1);
    EXPECT_EQ(missed[0]["scheduled_start"], "2026-10-24T18:00:30.000+07:00");
    EXPECT_EQ(missed[0]["status"], "failed");
    EXPECT_EQ(missed[0]["detail"], "file missing");
    EXPECT_EQ(missed[1]["scheduled_start"], "2026-10-25T07:00:00.000+07:00");
    EXPECT_EQ(missed[1]["status"], "skipped");
    EXPECT_EQ(missed[1]["detail"], "an operator insert took its slot");
    // in time order: 18:00 in Vientiane is 11:00 UTC, 12:00:30 in Berlin (now +01:00) 11:00:30
    EXPECT_EQ(missed[2]["scheduled_start"], "2026-10-25T18:00:00.000+07:00");
    EXPECT_EQ(missed[2]["status"], "interrupted");
    EXPECT_EQ(missed[3]["scheduled_start"], "2026-10-25T12:00:30.000+01:00");
    EXPECT_EQ(missed[3]["channel"], "radio");
    EXPECT_EQ(missed[3]["status"], "truncated");
    EXPECT_EQ(missed[3]["detail"], "cut by the next programme");

    // every one counted by channel (in config order), status and reason
    const auto& reasons = j["missed_reasons"];
    ASSERT_EQ(reasons.size(), 4u) << reasons.dump(1);
    EXPECT_EQ(reasons[0]["channel"], "tv");
    EXPECT_EQ(reasons[0]["status"], "failed");
    EXPECT_EQ(reasons[0]["detail"], "file missing");
    EXPECT_EQ(reasons[0]["count"], 1);
    EXPECT_EQ(reasons[3]["channel"], "radio");
    EXPECT_EQ(reasons[3]["status"], "truncated");
    EXPECT_EQ(reasons[3]["detail"], "cut by the next programme");

    // reach on tv: sat 07:00 a, b and sun 07:00:30 b in the weekend morning window (50,000);
    // sat 18:00 a and sun 18:00:30 b in the evening (120,000). Radio has no estimate.
    const auto& reach = j["reach"];
    ASSERT_EQ(reach.size(), 2u) << reach.dump(1);
    EXPECT_EQ(reach[0]["channel"], "tv");
    EXPECT_EQ(reach[0]["window"], "06:00-09:00");
    EXPECT_EQ(reach[0]["airings"], 3);
    EXPECT_EQ(reach[0]["impressions"], 150000);
    EXPECT_EQ(reach[0]["source"], "2026 viewer survey");
    EXPECT_EQ(reach[0]["estimate"], true);
    EXPECT_EQ(reach[1]["window"], "17:00-22:00");
    EXPECT_EQ(reach[1]["airings"], 2);
    EXPECT_EQ(reach[1]["impressions"], 240000);

    // the chain was walked: every row the scenario wrote (10 + the 60 outcome-days rows)
    EXPECT_EQ(j["chain"]["checked"], true);
    EXPECT_EQ(j["chain"]["ok"], true);
    EXPECT_EQ(j["chain"]["head"].get<std::string>().size(), 64u);
    EXPECT_GT(j["chain"]["rows"].get<int>(), 10);
}

TEST_F(campaign_report, outcomes_show_their_lag) {
    auto out = run(cmd(" --campaign tip --channel tv --from 2026-10-01 --to 2026-10-20 "
                       "--format json --outcomes " +
                       (dir_.path() / "outcomes.csv").string()));
    ASSERT_EQ(out.code, 0);
    const auto j = nlohmann::json::parse(out.out);
    ASSERT_EQ(j["outcomes"].size(), 2u);
    const auto& calls = j["outcomes"][0];
    EXPECT_EQ(calls["series"], "hotline calls");
    ASSERT_EQ(calls["lags"].size(), 15u); // 0..14 days
    // calls(d + 2) = 100 + 7 * airings(d): exactly 1 at a lag of two days, over all 20 days
    EXPECT_EQ(calls["lags"][2]["r"], 1.0);
    EXPECT_EQ(calls["lags"][2]["pairs"], 20);
    for (int lag : {0, 1, 3}) {
        EXPECT_LT(calls["lags"][lag]["r"].get<double>(), 0.9) << lag;
    }
    // later lags have fewer days with both known
    EXPECT_EQ(calls["lags"][14]["pairs"], 8);
}

TEST_F(campaign_report, text_names_what_did_not_air_and_why) {
    auto out = run(cmd(" --campaign tip --from 2026-10-24 --to 2026-10-26"));
    ASSERT_EQ(out.code, 0);
    EXPECT_NE(out.out.find("tv (Asia/Vientiane): 2026-10-24 to 2026-10-26\n"), std::string::npos)
        << out.out;
    EXPECT_NE(out.out.find("2026-10-24T18:00:30.000+07:00  tv  spot-b  failed: file missing\n"),
              std::string::npos)
        << out.out;
}

TEST_F(campaign_report, html_is_one_file_with_its_numbers_charts_and_font) {
    const auto file = dir_.path() / "tip.html";
    auto out = run(
        cmd(" --campaign tip --from 2026-10-24 --to 2026-10-26 --format html -o " + file.string()));
    ASSERT_EQ(out.code, 0);
    EXPECT_TRUE(out.out.empty());
    std::ifstream in(file);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string html = ss.str();
    EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
    // self-contained: no script, no external reference
    EXPECT_EQ(html.find("<script"), std::string::npos);
    EXPECT_EQ(html.find("src=\"http"), std::string::npos);
    EXPECT_EQ(html.find("href=\"http"), std::string::npos);
    EXPECT_NE(html.find("38.9&#8239;% delivered"), std::string::npos);
    EXPECT_NE(html.find("aria-label=\"planned and aired airings per day\""), std::string::npos);
    EXPECT_NE(html.find("aria-label=\"airings by weekday and hour\""), std::string::npos);
    EXPECT_NE(html.find("The as-run chain holds"), std::string::npos);
    EXPECT_NE(html.find("ຢຸດຕິການຄ້າມະນຸດ"), std::string::npos);
    if (std::filesystem::exists("/usr/share/fonts/truetype/lao/Phetsarath_OT.ttf")) {
        EXPECT_NE(html.find("@font-face { font-family: \"Lao report\"; src: url(data:font/ttf;"),
                  std::string::npos);
    }
    // the summary table's total row
    EXPECT_NE(
        html.find("<tr class=\"total\"><td>tip</td><td>all channels</td><td class=\"n\">18</td>"
                  "<td class=\"n\">6</td><td class=\"n\">1</td>"
                  "<td class=\"n\">38.9&#8239;%</td>"),
        std::string::npos);
}

TEST_F(campaign_report, refuses_what_it_cannot_report) {
    EXPECT_EQ(run(cmd(" --campaign nope --from 2026-10-24 --to 2026-10-26")).code, 2);
    EXPECT_EQ(run(cmd(" --campaign tip --channel nope")).code, 2);
    std::ofstream(dir_.path() / "bad.csv") << "date,series,value\n2026-10-01,calls,12\n"
                                              "2026-10-02,calls,many\n";
    const auto err = test_support::run_capture(
        cmd(" --campaign tip --outcomes " + (dir_.path() / "bad.csv").string()));
    EXPECT_NE(err.find("bad.csv:3:18: error: value: 'many' is not a number"), std::string::npos)
        << err;
}

} // namespace
} // namespace onair::asrun
