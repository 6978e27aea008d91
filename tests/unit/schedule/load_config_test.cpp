// Good values of every config field load to the exact model value; the defaults are what
// SPEC section 2 says; load_station ties configs and schedules together.

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

const char* good_schedule = "breaks:\n  - {id: hourly, every: 1h, length: 60s}\n";

// A config at DIR/config/onair.yaml (with a good schedule at DIR/playlists/tv.yaml) loaded
// with load_config; the test fails on any diagnostic.
config load_clean(const temp_dir& dir, const std::string& yaml) {
    write_file(dir / "playlists/tv.yaml", good_schedule);
    const auto file = write_file(dir / "config/onair.yaml", yaml);
    core::diagnostics diags;
    auto cfg = load_config(file, diags);
    EXPECT_TRUE(diags.empty()) << test::joined(lines_of(diags));
    if (!cfg) {
        throw std::runtime_error("the config did not load");
    }
    return *cfg;
}

const std::string head = "station: Lao Police Media\nstate_dir: ../var\n";

// One channel with the given extra lines (indented four spaces).
std::string one_channel(const std::string& kind, const std::string& extra) {
    return head + "channels:\n  - id: ch\n    kind: " + kind +
           "\n    timezone: Asia/Vientiane\n    schedule: ../playlists/tv.yaml\n" + extra;
}

TEST(load_config, a_full_tv_channel) {
    temp_dir dir;
    auto cfg = load_clean(dir, head + R"(control:
  listen: 0.0.0.0:9000
  token_file: ../secrets/token
channels:
  - id: police-tv
    name: "ໂທລະພາບ ປກສ — Police TV"
    kind: tv
    timezone: Asia/Vientiane
    video: {width: 1920, height: 1080, framerate: 30000/1001}
    audio: {rate: 44100, channels: 1}
    loudness: -24.5
    schedule: ../playlists/tv.yaml
    filler: {type: slate, image: ../media/slates/./police-tv.png}
    outputs:
      - {type: file, path: ../var/out/police-tv.ts, video_bitrate: 2500, audio_bitrate: 128}
      - {type: udp, host: 239.0.0.1, port: 5000}
)");
    EXPECT_EQ(cfg.station, "Lao Police Media");
    EXPECT_EQ(cfg.state_dir, dir.path() / "var");
    EXPECT_EQ(cfg.api.listen_host, "0.0.0.0");
    EXPECT_EQ(cfg.api.listen_port, 9000);
    EXPECT_EQ(cfg.api.token_file, dir.path() / "secrets/token");
    ASSERT_EQ(cfg.channels.size(), 1u);
    const auto& c = cfg.channels[0];
    EXPECT_EQ(c.id, "police-tv");
    EXPECT_EQ(c.name, "ໂທລະພາບ ປກສ — Police TV");
    EXPECT_EQ(c.kind, channel_kind::tv);
    EXPECT_EQ(c.timezone, "Asia/Vientiane");
    ASSERT_NE(c.zone, nullptr);
    EXPECT_EQ(c.zone->name(), "Asia/Vientiane");
    ASSERT_TRUE(c.video);
    EXPECT_EQ(c.video->width, 1920);
    EXPECT_EQ(c.video->height, 1080);
    EXPECT_EQ(c.video->framerate_num, 30000);
    EXPECT_EQ(c.video->framerate_den, 1001);
    EXPECT_EQ(c.audio.rate, 44100);
    EXPECT_EQ(c.audio.channels, 1);
    EXPECT_EQ(c.loudness, -24.5);
    EXPECT_EQ(c.schedule_file, dir.path() / "playlists/tv.yaml");
    EXPECT_EQ(c.schedule_where, (core::location{display_path(dir / "config/onair.yaml"), 14, 15}));
    EXPECT_EQ(c.fill.type, filler_type::slate);
    EXPECT_EQ(c.fill.image, dir.path() / "media/slates/police-tv.png");
    ASSERT_EQ(c.outputs.size(), 2u);
    EXPECT_EQ(c.outputs[0].type, output_type::file);
    EXPECT_EQ(c.outputs[0].file, dir.path() / "var/out/police-tv.ts");
    EXPECT_EQ(c.outputs[0].video_bitrate, 2500);
    EXPECT_EQ(c.outputs[0].audio_bitrate, 128);
    EXPECT_EQ(c.outputs[1].type, output_type::udp);
    EXPECT_EQ(c.outputs[1].host, "239.0.0.1");
    EXPECT_EQ(c.outputs[1].port, 5000);
    EXPECT_FALSE(c.outputs[1].video_bitrate);
    EXPECT_EQ(cfg.find_channel("police-tv"), &c);
    EXPECT_EQ(cfg.find_channel("police-radio"), nullptr);
}

TEST(load_config, defaults) {
    temp_dir dir;
    auto cfg = load_clean(dir, one_channel("tv", "    outputs: [{type: null}]\n"));
    EXPECT_EQ(cfg.api.listen_host, "127.0.0.1"); // no control section at all
    EXPECT_EQ(cfg.api.listen_port, 8750);
    EXPECT_FALSE(cfg.api.token_file);
    const auto& c = cfg.channels.at(0);
    EXPECT_EQ(c.name, "ch");
    EXPECT_EQ(c.loudness, -23.0);
    EXPECT_EQ(c.fill.type, filler_type::black);
    ASSERT_TRUE(c.video); // tv: 1280x720 at 25
    EXPECT_EQ(c.video->width, 1280);
    EXPECT_EQ(c.video->height, 720);
    EXPECT_EQ(c.video->framerate_num, 25);
    EXPECT_EQ(c.video->framerate_den, 1);
    EXPECT_EQ(c.audio.rate, 48000);
    EXPECT_EQ(c.audio.channels, 2);
}

TEST(load_config, radio_has_no_video) {
    temp_dir dir;
    auto cfg = load_clean(dir, one_channel("radio", "    outputs: [{type: null}]\n"));
    EXPECT_EQ(cfg.channels.at(0).kind, channel_kind::radio);
    EXPECT_FALSE(cfg.channels.at(0).video);
}

TEST(load_config, loudness_null_turns_correction_off) {
    temp_dir dir;
    auto cfg =
        load_clean(dir, one_channel("tv", "    loudness: null\n    outputs: [{type: null}]\n"));
    EXPECT_FALSE(cfg.channels.at(0).loudness);
}

TEST(load_config, control_may_be_null_and_token_file_null) {
    temp_dir dir;
    auto a = load_clean(dir, "control:\n" + one_channel("tv", "    outputs: [{type: null}]\n"));
    EXPECT_EQ(a.api.listen_port, 8750);
    auto b = load_clean(dir, "control: {token_file: null}\n" +
                                 one_channel("tv", "    outputs: [{type: null}]\n"));
    EXPECT_FALSE(b.api.token_file);
}

TEST(load_config, listen_takes_ipv6_in_brackets) {
    temp_dir dir;
    auto cfg = load_clean(dir, "control: {listen: \"[::1]:8751\"}\n" +
                                   one_channel("tv", "    outputs: [{type: null}]\n"));
    EXPECT_EQ(cfg.api.listen_host, "::1");
    EXPECT_EQ(cfg.api.listen_port, 8751);
}

TEST(load_config, control_safety_fields) {
    temp_dir dir;
    auto d = load_clean(dir, one_channel("tv", "    outputs: [{type: null}]\n"));
    EXPECT_FALSE(d.api.read_token);
    EXPECT_EQ(d.api.plan_days, 366);
    EXPECT_EQ(d.api.token_credential, "");
    auto cfg = load_clean(dir, "control: {token_file: onair-token, read_token: true, "
                               "plan_days: 3660}\n" +
                                   one_channel("tv", "    outputs: [{type: null}]\n"));
    EXPECT_TRUE(cfg.api.read_token);
    EXPECT_EQ(cfg.api.plan_days, 3660);
    EXPECT_EQ(cfg.api.token_file, dir.path() / "config/onair-token");
    EXPECT_EQ(cfg.api.token_credential, "onair-token");
    auto abs = load_clean(dir, "control: {token_file: /etc/onair/token, plan_days: 1}\n" +
                                   one_channel("tv", "    outputs: [{type: null}]\n"));
    EXPECT_EQ(abs.api.token_file, fs::path("/etc/onair/token"));
    EXPECT_EQ(abs.api.token_credential, "");
    EXPECT_EQ(abs.api.plan_days, 1);
    // Loopback needs no token, whichever way it is written.
    for (const char* l : {"127.0.0.1:1", "127.1.2.3:1", "\"[::1]:1\"", "localhost:1"}) {
        auto c = load_clean(dir, std::string("control: {listen: ") + l + "}\n" +
                                     one_channel("tv", "    outputs: [{type: null}]\n"));
        EXPECT_FALSE(c.api.token_file) << l;
    }
}

// The errors as `onair check` prints them, for a config whose control section is `control`.
std::vector<std::string> control_errors(const temp_dir& dir, const std::string& control) {
    write_file(dir / "playlists/tv.yaml", good_schedule);
    const auto file = write_file(dir / "onair.yaml", "control:\n" + control +
                                                         one_channel("tv", "    outputs: "
                                                                           "[{type: null}]\n"));
    test::scoped_cwd cwd(dir.path());
    core::diagnostics diags;
    load_config("onair.yaml", diags);
    return lines_of(diags);
}

TEST(load_config, control_off_loopback_needs_a_token_and_fields_are_checked) {
    temp_dir dir;
    EXPECT_EQ(control_errors(dir, "  listen: 0.0.0.0:8750\n"),
              std::vector<std::string>{
                  "onair.yaml:2:11: error: field 'control.listen': listening on '0.0.0.0' (not "
                  "loopback) needs a token: set control.token_file"});
    EXPECT_EQ(control_errors(dir, "  listen: \"[::]:8750\"\n"),
              std::vector<std::string>{
                  "onair.yaml:2:11: error: field 'control.listen': listening on '::' (not "
                  "loopback) needs a token: set control.token_file"});
    EXPECT_EQ(control_errors(dir, "  listen: 192.168.1.10:8750\n  token_file: token\n"),
              std::vector<std::string>{});
    EXPECT_EQ(control_errors(dir, "  read_token: yes\n  plan_days: 0\n"),
              (std::vector<std::string>{
                  "onair.yaml:2:15: error: field 'control.read_token': expected one of true or "
                  "false, found 'yes'",
                  "onair.yaml:3:14: error: field 'control.plan_days': 0 is out of range, expected "
                  "an integer from 1 to 3660"}));
    EXPECT_EQ(control_errors(dir, "  read_token: true\n"),
              std::vector<std::string>{"onair.yaml:2:15: error: field 'control.read_token': "
                                       "read_token needs control.token_file"});
}

TEST(load_config, loop_and_live_fillers) {
    temp_dir dir;
    auto loop = load_clean(
        dir, one_channel("radio", R"(    filler: {type: loop, media: [../media/bed.ogg, bed2.ogg]}
    outputs: [{type: null}]
)"));
    const auto& l = loop.channels.at(0).fill;
    EXPECT_EQ(l.type, filler_type::loop);
    EXPECT_EQ(l.media, (std::vector<fs::path>{dir.path() / "media/bed.ogg",
                                              dir.path() / "config/bed2.ogg"}));

    auto live = load_clean(dir, one_channel("tv", R"(    filler:
      type: live
      uri: "srt://10.0.0.5:9000?mode=caller"
      fallback: {type: slate, image: ../media/slate.png}
    outputs: [{type: null}]
)"));
    const auto& f = live.channels.at(0).fill;
    EXPECT_EQ(f.type, filler_type::live);
    EXPECT_EQ(f.uri, "srt://10.0.0.5:9000?mode=caller");
    ASSERT_TRUE(f.fallback);
    EXPECT_EQ(f.fallback->type, filler_type::slate);
    EXPECT_EQ(f.fallback->image, dir.path() / "media/slate.png");

    auto bare =
        load_clean(dir, one_channel("tv", R"(    filler: {type: live, uri: "udp://239.0.0.1:5000"}
    outputs: [{type: null}]
)"));
    EXPECT_FALSE(bare.channels.at(0).fill.fallback); // black
}

TEST(load_config, every_output_type) {
    temp_dir dir;
    auto tv = load_clean(dir, one_channel("tv", R"(    outputs:
      - {type: file, path: ../out/a.mkv}
      - {type: srt, uri: "srt://0.0.0.0:9000?mode=listener"}
      - {type: rtmp, uri: "rtmps://live.example.org/app/key"}
      - {type: hls, dir: ../out/hls}
      - {type: hls, dir: ../out/hls2, segment: 2s}
      - {type: null}
      - {type: "null"}
)"));
    const auto& o = tv.channels.at(0).outputs;
    ASSERT_EQ(o.size(), 7u);
    EXPECT_EQ(o[0].type, output_type::file);
    EXPECT_EQ(o[0].file, dir.path() / "out/a.mkv");
    EXPECT_EQ(o[1].type, output_type::srt);
    EXPECT_EQ(o[1].uri, "srt://0.0.0.0:9000?mode=listener");
    EXPECT_EQ(o[2].type, output_type::rtmp);
    EXPECT_EQ(o[2].uri, "rtmps://live.example.org/app/key");
    EXPECT_EQ(o[3].type, output_type::hls);
    EXPECT_EQ(o[3].dir, dir.path() / "out/hls");
    EXPECT_EQ(o[3].segment, 6s); // the default
    EXPECT_EQ(o[4].segment, 2s);
    EXPECT_EQ(o[5].type, output_type::null); // YAML's null is the output called null
    EXPECT_EQ(o[6].type, output_type::null);

    auto radio = load_clean(dir, one_channel("radio", R"(    outputs:
      - {type: file, path: ../out/r.mp3}
      - {type: file, path: ../out/r.ogg}
      - {type: file, path: ../out/r.wav}
      - {type: icecast, host: icecast.local, port: 8000, mount: /police.mp3, password: hackme, format: mp3}
      - {type: icecast, host: icecast.local, port: 8000, mount: /police.ogg, password_file: ../secrets/ice, format: ogg, audio_bitrate: 96}
)"));
    const auto& r = radio.channels.at(0).outputs;
    ASSERT_EQ(r.size(), 5u);
    EXPECT_EQ(r[2].file, dir.path() / "out/r.wav");
    EXPECT_EQ(r[3].type, output_type::icecast);
    EXPECT_EQ(r[3].host, "icecast.local");
    EXPECT_EQ(r[3].port, 8000);
    EXPECT_EQ(r[3].mount, "/police.mp3");
    EXPECT_EQ(r[3].password, "hackme");
    EXPECT_EQ(r[3].format, "mp3");
    EXPECT_EQ(r[4].password_file, dir.path() / "secrets/ice");
    EXPECT_EQ(r[4].password, "");
    EXPECT_EQ(r[4].format, "ogg");
    EXPECT_EQ(r[4].audio_bitrate, 96);
}

TEST(load_config, an_empty_type_is_not_the_null_output) {
    // `type:` with nothing after it is a mistake, not a request to discard the output
    temp_dir dir;
    write_file(dir / "playlists/tv.yaml", good_schedule);
    const auto file =
        write_file(dir / "config/onair.yaml", one_channel("tv", "    outputs:\n      - type:\n"));
    core::diagnostics diags;
    load_config(file, diags);
    ASSERT_EQ(diags.error_count(), 1u);
    EXPECT_EQ(diags.all()[0].message, "field 'channels.ch.outputs[0].type': expected one of file, "
                                      "udp, srt, rtmp, hls, icecast or null, found nothing (null)");
}

TEST(load_config, a_channel_without_outputs_is_a_warning) {
    temp_dir dir;
    write_file(dir / "playlists/tv.yaml", good_schedule);
    const auto file = write_file(dir / "config/onair.yaml", one_channel("tv", ""));
    core::diagnostics diags;
    auto cfg = load_config(file, diags);
    ASSERT_TRUE(cfg);
    EXPECT_FALSE(diags.has_errors());
    ASSERT_EQ(diags.all().size(), 1u);
    EXPECT_EQ(diags.all()[0].message, "channel 'ch' has no outputs: it will air nowhere");
}

TEST(load_config, config_file_names_display_relative_to_the_working_directory) {
    temp_dir dir;
    write_file(dir / "config/onair.yaml", "station: x\n");
    test::scoped_cwd cwd(dir.path());
    for (const fs::path& p : {fs::path("config/onair.yaml"), dir / "config/onair.yaml"}) {
        core::diagnostics diags;
        load_config(p, diags);
        ASSERT_FALSE(diags.empty()) << p;
        EXPECT_EQ(diags.sorted()[0].where.file, "config/onair.yaml") << p;
    }
}

TEST(load_station, channels_naming_one_schedule_share_it) {
    temp_dir dir;
    write_file(dir / "playlists/tv.yaml", good_schedule);
    const auto file = write_file(dir / "config/onair.yaml", head + R"(channels:
  - {id: a, kind: tv, timezone: Asia/Vientiane, schedule: ../playlists/tv.yaml, outputs: [{type: null}]}
  - {id: b, kind: tv, timezone: Europe/Berlin, schedule: ../playlists/./tv.yaml, outputs: [{type: null}]}
)");
    core::diagnostics diags;
    auto st = load_station(file, diags);
    ASSERT_TRUE(st);
    EXPECT_TRUE(diags.empty()) << test::joined(lines_of(diags));
    ASSERT_EQ(st->schedules.size(), 2u);
    ASSERT_TRUE(st->schedules[0]);
    EXPECT_EQ(st->schedules[0], st->schedules[1]);
    EXPECT_EQ(st->schedule_of("b"), st->schedules[0].get());
    EXPECT_EQ(st->schedule_of("c"), nullptr);
    EXPECT_EQ(st->schedules[0]->breaks.at(0).id, "hourly");
}

TEST(load_station, a_broken_channel_still_has_its_schedule_checked) {
    // Otherwise the schedule's errors would only appear after the channel is fixed.
    temp_dir dir;
    write_file(dir / "playlists/tv.yaml", "breaks:\n  - {id: a, every: 1h, length: 0s}\n");
    const auto file = write_file(dir / "config/onair.yaml", head + R"(channels:
  - {id: a, kind: tvv, timezone: Asia/Vientiane, schedule: ../playlists/tv.yaml}
)");
    test::scoped_cwd cwd(dir.path());
    core::diagnostics diags;
    auto st = load_station("config/onair.yaml", diags);
    ASSERT_TRUE(st);
    EXPECT_TRUE(st->cfg.channels.empty());
    EXPECT_EQ(lines_of(diags),
              (std::vector<std::string>{
                  "config/onair.yaml:4:19: error: field 'channels.a.kind': expected one of tv or "
                  "radio, found 'tvv' (did you mean 'tv'?)",
                  "playlists/tv.yaml:2:32: error: field 'breaks.a.length': expected a duration "
                  "greater than zero, found '0s'"}));
}

TEST(load_station, an_unreadable_config_gives_nothing) {
    temp_dir dir;
    core::diagnostics diags;
    EXPECT_FALSE(load_station(dir / "missing.yaml", diags));
    EXPECT_TRUE(diags.has_errors());
}

} // namespace
} // namespace onair::schedule
