#include "control/metrics.hpp"

#include "core/redact.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace onair::control::metrics {
namespace {

bool valid_name(std::string_view s, bool allow_colon) {
    if (s.empty()) {
        return false;
    }
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                           (allow_colon && c == ':');
        const bool digit = c >= '0' && c <= '9';
        if (!alpha && !(digit && i > 0)) {
            return false;
        }
    }
    return true;
}

// HELP text escapes backslash and line feed only (the format says so: no quotes there).
std::string escape_help(std::string_view v) {
    std::string out;
    for (char c : v) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

} // namespace

std::string format_value(double v) {
    if (std::isnan(v)) {
        return "NaN";
    }
    if (std::isinf(v)) {
        return v > 0 ? "+Inf" : "-Inf";
    }
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return ec == std::errc() ? std::string(buf, end) : std::string("NaN");
}

std::string escape_label_value(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '"') {
            out += "\\\"";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

void counter::inc(double by) {
    if (by > 0) {
        value_ += by;
    }
}

histogram::histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), counts_(bounds_.size() + 1, 0) {}

void histogram::observe(double v) {
    // First bucket whose upper bound is >= v ("le" is inclusive).
    auto it = std::lower_bound(bounds_.begin(), bounds_.end(), v);
    ++counts_[static_cast<std::size_t>(it - bounds_.begin())];
    sum_ += v;
    ++count_;
}

family_base::family_base(std::string name, std::string help, std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}

void family_base::check_arity(const label_values& values) const {
    if (values.size() != label_names_.size()) {
        throw std::invalid_argument("metric " + name_ + " takes " +
                                    std::to_string(label_names_.size()) + " label values, got " +
                                    std::to_string(values.size()));
    }
}

std::string family_base::label_text(const label_values& values, std::string_view extra) const {
    if (values.empty() && extra.empty()) {
        return {};
    }
    std::string out = "{";
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i > 0) {
            out += ',';
        }
        out += label_names_[i];
        out += "=\"";
        out += escape_label_value(core::redact(values[i]));
        out += '"';
    }
    if (!extra.empty()) {
        if (!values.empty()) {
            out += ',';
        }
        out += extra;
    }
    out += '}';
    return out;
}

void family_base::render_header(std::string& out, std::string_view type) const {
    out += "# HELP " + name_ + ' ' + escape_help(help_) + '\n';
    out += "# TYPE " + name_ + ' ';
    out += type;
    out += '\n';
}

counter& counter_family::with(const label_values& values) {
    check_arity(values);
    return series_[values];
}

void counter_family::render(std::string& out) const {
    render_header(out, "counter");
    for (const auto& [values, c] : series_) {
        out += name_ + label_text(values) + ' ' + format_value(c.value()) + '\n';
    }
}

gauge& gauge_family::with(const label_values& values) {
    check_arity(values);
    return series_[values];
}

void gauge_family::render(std::string& out) const {
    render_header(out, "gauge");
    for (const auto& [values, g] : series_) {
        out += name_ + label_text(values) + ' ' + format_value(g.value()) + '\n';
    }
}

histogram_family::histogram_family(std::string name, std::string help,
                                   std::vector<std::string> label_names,
                                   std::vector<double> upper_bounds)
    : family_base(std::move(name), std::move(help), std::move(label_names)),
      bounds_(std::move(upper_bounds)) {
    if (!std::is_sorted(bounds_.begin(), bounds_.end()) ||
        std::adjacent_find(bounds_.begin(), bounds_.end()) != bounds_.end()) {
        throw std::invalid_argument("histogram " + name_ + ": bucket bounds must increase");
    }
}

histogram& histogram_family::with(const label_values& values) {
    check_arity(values);
    auto it = series_.find(values);
    if (it == series_.end()) {
        it = series_.emplace(values, histogram(bounds_)).first;
    }
    return it->second;
}

void histogram_family::render(std::string& out) const {
    render_header(out, "histogram");
    for (const auto& [values, h] : series_) {
        std::uint64_t cumulative = 0;
        const auto& counts = h.bucket_counts();
        for (std::size_t i = 0; i <= bounds_.size(); ++i) {
            cumulative += counts[i];
            const std::string le =
                "le=\"" + (i < bounds_.size() ? format_value(bounds_[i]) : "+Inf") + '"';
            out += name_ + "_bucket" + label_text(values, le) + ' ' + std::to_string(cumulative) +
                   '\n';
        }
        out += name_ + "_sum" + label_text(values) + ' ' + format_value(h.sum()) + '\n';
        out += name_ + "_count" + label_text(values) + ' ' + std::to_string(h.count()) + '\n';
    }
}

template <class F, class... A> F& registry::add(const std::string& name, A&&... args) {
    if (!valid_name(name, true)) {
        throw std::invalid_argument("invalid metric name '" + name + "'");
    }
    if (families_.count(name) != 0) {
        throw std::invalid_argument("metric " + name + " registered twice");
    }
    auto f = std::make_unique<F>(name, std::forward<A>(args)...);
    F& ref = *f;
    families_.emplace(name, std::move(f));
    return ref;
}

namespace {
void check_labels(const std::string& metric, const std::vector<std::string>& names, bool hist) {
    for (const auto& n : names) {
        if (!valid_name(n, false) || n.rfind("__", 0) == 0 || (hist && n == "le")) {
            throw std::invalid_argument("metric " + metric + ": invalid label name '" + n + "'");
        }
    }
}
} // namespace

counter_family& registry::add_counter(const std::string& name, const std::string& help,
                                      std::vector<std::string> label_names) {
    check_labels(name, label_names, false);
    return add<counter_family>(name, help, std::move(label_names));
}

gauge_family& registry::add_gauge(const std::string& name, const std::string& help,
                                  std::vector<std::string> label_names) {
    check_labels(name, label_names, false);
    return add<gauge_family>(name, help, std::move(label_names));
}

histogram_family& registry::add_histogram(const std::string& name, const std::string& help,
                                          std::vector<std::string> label_names,
                                          std::vector<double> upper_bounds) {
    check_labels(name, label_names, true);
    return add<histogram_family>(name, help, std::move(label_names), std::move(upper_bounds));
}

std::string registry::render() const {
    std::string out;
    for (const auto& [name, f] : families_) {
        f->render(out);
    }
    return out;
}

double resident_memory_bytes() {
    std::ifstream in("/proc/self/statm");
    unsigned long long size = 0, resident = 0;
    if (!(in >> size >> resident)) {
        return 0;
    }
    const long page = ::sysconf(_SC_PAGESIZE);
    return static_cast<double>(resident) * static_cast<double>(page > 0 ? page : 4096);
}

double open_fds() {
    std::error_code ec;
    std::filesystem::directory_iterator it("/proc/self/fd", ec);
    if (ec) {
        return 0;
    }
    double n = 0;
    for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
        if (ec) {
            break;
        }
        ++n;
    }
    return n;
}

const std::vector<double>& station_metrics::start_error_buckets() {
    static const std::vector<double> buckets{0.001, 0.0025, 0.005, 0.01, 0.02,
                                             0.04,  0.1,    0.25,  0.5,  1};
    return buckets;
}

station_metrics::station_metrics(registry& r)
    : on_air_(r.add_gauge("onair_channel_on_air",
                          "1 while the channel's pipeline is airing, else 0", {"channel"})),
      airings_(r.add_counter("onair_airings_total", "Items that left the air, by as-run status",
                             {"channel", "status"})),
      start_error_(r.add_histogram("onair_start_error_seconds",
                                   "Distance of an item's first frame from its scheduled start",
                                   {"channel"}, start_error_buckets())),
      filler_(r.add_counter("onair_filler_seconds_total", "Time the channel aired filler",
                            {"channel"})),
      output_up_(r.add_gauge("onair_output_up", "1 while the output is delivering, else 0",
                             {"channel", "output"})),
      output_reconnects_(r.add_counter("onair_output_reconnects_total",
                                       "Times an output was reconnected after a failure",
                                       {"channel", "output"})),
      pipeline_restarts_(r.add_counter("onair_pipeline_restarts_total",
                                       "Times the channel's pipeline was rebuilt after it failed "
                                       "or its output stopped moving",
                                       {"channel"})),
      plan_horizon_(r.add_gauge("onair_plan_horizon_seconds",
                                "How far ahead of now the channel's plan reaches", {"channel"})),
      reload_success_(r.add_gauge("onair_last_reload_success",
                                  "1 if the last load or reload succeeded, else 0")),
      reload_timestamp_(r.add_gauge("onair_last_reload_timestamp_seconds",
                                    "Unix time of the last load or reload attempt")),
      resident_memory_(
          r.add_gauge("onair_process_resident_memory_bytes", "Resident memory of the daemon")),
      open_fds_(r.add_gauge("onair_process_open_fds", "Open file descriptors of the daemon")),
      internal_errors_(r.add_counter("onair_internal_errors_total",
                                     "Exceptions caught at a catch boundary; air went on",
                                     {"where"})),
      loop_tick_(r.add_histogram("onair_loop_tick_seconds", "Time one turn of the loop took", {},
                                 loop_tick_buckets())),
      asrun_store_up_(
          r.add_gauge("onair_asrun_store_up", "1 while the as-run store takes writes, else 0")),
      asrun_waiting_rows_(r.add_gauge("onair_asrun_waiting_rows",
                                      "As-run rows in the spill journal, not yet in the store")),
      asrun_spilled_rows_(r.add_counter("onair_asrun_spilled_rows_total",
                                        "As-run rows written to the spill journal")),
      asrun_sink_up_(r.add_gauge("onair_asrun_sink_up",
                                 "1 while the as-run sink reaches its PostgreSQL database")),
      asrun_sink_lag_(r.add_gauge("onair_asrun_sink_lag_rows",
                                  "Completed as-run rows not yet shipped to the database")),
      asrun_sink_shipped_(r.add_counter("onair_asrun_sink_shipped_rows_total",
                                        "As-run rows shipped to the database")),
      chain_head_(r.add_gauge("onair_asrun_chain_head_info",
                              "The hash of the last row of the as-run chain", {"head"})),
      channel_up_(r.add_gauge(
          "onair_channel_up",
          "1 while the channel's pipeline is up, 0 while it waits to be rebuilt", {"channel"})),
      channel_restart_backoff_(r.add_gauge("onair_channel_restart_backoff_seconds",
                                           "Wait before the next attempt to rebuild a channel "
                                           "that is down (0 when up)",
                                           {"channel"})) {}

void station_metrics::set_on_air(const std::string& channel, bool on_air) {
    on_air_.with({channel}).set(on_air ? 1 : 0);
}

void station_metrics::count_airing(const std::string& channel, const std::string& status) {
    airings_.with({channel, status}).inc();
}

void station_metrics::observe_start_error(const std::string& channel,
                                          std::chrono::microseconds error) {
    start_error_.with({channel}).observe(static_cast<double>(std::abs(error.count())) / 1e6);
}

void station_metrics::add_filler(const std::string& channel, std::chrono::milliseconds aired) {
    filler_.with({channel}).inc(static_cast<double>(aired.count()) / 1e3);
}

void station_metrics::set_output_up(const std::string& channel, const std::string& output,
                                    bool up) {
    output_up_.with({channel, output}).set(up ? 1 : 0);
}

void station_metrics::count_output_reconnect(const std::string& channel,
                                             const std::string& output) {
    output_reconnects_.with({channel, output}).inc();
}

void station_metrics::count_pipeline_restart(const std::string& channel) {
    pipeline_restarts_.with({channel}).inc();
}

void station_metrics::set_plan_horizon(const std::string& channel,
                                       std::chrono::milliseconds ahead) {
    plan_horizon_.with({channel}).set(static_cast<double>(ahead.count()) / 1e3);
}

void station_metrics::set_reload(bool success, core::instant at) {
    reload_success_.with({}).set(success ? 1 : 0);
    reload_timestamp_.with({}).set(static_cast<double>(at.time_since_epoch().count()) / 1e3);
}

void station_metrics::sample_process() {
    resident_memory_.with({}).set(resident_memory_bytes());
    open_fds_.with({}).set(open_fds());
}

const std::vector<double>& station_metrics::loop_tick_buckets() {
    static const std::vector<double> buckets{0.001, 0.002, 0.005, 0.01, 0.02, 0.05,
                                             0.1,   0.25,  0.5,   1,    2,    5};
    return buckets;
}

void station_metrics::count_internal_error(const std::string& where) {
    internal_errors_.with({where}).inc();
}

void station_metrics::observe_loop_tick(std::chrono::microseconds took) {
    loop_tick_.with({}).observe(static_cast<double>(took.count()) / 1e6);
}

void station_metrics::set_asrun_store_up(bool up) {
    asrun_store_up_.with({}).set(up ? 1 : 0);
}

void station_metrics::set_asrun_waiting_rows(std::uint64_t rows) {
    asrun_waiting_rows_.with({}).set(static_cast<double>(rows));
}

void station_metrics::set_asrun_spilled_rows(std::uint64_t total) {
    auto& c = asrun_spilled_rows_.with({});
    const auto t = static_cast<double>(total);
    if (t > c.value()) {
        c.inc(t - c.value());
    }
}

void station_metrics::set_asrun_sink(bool up, std::int64_t lag_rows, std::uint64_t shipped_total) {
    asrun_sink_up_.with({}).set(up ? 1 : 0);
    asrun_sink_lag_.with({}).set(static_cast<double>(lag_rows));
    auto& c = asrun_sink_shipped_.with({});
    const auto t = static_cast<double>(shipped_total);
    if (t > c.value()) {
        c.inc(t - c.value());
    }
}

void station_metrics::set_chain_head(const std::string& hex) {
    if (hex == chain_head_value_) {
        return;
    }
    chain_head_.remove({chain_head_value_});
    chain_head_value_ = hex;
    chain_head_.with({hex}).set(1);
}

void station_metrics::set_channel_up(const std::string& channel, bool up) {
    channel_up_.with({channel}).set(up ? 1 : 0);
}

void station_metrics::set_channel_restart_backoff(const std::string& channel,
                                                  std::chrono::milliseconds backoff) {
    channel_restart_backoff_.with({channel}).set(static_cast<double>(backoff.count()) / 1e3);
}

} // namespace onair::control::metrics
