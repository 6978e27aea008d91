#include "media/check.hpp"

#include "media_fixture.hpp"

#include <gtest/gtest.h>

namespace onair::media {
namespace {

using std::chrono::milliseconds;
using testing::scratch_dir;
using testing::write_file;

// A station in its own directory, with the samples it names copied into media/.
struct station_dir {
    std::filesystem::path dir;

    explicit station_dir(const std::string& name) : dir(scratch_dir() / name) {
        std::filesystem::remove_all(dir);
        std::filesystem::create_directories(dir / "media");
        for (auto [sample, as] : {std::pair{"av-50.mp4", "av.mp4"},
                                  {"video-50.mp4", "video.mp4"},
                                  {"tone.ogg", "tone.ogg"},
                                  {"still.png", "still.png"}}) {
            std::filesystem::copy_file(testing::sample(sample), dir / "media" / as);
        }
    }
    std::string abs(const std::string& rel) const {
        return (dir / rel).lexically_normal().string();
    }
};

const char* const config_yaml = R"(station: Test
state_dir: state
control: {listen: 127.0.0.1:8750}
channels:
  - id: tv
    kind: tv
    timezone: Asia/Vientiane
    schedule: tv.yaml
    filler: {type: slate, image: media/still.png}
    outputs: [{type: file, path: out/tv.ts}]
  - id: radio
    kind: radio
    timezone: Asia/Vientiane
    schedule: radio.yaml
    filler: {type: loop, media: [media/tone.ogg, media/still.png]}
    outputs: [{type: file, path: out/radio.ogg}]
)";

const char* const tv_yaml = R"(media:
  good:
    file: media/av.mp4
  missing:
    file: media/missing.mp4
  long:
    file: media/av.mp4
    duration: 40s
  short:
    file: media/av.mp4
    duration: 1s
  audio-only:
    file: media/tone.ogg
  mute:
    file: media/video.mp4
  picture:
    file: media/still.png
)";

const char* const radio_yaml = R"(media:
  spot:
    file: media/tone.ogg
  pictures:
    file: media/video.mp4
)";

const core::diagnostic* find(const core::diagnostics& diags, const std::string& needle) {
    for (const auto& d : diags.all()) {
        if (d.message.find(needle) != std::string::npos) {
            return &d;
        }
    }
    return nullptr;
}

std::string dump(const core::diagnostics& diags) {
    std::string out;
    for (const auto& d : diags.sorted()) {
        out += core::format(d) + "\n";
    }
    return out;
}

TEST(check_media, reports_each_problem_at_the_line_that_names_the_file) {
    station_dir s("check");
    write_file(s.dir / "onair.yaml", config_yaml);
    write_file(s.dir / "tv.yaml", tv_yaml);
    write_file(s.dir / "radio.yaml", radio_yaml);
    core::diagnostics load_diags;
    auto st = schedule::load_station(s.dir / "onair.yaml", load_diags);
    ASSERT_TRUE(st && !load_diags.has_errors()) << dump(load_diags);

    prober p;
    core::diagnostics diags;
    auto durations = check_media(*st, p, diags);
    SCOPED_TRACE(dump(diags));
    // the loader shows paths relative to the working directory where it can
    auto in_file = [&](const core::diagnostic& d, const std::string& name) {
        return std::filesystem::weakly_canonical(d.where.file) ==
               std::filesystem::weakly_canonical(s.dir / name);
    };

    auto* missing = find(diags, "media 'missing'");
    ASSERT_NE(missing, nullptr);
    EXPECT_EQ(missing->message,
              "media 'missing': cannot air '" + s.abs("media/missing.mp4") + "': no such file");
    EXPECT_EQ(missing->level, core::severity::error);
    EXPECT_EQ(missing->where.line, 5);
    EXPECT_EQ(missing->where.column, 11);

    auto* longer = find(diags, "media 'long'");
    ASSERT_NE(longer, nullptr);
    EXPECT_EQ(longer->message,
              "media 'long': declared duration 40s is longer than the file (2.000s)");
    EXPECT_EQ(longer->level, core::severity::error);
    EXPECT_EQ(longer->where.line, 8);
    EXPECT_EQ(longer->where.column, 15);

    EXPECT_EQ(find(diags, "media 'short'"), nullptr); // shorter trims: fine
    EXPECT_EQ(find(diags, "media 'good'"), nullptr);

    auto* audio_only = find(diags, "media 'audio-only'");
    ASSERT_NE(audio_only, nullptr);
    EXPECT_EQ(audio_only->message,
              "media 'audio-only' has no video stream; channel 'tv' is tv and airs video");
    EXPECT_EQ(audio_only->level, core::severity::error);
    EXPECT_EQ(audio_only->where.line, 13);
    EXPECT_TRUE(in_file(*audio_only, "tv.yaml")) << audio_only->where.file;
    EXPECT_TRUE(in_file(*missing, "tv.yaml")) << missing->where.file;

    auto* mute = find(diags, "media 'mute'");
    ASSERT_NE(mute, nullptr);
    EXPECT_EQ(mute->level, core::severity::warning);
    EXPECT_EQ(mute->where.line, 15);

    auto* picture = find(diags, "media 'picture'");
    ASSERT_NE(picture, nullptr);
    EXPECT_EQ(picture->level, core::severity::error);
    EXPECT_NE(picture->message.find("still image"), std::string::npos);

    auto* pictures = find(diags, "media 'pictures'");
    ASSERT_NE(pictures, nullptr);
    EXPECT_EQ(pictures->message,
              "media 'pictures' has no audio stream; channel 'radio' is radio and airs audio");
    EXPECT_EQ(pictures->level, core::severity::error);
    EXPECT_EQ(pictures->where.line, 5);

    // the loop filler of the radio channel names a picture: no audio to loop
    auto* loop = find(diags, "loop filler '" + s.abs("media/still.png") + "'");
    ASSERT_NE(loop, nullptr);
    EXPECT_TRUE(in_file(*loop, "onair.yaml")) << loop->where.file;
    EXPECT_EQ(loop->where.line, 15);
    EXPECT_EQ(find(diags, "slate"), nullptr); // the tv slate is a fine still

    // every file decoded once, however many channels and items name it
    EXPECT_EQ(p.decoded(), 4u);

    ASSERT_EQ(durations.size(), 2u);
    EXPECT_EQ(durations[0].at("good"), milliseconds{2000});
    EXPECT_EQ(durations[0].at("short"), milliseconds{1000});
    EXPECT_EQ(durations[0].count("missing"), 0u);
    EXPECT_EQ(durations[1].at("spot"), milliseconds{2000});
}

TEST(check_media, bad_slate) {
    station_dir s("slate");
    write_file(s.dir / "onair.yaml", R"(station: Test
state_dir: state
control: {listen: 127.0.0.1:8750}
channels:
  - id: tv
    kind: tv
    timezone: Asia/Vientiane
    schedule: tv.yaml
    filler: {type: slate, image: media/nothing.png}
    outputs: [{type: file, path: out/tv.ts}]
)");
    write_file(s.dir / "tv.yaml", "media:\n  good:\n    file: media/av.mp4\n");
    core::diagnostics load_diags;
    auto st = schedule::load_station(s.dir / "onair.yaml", load_diags);
    ASSERT_TRUE(st && !load_diags.has_errors()) << dump(load_diags);
    prober p;
    core::diagnostics diags;
    check_media(*st, p, diags);
    ASSERT_EQ(diags.error_count(), 1u) << dump(diags);
    const auto& d = diags.all().front();
    EXPECT_EQ(d.message, "slate: cannot air '" + s.abs("media/nothing.png") + "': no such file");
    EXPECT_EQ(d.where.line, 9);
}

TEST(media_durations, declared_wins_and_only_undeclared_files_are_probed) {
    station_dir s("durations");
    write_file(s.dir / "tv.yaml", R"(media:
  declared:
    file: media/missing.mp4
    duration: 30s
  probed:
    file: media/av.mp4
  broken:
    file: media/missing.mp4
)");
    core::diagnostics load_diags;
    auto sched = schedule::load_schedule(s.dir / "tv.yaml", {}, load_diags);
    ASSERT_TRUE(sched && !load_diags.has_errors()) << dump(load_diags);
    prober p;
    core::diagnostics diags;
    auto d = media_durations(*sched, p, diags);
    EXPECT_EQ(d.at("declared"), milliseconds{30000});
    EXPECT_EQ(d.at("probed"), milliseconds{2000});
    EXPECT_EQ(d.count("broken"), 0u);
    ASSERT_EQ(diags.error_count(), 1u) << dump(diags);
    EXPECT_EQ(diags.all().front().where.line, 8);
    EXPECT_EQ(p.decoded(), 1u);
}

} // namespace
} // namespace onair::media
