// The metrics registry, rendered byte for byte in the Prometheus text format 0.0.4.
#include "control/metrics.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>

namespace onair::control::metrics {
namespace {

TEST(metrics, empty_registry_renders_nothing) {
    registry r;
    EXPECT_EQ(r.render(), "");
}

TEST(metrics, families_sorted_by_name_series_by_labels_with_escaping) {
    registry r;
    auto& g = r.add_gauge("zz_gauge", "A gauge\nwith a \\ in its help", {"channel"});
    auto& c = r.add_counter("aa_total", "A counter", {"channel", "status"});
    g.with({"radio"}).set(-1.5);
    g.with({"tv \"main\"\\\n"}).set(2);
    c.with({"tv", "failed"}).inc();
    c.with({"radio", "aired"}).inc(3);
    c.with({"tv", "aired"}).inc(0.25);
    c.with({"tv", "aired"}).inc(-10); // ignored: counters only go up
    EXPECT_EQ(r.render(), "# HELP aa_total A counter\n"
                          "# TYPE aa_total counter\n"
                          "aa_total{channel=\"radio\",status=\"aired\"} 3\n"
                          "aa_total{channel=\"tv\",status=\"aired\"} 0.25\n"
                          "aa_total{channel=\"tv\",status=\"failed\"} 1\n"
                          "# HELP zz_gauge A gauge\\nwith a \\\\ in its help\n"
                          "# TYPE zz_gauge gauge\n"
                          "zz_gauge{channel=\"radio\"} -1.5\n"
                          "zz_gauge{channel=\"tv \\\"main\\\"\\\\\\n\"} 2\n");
}

TEST(metrics, histogram_buckets_are_cumulative_and_le_inclusive) {
    registry r;
    auto& h = r.add_histogram("lat_seconds", "Latency", {"channel"}, {0.001, 0.01, 0.1});
    auto& tv = h.with({"tv"});
    tv.observe(0.001); // on the bound: counts in le="0.001"
    tv.observe(0.005);
    tv.observe(0.5);
    tv.observe(0);
    h.with({"radio"});
    EXPECT_EQ(r.render(), "# HELP lat_seconds Latency\n"
                          "# TYPE lat_seconds histogram\n"
                          "lat_seconds_bucket{channel=\"radio\",le=\"0.001\"} 0\n"
                          "lat_seconds_bucket{channel=\"radio\",le=\"0.01\"} 0\n"
                          "lat_seconds_bucket{channel=\"radio\",le=\"0.1\"} 0\n"
                          "lat_seconds_bucket{channel=\"radio\",le=\"+Inf\"} 0\n"
                          "lat_seconds_sum{channel=\"radio\"} 0\n"
                          "lat_seconds_count{channel=\"radio\"} 0\n"
                          "lat_seconds_bucket{channel=\"tv\",le=\"0.001\"} 2\n"
                          "lat_seconds_bucket{channel=\"tv\",le=\"0.01\"} 3\n"
                          "lat_seconds_bucket{channel=\"tv\",le=\"0.1\"} 3\n"
                          "lat_seconds_bucket{channel=\"tv\",le=\"+Inf\"} 4\n"
                          "lat_seconds_sum{channel=\"tv\"} 0.506\n"
                          "lat_seconds_count{channel=\"tv\"} 4\n");
}

TEST(metrics, unlabelled_series_and_special_values) {
    registry r;
    auto& g = r.add_gauge("g", "G");
    g.with({}).set(std::numeric_limits<double>::infinity());
    EXPECT_EQ(r.render(), "# HELP g G\n# TYPE g gauge\ng +Inf\n");
    EXPECT_EQ(format_value(-std::numeric_limits<double>::infinity()), "-Inf");
    EXPECT_EQ(format_value(std::numeric_limits<double>::quiet_NaN()), "NaN");
    EXPECT_EQ(format_value(1e21), "1e+21");
    EXPECT_EQ(format_value(1712345678.123), "1712345678.123");
    EXPECT_EQ(format_value(0), "0");
}

TEST(metrics, gauge_series_can_be_removed) {
    registry r;
    auto& g = r.add_gauge("up", "Up", {"output"});
    g.with({"a"}).set(1);
    g.with({"b"}).set(0);
    g.remove({"a"});
    EXPECT_EQ(r.render(), "# HELP up Up\n# TYPE up gauge\nup{output=\"b\"} 0\n");
}

TEST(metrics, misuse_throws) {
    registry r;
    r.add_counter("a_total", "A", {"channel"});
    EXPECT_THROW(r.add_gauge("a_total", "again"), std::invalid_argument);
    EXPECT_THROW(r.add_gauge("1bad", "x"), std::invalid_argument);
    EXPECT_THROW(r.add_gauge("bad-name", "x"), std::invalid_argument);
    EXPECT_THROW(r.add_gauge("ok", "x", {"bad label"}), std::invalid_argument);
    EXPECT_THROW(r.add_gauge("ok2", "x", {"__reserved"}), std::invalid_argument);
    EXPECT_THROW(r.add_histogram("h", "x", {"le"}, {1}), std::invalid_argument);
    EXPECT_THROW(r.add_histogram("h2", "x", {}, {1, 0.5}), std::invalid_argument);
    auto& c = r.add_counter("b_total", "B", {"channel", "status"});
    EXPECT_THROW(c.with({"tv"}), std::invalid_argument);
}

TEST(metrics, station_series_names_and_units) {
    registry r;
    station_metrics m(r);
    m.set_on_air("tv", true);
    m.count_airing("tv", "aired");
    m.count_airing("tv", "aired");
    m.observe_start_error("tv", std::chrono::microseconds(-3000)); // 3 ms early
    m.add_filler("tv", std::chrono::milliseconds(1500));
    m.set_output_up("tv", "udp", false);
    m.count_output_reconnect("tv", "udp");
    m.set_plan_horizon("tv", std::chrono::hours(48));
    m.set_reload(true, core::instant(std::chrono::milliseconds(1'700'000'000'500)));
    const auto text = r.render();
    for (const char* line : {
             "onair_channel_on_air{channel=\"tv\"} 1\n",
             "onair_airings_total{channel=\"tv\",status=\"aired\"} 2\n",
             "onair_start_error_seconds_bucket{channel=\"tv\",le=\"0.0025\"} 0\n",
             "onair_start_error_seconds_bucket{channel=\"tv\",le=\"0.005\"} 1\n",
             "onair_start_error_seconds_bucket{channel=\"tv\",le=\"1\"} 1\n",
             "onair_start_error_seconds_sum{channel=\"tv\"} 0.003\n",
             "onair_filler_seconds_total{channel=\"tv\"} 1.5\n",
             "onair_output_up{channel=\"tv\",output=\"udp\"} 0\n",
             "onair_output_reconnects_total{channel=\"tv\",output=\"udp\"} 1\n",
             "onair_plan_horizon_seconds{channel=\"tv\"} 172800\n",
             "onair_last_reload_success 1\n",
             "onair_last_reload_timestamp_seconds 1700000000.5\n",
             "# TYPE onair_start_error_seconds histogram\n",
             "# TYPE onair_airings_total counter\n",
         }) {
        EXPECT_NE(text.find(line), std::string::npos) << line << "\nin\n" << text;
    }
    // Process figures appear only once sampled (at scrape).
    EXPECT_EQ(text.find("\nonair_process_resident_memory_bytes "), std::string::npos);
    EXPECT_NE(text.find("# TYPE onair_process_resident_memory_bytes gauge\n"), std::string::npos);
    m.sample_process();
    const auto sampled = r.render();
    EXPECT_NE(sampled.find("\nonair_process_resident_memory_bytes "), std::string::npos);
    EXPECT_NE(sampled.find("\nonair_process_open_fds "), std::string::npos);
}

TEST(metrics, robustness_series) {
    registry r;
    station_metrics m(r);
    m.count_internal_error("api");
    m.count_internal_error("api");
    m.count_internal_error("loop");
    m.observe_loop_tick(std::chrono::microseconds(1500));
    m.observe_loop_tick(std::chrono::microseconds(7000000));
    m.set_asrun_store_up(false);
    m.set_asrun_waiting_rows(12);
    m.set_asrun_spilled_rows(40);
    m.set_asrun_spilled_rows(30); // a total never goes back
    m.set_asrun_spilled_rows(45);
    m.set_asrun_sink(false, 3000, 200);
    m.set_asrun_sink(true, 1200, 2000);
    m.set_chain_head("00aa");
    m.set_chain_head("ff01"); // the old head's series goes
    m.set_channel_up("tv", false);
    m.set_channel_restart_backoff("tv", std::chrono::milliseconds(8000));
    const auto text = r.render();
    for (const char* line : {
             "# TYPE onair_internal_errors_total counter\n",
             "onair_internal_errors_total{where=\"api\"} 2\n",
             "onair_internal_errors_total{where=\"loop\"} 1\n",
             "# TYPE onair_loop_tick_seconds histogram\n",
             "onair_loop_tick_seconds_bucket{le=\"0.001\"} 0\n",
             "onair_loop_tick_seconds_bucket{le=\"0.002\"} 1\n",
             "onair_loop_tick_seconds_bucket{le=\"5\"} 1\n",
             "onair_loop_tick_seconds_bucket{le=\"+Inf\"} 2\n",
             "onair_loop_tick_seconds_sum 7.0015\n",
             "onair_loop_tick_seconds_count 2\n",
             "onair_asrun_store_up 0\n",
             "onair_asrun_waiting_rows 12\n",
             "# TYPE onair_asrun_spilled_rows_total counter\n",
             "onair_asrun_spilled_rows_total 45\n",
             "onair_asrun_sink_up 1\n",
             "onair_asrun_sink_lag_rows 1200\n",
             "# TYPE onair_asrun_sink_shipped_rows_total counter\n",
             "onair_asrun_sink_shipped_rows_total 2000\n",
             "onair_asrun_chain_head_info{head=\"ff01\"} 1\n",
             "onair_channel_up{channel=\"tv\"} 0\n",
             "onair_channel_restart_backoff_seconds{channel=\"tv\"} 8\n",
         }) {
        EXPECT_NE(text.find(line), std::string::npos) << line << "\nin\n" << text;
    }
    EXPECT_EQ(text.find("00aa"), std::string::npos);
    const auto& b = station_metrics::loop_tick_buckets();
    EXPECT_EQ(
        b, (std::vector<double>{0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2, 5}));
}

TEST(metrics, label_values_are_redacted) {
    registry r;
    station_metrics m(r);
    m.set_output_up("tv", "srt srt://u:pw@relay:9000?passphrase=SECRET", true);
    m.set_output_up("tv", "rtmp rtmp://a.rtmp.youtube.com/live2/KEY-1", true);
    const auto text = r.render();
    EXPECT_NE(text.find("onair_output_up{channel=\"tv\",output=\"srt srt://***@relay:9000?"
                        "passphrase=***\"} 1\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("output=\"rtmp rtmp://a.rtmp.youtube.com/live2/***\"} 1\n"),
              std::string::npos)
        << text;
    EXPECT_EQ(text.find("SECRET"), std::string::npos);
    EXPECT_EQ(text.find("KEY-1"), std::string::npos);
    EXPECT_EQ(text.find("pw@"), std::string::npos);
}

TEST(metrics, process_figures_are_read_from_proc) {
    EXPECT_GT(resident_memory_bytes(), 1024.0 * 1024);
    // stdin, stdout, stderr and the directory being listed at least.
    EXPECT_GE(open_fds(), 4.0);
}

} // namespace
} // namespace onair::control::metrics
