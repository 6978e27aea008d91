#include "asrun/window.hpp"

namespace onair::asrun {

core::result<core::instant> parse_bound(std::string_view text, const date::time_zone& zone) {
    // A bare date is exactly ten characters; anything longer is read as a timestamp so its
    // error message is the one the operator needs.
    if (text.size() == 10) {
        auto day = core::parse_date(text);
        if (!day) {
            return core::result<core::instant>::failure(day.error());
        }
        return core::resolve_local(zone, core::local_ms{*day});
    }
    auto ts = core::parse_timestamp(text);
    if (!ts) {
        return core::result<core::instant>::failure(ts.error());
    }
    return core::to_instant(*ts, zone);
}

} // namespace onair::asrun
