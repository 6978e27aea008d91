#include "cli/national.hpp"

#include "asrun_pg/connection.hpp"
#include "asrun_pg/national.hpp"
#include "asrun_pg/schema.hpp"
#include "cli/cli.hpp"

#include <iostream>

namespace onair::cli {

namespace {

std::string short_source(const std::string& source) {
    return source.substr(0, 12);
}

// A database onair never wrote to has nothing to verify or report: said plainly, not an error
// from a missing table.
bool has_schema(asrun_pg::connection& c, const char* command) {
    if (asrun_pg::version_of(c) > 0) {
        return true;
    }
    std::cerr << "onair " << command << ": the database holds no as-run yet (no station has "
              << "shipped to it)\n";
    return false;
}

} // namespace

int run_verify_db(const std::string& dsn, const std::optional<std::string>& station) {
    try {
        asrun_pg::connection c(dsn);
        if (!has_schema(c, "asrun")) {
            return ok;
        }
        const auto checks = asrun_pg::verify_database(c, station);
        std::size_t faults = 0;
        std::size_t rows = 0;
        for (const auto& check : checks) {
            const auto& r = check.result;
            rows += r.rows;
            const std::string who =
                "station " + check.station + " (store " + short_source(check.source) + ")";
            if (r.ok()) {
                std::cout << "ok: " << who << ": " << r.rows << " rows verified, chain head "
                          << r.head << '\n';
                continue;
            }
            faults += r.fault_count;
            for (const auto& f : r.faults) {
                const auto* zone = core::find_zone(f.timezone);
                std::cerr << "onair asrun: error: " << who << ": airing " << f.id << " (channel "
                          << f.channel << ", scheduled_start "
                          << core::format_iso(f.scheduled_start,
                                              zone != nullptr ? *zone : *core::find_zone("UTC"))
                          << "): " << f.what << '\n';
            }
            if (r.fault_count > r.faults.size()) {
                std::cerr << "onair asrun: error: " << who << ": and "
                          << (r.fault_count - r.faults.size()) << " more faults\n";
            }
            std::cout << "FAILED: " << who << ": " << r.fault_count
                      << (r.fault_count == 1 ? " fault" : " faults") << " in " << r.rows
                      << " rows, chain head " << r.head << '\n';
        }
        if (checks.empty()) {
            std::cout << "ok: no rows" << (station ? " of station " + *station : std::string())
                      << " in the database\n";
        } else if (checks.size() > 1) {
            std::cout << (faults == 0 ? "ok: " : "FAILED: ") << checks.size() << " stores, " << rows
                      << " rows, " << faults << (faults == 1 ? " fault\n" : " faults\n");
        }
        return faults == 0 ? ok : input_error;
    } catch (const asrun_pg::pg_error& e) {
        std::cerr << "onair asrun: error: " << asrun_pg::display_dsn(dsn) << ": " << e.what()
                  << '\n';
        return input_error;
    }
}

std::optional<std::string> national_report_text(const national_options& o) {
    try {
        asrun_pg::connection c(o.dsn);
        if (!has_schema(c, "report")) {
            return o.format == "json"  ? asrun_pg::national_json({}).dump(2) + "\n"
                   : o.format == "csv" ? asrun_pg::national_csv({})
                                       : asrun_pg::national_text({});
        }
        const auto rows =
            asrun_pg::national_report(c, {o.station, o.channel, o.campaign, o.from, o.to});
        if (o.format == "json") {
            return asrun_pg::national_json(rows).dump(2) + "\n";
        }
        if (o.format == "csv") {
            return asrun_pg::national_csv(rows);
        }
        return asrun_pg::national_text(rows);
    } catch (const asrun_pg::pg_error& e) {
        std::cerr << "onair report: error: " << asrun_pg::display_dsn(o.dsn) << ": " << e.what()
                  << '\n';
        return std::nullopt;
    }
}

} // namespace onair::cli
