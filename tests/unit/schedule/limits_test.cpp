// The bounds on every input (docs/schedule.md, "Limits"), at their exact edges, with inputs too
// large to keep as golden files: the file size, the number of values, the nesting depth, and
// the break times of a day. Each edge is tried on both sides: the limit itself loads.

#include "schedule/load.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <chrono>

namespace onair::schedule {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using test::joined;
using test::lines_of;
using test::temp_dir;
using test::write_file;

std::vector<std::string> schedule_lines(const fs::path& file) {
    core::diagnostics diags;
    EXPECT_NO_THROW(load_schedule(file, {}, diags));
    return lines_of(diags);
}

// A schedule that loads cleanly, padded with a comment to exactly `bytes`.
std::string padded_schedule(std::size_t bytes) {
    const std::string body = "breaks:\n  - {id: hourly, every: 1h, length: 60s}\n# ";
    return body + std::string(bytes - body.size() - 1, 'x') + "\n";
}

TEST(limits, a_yaml_file_of_4_mib_loads_and_one_byte_more_is_refused_unread) {
    temp_dir dir;
    test::scoped_cwd cwd(dir.path());
    ASSERT_EQ(limits::yaml_file_bytes, 4194304u);
    write_file("at-limit.yaml", padded_schedule(4194304));
    EXPECT_EQ(schedule_lines("at-limit.yaml"), std::vector<std::string>{});

    write_file("over.yaml", padded_schedule(4194305));
    EXPECT_EQ(schedule_lines("over.yaml"),
              std::vector<std::string>{"over.yaml:1:1: error: the file is 4194305 bytes; a YAML "
                                       "file may have at most 4194304 bytes (4 MiB), and nothing "
                                       "in it was read"});
}

TEST(limits, a_config_too_large_is_refused_and_so_is_a_schedule_it_names) {
    temp_dir dir;
    test::scoped_cwd cwd(dir.path());
    write_file("big.yaml", padded_schedule(5 * 1024 * 1024));
    const std::string config = "station: S\nstate_dir: var\nchannels:\n  - id: tv\n    kind: tv\n"
                               "    timezone: Asia/Vientiane\n    schedule: big.yaml\n"
                               "    outputs: [{type: null}]\n";
    write_file("onair.yaml", config);
    core::diagnostics diags;
    auto st = load_station("onair.yaml", diags);
    ASSERT_TRUE(st);
    EXPECT_EQ(lines_of(diags),
              std::vector<std::string>{"onair.yaml:7:15: error: 'big.yaml' is 5242880 bytes; a "
                                       "YAML file may have at most 4194304 bytes (4 MiB), and "
                                       "nothing in it was read"});

    write_file("huge-config.yaml", config + "# " + std::string(4194304, 'x') + "\n");
    core::diagnostics config_diags;
    EXPECT_FALSE(load_station("huge-config.yaml", config_diags));
    EXPECT_EQ(lines_of(config_diags),
              std::vector<std::string>{"huge-config.yaml:1:1: error: the file is " +
                                       std::to_string(config.size() + 4194307) +
                                       " bytes; a YAML file may have at most 4194304 bytes (4 "
                                       "MiB), and nothing in it was read"});
}

TEST(limits, a_file_without_a_size_is_read_no_further_than_the_limit) {
    // A device (or a pipe) reports no size: the read itself stops at the limit.
    if (!fs::exists("/dev/zero")) {
        GTEST_SKIP() << "no /dev/zero";
    }
    EXPECT_EQ(schedule_lines("/dev/zero"),
              std::vector<std::string>{"/dev/zero:1:1: error: the file has more than 4194304 "
                                       "bytes; a YAML file may have at most 4194304 bytes (4 "
                                       "MiB), and nothing in it was read"});
}

// `media:` holding a flow list of n items: the top map, its key and the list make 3 values more.
std::string list_of(std::size_t n) {
    std::string text = "media: [";
    for (std::size_t i = 0; i < n; ++i) {
        text += i ? ",1" : "1";
    }
    return text + "]\n";
}

TEST(limits, a_document_of_100000_values_loads_and_one_more_is_refused) {
    temp_dir dir;
    test::scoped_cwd cwd(dir.path());
    write_file("at-limit.yaml", list_of(100000 - 3));
    // Only the type of 'media' is wrong: the size is allowed.
    EXPECT_EQ(schedule_lines("at-limit.yaml"),
              std::vector<std::string>{"at-limit.yaml:1:8: error: field 'media': expected a map "
                                       "of media ids, each with its settings, found a list"});

    write_file("over.yaml", list_of(100000 - 2));
    // The 100001st value is the last item, at column 9 + 2 * 99997.
    EXPECT_EQ(schedule_lines("over.yaml"),
              std::vector<std::string>{
                  "over.yaml:1:" + std::to_string(9 + 2 * 99997) +
                  ": error: the document has more than 100000 keys, values and list items (an "
                  "alias counts as all it repeats); expected at most 100000"});
}

TEST(limits, two_million_values_in_4_mib_are_refused_quickly) {
    // yaml-cpp takes 12 s and 900 MB to build this; the pre-pass stops at the 100001st value.
    temp_dir dir;
    test::scoped_cwd cwd(dir.path());
    write_file("wide.yaml", list_of(2000000));
    ASSERT_LE(fs::file_size("wide.yaml"), limits::yaml_file_bytes);
    const auto began = std::chrono::steady_clock::now();
    const auto lines = schedule_lines("wide.yaml");
    const auto took = std::chrono::steady_clock::now() - began;
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_NE(lines[0].find("more than 100000 keys, values and list items"), std::string::npos)
        << lines[0];
    // Generous (a loaded, shared machine); building the nodes would take seconds.
    EXPECT_LT(took, 3s);
}

std::string nested(const std::string& open, const std::string& close, int levels) {
    std::string text = "media: ";
    for (int i = 0; i < levels; ++i) {
        text += open;
    }
    text += "1";
    for (int i = 0; i < levels; ++i) {
        text += close;
    }
    return text + "\n";
}

TEST(limits, nesting_100000_deep_is_refused_without_exhausting_the_stack) {
    temp_dir dir;
    test::scoped_cwd cwd(dir.path());
    const std::string deep_message =
        ": error: lists and maps nested more than 64 deep; expected at most 64 levels";
    struct shape {
        std::string name;
        std::string text;
        std::string place; // where level 65 starts
    };
    std::string dashes = "media:\n  ";
    for (int i = 0; i < 100000; ++i) {
        dashes += "- ";
    }
    dashes += "x\n";
    const std::vector<shape> shapes{
        {"lists.yaml", nested("[", "]", 100000), "1:71"},
        {"maps.yaml", nested("{a: ", "}", 100000), "1:" + std::to_string(8 + 63 * 4)},
        {"unclosed.yaml", "media: " + std::string(100000, '[') + "\n", ""},
        {"dashes.yaml", dashes, "2:" + std::to_string(3 + 63 * 2)},
    };
    for (const auto& s : shapes) {
        write_file(s.name, s.text);
        const auto lines = schedule_lines(s.name);
        ASSERT_EQ(lines.size(), 1u) << s.name << ":\n" << joined(lines);
        if (s.place.empty()) {
            // yaml-cpp reads an unclosed '[' inside a list as a possible key: two levels each
            EXPECT_EQ(lines[0].substr(lines[0].find(": error:")), deep_message) << lines[0];
        } else {
            EXPECT_EQ(lines[0], s.name + ":" + s.place + deep_message);
        }
    }
}

TEST(limits, aliases_count_as_what_they_repeat_and_at_their_depth) {
    temp_dir dir;
    test::scoped_cwd cwd(dir.path());
    // 60 levels anchored, then used 5 levels down: 66 levels at the alias.
    write_file("deep-alias.yaml", "deep: &d " + std::string(60, '[') + std::string(60, ']') +
                                      "\nmedia: [[[[" + "*d]]]]\n");
    EXPECT_EQ(schedule_lines("deep-alias.yaml"),
              std::vector<std::string>{"deep-alias.yaml:2:12: error: lists and maps nested more "
                                       "than 64 deep; expected at most 64 levels"});
    // The same used 3 levels down makes 64: allowed.
    write_file("alias-at-limit.yaml",
               "deep: &d " + std::string(60, '[') + std::string(60, ']') + "\nmedia: [[*d]]\n");
    const auto lines = schedule_lines("alias-at-limit.yaml");
    ASSERT_EQ(lines.size(), 2u) << joined(lines);
    EXPECT_NE(lines[0].find("unknown field 'deep'"), std::string::npos) << lines[0];
    EXPECT_NE(lines[1].find("field 'media': expected a map"), std::string::npos) << lines[1];
}

// A schedule whose break times and programme starts on every day are exactly `at_times` more
// than the 4800 of a break every 18 s.
std::string busy_day(int at_times, int programmes) {
    std::string text = "media:\n  mag: {file: mag.mp4}\ncampaigns:\n  c: {from: 2026-12-01, "
                       "until: 2026-12-31, spots: [mag]}\nbreaks:\n  - {id: grid, every: 18s, "
                       "length: 10s}\n  - id: fixed\n    length: 5s\n    at: [";
    for (int i = 0; i < at_times; ++i) {
        // at 00:00:05, 00:01:05, ...: never on the 18 s grid, all different
        char t[16];
        std::snprintf(t, sizeof t, "%s\"%02d:%02d:05\"", i ? ", " : "", i / 60, i % 60);
        text += t;
    }
    text += "]\nprogrammes:\n";
    for (int i = 0; i < programmes; ++i) {
        text += "  - {id: p" + std::to_string(i) + ", media: mag, at: \"23:" + (i < 10 ? "0" : "") +
                std::to_string(i) + ":07\"}\n";
    }
    return text;
}

TEST(limits, five_thousand_items_a_day_load_and_one_more_is_refused_where_it_is_added) {
    temp_dir dir;
    test::scoped_cwd cwd(dir.path());
    write_file("at-limit.yaml", busy_day(197, 3));
    core::diagnostics diags;
    auto s = load_schedule("at-limit.yaml", {}, diags);
    EXPECT_TRUE(diags.empty()) << joined(lines_of(diags));
    ASSERT_TRUE(s);
    EXPECT_EQ(s->breaks.size(), 2u);
    EXPECT_EQ(s->programmes.size(), 3u);

    write_file("break-over.yaml", busy_day(201, 0));
    EXPECT_EQ(schedule_lines("break-over.yaml"),
              std::vector<std::string>{
                  "break-over.yaml:7:5: error: break 'fixed' airs 201 times on a monday, which "
                  "makes 5001 break times and programme starts in that day; expected at most "
                  "5000 (list fewer 'at' times)"});

    write_file("programme-over.yaml", busy_day(197, 4));
    core::diagnostics over;
    auto refused = load_schedule("programme-over.yaml", {}, over);
    EXPECT_EQ(lines_of(over),
              std::vector<std::string>{
                  "programme-over.yaml:14:5: error: programme 'p3' airs once on a monday, which "
                  "makes 5001 break times and programme starts in that day; expected at most "
                  "5000"});
    // What goes past the limit is left out, so nothing downstream plans it even by mistake.
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->programmes.size(), 3u);
}

TEST(limits, the_count_follows_the_planners_grid) {
    temp_dir dir;
    test::scoped_cwd cwd(dir.path());
    // every 1s inside 00:00-01:23:20 is 5000 times; with an offset of 500ms the last of them
    // is 01:23:19.5, still inside
    write_file("window.yaml", "breaks:\n  - {id: a, every: 1s, offset: 500ms, length: 1s, "
                              "between: \"00:00-01:23:20\"}\n");
    EXPECT_EQ(schedule_lines("window.yaml"), std::vector<std::string>{});
    // a window across midnight counts its two parts on the days they air: 23:00-24:00 on
    // mondays is 3600 and 00:00-00:23:21 on tuesdays is 1401 (the monday night's), 5001
    write_file("night.yaml", "breaks:\n  - {id: a, every: 1s, length: 1s, between: "
                             "\"23:00-00:23:21\", days: [mon]}\n  - {id: b, every: 1s, length: "
                             "1s, between: \"12:00-13:00\", days: [tue]}\n");
    EXPECT_EQ(schedule_lines("night.yaml"),
              std::vector<std::string>{
                  "night.yaml:3:5: error: break 'b' airs 3600 times on a tuesday, which makes "
                  "5001 break times and programme starts in that day; expected at most 5000 (a "
                  "longer 'every' or a narrower 'between' gives fewer)"});
}

} // namespace
} // namespace onair::schedule
