#pragma once

// A small metrics registry rendered in the Prometheus text exposition format 0.0.4: counters,
// gauges and histograms, each a family of series told apart by label values. Everything lives
// on the io_context thread (no atomics, no locks). Output is sorted (families by name, series
// by label values) so that two scrapes of the same state are byte-identical.

#include "core/time.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace onair::control::metrics {

// Label values of one series, in the order of its family's label names. They are redacted
// (core::redact) when rendered: an output named by its URI shows no password or stream key.
using label_values = std::vector<std::string>;

class counter {
public:
    // Counters only go up: a negative amount is ignored.
    void inc(double by = 1);
    double value() const { return value_; }

private:
    double value_ = 0;
};

class gauge {
public:
    void set(double v) { value_ = v; }
    void inc(double by = 1) { value_ += by; }
    void dec(double by = 1) { value_ -= by; }
    double value() const { return value_; }

private:
    double value_ = 0;
};

class histogram {
public:
    explicit histogram(std::vector<double> upper_bounds);
    void observe(double v);
    // Per bucket, not cumulative; one more entry than bounds for +Inf.
    const std::vector<std::uint64_t>& bucket_counts() const { return counts_; }
    const std::vector<double>& upper_bounds() const { return bounds_; }
    double sum() const { return sum_; }
    std::uint64_t count() const { return count_; }

private:
    std::vector<double> bounds_;
    std::vector<std::uint64_t> counts_;
    double sum_ = 0;
    std::uint64_t count_ = 0;
};

class family_base {
public:
    family_base(std::string name, std::string help, std::vector<std::string> label_names);
    virtual ~family_base() = default;
    const std::string& name() const { return name_; }
    virtual void render(std::string& out) const = 0;

protected:
    // `{a="x",b="y"}` (empty when there are no labels), with `extra` (such as le="0.5") last.
    std::string label_text(const label_values& values, std::string_view extra = {}) const;
    void render_header(std::string& out, std::string_view type) const;
    void check_arity(const label_values& values) const;

    std::string name_;
    std::string help_;
    std::vector<std::string> label_names_;
};

class counter_family : public family_base {
public:
    using family_base::family_base;
    // The series with these label values, created at zero on first use. Throws
    // std::invalid_argument when the number of values does not match the label names.
    counter& with(const label_values& values);
    void render(std::string& out) const override;

private:
    std::map<label_values, counter> series_;
};

class gauge_family : public family_base {
public:
    using family_base::family_base;
    gauge& with(const label_values& values);
    // Drops a series (a channel or output that no longer exists after a reload).
    void remove(const label_values& values) { series_.erase(values); }
    void render(std::string& out) const override;

private:
    std::map<label_values, gauge> series_;
};

class histogram_family : public family_base {
public:
    histogram_family(std::string name, std::string help, std::vector<std::string> label_names,
                     std::vector<double> upper_bounds);
    histogram& with(const label_values& values);
    void render(std::string& out) const override;

private:
    std::vector<double> bounds_;
    std::map<label_values, histogram> series_;
};

class registry {
public:
    // Each name once; names and label names must be valid Prometheus identifiers ("le" is
    // reserved for histograms). Throws std::invalid_argument otherwise. The references stay
    // valid for the life of the registry.
    counter_family& add_counter(const std::string& name, const std::string& help,
                                std::vector<std::string> label_names = {});
    gauge_family& add_gauge(const std::string& name, const std::string& help,
                            std::vector<std::string> label_names = {});
    histogram_family& add_histogram(const std::string& name, const std::string& help,
                                    std::vector<std::string> label_names,
                                    std::vector<double> upper_bounds);

    // The whole registry in the text format, families sorted by name.
    std::string render() const;

private:
    template <class F, class... A> F& add(const std::string& name, A&&... args);
    std::map<std::string, std::unique_ptr<family_base>> families_;
};

// A number as the text format writes it: shortest round-trip decimal, "+Inf", "-Inf", "NaN".
std::string format_value(double v);
// A label value with backslash, double quote and line feed escaped.
std::string escape_label_value(std::string_view v);

// Resident set size from /proc/self/statm, in bytes; 0 when unreadable.
double resident_memory_bytes();
// Entries in /proc/self/fd (the descriptor used to list it included); 0 when unreadable.
double open_fds();

// The series the daemon exports (documented in docs/api.md), registered on a registry with
// one helper per event so that the service never spells a metric name.
class station_metrics {
public:
    explicit station_metrics(registry& r);

    void set_on_air(const std::string& channel, bool on_air);
    // status: aired | truncated | failed | skipped | interrupted
    void count_airing(const std::string& channel, const std::string& status);
    // How far the first frame was from its scheduled start (absolute value is taken).
    void observe_start_error(const std::string& channel, std::chrono::microseconds error);
    void add_filler(const std::string& channel, std::chrono::milliseconds aired);
    void set_output_up(const std::string& channel, const std::string& output, bool up);
    void count_output_reconnect(const std::string& channel, const std::string& output);
    // The channel's pipeline was rebuilt (it failed, or its output stopped moving).
    void count_pipeline_restart(const std::string& channel);
    // How far ahead the channel's plan reaches from now.
    void set_plan_horizon(const std::string& channel, std::chrono::milliseconds ahead);
    void set_reload(bool success, core::instant at);
    // Reads the process figures; the server calls it at each scrape.
    void sample_process();

    // An exception caught at a catch boundary (`where`: api, loop, runner, bus, store, ...).
    void count_internal_error(const std::string& where);
    // How long one turn of the loop took (the time a cue could have waited).
    void observe_loop_tick(std::chrono::microseconds took);
    // The as-run store: whether SQLite takes writes, rows waiting in the spill journal, and the
    // spill journal's running total of rows ever spilled (the counter follows the total).
    void set_asrun_store_up(bool up);
    void set_asrun_waiting_rows(std::uint64_t rows);
    void set_asrun_spilled_rows(std::uint64_t total);
    // The as-run sink (asrun_sink): connected to its database, rows of the local store it has
    // not shipped yet, and rows it shipped since the start.
    void set_asrun_sink(bool up, std::int64_t lag_rows, std::uint64_t shipped_total);
    // The hash of the last row of the as-run chain (hex); the previous head's series goes.
    void set_chain_head(const std::string& hex);
    // A channel's pipeline is up (airing) or down and waiting to be rebuilt after `backoff`.
    void set_channel_up(const std::string& channel, bool up);
    void set_channel_restart_backoff(const std::string& channel, std::chrono::milliseconds backoff);

    // Start error buckets, in seconds: 1 ms .. 1 s.
    static const std::vector<double>& start_error_buckets();
    // Loop tick buckets, in seconds: 1 ms .. 5 s.
    static const std::vector<double>& loop_tick_buckets();

private:
    gauge_family& on_air_;
    counter_family& airings_;
    histogram_family& start_error_;
    counter_family& filler_;
    gauge_family& output_up_;
    counter_family& output_reconnects_;
    counter_family& pipeline_restarts_;
    gauge_family& plan_horizon_;
    gauge_family& reload_success_;
    gauge_family& reload_timestamp_;
    gauge_family& resident_memory_;
    gauge_family& open_fds_;
    counter_family& internal_errors_;
    histogram_family& loop_tick_;
    gauge_family& asrun_store_up_;
    gauge_family& asrun_waiting_rows_;
    counter_family& asrun_spilled_rows_;
    gauge_family& asrun_sink_up_;
    gauge_family& asrun_sink_lag_;
    counter_family& asrun_sink_shipped_;
    gauge_family& chain_head_;
    std::string chain_head_value_;
    gauge_family& channel_up_;
    gauge_family& channel_restart_backoff_;
};

} // namespace onair::control::metrics
