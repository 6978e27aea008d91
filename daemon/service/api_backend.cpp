#include "service/api_backend.hpp"

#include "asrun/chain.hpp"
#include "asrun/export.hpp"
#include "asrun/store.hpp"
#include "asrun/verify.hpp"
#include "asrun/window.hpp"
#include "asrun_pg/connection.hpp"
#include "asrun_pg/national.hpp"
#include "planner/format.hpp"
#include "report/gather.hpp"
#include "report/html.hpp"
#include "report/pdf.hpp"

#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

#include <sstream>
#include <tuple>

namespace onair::service {

namespace {

namespace asio = boost::asio;

// API plans computed at once on the pool; more are refused until one is done.
constexpr int max_plans_running = 4;

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

// An as-run export for the API, pulled a page at a time on the pool (asrun::export_pager: each
// page one bounded query from where the last stopped), so a long range is never held in memory
// and never holds the loop.
class asrun_pages final : public control::asrun_cursor {
public:
    asrun_pages(std::filesystem::path file, asrun::filter f, control::asrun_format format,
                asio::io_context& io, asio::thread_pool& pool)
        : file_(std::move(file)), filter_(std::move(f)), format_(format), io_(io), pool_(pool) {}

    // Each page is read on the pool; the server keeps the cursor alive until `done` has run
    // and asks for no other page meanwhile, so the cursor is only ever used by one thread.
    void next(std::function<void(control::asrun_piece)> done) override {
        asio::post(pool_, [this, done = std::move(done)]() mutable {
            control::asrun_piece piece;
            try {
                piece.more = read(piece.text);
            } catch (const std::exception&) {
                piece.failed = true;
            }
            asio::post(io_, [done = std::move(done), piece = std::move(piece)]() mutable {
                done(std::move(piece));
            });
        });
    }

private:
    bool read(std::string& out) {
        if (!pager_) {
            std::error_code ec;
            if (std::filesystem::exists(file_, ec)) {
                store_ = std::make_unique<asrun::store>(file_, asrun::open_mode::read_only);
            }
            pager_.emplace(store_.get(), filter_,
                           format_ == control::asrun_format::csv ? asrun::export_format::csv
                                                                 : asrun::export_format::json);
        }
        return pager_->next(out);
    }

    std::filesystem::path file_;
    std::unique_ptr<asrun::store> store_; // null: nothing has aired yet
    std::optional<asrun::export_pager> pager_;
    asrun::filter filter_;
    control::asrun_format format_;
    asio::io_context& io_;
    asio::thread_pool& pool_;
};

} // namespace

api_backend::api_backend(station_view view, asio::io_context& io, asio::thread_pool& pool)
    : view_(std::move(view)), io_(io), pool_(pool) {}

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
        for (const auto& o : st.outputs) {
            c.outputs.push_back({o.name, o.type, o.state, o.reconnects, o.last_error});
        }
        c.down_reason = c.airing ? std::string() : st.down_reason;
        if (auto l = r->levels()) {
            c.levels = control::levels_info{l->peak_db, l->rms_db};
        }
        out.push_back(std::move(c));
    }
    return out;
}

std::string api_backend::plan_cache::day_json(const schedule::channel& ch,
                                              const std::shared_ptr<planner::planner>& plan,
                                              core::local_days day) {
    entry* e = nullptr;
    {
        std::lock_guard lock(mutex_);
        auto& slot = by_channel_[ch.id];
        if (slot.source != plan) {
            slot.source = plan;
            slot.copy = std::make_unique<planner::planner>(plan->input());
        }
        e = &slot;
    }
    std::lock_guard busy(*e->busy);
    auto& p = *e->copy;
    planner::rundown_header h{ch.id, ch.name, ch.zone, p.day_start(day),
                              p.day_start(day + date::days{1})};
    return planner::to_json(h, p.plan_window(h.from, h.to)).dump(2) + "\n";
}

void api_backend::plan_json(const std::string& channel, core::local_days day,
                            control::completion<control::outcome<std::string>> done) {
    channel_runner* r = find(channel);
    if (r == nullptr) {
        done(control::failure{404, "no channel '" + channel + "'"});
        return;
    }
    if (!r->plan()) {
        done(control::failure{503, "the channel's schedule has errors; it airs filler"});
        return;
    }
    if (plans_running_->fetch_add(1) >= max_plans_running) {
        plans_running_->fetch_sub(1);
        done(control::failure{503, "busy: too many plans are being computed; try again"});
        return;
    }
    // The pool works on copies: the channel and its plan as they are now.
    asio::post(pool_, [ch = r->channel(), plan = r->plan(), day, cache = plans_,
                       running = plans_running_, &io = io_, done = std::move(done)]() mutable {
        control::outcome<std::string> out = control::failure{500, "the plan failed"};
        try {
            out = cache->day_json(ch, plan, day);
        } catch (const std::exception& e) {
            out = control::failure{500, std::string("the plan failed: ") + e.what()};
        }
        running->fetch_sub(1);
        asio::post(
            io, [done = std::move(done), out = std::move(out)]() mutable { done(std::move(out)); });
    });
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
        std::make_unique<asrun_pages>(view_.asrun_file(), f, q.format, io_, pool_));
}

void api_backend::reload(control::completion<control::outcome<control::reload_result>> done) {
    view_.reload(
        [done = std::move(done)](control::reload_result r) mutable { done(std::move(r)); });
}

control::health_info api_backend::health() {
    control::health_info h;
    for (auto* r : view_.runners()) {
        if (!r->airing(view_.stall_after)) {
            h.not_airing.push_back(r->channel().id);
            const auto why = r->state().down_reason;
            if (!why.empty()) {
                h.degraded.push_back("channel " + r->channel().id + ": " + why);
            }
        }
    }
    for (auto& why : view_.degraded()) {
        h.degraded.push_back(std::move(why));
    }
    h.ok = h.not_airing.empty() && h.degraded.empty();
    return h;
}

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

control::outcome<std::shared_ptr<const std::string>>
api_backend::preview(const std::string& channel) {
    channel_runner* r = find(channel);
    if (r == nullptr) {
        return control::failure{404, "no channel '" + channel + "'"};
    }
    return r->preview();
}

// The chain read on the pool (a year of rows takes seconds), answered on the loop.
void api_backend::verify(control::completion<control::outcome<std::string>> done) {
    asio::post(pool_, [file = view_.asrun_file(), &io = io_, done = std::move(done)]() mutable {
        control::outcome<std::string> out = control::failure{500, "the check failed"};
        try {
            asrun::verify_result r;
            r.head = asrun::genesis_chain;
            std::error_code ec;
            if (std::filesystem::exists(file, ec)) {
                asrun::store s(file, asrun::open_mode::read_only);
                r = asrun::verify_chain(s);
            }
            nlohmann::json j;
            j["ok"] = r.ok();
            j["rows"] = r.rows;
            j["open"] = r.open;
            j["head"] = r.head;
            j["fault_count"] = r.fault_count;
            nlohmann::json faults = nlohmann::json::array();
            for (const auto& f : r.faults) {
                faults.push_back({{"id", f.id}, {"channel", f.channel}, {"what", f.what}});
            }
            j["faults"] = std::move(faults);
            out = j.dump() + "\n";
        } catch (const std::exception& e) {
            out =
                control::failure{500, std::string("the as-run log cannot be checked: ") + e.what()};
        }
        asio::post(
            io, [done = std::move(done), out = std::move(out)]() mutable { done(std::move(out)); });
    });
}

namespace {

// Makes one report on the pool: gather, then the asked form.
control::outcome<control::report_answer>
make_report(const schedule::config& cfg, const std::vector<planner::channel_input>& inputs,
            const std::filesystem::path& store_file, const control::report_query& q,
            core::instant now, const std::string& version) {
    report::request req;
    req.campaign = q.campaign;
    req.channel = q.channel;
    req.from = q.from;
    req.to = q.to;
    req.verify = q.verify && q.format != "csv";
    auto got = report::gather(cfg, cfg.file, inputs, store_file, std::move(req), now);
    if (auto* err = std::get_if<report::gather_error>(&got)) {
        return control::failure{400, err->message};
    }
    const auto& doc = std::get<report::document>(got);
    const std::string stem = "onair-report" + (q.campaign ? "-" + *q.campaign : std::string());
    if (q.format == "json") {
        return control::report_answer{"application/json", report::to_json(doc), ""};
    }
    if (q.format == "csv") {
        return control::report_answer{"text/csv; charset=utf-8", asrun::evidence_csv(doc.rows),
                                      stem + ".csv"};
    }
    report::html_options html;
    html.version = version;
    auto page = report::to_html(doc, html);
    if (q.format == "html") {
        return control::report_answer{"text/html; charset=utf-8", std::move(page), stem + ".html"};
    }
    std::string why;
    auto pdf = report::html_to_pdf(page, why);
    if (!pdf) {
        return control::failure{503, "the PDF cannot be made here: " + why};
    }
    return control::report_answer{"application/pdf", std::move(*pdf), stem + ".pdf"};
}

// The national report on the pool: the shared database, read with the console's role.
control::outcome<control::report_answer> make_national(const std::string& dsn,
                                                       const control::report_query& q) {
    try {
        asrun_pg::connection c(dsn, std::chrono::seconds(5));
        const auto rows =
            asrun_pg::national_report(c, {q.station, q.channel, q.campaign, q.from, q.to});
        if (q.format == "csv") {
            return control::report_answer{"text/csv; charset=utf-8", asrun_pg::national_csv(rows),
                                          "onair-national.csv"};
        }
        return control::report_answer{"application/json", asrun_pg::national_json(rows).dump(), ""};
    } catch (const std::exception& e) { // pg_error, or a value the database holds malformed
        return control::failure{503,
                                "the national database cannot be read: " + std::string(e.what())};
    }
}

} // namespace

void api_backend::report(const control::report_query& q,
                         control::completion<control::outcome<control::report_answer>> done) {
    if (q.national) {
        const std::string dsn = view_.config().api.national_db;
        if (dsn.empty()) {
            return done(
                control::failure{404, "no national database in the config (control.national_db)"});
        }
        if (reports_running_->fetch_add(1) >= 2) {
            reports_running_->fetch_sub(1);
            return done(control::failure{503, "two reports are being made; try again shortly"});
        }
        asio::post(pool_, [dsn, q, running = reports_running_, &io = io_,
                           done = std::move(done)]() mutable {
            auto out = make_national(dsn, q);
            running->fetch_sub(1);
            asio::post(io, [done = std::move(done), out = std::move(out)]() mutable {
                done(std::move(out));
            });
        });
        return;
    }
    if (q.channel && find(*q.channel) == nullptr) {
        return done(control::failure{404, "no channel '" + *q.channel + "'"});
    }
    if (reports_running_->fetch_add(1) >= 2) {
        reports_running_->fetch_sub(1);
        return done(control::failure{503, "two reports are being made; try again shortly"});
    }
    // the plans the channels air now (their media lengths known), in config order
    const schedule::config& cfg = view_.config();
    std::vector<planner::channel_input> inputs(cfg.channels.size());
    const auto runners = view_.runners();
    for (std::size_t i = 0; i < cfg.channels.size(); ++i) {
        for (auto* r : runners) {
            if (r->channel().id == cfg.channels[i].id && r->plan()) {
                inputs[i] = r->plan()->input();
            }
        }
    }
    asio::post(pool_, [cfg, inputs = std::move(inputs), file = view_.asrun_file(), q,
                       now = view_.now ? view_.now() : core::instant{}, version = view_.version,
                       running = reports_running_, &io = io_, done = std::move(done)]() mutable {
        control::outcome<control::report_answer> out = control::failure{500, "the report failed"};
        try {
            out = make_report(cfg, inputs, file, q, now, version);
        } catch (const std::exception& e) {
            out = control::failure{500, std::string("the report cannot be made: ") + e.what()};
        }
        running->fetch_sub(1);
        asio::post(
            io, [done = std::move(done), out = std::move(out)]() mutable { done(std::move(out)); });
    });
}

control::outcome<std::vector<control::media_info>> api_backend::media(const std::string& channel) {
    channel_runner* r = find(channel);
    if (r == nullptr) {
        return control::failure{404, "no channel '" + channel + "'"};
    }
    std::vector<control::media_info> out;
    if (!r->plan()) {
        return out; // no schedule on air (a broken one): nothing to insert
    }
    const auto& in = r->plan()->input();
    for (const auto& [id, m] : in.sched->media) {
        control::media_info info{id, m.title, std::nullopt};
        if (auto it = in.media_durations.find(id); it != in.media_durations.end()) {
            info.duration = std::chrono::milliseconds(it->second.count());
        }
        out.push_back(std::move(info));
    }
    return out;
}

control::outcome<std::unique_ptr<control::asrun_cursor>> api_backend::events() {
    if (!view_.subscribe) {
        return control::failure{503, "the event stream is not available"};
    }
    return view_.subscribe();
}

void api_backend::refresh_metrics() {
    view_.refresh_metrics();
}

} // namespace onair::service
