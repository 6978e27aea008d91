#include "cli/output.hpp"

#include <ostream>

namespace onair::cli {

void print_diagnostics(std::ostream& out, const core::diagnostics& diags) {
    for (const auto& d : diags.sorted()) {
        out << core::format(d) << '\n';
    }
}

nlohmann::ordered_json diagnostics_json(const core::diagnostics& diags) {
    auto list = nlohmann::ordered_json::array();
    for (const auto& d : diags.sorted()) {
        nlohmann::ordered_json j;
        j["file"] = d.where.file;
        j["line"] = d.where.line;
        j["column"] = d.where.column;
        j["severity"] = core::to_string(d.level);
        j["message"] = d.message;
        list.push_back(std::move(j));
    }
    return list;
}

planner::channel_input channel_input_for(const schedule::station& st, std::size_t channel,
                                         planner::durations media_durations) {
    const auto& ch = st.cfg.channels.at(channel);
    planner::channel_input in;
    in.channel_id = ch.id;
    in.zone = ch.zone;
    in.sched = st.schedules.at(channel);
    in.media_durations = std::move(media_durations);
    if (ch.kind == schedule::channel_kind::tv && ch.video) {
        in.frame_duration = std::pair{ch.video->framerate_den, ch.video->framerate_num};
    }
    return in;
}

std::filesystem::path probe_cache_path(const schedule::config& cfg) {
    if (cfg.state_dir.empty()) {
        return {};
    }
    return cfg.state_dir / "probe-cache.json";
}

} // namespace onair::cli
