// Good values of every schedule field load to the exact model value; the defaults are what
// SPEC section 3 says. (Broken inputs are the golden corpus, golden_test.cpp.)

#include "schedule/load.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

namespace onair::schedule {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using test::lines_of;
using test::temp_dir;
using test::write_file;

core::local_days day(int y, unsigned m, unsigned d) {
    return core::local_days{date::year_month_day{date::year{y}, date::month{m}, date::day{d}}};
}

// Loads YAML written to DIR/playlists/test.yaml; fails the test on any diagnostic unless told.
struct loaded {
    std::optional<schedule> s;
    std::vector<std::string> lines;
};

loaded load_text(const temp_dir& dir, const std::string& yaml,
                 const fs::path& rel = "playlists/test.yaml") {
    const auto file = write_file(dir / rel, yaml);
    core::diagnostics diags;
    loaded out;
    out.s = load_schedule(file, {}, diags);
    out.lines = lines_of(diags);
    return out;
}

const schedule& clean(const loaded& l) {
    EXPECT_TRUE(l.lines.empty()) << test::joined(l.lines);
    if (!l.s) {
        throw std::runtime_error("the schedule did not load");
    }
    return *l.s;
}

// A media section every test can reference, so no "unused" warning gets in the way.
const std::string library = R"(media:
  tip-lo-30:
    file: ../media/spots/tip-lo-30.mp4
    title: "ຢຸດຕິການຄ້າມະນຸດ — Stop human trafficking"
    duration: 30s
)";

TEST(load_schedule, media_paths_resolve_against_the_schedule_file_and_are_normal) {
    temp_dir dir;
    auto l = load_text(dir, R"(media:
  a:
    file: ../media/spots/./old/../a.mp4
  b:
    file: b.mp4
  c:
    file: /srv/onair//media/../media/c.mp4
programmes:
  - {id: pa, media: a, at: "01:00"}
  - {id: pb, media: b, at: "02:00"}
  - {id: pc, media: c, at: "03:00"}
)");
    const auto& s = clean(l);
    ASSERT_EQ(s.media.size(), 3u);
    EXPECT_EQ(s.media.at("a").file, dir.path() / "media/spots/a.mp4");
    EXPECT_EQ(s.media.at("b").file, dir.path() / "playlists/b.mp4");
    EXPECT_EQ(s.media.at("c").file, fs::path("/srv/onair/media/c.mp4"));
    for (const auto& [id, m] : s.media) {
        EXPECT_TRUE(m.file.is_absolute()) << id;
        EXPECT_EQ(m.file, m.file.lexically_normal()) << id;
    }
}

TEST(load_schedule, media_titles_durations_and_places) {
    temp_dir dir;
    auto l = load_text(dir, library + R"(  tip-en-30:
    file: ../media/spots/tip-en-30.mp4
programmes:
  - {id: p1, media: tip-lo-30, at: "01:00"}
  - {id: p2, media: tip-en-30, at: "02:00"}
)");
    const auto& s = clean(l);
    const auto& lo = s.media.at("tip-lo-30");
    EXPECT_EQ(lo.id, "tip-lo-30");
    // byte for byte: no normalisation, no re-encoding of the Lao
    EXPECT_EQ(lo.title, "\xe0\xba\xa2\xe0\xba\xb8\xe0\xba\x94\xe0\xba\x95\xe0\xba\xb4\xe0\xba\x81"
                        "\xe0\xba\xb2\xe0\xba\x99\xe0\xba\x84\xe0\xbb\x89\xe0\xba\xb2\xe0\xba\xa1"
                        "\xe0\xba\xb0\xe0\xba\x99\xe0\xba\xb8\xe0\xba\x94 \xe2\x80\x94 Stop human "
                        "trafficking");
    EXPECT_EQ(lo.duration, 30s);
    EXPECT_EQ(lo.where, (core::location{s.file.string(), 2, 3}));
    EXPECT_EQ(lo.file_where, (core::location{s.file.string(), 3, 11}));
    EXPECT_EQ(lo.duration_where, (core::location{s.file.string(), 5, 15}));

    const auto& en = s.media.at("tip-en-30");
    EXPECT_EQ(en.title, "tip-en-30"); // no title: the id
    EXPECT_FALSE(en.duration);        // no duration: probed later
    EXPECT_EQ(s.find_media("tip-en-30"), &en);
    EXPECT_EQ(s.find_media("tip-en-31"), nullptr);
}

TEST(load_schedule, campaign_with_every_field) {
    temp_dir dir;
    auto l = load_text(dir, library + R"(  som-lo-20:
    file: som.mp4
campaigns:
  tip-2026:
    title: "TIP ປ້ອງກັນ 2026-27"
    from: 2026-12-01
    until: 2027-03-31
    spots: [tip-lo-30, som-lo-20, tip-lo-30]
    rotation: shuffle
    weight: 3
    max_per_day: 24
    min_gap: 45m
    dayparts: ["06:00-09:00", "22:00-02:00", "00:00-24:00"]
)");
    const auto& s = clean(l);
    ASSERT_EQ(s.campaigns.size(), 1u);
    const auto& c = s.campaigns[0];
    EXPECT_EQ(c.id, "tip-2026");
    EXPECT_EQ(c.title, "TIP ປ້ອງກັນ 2026-27");
    EXPECT_EQ(c.from, day(2026, 12, 1));
    EXPECT_EQ(c.until, day(2027, 3, 31));
    EXPECT_EQ(c.spots, (std::vector<std::string>{"tip-lo-30", "som-lo-20", "tip-lo-30"}));
    ASSERT_EQ(c.spot_where.size(), 3u);
    EXPECT_EQ(c.spot_where[1], (core::location{s.file.string(), 13, 24}));
    EXPECT_EQ(c.order, rotation::shuffle);
    EXPECT_EQ(c.weight, 3);
    EXPECT_EQ(c.max_per_day, 24);
    EXPECT_EQ(c.min_gap, 45min);
    EXPECT_EQ(c.dayparts, (std::vector<core::day_window>{{6h, 9h}, {22h, 2h}, {0h, 24h}}));
    EXPECT_EQ(c.where, (core::location{s.file.string(), 9, 3}));
    EXPECT_TRUE(c.in_flight(day(2026, 12, 1)));
    EXPECT_TRUE(c.in_flight(day(2027, 3, 31)));
    EXPECT_FALSE(c.in_flight(day(2026, 11, 30)));
    EXPECT_FALSE(c.in_flight(day(2027, 4, 1)));
}

TEST(load_schedule, campaign_defaults) {
    temp_dir dir;
    auto l = load_text(dir, library + R"(campaigns:
  tip-2026:
    from: 2026-12-01
    until: 2026-12-01
    spots: [tip-lo-30]
    max_per_day: null
    min_gap: null
    dayparts: null
)");
    const auto& c = clean(l).campaigns.at(0);
    EXPECT_EQ(c.title, "tip-2026");
    EXPECT_EQ(c.from, c.until); // a one-day flight
    EXPECT_EQ(c.order, rotation::sequential);
    EXPECT_EQ(c.weight, 1);
    EXPECT_FALSE(c.max_per_day);
    EXPECT_FALSE(c.min_gap);
    EXPECT_TRUE(c.dayparts.empty()); // all day
}

TEST(load_schedule, campaigns_breaks_and_programmes_keep_file_order) {
    temp_dir dir;
    auto l = load_text(dir, library + R"(campaigns:
  zz: {from: 2026-12-01, until: 2027-01-01, spots: [tip-lo-30]}
  aa: {from: 2026-12-01, until: 2027-01-01, spots: [tip-lo-30]}
breaks:
  - {id: z, every: 1h, length: 60s}
  - {id: a, every: 1h, length: 60s}
)");
    const auto& s = clean(l);
    ASSERT_EQ(s.campaigns.size(), 2u);
    EXPECT_EQ(s.campaigns[0].id, "zz");
    EXPECT_EQ(s.campaigns[1].id, "aa");
    ASSERT_EQ(s.breaks.size(), 2u);
    EXPECT_EQ(s.breaks[0].id, "z");
    EXPECT_EQ(s.breaks[1].id, "a");
}

TEST(load_schedule, break_every_with_offset_window_and_days) {
    temp_dir dir;
    auto l = load_text(dir, R"(breaks:
  - id: hourly
    every: 1h
    offset: 58m
    between: "06:00-23:00"
    length: 90s
    days: [mon, wed, sun]
)");
    const auto& s = clean(l);
    ASSERT_EQ(s.breaks.size(), 1u);
    const auto& b = s.breaks[0];
    EXPECT_EQ(b.id, "hourly");
    EXPECT_EQ(b.every, 1h);
    EXPECT_EQ(b.offset, 58min);
    EXPECT_EQ(b.between, (core::day_window{6h, 23h}));
    EXPECT_TRUE(b.at.empty());
    EXPECT_EQ(b.length, 90s);
    EXPECT_EQ(b.days, 0b1000101u);                  // bit 0 monday .. bit 6 sunday
    EXPECT_TRUE(on_day(b.days, day(2026, 11, 30))); // a Monday
    EXPECT_FALSE(on_day(b.days, day(2026, 12, 1))); // a Tuesday
    EXPECT_TRUE(on_day(b.days, day(2026, 12, 6)));  // a Sunday
    EXPECT_EQ(b.where, (core::location{s.file.string(), 2, 5}));
}

TEST(load_schedule, break_defaults) {
    temp_dir dir;
    auto l = load_text(dir, R"(breaks:
  - id: hourly
    every: 1h
    length: 60s
)");
    const auto& b = clean(l).breaks.at(0);
    EXPECT_EQ(b.offset, 0ms);
    EXPECT_FALSE(b.between); // all day
    EXPECT_EQ(b.days, every_day);
}

TEST(load_schedule, break_at_fixed_times_sorted) {
    temp_dir dir;
    auto l = load_text(dir, R"(breaks:
  - id: news
    at: ["19:30", "07:30", "12:30:15"]
    length: 60s
    days: [sat, sun]
)");
    const auto& b = clean(l).breaks.at(0);
    EXPECT_FALSE(b.every);
    EXPECT_EQ(b.at, (std::vector<core::milliseconds>{7h + 30min, 12h + 30min + 15s, 19h + 30min}));
    EXPECT_EQ(b.days, 0b1100000u);
}

TEST(load_schedule, break_length_equal_to_every_is_back_to_back_not_overlapping) {
    temp_dir dir;
    auto l = load_text(dir, "breaks:\n  - {id: wall, every: 15m, offset: 0s, length: 15m}\n");
    EXPECT_EQ(clean(l).breaks.at(0).length, 15min);
}

TEST(load_schedule, programme_with_every_field_and_defaults) {
    temp_dir dir;
    auto l = load_text(dir, library + R"(programmes:
  - id: tip-magazine
    media: tip-lo-30
    at: "20:00"
    days: [wed]
    from: 2026-12-01
    until: 2026-12-31
  - id: always
    media: tip-lo-30
    at: "05:00:30"
)");
    const auto& s = clean(l);
    ASSERT_EQ(s.programmes.size(), 2u);
    const auto& p = s.programmes[0];
    EXPECT_EQ(p.id, "tip-magazine");
    EXPECT_EQ(p.media, "tip-lo-30");
    EXPECT_EQ(p.at, 20h);
    EXPECT_EQ(p.days, 0b0000100u);
    EXPECT_EQ(p.from, day(2026, 12, 1));
    EXPECT_EQ(p.until, day(2026, 12, 31));
    EXPECT_EQ(p.media_where, (core::location{s.file.string(), 8, 12}));
    EXPECT_TRUE(p.runs_on(day(2026, 12, 2)));  // a Wednesday in range
    EXPECT_FALSE(p.runs_on(day(2026, 12, 3))); // a Thursday
    EXPECT_FALSE(p.runs_on(day(2027, 1, 6)));  // a Wednesday after 'until'

    const auto& q = s.programmes[1];
    EXPECT_EQ(q.at, 5h + 30s);
    EXPECT_EQ(q.days, every_day);
    EXPECT_FALSE(q.from);
    EXPECT_FALSE(q.until);
    EXPECT_TRUE(q.runs_on(day(1999, 1, 1)));
}

TEST(load_schedule, exceptions_skip_what_they_say) {
    temp_dir dir;
    auto l = load_text(dir, R"(exceptions:
  - {date: 2026-12-02, skip: [breaks]}
  - {date: 2026-12-03, skip: [programmes]}
  - {date: 2026-12-04, skip: [all]}
  - {date: 2026-12-05, skip: all}
  - {date: 2026-12-06, skip: [breaks, programmes]}
)");
    const auto& s = clean(l);
    ASSERT_EQ(s.exceptions.size(), 5u);
    auto skips = [&](std::size_t i) {
        return std::pair{s.exceptions[i].skip_breaks, s.exceptions[i].skip_programmes};
    };
    EXPECT_EQ(s.exceptions[0].date, day(2026, 12, 2));
    EXPECT_EQ(skips(0), std::pair(true, false));
    EXPECT_EQ(skips(1), std::pair(false, true));
    EXPECT_EQ(skips(2), std::pair(true, true));
    EXPECT_EQ(skips(3), std::pair(true, true));
    EXPECT_EQ(skips(4), std::pair(true, true));
}

TEST(load_schedule, empty_and_null_sections_are_allowed) {
    temp_dir dir;
    auto l = load_text(dir, "media: {}\ncampaigns:\nbreaks: []\nprogrammes: null\nexceptions: ~\n");
    const auto& s = clean(l);
    EXPECT_TRUE(s.media.empty());
    EXPECT_TRUE(s.campaigns.empty());
    EXPECT_TRUE(s.breaks.empty());
    EXPECT_TRUE(s.programmes.empty());
    EXPECT_TRUE(s.exceptions.empty());
}

TEST(load_schedule, unused_media_is_a_warning_only_in_a_clean_file) {
    temp_dir dir;
    auto l = load_text(dir, library);
    ASSERT_TRUE(l.s);
    ASSERT_EQ(l.lines.size(), 1u);
    EXPECT_NE(l.lines[0].find(":2:3: warning: media 'tip-lo-30' is not used by any campaign or "
                              "programme"),
              std::string::npos)
        << l.lines[0];
}

TEST(load_schedule, a_schedule_with_errors_still_comes_back) {
    temp_dir dir;
    auto l = load_text(dir, library + "breaks:\n  - {id: a, every: 0s, length: 60s}\n"
                                      "  - {id: b, every: 1h, length: 60s}\n");
    ASSERT_TRUE(l.s); // so `check` can report further problems
    ASSERT_EQ(l.s->breaks.size(), 1u);
    EXPECT_EQ(l.s->breaks[0].id, "b"); // the broken entry is left out
    EXPECT_EQ(l.lines.size(), 1u);
}

TEST(load_schedule, a_byte_order_mark_is_harmless_and_not_counted_in_columns) {
    temp_dir dir;
    auto l = load_text(dir, "\xEF\xBB\xBF"
                            "breaks:\n  - {id: a, every: 1h, lenght: 60s}\n");
    // one mistake, one message: the misspelt key, not also the "missing" key it was meant to be
    ASSERT_EQ(l.lines.size(), 1u) << test::joined(l.lines);
    EXPECT_NE(l.lines[0].find(":2:24: error: unknown field 'lenght' in 'breaks.a' (did you mean "
                              "'length'?)"),
              std::string::npos)
        << l.lines[0];
}

TEST(load_schedule, a_missing_file_is_reported_where_it_is_named) {
    temp_dir dir;
    core::diagnostics diags;
    const core::location named{"config/onair.yaml", 9, 15};
    EXPECT_FALSE(load_schedule(dir / "nope.yaml", named, diags));
    ASSERT_EQ(diags.all().size(), 1u);
    EXPECT_EQ(diags.all()[0].where, named);
    EXPECT_EQ(diags.all()[0].message,
              "cannot open '" + display_path(dir / "nope.yaml") + "': no such file");
}

TEST(load_schedule, a_missing_file_named_nowhere_is_a_file_level_error) {
    temp_dir dir;
    test::scoped_cwd cwd(dir.path());
    core::diagnostics diags;
    EXPECT_FALSE(load_schedule("nope.yaml", {}, diags));
    EXPECT_EQ(lines_of(diags), std::vector<std::string>{"nope.yaml: error: no such file"});
}

TEST(load_schedule, a_directory_is_not_a_schedule) {
    temp_dir dir;
    test::scoped_cwd cwd(dir.path());
    fs::create_directory(dir / "playlists");
    core::diagnostics diags;
    EXPECT_FALSE(load_schedule("playlists", {}, diags));
    EXPECT_EQ(lines_of(diags),
              std::vector<std::string>{"playlists: error: is a directory, expected a YAML file"});
}

TEST(load_schedule, file_names_display_relative_to_the_working_directory) {
    temp_dir dir;
    write_file(dir / "playlists/tv.yaml", "breaks:\n  - {id: a, every: 1h, length: 0s}\n");
    test::scoped_cwd cwd(dir.path());
    for (const fs::path& p :
         {fs::path("playlists/tv.yaml"), fs::path("./playlists/../playlists/tv.yaml"),
          dir / "playlists/tv.yaml"}) {
        core::diagnostics diags;
        auto s = load_schedule(p, {}, diags);
        ASSERT_TRUE(s) << p;
        EXPECT_EQ(s->file, fs::path("playlists/tv.yaml")) << p;
        ASSERT_EQ(diags.all().size(), 1u) << p;
        EXPECT_EQ(diags.all()[0].where, (core::location{"playlists/tv.yaml", 2, 32})) << p;
    }
}

TEST(display_path, keeps_relative_paths_and_shortens_absolute_ones_under_the_cwd) {
    temp_dir dir;
    test::scoped_cwd cwd(dir.path());
    EXPECT_EQ(display_path("a/./b/../c.yaml"), "a/c.yaml");
    EXPECT_EQ(display_path(dir / "x/y.yaml"), "x/y.yaml");
    EXPECT_EQ(display_path("/elsewhere/y.yaml"), "/elsewhere/y.yaml");
}

} // namespace
} // namespace onair::schedule
