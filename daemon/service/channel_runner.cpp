#include "service/channel_runner.hpp"

#include <boost/asio/post.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace onair::service {

namespace {

namespace asio = boost::asio;

core::milliseconds to_ms(playout::nanoseconds d) {
    return std::chrono::duration_cast<core::milliseconds>(d);
}

std::string seconds_text(core::milliseconds d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(d.count()) / 1000.0);
    return buf;
}

} // namespace

std::optional<stall_fault> stall_fault_for(const std::string& channel_id, const char* spec) {
    if (spec == nullptr || *spec == '\0') {
        return std::nullopt;
    }
    const std::string text(spec);
    const auto colon = text.find(':');
    if (colon == std::string::npos) {
        throw std::invalid_argument("ONAIR_TEST_STALL: expected CHANNEL:SECONDS[:once], got \"" +
                                    text + "\"");
    }
    if (text.substr(0, colon) != channel_id) {
        return std::nullopt;
    }
    std::string rest = text.substr(colon + 1);
    stall_fault f;
    if (const auto c = rest.find(':'); c != std::string::npos) {
        if (rest.substr(c + 1) != "once") {
            throw std::invalid_argument("ONAIR_TEST_STALL: expected \"once\" after the seconds, got \"" +
                                        rest.substr(c + 1) + "\"");
        }
        f.once = true;
        rest.resize(c);
    }
    std::size_t used = 0;
    double seconds = -1;
    try {
        seconds = std::stod(rest, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != rest.size() || rest.empty() || !(seconds >= 0)) {
        throw std::invalid_argument("ONAIR_TEST_STALL: the seconds must be a number >= 0, got \"" +
                                    rest + "\"");
    }
    f.after = std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
    return f;
}

struct channel_runner::on_engine {
    cue c;
    bool insert = false;
    // Failed before its slot (a missing or unreadable file found while it was prepared): logged
    // `failed` when its slot comes, not before, so a stop in between leaves no row for a slot
    // that never came.
    std::optional<std::string> failed;
    std::optional<std::int64_t> row; // the as-run row, once on air
    core::instant actual_start{};
};

channel_runner::channel_runner(asio::io_context& io, const schedule::channel& channel,
                               std::shared_ptr<planner::planner> plan,
                               std::map<std::string, media_facts> facts, asrun::store& store,
                               const clock& wall, core::logger& log, runner_options options)
    : io_(io), channel_(channel), plan_(std::move(plan)), facts_(std::move(facts)),
      store_(store), wall_(wall), log_(log), options_(options), bus_(io), timer_(io),
      queue_(options.lead, options.join_lead, options.shortest_join) {}

channel_runner::~channel_runner() {
    timer_.cancel();
    if (bus_.is_open()) {
        bus_.cancel();
        bus_.close();
    }
}

void channel_runner::build_engine() {
    engine_ = std::make_unique<playout::channel_engine>(channel_, playout::mode::live, log_);
    for (const auto& out : channel_.outputs) {
        if (out.type == schedule::output_type::file && out.file.has_parent_path()) {
            std::error_code ec;
            std::filesystem::create_directories(out.file.parent_path(), ec);
        }
        // an output that cannot be built is the output's failure, not the channel's: it is
        // reported in the engine's output states and the channel airs to the others
        try {
            engine_->add_output(out);
        } catch (const std::exception& e) {
            log_.error("output cannot be built", "channel", channel_.id, "type",
                       schedule::to_string(out.type), "reason", e.what());
        }
    }
    engine_->on_event([this](const playout::event& e) { on_event(e); });
}

void channel_runner::start() {
    build_engine();
    const auto steady_now = std::chrono::steady_clock::now();
    if (state_.output_moved == std::chrono::steady_clock::time_point{}) { // the first start
        fault_ = stall_fault_for(channel_.id, std::getenv("ONAIR_TEST_STALL"));
        fault_at_ = steady_now + (fault_ ? fault_->after : std::chrono::milliseconds{0});
    }
    fault_in_engine_ = false;
    inject_fault_when_due(steady_now);
    // Running time 0 is the last whole wall second, so the frame grid falls on whole seconds
    // and an item planned on the second airs exactly on a frame.
    const core::instant now = wall_.now();
    const auto into_second = now.time_since_epoch() % std::chrono::seconds(1);
    engine_->start(into_second);
    anchor_wall_ = now - std::chrono::duration_cast<core::milliseconds>(into_second);
    anchor_rt_ = playout::nanoseconds{0};
    running_ = true;
    state_.on_air = true;
    started_ = steady_now;
    // A rebuilt pipeline keeps the time the output last moved: one that never moves leaves the
    // channel stalled for the watchdog.
    if (state_.output_moved == std::chrono::steady_clock::time_point{}) {
        state_.output_moved = started_;
    }
    last_position_ = engine_->running_time_now();
    bus_.assign(::dup(engine_->bus_fd()));
    arm_bus();
    log_.info("on air", "channel", channel_.id, "kind", schedule::to_string(channel_.kind),
              "outputs", channel_.outputs.size());
    replan(now);
    take_due(now);
    arm_timer();
}

void channel_runner::arm_bus() {
    bus_.async_wait(asio::posix::stream_descriptor::wait_read, [this](boost::system::error_code ec) {
        if (ec || !running_) {
            return;
        }
        if (!engine_->dispatch_pending()) {
            restart_engine(engine_->fatal_error().empty() ? "the pipeline ended"
                                                          : engine_->fatal_error());
            return;
        }
        arm_bus();
    });
}

void channel_runner::arm_timer() {
    timer_.expires_after(options_.tick);
    timer_.async_wait([this](boost::system::error_code ec) {
        if (ec || !running_) {
            return;
        }
        tick();
        if (running_) {
            arm_timer();
        }
    });
}

void channel_runner::tick() {
    if (!engine_->dispatch_pending()) {
        restart_engine(engine_->fatal_error().empty() ? "the pipeline ended"
                                                      : engine_->fatal_error());
        return;
    }
    const core::instant now = wall_.now();
    watch_clock(now);
    if (!last_replan_ || now - *last_replan_ >= options_.replan_every) {
        replan(now);
    }
    take_due(now);
    record_due_failures(now);
    const auto steady_now = std::chrono::steady_clock::now();
    if (!state_.now && last_tick_ != std::chrono::steady_clock::time_point{}) {
        state_.filler += std::chrono::duration_cast<core::milliseconds>(steady_now - last_tick_);
    }
    last_tick_ = steady_now;
    const auto position = engine_->running_time_now();
    if (position != last_position_) {
        last_position_ = position;
        state_.output_moved = steady_now;
    }
    inject_fault_when_due(steady_now);
    // A pipeline whose output stands still (a hung streaming thread) is rebuilt; the items on
    // it are closed `interrupted` and the plan is taken up again where the clock says.
    if (steady_now - state_.output_moved >= options_.stall_restart &&
        steady_now - started_ >= options_.stall_restart) {
        const auto still = std::chrono::duration_cast<std::chrono::milliseconds>(
            steady_now - state_.output_moved);
        restart_engine("the output has not moved for " + seconds_text(still) + " s");
    }
}

// Items that failed while prepared are logged once their slot has come.
void channel_runner::record_due_failures(core::instant now) {
    for (auto it = cued_.begin(); it != cued_.end();) {
        on_engine& entry = *it->second;
        if (!entry.failed || now < entry.c.air_at) {
            ++it;
            continue;
        }
        auto row = row_for(entry.c.item, entry.insert);
        row.status = asrun::airing_status::failed;
        row.detail = *entry.failed;
        store_.record(row);
        ++state_.failed;
        it = cued_.erase(it);
    }
}

void channel_runner::inject_fault_when_due(std::chrono::steady_clock::time_point now) {
    if (fault_ && !fault_in_engine_ && now >= fault_at_ && !(fault_->once && fault_fired_)) {
        log_.warning("test fault: blocking the channel's output (ONAIR_TEST_STALL)", "channel",
                     channel_.id);
        engine_->inject_stall();
        fault_in_engine_ = true;
        fault_fired_ = true;
    }
}

// The wall clock against the pipeline's (monotonic) clock: a slow drift (NTP slewing) moves
// the anchor; a jump is a clock step, after which the plan is taken up again where the clock
// now says it is.
void channel_runner::watch_clock(core::instant now) {
    const auto rt = engine_->clock_running_time();
    const auto drift = to_ms(running_time_of(now) - rt);
    if (std::chrono::abs(drift) <= options_.slew_tolerance) {
        return;
    }
    anchor_wall_ = now;
    // kept on whole milliseconds, so frame times map to wall times exactly
    anchor_rt_ = std::chrono::round<core::milliseconds>(rt);
    if (std::chrono::abs(drift) >= options_.step_tolerance) {
        log_.warning("the wall clock stepped; re-planning from now", "channel", channel_.id,
                     "step_s", seconds_text(drift));
        queue_.rewind(now);
        replan(now);
    }
}

void channel_runner::replan(core::instant now) {
    last_replan_ = now;
    if (!plan_) {
        return;
    }
    const auto rundown = plan_->plan_window(now, now + options_.horizon);
    queue_.offer(rundown.items);
    state_.plan_horizon = now + options_.horizon;
}

asrun::airing channel_runner::row_for(const planner::item& it, bool insert) const {
    asrun::airing row;
    row.channel = channel_.id;
    row.kind = insert ? asrun::airing_kind::insert
               : it.kind == planner::item_kind::spot ? asrun::airing_kind::spot
                                                     : asrun::airing_kind::programme;
    row.media = it.media;
    if (!it.campaign.empty()) {
        row.campaign = it.campaign;
    }
    if (!it.break_id.empty()) {
        row.break_id = it.break_id;
    }
    row.title = it.title;
    row.file = it.file;
    row.scheduled_start = it.start;
    row.scheduled_end = it.end;
    row.timezone = channel_.timezone;
    if (auto f = facts_.find(it.file); f != facts_.end()) {
        row.media_sha256 = f->second.sha256;
    }
    return row;
}

void channel_runner::take_due(core::instant now) {
    auto due = queue_.take(now);
    for (auto& s : due.skips) {
        auto row = row_for(s.item);
        row.status = asrun::airing_status::skipped;
        row.detail = s.reason;
        store_.record(row);
        ++state_.skipped;
        log_.info("skipped", "channel", channel_.id, "media", s.item.media, "scheduled",
                  core::format_iso(s.item.start, *channel_.zone), "reason", s.reason);
    }
    for (auto& c : due.cues) {
        hand(c, false);
    }
}

// Puts a cue on the engine as a clip at its running time.
void channel_runner::hand(const cue& c, bool insert) {
    playout::clip clip;
    clip.id = c.item.media;
    clip.file = c.item.file;
    clip.start = running_time_of(c.air_at);
    clip.duration = c.duration;
    clip.in_point = c.in_point;
    if (auto f = facts_.find(c.item.file); f != facts_.end()) {
        clip.gain_db = f->second.gain_db;
    }
    if (clip.start < engine_->clock_running_time()) {
        log_.warning("prepared late", "channel", channel_.id, "media", c.item.media, "late_ms",
                     to_ms(engine_->clock_running_time() - clip.start).count());
    }
    auto entry = std::make_unique<on_engine>();
    entry->c = c;
    entry->insert = insert;
    if (c.in_point.count() > 0) {
        log_.info("joining a programme under way", "channel", channel_.id, "media", c.item.media,
                  "at", core::format_iso(c.air_at, *channel_.zone), "in_s",
                  seconds_text(c.in_point));
    }
    const auto serial = engine_->schedule_clip(clip);
    cued_.emplace(serial, std::move(entry));
    // a missing file fails inside schedule_clip, before its serial is known here
    if (auto failed = pending_failures_.find(serial); failed != pending_failures_.end()) {
        const std::string reason = failed->second;
        pending_failures_.erase(failed);
        playout::event e;
        e.kind = playout::event_kind::failed;
        e.serial = serial;
        e.reason = reason;
        on_event(e);
    }
}

// Planned items in [from, to) give their slot to an insert: those prepared are taken off the
// pipeline, those not yet prepared out of the queue; all are logged `skipped`.
void channel_runner::drop_for_insert(core::instant from, core::instant to) {
    const std::string why = "an operator insert took its slot";
    for (auto it = cued_.begin(); it != cued_.end();) {
        const cue& c = it->second->c;
        if (!it->second->row && c.air_at < to && c.air_at + c.duration > from) {
            engine_->cancel_clip(it->first);
            auto row = row_for(c.item, it->second->insert);
            row.status = asrun::airing_status::skipped;
            row.detail = why;
            store_.record(row);
            ++state_.skipped;
            it = cued_.erase(it);
        } else {
            ++it;
        }
    }
    for (auto& item : queue_.drop_overlapping(from, to)) {
        auto row = row_for(item);
        row.status = asrun::airing_status::skipped;
        row.detail = why;
        store_.record(row);
        ++state_.skipped;
    }
}

std::variant<planner::item, std::string> channel_runner::insert(const std::string& media) {
    if (!plan_ || !running_) {
        return std::string("the channel has no schedule on air");
    }
    const auto& in = plan_->input();
    const schedule::media_item* m = in.sched->find_media(media);
    if (m == nullptr) {
        return "no media '" + media + "' in the channel's schedule";
    }
    const auto length = in.media_durations.find(media);
    if (length == in.media_durations.end()) {
        return "the length of '" + media + "' is unknown (the file cannot be probed)";
    }
    const core::instant now = wall_.now();
    // right after the item on air, else as soon as a clip can be prepared; on a whole second
    core::instant start = std::chrono::time_point_cast<core::milliseconds>(
        std::chrono::ceil<std::chrono::seconds>(now + options_.join_lead));
    for (const auto& [serial, entry] : cued_) {
        if (entry->row) {
            start = std::max(start, entry->c.air_at + entry->c.duration);
        }
    }
    planner::item it;
    it.start = start;
    it.end = start + length->second;
    it.duration = length->second;
    it.kind = planner::item_kind::spot;
    it.media = media;
    it.title = m->title;
    it.file = m->file.string();
    drop_for_insert(it.start, it.end);
    log_.info("insert", "channel", channel_.id, "media", media, "at",
              core::format_iso(it.start, *channel_.zone));
    hand(cue{it, it.start, core::milliseconds{0}, it.duration}, true);
    return it;
}

std::optional<planner::item> channel_runner::skip() {
    for (auto it = cued_.begin(); it != cued_.end(); ++it) {
        if (!it->second->row) {
            continue;
        }
        engine_->cancel_clip(it->first);
        const planner::item item = it->second->c.item;
        store_.close_airing(*it->second->row, wall_.now(), asrun::airing_status::skipped,
                            "operator skip");
        ++state_.skipped;
        cued_.erase(it);
        state_.now.reset();
        state_.now_actual_start.reset();
        engine_->set_stream_title(channel_.name);
        log_.info("skipped by the operator", "channel", channel_.id, "media", item.media);
        return item;
    }
    return std::nullopt;
}

void channel_runner::on_event(const playout::event& e) {
    auto it = cued_.find(e.serial);
    if (it == cued_.end()) {
        if (e.kind == playout::event_kind::failed) {
            // schedule_clip reports a missing file before it returns the serial
            pending_failures_[e.serial] = e.reason;
        }
        return;
    }
    on_engine& entry = *it->second;
    const planner::item& item = entry.c.item;
    switch (e.kind) {
    case playout::event_kind::started: {
        entry.actual_start = wall_of(e.running_time);
        auto row = row_for(item, entry.insert);
        row.actual_start = entry.actual_start;
        entry.row = store_.open_airing(row);
        const auto error = entry.actual_start - entry.c.air_at;
        state_.last_start_error = error;
        start_errors_.push_back(error);
        state_.now = item;
        state_.now_actual_start = entry.actual_start;
        state_.now_kind_insert = entry.insert;
        engine_->set_stream_title(item.title);
        log_.info("on air", "channel", channel_.id, "kind", planner::to_string(item.kind),
                  "media", item.media, "scheduled", core::format_iso(entry.c.air_at, *channel_.zone),
                  "start_error_ms", error.count());
        break;
    }
    case playout::event_kind::ended: {
        const core::instant end = wall_of(e.running_time);
        // whole when it ran to its planned end (within a frame); a programme joined under way
        // aired only its end part
        const bool whole = e.running_time + engine_->frame_duration() >=
                           running_time_of(entry.c.air_at) + entry.c.duration;
        asrun::airing_status status = asrun::airing_status::aired;
        std::optional<std::string> detail;
        if (entry.c.in_point.count() > 0) {
            status = asrun::airing_status::truncated;
            detail = "joined " + seconds_text(entry.c.in_point) +
                     " s in: it was under way when the channel went on air";
        } else if (!whole) {
            status = asrun::airing_status::truncated;
            detail = "the file ended " +
                     seconds_text(to_ms(running_time_of(entry.c.air_at) + entry.c.duration -
                                        e.running_time)) +
                     " s before its planned end";
        }
        if (entry.row) {
            store_.close_airing(*entry.row, end, status, detail);
        }
        (status == asrun::airing_status::aired ? state_.aired : state_.truncated) += 1;
        if (state_.now && state_.now->start == item.start) {
            state_.now.reset();
            state_.now_actual_start.reset();
            engine_->set_stream_title(channel_.name);
        }
        cued_.erase(it);
        break;
    }
    case playout::event_kind::failed: {
        if (!entry.row && wall_.now() < entry.c.air_at) {
            log_.warning("cannot air; filler will cover its slot", "channel", channel_.id, "media",
                         item.media, "scheduled", core::format_iso(entry.c.air_at, *channel_.zone),
                         "reason", e.reason);
            entry.failed = e.reason;
            break;
        }
        log_.warning("failed; filler covers its slot", "channel", channel_.id, "media",
                     item.media, "reason", e.reason);
        if (entry.row) {
            store_.close_airing(*entry.row, wall_.now(), asrun::airing_status::failed, e.reason);
        } else {
            auto row = row_for(item, entry.insert);
            row.status = asrun::airing_status::failed;
            row.detail = e.reason;
            store_.record(row);
        }
        ++state_.failed;
        if (state_.now && state_.now->start == item.start) {
            state_.now.reset();
            state_.now_actual_start.reset();
        }
        cued_.erase(it);
        break;
    }
    }
}

void channel_runner::restart_engine(const std::string& why) {
    log_.error("the channel's pipeline stopped; rebuilding it", "channel", channel_.id,
               "reason", why);
    const core::instant now = wall_.now();
    for (auto& [serial, entry] : cued_) {
        if (entry->row) {
            store_.close_airing(*entry->row, now, asrun::airing_status::interrupted,
                                "the pipeline stopped: " + why);
            ++state_.interrupted;
        }
    }
    cued_.clear();
    state_.now.reset();
    if (bus_.is_open()) {
        bus_.cancel();
        bus_.close();
    }
    engine_->stop();
    engine_.reset();
    ++restarts_;
    ++state_.restarts;
    queue_.rewind(now);
    try {
        running_ = false;
        timer_.cancel();
        start();
    } catch (const std::exception& e) {
        log_.error("cannot rebuild the pipeline; retrying", "channel", channel_.id, "reason",
                   e.what());
        state_.on_air = false;
        timer_.expires_after(std::chrono::seconds(std::min(30, 1 << std::min(restarts_, 5))));
        timer_.async_wait([this](boost::system::error_code ec) {
            if (!ec) {
                restart_engine("retry");
            }
        });
    }
}

void channel_runner::stop(const std::string& why) {
    if (!running_) {
        return;
    }
    running_ = false;
    timer_.cancel();
    const core::instant now = wall_.now();
    for (auto& [serial, entry] : cued_) {
        if (entry->row) {
            store_.close_airing(*entry->row, now, asrun::airing_status::interrupted, why);
            ++state_.interrupted;
        }
    }
    cued_.clear();
    if (bus_.is_open()) {
        bus_.cancel();
        bus_.close();
    }
    if (!engine_->finish_outputs(std::chrono::seconds(5))) {
        log_.warning("the outputs did not finish in time", "channel", channel_.id);
    }
    engine_->stop();
    state_.on_air = false;
    log_.info("off air", "channel", channel_.id, "reason", why);
}

void channel_runner::replace_plan(std::shared_ptr<planner::planner> plan,
                                  std::map<std::string, media_facts> facts) {
    plan_ = std::move(plan);
    facts_ = std::move(facts);
    replan(wall_.now());
}

channel_state channel_runner::state() const {
    channel_state s = state_;
    if (engine_) {
        s.outputs = engine_->outputs();
    }
    s.next.reset();
    core::instant best = core::instant::max();
    for (const auto& [serial, entry] : cued_) {
        if (!entry->row && entry->c.air_at < best) {
            best = entry->c.air_at;
            s.next = entry->c.item;
        }
    }
    if (!s.next) {
        if (const planner::item* p = queue_.peek()) {
            s.next = *p;
        }
    }
    return s;
}

core::instant channel_runner::wall_of(playout::nanoseconds rt) const {
    return anchor_wall_ + to_ms(rt - anchor_rt_);
}

playout::nanoseconds channel_runner::running_time_of(core::instant t) const {
    return anchor_rt_ + (t - anchor_wall_);
}

} // namespace onair::service
