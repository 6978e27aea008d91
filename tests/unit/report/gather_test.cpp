// report::gather as the daemon calls it (GET /api/v1/report): the plans the channels air, some
// channels with none (a broken schedule airs filler), the scenario's store.

#include "asrun_fixture.hpp"
#include "campaign_scenario.hpp"
#include "report/gather.hpp"
#include "schedule/load.hpp"

#include <gtest/gtest.h>

namespace onair::report {
namespace {

using asrun::test::temp_dir;
using asrun::test::utc;

core::local_days day(const char* ymd) {
    return *core::parse_date(ymd);
}

// The planner inputs of every channel, the lengths as the schedules declare them.
std::vector<planner::channel_input> inputs_of(const schedule::station& st) {
    std::vector<planner::channel_input> out;
    for (std::size_t i = 0; i < st.cfg.channels.size(); ++i) {
        planner::channel_input in;
        in.channel_id = st.cfg.channels[i].id;
        in.zone = st.cfg.channels[i].zone;
        in.sched = st.schedules[i];
        for (const auto& [id, m] : in.sched->media) {
            in.media_durations[id] = *m.duration;
        }
        out.push_back(std::move(in));
    }
    return out;
}

asrun::report_counts total_of(const document& doc) {
    return doc.rows.back().counts;
}

TEST(gather, a_channel_without_a_plan_reports_its_as_run_and_plans_nothing) {
    temp_dir dir;
    onair::test::write_campaign_scenario(dir.path());
    core::diagnostics diags;
    auto st = schedule::load_station(dir.path() / "onair.yaml", diags);
    ASSERT_TRUE(st && !diags.has_errors());
    auto inputs = inputs_of(*st);
    const auto store = dir.path() / "state" / "asrun.sqlite";
    request req;
    req.campaign = "tip";
    req.from = day("2026-10-24");
    req.to = day("2026-10-26");
    req.verify = false;
    const auto now = utc(2026, 12, 3, 0, 0);

    auto whole = gather(st->cfg, dir.path() / "onair.yaml", inputs, store, req, now);
    ASSERT_TRUE(std::holds_alternative<document>(whole));
    EXPECT_EQ(total_of(std::get<document>(whole)).planned, 18);
    EXPECT_EQ(total_of(std::get<document>(whole)).aired, 6);

    // tv's schedule is broken in the daemon: no plan, its as-run still counts
    inputs[0].sched.reset();
    auto without = gather(st->cfg, dir.path() / "onair.yaml", inputs, store, req, now);
    ASSERT_TRUE(std::holds_alternative<document>(without));
    const auto& doc = std::get<document>(without);
    EXPECT_EQ(total_of(doc).planned, 6); // radio's only
    EXPECT_EQ(total_of(doc).aired, 6);
    EXPECT_EQ(total_of(doc).made_good, 1);
    ASSERT_EQ(doc.windows.size(), 2u);
    EXPECT_EQ(doc.windows[0].channel, "tv");
    EXPECT_EQ(core::format_date(doc.windows[0].from), "2026-10-24");
    EXPECT_FALSE(doc.chain.done);
    EXPECT_EQ(doc.chain.head.size(), 64u);
}

TEST(gather, refuses_an_unknown_channel_or_campaign_and_a_backwards_window) {
    temp_dir dir;
    onair::test::write_campaign_scenario(dir.path());
    core::diagnostics diags;
    auto st = schedule::load_station(dir.path() / "onair.yaml", diags);
    ASSERT_TRUE(st);
    const auto inputs = inputs_of(*st);
    const auto store = dir.path() / "state" / "asrun.sqlite";
    const auto now = utc(2026, 12, 3, 0, 0);
    auto refused = [&](request req) {
        auto got = gather(st->cfg, dir.path() / "onair.yaml", inputs, store, std::move(req), now);
        return std::holds_alternative<gather_error>(got) ? std::get<gather_error>(got).message
                                                         : std::string();
    };
    request r1;
    r1.channel = "nope";
    EXPECT_EQ(refused(r1), "no channel 'nope' in the config");
    request r2;
    r2.campaign = "nope";
    EXPECT_EQ(refused(r2), "no schedule has campaign 'nope', and the as-run has no airing of it "
                           "in the period");
    request r3;
    r3.from = day("2026-10-26");
    r3.to = day("2026-10-24");
    EXPECT_EQ(refused(r3), "--to must not be before --from");
}

} // namespace
} // namespace onair::report
