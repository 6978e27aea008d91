#include "asrun/writer.hpp"

#include "asrun/spill_journal.hpp"
#include "asrun/store.hpp"

#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <map>
#include <random>
#include <stdexcept>
#include <utility>

namespace onair::asrun {
namespace {

using detail::writer_event;
using json = nlohmann::json;
using steady = std::chrono::steady_clock;

// Events applied per transaction: one fsync each, and a bounded undo when one fails.
constexpr std::size_t batch_events = 512;

std::string new_run_id() {
    std::random_device rd;
    char text[17];
    std::snprintf(text, sizeof text, "%08x%08x", rd(), rd());
    return text;
}

std::int64_t to_ms(core::instant t) {
    return t.time_since_epoch().count();
}
core::instant from_ms(std::int64_t ms) {
    return core::instant{core::milliseconds{ms}};
}

json optional_text(const std::optional<std::string>& v) {
    return v ? json(*v) : json(nullptr);
}
json optional_ms(const std::optional<core::instant>& t) {
    return t ? json(to_ms(*t)) : json(nullptr);
}
std::optional<std::string> read_text(const json& j, const char* key) {
    const auto& v = j.at(key);
    return v.is_null() ? std::nullopt : std::optional(v.get<std::string>());
}
std::optional<core::instant> read_ms(const json& j, const char* key) {
    const auto& v = j.at(key);
    return v.is_null() ? std::nullopt : std::optional(from_ms(v.get<std::int64_t>()));
}

json row_json(const airing& r) {
    return {{"channel", r.channel},
            {"kind", to_string(r.kind)},
            {"media", r.media},
            {"campaign", optional_text(r.campaign)},
            {"break", optional_text(r.break_id)},
            {"title", r.title},
            {"file", r.file},
            {"scheduled_start", to_ms(r.scheduled_start)},
            {"scheduled_end", to_ms(r.scheduled_end)},
            {"actual_start", optional_ms(r.actual_start)},
            {"actual_end", optional_ms(r.actual_end)},
            {"status", r.status ? json(to_string(*r.status)) : json(nullptr)},
            {"detail", optional_text(r.detail)},
            {"timezone", r.timezone},
            {"media_sha256", optional_text(r.media_sha256)},
            {"make_good_of", optional_ms(r.make_good_of)}};
}

airing_status read_status(const std::string& text) {
    auto s = parse_status(text);
    if (!s) {
        throw std::invalid_argument("unknown status '" + text + "'");
    }
    return *s;
}

airing row_from(const json& j) {
    airing r;
    r.channel = j.at("channel").get<std::string>();
    auto kind = parse_kind(j.at("kind").get<std::string>());
    if (!kind) {
        throw std::invalid_argument("unknown kind");
    }
    r.kind = *kind;
    r.media = j.at("media").get<std::string>();
    r.campaign = read_text(j, "campaign");
    r.break_id = read_text(j, "break");
    r.title = j.at("title").get<std::string>();
    r.file = j.at("file").get<std::string>();
    r.scheduled_start = from_ms(j.at("scheduled_start").get<std::int64_t>());
    r.scheduled_end = from_ms(j.at("scheduled_end").get<std::int64_t>());
    r.actual_start = read_ms(j, "actual_start");
    r.actual_end = read_ms(j, "actual_end");
    if (auto s = read_text(j, "status")) {
        r.status = read_status(*s);
    }
    r.detail = read_text(j, "detail");
    r.timezone = j.at("timezone").get<std::string>();
    r.media_sha256 = read_text(j, "media_sha256");
    if (j.contains("make_good_of")) { // absent in the journals of older versions
        r.make_good_of = read_ms(j, "make_good_of");
    }
    return r;
}

const char* op_name(writer_event::op o) {
    switch (o) {
    case writer_event::op::open:
        return "open";
    case writer_event::op::close:
        return "close";
    case writer_event::op::record:
        return "record";
    case writer_event::op::close_interrupted:
        return "close_interrupted";
    }
    return "?";
}

std::string journal_line(const writer_event& e) {
    json j = {{"op", op_name(e.what)}, {"run", e.run}};
    switch (e.what) {
    case writer_event::op::open:
        j["ticket"] = e.ticket;
        j["row"] = row_json(e.row);
        break;
    case writer_event::op::close:
        j["ticket"] = e.ticket;
        if (e.row_id) {
            j["id"] = *e.row_id;
        }
        j["end"] = to_ms(e.at);
        j["status"] = to_string(e.status);
        j["detail"] = optional_text(e.detail);
        break;
    case writer_event::op::record:
        j["row"] = row_json(e.row);
        break;
    case writer_event::op::close_interrupted:
        j["at"] = to_ms(e.at);
        break;
    }
    // A name that is not UTF-8 (a file name) cannot be JSON: replaced rather than lost.
    return j.dump(-1, ' ', false, json::error_handler_t::replace) + '\n';
}

writer_event event_from(std::string_view line) {
    auto j = json::parse(line);
    writer_event e;
    const auto op = j.at("op").get<std::string>();
    e.run = j.at("run").get<std::string>();
    if (op == "open") {
        e.what = writer_event::op::open;
        e.ticket = j.at("ticket").get<std::uint64_t>();
        e.row = row_from(j.at("row"));
    } else if (op == "close") {
        e.what = writer_event::op::close;
        e.ticket = j.at("ticket").get<std::uint64_t>();
        if (j.contains("id")) {
            e.row_id = j.at("id").get<std::int64_t>();
        }
        e.at = from_ms(j.at("end").get<std::int64_t>());
        e.status = read_status(j.at("status").get<std::string>());
        e.detail = read_text(j, "detail");
    } else if (op == "record") {
        e.what = writer_event::op::record;
        e.row = row_from(j.at("row"));
    } else if (op == "close_interrupted") {
        e.what = writer_event::op::close_interrupted;
        e.at = from_ms(j.at("at").get<std::int64_t>());
    } else {
        throw std::invalid_argument("unknown op '" + op + "'");
    }
    return e;
}

// A failure that is the row's own (a constraint, a value SQLite will never take): retrying
// cannot help, so the event is refused alone instead of holding back every row after it.
bool refused_row(const store_error& e) {
    switch (e.code() & 0xff) {
    case SQLITE_CONSTRAINT:
    case SQLITE_TOOBIG:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
        return true;
    default:
        return false;
    }
}

} // namespace

// What only the writer thread touches.
struct writer::worker {
    worker(std::filesystem::path dir, core::logger& l, const writer_options& o)
        : state_dir(std::move(dir)), journal(spill_file(state_dir)), log(l), options(o),
          backoff(o.retry_min) {}

    std::filesystem::path state_dir;
    std::optional<store> db;
    spill_journal journal;
    core::logger& log;
    writer_options options;

    // Rows SQLite has opened and not yet closed, by (run, ticket).
    std::map<std::pair<std::string, std::uint64_t>, std::int64_t> ids;
    std::deque<writer_event> held; // taken from the queue, in neither SQLite nor the journal

    bool down = false;      // the store failed, or the journal holds events: new ones spill
    bool store_ok = true;   // the last attempt reached SQLite
    bool journal_ok = true; // the last append to the journal worked
    std::string reason;
    std::chrono::milliseconds backoff;
    steady::time_point next_retry{};

    std::uint64_t journaled_seq = 0; // last event of this run written to the journal
    std::uint64_t stored_seq = 0;
    std::uint64_t durable_seq = 0;
    std::uint64_t spilled = 0;
    std::uint64_t lost = 0;
    std::uint64_t refused_in_batch = 0;
    std::optional<std::string> chain_head;

    void open_store() {
        if (!db) {
            db.emplace(store_file(state_dir), open_mode::read_write, options.busy_timeout);
            read_head();
        }
    }

    // After a commit: never throws, so nothing after a commit can make it look undone.
    void read_head() noexcept {
        try {
            chain_head = db->chain_head();
        } catch (...) {
            // the head is published for information; the next commit reads it again
        }
    }

    void refuse(const writer_event& e, const std::string& why) {
        log.error("as-run row refused by the store; it is not in the log", "channel", e.row.channel,
                  "media", e.row.media, "reason", why);
        ++refused_in_batch;
    }

    // One event, inside a batch. Store failures propagate (the batch rolls back).
    void apply(const writer_event& e) {
        try {
            switch (e.what) {
            case writer_event::op::open:
                ids[{e.run, e.ticket}] = db->open_airing(e.row);
                break;
            case writer_event::op::record:
                db->record(e.row);
                break;
            case writer_event::op::close:
                close(e);
                break;
            case writer_event::op::close_interrupted: {
                auto n = db->close_interrupted(e.at);
                // Their tickets will never be closed: forget them (the rows of earlier runs).
                std::erase_if(ids, [&](const auto& kv) { return kv.first.first != e.run; });
                if (n > 0) {
                    log.info("as-run rows left open by a stop closed as interrupted", "rows", n);
                }
                break;
            }
            }
        } catch (const std::invalid_argument& x) {
            refuse(e, x.what());
        } catch (const store_error& x) {
            if (!refused_row(x)) {
                throw;
            }
            refuse(e, x.what());
        }
    }

    void close(const writer_event& e) {
        std::optional<std::int64_t> id = e.row_id;
        auto it = ids.find({e.run, e.ticket});
        if (!id && it != ids.end()) {
            id = it->second;
        }
        if (!id) {
            log.warning("as-run close of an airing that was never opened", "ticket", e.ticket);
            return;
        }
        if (!db->close_airing(*id, e.at, e.status, e.detail)) {
            log.warning("as-run close of an airing that is not open", "id", *id);
        }
        if (it != ids.end()) {
            ids.erase(it);
        }
    }

    // Runs `body` (which applies events) in one transaction. On failure the ids it gave out
    // are forgotten with the rows, and the store is dropped, to be reopened at the next try.
    template <typename Body> void in_batch(Body&& body) {
        auto saved = ids;
        refused_in_batch = 0;
        try {
            store::batch b(*db);
            body();
            b.commit();
        } catch (...) {
            ids = std::move(saved);
            db.reset();
            throw;
        }
        lost += refused_in_batch;
        read_head();
    }

    // Writes `held` to the store, oldest first.
    void store_held() {
        open_store();
        while (!held.empty()) {
            const std::size_t n = std::min(held.size(), batch_events);
            in_batch([&] {
                for (std::size_t i = 0; i < n; ++i) {
                    apply(held[i]);
                }
            });
            stored_seq = durable_seq = held[n - 1].seq;
            held.erase(held.begin(), held.begin() + static_cast<std::ptrdiff_t>(n));
        }
        store_ok = true;
    }

    // Writes the journal to the store in one transaction, so a failure (or a crash) halfway
    // never writes part of it twice.
    std::size_t replay_journal() {
        const std::size_t n = journal.lines();
        if (n == 0) {
            return 0;
        }
        in_batch([&] {
            journal.each([&](std::string_view line, std::size_t number) {
                writer_event e;
                try {
                    e = event_from(line);
                } catch (const std::exception& x) {
                    log.error("as-run spill journal line unreadable; its event is lost", "file",
                              journal.path().string() + ":" + std::to_string(number), "reason",
                              x.what());
                    ++refused_in_batch;
                    return;
                }
                apply(e);
            });
        });
        if (auto err = journal.clear()) {
            log.error("as-run spill journal written to the store but not removed", "reason", *err);
        }
        stored_seq = std::max(stored_seq, journaled_seq);
        return n;
    }

    void failed(const std::string& why, steady::time_point now) {
        db.reset();
        if (store_ok) { // once per transition, not per row
            backoff = options.retry_min;
            log.warning("as-run store unavailable; rows go to the spill journal", "reason", why);
        } else {
            backoff = std::min(backoff * 2, options.retry_max);
        }
        store_ok = false;
        down = true;
        reason = why;
        next_retry = now + backoff;
    }

    // The journal first, then what waits in memory: the store is called back only once both
    // are in it, so a store that opens but cannot commit (a disk still full) keeps its backoff
    // and says so once, not at every try.
    void recover(steady::time_point now) {
        try {
            open_store();
            const auto journaled = replay_journal();
            const auto waiting = held.size();
            store_held();
            down = false;
            store_ok = true;
            reason.clear();
            log.info("as-run store back; waiting rows written", "from_journal", journaled,
                     "from_memory", waiting);
        } catch (const std::exception& x) {
            failed(x.what(), now);
        }
    }

    // Appends `held` to the journal; on failure they stay in memory for the next try.
    void spill_held() {
        std::string text;
        for (auto& e : held) {
            if (e.what == writer_event::op::close && !e.row_id) {
                // The open is in SQLite: the line names the row, so a later run can close it.
                auto it = ids.find({e.run, e.ticket});
                if (it != ids.end()) {
                    e.row_id = it->second;
                }
            }
            text += journal_line(e);
        }
        if (auto err = journal.append(text, held.size())) {
            if (journal_ok) {
                journal_ok = false;
                log.error("as-run spill journal cannot be written; rows wait in memory", "reason",
                          *err, "waiting", held.size());
            }
            return;
        }
        if (!journal_ok) {
            journal_ok = true;
            log.info("as-run spill journal writable again");
        }
        for (const auto& e : held) {
            if (e.what == writer_event::op::close && e.row_id) {
                ids.erase({e.run, e.ticket});
            }
        }
        spilled += held.size();
        journaled_seq = durable_seq = held.back().seq;
        held.clear();
    }

    // `last`: the writer is stopping, so the store is tried once more whatever the backoff.
    void step(steady::time_point now, bool last) {
        if (!down && !held.empty()) {
            try {
                store_held();
            } catch (const std::exception& x) {
                failed(x.what(), now);
            }
        }
        if (down && (last || now >= next_retry)) {
            recover(now);
        }
        if (down && !held.empty()) {
            spill_held();
        }
    }

    // The stop, with rows that neither the store nor the journal took: the log is their last
    // copy, one journal line each, which a person can put back in the spill journal (the next
    // start writes it to the store first).
    void drop_held_at_stop() {
        log.error("as-run rows lost at stop: neither the store nor the spill journal could take "
                  "them; each follows as its journal line",
                  "rows", held.size(), "reason", reason);
        for (const auto& e : held) {
            auto line = journal_line(e);
            line.pop_back();
            log.error("as-run event not written", "journal_line", line);
        }
        lost += held.size();
        held.clear();
    }
};

writer::writer(std::filesystem::path state_dir, core::logger& log, writer_options options)
    : log_(log), options_(options), run_id_(new_run_id()),
      worker_(std::make_unique<worker>(std::move(state_dir), log, options)) {
    thread_ = std::thread([this] { run(); });
}

writer::~writer() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void writer::enqueue(detail::writer_event e) {
    {
        std::lock_guard lock(mutex_);
        if (queue_.size() + held_ >= options_.queue_limit) {
            ++lost_unlogged_; // logged by the writer thread: no I/O here
            ++status_.lost;
            return;
        }
        e.seq = ++queued_seq_;
        e.run = run_id_;
        queue_.push_back(std::move(e));
        ++status_.waiting;
    }
    wake_.notify_one();
}

writer::ticket writer::open_airing(airing row) {
    detail::writer_event e;
    e.what = detail::writer_event::op::open;
    e.row = std::move(row);
    {
        std::lock_guard lock(mutex_);
        e.ticket = ++next_ticket_;
    }
    const auto t = e.ticket;
    enqueue(std::move(e));
    return t;
}

void writer::close_airing(ticket t, core::instant end, airing_status s,
                          std::optional<std::string> detail) {
    detail::writer_event e;
    e.what = detail::writer_event::op::close;
    e.ticket = t;
    e.at = end;
    e.status = s;
    e.detail = std::move(detail);
    enqueue(std::move(e));
}

void writer::record(airing row) {
    detail::writer_event e;
    e.what = detail::writer_event::op::record;
    e.row = std::move(row);
    enqueue(std::move(e));
}

void writer::close_interrupted(core::instant last_alive) {
    detail::writer_event e;
    e.what = detail::writer_event::op::close_interrupted;
    e.at = last_alive;
    enqueue(std::move(e));
}

writer_status writer::status() const {
    std::lock_guard lock(mutex_);
    return status_;
}

bool writer::flush(std::chrono::milliseconds wait) {
    std::unique_lock lock(mutex_);
    const auto target = queued_seq_;
    return done_.wait_for(lock, wait, [&] { return durable_seq_ >= target; });
}

bool writer::wait_stored(std::chrono::milliseconds wait) {
    std::unique_lock lock(mutex_);
    const auto target = queued_seq_;
    return done_.wait_for(lock, wait, [&] { return stored_seq_ >= target; });
}

void writer::run() {
    auto& w = *worker_;
    if (auto err = w.journal.load()) {
        // Kept aside for a person to read, rather than appended to or removed.
        auto aside = w.journal.path();
        aside += ".unreadable-" + run_id_;
        std::error_code ec;
        std::filesystem::rename(w.journal.path(), aside, ec);
        log_.error("as-run spill journal left by an earlier run cannot be read; kept aside",
                   "reason", *err, "file", aside.string());
        ++w.lost;
        w.journal.load();
    }
    if (w.journal.lines() > 0) {
        // An earlier run left events: written before anything of this run, at once.
        log_.warning("as-run spill journal left by an earlier run; writing it first", "events",
                     w.journal.lines());
        w.down = true;
        w.next_retry = steady::now();
    } else {
        try {
            w.open_store();
        } catch (const std::exception& x) {
            w.failed(x.what(), steady::now());
        }
    }
    std::uint64_t lost_logged = 0;
    std::deque<detail::writer_event> taken;
    for (bool stopping = false; !stopping;) {
        {
            std::unique_lock lock(mutex_);
            auto ready = [&] { return stop_ || !queue_.empty(); };
            if (w.down) {
                wake_.wait_until(lock, w.next_retry, ready);
            } else {
                wake_.wait(lock, ready);
            }
            // O(1) under the lock: the caller never waits while events are moved.
            taken.swap(queue_);
            held_ = w.held.size() + taken.size();
            stopping = stop_;
        }
        if (w.held.empty()) {
            w.held.swap(taken);
        } else {
            std::move(taken.begin(), taken.end(), std::back_inserter(w.held));
            taken.clear();
        }
        w.step(steady::now(), stopping);
        if (stopping && !w.held.empty()) {
            w.drop_held_at_stop();
        }
        std::uint64_t lost_now = 0;
        {
            std::lock_guard lock(mutex_);
            held_ = w.held.size();
            lost_now = lost_unlogged_;
            status_.store_ok = w.store_ok;
            status_.reason = w.reason;
            status_.waiting = queue_.size() + w.held.size() + w.journal.lines();
            status_.spilled_total = w.spilled;
            status_.lost = w.lost + lost_unlogged_;
            status_.chain_head = w.chain_head;
            durable_seq_ = w.durable_seq;
            stored_seq_ = w.stored_seq;
        }
        done_.notify_all();
        if (lost_now > lost_logged) {
            log_.error("as-run rows lost: memory and the spill journal are full", "lost",
                       lost_now - lost_logged, "queue_limit", options_.queue_limit);
            lost_logged = lost_now;
        }
    }
}

} // namespace onair::asrun
