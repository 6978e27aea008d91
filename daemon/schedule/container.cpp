#include "schedule/container.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

namespace onair::schedule {
namespace {

struct entry {
    std::string_view extension;
    container what;
    bool video; // carries video: a tv channel can write it
};

// In the order messages list them.
constexpr std::array<entry, 5> containers{{
    {".mkv", container::mkv, true},
    {".mp3", container::mp3, false},
    {".ogg", container::ogg, false},
    {".ts", container::ts, true},
    {".wav", container::wav, false},
}};

bool writes(channel_kind kind, const entry& e) {
    return e.video || kind == channel_kind::radio;
}

} // namespace

std::optional<container> container_for(channel_kind kind, const std::filesystem::path& file) {
    std::string ext = file.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (const auto& e : containers) {
        if (e.extension == ext && writes(kind, e)) {
            return e.what;
        }
    }
    return std::nullopt;
}

std::string container_extensions(channel_kind kind) {
    std::string list;
    for (const auto& e : containers) {
        if (writes(kind, e)) {
            list += (list.empty() ? "" : ", ") + std::string(e.extension);
        }
    }
    return list;
}

} // namespace onair::schedule
