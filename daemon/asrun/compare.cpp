#include "asrun/compare.hpp"

#include "asrun/export.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <numeric>
#include <ostream>
#include <tuple>

namespace onair::asrun {
namespace {

using json = nlohmann::ordered_json;

// The order of slots: scheduled start first, so that a difference list reads as the day went.
auto slot_key(const airing& a) {
    return std::tie(a.scheduled_start, a.channel, a.kind, a.media);
}

bool same_slot(const airing& a, const airing& b) {
    return slot_key(a) == slot_key(b);
}

// |b - a| beyond one frame: |d| > num/den ms, exactly, as |d| * den > num.
bool beyond_a_frame(core::milliseconds d, const frame_length& frame) {
    const auto magnitude = d.count() < 0 ? -d.count() : d.count();
    return magnitude * frame.den > frame.num;
}

void compare_pair(const airing& l, const airing& o, const frame_length& frame, comparison& out) {
    slot_difference d;
    d.frame = frame;
    // A row on air has no status yet; its end decides it, so only two completed rows disagree.
    if (!l.open() && !o.open() && l.status != o.status) {
        d.what.push_back(difference::status);
    }
    if (l.actual_start && o.actual_start) {
        d.apart = *o.actual_start - *l.actual_start;
        if (beyond_a_frame(*d.apart, frame)) {
            d.what.push_back(difference::actual_start);
        }
    } else if (l.actual_start.has_value() != o.actual_start.has_value()) {
        d.what.push_back(difference::actual_start);
    }
    if (l.media_sha256 && o.media_sha256 && !l.media_sha256->empty() && !o.media_sha256->empty() &&
        *l.media_sha256 != *o.media_sha256) {
        d.what.push_back(difference::media_sha256);
    }
    if (!d.what.empty()) {
        d.local = l;
        d.other = o;
        out.differences.push_back(std::move(d));
    }
}

void one_side(const airing& row, bool local, const frame_length& frame, comparison& out) {
    slot_difference d;
    d.frame = frame;
    (local ? d.local : d.other) = row;
    d.what.push_back(local ? difference::only_local : difference::only_other);
    out.differences.push_back(std::move(d));
}

core::result<core::instant> instant_of(const std::string& text) {
    auto ts = core::parse_timestamp(text);
    if (!ts) {
        return core::result<core::instant>::failure(ts.error());
    }
    if (!ts->utc_offset) {
        return core::result<core::instant>::failure("'" + text + "' has no UTC offset");
    }
    return core::to_instant(*ts, *core::find_zone("UTC"));
}

// One row of a JSON export read back; the first problem is kept, naming the row and field.
class json_row {
public:
    json_row(const json& o, std::size_t n) : o_(o), n_(n) {}

    std::optional<airing> read(const std::string& zone_name) {
        if (!o_.is_object()) {
            problem_ = "row " + std::to_string(n_) + ": expected an object, found " +
                       std::string(o_.type_name());
            return std::nullopt;
        }
        airing a;
        a.channel = text("channel", true).value_or("");
        a.media = text("media", true).value_or("");
        if (auto k = text("kind", true)) {
            if (auto kind = parse_kind(*k)) {
                a.kind = *kind;
            } else {
                bad("kind", "spot, programme, insert or make-good, found '" + *k + "'");
            }
        }
        a.scheduled_start = time("scheduled_start", true).value_or(core::instant{});
        a.scheduled_end = time("scheduled_end", false).value_or(a.scheduled_start);
        a.actual_start = time("actual_start", false);
        a.actual_end = time("actual_end", false);
        if (auto s = text("status", false)) {
            a.status = parse_status(*s);
            if (!a.status) {
                bad("status",
                    "aired, truncated, failed, skipped or interrupted, found '" + *s + "'");
            }
        }
        a.detail = text("detail", false);
        a.media_sha256 = text("media_sha256", false);
        a.campaign = text("campaign", false);
        a.break_id = text("break", false);
        a.title = text("title", false).value_or("");
        a.timezone = zone_name;
        if (!problem_.empty()) {
            return std::nullopt;
        }
        return a;
    }
    const std::string& problem() const { return problem_; }

private:
    void bad(const std::string& key, const std::string& expected) {
        if (problem_.empty()) {
            problem_ = "row " + std::to_string(n_) + ": field '" + key + "': expected " + expected;
        }
    }
    std::optional<std::string> text(const char* key, bool required) {
        auto it = o_.find(key);
        if (it == o_.end() || it->is_null()) {
            if (required) {
                bad(key, "a string, found none");
            }
            return std::nullopt;
        }
        if (!it->is_string()) {
            bad(key, "a string, found " + std::string(it->type_name()));
            return std::nullopt;
        }
        return it->get<std::string>();
    }
    std::optional<core::instant> time(const char* key, bool required) {
        auto t = text(key, required);
        if (!t) {
            return std::nullopt;
        }
        auto at = instant_of(*t);
        if (!at) {
            bad(key, "an ISO 8601 timestamp with its offset (" + at.error() + ")");
            return std::nullopt;
        }
        return *at;
    }

    const json& o_;
    std::size_t n_;
    std::string problem_;
};

} // namespace

frame_length video_frame(int fps_num, int fps_den) {
    frame_length f{1000LL * std::max(fps_den, 1), std::max(fps_num, 1)};
    const auto g = std::gcd(f.num, f.den);
    return {f.num / g, f.den / g};
}

const char* to_string(difference d) {
    switch (d) {
    case difference::only_local:
        return "only_local";
    case difference::only_other:
        return "only_other";
    case difference::status:
        return "status";
    case difference::actual_start:
        return "actual_start";
    case difference::media_sha256:
        return "media_sha256";
    }
    return "?";
}

comparison compare_airings(std::vector<airing> local, std::vector<airing> other,
                           const std::function<frame_length(const std::string&)>& frame_of) {
    // stable: rows of one slot keep their order (by id), which pairs them
    auto by_slot = [](const airing& a, const airing& b) { return slot_key(a) < slot_key(b); };
    std::stable_sort(local.begin(), local.end(), by_slot);
    std::stable_sort(other.begin(), other.end(), by_slot);
    comparison out;
    std::size_t i = 0, j = 0;
    while (i < local.size() || j < other.size()) {
        const airing& head = j == other.size() || (i < local.size() && by_slot(local[i], other[j]))
                                 ? local[i]
                                 : other[j];
        const auto frame = frame_of(head.channel);
        ++out.slots;
        std::size_t li = i, oj = j;
        while (li < local.size() && same_slot(local[li], head)) {
            ++li;
        }
        while (oj < other.size() && same_slot(other[oj], head)) {
            ++oj;
        }
        // the slot's rows on each side, paired in order; the rest are one-sided
        for (; i < li && j < oj; ++i, ++j) {
            compare_pair(local[i], other[j], frame, out);
        }
        for (; i < li; ++i) {
            one_side(local[i], true, frame, out);
        }
        for (; j < oj; ++j) {
            one_side(other[j], false, frame, out);
        }
    }
    return out;
}

core::result<std::vector<airing>> airings_from_json(std::string_view text,
                                                    const std::string& zone_name) {
    using failed = core::result<std::vector<airing>>;
    const auto doc = json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_array()) {
        return failed::failure("not an as-run export: expected a JSON array of rows");
    }
    std::vector<airing> rows;
    rows.reserve(doc.size());
    for (const auto& o : doc) {
        json_row r(o, rows.size() + 1);
        auto a = r.read(zone_name);
        if (!a) {
            return failed::failure(r.problem());
        }
        rows.push_back(std::move(*a));
    }
    return rows;
}

} // namespace onair::asrun
