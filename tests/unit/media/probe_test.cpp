#include "media/probe.hpp"
#include "media/probe_json.hpp"

#include "media_fixture.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

namespace onair::media {
namespace {

using std::chrono::milliseconds;
using testing::copy_of;
using testing::sample;
using testing::scratch_dir;

void truncate_to_half(const std::filesystem::path& p) {
    std::filesystem::resize_file(p, std::filesystem::file_size(p) / 2);
}

TEST(probe, mp4_duration_is_the_decoded_frames) {
    auto r = probe_file(sample("video-50.mp4"));
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.duration, milliseconds{2000}); // 50 frames x 40 ms
    EXPECT_EQ(r.video_frames, 50);
    EXPECT_TRUE(r.has_video);
    EXPECT_FALSE(r.has_audio);
    EXPECT_FALSE(r.still_image);
    ASSERT_TRUE(r.container_duration.has_value());
    EXPECT_EQ(*r.container_duration, milliseconds{2000});
    EXPECT_EQ(r.container, "Quicktime");
    ASSERT_EQ(r.streams.size(), 1u);
    EXPECT_EQ(r.streams[0].type, "video");
    EXPECT_NE(r.streams[0].codec.find("H.264"), std::string::npos) << r.streams[0].codec;
    EXPECT_EQ(r.streams[0].width, 320);
    EXPECT_EQ(r.streams[0].height, 240);
    EXPECT_EQ(r.streams[0].framerate_num, 25);
    EXPECT_EQ(r.streams[0].framerate_den, 1);
    EXPECT_FALSE(r.loudness_lufs.has_value());
}

TEST(probe, duration_is_the_longest_stream) {
    auto r = probe_file(sample("av-50.mp4"));
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_TRUE(r.has_video);
    EXPECT_TRUE(r.has_audio);
    EXPECT_EQ(r.duration, milliseconds{2000}); // the audio ends first
    ASSERT_EQ(r.streams.size(), 2u);
    EXPECT_EQ(r.streams[1].type, "audio");
    EXPECT_EQ(r.streams[1].rate, 48000);
    EXPECT_EQ(r.streams[1].channels, 2);
    EXPECT_TRUE(r.loudness_lufs.has_value());
}

TEST(probe, audio_only_ogg) {
    auto r = probe_file(sample("tone.ogg"));
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_FALSE(r.has_video);
    EXPECT_TRUE(r.has_audio);
    EXPECT_EQ(r.duration, milliseconds{2000});
    EXPECT_EQ(r.container, "Ogg");
    ASSERT_EQ(r.streams.size(), 1u);
    EXPECT_EQ(r.streams[0].codec, "Vorbis");
    EXPECT_EQ(r.streams[0].rate, 48000);
    EXPECT_EQ(r.streams[0].channels, 2);
    ASSERT_TRUE(r.loudness_lufs.has_value());
    ASSERT_TRUE(r.true_peak_dbtp.has_value());
    // a 440 Hz sine at amplitude 0.2 in both channels: about -14 LUFS (20 log10 0.2, K-weighted)
    EXPECT_NEAR(*r.loudness_lufs, -14.4, 1.0);
    EXPECT_NEAR(*r.true_peak_dbtp, -14.0, 0.5);
}

TEST(probe, mpegts_duration_comes_from_decoding_not_the_container) {
    auto r = probe_file(sample("video-50.ts"));
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.duration, milliseconds{2000});
    EXPECT_EQ(r.video_frames, 50);
    EXPECT_NE(r.container.find("Transport Stream"), std::string::npos) << r.container;
}

TEST(probe, png_is_a_still_image) {
    auto r = probe_file(sample("still.png"));
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_TRUE(r.still_image);
    EXPECT_TRUE(r.has_video);
    EXPECT_FALSE(r.has_audio);
    EXPECT_EQ(r.duration, milliseconds{0});
    ASSERT_EQ(r.streams.size(), 1u);
    EXPECT_EQ(r.streams[0].width, 320);
    EXPECT_EQ(r.streams[0].height, 240);
}

TEST(probe, mp4_cut_in_half_is_truncated) {
    auto file = copy_of("av-50.mp4", "half.mp4");
    truncate_to_half(file);
    auto r = probe_file(file);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("truncated"), std::string::npos) << r.error;
}

TEST(probe, faststart_mp4_cut_in_half_decodes_shorter_than_it_claims) {
    auto file = copy_of("faststart.mp4", "half-faststart.mp4");
    truncate_to_half(file);
    auto r = probe_file(file);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("truncated"), std::string::npos) << r.error;
}

TEST(probe, mpegts_cut_in_half_is_shorter_or_refused) {
    auto file = copy_of("video-50.ts", "half.ts");
    truncate_to_half(file);
    auto r = probe_file(file);
    if (r.ok) {
        EXPECT_LT(r.duration, milliseconds{1500});
        EXPECT_GT(r.duration, milliseconds{0});
    } else {
        EXPECT_NE(r.error.find("truncated"), std::string::npos) << r.error;
    }
}

TEST(probe, text_is_not_a_media_file) {
    auto r = probe_file(sample("text.txt"));
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.error, "not a media file");
}

TEST(probe, random_bytes_are_not_a_media_file) {
    auto file = scratch_dir() / "noise.mp4";
    std::string bytes;
    unsigned x = 12345;
    for (int i = 0; i < 65536; ++i) {
        x = x * 1103515245u + 12345u;
        bytes.push_back(static_cast<char>(x >> 24));
    }
    testing::write_file(file, bytes);
    auto r = probe_file(file);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.error, "not a media file");
}

TEST(probe, missing_file) {
    auto r = probe_file(scratch_dir() / "nothing-here.mp4");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.error, "no such file");
}

TEST(probe, empty_file) {
    auto file = scratch_dir() / "empty.mp4";
    testing::write_file(file, "");
    auto r = probe_file(file);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.error, "empty file");
}

TEST(probe, directory) {
    auto r = probe_file(scratch_dir());
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.error, "is a directory");
}

TEST(probe, unreadable_file) {
    if (::geteuid() == 0) {
        GTEST_SKIP() << "root reads every file";
    }
    auto file = copy_of("tone.ogg", "locked.ogg");
    std::filesystem::permissions(file, std::filesystem::perms::none);
    auto r = probe_file(file);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.error, "not readable: permission denied");
}

TEST(probe, ogg_cut_inside_its_headers_is_corrupt) {
    auto file = copy_of("tone.ogg", "headers-only.ogg");
    std::filesystem::resize_file(file, 3000); // the Vorbis setup header is cut
    auto r = probe_file(file);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("corrupt"), std::string::npos) << r.error;
}

TEST(probe, single_frame_video_is_a_still) {
    auto file = scratch_dir() / "one-frame.mp4";
    testing::run_pipeline("videotestsrc num-buffers=1 ! video/x-raw,width=320,height=240,"
                          "framerate=25/1 ! x264enc ! h264parse ! mp4mux ! filesink location=@OUT@",
                          file);
    auto r = probe_file(file);
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_TRUE(r.still_image);
    EXPECT_EQ(r.video_frames, 1);
}

TEST(probe, json_round_trip) {
    auto r = probe_file(sample("av-50.mp4"));
    auto back = probe_result_from_json(to_json(r));
    EXPECT_EQ(to_json(back), to_json(r));
    EXPECT_EQ(to_json(r)["duration_ms"], 2000);
}

TEST(probe, format_seconds) {
    EXPECT_EQ(format_seconds(milliseconds{30000}), "30.000s");
    EXPECT_EQ(format_seconds(milliseconds{1234}), "1.234s");
    EXPECT_EQ(format_seconds(milliseconds{5}), "0.005s");
}

} // namespace
} // namespace onair::media
