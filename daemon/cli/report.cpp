#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "cli/config_file.hpp"
#include "cli/national.hpp"
#include "cli/output.hpp"

#include "cli/version.hpp"

#include "asrun/report.hpp"
#include "asrun/store.hpp"
#include "asrun/zone_cache.hpp"
#include "media/check.hpp"
#include "report/gather.hpp"
#include "report/html.hpp"
#include "report/pdf.hpp"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <tuple>

namespace onair::cli {
namespace {

struct report_options {
    std::string config;
    std::string from;
    std::string to;
    std::string format = "text";
    std::string campaign;
    std::string channel;
    std::string output;
    std::string outcomes;
    bool no_verify = false;
    std::string db;
    std::string station;
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
int add_planned(const schedule::station& st, const std::vector<planner::channel_input>& inputs,
                std::optional<core::local_days> from, std::optional<core::local_days> to,
                core::instant now, asrun::report_builder& builder,
                std::vector<asrun::report_window>& windows) {
    for (std::size_t i = 0; i < st.cfg.channels.size(); ++i) {
        const auto& ch = st.cfg.channels[i];
        if (!inputs[i].sched) {
            continue; // not asked for (--channel)
        }
        planner::planner p(inputs[i]);
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
            // a day's items repeat a few (kind, campaign, media): count them here, then add each
            // once (a year of busy channels is millions of items)
            std::map<std::tuple<bool, std::string_view, std::string_view>, std::int64_t> counts;
            for (const auto& item : day.plan.items) {
                if (item.kind == planner::item_kind::make_good) {
                    continue; // not planned: it stands in for a spot that was
                }
                const bool spot = item.kind == planner::item_kind::spot;
                ++counts[{spot, spot ? std::string_view(item.campaign) : std::string_view(),
                          item.media}];
            }
            for (const auto& [key, n] : counts) {
                const auto& [spot, campaign, media] = key;
                builder.add(asrun::planned_entry{ch.id, day.day,
                                                 spot ? asrun::airing_kind::spot
                                                      : asrun::airing_kind::programme,
                                                 std::string(campaign), std::string(media)},
                            n);
            }
        }
    }
    return ok;
}

// The planner's input of every channel (durations probed through the cache); with `only`, the
// other channels' inputs are left empty (no schedule).
std::optional<std::vector<planner::channel_input>> planner_inputs(const schedule::station& st,
                                                                  const std::string& only) {
    media::prober prober(probe_cache_path(st.cfg));
    std::vector<planner::channel_input> inputs(st.cfg.channels.size());
    for (std::size_t i = 0; i < st.cfg.channels.size(); ++i) {
        if (!only.empty() && st.cfg.channels[i].id != only) {
            continue;
        }
        core::diagnostics probe_diags;
        auto durations = media::media_durations(*st.schedules[i], prober, probe_diags);
        if (probe_diags.has_errors()) {
            print_diagnostics(std::cerr, probe_diags);
            return std::nullopt;
        }
        inputs[i] = channel_input_for(st, i, std::move(durations));
    }
    prober.save();
    return inputs;
}

// What the as-run says of each channel's window goes into `builder`: the completed rows from
// the summary by day (some hundred thousand entries for a year of ten busy channels, instead of
// millions of rows), the rows on air now from the rows themselves.
void add_aired(const schedule::station& st, const asrun::store& s,
               const std::vector<asrun::report_window>& windows, asrun::report_builder& builder) {
    std::map<std::string, const asrun::report_window*, std::less<>> by_channel;
    for (const auto& w : windows) {
        by_channel.emplace(w.channel, &w);
        asrun::summary_filter f;
        f.channel = w.channel;
        f.from = w.from;
        f.to = w.to;
        s.daily_summary(f, [&](const asrun::summary_row& r) {
            builder.add(asrun::aired_entry{r.channel, r.day, r.kind, r.campaign, r.media, r.status,
                                           r.airtime},
                        r.count);
        });
    }
    s.unchained([&](const asrun::airing& row) {
        auto it = by_channel.find(row.channel);
        if (!row.open() || it == by_channel.end()) {
            return;
        }
        const auto* ch = st.cfg.find_channel(row.channel);
        if (ch == nullptr) {
            return;
        }
        auto e = asrun::summarize(row, *ch->zone);
        if (!(e.day < it->second->from) && !(it->second->to < e.day)) {
            builder.add(e);
        }
    });
}

// Writes `bytes` to --output, or to stdout. Returns an exit status.
int write_out(const report_options& o, const std::string& bytes) {
    if (o.output.empty() || o.output == "-") {
        std::cout << bytes;
        std::cout.flush();
        if (!std::cout) {
            std::cerr << "onair report: error: cannot write the report\n";
            return input_error;
        }
        return ok;
    }
    const std::filesystem::path target(o.output);
    const auto temp = target.string() + ".part";
    {
        std::ofstream f(temp, std::ios::binary | std::ios::trunc);
        f << bytes;
        f.close();
        if (!f) {
            std::cerr << "onair report: error: cannot write " << temp << '\n';
            return input_error;
        }
    }
    std::error_code ec;
    std::filesystem::rename(temp, target, ec);
    if (ec) {
        std::cerr << "onair report: error: cannot write " << o.output << ": " << ec.message()
                  << '\n';
        return input_error;
    }
    return ok;
}

// A campaign report (--campaign, or --format html|pdf): report::gather, then one of its forms.
int run_evidence(const report_options& o, const schedule::station& st,
                 const std::vector<planner::channel_input>& inputs,
                 std::optional<core::local_days> from, std::optional<core::local_days> to,
                 core::instant now) {
    report::request req;
    if (!o.campaign.empty()) {
        req.campaign = o.campaign;
    }
    if (!o.channel.empty()) {
        req.channel = o.channel;
    }
    req.from = from;
    req.to = to;
    // the chain walk is for the documents; the tables need only the numbers
    req.verify = !o.no_verify && (o.format == "html" || o.format == "pdf" || o.format == "json");
    if (!o.outcomes.empty()) {
        core::diagnostics diags;
        auto series = report::read_outcomes(o.outcomes, diags);
        if (!series) {
            print_diagnostics(std::cerr, diags);
            return input_error;
        }
        req.outcomes = std::move(*series);
    }
    std::variant<report::document, report::gather_error> got;
    try {
        got = report::gather(st.cfg, o.config, inputs, asrun::store_file(st.cfg.state_dir),
                             std::move(req), now);
    } catch (const asrun::store_error& e) {
        std::cerr << "onair report: error: " << e.what() << '\n';
        return input_error;
    }
    if (const auto* err = std::get_if<report::gather_error>(&got)) {
        std::cerr << "onair report: " << err->message << '\n';
        return err->status;
    }
    const auto& doc = std::get<report::document>(got);
    if (o.format == "json") {
        return write_out(o, report::to_json(doc));
    }
    if (o.format == "csv") {
        return write_out(o, asrun::evidence_csv(doc.rows));
    }
    if (o.format == "text") {
        return write_out(o, asrun::evidence_text(doc.windows, doc.rows, doc.missed));
    }
    report::html_options html;
    html.version = version;
    const auto page = report::to_html(doc, html);
    if (o.format == "html") {
        return write_out(o, page);
    }
    if ((o.output.empty() || o.output == "-") && ::isatty(STDOUT_FILENO) != 0) {
        std::cerr << "onair report: a PDF is not for a terminal: give --output FILE.pdf\n";
        return usage_error;
    }
    std::string why;
    auto pdf = report::html_to_pdf(page, why);
    if (!pdf) {
        std::cerr << "onair report: error: " << why << '\n';
        return input_error;
    }
    return write_out(o, *pdf);
}

// --db: the national report, from the shared database every station ships its as-run to.
int run_national(const report_options& o, std::optional<core::local_days> from,
                 std::optional<core::local_days> to) {
    if (o.db.empty()) {
        std::cerr << "onair report: --station goes with --db\n";
        return usage_error;
    }
    if (o.format == "html" || o.format == "pdf" || !o.outcomes.empty()) {
        std::cerr << "onair report: with --db the report is text, csv or json (the documents "
                     "are made from one station's plans)\n";
        return usage_error;
    }
    auto maybe = [](const std::string& s) {
        return s.empty() ? std::nullopt : std::optional<std::string>(s);
    };
    national_options n{o.db, maybe(o.station), maybe(o.channel), maybe(o.campaign), from,
                       to,   o.format};
    auto text = national_report_text(n);
    if (!text) {
        return input_error;
    }
    return write_out(o, *text);
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
    if (!o.db.empty() || !o.station.empty()) {
        return run_national(o, from, to);
    }
    // Every channel is planned, so every schedule must load: a broken one would make its
    // planned counts wrong, not just missing.
    core::diagnostics diags;
    auto st = schedule::load_station(o.config, diags);
    if (!st || diags.has_errors()) {
        print_diagnostics(std::cerr, diags);
        return input_error;
    }
    if (!o.channel.empty() && st->cfg.find_channel(o.channel) == nullptr) {
        std::cerr << "onair report: no channel '" << o.channel << "' in " << o.config << '\n';
        return usage_error;
    }
    auto inputs = planner_inputs(*st, o.channel);
    if (!inputs) {
        return input_error;
    }
    if (!o.campaign.empty() || o.format == "html" || o.format == "pdf") {
        return run_evidence(o, *st, *inputs, from, to, now);
    }
    asrun::report_builder builder;
    std::vector<asrun::report_window> windows;
    if (const int status = add_planned(*st, *inputs, from, to, now, builder, windows);
        status != ok) {
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
        return write_out(o, asrun::report_json(windows, rows).dump(2) + "\n");
    }
    if (o.format == "csv") {
        return write_out(o, asrun::report_csv(rows));
    }
    return write_out(o, asrun::report_text(windows, rows));
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
    sub->add_option("--format", o->format,
                    "text, csv or json; html or pdf for the campaign report as a document")
        ->check(CLI::IsMember({"text", "csv", "json", "html", "pdf"}));
    sub->add_option("--campaign", o->campaign,
                    "One campaign over every channel that airs it: per day, channel, daypart and "
                    "spot, with the missed airings and why");
    sub->add_option("--channel", o->channel, "Only this channel");
    sub->add_option("-o,--output", o->output, "Write the report to this file (default: stdout)");
    sub->add_option("--outcomes", o->outcomes,
                    "A CSV of date,series,value (hotline calls, visits...) to set beside the "
                    "airings (campaign reports)");
    sub->add_option("--db", o->db,
                    "The national report: every station's campaigns from this shared PostgreSQL "
                    "database (the stations' asrun_sink) instead of this host's as-run");
    sub->add_option("--station", o->station, "With --db: only this station");
    sub->add_flag("--no-verify", o->no_verify,
                  "Do not walk the as-run chain for the document (its head is still shown)");
    return [o] {
        // The edge where the system clock is read; everything below takes it as a parameter.
        const auto now = date::floor<core::milliseconds>(std::chrono::system_clock::now());
        return run_report(*o, now);
    };
}

} // namespace onair::cli
