#include "schedule/load.hpp"
#include "schedule/yaml_reader.hpp"

#include "core/ids.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <set>

namespace onair::schedule {
namespace {

using detail::field;
using detail::map_fields;
using detail::reader;

// "unknown media 'x'" plus the closest known id, if any is close.
std::string unknown_ref(const std::string& what, const std::string& id,
                        const std::map<std::string, media_item>& known) {
    std::string msg = "unknown " + what + " '" + id + "'";
    std::vector<std::string> ids;
    for (const auto& [k, v] : known) {
        ids.push_back(k);
    }
    if (auto best = detail::closest(id, ids)) {
        msg += " (did you mean '" + *best + "'?)";
    } else if (known.empty()) {
        msg += "; the schedule's 'media' section is empty";
    }
    return msg;
}

std::optional<media_item> read_media(reader& r, const std::string& id, const field& f) {
    map_fields m(r, f, {"file", "title", "duration"});
    if (!m.ok()) {
        return std::nullopt;
    }
    media_item item;
    item.id = id;
    item.where = f.key_at;
    bool ok = true;
    field file = m.require("file");
    if (auto p = file.present() ? r.file_path(file) : std::nullopt) {
        item.file = *p;
        item.file_where = file.value_at;
    } else {
        ok = false;
    }
    if (field t = m.get("title"); t.present()) {
        auto s = r.string(t);
        ok = ok && s;
        item.title = s.value_or("");
    } else {
        item.title = id;
    }
    if (field d = m.get("duration"); d.present()) {
        item.duration = r.duration(d);
        item.duration_where = d.value_at;
        ok = ok && item.duration;
    }
    if (!ok) {
        return std::nullopt;
    }
    return item;
}

// `used` collects every media id the entry names, even when the entry has other errors: a
// campaign with a typo in its dates still uses its spots, and saying otherwise is noise.
// Long: one block per campaign field, in the order docs/schedule.md lists them.
std::optional<campaign> read_campaign(reader& r, const std::string& id, const field& f,
                                      const schedule& s, std::set<std::string>& used) {
    map_fields m(r, f,
                 {"title", "from", "until", "spots", "rotation", "weight", "max_per_day", "min_gap",
                  "dayparts", "make_good"});
    if (!m.ok()) {
        return std::nullopt;
    }
    campaign c;
    c.id = id;
    c.where = f.key_at;
    bool ok = true;
    if (field t = m.get("title"); t.present()) {
        auto v = r.string(t);
        ok = ok && v;
        c.title = v.value_or("");
    } else {
        c.title = id;
    }
    field from = m.require("from");
    field until = m.require("until");
    auto fd = from.present() ? r.date(from) : std::nullopt;
    auto ud = until.present() ? r.date(until) : std::nullopt;
    if (fd && ud && *ud < *fd) {
        r.error(until.value_at, "field '" + until.name + "': " + core::format_date(*ud) +
                                    " is before 'from' " + core::format_date(*fd));
        ok = false;
    }
    ok = ok && fd && ud;
    if (fd && ud) {
        c.from = *fd;
        c.until = *ud;
    }
    field spots = m.require("spots");
    if (auto items = spots.present() ? r.sequence(spots) : std::nullopt) {
        if (items->empty()) {
            r.error(spots.value_at, "field '" + spots.name +
                                        "': expected at least one spot, found "
                                        "none");
            ok = false;
        }
        for (const auto& item : *items) {
            auto ref = r.id(item);
            if (!ref) {
                ok = false;
                continue;
            }
            used.insert(*ref);
            if (!s.find_media(*ref)) {
                r.error(item.value_at,
                        "field '" + item.name + "': " + unknown_ref("media", *ref, s.media));
                ok = false;
                continue;
            }
            c.spots.push_back(*ref);
            c.spot_where.push_back(item.value_at);
        }
    } else {
        ok = false;
    }
    if (field rot = m.get("rotation"); rot.present()) {
        auto v = r.choice(rot, {"sequential", "shuffle"});
        ok = ok && v;
        c.order = v && *v == "shuffle" ? rotation::shuffle : rotation::sequential;
    }
    if (field w = m.get("weight"); w.present()) {
        auto v = r.integer(w, 1, 1000);
        ok = ok && v;
        c.weight = static_cast<int>(v.value_or(1));
    }
    if (field x = m.get("max_per_day"); x.present() && !x.is_null()) {
        auto v = r.integer(x, 1, 100000);
        ok = ok && v;
        if (v) {
            c.max_per_day = static_cast<int>(*v);
        }
    }
    if (field g = m.get("min_gap"); g.present() && !g.is_null()) {
        auto v = r.duration(g);
        ok = ok && v;
        if (v && *v > core::one_day * 7) {
            r.error(g.value_at, "field '" + g.name + "': " + core::format_duration(*v) +
                                    " is longer than a week");
            ok = false;
        }
        c.min_gap = v;
    }
    if (field mg = m.get("make_good"); mg.present() && !mg.is_null()) {
        map_fields k(r, mg, {"within"});
        ok = ok && k.ok();
        if (k.ok()) {
            field w = k.require("within");
            auto v = w.present() ? r.duration(w) : std::nullopt;
            ok = ok && v;
            if (v && (*v <= milliseconds{0} || *v > core::one_day * 7)) {
                r.error(w.value_at, "field '" + w.name + "': " + core::format_duration(*v) +
                                        " is not between 1 ms and a week");
                ok = false;
            } else if (v) {
                c.make_good_within = v;
            }
        }
    }
    if (field dp = m.get("dayparts"); dp.present() && !dp.is_null()) {
        if (auto items = r.sequence(dp)) {
            if (items->empty()) {
                r.error(dp.value_at, "field '" + dp.name +
                                         "': an empty list would never air; "
                                         "leave 'dayparts' out to air all day");
                ok = false;
            }
            for (const auto& item : *items) {
                auto w = r.window(item);
                ok = ok && w;
                if (w) {
                    c.dayparts.push_back(*w);
                }
            }
        } else {
            ok = false;
        }
    }
    if (!ok) {
        return std::nullopt;
    }
    return c;
}

// Duplicate ids are caught here, at the id, whatever else is wrong with either entry.
bool fresh_id(reader& r, std::map<std::string, core::location>& ids, const std::string& kind,
              const std::string& id, const core::location& at) {
    if (auto [it, fresh] = ids.emplace(id, at); !fresh) {
        r.error(at, "duplicate " + kind + " id '" + id + "' (first at line " +
                        std::to_string(it->second.line) + ")");
        return false;
    }
    return true;
}

// Long: one block per break field, in the order docs/schedule.md lists them.
std::optional<break_rule> read_break(reader& r, const field& entry,
                                     std::map<std::string, core::location>& ids) {
    const field f = detail::named_by_id(entry, "breaks");
    map_fields m(r, f, {"id", "every", "at", "offset", "between", "length", "days"});
    if (!m.ok()) {
        return std::nullopt;
    }
    break_rule b;
    b.where = m.where();
    bool ok = true;
    field id = m.require("id");
    if (auto v = id.present() ? r.id(id) : std::nullopt) {
        b.id = *v;
        ok = fresh_id(r, ids, "break", b.id, id.value_at);
    } else {
        ok = false;
    }
    field every = m.get("every");
    field at = m.get("at");
    if (every.present() && at.present()) {
        // at the later of the two: that is the line to delete
        const field& second = every.key_at.line > at.key_at.line ? every : at;
        r.error(second.key_at, "field '" + m.name() + "': give either 'every' or 'at', not both");
        ok = false;
    } else if (!every.present() && !at.present()) {
        r.error(m.where(),
                "field '" + m.name() + "': missing 'every' or 'at' (a break needs one of them)");
        ok = false;
    }
    if (every.present()) {
        b.every = r.duration(every);
        if (b.every && *b.every < limits::shortest_break) {
            r.error(every.value_at, "field '" + every.name + "': expected at least " +
                                        core::format_duration(limits::shortest_break) +
                                        " between breaks, found '" + every.value.Scalar() + "'");
            b.every.reset();
        } else if (b.every && *b.every > core::one_day) {
            r.error(every.value_at, "field '" + every.name +
                                        "': " + core::format_duration(*b.every) +
                                        " is longer than a day; use 'at' and 'days'");
            b.every.reset();
        }
        ok = ok && b.every;
        if (field off = m.get("offset"); off.present()) {
            auto v = r.duration(off, false);
            if (v && b.every && *v >= *b.every) {
                r.error(off.value_at, "field '" + off.name + "': " + core::format_duration(*v) +
                                          " must be less than 'every' (" +
                                          core::format_duration(*b.every) + ")");
                v.reset();
            }
            ok = ok && v;
            b.offset = v.value_or(core::milliseconds{0});
        }
        if (field btw = m.get("between"); btw.present()) {
            b.between = r.window(btw);
            ok = ok && b.between;
        }
    } else {
        for (const char* key : {"offset", "between"}) {
            if (field x = m.get(key); x.present() && at.present()) {
                r.error(x.key_at, "field '" + x.name + "' only applies with 'every'");
                ok = false;
            }
        }
    }
    if (at.present()) {
        if (auto items = r.sequence(at)) {
            if (items->empty()) {
                r.error(at.value_at, "field '" + at.name +
                                         "': expected at least one time, found "
                                         "none");
                ok = false;
            }
            std::set<core::milliseconds> seen;
            for (const auto& item : *items) {
                auto t = r.time_of_day(item);
                if (!t) {
                    ok = false;
                } else if (!seen.insert(*t).second) {
                    r.error(item.value_at, "field '" + item.name + "': " +
                                               core::format_time_of_day(*t) + " is listed twice");
                    ok = false;
                } else {
                    b.at.push_back(*t);
                }
            }
            std::sort(b.at.begin(), b.at.end());
        } else {
            ok = false;
        }
    }
    field len = m.require("length");
    if (auto v = len.present() ? r.duration(len) : std::nullopt) {
        b.length = *v;
        if (*v < limits::shortest_break) {
            r.error(len.value_at, "field '" + len.name + "': expected a break of at least " +
                                      core::format_duration(limits::shortest_break) + ", found '" +
                                      len.value.Scalar() + "'");
            ok = false;
        } else if (b.every && *v > *b.every) {
            r.error(len.value_at, "field '" + len.name + "': " + core::format_duration(*v) +
                                      " is longer than 'every' (" +
                                      core::format_duration(*b.every) + "): breaks would overlap");
            ok = false;
        }
    } else {
        ok = false;
    }
    if (field d = m.get("days"); d.present()) {
        auto v = r.weekdays(d);
        ok = ok && v;
        b.days = v.value_or(every_day);
    }
    if (!ok) {
        return std::nullopt;
    }
    return b;
}

std::optional<programme> read_programme(reader& r, const field& entry, const schedule& s,
                                        std::map<std::string, core::location>& ids,
                                        std::set<std::string>& used) {
    const field f = detail::named_by_id(entry, "programmes");
    map_fields m(r, f, {"id", "media", "at", "days", "from", "until"});
    if (!m.ok()) {
        return std::nullopt;
    }
    programme p;
    p.where = m.where();
    bool ok = true;
    field id = m.require("id");
    if (auto v = id.present() ? r.id(id) : std::nullopt) {
        p.id = *v;
        ok = fresh_id(r, ids, "programme", p.id, id.value_at);
    } else {
        ok = false;
    }
    field media = m.require("media");
    if (auto v = media.present() ? r.id(media) : std::nullopt) {
        used.insert(*v);
        if (!s.find_media(*v)) {
            r.error(media.value_at,
                    "field '" + media.name + "': " + unknown_ref("media", *v, s.media));
            ok = false;
        }
        p.media = *v;
        p.media_where = media.value_at;
    } else {
        ok = false;
    }
    field at = m.require("at");
    if (auto v = at.present() ? r.time_of_day(at) : std::nullopt) {
        p.at = *v;
    } else {
        ok = false;
    }
    if (field d = m.get("days"); d.present()) {
        auto v = r.weekdays(d);
        ok = ok && v;
        p.days = v.value_or(every_day);
    }
    field from = m.get("from");
    field until = m.get("until");
    if (from.present()) {
        p.from = r.date(from);
        ok = ok && p.from;
    }
    if (until.present()) {
        p.until = r.date(until);
        ok = ok && p.until;
    }
    if (p.from && p.until && *p.until < *p.from) {
        r.error(until.value_at, "field '" + until.name + "': " + core::format_date(*p.until) +
                                    " is before 'from' " + core::format_date(*p.from));
        ok = false;
    }
    if (!ok) {
        return std::nullopt;
    }
    return p;
}

std::optional<exception_rule> read_exception(reader& r, const field& f,
                                             std::map<core::local_days, core::location>& dates) {
    map_fields m(r, f, {"date", "skip"});
    if (!m.ok()) {
        return std::nullopt;
    }
    exception_rule e;
    e.where = m.where();
    bool ok = true;
    field d = m.require("date");
    if (auto v = d.present() ? r.date(d) : std::nullopt) {
        e.date = *v;
        if (auto [it, fresh] = dates.emplace(e.date, d.value_at); !fresh) {
            r.error(d.value_at, "field '" + d.name + "': a second exception for " +
                                    core::format_date(e.date) + " (first at line " +
                                    std::to_string(it->second.line) +
                                    "); list everything to skip in one");
            ok = false;
        }
    } else {
        ok = false;
    }
    field skip = m.require("skip");
    if (skip.present()) {
        std::vector<field> items;
        if (skip.value.IsScalar()) {
            items.push_back(skip); // "skip: all" reads as "skip: [all]"
        } else if (auto seq = r.sequence(skip)) {
            items = *seq;
            if (items.empty()) {
                r.error(skip.value_at, "field '" + skip.name +
                                           "': expected breaks, programmes "
                                           "or all, found an empty list");
                ok = false;
            }
        } else {
            ok = false;
        }
        for (const auto& item : items) {
            auto v = r.choice(item, {"breaks", "programmes", "all"});
            ok = ok && v;
            if (v) {
                e.skip_breaks |= *v != "programmes";
                e.skip_programmes |= *v != "breaks";
            }
        }
    } else {
        ok = false;
    }
    if (!ok) {
        return std::nullopt;
    }
    return e;
}

// One entry of an id-keyed map (media, campaigns).
struct id_entry {
    std::string id; // as written
    field value;
    bool keep = true; // false: a bad or duplicate id, already reported; read for its errors only
};

// The keys of an id-keyed map, each checked as an id, duplicates reported at the later key.
std::vector<id_entry> id_entries(reader& r, const field& f, const std::string& kind) {
    std::vector<id_entry> out;
    if (!f.present() || f.is_null()) {
        return out;
    }
    if (!f.value.IsMap()) {
        r.type_error(f, "a map of " + kind + " ids, each with its settings");
        return out;
    }
    std::map<std::string, int> seen;
    for (auto it = f.value.begin(); it != f.value.end(); ++it) {
        field key;
        key.value = it->first;
        key.exists = true;
        key.name = f.name;
        key.value_at = r.at(it->first);
        key.key_at = key.value_at;
        id_entry e;
        auto id = r.id(key);
        if (!id) {
            if (!it->first.IsScalar()) {
                continue;
            }
            e.keep = false;
            id = it->first.Scalar();
        } else if (auto [pos, fresh] = seen.emplace(*id, key.value_at.line); !fresh) {
            r.error(key.value_at, "duplicate " + kind + " id '" + *id + "' (first at line " +
                                      std::to_string(pos->second) + ")");
            e.keep = false;
        }
        e.id = *id;
        e.value.value = it->second;
        e.value.exists = true;
        e.value.name = f.name + "." + *id;
        e.value.key_at = key.value_at;
        e.value.value_at = it->second.IsNull() ? key.value_at : r.at(it->second);
        out.push_back(std::move(e));
    }
    return out;
}

// List-of-entries sections (breaks, programmes, exceptions).
std::vector<field> list_entries(reader& r, const field& f) {
    if (!f.present() || f.is_null()) {
        return {};
    }
    return r.sequence(f).value_or(std::vector<field>{});
}

// Times t = offset + k * every (k >= 0) with lo <= t < hi, for 0 <= lo <= hi <= 24h.
std::size_t grid_times(core::milliseconds offset, core::milliseconds every, core::milliseconds lo,
                       core::milliseconds hi) {
    // The first k whose time is at or after x
    auto first_at_or_after = [&](core::milliseconds x) -> long long {
        return x <= offset ? 0 : ((x - offset).count() + every.count() - 1) / every.count();
    };
    const long long n = first_at_or_after(hi) - first_at_or_after(lo);
    return n > 0 ? std::size_t(n) : 0;
}

// Bounds what one day of the schedule can hold, before anything is planned: the break times
// and programme starts on each weekday, counted in file order (breaks, then programmes). The
// entry that takes a weekday past the limit is reported and left out; so is every later entry
// that would, each on its own.
void check_items_per_day(reader& r, schedule& s) {
    static const char* const names[] = {"monday", "tuesday",  "wednesday", "thursday",
                                        "friday", "saturday", "sunday"};
    std::array<std::size_t, 7> total{};
    auto admit = [&](const std::array<std::size_t, 7>& own, const core::location& at,
                     const std::string& what, const std::string& hint) {
        for (unsigned wd = 0; wd < 7; ++wd) {
            if (total[wd] + own[wd] > limits::items_per_day) {
                r.error(at, what + " airs " +
                                (own[wd] == 1 ? std::string("once")
                                              : std::to_string(own[wd]) + " times") +
                                " on a " + names[wd] + ", which makes " +
                                std::to_string(total[wd] + own[wd]) +
                                " break times and programme starts in that day; expected at most " +
                                std::to_string(limits::items_per_day) + hint);
                return false;
            }
        }
        for (unsigned wd = 0; wd < 7; ++wd) {
            total[wd] += own[wd];
        }
        return true;
    };
    std::erase_if(s.breaks, [&](const break_rule& b) {
        std::array<std::size_t, 7> own{};
        for (unsigned wd = 0; wd < 7; ++wd) {
            own[wd] = break_times_on(b, wd);
        }
        return !admit(own, b.where, "break '" + b.id + "'",
                      b.every ? " (a longer 'every' or a narrower 'between' gives fewer)"
                              : " (list fewer 'at' times)");
    });
    std::erase_if(s.programmes, [&](const programme& p) {
        std::array<std::size_t, 7> own{};
        for (unsigned wd = 0; wd < 7; ++wd) {
            own[wd] = (p.days >> wd) & 1u;
        }
        return !admit(own, p.where, "programme '" + p.id + "'", "");
    });
}

} // namespace

// The `every` grid restarts at each midnight, and the hours after midnight of a `between` that
// crosses it belong to the day before (as the planner lays them out).
std::size_t break_times_on(const break_rule& b, unsigned wd) {
    const unsigned yesterday = (wd + 6) % 7;
    auto on = [&](unsigned d) { return (b.days >> d) & 1u; };
    if (!b.every) {
        return on(wd) ? b.at.size() : 0;
    }
    if (!b.between) {
        return on(wd) ? grid_times(b.offset, *b.every, {}, core::one_day) : 0;
    }
    const auto& w = *b.between;
    if (!w.crosses_midnight()) {
        return on(wd) ? grid_times(b.offset, *b.every, w.start, w.end) : 0;
    }
    return (on(wd) ? grid_times(b.offset, *b.every, w.start, core::one_day) : 0) +
           (on(yesterday) ? grid_times(b.offset, *b.every, {}, w.end) : 0);
}

std::optional<schedule> load_schedule(const std::filesystem::path& file,
                                      const core::location& named_at, core::diagnostics& diags) {
    const std::string display = display_path(file);
    auto doc = detail::read_yaml_file(file, display, named_at, diags);
    if (!doc) {
        return std::nullopt;
    }
    const std::size_t errors_before = diags.error_count();
    reader r(display, std::filesystem::absolute(file).parent_path(), diags, doc->text);
    field top;
    top.value = doc->root;
    top.exists = true;
    top.value_at = r.at(doc->root);
    map_fields m(r, top, {"media", "campaigns", "breaks", "programmes", "exceptions"});

    schedule s;
    s.file = display;
    for (auto& e : id_entries(r, m.get("media"), "media")) {
        auto item = read_media(r, e.id, e.value);
        if (!e.keep) {
            continue;
        }
        if (!item) {
            // keep the id known so references to it are not reported twice
            item.emplace();
            item->id = e.id;
            item->where = e.value.key_at;
        }
        s.media.emplace(e.id, std::move(*item));
    }
    std::set<std::string> used;
    for (auto& e : id_entries(r, m.get("campaigns"), "campaign")) {
        if (auto c = read_campaign(r, e.id, e.value, s, used); c && e.keep) {
            s.campaigns.push_back(std::move(*c));
        }
    }
    std::map<std::string, core::location> break_ids;
    for (const auto& f : list_entries(r, m.get("breaks"))) {
        if (auto b = read_break(r, f, break_ids)) {
            s.breaks.push_back(std::move(*b));
        }
    }
    std::map<std::string, core::location> programme_ids;
    for (const auto& f : list_entries(r, m.get("programmes"))) {
        if (auto p = read_programme(r, f, s, programme_ids, used)) {
            s.programmes.push_back(std::move(*p));
        }
    }
    check_items_per_day(r, s);
    std::map<core::local_days, core::location> exception_dates;
    for (const auto& f : list_entries(r, m.get("exceptions"))) {
        if (auto e = read_exception(r, f, exception_dates)) {
            s.exceptions.push_back(std::move(*e));
        }
    }
    // Media nobody names is probably a typo elsewhere. Not said when the file has errors: an
    // entry with an error may have lost its references, and the typo is reported already.
    const bool clean = diags.error_count() == errors_before;
    for (const auto& [id, item] : s.media) {
        if (clean && !used.count(id) && !item.file.empty()) {
            r.warning(item.where, "media '" + id + "' is not used by any campaign or programme");
        }
    }
    return s;
}

} // namespace onair::schedule
