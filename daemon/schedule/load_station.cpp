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

std::optional<station> load_station(const std::filesystem::path& config_file,
                                    core::diagnostics& diags) {
    std::vector<detail::unchecked_schedule> unchecked;
    auto cfg = detail::load_config(config_file, diags, &unchecked);
    if (!cfg) {
        return std::nullopt;
    }
    station st;
    st.cfg = std::move(*cfg);
    std::map<std::filesystem::path, std::shared_ptr<const schedule>> loaded;
    for (const auto& ch : st.cfg.channels) {
        auto it = loaded.find(ch.schedule_file);
        if (it == loaded.end()) {
            auto s = load_schedule(ch.schedule_file, ch.schedule_where, diags);
            std::shared_ptr<const schedule> ptr =
                s ? std::make_shared<const schedule>(std::move(*s)) : nullptr;
            it = loaded.emplace(ch.schedule_file, ptr).first;
        }
        st.schedules.push_back(it->second);
    }
    // Schedules of channels dropped for their own errors: checked, not kept.
    for (const auto& u : unchecked) {
        if (loaded.find(u.file) == loaded.end()) {
            auto s = load_schedule(u.file, u.named_at, diags);
            loaded.emplace(u.file, s ? std::make_shared<const schedule>(std::move(*s)) : nullptr);
        }
    }
    return st;
}

} // namespace onair::schedule
