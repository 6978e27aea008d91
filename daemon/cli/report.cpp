#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "cli/config_file.hpp"
#include "cli/output.hpp"

#include "asrun/report.hpp"
#include "asrun/store.hpp"
#include "media/check.hpp"

#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>

namespace onair::cli {
namespace {

struct report_options {
    std::string config;
    std::string from;
    std::string to;
    std::string format = "text";
};

// False (with the reason on stderr) when `text` is given and is not a date.
bool parse_day(const std::string& text, const char* flag, std::optional<core::local_days>& out) {
    if (text.empty()) {
        return true;
    }
    auto d = core::parse_date(text);
    if (!d) {
        std::cerr << "onair report: " << flag << ": " << d.error() << '\n';
        return false;
    }
    out = *d;
    return true;
}

// Every planned item of every channel over its window goes into `builder`; the windows are
// added to `windows` in config order. `now` is the only clock: "today" is its local date in
// each channel's zone. Returns an exit status (the message printed when not ok).
int add_planned(const schedule::station& st, std::optional<core::local_days> from,
                std::optional<core::local_days> to, core::instant now,
                asrun::report_builder& builder, std::vector<asrun::report_window>& windows) {
    media::prober prober(probe_cache_path(st.cfg));
    for (std::size_t i = 0; i < st.cfg.channels.size(); ++i) {
        const auto& ch = st.cfg.channels[i];
        core::diagnostics probe_diags;
        auto durations = media::media_durations(*st.schedules[i], prober, probe_diags);
        if (probe_diags.has_errors()) {
            print_diagnostics(std::cerr, probe_diags);
            return input_error;
        }
        planner::planner p(channel_input_for(st, i, std::move(durations)));
        // --to defaults to the channel's today, --from to six days before --to: a week.
        const auto last = to ? *to : p.local_day_of(now);
        const auto first = from ? *from : last - date::days{6};
        if (last < first) {
            std::cerr << "onair report: --from " << core::format_date(first) << " is after today ("
                      << core::format_date(last) << ") in " << ch.zone->name() << "; give --to\n";
            return usage_error;
        }
        windows.push_back({ch.id, ch.zone->name(), first, last});
        for (const auto& day : p.plan_days(first, last)) {
            for (const auto& item : day.plan.items) {
                const bool spot = item.kind == planner::item_kind::spot;
                builder.add(asrun::planned_entry{
                    ch.id, day.day, spot ? asrun::airing_kind::spot : asrun::airing_kind::programme,
                    spot ? item.campaign : std::string(), item.media});
            }
        }
    }
    prober.save();
    return ok;
}

// Every as-run row inside its channel's window goes into `builder`. One pass in time order over
// the union of the channels' windows: the table is read about in the order it was written, not
// once per channel (2-3 times faster on a year of ten channels, see docs/performance.md).
void add_aired(const schedule::station& st, const asrun::store& s,
               const std::vector<asrun::report_window>& windows, asrun::report_builder& builder) {
    struct channel_window {
        asrun::zone_cache zone;
        core::instant from;
        core::instant to;
    };
    std::map<std::string, channel_window, std::less<>> by_channel;
    asrun::filter f;
    for (std::size_t i = 0; i < st.cfg.channels.size(); ++i) {
        const auto& ch = st.cfg.channels[i];
        const auto& w = windows[i];
        channel_window cw{asrun::zone_cache(*ch.zone),
                          core::resolve_local(*ch.zone, core::local_ms{w.from}),
                          core::resolve_local(*ch.zone, core::local_ms{w.to + date::days{1}})};
        f.from = f.from ? std::min(*f.from, cw.from) : cw.from;
        f.to = f.to ? std::max(*f.to, cw.to) : cw.to;
        by_channel.emplace(ch.id, std::move(cw));
    }
    channel_window* last = nullptr;
    std::string last_id;
    s.outcomes(f, [&](const asrun::airing& row) {
        if (last == nullptr || row.channel != last_id) {
            auto it = by_channel.find(row.channel);
            // a channel the config no longer has is not reported
            last = it == by_channel.end() ? nullptr : &it->second;
            last_id = row.channel;
            if (last == nullptr) {
                return;
            }
        }
        if (row.scheduled_start < last->from || !(row.scheduled_start < last->to)) {
            return;
        }
        builder.add(asrun::summarize(row, last->zone));
    });
}

int run_report(const report_options& o, core::instant now) {
    std::optional<core::local_days> from, to;
    if (!parse_day(o.from, "--from", from) || !parse_day(o.to, "--to", to)) {
        return usage_error;
    }
    if (from && to && *to < *from) {
        std::cerr << "onair report: --to must not be before --from\n";
        return usage_error;
    }
    // Every channel is planned, so every schedule must load: a broken one would make its
    // planned counts wrong, not just missing.
    core::diagnostics diags;
    auto st = schedule::load_station(o.config, diags);
    if (!st || diags.has_errors()) {
        print_diagnostics(std::cerr, diags);
        return input_error;
    }
    asrun::report_builder builder;
    std::vector<asrun::report_window> windows;
    if (const int status = add_planned(*st, from, to, now, builder, windows); status != ok) {
        return status;
    }
    const auto file = asrun::store_file(st->cfg.state_dir);
    std::error_code ec;
    if (std::filesystem::exists(file, ec)) {
        try {
            add_aired(*st, asrun::store(file, asrun::open_mode::read_only), windows, builder);
        } catch (const asrun::store_error& e) {
            std::cerr << "onair report: error: " << e.what() << '\n';
            return input_error;
        }
    }
    const auto rows = builder.rows();
    if (o.format == "json") {
        std::cout << asrun::report_json(windows, rows).dump(2) << '\n';
    } else if (o.format == "csv") {
        std::cout << asrun::report_csv(rows);
    } else {
        std::cout << asrun::report_text(windows, rows);
    }
    std::cout.flush();
    if (!std::cout) {
        std::cerr << "onair report: error: cannot write the report\n";
        return input_error;
    }
    return ok;
}

} // namespace

command add_report(CLI::App& app) {
    auto o = std::make_shared<report_options>();
    auto* sub =
        app.add_subcommand("report", "Planned against aired, per channel, campaign, spot and day");
    add_config_option(sub, o->config, "The config file");
    sub->add_option("--from", o->from,
                    "First local day, YYYY-MM-DD (default: six days before --to)");
    sub->add_option("--to", o->to,
                    "Last local day, included (default: today in each channel's zone)");
    sub->add_option("--format", o->format, "text, csv or json")
        ->check(CLI::IsMember({"text", "csv", "json"}));
    return [o] {
        // The edge where the system clock is read; everything below takes it as a parameter.
        const auto now = date::floor<core::milliseconds>(std::chrono::system_clock::now());
        return run_report(*o, now);
    };
}

} // namespace onair::cli
