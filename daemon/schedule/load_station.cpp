#include "schedule/load.hpp"
#include "schedule/load_detail.hpp"

#include <map>

namespace onair::schedule {

std::string display_path(const std::filesystem::path& p) {
    if (p.is_relative()) {
        return p.lexically_normal().string();
    }
    std::error_code ec;
    auto cwd = std::filesystem::current_path(ec);
    if (!ec) {
        auto rel = p.lexically_relative(cwd);
        if (!rel.empty() && *rel.begin() != "..") {
            return rel.string();
        }
    }
    return p.string();
}

const schedule* station::schedule_of(const std::string& channel_id) const {
    for (std::size_t i = 0; i < cfg.channels.size(); ++i) {
        if (cfg.channels[i].id == channel_id) {
            return schedules[i].get();
        }
    }
    return nullptr;
}

namespace {

std::optional<station> load(const std::filesystem::path& config_file, core::diagnostics& diags,
                            std::vector<schedule_report>* reports) {
    std::vector<detail::unchecked_schedule> unchecked;
    auto cfg = detail::load_config(config_file, diags, &unchecked);
    if (!cfg) {
        return std::nullopt;
    }
    station st;
    st.cfg = std::move(*cfg);
    struct loaded_file {
        std::shared_ptr<const schedule> sched;
        bool broken = false;
        std::size_t report = 0;
    };
    std::map<std::filesystem::path, loaded_file> loaded;
    auto load_one = [&](const std::filesystem::path& file, const core::location& named_at) {
        core::diagnostics own;
        auto s = load_schedule(file, named_at, own);
        loaded_file out;
        out.sched = s ? std::make_shared<const schedule>(std::move(*s)) : nullptr;
        out.broken = !out.sched || own.has_errors();
        if (reports) {
            out.report = reports->size();
            reports->push_back({file, named_at, {}, std::move(own)});
        } else {
            diags.append(own);
        }
        return loaded.emplace(file, std::move(out)).first;
    };
    for (const auto& ch : st.cfg.channels) {
        auto it = loaded.find(ch.schedule_file);
        if (it == loaded.end()) {
            it = load_one(ch.schedule_file, ch.schedule_where);
        }
        st.schedules.push_back(it->second.sched);
        st.broken_schedule.push_back(it->second.broken);
        if (reports) {
            (*reports)[it->second.report].channels.push_back(ch.id);
        }
    }
    // Schedules of channels dropped for their own errors: checked, not kept.
    for (const auto& u : unchecked) {
        if (loaded.find(u.file) == loaded.end()) {
            load_one(u.file, u.named_at);
        }
    }
    return st;
}

} // namespace

std::optional<station> load_station(const std::filesystem::path& config_file,
                                    core::diagnostics& diags) {
    return load(config_file, diags, nullptr);
}

std::optional<station> load_station(const std::filesystem::path& config_file,
                                    core::diagnostics& diags,
                                    std::vector<schedule_report>& schedules) {
    return load(config_file, diags, &schedules);
}

} // namespace onair::schedule
