#include "planner/planner.hpp"
#include "planner/detail.hpp"

#include <algorithm>

namespace onair::planner {

const char* to_string(item_kind k) {
    switch (k) {
    case item_kind::spot:
        return "spot";
    case item_kind::programme:
        return "programme";
    case item_kind::make_good:
        return "make-good";
    }
    return "?";
}

planner::planner(channel_input input) : impl_(std::make_unique<impl>(std::move(input))) {}
planner::~planner() = default;
planner::planner(planner&&) noexcept = default;
planner& planner::operator=(planner&&) noexcept = default;

const channel_input& planner::input() const {
    return impl_->input;
}

std::vector<day_plan> planner::plan_days(local_days first, local_days last) {
    std::vector<day_plan> out;
    detail::carry state = impl_->carry_for(first);
    for (local_days d = first; d <= last; d += date::days{1}) {
        impl_->remember(d, state);
        out.push_back(detail::plan_one_day(impl_->input, impl_->compiled, d, state));
    }
    return out;
}

local_days planner::local_day_of(instant t) const {
    auto local = date::make_zoned(impl_->input.zone, t).get_local_time();
    return date::floor<date::days>(local);
}

instant planner::day_start(local_days d) const {
    return core::resolve_local(*impl_->input.zone, core::local_ms{d});
}

rundown planner::plan_window(instant from, instant to) {
    rundown out;
    if (!(from < to)) {
        return out;
    }
    // Items of the day before can run past midnight into the window.
    const local_days first = local_day_of(from) - date::days{1};
    const local_days last = local_day_of(to - milliseconds{1});
    for (auto& day : plan_days(first, last)) {
        for (auto& it : day.plan.items) {
            if (it.end > from && it.start < to) {
                out.items.push_back(std::move(it));
            }
        }
        for (auto& d : day.plan.dropped) {
            if (d.at >= from && d.at < to) {
                out.dropped.push_back(std::move(d));
            }
        }
    }
    return out;
}

} // namespace onair::planner
