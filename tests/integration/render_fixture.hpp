#pragma once

// Test media for the playout tests, made at test time with gst-launch-1.0 in a scratch
// directory, and a decoder that reads a rendered file back: the colour of every video frame and
// the tone of every 10 ms of sound.

#include "core/log.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace onair::playout::testing {

const std::filesystem::path& scratch_dir();

// The engines' log in the tests: stderr, from info up (one for the whole test process).
core::logger& test_log();

struct rgb {
    int r = 0, g = 0, b = 0;
};

// A 320x240 25 fps clip of one colour (0xRRGGBB) with a sine tone of `freq` Hz, `seconds`
// long; the container follows the extension (.mp4, .mkv, .ts). Made once per process.
std::filesystem::path tv_clip(const std::string& name, unsigned colour, int freq, double seconds);
// An .mp4 of several parts, each of one colour and tone, one after the other (a programme
// whose picture tells where in it one is).
struct segment {
    unsigned colour = 0;
    int freq = 440;
    double seconds = 1;
};
std::filesystem::path tv_sequence(const std::string& name, const std::vector<segment>& parts);
// A 48 kHz stereo tone, .wav or .ogg.
std::filesystem::path radio_clip(const std::string& name, int freq, double seconds);
// A still picture of one colour (png).
std::filesystem::path still(const std::string& name, unsigned colour, int width, int height);
// A file of random bytes.
std::filesystem::path garbage(const std::string& name);

struct decoded {
    std::vector<rgb> frames;             // centre pixel of each video frame, in order
    std::vector<rgb> corners;            // top-left pixel of each frame
    std::vector<std::int64_t> frame_pts; // running time of each frame (ns)
    std::vector<std::int16_t> samples;   // first channel, 48 kHz
    std::int64_t audio_start = 0;        // running time of samples[0] (ns)
};

// Decodes a file completely (throws std::runtime_error on failure).
decoded decode(const std::filesystem::path& file, bool video);

// What a 10 ms audio window holds: 0 for silence, else the nearest of `tones` (Hz).
int classify_window(const std::int16_t* x, int n, const std::vector<int>& tones);

// The nearest of named colours.
std::string classify(const rgb& c);

} // namespace onair::playout::testing
