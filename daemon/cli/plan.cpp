#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "cli/config_file.hpp"
#include "cli/output.hpp"

#include "media/check.hpp"
#include "planner/format.hpp"

#include <iostream>
#include <memory>

namespace onair::cli {
namespace {

struct plan_options {
    std::string config;
    std::string channel;
    std::string date;
    std::string from;
    std::string to;
    std::string format = "text";
};

int run_plan(const plan_options& o) {
    if (o.date.empty() == (o.from.empty() && o.to.empty())) {
        std::cerr << "onair plan: give either --date or both --from and --to\n";
        return usage_error;
    }
    if (o.date.empty() && (o.from.empty() || o.to.empty())) {
        std::cerr << "onair plan: --from and --to go together\n";
        return usage_error;
    }
    std::optional<core::local_days> day;
    std::optional<core::timestamp> from, to;
    if (!o.date.empty()) {
        auto d = core::parse_date(o.date);
        if (!d) {
            std::cerr << "onair plan: --date: " << d.error() << '\n';
            return usage_error;
        }
        day = *d;
    } else {
        auto f = core::parse_timestamp(o.from);
        auto t = core::parse_timestamp(o.to);
        if (!f || !t) {
            std::cerr << "onair plan: " << (f ? "--to: " + t.error() : "--from: " + f.error())
                      << '\n';
            return usage_error;
        }
        from = *f;
        to = *t;
    }

    int exit_code = ok;
    auto setup = load_channel("plan", o.config, o.channel, exit_code);
    if (!setup) {
        return exit_code;
    }
    const auto& ch = setup->channel();
    planner::planner p(setup->input);
    planner::rundown_header h{ch.id, ch.name, ch.zone, {}, {}};
    if (day) {
        h.from = p.day_start(*day);
        h.to = p.day_start(*day + date::days{1});
    } else {
        h.from = core::to_instant(*from, *ch.zone);
        h.to = core::to_instant(*to, *ch.zone);
        if (!(h.from < h.to)) {
            std::cerr << "onair plan: --to must be after --from\n";
            return usage_error;
        }
    }
    auto r = p.plan_window(h.from, h.to);
    if (o.format == "json") {
        std::cout << planner::to_json(h, r).dump(2) << '\n';
    } else if (o.format == "csv") {
        std::cout << planner::to_csv(r, *ch.zone);
    } else {
        std::cout << planner::to_text(h, r);
    }
    return ok;
}

} // namespace

command add_plan(CLI::App& app) {
    auto o = std::make_shared<plan_options>();
    auto* sub = app.add_subcommand("plan", "Print the rundown of a channel: every item in order");
    add_config_option(sub, o->config, "The config file");
    sub->add_option("--channel", o->channel, "The channel id")->required();
    sub->add_option("--date", o->date, "A local day, YYYY-MM-DD");
    sub->add_option("--from", o->from, "Start, ISO 8601 (local time of the channel or offset)");
    sub->add_option("--to", o->to, "End, ISO 8601");
    sub->add_option("--format", o->format, "text, json or csv")
        ->check(CLI::IsMember({"text", "json", "csv"}));
    return [o] { return run_plan(*o); };
}

} // namespace onair::cli
