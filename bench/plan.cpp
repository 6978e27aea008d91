// bench_plan: a year of plans for 50 channels, each with 5 campaigns and 20 breaks a day.
// Target (docs/performance.md): under 1 second in all, on one core.

#include "planner/planner.hpp"
#include "schedule/load.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace {

using namespace onair;

std::string schedule_yaml(int channel) {
    std::ostringstream y;
    y << "media:\n";
    for (int s = 0; s < 15; ++s) {
        y << "  s" << s << ": {file: s" << s << ".mp4, duration: " << (20 + 5 * ((s + channel) % 3))
          << "s}\n";
    }
    y << "  mag: {file: mag.mp4, duration: 25m}\n";
    y << "campaigns:\n";
    for (int c = 0; c < 5; ++c) {
        y << "  c" << c << ":\n    from: 2026-01-01\n    until: 2026-12-31\n"
          << "    spots: [s" << 3 * c << ", s" << 3 * c + 1 << ", s" << 3 * c + 2 << "]\n"
          << "    weight: " << 1 + c % 3 << "\n"
          << "    rotation: " << (c % 2 ? "shuffle" : "sequential") << "\n"
          << "    min_gap: " << 30 + 15 * c << "m\n";
        if (c == 1) {
            y << "    max_per_day: 12\n";
        }
        if (c == 2) {
            y << "    dayparts: [\"06:00-09:00\", \"17:00-22:00\"]\n";
        }
    }
    y << "breaks:\n"
      << "  - {id: hourly, every: 1h, offset: " << 50 + channel % 9
      << "m, between: \"04:00-24:00\", length: 120s}\n"
      << "programmes:\n"
      << "  - {id: magazine, media: mag, at: \"20:00\", days: [mon, wed, fri]}\n"
      << "  - {id: morning, media: mag, at: \"07:00\", days: [sat, sun]}\n";
    return y.str();
}

} // namespace

int main() {
    const int channels = 50;
    const auto dir =
        std::filesystem::temp_directory_path() / ("onair-bench-plan-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::vector<planner::channel_input> inputs;
    for (int ch = 0; ch < channels; ++ch) {
        auto file = dir / ("channel-" + std::to_string(ch) + ".yaml");
        std::ofstream(file) << schedule_yaml(ch);
        core::diagnostics diags;
        auto s = schedule::load_schedule(file, {}, diags);
        if (!s || diags.has_errors()) {
            std::fprintf(stderr, "bench_plan: the generated schedule does not load\n");
            return 1;
        }
        planner::channel_input in;
        in.channel_id = "channel-" + std::to_string(ch);
        in.zone = date::locate_zone("Asia/Vientiane");
        in.sched = std::make_shared<const schedule::schedule>(std::move(*s));
        for (const auto& [id, m] : in.sched->media) {
            in.media_durations[id] = *m.duration;
        }
        in.frame_duration = std::pair{1, 25};
        inputs.push_back(std::move(in));
    }
    std::filesystem::remove_all(dir);

    const auto first = date::local_days{date::year{2026} / 1 / 1};
    const auto last = date::local_days{date::year{2026} / 12 / 31};
    std::size_t items = 0, breaks = 0;
    const auto t0 = std::chrono::steady_clock::now();
    for (const auto& in : inputs) {
        planner::planner p(in);
        for (const auto& d : p.plan_days(first, last)) {
            items += d.plan.items.size();
            breaks += d.breaks.size() + d.plan.dropped.size();
        }
    }
    const auto t1 = std::chrono::steady_clock::now();
    const double seconds = std::chrono::duration<double>(t1 - t0).count();
    std::printf("bench_plan: %d channels x 365 days, 5 campaigns and 20 breaks a day each\n",
                channels);
    std::printf("  breaks planned   %zu\n  items planned    %zu\n", breaks, items);
    std::printf("  total            %.3f s (target < 1 s on one core)\n", seconds);
    std::printf("  per channel-year %.2f ms\n", seconds * 1000 / channels);
    std::printf("  per channel-day  %.1f us\n", seconds * 1e6 / (channels * 365.0));
    return 0;
}
