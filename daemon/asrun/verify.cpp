#include "asrun/verify.hpp"

#include "asrun/chain.hpp"

namespace onair::asrun {

chain_walk::chain_walk(std::optional<std::string> channel, std::size_t max_faults,
                       std::optional<std::string> kept_head)
    : channel_(std::move(channel)), max_faults_(max_faults), kept_head_(std::move(kept_head)),
      previous_chain_(genesis_chain) {
    r_.head = genesis_chain;
    if (kept_head_) {
        r_.kept_head_found = *kept_head_ == genesis_chain;
    }
}

void chain_walk::fault(const airing& row, std::string what) {
    if (r_.faults.size() < max_faults_) {
        r_.faults.push_back(
            {row.id, row.channel, row.scheduled_start, row.timezone, std::move(what)});
    }
    ++r_.fault_count;
}

void chain_walk::next(const airing& row) {
    const bool mine = !channel_ || row.channel == *channel_;
    const std::int64_t seq = *row.seq;
    if (seq != previous_seq_ + 1) {
        // a gap says a row was removed; a repeat or a step back says seq was edited
        fault(row, seq > previous_seq_ + 1
                       ? "row removed before it: sequence " + std::to_string(seq) + " follows " +
                             std::to_string(previous_seq_)
                       : "sequence " + std::to_string(seq) + " out of order after " +
                             std::to_string(previous_seq_));
    } else if (mine) {
        const std::string stored = row.chain.value_or("");
        if (row.open()) {
            fault(row, "completed row made open again (status removed)");
        } else if (chain_value(previous_chain_, row, seq) != stored) {
            // Its own fields, or the stored chain of the row before it: say which.
            fault(row, "content altered: its chain does not match its fields");
        }
    }
    if (mine) {
        ++r_.rows;
    }
    if (kept_head_) {
        if (*r_.kept_head_found) {
            ++r_.rows_after_kept_head;
        } else if (row.chain == *kept_head_) {
            r_.kept_head_found = true;
        }
    }
    previous_seq_ = seq;
    previous_chain_ = row.chain.value_or("");
    r_.head = previous_chain_;
}

verify_result verify_chain(const store& s, const std::optional<std::string>& channel,
                           std::size_t max_faults, const std::optional<std::string>& kept_head) {
    chain_walk walk(channel, max_faults, kept_head);
    s.completed_in_order([&](const airing& row) { walk.next(row); });
    s.unchained([&](const airing& row) {
        if (channel && row.channel != *channel) {
            return;
        }
        if (row.open()) {
            walk.count_open();
        } else {
            walk.fault(row, "completed but not in the chain (written outside onair, or the chain "
                            "columns were cleared)");
        }
    });
    return walk.result();
}

} // namespace onair::asrun
