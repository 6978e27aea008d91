#include "media/loudness.hpp"

#include <ebur128.h>

#include <algorithm>
#include <cmath>

namespace onair::media {

namespace {

int to_ebur128(speaker s) {
    switch (s) {
    case speaker::unused:
        return EBUR128_UNUSED;
    case speaker::left:
        return EBUR128_LEFT;
    case speaker::right:
        return EBUR128_RIGHT;
    case speaker::centre:
        return EBUR128_CENTER;
    case speaker::left_surround:
        return EBUR128_LEFT_SURROUND;
    case speaker::right_surround:
        return EBUR128_RIGHT_SURROUND;
    case speaker::dual_mono:
        return EBUR128_DUAL_MONO;
    }
    return EBUR128_UNUSED;
}

struct state_deleter {
    void operator()(ebur128_state* s) const noexcept { ebur128_destroy(&s); }
};
using state_ptr = std::unique_ptr<ebur128_state, state_deleter>;

} // namespace

struct loudness_meter::impl {
    // One per format the stream had; integrated loudness is gated over all of them together.
    std::vector<state_ptr> states;
    unsigned long rate = 0;
    std::vector<speaker> layout;
};

loudness_meter::loudness_meter() : impl_(std::make_unique<impl>()) {}
loudness_meter::~loudness_meter() = default;

bool loudness_meter::configure(const std::vector<speaker>& layout, unsigned long rate) {
    if (layout.empty() || rate == 0) {
        return false;
    }
    auto& m = *impl_;
    if (!m.states.empty() && layout == m.layout && rate == m.rate) {
        return true;
    }
    auto channels = static_cast<unsigned>(layout.size());
    state_ptr st{ebur128_init(channels, rate, EBUR128_MODE_I | EBUR128_MODE_TRUE_PEAK)};
    if (!st) {
        return false;
    }
    for (unsigned i = 0; i < channels; ++i) {
        ebur128_set_channel(st.get(), i, to_ebur128(layout[i]));
    }
    m.states.push_back(std::move(st));
    m.rate = rate;
    m.layout = layout;
    return true;
}

void loudness_meter::add(const float* samples, std::size_t frames) {
    if (impl_->states.empty() || frames == 0) {
        return;
    }
    ebur128_add_frames_float(impl_->states.back().get(), samples, frames);
}

std::optional<double> loudness_meter::integrated_lufs() const {
    if (impl_->states.empty()) {
        return std::nullopt;
    }
    std::vector<ebur128_state*> raw;
    for (const auto& s : impl_->states) {
        raw.push_back(s.get());
    }
    double lufs = 0;
    if (ebur128_loudness_global_multiple(raw.data(), raw.size(), &lufs) != EBUR128_SUCCESS ||
        !std::isfinite(lufs)) {
        return std::nullopt; // -HUGE_VAL: nothing above the absolute gate
    }
    return lufs;
}

std::optional<double> loudness_meter::true_peak_dbtp() const {
    double peak = 0;
    for (const auto& s : impl_->states) {
        for (unsigned i = 0; i < s->channels; ++i) {
            double p = 0;
            if (ebur128_true_peak(s.get(), i, &p) == EBUR128_SUCCESS) {
                peak = std::max(peak, p);
            }
        }
    }
    if (peak <= 0) {
        return std::nullopt;
    }
    return 20.0 * std::log10(peak);
}

std::vector<speaker> default_layout(unsigned channels) {
    if (channels == 1) {
        return {speaker::dual_mono};
    }
    static const speaker smpte[] = {speaker::left,          speaker::right,
                                    speaker::centre,        speaker::unused,
                                    speaker::left_surround, speaker::right_surround};
    std::vector<speaker> out;
    for (unsigned i = 0; i < channels; ++i) {
        out.push_back(i < 6 ? smpte[i] : speaker::unused);
    }
    return out;
}

} // namespace onair::media
