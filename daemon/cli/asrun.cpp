#include "cli/asrun_compare.hpp"
#include "cli/cli.hpp"
#include "cli/commands.hpp"
#include "cli/config_file.hpp"
#include "cli/national.hpp"
#include "cli/output.hpp"

#include "asrun/chain.hpp"
#include "asrun/export.hpp"
#include "asrun/store.hpp"
#include "asrun/verify.hpp"
#include "asrun/window.hpp"
#include "schedule/load.hpp"

#include <filesystem>
#include <iostream>
#include <memory>
#include <tuple>

namespace onair::cli {
namespace {

struct asrun_options {
    std::string config;
    std::string channel;
    std::string from;
    std::string to;
    std::string format; // csv for an export, text for --compare
    bool verify = false;
    std::string head;
    bool reindex = false;
    std::string compare;
    std::string state_dir; // empty: the config's
    std::string db;
    std::string station;
};

// Summary differences --verify names one by one; beyond them, only that there are more.
constexpr std::size_t max_summary_differences = 20;

// A chain head as --verify prints it: 64 hex digits (either case), lowercased.
std::optional<std::string> parse_head(const std::string& text) {
    if (text.size() != 64) {
        return std::nullopt;
    }
    std::string head;
    for (char c : text) {
        if (c >= 'A' && c <= 'F') {
            c = static_cast<char>(c - 'A' + 'a');
        }
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return std::nullopt;
        }
        head += c;
    }
    return head;
}

void print_kept_head(const asrun::verify_result& r, const std::string& kept) {
    if (r.kept_head_found.value_or(true)) {
        std::cout << "ok: the chain holds the kept head " << kept << ", " << r.rows_after_kept_head
                  << (r.rows_after_kept_head == 1 ? " row" : " rows") << " completed since\n";
    } else {
        std::cerr << "onair asrun: error: the chain no longer holds the kept head " << kept
                  << ": rows were removed from its end, or the file was replaced\n";
    }
}

// The chain's part of --verify: the ok line, or the faults and the FAILED line.
int print_chain_result(const asrun::verify_result& r, const std::optional<std::string>& kept_head) {
    if (r.ok()) {
        std::cout << "ok: " << r.rows << " rows verified, chain head " << r.head << '\n';
        if (kept_head) {
            print_kept_head(r, *kept_head);
        }
        return ok;
    }
    for (const auto& f : r.faults) {
        const auto* zone = core::find_zone(f.timezone);
        if (zone == nullptr) {
            zone = core::find_zone("UTC");
        }
        std::cerr << "onair asrun: error: airing " << f.id << " (channel " << f.channel
                  << ", scheduled_start " << core::format_iso(f.scheduled_start, *zone)
                  << "): " << f.what << '\n';
    }
    if (r.fault_count > r.faults.size()) {
        std::cerr << "onair asrun: error: and " << (r.fault_count - r.faults.size())
                  << " more faults\n";
    }
    if (kept_head) {
        print_kept_head(r, *kept_head);
    }
    const auto faults = r.fault_count + (r.kept_head_found.value_or(true) ? 0 : 1);
    std::cout << "FAILED: " << faults << (faults == 1 ? " fault" : " faults") << " in " << r.rows
              << " rows, chain head " << r.head << '\n';
    return input_error;
}

// --reindex: rebuilds the summary from the rows, in one transaction (the daemon's writes wait,
// or go to its spill journal, while it runs).
int run_reindex(const std::filesystem::path& file) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) {
        std::cout << "summary rebuilt: 0 rows from 0 airings (no as-run log yet)\n";
        return ok;
    }
    asrun::store s(file, asrun::open_mode::read_write);
    const auto entries = s.reindex_summary();
    std::int64_t airings = 0;
    s.summary({}, [&](const asrun::summary_row& e) { airings += e.count; });
    std::cout << "summary rebuilt: " << entries << (entries == 1 ? " row" : " rows") << " from "
              << airings << (airings == 1 ? " airing" : " airings") << '\n';
    return ok;
}

// --verify: exit 0 with the count and the chain head, or 1 naming each row where the chain
// breaks (the first ones; the count of the rest), or saying that the kept head is gone.
int run_verify(const std::filesystem::path& file, const std::optional<std::string>& channel,
               const std::optional<std::string>& kept_head) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) {
        asrun::verify_result none;
        none.head = asrun::genesis_chain;
        if (kept_head) {
            none.kept_head_found = *kept_head == asrun::genesis_chain;
        }
        if (none.ok()) {
            std::cout << "ok: 0 rows verified, chain head " << asrun::genesis_chain << '\n';
        }
        if (kept_head) {
            print_kept_head(none, *kept_head);
        }
        if (!none.ok()) {
            std::cout << "FAILED: 1 fault in 0 rows, chain head " << asrun::genesis_chain << '\n';
            return input_error;
        }
        return ok;
    }
    asrun::store s(file, asrun::open_mode::read_only);
    if (s.settings().schema_version < 2) {
        std::cerr << "onair asrun: error: " << file.string()
                  << " has as-run schema 1, without a chain; the daemon adds it at its next "
                     "start\n";
        return input_error;
    }
    auto r = asrun::verify_chain(s, channel, 20, kept_head);
    // The summary (schema 3) against the rows it counts, after the chain's result.
    auto differences = s.check_summary(max_summary_differences + 1, channel);
    const int chain_code = print_chain_result(r, kept_head);
    if (differences.empty()) {
        return chain_code;
    }
    std::cout.flush(); // the chain's result first, also where stdout and stderr are one stream
    const bool more = differences.size() > max_summary_differences;
    differences.resize(std::min(differences.size(), max_summary_differences));
    for (const auto& d : differences) {
        std::cerr << "onair asrun: error: " << d << '\n';
    }
    if (more) {
        std::cerr << "onair asrun: error: and more summary differences\n";
    }
    std::cout << "FAILED: the summary differs from the rows in " << (more ? "more than " : "")
              << differences.size() << (differences.size() == 1 ? " entry" : " entries")
              << " (onair asrun --reindex rebuilds it from the rows)\n";
    return input_error;
}

// Long: the command's steps in the order a user reads its options (channel, window, --verify,
// export); each is a few lines.
int run_asrun(const asrun_options& o) {
    if (!o.db.empty() || !o.station.empty()) {
        if (o.db.empty() || !o.verify || !o.channel.empty() || !o.from.empty() || !o.to.empty() ||
            !o.head.empty() || o.reindex) {
            std::cerr << "onair asrun: --db goes with --verify (and --station): the export and "
                         "the other options read this host's store\n";
            return usage_error;
        }
        return run_verify_db(o.db, o.station.empty() ? std::nullopt
                                                     : std::optional<std::string>(o.station));
    }
    core::diagnostics diags;
    auto cfg = schedule::load_config(o.config, diags);
    // Only the config matters here (the state dir, the channels and their zones); schedules
    // are not read, so a broken schedule never hides what already aired.
    if (!cfg || diags.has_errors()) {
        print_diagnostics(std::cerr, diags);
        return input_error;
    }
    if (!o.state_dir.empty()) {
        cfg->state_dir = std::filesystem::absolute(o.state_dir); // a unit's (onair run --state-dir)
    }

    asrun::filter f;
    const date::time_zone* zone = core::find_zone("UTC");
    if (!o.channel.empty()) {
        const auto* ch = cfg->find_channel(o.channel);
        if (ch == nullptr) {
            std::cerr << "onair asrun: no channel '" << o.channel << "' in " << o.config
                      << "; it has:";
            for (const auto& c : cfg->channels) {
                std::cerr << ' ' << c.id;
            }
            std::cerr << '\n';
            return usage_error;
        }
        f.channel = ch->id;
        zone = ch->zone;
    } else if (!cfg->channels.empty()) {
        // One zone for the whole window, so the bounds mean the same instants for every row;
        // an offset in the timestamp overrides it.
        zone = cfg->channels.front().zone;
    }
    for (auto [text, bound, flag] :
         {std::tuple{&o.from, &f.from, "--from"}, std::tuple{&o.to, &f.to, "--to"}}) {
        if (text->empty()) {
            continue;
        }
        auto t = asrun::parse_bound(*text, *zone);
        if (!t) {
            std::cerr << "onair asrun: " << flag << ": " << t.error() << '\n';
            return usage_error;
        }
        *bound = *t;
    }
    if (f.from && f.to && !(*f.from < *f.to)) {
        std::cerr << "onair asrun: --to must be after --from\n";
        return usage_error;
    }
    if (!o.compare.empty()) {
        if (o.verify || o.reindex || !o.head.empty()) {
            std::cerr << "onair asrun: --compare goes with --channel, --from, --to and --format "
                         "only\n";
            return usage_error;
        }
        return run_compare(*cfg, {f, zone, o.compare, o.format});
    }
    if (o.format == "text") {
        std::cerr << "onair asrun: --format text goes with --compare; an export is csv or json\n";
        return usage_error;
    }

    const auto file = asrun::store_file(cfg->state_dir);
    std::optional<std::string> kept_head;
    if (!o.head.empty()) {
        kept_head = parse_head(o.head);
        if (!kept_head) {
            std::cerr << "onair asrun: --head: expected the 64 hex digits of a chain head as "
                         "--verify prints it, got '"
                      << o.head << "'\n";
            return usage_error;
        }
        if (!o.verify) {
            std::cerr << "onair asrun: --head goes with --verify\n";
            return usage_error;
        }
    }
    if (o.reindex) {
        if (o.verify || !o.from.empty() || !o.to.empty() || f.channel) {
            std::cerr << "onair asrun: --reindex rebuilds the whole summary; --verify, --channel, "
                         "--from and --to do not apply\n";
            return usage_error;
        }
        try {
            return run_reindex(file);
        } catch (const asrun::store_error& e) {
            std::cerr << "onair asrun: error: " << e.what() << '\n';
            return input_error;
        }
    }
    if (o.verify) {
        if (!o.from.empty() || !o.to.empty()) {
            std::cerr << "onair asrun: --verify checks the whole chain; --from and --to do not "
                         "apply\n";
            return usage_error;
        }
        try {
            return run_verify(file, f.channel, kept_head);
        } catch (const asrun::store_error& e) {
            std::cerr << "onair asrun: error: " << e.what() << '\n';
            return input_error;
        }
    }

    const auto format = o.format == "json" ? asrun::export_format::json : asrun::export_format::csv;
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) {
        // Nothing has aired yet: an empty log, not an error.
        asrun::export_nothing(format, std::cout);
        return ok;
    }
    try {
        asrun::store s(file, asrun::open_mode::read_only);
        asrun::export_airings(s, f, format, std::cout);
    } catch (const asrun::store_error& e) {
        std::cerr << "onair asrun: error: " << e.what() << '\n';
        return input_error;
    }
    std::cout.flush();
    if (!std::cout) {
        std::cerr << "onair asrun: error: cannot write the export\n";
        return input_error;
    }
    return ok;
}

} // namespace

command add_asrun(CLI::App& app) {
    auto o = std::make_shared<asrun_options>();
    auto* sub = app.add_subcommand("asrun", "Export the as-run log");
    add_config_option(sub, o->config, "The config file");
    sub->add_option("--channel", o->channel, "Only this channel");
    sub->add_option("--from", o->from,
                    "Scheduled start at or after: ISO 8601 or YYYY-MM-DD (local midnight)");
    sub->add_option("--to", o->to, "Scheduled start before: ISO 8601 or YYYY-MM-DD");
    sub->add_option("--format", o->format, "csv or json; with --compare also text (its default)")
        ->check(CLI::IsMember({"csv", "json", "text"}));
    sub->add_flag("--verify", o->verify,
                  "Check the tamper-evidence chain instead of exporting: exit 0 when intact");
    sub->add_option("--head", o->head,
                    "With --verify: a chain head printed earlier; fails when the chain no "
                    "longer holds it (rows removed from the end, or the file replaced)");
    sub->add_flag("--reindex", o->reindex,
                  "Rebuild the summary table that reports read from the as-run rows");
    sub->add_option("--compare", o->compare,
                    "Compare with another as-run: an asrun.sqlite, a state dir, or a daemon's "
                    "control URL (http://HOST:PORT); exit 0 when they agree, 1 when they differ")
        ->type_name("OTHER");
    sub->add_option("--state-dir", o->state_dir,
                    "Read the as-run of this state dir instead of the config's state_dir (the "
                    "daemon's onair run --state-dir)")
        ->type_name("DIR");
    sub->add_option("--db", o->db,
                    "With --verify: check every station's chain in this shared PostgreSQL "
                    "database (postgresql://... or 'host=... dbname=...') instead");
    sub->add_option("--station", o->station, "With --db: only this station");
    return [o] { return run_asrun(*o); };
}

} // namespace onair::cli
