#pragma once

// Everything a campaign report shows, gathered from the plans and the as-run store: the numbers
// (asrun/evidence.hpp), the missed airings and why, the chain check, the audience estimates and
// the outcomes given beside them. `onair report` and `GET /api/v1/report` both start here, so
// the command and the console print the same numbers.

#include "asrun/evidence.hpp"
#include "asrun/report.hpp"
#include "asrun/store.hpp"
#include "planner/planner.hpp"
#include "report/outcomes.hpp"
#include "schedule/model.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace onair::report {

// How many of a campaign's missed airings a report lists per channel (all are counted).
constexpr std::size_t missed_listed = 1000;

struct request {
    std::optional<std::string> campaign;  // one campaign; every campaign when empty
    std::optional<std::string> channel;   // one channel; every channel when empty
    std::optional<core::local_days> from; // default: six days before `to`
    std::optional<core::local_days> to;   // default: today in each channel's zone
    bool verify = true;                   // walk the whole chain (can take a while on a big log)
    std::vector<outcome_series> outcomes;
};

struct chain_check {
    bool done = false; // false: not asked for (--no-verify)
    bool ok = false;
    std::size_t rows = 0;
    std::size_t faults = 0;
    std::string head; // the chain head (asked of the store even when not verified)
    std::vector<std::string> first_faults;
};

struct channel_meta {
    std::string id;
    std::string name;
    std::string timezone;
    std::vector<schedule::audience_estimate> audience;
};

struct document {
    std::string config_file;
    std::string generated; // ISO 8601, UTC
    std::optional<std::string> campaign;
    std::vector<channel_meta> channels; // those reported, in config order
    std::vector<asrun::report_window> windows;
    std::vector<asrun::evidence_row> rows;
    std::vector<asrun::campaign_figures> figures;
    // The airings that did not air whole: listed (a campaign's report lists the first
    // `missed_listed` of each channel), and counted by channel, status and reason (all of them).
    std::vector<asrun::missed_airing> missed;
    std::vector<asrun::missed_reason> missed_reasons;
    chain_check chain;
    std::vector<outcome_series> outcomes;
};

// What gather() refuses: an unknown channel or campaign, a window that ends before it starts.
struct gather_error {
    int status = 2; // the command's exit status / the API's 400 or 404
    std::string message;
};

// `inputs[i]` plans `cfg.channels[i]` (durations known); `store_file` may not exist yet (an
// empty log). `now` is the only clock. Throws asrun::store_error when the log cannot be read.
std::variant<document, gather_error> gather(const schedule::config& cfg,
                                            const std::filesystem::path& config_file,
                                            const std::vector<planner::channel_input>& inputs,
                                            const std::filesystem::path& store_file, request req,
                                            core::instant now);

// Estimated impressions of a campaign on one channel: for each weekday and hour, the persons
// of the first audience window that covers that hour on that weekday, times the airings aired
// then. Windows are read at the hour, like the rest of the report.
struct reach_line {
    std::string channel;
    std::string window; // "18:00-22:00", or "no estimate" for airings outside every window
    std::string source;
    std::int64_t persons = 0;
    std::int64_t airings = 0;
    std::int64_t impressions = 0;
};
std::vector<reach_line> estimate_reach(const asrun::campaign_figures& f,
                                       const std::vector<channel_meta>& channels);

// A campaign's aired airings per day over every channel, every day of [from, to] present.
std::map<core::local_days, double> daily_airings(const asrun::campaign_figures& f,
                                                 core::local_days from, core::local_days to);

} // namespace onair::report
