#include "schedule/load.hpp"
#include "schedule/yaml_reader.hpp"

#include "core/ids.hpp"

#include <algorithm>
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
    std::string best;
    std::size_t best_d = std::max<std::size_t>(2, id.size() / 3) + 1;
    for (const auto& [k, v] : known) {
        if (auto d = core::edit_distance(id, k); d < best_d) {
            best_d = d;
            best = k;
        }
    }
    if (!best.empty()) {
        msg += " (did you mean '" + best + "'?)";
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

std::optional<campaign> read_campaign(reader& r, const std::string& id, const field& f,
                                      const schedule& s) {
    map_fields m(r, f,
                 {"title", "from", "until", "spots", "rotation", "weight", "max_per_day", "min_gap",
                  "dayparts"});
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
            r.error(spots.value_at, "field '" + spots.name + "': expected at least one spot, found "
                                                             "none");
            ok = false;
        }
        for (const auto& item : *items) {
            auto ref = r.id(item);
            if (!ref) {
                ok = false;
                continue;
            }
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
    if (field dp = m.get("dayparts"); dp.present() && !dp.is_null()) {
        if (auto items = r.sequence(dp)) {
            if (items->empty()) {
                r.error(dp.value_at, "field '" + dp.name + "': an empty list would never air; "
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

std::optional<break_rule> read_break(reader& r, const field& f) {
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
        m.set_name("breaks." + b.id);
    } else {
        ok = false;
    }
    field every = m.get("every");
    field at = m.get("at");
    if (every.present() == at.present()) {
        r.error(m.where(), "break '" + b.id + "': give exactly one of 'every' and 'at'");
        ok = false;
    }
    if (every.present()) {
        b.every = r.duration(every);
        if (b.every && *b.every > core::one_day) {
            r.error(every.value_at, "field '" + every.name + "': " +
                                        core::format_duration(*b.every) +
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
                r.error(at.value_at, "field '" + at.name + "': expected at least one time, found "
                                                           "none");
                ok = false;
            }
            std::set<core::milliseconds> seen;
            for (const auto& item : *items) {
                auto t = r.time_of_day(item);
                if (t && !seen.insert(*t).second) {
                    r.error(item.value_at, "field '" + item.name + "': " +
                                               core::format_time_of_day(*t) + " is listed twice");
                    t.reset();
                }
                ok = ok && t;
                if (t) {
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
        if (b.every && *v > *b.every) {
            r.error(len.value_at, "field '" + len.name + "': " + core::format_duration(*v) +
                                      " is longer than 'every' (" +
                                      core::format_duration(*b.every) +
                                      "): breaks would overlap");
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

std::optional<programme> read_programme(reader& r, const field& f, const schedule& s) {
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
        m.set_name("programmes." + p.id);
    } else {
        ok = false;
    }
    field media = m.require("media");
    if (auto v = media.present() ? r.id(media) : std::nullopt) {
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

std::optional<exception_rule> read_exception(reader& r, const field& f) {
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
                r.error(skip.value_at, "field '" + skip.name + "': expected breaks, programmes "
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

// The keys of an id-keyed map (media, campaigns), each checked as an id, duplicates reported.
std::vector<std::pair<std::string, field>> id_entries(reader& r, const field& f) {
    std::vector<std::pair<std::string, field>> out;
    if (!f.present() || f.is_null()) {
        return out;
    }
    if (!f.value.IsMap()) {
        r.type_error(f, "a map of id: entry");
        return out;
    }
    std::map<std::string, int> seen;
    for (auto it = f.value.begin(); it != f.value.end(); ++it) {
        field key;
        key.value = it->first;
        key.exists = true;
        key.name = f.name + " id";
        key.value_at = r.at(it->first);
        key.key_at = key.value_at;
        auto id = r.id(key);
        if (!id) {
            continue;
        }
        if (auto [pos, fresh] = seen.emplace(*id, key.value_at.line); !fresh) {
            r.error(key.value_at, "duplicate " + f.name + " id '" + *id +
                                      "' (first at line " + std::to_string(pos->second) + ")");
            continue;
        }
        field value;
        value.value = it->second;
        value.exists = true;
        value.name = f.name + "." + *id;
        value.key_at = key.value_at;
        value.value_at = it->second.IsNull() ? key.value_at : r.at(it->second);
        out.emplace_back(*id, std::move(value));
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

} // namespace

std::optional<schedule> load_schedule(const std::filesystem::path& file,
                                      const core::location& named_at, core::diagnostics& diags) {
    const std::string display = display_path(file);
    auto root = detail::read_yaml_file(file, display, named_at, diags);
    if (!root) {
        return std::nullopt;
    }
    reader r(display, std::filesystem::absolute(file).parent_path(), diags);
    field top;
    top.value = *root;
    top.exists = true;
    top.value_at = r.at(*root);
    map_fields m(r, top, {"media", "campaigns", "breaks", "programmes", "exceptions"});

    schedule s;
    s.file = display;
    for (auto& [id, f] : id_entries(r, m.get("media"))) {
        if (auto item = read_media(r, id, f)) {
            s.media.emplace(id, std::move(*item));
        } else {
            // keep the id known so references to it are not reported twice
            media_item placeholder;
            placeholder.id = id;
            placeholder.where = f.key_at;
            s.media.emplace(id, std::move(placeholder));
        }
    }
    for (auto& [id, f] : id_entries(r, m.get("campaigns"))) {
        if (auto c = read_campaign(r, id, f, s)) {
            s.campaigns.push_back(std::move(*c));
        }
    }
    std::map<std::string, core::location> break_ids;
    for (const auto& f : list_entries(r, m.get("breaks"))) {
        if (auto b = read_break(r, f)) {
            if (auto [it, fresh] = break_ids.emplace(b->id, b->where); !fresh) {
                r.error(b->where, "duplicate break id '" + b->id + "' (first at line " +
                                      std::to_string(it->second.line) + ")");
                continue;
            }
            s.breaks.push_back(std::move(*b));
        }
    }
    std::map<std::string, core::location> programme_ids;
    for (const auto& f : list_entries(r, m.get("programmes"))) {
        if (auto p = read_programme(r, f, s)) {
            if (auto [it, fresh] = programme_ids.emplace(p->id, p->where); !fresh) {
                r.error(p->where, "duplicate programme id '" + p->id + "' (first at line " +
                                      std::to_string(it->second.line) + ")");
                continue;
            }
            s.programmes.push_back(std::move(*p));
        }
    }
    std::map<core::local_days, core::location> exception_dates;
    for (const auto& f : list_entries(r, m.get("exceptions"))) {
        if (auto e = read_exception(r, f)) {
            if (auto [it, fresh] = exception_dates.emplace(e->date, e->where); !fresh) {
                r.error(e->where, "a second exception for " + core::format_date(e->date) +
                                      " (first at line " + std::to_string(it->second.line) +
                                      "); list everything to skip in one");
                continue;
            }
            s.exceptions.push_back(std::move(*e));
        }
    }
    // Media nobody uses is probably a typo elsewhere.
    std::set<std::string> used;
    for (const auto& c : s.campaigns) {
        used.insert(c.spots.begin(), c.spots.end());
    }
    for (const auto& p : s.programmes) {
        used.insert(p.media);
    }
    for (const auto& [id, item] : s.media) {
        if (!used.count(id) && !item.file.empty()) {
            r.warning(item.where, "media '" + id + "' is not used by any campaign or programme");
        }
    }
    return s;
}

} // namespace onair::schedule
