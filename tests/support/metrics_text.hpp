#pragma once

// Reading the Prometheus text the daemon serves on /metrics: one series' value, and the
// buckets of a histogram (to tell a percentile between two scrapes).

#include <map>
#include <optional>
#include <string>

namespace onair::test_support {

// The value of the series written exactly `series` (name and labels as they appear, e.g.
// `onair_output_up{channel="a",output="0"}`), or nothing when it is not there.
std::optional<double> metric_value(const std::string& text, const std::string& series);

// The cumulative buckets of histogram `name` summed over all its label sets: upper bound
// (+Inf as infinity) to count. Empty when the histogram is not there.
std::map<double, double> histogram_buckets(const std::string& text, const std::string& name);

// The smallest bucket bound under which at least `q` (0..1) of the observations fall, from the
// difference of two scrapes `before` and `after` (as `histogram_buckets` returns them); nothing
// when no observation was made in between.
std::optional<double> quantile_bound(const std::map<double, double>& before,
                                     const std::map<double, double>& after, double q);

} // namespace onair::test_support
