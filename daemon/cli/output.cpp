#include "cli/output.hpp"

#include "cli/cli.hpp"
#include "media/check.hpp"

#include <iostream>
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

std::optional<channel_setup> load_channel(const std::string& command, const std::string& config,
                                          const std::string& channel_id, int& exit_code) {
    exit_code = input_error;
    core::diagnostics diags;
    auto st = schedule::load_station(config, diags);
    if (!st) {
        print_diagnostics(std::cerr, diags);
        return std::nullopt;
    }
    // Errors in the config itself (a channel entry among them) stop everything.
    core::diagnostics config_errors;
    for (const auto& d : diags.all()) {
        if (d.where.file == schedule::display_path(config)) {
            config_errors.add(d);
        }
    }
    if (config_errors.has_errors()) {
        print_diagnostics(std::cerr, config_errors);
        return std::nullopt;
    }
    std::size_t index = st->cfg.channels.size();
    for (std::size_t i = 0; i < st->cfg.channels.size(); ++i) {
        if (st->cfg.channels[i].id == channel_id) {
            index = i;
        }
    }
    if (index == st->cfg.channels.size()) {
        std::cerr << "onair " << command << ": no channel '" << channel_id << "' in " << config
                  << "; it has:";
        for (const auto& c : st->cfg.channels) {
            std::cerr << ' ' << c.id;
        }
        std::cerr << '\n';
        exit_code = usage_error;
        return std::nullopt;
    }
    // Beyond the config, only this channel's schedule matters: a broken schedule of another
    // channel does not stop an operator from working on this one.
    core::diagnostics own, others;
    const std::string schedule_file = schedule::display_path(st->cfg.channels[index].schedule_file);
    for (const auto& d : diags.all()) {
        (d.where.file == schedule_file ? own : others).add(d);
    }
    if (own.has_errors() || !st->schedules[index]) {
        print_diagnostics(std::cerr, own);
        return std::nullopt;
    }
    if (others.has_errors()) {
        std::cerr << "onair " << command << ": note: other channels have " << others.error_count()
                  << " errors; see onair check\n";
    }
    core::diagnostics probe_diags;
    media::prober prober(probe_cache_path(st->cfg));
    auto durations = media::media_durations(*st->schedules[index], prober, probe_diags);
    prober.save();
    if (probe_diags.has_errors()) {
        print_diagnostics(std::cerr, probe_diags);
        return std::nullopt;
    }
    channel_setup out{std::move(*st), index, {}};
    out.input = channel_input_for(out.st, index, std::move(durations));
    exit_code = ok;
    return out;
}

} // namespace onair::cli
