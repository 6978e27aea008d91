#pragma once

// Tiny media made at test time with GStreamer (no network, no files shipped), in a temporary
// directory that lives as long as the test process. Each file is made on first use, so a test
// run by itself (as ctest does) only pays for what it needs.

#include <filesystem>
#include <string>

namespace onair::media::testing {

// The process's scratch directory (created on first use, removed at exit).
const std::filesystem::path& scratch_dir();

// Runs a gst-launch style description to EOS; throws std::runtime_error on an error or after a
// minute. `@OUT@` in the description is replaced with `out`, which is written atomically.
void run_pipeline(std::string description, const std::filesystem::path& out);

// The name of an AAC encoder this machine has (avenc_aac or voaacenc).
std::string aac_encoder();

// Named samples, made once per process:
//   "video-50.mp4"   50 frames 320x240 25 fps H.264, no audio (2.000 s)
//   "av-50.mp4"      the same with AAC audio that ends before the video
//   "faststart.mp4"  av-50 with the index at the front (for truncation)
//   "tone.ogg"       2.000 s Vorbis 48 kHz stereo, 440 Hz
//   "video-50.ts"    50 frames H.264 in MPEG-TS (2.000 s)
//   "sine-20.wav"    5 s of 1 kHz stereo at amplitude 0.1 (-20 LUFS)
//   "silence.wav"    2 s of digital silence
//   "still.png"      one 320x240 picture
//   "text.txt"       a text file
const std::filesystem::path& sample(const std::string& name);

// A fresh copy of a sample (tests that damage or touch files work on their own copy).
std::filesystem::path copy_of(const std::string& name, const std::string& as);

// Writes a text file, creating its directory.
void write_file(const std::filesystem::path& p, const std::string& text);

} // namespace onair::media::testing
