// onair render: what a channel would air in a window, rendered to a file through the same
// composition as `run`, but not live: the pipeline runs as fast as it can and ends exactly at
// the window's end.

#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "cli/config_file.hpp"
#include "cli/output.hpp"

#include "core/progress.hpp"
#include "gst/log.hpp"
#include "media/check.hpp"
#include "playout/engine.hpp"
#include "service/cue_queue.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <memory>

namespace onair::cli {
namespace {

using namespace std::chrono_literals;

// Clips go on the pipeline this far (output running time) ahead of their start: enough for a
// decoder to preroll, few enough bins alive at once.
constexpr playout::nanoseconds lead = 5s;
// A render whose output does not move for this long has stalled.
constexpr auto stall_timeout = 30s;

struct render_options {
    std::string config;
    std::string channel;
    std::string from;
    std::string to;
    std::string output;
    bool quiet = false;
};

// "rendered 120/3600 s, 8.5x real time, 6:49 left".
std::string rendering(double done, double total, double elapsed_s) {
    char text[96];
    const double eta = core::eta_seconds(done, total, elapsed_s);
    std::snprintf(text, sizeof text, "rendered %.0f/%.0f s, %.1fx real time, ", done, total,
                  elapsed_s > 0 ? done / elapsed_s : 0.0);
    return text + (eta < 0 ? std::string("estimating") : core::clock_text(eta) + " left");
}

std::string seconds(playout::nanoseconds t) {
    return core::seconds_text(std::chrono::duration_cast<core::milliseconds>(t));
}

// Long: the render loop and its stall guard share the engine and the pending clips; to be split
// with the render stall fix (docs/playout.md).
int run_render(const render_options& o) {
    auto f = core::parse_timestamp(o.from);
    auto t = core::parse_timestamp(o.to);
    if (!f || !t) {
        std::cerr << "onair render: " << (f ? "--to: " + t.error() : "--from: " + f.error())
                  << '\n';
        return usage_error;
    }

    int exit_code = ok;
    auto setup = load_channel("render", o.config, o.channel, exit_code);
    if (!setup) {
        return exit_code;
    }
    const schedule::channel& ch = setup->channel();
    if (auto why = playout::check_file_output(ch.kind, o.output)) {
        std::cerr << "onair render: --output: " << *why << '\n';
        return usage_error;
    }
    planner::planner p(setup->input);
    const core::instant from = core::to_instant(*f, *ch.zone);
    const core::instant to = core::to_instant(*t, *ch.zone);
    if (!(from < to)) {
        std::cerr << "onair render: --to must be after --from\n";
        return usage_error;
    }
    const auto plan = p.plan_window(from, to);

    // The plan as clips on the output's running time (0 = the window's start), by the same
    // rules as `onair run`: a spot under way at --from is never joined mid-way; a programme
    // under way is joined exactly at --from by seeking into its file. Loudness comes from the
    // probe cache (every file is probed once; later renders only read the cache).
    media::prober prober(probe_cache_path(setup->st.cfg));
    service::cue_queue queue(to - from, core::milliseconds{0}, core::milliseconds{0}, false);
    queue.offer(plan.items);
    const auto due = queue.take(from);
    std::size_t skipped = 0;
    for (const auto& s : due.skips) {
        std::cerr << "onair render: skipped " << s.item.media << ": " << s.reason << '\n';
        ++skipped;
    }
    std::deque<playout::clip> pending;
    for (auto c : due.cues) {
        c.duration = std::min(c.air_at + c.duration, to) - c.air_at;
        const double gain =
            ch.loudness ? media::gain_db_for(ch.loudness, prober.probe(c.item.file)) : 0;
        pending.push_back(service::clip_for(c, c.air_at - from, gain));
    }
    prober.save();

    std::error_code ec;
    const std::filesystem::path out_file(o.output);
    if (out_file.has_parent_path()) {
        std::filesystem::create_directories(out_file.parent_path(), ec);
    }

    std::size_t aired = 0, failed = 0;
    // the engine's lines (an output that cannot be written, a skipped loop file) and
    // GStreamer's own warnings, on stderr beside the render's
    core::logger log(std::cerr, core::level::info);
    const gst::debug_log_route gst_log(log);
    playout::channel_engine engine(ch, playout::mode::render, log);
    schedule::output out;
    out.type = schedule::output_type::file;
    out.file = out_file;
    engine.add_output(out);
    core::progress bar(std::cerr, core::progress::style_for_stderr(o.quiet), rendering);
    engine.on_event([&](const playout::event& e) {
        if (e.kind == playout::event_kind::ended) {
            ++aired;
        } else if (e.kind == playout::event_kind::failed) {
            ++failed;
            bar.say("onair render: failed " + e.clip_id + " at " +
                    core::format_iso(
                        from + std::chrono::duration_cast<core::milliseconds>(e.running_time),
                        *ch.zone) +
                    ": " + e.reason);
        }
    });
    const playout::nanoseconds window = to - from;
    engine.set_end(window);

    // Schedules what is due and holds the output at the first clip not yet on the pipeline.
    auto feed = [&] {
        const auto horizon = engine.running_time_now() + lead;
        while (!pending.empty() && pending.front().start < horizon) {
            engine.schedule_clip(pending.front());
            pending.pop_front();
        }
        engine.hold_at(pending.empty()
                           ? std::nullopt
                           : std::optional<playout::nanoseconds>(pending.front().start));
    };
    const auto wall_start = std::chrono::steady_clock::now();
    feed();
    engine.start();
    // A render that stops moving is an error, not a hang (see docs/playout.md, known issues).
    auto last_move = wall_start;
    auto last_position = engine.running_time_now();
    const double window_s = std::chrono::duration<double>(to - from).count();
    while (engine.dispatch(20ms)) {
        feed();
        bar.update(std::chrono::duration<double>(engine.running_time_now()).count(), window_s);
        const auto now = std::chrono::steady_clock::now();
        if (engine.running_time_now() != last_position) {
            last_position = engine.running_time_now();
            last_move = now;
        } else if (now - last_move > stall_timeout) {
            bar.finish();
            std::cerr << "onair render: error: the output stopped moving at "
                      << seconds(last_position) << " s\n";
            // A stalled pipeline cannot be taken down (setting it to NULL waits for the stuck
            // streaming thread), so leave at once. TODO: remove with the stall itself.
            std::cerr.flush();
            std::_Exit(input_error);
        }
    }
    const auto wall = std::chrono::steady_clock::now() - wall_start;
    bar.finish();
    engine.stop();
    if (!engine.fatal_error().empty()) {
        std::cerr << "onair render: error: " << engine.fatal_error() << '\n';
        return input_error;
    }
    const double speed = std::chrono::duration<double>(window).count() /
                         std::max(1e-6, std::chrono::duration<double>(wall).count());
    char speed_text[32];
    std::snprintf(speed_text, sizeof speed_text, "%.1fx", speed);
    std::cout << "rendered " << ch.id << ' ' << core::format_iso_seconds(from, *ch.zone) << " to "
              << core::format_iso_seconds(to, *ch.zone) << " (" << seconds(window) << " s) into "
              << o.output << ": " << aired << " aired, " << failed << " failed, " << skipped
              << " skipped, " << speed_text << " real time\n";
    return ok;
}

} // namespace

command add_render(CLI::App& app) {
    auto o = std::make_shared<render_options>();
    auto* sub = app.add_subcommand(
        "render",
        "Render what a channel airs in a window into a media file, faster than real time");
    add_config_option(sub, o->config, "The config file");
    sub->add_option("--channel", o->channel, "The channel id")->required();
    sub->add_option("--from", o->from, "Start, ISO 8601 (local time of the channel or offset)")
        ->required();
    sub->add_option("--to", o->to, "End, ISO 8601")->required();
    sub->add_option("--output", o->output,
                    "The file to write; the container follows the extension (.ts, .mkv; radio "
                    "also .mp3, .ogg, .wav)")
        ->required();
    sub->add_flag("--quiet", o->quiet, "No progress while rendering");
    return [o] { return run_render(*o); };
}

} // namespace onair::cli
