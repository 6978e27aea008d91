#include "asrun/airing.hpp"

#include <array>
#include <utility>

namespace onair::asrun {
namespace {

constexpr std::array<std::pair<airing_kind, const char*>, 4> kinds{{
    {airing_kind::spot, "spot"},
    {airing_kind::programme, "programme"},
    {airing_kind::insert, "insert"},
    {airing_kind::make_good, "make-good"},
}};

constexpr std::array<std::pair<airing_status, const char*>, 5> statuses{{
    {airing_status::aired, "aired"},
    {airing_status::truncated, "truncated"},
    {airing_status::failed, "failed"},
    {airing_status::skipped, "skipped"},
    {airing_status::interrupted, "interrupted"},
}};

template <class E, std::size_t N>
const char* name_of(const std::array<std::pair<E, const char*>, N>& names, E value) {
    for (const auto& [v, name] : names) {
        if (v == value) {
            return name;
        }
    }
    return "?";
}

template <class E, std::size_t N>
std::optional<E> value_of(const std::array<std::pair<E, const char*>, N>& names,
                          std::string_view text) {
    for (const auto& [v, name] : names) {
        if (text == name) {
            return v;
        }
    }
    return std::nullopt;
}

} // namespace

const char* to_string(airing_kind k) {
    return name_of(kinds, k);
}
const char* to_string(airing_status s) {
    return name_of(statuses, s);
}
std::optional<airing_kind> parse_kind(std::string_view text) {
    return value_of(kinds, text);
}
std::optional<airing_status> parse_status(std::string_view text) {
    return value_of(statuses, text);
}

} // namespace onair::asrun
