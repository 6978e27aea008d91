#include "asrun/verify.hpp"

#include "asrun/chain.hpp"

namespace onair::asrun {

verify_result verify_chain(const store& s, const std::optional<std::string>& channel,
                           std::size_t max_faults, const std::optional<std::string>& kept_head) {
    verify_result r;
    r.head = genesis_chain;
    if (kept_head) {
        r.kept_head_found = *kept_head == genesis_chain;
    }
    auto fault = [&](const airing& row, std::string what) {
        if (r.faults.size() < max_faults) {
            r.faults.push_back(
                {row.id, row.channel, row.scheduled_start, row.timezone, std::move(what)});
        }
        ++r.fault_count;
    };
    std::int64_t previous_seq = 0;
    std::string previous_chain = genesis_chain;
    s.completed_in_order([&](const airing& row) {
        const bool mine = !channel || row.channel == *channel;
        const std::int64_t seq = *row.seq;
        if (seq != previous_seq + 1) {
            // a gap says a row was removed; a repeat or a step back says seq was edited
            fault(row, seq > previous_seq + 1
                           ? "row removed before it: sequence " + std::to_string(seq) +
                                 " follows " + std::to_string(previous_seq)
                           : "sequence " + std::to_string(seq) + " out of order after " +
                                 std::to_string(previous_seq));
        } else if (mine) {
            const std::string stored = row.chain.value_or("");
            if (row.open()) {
                fault(row, "completed row made open again (status removed)");
            } else if (chain_value(previous_chain, row, seq) != stored) {
                // Its own fields, or the stored chain of the row before it: say which.
                fault(row, "content altered: its chain does not match its fields");
            }
        }
        if (mine) {
            ++r.rows;
        }
        if (kept_head) {
            if (*r.kept_head_found) {
                ++r.rows_after_kept_head;
            } else if (row.chain == *kept_head) {
                r.kept_head_found = true;
            }
        }
        previous_seq = seq;
        previous_chain = row.chain.value_or("");
    });
    r.head = previous_chain;
    s.unchained([&](const airing& row) {
        if (channel && row.channel != *channel) {
            return;
        }
        if (row.open()) {
            ++r.open;
        } else {
            fault(row, "completed but not in the chain (written outside onair, or the chain "
                       "columns were cleared)");
        }
    });
    return r;
}

} // namespace onair::asrun
