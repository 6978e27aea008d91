// The example config and playlists shipped in the repository load without a single diagnostic:
// they are what operators copy, and what `make demo` airs.

#include "schedule/load.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

namespace onair::schedule {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

const fs::path source_dir = ONAIR_SOURCE_DIR;

fs::path in_repo(const char* rel) {
    return fs::absolute(source_dir / rel).lexically_normal();
}

TEST(examples, the_station_loads_with_no_diagnostics) {
    core::diagnostics diags;
    auto st = load_station(source_dir / "config/onair.yaml", diags);
    ASSERT_TRUE(st);
    EXPECT_TRUE(diags.empty()) << test::joined(test::lines_of(diags));

    const auto& cfg = st->cfg;
    EXPECT_EQ(cfg.station, "Lao Police Media");
    EXPECT_EQ(cfg.state_dir, in_repo("var"));
    EXPECT_EQ(cfg.api.listen_host, "127.0.0.1");
    EXPECT_EQ(cfg.api.listen_port, 8750);
    EXPECT_FALSE(cfg.api.token_file);
    ASSERT_EQ(cfg.channels.size(), 2u);

    const auto& tv = cfg.channels[0];
    EXPECT_EQ(tv.id, "police-tv");
    EXPECT_EQ(tv.name, "ໂທລະພາບ ປກສ — Police TV");
    EXPECT_EQ(tv.kind, channel_kind::tv);
    EXPECT_EQ(tv.schedule_file, in_repo("playlists/police-tv.yaml"));
    EXPECT_EQ(tv.fill.type, filler_type::slate);
    EXPECT_EQ(tv.fill.image, in_repo("media/slates/police-tv.png"));
    ASSERT_EQ(tv.outputs.size(), 2u);
    EXPECT_EQ(tv.outputs[0].file, in_repo("var/out/police-tv.ts"));

    const auto& radio = cfg.channels[1];
    EXPECT_EQ(radio.id, "police-radio");
    EXPECT_EQ(radio.kind, channel_kind::radio);
    EXPECT_FALSE(radio.video);
    EXPECT_EQ(radio.fill.type, filler_type::loop);
    EXPECT_EQ(radio.fill.media, std::vector<fs::path>{in_repo("media/radio/bed.ogg")});
}

TEST(examples, the_tv_schedule) {
    core::diagnostics diags;
    auto s = load_schedule(source_dir / "playlists/police-tv.yaml", {}, diags);
    ASSERT_TRUE(s);
    EXPECT_TRUE(diags.empty()) << test::joined(test::lines_of(diags));
    EXPECT_EQ(s->media.size(), 5u);
    EXPECT_EQ(s->media.at("tip-lo-30").title, "ຢຸດຕິການຄ້າມະນຸດ — Stop human trafficking");
    EXPECT_EQ(s->media.at("tip-lo-30").file, in_repo("media/spots/tip-lo-30.mp4"));
    EXPECT_EQ(s->media.at("tip-lo-30").duration, 30s);
    EXPECT_FALSE(s->media.at("tip-magazine-ep1").duration);
    ASSERT_EQ(s->campaigns.size(), 2u);
    EXPECT_EQ(s->campaigns[0].id, "tip-2026");
    EXPECT_EQ(s->campaigns[0].dayparts.size(), 3u);
    EXPECT_EQ(s->campaigns[1].order, rotation::shuffle);
    ASSERT_EQ(s->breaks.size(), 2u);
    EXPECT_EQ(s->breaks[0].offset, 58min);
    EXPECT_EQ(s->breaks[1].at.size(), 3u);
    ASSERT_EQ(s->programmes.size(), 1u);
    EXPECT_EQ(s->programmes[0].at, 20h);
    ASSERT_EQ(s->exceptions.size(), 1u);
    EXPECT_TRUE(s->exceptions[0].skip_breaks);
    EXPECT_FALSE(s->exceptions[0].skip_programmes);
}

TEST(examples, the_radio_schedule) {
    core::diagnostics diags;
    auto s = load_schedule(source_dir / "playlists/police-radio.yaml", {}, diags);
    ASSERT_TRUE(s);
    EXPECT_TRUE(diags.empty()) << test::joined(test::lines_of(diags));
    EXPECT_EQ(s->media.size(), 4u);
    EXPECT_EQ(s->campaigns.size(), 2u);
    EXPECT_EQ(s->breaks.size(), 1u);
    EXPECT_EQ(s->programmes.size(), 1u);
}

TEST(examples, every_config_and_playlist_in_the_repository_loads_with_no_diagnostics) {
    // The demo station too: the bounds on inputs (docs/schedule.md, "Limits") must leave every
    // shipped example alone.
    std::size_t configs = 0, playlists = 0;
    for (const auto& e : fs::directory_iterator(source_dir / "config")) {
        core::diagnostics diags;
        EXPECT_TRUE(load_station(e.path(), diags)) << e.path();
        EXPECT_TRUE(diags.empty()) << e.path() << ":\n" << test::joined(test::lines_of(diags));
        ++configs;
    }
    for (const auto& e : fs::directory_iterator(source_dir / "playlists")) {
        core::diagnostics diags;
        EXPECT_TRUE(load_schedule(e.path(), {}, diags)) << e.path();
        EXPECT_TRUE(diags.empty()) << e.path() << ":\n" << test::joined(test::lines_of(diags));
        ++playlists;
    }
    EXPECT_GE(configs, 2u);
    EXPECT_GE(playlists, 4u);
}

} // namespace
} // namespace onair::schedule
