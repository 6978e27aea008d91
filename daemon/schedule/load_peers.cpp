// control.peers: the control URLs of the station's other daemons, for `onair status`.

#include "schedule/address.hpp"
#include "schedule/load_detail.hpp"
#include "schedule/yaml_reader.hpp"

#include <map>

namespace onair::schedule::detail {

namespace {

// `onair status` asks every peer at once, each on a thread of its own: a bound on those, far
// above a station's daemons (a main and a backup, a unit per channel).
constexpr std::size_t max_peers = 64;

} // namespace

void read_peers(reader& r, const field& f, control& out) {
    if (f.is_null()) {
        return;
    }
    auto items = r.sequence(f);
    if (!items) {
        return;
    }
    if (items->size() > max_peers) {
        r.error(f.value_at, "field '" + f.name + "': expected at most " +
                                std::to_string(max_peers) + " peers, found " +
                                std::to_string(items->size()));
        return;
    }
    std::map<std::string, core::location> seen; // by URL as shown, to name the first one
    for (const auto& item : *items) {
        auto text = r.string(item);
        if (!text) {
            continue;
        }
        auto at = parse_control_url(*text);
        if (!at) {
            r.error(item.value_at, "field '" + item.name +
                                       "': expected a control URL such as "
                                       "http://127.0.0.1:8751 (" +
                                       at.error() + "), found '" + shorten(*text) + "'");
            continue;
        }
        control_peer p{control_url(*at), at->host, at->port, item.value_at};
        if (auto [it, fresh] = seen.emplace(p.url, item.value_at); !fresh) {
            r.error(item.value_at, "field '" + item.name + "': " + p.url +
                                       " is listed already, at line " +
                                       std::to_string(it->second.line));
            continue;
        }
        out.peers.push_back(std::move(p));
    }
}

} // namespace onair::schedule::detail
