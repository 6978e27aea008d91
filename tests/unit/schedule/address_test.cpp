// The control addresses: HOST:PORT (control.listen, `onair run --listen`) and control URLs
// (control.peers, `onair asrun --compare`), and control.peers as the config loads it. The
// broken peers, with their messages, are the golden case config-bad-peers.

#include "schedule/address.hpp"
#include "schedule/load.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

namespace onair::schedule {
namespace {

using test::lines_of;
using test::temp_dir;
using test::write_file;

TEST(address, host_port_takes_names_v4_and_bracketed_v6) {
    EXPECT_EQ(*parse_host_port("127.0.0.1:8750"), (host_port{"127.0.0.1", 8750}));
    EXPECT_EQ(*parse_host_port("[::1]:1"), (host_port{"::1", 1}));
    EXPECT_EQ(*parse_host_port("studio-b:65535"), (host_port{"studio-b", 65535}));
}

TEST(address, host_port_says_what_is_wrong) {
    EXPECT_EQ(parse_host_port("localhost").error(), "the port is missing");
    EXPECT_EQ(parse_host_port(":8750").error(), "the host is missing");
    EXPECT_EQ(parse_host_port("::1:8750").error(),
              "write an IPv6 address in brackets, such as [::1]:8750");
    EXPECT_EQ(parse_host_port("a:80x").error(), "the port must be a number");
    EXPECT_EQ(parse_host_port("a:").error(), "the port must be a number");
    EXPECT_EQ(parse_host_port("a:0").error(), "port 0 is out of range 1-65535");
    EXPECT_EQ(parse_host_port("a:65536").error(), "port 65536 is out of range 1-65535");
}

TEST(address, loopback_is_127_8_v6_one_and_localhost) {
    for (const char* h : {"127.0.0.1", "127.255.0.9", "::1", "localhost"}) {
        EXPECT_TRUE(is_loopback(h)) << h;
    }
    for (const char* h : {"0.0.0.0", "::", "10.0.0.1", "128.0.0.1", "studio-b", ""}) {
        EXPECT_FALSE(is_loopback(h)) << h;
    }
}

TEST(address, control_urls_are_http_host_and_port_alone) {
    EXPECT_EQ(*parse_control_url("http://127.0.0.1:8751"), (host_port{"127.0.0.1", 8751}));
    EXPECT_EQ(*parse_control_url("http://[::1]:8751/"), (host_port{"::1", 8751}));
    EXPECT_EQ(control_url(*parse_control_url("http://[::1]:8751/")), "http://[::1]:8751");
    EXPECT_EQ(control_url({"backup", 8750}), "http://backup:8750");
    EXPECT_EQ(parse_control_url("https://a:1").error(),
              "only http:// URLs are served: the API speaks plain HTTP");
    EXPECT_EQ(parse_control_url("ftp://a:1").error(), "it does not start with http://");
    EXPECT_EQ(parse_control_url("a:1").error(), "it does not start with http://");
    EXPECT_EQ(parse_control_url("http://").error(), "the host is missing");
    EXPECT_EQ(parse_control_url("http://a").error(), "the port is missing");
    for (const char* u : {"http://a:1/api", "http://a:1?x=1", "http://u:p@a:1", "http://a:1#x"}) {
        EXPECT_EQ(parse_control_url(u).error(),
                  "give the daemon's address alone, without a path, query or user")
            << u;
    }
}

config load(const temp_dir& dir, const std::string& control, core::diagnostics& diags) {
    write_file(dir / "tv.yaml", "breaks:\n  - {id: hourly, every: 1h, length: 60s}\n");
    const auto file = write_file(dir / "onair.yaml",
                                 "station: S\nstate_dir: var\ncontrol:\n" + control +
                                     "channels:\n  - id: ch\n    kind: tv\n    timezone: UTC\n"
                                     "    schedule: tv.yaml\n    outputs: [{type: null}]\n");
    test::scoped_cwd cwd(dir.path());
    auto cfg = load_config("onair.yaml", diags);
    if (!cfg) {
        throw std::runtime_error("the config did not load");
    }
    return *cfg;
}

TEST(load_config, peers_load_in_order_as_control_urls) {
    temp_dir dir;
    core::diagnostics diags;
    auto cfg =
        load(dir,
             "  listen: 127.0.0.1:8750\n"
             "  peers: [http://127.0.0.1:8751, \"http://[::1]:8752/\", http://backup:8750]\n",
             diags);
    EXPECT_TRUE(diags.empty()) << test::joined(lines_of(diags));
    ASSERT_EQ(cfg.api.peers.size(), 3u);
    EXPECT_EQ(cfg.api.peers[0].url, "http://127.0.0.1:8751");
    EXPECT_EQ(cfg.api.peers[1].url, "http://[::1]:8752");
    EXPECT_EQ(cfg.api.peers[1].host, "::1");
    EXPECT_EQ(cfg.api.peers[1].port, 8752);
    EXPECT_EQ(cfg.api.peers[2].host, "backup");
    EXPECT_EQ(cfg.api.peers[2].where.line, 5);
    // none, or null: no peers
    EXPECT_TRUE(load(dir, "  peers: null\n", diags).api.peers.empty());
    EXPECT_TRUE(load(dir, "  peers: []\n", diags).api.peers.empty());
    EXPECT_TRUE(diags.empty()) << test::joined(lines_of(diags));
}

TEST(load_config, peers_are_a_list_of_at_most_64) {
    temp_dir dir;
    core::diagnostics diags;
    load(dir, "  peers: http://127.0.0.1:8751\n", diags);
    EXPECT_EQ(lines_of(diags),
              std::vector<std::string>{"onair.yaml:4:10: error: field 'control.peers': expected a "
                                       "list, found 'http://127.0.0.1:8751'"});
    std::string many = "  peers:\n";
    for (int i = 0; i < 65; ++i) {
        many += "    - http://127.0.0.1:" + std::to_string(9000 + i) + "\n";
    }
    core::diagnostics too_many;
    load(dir, many, too_many);
    EXPECT_EQ(lines_of(too_many),
              std::vector<std::string>{"onair.yaml:5:5: error: field 'control.peers': expected at "
                                       "most 64 peers, found 65"});
}

} // namespace
} // namespace onair::schedule
