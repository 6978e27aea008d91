#include "asrun_pg/sink.hpp"

#include "asrun/store.hpp"
#include "asrun_pg/schema.hpp"

#include <algorithm>
#include <vector>

namespace onair::asrun_pg {

namespace {

// The rows of one batch as PostgreSQL array literals, one per column: the whole batch is one
// INSERT ... SELECT FROM unnest(...), one round trip however many rows it holds.
class columns {
public:
    static constexpr int count = 19;

    void add(const asrun::airing& a) {
        auto ms = [](core::instant t) { return std::to_string(t.time_since_epoch().count()); };
        auto opt_ms = [&](const std::optional<core::instant>& t) -> param {
            return t ? param(ms(*t)) : std::nullopt;
        };
        const param values[count] = {
            std::to_string(*a.seq),
            std::to_string(a.id),
            a.channel,
            std::string(asrun::to_string(a.kind)),
            a.media,
            a.campaign,
            a.break_id,
            a.title,
            a.file,
            ms(a.scheduled_start),
            ms(a.scheduled_end),
            opt_ms(a.actual_start),
            opt_ms(a.actual_end),
            a.status ? param(asrun::to_string(*a.status)) : std::nullopt,
            a.detail,
            a.timezone,
            a.media_sha256,
            opt_ms(a.make_good_of),
            a.chain,
        };
        for (int k = 0; k < count; ++k) {
            append(text_[static_cast<std::size_t>(k)], values[k]);
        }
    }

    std::vector<param> params(const std::string& station, const std::string& source) const {
        std::vector<param> out{station, source};
        for (const auto& t : text_) {
            out.emplace_back(t.empty() ? "{}" : "{" + t + "}");
        }
        return out;
    }

private:
    // One element: NULL, or the value double-quoted with '"' and '\' escaped.
    static void append(std::string& to, const param& v) {
        if (!to.empty()) {
            to += ',';
        }
        if (!v) {
            to += "NULL";
            return;
        }
        to += '"';
        for (char c : *v) {
            if (c == '"' || c == '\\') {
                to += '\\';
            }
            to += c;
        }
        to += '"';
    }
    std::string text_[count];
};

constexpr const char* insert_sql = R"sql(
INSERT INTO asrun (station, source, seq, local_id, channel, kind, media, campaign, break_id,
                   title, file, scheduled_start_ms, scheduled_end_ms, actual_start_ms,
                   actual_end_ms, status, detail, timezone, media_sha256, make_good_of_ms, chain)
SELECT $1, $2, * FROM unnest($3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::text[],
                             $8::text[], $9::text[], $10::text[], $11::text[], $12::bigint[],
                             $13::bigint[], $14::bigint[], $15::bigint[], $16::text[],
                             $17::text[], $18::text[], $19::text[], $20::bigint[], $21::text[])
ON CONFLICT (station, source, seq) DO NOTHING
)sql";

} // namespace

shipper::shipper(sink_options options) : options_(std::move(options)) {}
shipper::~shipper() = default;

void shipper::drop(bool store_too) {
    db_.reset();
    if (store_too) {
        store_.reset();
    }
    status_.connected = false;
}

void shipper::open_store() {
    std::error_code ec;
    if (!store_ && !std::filesystem::exists(options_.store_file, ec)) {
        return; // the writer has not made it yet: nothing has aired
    }
    if (!store_) {
        // read-only, beside the writer (WAL: it never waits for this reader)
        store_ = std::make_unique<asrun::store>(options_.store_file, asrun::open_mode::read_only);
    }
    status_.local_seq = store_->last_seq();
    if (source_.empty()) {
        store_->completed_after(0, 1,
                                [&](const asrun::airing& a) { source_ = a.chain.value_or(""); });
    }
}

void shipper::connect_db() {
    auto db = std::make_unique<connection>(options_.dsn);
    migrate(*db);
    db->prepare("onair_insert", insert_sql, 21);
    auto last = db->exec("SELECT coalesce(max(seq), 0) FROM asrun WHERE station = $1 AND "
                         "source = $2",
                         {options_.station, source_});
    status_.shipped_seq = last.integer(0, 0);
    status_.resumed_from = status_.shipped_seq;
    db_ = std::move(db);
    status_.connected = true;
    status_.reason.clear();
}

std::size_t shipper::step() {
    open_store();
    if (!store_ || source_.empty()) {
        return 0; // nothing completed yet: nothing to name the store by, nothing to ship
    }
    if (!db_) {
        connect_db();
    }
    columns batch;
    std::size_t n = 0;
    std::int64_t last = status_.shipped_seq;
    store_->completed_after(status_.shipped_seq, options_.batch, [&](const asrun::airing& a) {
        batch.add(a);
        last = *a.seq;
        ++n;
    });
    if (n == 0) {
        return 0;
    }
    // one statement, so one transaction: the batch is in the database whole or not at all
    db_->exec_prepared("onair_insert", batch.params(options_.station, source_));
    status_.shipped_seq = last;
    status_.shipped_total += n;
    return n;
}

sink::sink(sink_options options, core::logger& log)
    : options_(std::move(options)), log_(log), thread_([this] { run(); }) {}

sink::~sink() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
}

sink_status sink::status() const {
    std::lock_guard lock(mutex_);
    return status_;
}

void sink::wake() {
    {
        std::lock_guard lock(mutex_);
        woken_ = true;
    }
    cv_.notify_all();
}

void sink::report_outage(const char* what, const std::string& reason, const sink_status& now) {
    std::lock_guard lock(mutex_);
    status_.local_seq = now.local_seq;
    // once per outage (the reason may change while it lasts: closed, then refused)
    if (status_.connected || status_.reason.empty()) {
        log_.warning(what, "database", display_dsn(options_.dsn), "reason", reason);
    }
    status_.connected = false;
    status_.reason = reason;
}

// Long: the thread's whole life (connect, ship, catch-up figures, backoff) reads best in one
// place.
void sink::run() {
    shipper s(options_);
    auto backoff = options_.retry_min;
    bool was_down = false;
    std::int64_t behind_at_reconnect = 0;
    auto reconnected_at = std::chrono::steady_clock::now();
    std::size_t sent_since = 0;
    for (;;) {
        std::chrono::milliseconds wait = options_.poll;
        try {
            const bool had_db = s.status().connected;
            const auto step_began = std::chrono::steady_clock::now();
            const std::size_t n = s.step();
            const auto st = s.status();
            if (st.connected && !had_db) {
                log_.info("as-run sink: connected", "database", display_dsn(options_.dsn),
                          "station", options_.station, "shipped_seq", st.resumed_from, "local_seq",
                          st.local_seq);
                if (was_down) {
                    behind_at_reconnect = st.local_seq - st.resumed_from;
                    reconnected_at = step_began;
                    sent_since = 0;
                }
            }
            sent_since += n;
            if (was_down && st.connected && st.lag() == 0) {
                const double seconds =
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - reconnected_at)
                        .count();
                log_.info("as-run sink: caught up", "rows", sent_since, "behind",
                          behind_at_reconnect, "seconds", seconds, "rows_per_second",
                          seconds > 0 ? static_cast<std::int64_t>(sent_since / seconds) : 0);
                was_down = false;
            }
            {
                std::lock_guard lock(mutex_);
                status_ = st;
            }
            backoff = options_.retry_min;
            if (n == options_.batch) {
                wait = std::chrono::milliseconds(0); // more are waiting: no pause
            }
        } catch (const pg_error& x) {
            s.drop(false);
            report_outage("as-run sink: cannot ship to PostgreSQL; the rows wait in the local "
                          "store",
                          x.what(), s.status());
            was_down = true;
            wait = backoff;
            backoff = std::min(backoff * 2, options_.retry_max);
        } catch (const std::exception& x) {
            // the local store (locked, unreadable): opened again next time
            s.drop(true);
            report_outage("as-run sink: cannot read the local as-run store", x.what(), s.status());
            was_down = true;
            wait = backoff;
            backoff = std::min(backoff * 2, options_.retry_max);
        }
        std::unique_lock lock(mutex_);
        cv_.wait_for(lock, wait, [&] { return stopping_ || woken_; });
        woken_ = false;
        if (stopping_) {
            return;
        }
    }
}

} // namespace onair::asrun_pg
