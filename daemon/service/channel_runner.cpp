#include "service/channel_runner.hpp"

#include "core/time.hpp"

#include <unistd.h>

#include <algorithm>

namespace onair::service {

namespace {

namespace asio = boost::asio;

core::milliseconds to_ms(playout::nanoseconds d) {
    return std::chrono::duration_cast<core::milliseconds>(d);
}

} // namespace

struct channel_runner::on_engine {
    cue c;
    bool insert = false;
    // Failed before its slot (a missing or unreadable file found while it was prepared): logged
    // `failed` when its slot comes, not before, so a stop in between leaves no row for a slot
    // that never came.
    std::optional<std::string> failed;
    std::optional<airing_log::ticket> row; // the as-run row, once on air
    core::instant actual_start{};
};

channel_runner::channel_runner(asio::io_context& io, const schedule::channel& channel,
                               std::shared_ptr<planner::planner> plan,
                               std::map<std::string, media_facts> facts, airing_log& rows,
                               engine_factory make_engine, const clock& clk, core::logger& log,
                               runner_options options)
    : io_(io), channel_(channel), plan_(std::move(plan)), facts_(std::move(facts)), rows_(rows),
      make_engine_(std::move(make_engine)), clock_(clk), log_(log), options_(options), bus_(io),
      timer_(io), queue_(options.lead, options.join_lead, options.shortest_join) {}

channel_runner::~channel_runner() {
    timer_.cancel();
    if (bus_.is_open()) {
        bus_.cancel();
        bus_.close();
    }
}

void channel_runner::start() {
    started_ = true;
    try_start();
    arm_timer();
}

bool channel_runner::try_start() {
    if (options_.teardown != nullptr && options_.teardown->busy(channel_.id)) {
        // The last engine still holds the outputs (a file being finalised, a mount): the next
        // tick looks again. Not a failure: no backoff.
        state_.on_air = false;
        if (state_.down_reason.empty()) {
            state_.down_reason = "the previous pipeline is still finishing";
        }
        return false;
    }
    core::instant now;
    std::chrono::milliseconds into_second{0};
    try {
        auto live = std::make_shared<std::atomic<bool>>(true);
        auto e = make_engine_(channel_, [this, live](const playout::event& ev) {
            if (live->load()) {
                on_event(ev);
            }
        });
        // Running time 0 is the last whole wall second, so the frame grid falls on whole
        // seconds and an item planned on the second airs exactly on a frame. Read after the
        // build (which takes a while), right before the start.
        now = clock_.now();
        into_second = now.time_since_epoch() % std::chrono::seconds(1);
        e->start(into_second);
        engine_ = std::move(e);
        engine_live_ = std::move(live);
    } catch (const std::exception& ex) {
        go_down(ex.what());
        return false;
    }
    anchor_wall_ = now - into_second;
    anchor_rt_ = playout::nanoseconds{0};
    state_.on_air = true;
    state_.down_reason.clear();
    state_.retry_backoff.reset();
    // a new pipeline has stall_restart to show that it moves
    state_.output_moved = clock_.steady();
    last_position_ = engine_->running_time_now();
    last_tick_ = {};
    if (const int fd = engine_->bus_fd(); fd >= 0) {
        bus_.assign(::dup(fd));
        arm_bus();
    }
    log_.info("on air", "channel", channel_.id, "kind", schedule::to_string(channel_.kind),
              "outputs", channel_.outputs.size());
    replan(now);
    take_due(now);
    return true;
}

// The channel is off air until retry_at_: the first failure in a row is retried on the next
// tick, then after retry_min, doubling up to retry_max.
void channel_runner::go_down(const std::string& why) {
    state_.on_air = false;
    state_.down_reason = why;
    ++failures_;
    std::chrono::milliseconds backoff{0};
    if (failures_ > 1) {
        backoff = options_.retry_min * (1LL << std::min(failures_ - 2, 16));
        backoff = std::min(backoff, options_.retry_max);
    }
    state_.retry_backoff = backoff;
    retry_at_ = clock_.steady() + backoff;
    log_.error("the channel cannot go on air; retrying", "channel", channel_.id, "reason", why,
               "retry_s", core::seconds_text(backoff));
}

void channel_runner::arm_bus() {
    bus_.async_wait(asio::posix::stream_descriptor::wait_read,
                    [this](boost::system::error_code ec) {
                        if (ec || !started_ || !engine_) {
                            return;
                        }
                        try {
                            if (!engine_->dispatch_pending()) {
                                rebuild(engine_->fatal_error().empty() ? "the pipeline ended"
                                                                       : engine_->fatal_error());
                                return;
                            }
                        } catch (const std::exception& e) {
                            ++state_.internal_errors;
                            log_.error("internal error; the channel airs on", "channel",
                                       channel_.id, "where", "bus", "reason", e.what());
                        }
                        if (engine_ && bus_.is_open()) {
                            arm_bus();
                        }
                    });
}

void channel_runner::arm_timer() {
    timer_.expires_after(options_.tick);
    timer_.async_wait([this](boost::system::error_code ec) {
        if (ec || !started_) {
            return;
        }
        tick();
        if (started_) {
            arm_timer();
        }
    });
}

// The catch boundary of the runner: nothing that goes wrong in one turn stops the next.
void channel_runner::tick() {
    try {
        turn();
    } catch (const std::exception& e) {
        ++state_.internal_errors;
        log_.error("internal error; the channel airs on", "channel", channel_.id, "where", "tick",
                   "reason", e.what());
    }
}

void channel_runner::turn() {
    if (!started_) {
        return;
    }
    const auto steady = clock_.steady();
    if (!engine_) {
        if (steady >= retry_at_) {
            try_start();
        }
        return;
    }
    if (!engine_->dispatch_pending()) {
        rebuild(engine_->fatal_error().empty() ? "the pipeline ended" : engine_->fatal_error());
        return;
    }
    const core::instant now = clock_.now();
    watch_clock(now);
    if (!last_replan_ || now - *last_replan_ >= options_.replan_every) {
        replan(now);
    }
    take_due(now);
    record_due_failures(now);
    end_hung_clips(now);
    if (!state_.now && last_tick_ != std::chrono::steady_clock::time_point{}) {
        state_.filler += std::chrono::duration_cast<core::milliseconds>(steady - last_tick_);
    }
    last_tick_ = steady;
    const auto position = engine_->running_time_now();
    if (position != last_position_) {
        last_position_ = position;
        state_.output_moved = steady;
        failures_ = 0; // this pipeline works
    }
    // A pipeline whose output stands still (a hung streaming thread) is rebuilt; the items on
    // it are closed `interrupted` and the plan is taken up again where the clock says.
    if (steady - state_.output_moved >= options_.stall_restart) {
        rebuild("the output has not moved for " +
                core::seconds_text(
                    std::chrono::duration_cast<core::milliseconds>(steady - state_.output_moved)) +
                " s");
    }
}

// Items that failed while prepared are logged when their slot comes.
void channel_runner::record_due_failures(core::instant now) {
    for (auto it = cued_.begin(); it != cued_.end();) {
        const on_engine& entry = *it->second;
        if (!entry.failed || now < entry.c.air_at) {
            ++it;
            continue;
        }
        log_row(entry.c.item, entry.insert, asrun::airing_status::failed, *entry.failed);
        ++state_.failed;
        it = cued_.erase(it);
    }
}

// A clip still on the pipeline past its planned end has stopped delivering data (the engine
// cuts a clip when its data reaches the cut point, so data that never comes is never cut): it is
// taken off and logged `failed`, and the filler covers what is left of its slot.
void channel_runner::end_hung_clips(core::instant now) {
    for (auto it = cued_.begin(); it != cued_.end();) {
        on_engine& entry = *it->second;
        const core::instant end = entry.c.air_at + entry.c.duration;
        if (entry.failed || now < end + options_.hung_grace) {
            ++it;
            continue;
        }
        engine_->cancel_clip(it->first);
        const planner::item item = entry.c.item;
        if (entry.row) {
            const std::string why = "its data stopped arriving; cut at its planned end";
            log_.warning("hung clip taken off; filler covers its slot", "channel", channel_.id,
                         "media", item.media, "reason", why);
            rows_.close(*entry.row, end, asrun::airing_status::failed, why);
            missed(item, entry.insert, core::milliseconds{0});
        } else {
            const std::string why = "no data arrived from the file by its planned end";
            log_.warning("clip never started; filler covered its slot", "channel", channel_.id,
                         "media", item.media);
            log_row(item, entry.insert, asrun::airing_status::failed, why);
        }
        ++state_.failed;
        it = cued_.erase(it);
        clear_now(item);
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
                     "step_s", core::seconds_text(drift));
        queue_.rewind(now);
        replan(now);
    }
}

void channel_runner::replan(core::instant now) {
    last_replan_ = now;
    if (!plan_) {
        queue_.offer({}); // a broken schedule: filler only
        return;
    }
    const auto rundown = plan_->plan_window(now, now + options_.horizon);
    queue_.offer(rundown.items);
    state_.plan_horizon = now + options_.horizon;
}

asrun::airing channel_runner::row_for(const planner::item& it, bool insert) const {
    asrun::airing row;
    row.channel = channel_.id;
    switch (it.kind) {
    case planner::item_kind::spot:
        row.kind = asrun::airing_kind::spot;
        break;
    case planner::item_kind::programme:
        row.kind = asrun::airing_kind::programme;
        break;
    case planner::item_kind::make_good:
        row.kind = asrun::airing_kind::make_good;
        row.make_good_of = it.make_good_of;
        break;
    }
    if (insert) {
        row.kind = asrun::airing_kind::insert;
        row.make_good_of.reset();
    }
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

// A row for an item that never went to air.
void channel_runner::log_row(const planner::item& it, bool insert, asrun::airing_status status,
                             const std::string& detail) {
    auto row = row_for(it, insert);
    row.status = status;
    row.detail = detail;
    rows_.record(row);
    missed(it, insert, core::milliseconds{0});
}

void channel_runner::missed(const planner::item& it, bool insert, core::milliseconds aired) {
    // a make-good that misses is not made good again; a spot cut after half of it counts
    if (insert || it.kind != planner::item_kind::spot || it.campaign.empty() ||
        aired * 2 >= it.duration || !plan_ || !options_.on_missed) {
        return;
    }
    for (const auto& c : plan_->input().sched->campaigns) {
        if (c.id == it.campaign && c.make_good_within) {
            missed_.push_back({it.start, it.campaign, it.media});
            options_.on_missed();
            return;
        }
    }
}

void channel_runner::take_make_goods(const std::shared_ptr<planner::planner>& built_from,
                                     std::shared_ptr<planner::planner> plan) {
    if (plan_ != built_from) {
        return; // a reload replaced the plan meanwhile; it read the as-run itself
    }
    plan_ = std::move(plan);
    replan(clock_.now());
}

void channel_runner::take_due(core::instant now) {
    auto due = queue_.take(now);
    for (auto& s : due.skips) {
        log_row(s.item, false, asrun::airing_status::skipped, s.reason);
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
    const auto f = facts_.find(c.item.file);
    const playout::clip clip =
        clip_for(c, running_time_of(c.air_at), f != facts_.end() ? f->second.gain_db : 0);
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
                  core::seconds_text(c.in_point));
    }
    const auto serial = engine_->schedule_clip(clip);
    cued_.emplace(serial, std::move(entry));
    // a missing file fails inside schedule_clip, before its serial is known here
    if (auto failed = pending_failures_.find(serial); failed != pending_failures_.end()) {
        playout::event e;
        e.kind = playout::event_kind::failed;
        e.serial = serial;
        e.reason = failed->second;
        pending_failures_.erase(failed);
        on_event(e);
    }
}

// Planned items in [from, to) give their slot to an insert: those prepared are taken off the
// pipeline, those not yet prepared out of the queue; all are logged `skipped`. Inserts queued
// before never lie in the slot (a new insert goes after them).
void channel_runner::drop_for_insert(core::instant from, core::instant to) {
    const std::string why = "an operator insert took its slot";
    for (auto it = cued_.begin(); it != cued_.end();) {
        const cue& c = it->second->c;
        if (!it->second->row && !it->second->insert && c.air_at < to &&
            c.air_at + c.duration > from) {
            engine_->cancel_clip(it->first);
            log_row(c.item, false, asrun::airing_status::skipped, why);
            ++state_.skipped;
            it = cued_.erase(it);
        } else {
            ++it;
        }
    }
    for (auto& item : queue_.drop_overlapping(from, to)) {
        log_row(item, false, asrun::airing_status::skipped, why);
        ++state_.skipped;
    }
}

std::variant<planner::item, std::string> channel_runner::insert(const std::string& media) {
    if (!plan_) {
        return std::string("the channel has no schedule on air");
    }
    if (!engine_) {
        return "the channel is off air (" + state_.down_reason + ")";
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
    const core::instant now = clock_.now();
    // after the item on air and after every insert queued before it, else as soon as a clip can
    // be prepared; on a whole second
    core::instant start = std::chrono::time_point_cast<core::milliseconds>(
        std::chrono::ceil<std::chrono::seconds>(now + options_.join_lead));
    for (const auto& [serial, entry] : cued_) {
        if (entry->row || (entry->insert && !entry->failed)) {
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
    if (!engine_) {
        return std::nullopt;
    }
    // the item on air is the one that started last (at a seam the next may have started while
    // the last has not yet been reported ended)
    auto on_air = cued_.end();
    for (auto it = cued_.begin(); it != cued_.end(); ++it) {
        if (it->second->row &&
            (on_air == cued_.end() || it->second->c.air_at > on_air->second->c.air_at)) {
            on_air = it;
        }
    }
    if (on_air == cued_.end()) {
        return std::nullopt;
    }
    engine_->cancel_clip(on_air->first);
    const planner::item item = on_air->second->c.item;
    rows_.close(*on_air->second->row, clock_.now(), asrun::airing_status::skipped, "operator skip");
    missed(item, on_air->second->insert, core::milliseconds{0});
    ++state_.skipped;
    cued_.erase(on_air);
    clear_now(item);
    log_.info("skipped by the operator", "channel", channel_.id, "media", item.media);
    return item;
}

void channel_runner::clear_now(const planner::item& item) {
    if (state_.now && state_.now->start == item.start && state_.now->media == item.media) {
        state_.now.reset();
        state_.now_actual_start.reset();
        state_.now_kind_insert = false;
        if (engine_) {
            engine_->set_stream_title(channel_.name);
        }
    }
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
    switch (e.kind) {
    case playout::event_kind::started:
        on_started(*it->second, e);
        break;
    case playout::event_kind::ended:
        on_ended(*it->second, e);
        cued_.erase(it);
        break;
    case playout::event_kind::failed:
        on_failed(e.serial, *it->second, e);
        break;
    }
}

void channel_runner::on_started(on_engine& entry, const playout::event& e) {
    const planner::item& item = entry.c.item;
    entry.actual_start = wall_of(e.running_time);
    auto row = row_for(item, entry.insert);
    row.actual_start = entry.actual_start;
    entry.row = rows_.open(row);
    const auto error = entry.actual_start - entry.c.air_at;
    state_.last_start_error = error;
    start_errors_.push_back(error);
    state_.now = item;
    state_.now_actual_start = entry.actual_start;
    state_.now_kind_insert = entry.insert;
    engine_->set_stream_title(item.title);
    log_.info("on air", "channel", channel_.id, "kind", planner::to_string(item.kind), "media",
              item.media, "scheduled", core::format_iso(entry.c.air_at, *channel_.zone),
              "start_error_ms", error.count());
}

void channel_runner::on_ended(on_engine& entry, const playout::event& e) {
    const planner::item item = entry.c.item;
    const core::instant end = wall_of(e.running_time);
    // whole when it ran to its planned end (within a frame); a programme joined under way
    // aired only its end part
    const bool whole = e.running_time + engine_->frame_duration() >=
                       running_time_of(entry.c.air_at) + entry.c.duration;
    asrun::airing_status status = asrun::airing_status::aired;
    std::optional<std::string> detail;
    if (entry.c.in_point.count() > 0) {
        status = asrun::airing_status::truncated;
        detail = "joined " + core::seconds_text(entry.c.in_point) +
                 " s in: it was under way when the channel went on air";
    } else if (!whole) {
        status = asrun::airing_status::truncated;
        detail = "the file ended " +
                 core::seconds_text(
                     to_ms(running_time_of(entry.c.air_at) + entry.c.duration - e.running_time)) +
                 " s before its planned end";
    }
    if (entry.row) {
        rows_.close(*entry.row, end, status, detail);
    }
    (status == asrun::airing_status::aired ? state_.aired : state_.truncated) += 1;
    clear_now(item);
}

void channel_runner::on_failed(std::uint64_t serial, on_engine& entry, const playout::event& e) {
    const planner::item item = entry.c.item;
    if (!entry.row && clock_.now() < entry.c.air_at) {
        log_.warning("cannot air; filler will cover its slot", "channel", channel_.id, "media",
                     item.media, "scheduled", core::format_iso(entry.c.air_at, *channel_.zone),
                     "reason", e.reason);
        entry.failed = e.reason;
        return;
    }
    log_.warning("failed; filler covers its slot", "channel", channel_.id, "media", item.media,
                 "reason", e.reason);
    if (entry.row) {
        rows_.close(*entry.row, clock_.now(), asrun::airing_status::failed, e.reason);
        missed(item, entry.insert, core::milliseconds{0});
    } else {
        log_row(item, entry.insert, asrun::airing_status::failed, e.reason);
    }
    ++state_.failed;
    cued_.erase(serial);
    clear_now(item);
}

// Items on air are closed with `status`; items prepared but not yet on air leave no row (their
// slot is taken up again by whoever airs next).
void channel_runner::close_on_air(asrun::airing_status status, const std::string& why) {
    const core::instant now = clock_.now();
    for (auto& [serial, entry] : cued_) {
        if (entry->row) {
            rows_.close(*entry->row, now, status, why);
            ++state_.interrupted;
            missed(entry->c.item, entry->insert, now - entry->c.air_at);
        }
    }
    cued_.clear();
    pending_failures_.clear();
    state_.now.reset();
    state_.now_actual_start.reset();
    state_.now_kind_insert = false;
}

void channel_runner::rebuild(const std::string& why) {
    log_.error("the channel's pipeline stopped; rebuilding it", "channel", channel_.id, "reason",
               why);
    close_on_air(asrun::airing_status::interrupted, "the pipeline stopped: " + why);
    if (bus_.is_open()) {
        bus_.cancel();
        bus_.close();
    }
    retire_engine(false);
    ++state_.restarts;
    queue_.rewind(clock_.now());
    go_down(why);
    if (clock_.steady() >= retry_at_) {
        try_start();
    }
}

// Hands the engine over to be finished (outputs drained, files finalised) and stopped. With a
// teardown this returns at once: the loop never waits for a pipeline to drain.
void channel_runner::retire_engine(bool finish) {
    if (!engine_) {
        return;
    }
    engine_live_->store(false);
    engine_live_.reset();
    if (options_.teardown != nullptr) {
        options_.teardown->retire(channel_.id, std::move(engine_), finish);
    } else {
        finish_and_stop(*engine_, finish, channel_.id, log_);
    }
    engine_.reset();
}

void channel_runner::stop(const std::string& why) {
    if (!started_) {
        return;
    }
    started_ = false;
    timer_.cancel();
    close_on_air(asrun::airing_status::interrupted, why);
    if (bus_.is_open()) {
        bus_.cancel();
        bus_.close();
    }
    retire_engine(true);
    state_.on_air = false;
    log_.info("off air", "channel", channel_.id, "reason", why);
}

void channel_runner::replace_plan(std::shared_ptr<planner::planner> plan,
                                  std::map<std::string, media_facts> facts) {
    plan_ = std::move(plan);
    facts_ = std::move(facts);
    replan(clock_.now());
}

channel_state channel_runner::state() const {
    channel_state s = state_;
    if (engine_) {
        s.outputs = engine_->outputs();
    }
    s.next.reset();
    core::instant best = core::instant::max();
    for (const auto& [serial, entry] : cued_) {
        if (!entry->row && !entry->failed && entry->c.air_at < best) {
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

bool channel_runner::airing(std::chrono::milliseconds stall_after) const {
    return engine_ && state_.on_air && clock_.steady() - state_.output_moved < stall_after;
}

core::instant channel_runner::wall_of(playout::nanoseconds rt) const {
    return anchor_wall_ + to_ms(rt - anchor_rt_);
}

playout::nanoseconds channel_runner::running_time_of(core::instant t) const {
    return anchor_rt_ + (t - anchor_wall_);
}

} // namespace onair::service
