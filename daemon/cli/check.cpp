#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "cli/config_file.hpp"
#include "cli/output.hpp"

#include "core/progress.hpp"
#include "media/check.hpp"
#include "planner/planner.hpp"

#include <chrono>
#include <iostream>
#include <memory>
#include <set>

namespace onair::cli {
namespace {

std::string count(std::size_t n, const std::string& noun) {
    return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

std::size_t warnings_of(const core::diagnostics& diags) {
    std::size_t n = 0;
    for (const auto& d : diags.sorted()) {
        n += d.level == core::severity::warning;
    }
    return n;
}

struct check_options {
    std::string config;
    bool no_probe = false;
    bool config_only = false;
    int days = 7;
    std::string format = "text";
    std::string start; // first day to plan, default today in each channel's zone
    bool quiet = false;
};

// "probing 12/40 files, 0:42 left": files the probe cache does not know yet.
std::string probing(double done, double total, double elapsed_s) {
    const double eta = core::eta_seconds(done, total, elapsed_s);
    return "probing " + std::to_string(static_cast<long long>(done)) + "/" +
           std::to_string(static_cast<long long>(total)) + " files, " +
           (eta < 0 ? std::string("estimating") : core::clock_text(eta) + " left");
}

// Long: the command's steps in order (load, probe, plan, report, summary); splitting them would
// pass the same six locals around.
int run_check(const check_options& o) {
    std::optional<core::local_days> start;
    if (!o.start.empty()) {
        auto d = core::parse_date(o.start);
        if (!d) {
            std::cerr << "onair check: --start: " << d.error() << '\n';
            return usage_error;
        }
        start = *d;
    }

    const auto began = std::chrono::steady_clock::now();
    core::diagnostics diags;
    std::optional<schedule::station> st;
    // --config-only: only the config's own errors fail the check. What is wrong with a channel's
    // schedule, its media or its plan is said as a warning: the daemon airs the other channels,
    // and filler on that one until the file is fixed (the unit's ExecStartPre must not keep the
    // whole station off air for one channel's playlist).
    std::vector<std::string> on_filler;
    if (o.config_only) {
        std::vector<schedule::schedule_report> reports;
        st = schedule::load_station(o.config, diags, reports);
        for (const auto& r : reports) {
            for (auto d : r.diags.all()) {
                d.level = core::severity::warning;
                diags.add(std::move(d));
            }
        }
        if (st) {
            schedule::station airing;
            airing.cfg = st->cfg;
            airing.cfg.channels.clear();
            for (std::size_t i = 0; i < st->cfg.channels.size(); ++i) {
                const auto& ch = st->cfg.channels[i];
                if (st->broken_schedule[i]) {
                    on_filler.push_back(ch.id);
                    diags.warning(ch.schedule_where,
                                  "channel '" + ch.id + "' airs filler until the errors in '" +
                                      schedule::display_path(ch.schedule_file) + "' are fixed");
                    continue;
                }
                airing.cfg.channels.push_back(ch);
                airing.schedules.push_back(st->schedules[i]);
                airing.broken_schedule.push_back(false);
            }
            st = std::move(airing);
        }
    } else {
        st = schedule::load_station(o.config, diags);
    }
    // The stages after loading report into their own list, so that --config-only can say their
    // errors as warnings.
    core::diagnostics later;

    std::size_t probed = 0, cached = 0;
    bool planned = false;
    if (st && !diags.has_errors()) {
        std::vector<planner::durations> durations;
        if (o.no_probe) {
            for (std::size_t i = 0; i < st->cfg.channels.size(); ++i) {
                planner::durations declared;
                for (const auto& [id, m] : st->schedules[i]->media) {
                    if (m.duration) {
                        declared[id] = *m.duration;
                    }
                }
                durations.push_back(std::move(declared));
            }
        } else {
            media::prober prober(probe_cache_path(st->cfg));
            core::progress bar(std::cerr, core::progress::style_for_stderr(o.quiet), probing);
            prober.on_progress([&bar](std::size_t done, std::size_t total) {
                bar.update(static_cast<double>(done), static_cast<double>(total));
            });
            durations = media::check_media(*st, prober, later);
            bar.finish();
            prober.on_progress({});
            prober.save();
            probed = prober.decoded();
            cached = prober.cache_hits();
        }
        if (!later.has_errors()) {
            planned = true;
            for (std::size_t i = 0; i < st->cfg.channels.size(); ++i) {
                planner::planner p(channel_input_for(*st, i, durations[i]));
                const auto today = start.value_or(p.local_day_of(
                    date::floor<std::chrono::milliseconds>(std::chrono::system_clock::now())));
                planner::check_plan(p, today, today + date::days{o.days - 1}, later);
            }
        }
    }
    for (auto d : later.all()) {
        if (o.config_only) {
            d.level = core::severity::warning;
        }
        diags.add(std::move(d));
    }

    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - began);
    if (o.format == "json") {
        std::cout << diagnostics_json(diags).dump(2) << '\n';
    } else {
        print_diagnostics(std::cerr, diags);
        const auto errors = diags.sorted().size() - warnings_of(diags);
        std::cout << "onair check: " << o.config << ": "
                  << (errors ? count(errors, "error") : std::string("ok")) << ", "
                  << count(warnings_of(diags), "warning");
        if (planned && st) {
            std::set<const schedule::schedule*> schedules;
            std::set<std::filesystem::path> files;
            for (const auto& s : st->schedules) {
                schedules.insert(s.get());
                for (const auto& [id, m] : s->media) {
                    files.insert(m.file);
                }
            }
            std::cout << "; " << st->cfg.channels.size() << " channels, " << schedules.size()
                      << " schedules, " << files.size() << " media files";
            if (!o.no_probe) {
                std::cout << " (" << probed << " decoded, " << cached << " from cache)";
            }
            std::cout << ", " << o.days << " days planned";
        }
        std::cout << " in " << elapsed.count() << " ms";
        if (!on_filler.empty()) {
            std::cout << "; airing filler until their schedules are fixed:";
            for (const auto& id : on_filler) {
                std::cout << " " << id;
            }
        }
        std::cout << '\n';
    }
    return diags.has_errors() ? input_error : ok;
}

} // namespace

command add_check(CLI::App& app) {
    auto o = std::make_shared<check_options>();
    auto* sub = app.add_subcommand(
        "check", "Validate the config, every schedule and media file, and plan the next days");
    add_config_option(sub, o->config, "The config file");
    sub->add_flag("--no-probe", o->no_probe, "Do not open media files");
    sub->add_flag("--config-only", o->config_only,
                  "Fail only on errors in the config file itself; a channel's broken schedule, "
                  "media or plan is a warning (that channel airs filler)");
    sub->add_option("--days", o->days, "Days to plan and check (default 7)")
        ->check(CLI::Range(1, 3660));
    sub->add_option("--format", o->format, "text or json")->check(CLI::IsMember({"text", "json"}));
    sub->add_option("--start", o->start, "First day to plan, YYYY-MM-DD (default today)");
    sub->add_flag("--quiet", o->quiet, "No progress while probing");
    return [o] { return run_check(*o); };
}

} // namespace onair::cli
