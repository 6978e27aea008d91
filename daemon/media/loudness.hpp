#pragma once

// EBU R128 measurement of decoded audio (libebur128): integrated loudness and true peak, the two
// figures playout needs to gain-correct a clip to the channel's target without clipping.

#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

namespace onair::media {

// How a channel of interleaved audio counts toward loudness (ITU BS.1770 weights).
enum class speaker { unused, left, right, centre, left_surround, right_surround, dual_mono };

class loudness_meter {
public:
    loudness_meter();
    ~loudness_meter();
    loudness_meter(const loudness_meter&) = delete;
    loudness_meter& operator=(const loudness_meter&) = delete;

    // Starts (or, when the stream's format changes mid-way, continues in a new segment) a
    // measurement of `layout.size()` channels at `rate` Hz. Returns false when libebur128
    // refuses the format.
    bool configure(const std::vector<speaker>& layout, unsigned long rate);
    // Interleaved 32-bit float samples, `frames` per channel, in the last configured format.
    void add(const float* samples, std::size_t frames);

    // Empty before any audio, or when everything measured is below the -70 LUFS gate (silence).
    std::optional<double> integrated_lufs() const;
    // The highest inter-sample peak of any channel; empty before any audio or for pure silence.
    std::optional<double> true_peak_dbtp() const;

private:
    struct impl; // libebur128's state type is an anonymous struct: it cannot be forward-declared
    std::unique_ptr<impl> impl_;
};

// The default layout for a channel count with no positions: mono counts twice (it plays on both
// speakers), then L R C LFE Ls Rs as SMPTE/GStreamer order them.
std::vector<speaker> default_layout(unsigned channels);

} // namespace onair::media
