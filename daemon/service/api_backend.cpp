#include "service/api_backend.hpp"

#include "asrun/export.hpp"
#include "asrun/store.hpp"
#include "asrun/window.hpp"
#include "planner/format.hpp"

#include <sstream>
#include <tuple>

namespace onair::service {

namespace {

control::item_info info_of(const planner::item& it, bool insert) {
    control::item_info i;
    i.start = it.start;
    i.end = it.end;
    i.kind = insert ? "insert" : planner::to_string(it.kind);
    i.media = it.media;
    i.title = it.title;
    i.campaign = it.campaign;
    i.break_id = it.break_id;
    return i;
}

// An as-run export for the API, pulled a page at a time: each page re-queries from where the
// last one stopped (rows come ordered by scheduled start, then id), so a long range is never
// held in memory and the loop is never held for long.
class asrun_pages final : public control::asrun_cursor {
public:
    asrun_pages(std::filesystem::path file, asrun::filter f, control::asrun_format format)
        : file_(std::move(file)), filter_(std::move(f)), format_(format) {}

    bool next(std::string& out) override {
        std::ostringstream text;
        if (!begun_) {
            begun_ = true;
            if (format_ == control::asrun_format::csv) {
                text << asrun::csv_header;
            } else {
                text << "[";
            }
        }
        std::error_code ec;
        if (!std::filesystem::exists(file_, ec)) {
            if (format_ == control::asrun_format::json) {
                text << "]\n";
            }
            out += text.str();
            return false;
        }
        if (!store_) {
            store_ = std::make_unique<asrun::store>(file_, asrun::open_mode::read_only);
        }
        struct page_full {};
        std::size_t rows = 0;
        asrun::filter f = filter_;
        if (last_) {
            f.from = last_->first;
        }
        try {
            store_->airings(f, [&](const asrun::airing& row) {
                if (last_ && row.scheduled_start == last_->first && row.id <= last_->second) {
                    return; // sent with the page before
                }
                write(text, row);
                last_ = std::pair{row.scheduled_start, row.id};
                if (++rows == page_rows) {
                    throw page_full{};
                }
            });
        } catch (const page_full&) {
            out += text.str();
            return true;
        }
        if (format_ == control::asrun_format::json) {
            text << (count_ == 0 ? "]\n" : "\n]\n");
        }
        out += text.str();
        return false;
    }

private:
    static constexpr std::size_t page_rows = 200;

    void write(std::ostringstream& text, const asrun::airing& row) {
        if (format_ == control::asrun_format::csv) {
            std::ostringstream line;
            asrun::csv_writer w(line); // writes the header first: drop it
            w.write(row);
            const std::string l = line.str();
            text << l.substr(std::string(asrun::csv_header).size());
        } else {
            std::ostringstream obj;
            asrun::json_writer w(obj);
            w.write(row);
            std::string o = obj.str(); // "[\n  {...}" without the closing bracket
            const auto brace = o.find('{');
            text << (count_ == 0 ? "\n  " : ",\n  ") << o.substr(brace);
        }
        ++count_;
    }

    std::filesystem::path file_;
    std::unique_ptr<asrun::store> store_;
    asrun::filter filter_;
    control::asrun_format format_;
    bool begun_ = false;
    std::size_t count_ = 0;
    std::optional<std::pair<core::instant, std::int64_t>> last_;
};

} // namespace

api_backend::api_backend(station_view view, boost::asio::thread_pool& pool, const clock& wall)
    : view_(std::move(view)), pool_(pool), wall_(wall) {}

channel_runner* api_backend::find(const std::string& id) {
    for (auto* r : view_.runners()) {
        if (r->channel().id == id) {
            return r;
        }
    }
    return nullptr;
}

std::vector<control::channel_info> api_backend::channels() {
    std::vector<control::channel_info> out;
    for (auto* r : view_.runners()) {
        const auto st = r->state();
        control::channel_info c;
        c.id = r->channel().id;
        c.name = r->channel().name;
        c.kind = schedule::to_string(r->channel().kind);
        c.zone = r->channel().zone;
        c.airing = r->airing(view_.stall_after);
        if (st.now) {
            c.now = info_of(*st.now, st.now_kind_insert);
        }
        if (st.next) {
            c.next = info_of(*st.next, false);
        }
        out.push_back(std::move(c));
    }
    return out;
}

std::string api_backend::plan_cache::day_json(const channel_runner& r, core::local_days day) {
    entry* e = nullptr;
    {
        std::lock_guard lock(mutex_);
        auto& slot = by_channel_[r.channel().id];
        if (slot.source != r.plan()) {
            slot.source = r.plan();
            slot.copy = std::make_unique<planner::planner>(r.plan()->input());
        }
        e = &slot;
    }
    std::lock_guard busy(*e->busy);
    auto& p = *e->copy;
    planner::rundown_header h{r.channel().id, r.channel().name, r.channel().zone,
                              p.day_start(day), p.day_start(day + date::days{1})};
    return planner::to_json(h, p.plan_window(h.from, h.to)).dump(2) + "\n";
}

control::outcome<std::string> api_backend::plan_json(const std::string& channel,
                                                     core::local_days day) {
    channel_runner* r = find(channel);
    if (r == nullptr) {
        return control::failure{404, "no channel '" + channel + "'"};
    }
    if (!r->plan()) {
        return control::failure{503, "the channel's schedule has errors; it airs filler"};
    }
    return plans_.day_json(*r, day);
}

control::outcome<std::unique_ptr<control::asrun_cursor>>
api_backend::asrun(const control::asrun_query& q) {
    asrun::filter f;
    const auto& cfg = view_.config();
    const date::time_zone* zone = date::locate_zone("UTC");
    if (!q.channel.empty()) {
        channel_runner* r = find(q.channel);
        const schedule::channel* ch = r ? &r->channel() : cfg.find_channel(q.channel);
        if (ch == nullptr) {
            return control::failure{404, "no channel '" + q.channel + "'"};
        }
        f.channel = q.channel;
        zone = ch->zone;
    } else if (!cfg.channels.empty()) {
        zone = cfg.channels.front().zone;
    }
    for (auto [text, bound, name] :
         {std::tuple{&q.from, &f.from, "from"}, std::tuple{&q.to, &f.to, "to"}}) {
        if (text->empty()) {
            continue;
        }
        auto t = asrun::parse_bound(*text, *zone);
        if (!t) {
            return control::failure{400, std::string(name) + ": " + t.error()};
        }
        *bound = *t;
    }
    return std::unique_ptr<control::asrun_cursor>(
        std::make_unique<asrun_pages>(view_.asrun_file(), f, q.format));
}

control::reload_result api_backend::reload() { return view_.reload(); }

control::outcome<control::insert_result> api_backend::insert(const std::string& channel,
                                                             const std::string& media) {
    channel_runner* r = find(channel);
    if (r == nullptr) {
        return control::failure{404, "no channel '" + channel + "'"};
    }
    auto result = r->insert(media);
    if (auto* why = std::get_if<std::string>(&result)) {
        return control::failure{422, *why};
    }
    const auto& it = std::get<planner::item>(result);
    control::insert_result out;
    out.channel = channel;
    out.media = media;
    out.title = it.title;
    out.duration = it.duration;
    out.start = it.start;
    out.zone = r->channel().zone;
    return out;
}

control::outcome<control::skip_result> api_backend::skip(const std::string& channel) {
    channel_runner* r = find(channel);
    if (r == nullptr) {
        return control::failure{404, "no channel '" + channel + "'"};
    }
    control::skip_result out;
    out.channel = channel;
    if (auto it = r->skip()) {
        out.media = it->media;
        out.title = it->title;
    }
    return out;
}

void api_backend::refresh_metrics() { view_.refresh_metrics(); }

} // namespace onair::service
