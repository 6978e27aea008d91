#include "asrun_pg/schema.hpp"

#include <array>

namespace onair::asrun_pg {

namespace {

// Any constant: the key of the advisory lock that serialises migrations across daemons.
constexpr const char* migration_lock = "SELECT pg_advisory_xact_lock(4242017001)";

// Step k brings version k to k + 1.
constexpr std::array<const char*, schema_version> steps = {
    R"sql(
CREATE TABLE onair_schema (version integer NOT NULL);
INSERT INTO onair_schema VALUES (0);
CREATE TABLE asrun (
    station            text NOT NULL,
    source             text NOT NULL,
    seq                bigint NOT NULL,
    local_id           bigint NOT NULL,
    channel            text NOT NULL,
    kind               text NOT NULL,
    media              text NOT NULL,
    campaign           text,
    break_id           text,
    title              text NOT NULL,
    file               text NOT NULL,
    scheduled_start_ms bigint NOT NULL,
    scheduled_end_ms   bigint NOT NULL,
    actual_start_ms    bigint,
    actual_end_ms      bigint,
    status             text NOT NULL,
    detail             text,
    timezone           text NOT NULL,
    media_sha256       text,
    make_good_of_ms    bigint,
    chain              text NOT NULL,
    received_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (station, source, seq)
);
CREATE INDEX asrun_by_campaign ON asrun (campaign, scheduled_start_ms);
CREATE INDEX asrun_by_channel ON asrun (station, channel, scheduled_start_ms);
)sql",
};

int read_version(connection& c) {
    auto exists = c.exec("SELECT to_regclass('onair_schema') IS NOT NULL");
    if (exists.text(0, 0) != "t") {
        return 0;
    }
    return static_cast<int>(c.exec("SELECT version FROM onair_schema").integer(0, 0));
}

} // namespace

int version_of(connection& c) {
    return read_version(c);
}

void migrate(connection& c) {
    c.exec("BEGIN");
    try {
        c.exec(migration_lock);
        int v = read_version(c);
        if (v > schema_version) {
            throw pg_error("the database has as-run schema " + std::to_string(v) +
                           ", newer than this onair's " + std::to_string(schema_version) +
                           ": upgrade onair");
        }
        for (; v < schema_version; ++v) {
            c.exec(steps[static_cast<std::size_t>(v)]);
            c.exec("UPDATE onair_schema SET version = $1", {std::to_string(v + 1)});
        }
        c.exec("COMMIT");
    } catch (...) {
        if (c.ok()) {
            try {
                c.exec("ROLLBACK");
            } catch (const pg_error&) {
                // the connection broke: the transaction is gone with it
            }
        }
        throw;
    }
}

} // namespace onair::asrun_pg
