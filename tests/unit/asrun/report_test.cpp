// The report's aggregation as a pure function, with exact numbers, and its three formats.

#include "asrun/report.hpp"
#include "asrun_fixture.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

namespace onair::asrun {
namespace {

using namespace std::chrono_literals;
using date::December;
using date::November;

const core::local_days d1 = core::local_days{date::year{2026} / December / 1};
const core::local_days d2 = d1 + date::days{1};

planned_entry plan(const std::string& ch, core::local_days day, airing_kind k,
                   const std::string& campaign, const std::string& media) {
    return {ch, day, k, campaign, media};
}

aired_entry aired(const std::string& ch, core::local_days day, airing_kind k,
                  const std::string& campaign, const std::string& media,
                  std::optional<airing_status> st, core::milliseconds airtime = 0ms) {
    return {ch, day, k, campaign, media, st, airtime};
}

report_counts counts(std::int64_t planned, std::int64_t aired_n, std::int64_t truncated,
                     std::int64_t failed, std::int64_t skipped, std::int64_t interrupted,
                     std::int64_t on_air, core::milliseconds airtime) {
    return {planned, aired_n, truncated, failed, skipped, interrupted, on_air, airtime};
}

// Two channels, two days: spots aired, cut, failed, skipped and on air; a programme
// interrupted; an insert nobody planned; a day with nothing aired.
struct sample {
    std::vector<planned_entry> planned;
    std::vector<aired_entry> aired_rows;
    sample() {
        using k = airing_kind;
        using s = airing_status;
        for (int i = 0; i < 3; ++i) {
            planned.push_back(plan("a", d1, k::spot, "c1", "m1"));
        }
        planned.push_back(plan("a", d1, k::spot, "c1", "m2"));
        planned.push_back(plan("b", d1, k::spot, "c2", "x"));
        planned.push_back(plan("a", d1, k::spot, "c1", "m2"));
        planned.push_back(plan("a", d1, k::programme, "", "news"));
        planned.push_back(plan("a", d2, k::spot, "c1", "m1"));
        planned.push_back(plan("b", d1, k::spot, "c2", "x"));

        aired_rows = {
            aired("a", d1, k::spot, "c1", "m1", s::aired, 30s),
            aired("b", d1, k::spot, "c2", "x", s::aired, 20s),
            aired("a", d1, k::spot, "c1", "m1", s::aired, 29500ms),
            aired("a", d1, k::spot, "c1", "m1", s::truncated, 10s),
            aired("a", d1, k::spot, "c1", "m2", s::failed),
            aired("a", d1, k::spot, "c1", "m2", s::skipped),
            aired("a", d1, k::programme, "", "news", s::interrupted),
            aired("a", d1, k::insert, "", "flood", s::aired, 60s),
            aired("a", d1, k::spot, "c1", "m1", std::nullopt),
            aired("b", d1, k::spot, "c2", "x", s::aired, 20s),
        };
    }
};

report_row item(const std::string& ch, core::local_days day, airing_kind k,
                const std::string& campaign, const std::string& media, report_counts c) {
    return {report_row_type::item, ch, day, k, campaign, media, c};
}
report_row campaign_total(const std::string& ch, const std::string& campaign, report_counts c) {
    return {report_row_type::campaign_total, ch, std::nullopt, std::nullopt, campaign, "", c};
}

TEST(report, counts_exactly_per_channel_day_kind_campaign_and_media) {
    sample in;
    auto rows = build_report(in.planned, in.aired_rows);
    const std::vector<report_row> expected{
        item("a", d1, airing_kind::spot, "c1", "m1", counts(3, 2, 1, 0, 0, 0, 1, 69500ms)),
        item("a", d1, airing_kind::spot, "c1", "m2", counts(2, 0, 0, 1, 1, 0, 0, 0ms)),
        item("a", d1, airing_kind::programme, "", "news", counts(1, 0, 0, 0, 0, 1, 0, 0ms)),
        item("a", d1, airing_kind::insert, "", "flood", counts(0, 1, 0, 0, 0, 0, 0, 60s)),
        item("a", d2, airing_kind::spot, "c1", "m1", counts(1, 0, 0, 0, 0, 0, 0, 0ms)),
        campaign_total("a", "", counts(1, 1, 0, 0, 0, 1, 0, 60s)),
        campaign_total("a", "c1", counts(6, 2, 1, 1, 1, 0, 1, 69500ms)),
        item("b", d1, airing_kind::spot, "c2", "x", counts(2, 2, 0, 0, 0, 0, 0, 40s)),
        campaign_total("b", "c2", counts(2, 2, 0, 0, 0, 0, 0, 40s)),
        {report_row_type::total, "", std::nullopt, std::nullopt, "", "",
         counts(9, 5, 1, 1, 1, 1, 1, 169500ms)},
    };
    ASSERT_EQ(rows.size(), expected.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        EXPECT_EQ(rows[i], expected[i]) << "row " << i;
    }
    // delivery: whole airings against the plan; none without a plan
    EXPECT_DOUBLE_EQ(*rows[0].counts.delivery_pct(), 200.0 / 3.0);
    EXPECT_DOUBLE_EQ(*rows[1].counts.delivery_pct(), 0.0);
    EXPECT_FALSE(rows[3].counts.delivery_pct());
    EXPECT_DOUBLE_EQ(*rows.back().counts.delivery_pct(), 500.0 / 9.0);
}

TEST(report, the_order_of_the_input_does_not_matter) {
    sample in;
    auto forward = build_report(in.planned, in.aired_rows);
    std::reverse(in.planned.begin(), in.planned.end());
    std::reverse(in.aired_rows.begin(), in.aired_rows.end());
    report_builder b; // interleaved
    for (std::size_t i = 0; i < std::max(in.planned.size(), in.aired_rows.size()); ++i) {
        if (i < in.aired_rows.size()) {
            b.add(in.aired_rows[i]);
        }
        if (i < in.planned.size()) {
            b.add(in.planned[i]);
        }
    }
    EXPECT_EQ(b.rows(), forward);
}

TEST(report, totals_add_up_exactly_over_random_input) {
    std::mt19937 rng(7);
    report_builder b;
    const std::vector<std::string> channels{"a", "b", "c"}, campaigns{"", "c1", "c2"},
        media{"m1", "m2", "m3", "m4"};
    auto pick = [&](const auto& v) { return v[rng() % v.size()]; };
    for (int i = 0; i < 5000; ++i) {
        auto day = d1 + date::days{static_cast<int>(rng() % 7)};
        auto kind = static_cast<airing_kind>(rng() % 3);
        if (rng() % 2 == 0) {
            b.add(plan(pick(channels), day, kind, pick(campaigns), pick(media)));
        } else {
            std::optional<airing_status> st;
            if (rng() % 6 != 0) {
                st = static_cast<airing_status>(rng() % 5);
            }
            b.add(aired(pick(channels), day, kind, pick(campaigns), pick(media), st,
                        core::milliseconds{rng() % 40000}));
        }
    }
    auto rows = b.rows();
    report_counts items, campaign_totals;
    std::map<std::pair<std::string, std::string>, report_counts> by_campaign;
    for (const auto& r : rows) {
        if (r.type == report_row_type::item) {
            items.add(r.counts);
            by_campaign[std::pair(r.channel, r.campaign)].add(r.counts);
        } else if (r.type == report_row_type::campaign_total) {
            campaign_totals.add(r.counts);
            EXPECT_EQ(r.counts, by_campaign[std::pair(r.channel, r.campaign)])
                << r.channel << r.campaign;
        }
    }
    EXPECT_EQ(rows.back().type, report_row_type::total);
    EXPECT_EQ(items, rows.back().counts);
    EXPECT_EQ(campaign_totals, rows.back().counts);
    EXPECT_EQ(items.planned + items.aired + items.truncated + items.failed + items.skipped +
                  items.interrupted + items.on_air,
              5000);
}

TEST(report, summarize_takes_the_channels_local_day_and_real_airtime) {
    const auto* zone = core::find_zone("Asia/Vientiane");
    auto a = test::on_air_spot("police-tv", test::utc(2026, 11, 30, 17, 0)); // local midnight
    a.actual_end = *a.actual_start + 29960ms;
    a.status = airing_status::truncated;
    auto e = summarize(a, *zone);
    EXPECT_EQ(e.day, d1);
    EXPECT_EQ(e.airtime, 29960ms);
    EXPECT_EQ(e.campaign, "road-safety");
    EXPECT_EQ(e.media, "spot-helmet");
    a.scheduled_start -= 1ms;
    a.status = airing_status::interrupted;
    e = summarize(a, *zone);
    EXPECT_EQ(e.day, core::local_days{date::year{2026} / November / 30});
    EXPECT_EQ(e.airtime, 0ms); // only aired and truncated rows count airtime
    a.status.reset();
    a.actual_end.reset();
    EXPECT_EQ(summarize(a, *zone).airtime, 0ms);
}

TEST(report, formats_are_exact) {
    report_builder b;
    b.add(plan("police-tv", d1, airing_kind::spot, "tip-2026", "tip-lo-30"));
    b.add(plan("police-tv", d1, airing_kind::spot, "tip-2026", "tip-lo-30"));
    b.add(plan("police-tv", d1, airing_kind::spot, "tip-2026", "tip-lo-30"));
    b.add(aired("police-tv", d1, airing_kind::spot, "tip-2026", "tip-lo-30", airing_status::aired,
                30001ms));
    b.add(aired("police-tv", d1, airing_kind::insert, "", "flood", airing_status::aired, 60s));
    auto rows = b.rows();
    EXPECT_EQ(report_csv(rows),
              "row,channel,day,kind,campaign,media,planned,aired,truncated,failed,skipped,"
              "interrupted,on_air,delivery_pct,airtime_s\n"
              "item,police-tv,2026-12-01,spot,tip-2026,tip-lo-30,3,1,0,0,0,0,0,33.3,30.001\n"
              "item,police-tv,2026-12-01,insert,,flood,0,1,0,0,0,0,0,,60.000\n"
              "campaign,police-tv,,,,,0,1,0,0,0,0,0,,60.000\n"
              "campaign,police-tv,,,tip-2026,,3,1,0,0,0,0,0,33.3,30.001\n"
              "total,,,,,,3,2,0,0,0,0,0,66.7,90.001\n");
    const std::vector<report_window> w{{"police-tv", "Asia/Vientiane", d1, d1}};
    EXPECT_EQ(report_text(w, rows),
              "police-tv (Asia/Vientiane): 2026-12-01 to 2026-12-01\n"
              "\n"
              "channel    day         kind    campaign  media      planned  aired  trunc  failed  "
              "skipped  interr  on-air  deliv%  airtime s\n"
              "police-tv  2026-12-01  spot    tip-2026  tip-lo-30        3      1      0       0  "
              "      0       0       0    33.3     30.001\n"
              "police-tv  2026-12-01  insert  -         flood            0      1      0       0  "
              "      0       0       0       -     60.000\n"
              "police-tv  total               -         all              0      1      0       0  "
              "      0       0       0       -     60.000\n"
              "police-tv  total               tip-2026  all              3      1      0       0  "
              "      0       0       0    33.3     30.001\n"
              "all        total               all       all              3      2      0       0  "
              "      0       0       0    66.7     90.001\n");
    auto j = report_json(w, rows);
    EXPECT_EQ(j["windows"][0]["from"], "2026-12-01");
    ASSERT_EQ(j["rows"].size(), 5u);
    EXPECT_EQ(j["rows"][0].dump(),
              R"({"row":"item","channel":"police-tv","day":"2026-12-01","kind":"spot",)"
              R"("campaign":"tip-2026","media":"tip-lo-30","planned":3,"aired":1,"truncated":0,)"
              R"("failed":0,"skipped":0,"interrupted":0,"on_air":0,"delivery_pct":33.3,)"
              R"("airtime_s":30.001,"airtime_ms":30001})");
    EXPECT_EQ(j["rows"][4]["row"], "total");
    EXPECT_TRUE(j["rows"][4]["channel"].is_null());
    EXPECT_TRUE(j["rows"][1]["delivery_pct"].is_null());
}

} // namespace
} // namespace onair::asrun
