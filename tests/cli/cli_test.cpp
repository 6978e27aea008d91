// The onair binary as a station engineer (or a script) uses it.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;

struct run_result {
    int status = -1;
    std::string out;
    std::string err;
};

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Runs onair with arguments in a working directory; captures stdout, stderr and the exit code.
run_result onair(const std::vector<std::string>& args, const fs::path& cwd = ONAIR_SOURCE_DIR) {
    static int counter = 0;
    const auto tmp = fs::temp_directory_path() /
                     ("onair-cli-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    const auto out_file = tmp.string() + ".out", err_file = tmp.string() + ".err";
    pid_t pid = ::fork();
    if (pid == 0) {
        if (::chdir(cwd.c_str()) != 0) {
            ::_exit(127);
        }
        std::freopen(out_file.c_str(), "w", stdout);
        std::freopen(err_file.c_str(), "w", stderr);
        std::vector<char*> argv;
        std::string binary = ONAIR_BINARY;
        argv.push_back(binary.data());
        std::vector<std::string> copy = args;
        for (auto& a : copy) {
            argv.push_back(a.data());
        }
        argv.push_back(nullptr);
        ::execv(binary.c_str(), argv.data());
        ::_exit(127);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    run_result r;
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out = read_file(out_file);
    r.err = read_file(err_file);
    fs::remove(out_file);
    fs::remove(err_file);
    return r;
}

// A scratch directory with the given files.
struct scratch {
    fs::path dir;
    scratch() {
        dir = fs::temp_directory_path() / ("onair-cli-case-" + std::to_string(::getpid()) + "-" +
                                           std::to_string(reinterpret_cast<std::uintptr_t>(this)));
        fs::remove_all(dir);
        fs::create_directories(dir);
    }
    ~scratch() { fs::remove_all(dir); }
    void write(const std::string& name, const std::string& text) const {
        fs::create_directories((dir / name).parent_path());
        std::ofstream(dir / name) << text;
    }
};

const std::string config_yaml = R"(station: Test
state_dir: var
channels:
  - id: tv
    kind: tv
    timezone: Asia/Vientiane
    schedule: schedule.yaml
    outputs: [{type: "null"}]
)";

const std::string schedule_yaml = R"(media:
  a: {file: a.mp4, duration: 30s, title: "ຢຸດຕິການຄ້າມະນຸດ"}
campaigns:
  c: {from: 2026-12-01, until: 2026-12-31, spots: [a]}
breaks:
  - {id: b, at: ["07:00"], length: 60s}
)";

TEST(cli, usage_errors_exit_2) {
    EXPECT_EQ(onair({}).status, 2);
    EXPECT_EQ(onair({"frobnicate"}).status, 2);
    EXPECT_EQ(onair({"check", "--config", "x.yaml", "--bogus"}).status, 2);
    EXPECT_EQ(onair({"check", "--config", "x.yaml", "--format", "xml"}).status, 2);
    EXPECT_EQ(onair({"--help"}).status, 0);
}

// The config a command reads without --config: $ONAIR_CONFIG, then /etc/onair/onair.yaml,
// then ./config/onair.yaml.
TEST(cli, config_defaults_to_onair_config_then_etc_then_the_working_directory) {
    ::unsetenv("ONAIR_CONFIG");
    const bool installed = fs::exists("/etc/onair/onair.yaml");
    scratch s;
    const std::vector<std::string> check{"check", "--no-probe", "--start", "2026-12-01"};
    if (!installed) {
        auto none = onair(check, s.dir);
        EXPECT_EQ(none.status, 2);
        EXPECT_EQ(none.out, "");
        EXPECT_EQ(none.err, "onair check: no config: give --config FILE or set $ONAIR_CONFIG "
                            "(looked for /etc/onair/onair.yaml and ./config/onair.yaml)\n");
        s.write("config/onair.yaml", config_yaml);
        s.write("config/schedule.yaml", schedule_yaml);
        auto here = onair(check, s.dir);
        EXPECT_EQ(here.status, 0) << here.err;
        EXPECT_EQ(here.out.rfind("onair check: config/onair.yaml: ok, 0 warnings; 1 channels", 0),
                  0u)
            << here.out;
    }
    s.write("elsewhere/station.yaml", config_yaml);
    s.write("elsewhere/schedule.yaml", schedule_yaml);
    const auto named = (s.dir / "elsewhere/station.yaml").string();
    ::setenv("ONAIR_CONFIG", named.c_str(), 1);
    auto env = onair(check, s.dir);
    EXPECT_EQ(env.status, 0) << env.err;
    EXPECT_EQ(env.out.rfind("onair check: " + named + ": ok", 0), 0u) << env.out;
    // --config still wins; an $ONAIR_CONFIG naming nothing is an error about that file
    auto given = onair({"check", "--config", "config/onair.yaml", "--no-probe"}, s.dir);
    EXPECT_EQ(given.out.find(named), std::string::npos) << given.out;
    ::setenv("ONAIR_CONFIG", "/nonexistent/onair.yaml", 1);
    auto missing = onair(check, s.dir);
    EXPECT_EQ(missing.status, 1);
    EXPECT_EQ(missing.err, "/nonexistent/onair.yaml: error: no such file\n");
    ::unsetenv("ONAIR_CONFIG");
}

TEST(cli, list_prints_channel_and_media_ids_for_completion) {
    scratch s;
    s.write("onair.yaml", config_yaml);
    s.write("schedule.yaml", schedule_yaml);
    auto ch = onair({"list", "channels", "--config", "onair.yaml"}, s.dir);
    EXPECT_EQ(ch.status, 0) << ch.err;
    EXPECT_EQ(ch.out, "tv\ttv\n"); // the name defaults to the id
    auto media = onair({"list", "media", "--config", "onair.yaml", "--channel", "tv"}, s.dir);
    EXPECT_EQ(media.status, 0) << media.err;
    EXPECT_EQ(media.out, "a\tຢຸດຕິການຄ້າມະນຸດ\n");
    EXPECT_EQ(onair({"list", "media", "--config", "onair.yaml", "--channel", "nope"}, s.dir).status,
              2);
    EXPECT_EQ(onair({"list", "programmes", "--config", "onair.yaml"}, s.dir).status, 2);
}

TEST(cli, check_a_good_config_without_probing) {
    scratch s;
    s.write("onair.yaml", config_yaml);
    s.write("schedule.yaml", schedule_yaml);
    auto r =
        onair({"check", "--config", "onair.yaml", "--no-probe", "--start", "2026-12-01"}, s.dir);
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("ok"), std::string::npos) << r.out;
}

TEST(cli, check_reports_every_error_with_file_line_column_and_exits_1) {
    scratch s;
    s.write("onair.yaml", config_yaml);
    s.write("schedule.yaml", R"(media:
  a: {file: a.mp4, duration: 0s}
campaigns:
  c: {from: 2026-12-01, until: 2026-11-01, spots: [b], wieght: 2}
breaks:
  - {id: b, every: 1h, length: 90s, length: 60s}
)");
    auto r = onair({"check", "--config", "onair.yaml", "--no-probe"}, s.dir);
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.err,
              "schedule.yaml:2:30: error: field 'media.a.duration': expected a duration greater "
              "than zero, found '0s'\n"
              "schedule.yaml:4:32: error: field 'campaigns.c.until': 2026-11-01 is before 'from' "
              "2026-12-01\n"
              "schedule.yaml:4:52: error: field 'campaigns.c.spots[0]': unknown media 'b'\n"
              "schedule.yaml:4:56: error: unknown field 'wieght' in 'campaigns.c' (did you mean "
              "'weight'?)\n"
              "schedule.yaml:6:37: error: duplicate key 'length' in 'breaks.b' (first given at "
              "line 6)\n");
}

TEST(cli, check_json_is_a_list_of_diagnostics) {
    scratch s;
    s.write("onair.yaml", config_yaml);
    s.write("schedule.yaml", "media:\n  a: {file: a.mp4, duration: 25:00}\n");
    auto r = onair({"check", "--config", "onair.yaml", "--no-probe", "--format", "json"}, s.dir);
    EXPECT_EQ(r.status, 1);
    auto j = nlohmann::json::parse(r.out);
    ASSERT_TRUE(j.is_array());
    ASSERT_GE(j.size(), 1u);
    EXPECT_EQ(j[0]["file"], "schedule.yaml");
    EXPECT_EQ(j[0]["line"], 2);
    EXPECT_EQ(j[0]["column"], 30);
    EXPECT_EQ(j[0]["severity"], "error");
    EXPECT_NE(j[0]["message"].get<std::string>().find("duration"), std::string::npos);
}

// Two channels: tv airs schedule.yaml, radio airs radio.yaml.
const std::string two_channels_yaml = R"(station: Test
state_dir: var
channels:
  - id: tv
    kind: tv
    timezone: Asia/Vientiane
    schedule: schedule.yaml
    outputs: [{type: "null"}]
  - id: radio
    kind: radio
    timezone: Asia/Vientiane
    schedule: radio.yaml
    outputs: [{type: "null"}]
)";

TEST(cli, check_config_only_says_a_broken_schedule_as_warnings_and_exits_0) {
    scratch s;
    s.write("onair.yaml", two_channels_yaml);
    s.write("schedule.yaml", schedule_yaml);
    s.write("radio.yaml", "breaks:\n  - {id: b, every: 1ms, length: 60s}\n");
    // Without the flag the whole station is refused, as before.
    auto full =
        onair({"check", "--config", "onair.yaml", "--no-probe", "--start", "2026-12-01"}, s.dir);
    EXPECT_EQ(full.status, 1);
    EXPECT_EQ(full.err, "radio.yaml:2:20: error: field 'breaks.b.every': expected at least 1s "
                        "between breaks, found '1ms'\n");

    auto r = onair({"check", "--config", "onair.yaml", "--config-only", "--no-probe", "--days", "1",
                    "--start", "2026-12-01"},
                   s.dir);
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err, "onair.yaml:12:15: warning: channel 'radio' airs filler until the errors in "
                     "'radio.yaml' are fixed\n"
                     "radio.yaml:2:20: warning: field 'breaks.b.every': expected at least 1s "
                     "between breaks, found '1ms'\n");
    // The healthy channel is still checked and planned.
    EXPECT_EQ(r.out.find("onair check: onair.yaml: ok, 2 warnings; 1 channels, 1 schedules, 1 "
                         "media files, 1 days planned in "),
              0u)
        << r.out;
    EXPECT_NE(r.out.find("; airing filler until their schedules are fixed: radio\n"),
              std::string::npos)
        << r.out;

    // A missing schedule file is the channel's problem too.
    s.write("onair.yaml", two_channels_yaml + "  - id: news\n    kind: radio\n    timezone: "
                                              "Asia/Vientiane\n    schedule: gone.yaml\n    "
                                              "outputs: [{type: \"null\"}]\n");
    auto gone = onair(
        {"check", "--config", "onair.yaml", "--config-only", "--no-probe", "--format", "json"},
        s.dir);
    EXPECT_EQ(gone.status, 0) << gone.out;
    auto j = nlohmann::json::parse(gone.out);
    ASSERT_TRUE(j.is_array());
    for (const auto& d : j) {
        EXPECT_EQ(d["severity"], "warning") << d.dump();
    }
    EXPECT_NE(gone.out.find("cannot open 'gone.yaml': no such file"), std::string::npos)
        << gone.out;
    EXPECT_NE(gone.out.find("channel 'news' airs filler until the errors in 'gone.yaml' are "
                            "fixed"),
              std::string::npos)
        << gone.out;
}

TEST(cli, check_config_only_still_fails_on_the_config_itself) {
    scratch s;
    s.write("onair.yaml", two_channels_yaml + "control: {listen: 127.0.0.1:99999}\n");
    s.write("schedule.yaml", schedule_yaml);
    s.write("radio.yaml", "breaks:\n  - {id: b, every: 1ms, length: 60s}\n");
    auto r = onair({"check", "--config", "onair.yaml", "--config-only", "--no-probe"}, s.dir);
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_NE(r.err.find("onair.yaml:14:"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(": error: "), std::string::npos) << r.err;
    // The schedule's problem is still said, as a warning.
    EXPECT_NE(r.err.find("radio.yaml:2:20: warning: "), std::string::npos) << r.err;
    EXPECT_NE(r.out.find("1 error"), std::string::npos) << r.out;

    auto missing =
        onair({"check", "--config", "nothere.yaml", "--config-only", "--no-probe"}, s.dir);
    EXPECT_EQ(missing.status, 1);
    EXPECT_NE(missing.err.find("nothere.yaml: error: no such file"), std::string::npos)
        << missing.err;
}

TEST(cli, check_a_missing_config) {
    auto r = onair({"check", "--config", "/nonexistent/onair.yaml", "--no-probe"});
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("/nonexistent/onair.yaml: error: no such file"), std::string::npos)
        << r.err;
}

TEST(cli, plan_usage_errors) {
    scratch s;
    s.write("onair.yaml", config_yaml);
    s.write("schedule.yaml", schedule_yaml);
    auto plan = [&](std::vector<std::string> extra) {
        std::vector<std::string> args{"plan", "--config", "onair.yaml"};
        args.insert(args.end(), extra.begin(), extra.end());
        return onair(args, s.dir).status;
    };
    EXPECT_EQ(plan({"--channel", "tv"}), 2);
    EXPECT_EQ(plan({"--channel", "tv", "--date", "2026-12-01", "--from", "2026-12-01T00:00:00",
                    "--to", "2026-12-02T00:00:00"}),
              2);
    EXPECT_EQ(plan({"--channel", "tv", "--from", "2026-12-01T00:00:00"}), 2);
    EXPECT_EQ(plan({"--channel", "tv", "--date", "2026-13-01"}), 2);
    EXPECT_EQ(plan({"--channel", "radio", "--date", "2026-12-01"}), 2);
    EXPECT_EQ(plan({"--channel", "tv", "--date", "2026-12-01", "--format", "xml"}), 2);
    EXPECT_EQ(
        plan({"--channel", "tv", "--from", "2026-12-02T00:00:00", "--to", "2026-12-01T00:00:00"}),
        2);
}

TEST(cli, plan_json_csv_and_windows) {
    scratch s;
    s.write("onair.yaml", config_yaml);
    s.write("schedule.yaml", schedule_yaml);
    auto r = onair({"plan", "--config", "onair.yaml", "--channel", "tv", "--date", "2026-12-01",
                    "--format", "json"},
                   s.dir);
    ASSERT_EQ(r.status, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["from"], "2026-12-01T00:00:00+07:00");
    EXPECT_EQ(j["to"], "2026-12-02T00:00:00+07:00");
    ASSERT_EQ(j["items"].size(), 2u);
    EXPECT_EQ(j["items"][1]["start"], "2026-12-01T07:00:30.000+07:00");
    EXPECT_EQ(j["items"][1]["title"], "ຢຸດຕິການຄ້າມະນຸດ");
    EXPECT_EQ(j["items"][1]["file"], (s.dir / "a.mp4").string());

    // the same window given with an offset, and in UTC
    auto utc =
        onair({"plan", "--config", "onair.yaml", "--channel", "tv", "--from",
               "2026-11-30T17:00:00Z", "--to", "2026-12-01T17:00:00+00:00", "--format", "csv"},
              s.dir);
    ASSERT_EQ(utc.status, 0) << utc.err;
    EXPECT_EQ(utc.out,
              "start,end,duration_ms,kind,media,campaign,break,title,file\n"
              "2026-12-01T07:00:00.000+07:00,2026-12-01T07:00:30.000+07:00,30000,spot,a,c,b,"
              "ຢຸດຕິການຄ້າມະນຸດ," +
                  (s.dir / "a.mp4").string() +
                  "\n"
                  "2026-12-01T07:00:30.000+07:00,2026-12-01T07:01:00.000+07:00,30000,spot,a,c,b,"
                  "ຢຸດຕິການຄ້າມະນຸດ," +
                  (s.dir / "a.mp4").string() + "\n");
    auto text =
        onair({"plan", "--config", "onair.yaml", "--channel", "tv", "--date", "2026-12-01"}, s.dir);
    ASSERT_EQ(text.status, 0);
    EXPECT_NE(text.out.find("07:00:30.000"), std::string::npos) << text.out;
}

TEST(cli, plan_refuses_a_broken_schedule) {
    scratch s;
    s.write("onair.yaml", config_yaml);
    s.write("schedule.yaml", "media: [\n");
    auto r =
        onair({"plan", "--config", "onair.yaml", "--channel", "tv", "--date", "2026-12-01"}, s.dir);
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("schedule.yaml:"), std::string::npos) << r.err;
}

// ---- the examples, with the generated sample media ----

TEST(cli_examples, the_example_config_checks_clean_with_probing) {
    auto r = onair({"check", "--config", "config/onair.yaml", "--start", "2026-12-01"});
    EXPECT_EQ(r.status, 0) << r.err << r.out;
    EXPECT_EQ(r.err.find("error"), std::string::npos) << r.err;
}

// Golden rundowns: tests/fixtures/golden/CHANNEL-DATE.csv, with the repository path replaced by
// ROOT. ONAIR_UPDATE_GOLDEN=1 rewrites them (then read the diff).
void check_golden(const std::string& channel, const std::string& day) {
    auto r = onair({"plan", "--config", "config/onair.yaml", "--channel", channel, "--date", day,
                    "--format", "csv"});
    ASSERT_EQ(r.status, 0) << r.err;
    std::string root = fs::canonical(ONAIR_SOURCE_DIR).string();
    std::string csv = r.out;
    for (auto pos = csv.find(root); pos != std::string::npos; pos = csv.find(root, pos)) {
        csv.replace(pos, root.size(), "ROOT");
    }
    const fs::path golden =
        fs::path(ONAIR_SOURCE_DIR) / "tests/fixtures/golden" / (channel + "-" + day + ".csv");
    if (std::getenv("ONAIR_UPDATE_GOLDEN")) {
        fs::create_directories(golden.parent_path());
        std::ofstream(golden) << csv;
    }
    EXPECT_EQ(csv, read_file(golden)) << "golden " << golden;
}

TEST(cli_examples, golden_rundowns_of_the_examples) {
    // a tuesday; national day (breaks skipped, the wednesday programme airs); a wednesday
    for (const char* day : {"2026-12-01", "2026-12-02", "2026-12-09"}) {
        check_golden("police-tv", day);
        check_golden("police-radio", day);
    }
    check_golden("police-radio", "2026-12-07"); // a monday with the talk programme
}

} // namespace
