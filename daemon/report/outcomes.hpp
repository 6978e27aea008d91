#pragma once

// Outcomes beside airings (`onair report --outcomes FILE.csv`): daily figures that whoever runs
// a campaign collects (hotline calls, website visits, referrals), read from CSV, and how they
// move beside the campaign's daily airings. An association, never a cause: the document says so.

#include "core/diagnostics.hpp"
#include "core/time.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace onair::report {

// One series: its values by local day (several lines of one day and series add up).
struct outcome_series {
    std::string name;
    std::map<core::local_days, double> by_day;
};

// Reads `date,series,value` (a header line first; values are numbers, dates YYYY-MM-DD).
// Errors name the file, line and column; none of the series is returned then.
std::optional<std::vector<outcome_series>> read_outcomes(const std::filesystem::path& file,
                                                         core::diagnostics& diags);
// The same from text (`name` stands for the file in diagnostics).
std::optional<std::vector<outcome_series>>
parse_outcomes(const std::string& text, const std::string& name, core::diagnostics& diags);

// Pearson's r between airings on day d and the outcome on day d + lag, over the days in
// [from, to] where both are known (airings are known every day of the period: 0 when none
// aired; an outcome is known on the days the file gives).
struct lagged_r {
    int lag_days = 0;
    std::optional<double> r; // empty: fewer than 3 pairs, or one side never varies
    int pairs = 0;
};

std::vector<lagged_r> lagged_correlation(const std::map<core::local_days, double>& airings,
                                         const std::map<core::local_days, double>& outcome,
                                         core::local_days from, core::local_days to,
                                         int max_lag = 14);

// The lag with the largest |r| (ties: the shortest lag) among those with at least a week of
// pairs; empty when none has an r.
constexpr int min_pairs_to_name = 7;
std::optional<lagged_r> strongest(const std::vector<lagged_r>& lags);

} // namespace onair::report
