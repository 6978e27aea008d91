#include "media/loudness.hpp"
#include "media/probe.hpp"

#include "media_fixture.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace onair::media {
namespace {

std::vector<float> stereo_sine(double freq, double amplitude, double seconds, int rate) {
    auto frames = static_cast<std::size_t>(seconds * rate);
    std::vector<float> out(frames * 2);
    for (std::size_t i = 0; i < frames; ++i) {
        auto v = static_cast<float>(amplitude *
                                    std::sin(2 * M_PI * freq * static_cast<double>(i) / rate));
        out[2 * i] = out[2 * i + 1] = v;
    }
    return out;
}

// EBU Tech 3341 case 1: a 1 kHz stereo sine at -23 dBFS measures -23.0 LUFS.
TEST(loudness, tech_3341_sine) {
    loudness_meter m;
    ASSERT_TRUE(m.configure(default_layout(2), 48000));
    auto samples = stereo_sine(1000, std::pow(10.0, -23.0 / 20), 20, 48000);
    m.add(samples.data(), samples.size() / 2);
    ASSERT_TRUE(m.integrated_lufs().has_value());
    EXPECT_NEAR(*m.integrated_lufs(), -23.0, 0.1);
    ASSERT_TRUE(m.true_peak_dbtp().has_value());
    EXPECT_NEAR(*m.true_peak_dbtp(), -23.0, 0.2);
}

TEST(loudness, silence_has_no_loudness) {
    loudness_meter m;
    ASSERT_TRUE(m.configure(default_layout(2), 48000));
    std::vector<float> zeros(48000 * 2 * 2, 0.0f);
    m.add(zeros.data(), zeros.size() / 2);
    EXPECT_FALSE(m.integrated_lufs().has_value());
    EXPECT_FALSE(m.true_peak_dbtp().has_value());
}

TEST(loudness, mono_counts_on_both_speakers) {
    loudness_meter m;
    ASSERT_TRUE(m.configure(default_layout(1), 48000));
    auto stereo = stereo_sine(1000, 0.1, 10, 48000);
    std::vector<float> mono(stereo.size() / 2);
    for (std::size_t i = 0; i < mono.size(); ++i) {
        mono[i] = stereo[2 * i];
    }
    m.add(mono.data(), mono.size());
    EXPECT_NEAR(*m.integrated_lufs(), -20.0, 0.1);
}

TEST(loudness, measured_through_the_decoder) {
    auto r = probe_file(testing::sample("sine-20.wav"));
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.duration, std::chrono::milliseconds{5000});
    ASSERT_TRUE(r.loudness_lufs.has_value());
    EXPECT_NEAR(*r.loudness_lufs, -20.0, 0.5); // 20 log10(0.1)
    ASSERT_TRUE(r.true_peak_dbtp.has_value());
    EXPECT_NEAR(*r.true_peak_dbtp, -20.0, 0.5);
}

TEST(loudness, silent_file_is_airable_without_loudness) {
    auto r = probe_file(testing::sample("silence.wav"));
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_TRUE(r.has_audio);
    EXPECT_FALSE(r.loudness_lufs.has_value());
}

} // namespace
} // namespace onair::media
