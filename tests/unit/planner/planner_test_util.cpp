#include "planner_test_util.hpp"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace onair::planner::test {

std::shared_ptr<const schedule::schedule> load_yaml(const std::string& yaml) {
    static std::atomic<int> counter{0};
    auto dir = std::filesystem::temp_directory_path() /
               ("onair-planner-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto file = dir / ("schedule-" + std::to_string(counter++) + ".yaml");
    std::ofstream(file) << yaml;
    core::diagnostics diags;
    auto s = schedule::load_schedule(file, {}, diags);
    std::filesystem::remove(file);
    std::string all;
    for (const auto& d : diags.sorted()) {
        if (d.level == core::severity::error) {
            all += core::format(d) + "\n";
        }
    }
    EXPECT_TRUE(all.empty()) << all;
    EXPECT_TRUE(s.has_value());
    return std::make_shared<const schedule::schedule>(s.value_or(schedule::schedule{}));
}

planner make_planner(const std::string& yaml, const std::string& zone, durations lengths,
                     std::string channel) {
    channel_input in;
    in.channel_id = std::move(channel);
    in.zone = date::locate_zone(zone);
    in.sched = load_yaml(yaml);
    for (const auto& [id, m] : in.sched->media) {
        if (m.duration && !lengths.count(id)) {
            lengths[id] = *m.duration;
        }
    }
    in.media_durations = std::move(lengths);
    return planner(std::move(in));
}

instant local(const std::string& zone, const std::string& wall) {
    auto ts = core::parse_timestamp(wall);
    EXPECT_TRUE(ts) << ts.error();
    return core::to_instant(*ts, *date::locate_zone(zone));
}

local_days day(const std::string& ymd) {
    return *core::parse_date(ymd);
}

std::vector<std::string> lines(const std::vector<item>& items, const std::string& zone) {
    std::vector<std::string> out;
    for (const auto& it : items) {
        auto t = core::format_iso(it.start, *date::locate_zone(zone));
        out.push_back(t.substr(11, 12) + " " + it.media);
    }
    return out;
}

std::vector<std::string> lines(const rundown& r, const std::string& zone) {
    return lines(r.items, zone);
}

} // namespace onair::planner::test
