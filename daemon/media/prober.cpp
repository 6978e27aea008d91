#include "media/probe.hpp"

#include "media/probe_detail.hpp"
#include "media/probe_json.hpp"

#include <glib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <system_error>
#include <thread>

namespace onair::media {

namespace {

// Bumped whenever what a probe finds changes meaning, so that old caches are simply not used.
// (The sha256 came later without a bump: an entry without one is hashed on its next hit, not
// decoded again.)
constexpr int cache_version = 1;

std::string cache_key(const std::filesystem::path& file) {
    std::error_code ec;
    auto abs = std::filesystem::absolute(file, ec);
    return (ec ? file : abs).lexically_normal().string();
}

// Hex SHA-256 of a file's bytes, read in large blocks; empty when it cannot be read whole (the
// row then has no hash rather than a wrong one).
std::string sha256_of_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        return {};
    }
    std::unique_ptr<GChecksum, decltype(&g_checksum_free)> sum(g_checksum_new(G_CHECKSUM_SHA256),
                                                               &g_checksum_free);
    std::vector<char> block(1 << 20);
    while (in) {
        in.read(block.data(), static_cast<std::streamsize>(block.size()));
        if (in.gcount() > 0) {
            g_checksum_update(sum.get(), reinterpret_cast<const guchar*>(block.data()),
                              static_cast<gssize>(in.gcount()));
        }
    }
    if (in.bad()) {
        return {};
    }
    return g_checksum_get_string(sum.get());
}

} // namespace

struct prober::cache {
    struct entry {
        std::uintmax_t size = 0;
        std::int64_t mtime_ns = 0;
        probe_result result;
    };
    bool loaded = false;
    bool dirty = false;
    std::map<std::string, entry> entries;

    // A cache file that is missing, unreadable, corrupt or of another version is as good as an
    // empty one: it only ever saves work, so it must never stop a check.
    void load(const std::filesystem::path& file) {
        loaded = true;
        if (file.empty()) {
            return;
        }
        std::ifstream in(file, std::ios::binary);
        if (!in) {
            return;
        }
        try {
            auto j = nlohmann::ordered_json::parse(in);
            if (j.at("version").get<int>() != cache_version) {
                return;
            }
            for (const auto& [key, e] : j.at("files").items()) {
                try {
                    entry x;
                    x.size = e.at("size").get<std::uintmax_t>();
                    x.mtime_ns = e.at("mtime_ns").get<std::int64_t>();
                    x.result = probe_result_from_json(e.at("result"));
                    entries[key] = std::move(x);
                } catch (const nlohmann::json::exception&) {
                    // one bad entry costs one decode, not the whole cache
                }
            }
        } catch (const nlohmann::json::exception&) {
            entries.clear();
        }
    }

    nlohmann::ordered_json to_json() const {
        auto files = nlohmann::ordered_json::object();
        for (const auto& [key, e] : entries) {
            files[key] = {
                {"size", e.size}, {"mtime_ns", e.mtime_ns}, {"result", media::to_json(e.result)}};
        }
        return {{"version", cache_version}, {"files", files}};
    }
};

prober::prober(std::filesystem::path cache_file)
    : cache_file_(std::move(cache_file)), cache_(std::make_unique<cache>()) {}

prober::~prober() {
    save();
}

probe_result prober::probe(const std::filesystem::path& file) {
    return probe_all({file}, 1).front();
}

// Long: cache lookup, parallel decode and cache update share the work list; split when the cache
// gets its own class.
std::vector<probe_result> prober::probe_all(const std::vector<std::filesystem::path>& files,
                                            unsigned jobs) {
    if (!cache_->loaded) {
        cache_->load(cache_file_);
    }
    std::vector<probe_result> out(files.size());
    struct pending {
        std::string key;
        std::filesystem::path file;
        detail::file_facts facts;
        detail::decode_outcome outcome;
        std::vector<std::size_t> wanted_at; // indexes into `out`
    };
    std::vector<pending> work;
    std::map<std::string, std::size_t> work_of_key;
    for (std::size_t i = 0; i < files.size(); ++i) {
        const auto& file = files[i];
        // Existence and permissions change without touching size or mtime, so they are checked
        // on every probe and their failures are never cached.
        auto facts = detail::inspect_file(file);
        if (!facts.error.empty()) {
            out[i].file = file;
            out[i].error = facts.error;
            continue;
        }
        auto key = cache_key(file);
        if (auto it = cache_->entries.find(key); it != cache_->entries.end() &&
                                                 it->second.size == facts.size &&
                                                 it->second.mtime_ns == facts.mtime_ns) {
            ++hits_;
            if (it->second.result.sha256.empty()) {
                // written before the cache kept hashes: hash now, keep it, decode nothing
                it->second.result.sha256 = sha256_of_file(file);
                cache_->dirty = cache_->dirty || !it->second.result.sha256.empty();
            }
            out[i] = it->second.result;
            out[i].file = file;
            continue;
        }
        if (cache_only_) {
            out[i].file = file;
            out[i].error = not_probed_yet;
            continue;
        }
        auto [w, fresh] = work_of_key.emplace(key, work.size());
        if (fresh) {
            work.push_back(pending{key, file, facts, {}, {}});
        }
        work[w->second].wanted_at.push_back(i);
    }

    // Decoding one file keeps about one core busy (the demuxer, a decoder and the meter mostly
    // wait on each other), so files go in parallel, the largest first so that one long file
    // does not run alone at the end. Each worker owns its pipelines; the cache is only touched
    // here, after they are done.
    std::stable_sort(work.begin(), work.end(), [](const pending& a, const pending& b) {
        return a.facts.size > b.facts.size;
    });
    if (jobs == 0) {
        jobs = std::max(1u, std::thread::hardware_concurrency());
    }
    jobs = static_cast<unsigned>(std::min<std::size_t>(jobs, work.size()));
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> finished{0};
    if (progress_ && !work.empty()) {
        progress_(0, work.size());
    }
    auto worker = [&] {
        for (std::size_t k = next++; k < work.size(); k = next++) {
            try {
                work[k].outcome = detail::decode_file(work[k].file);
                // Beside the decode, on the same worker: one more read of a file the decode
                // just brought into the page cache.
                work[k].outcome.result.sha256 = sha256_of_file(work[k].file);
            } catch (const std::exception& e) { // nothing may escape a thread
                work[k].outcome.result.file = work[k].file;
                work[k].outcome.result.error = std::string("cannot be probed: ") + e.what();
                work[k].outcome.cacheable = false;
            }
            if (progress_) {
                progress_(++finished, work.size());
            }
        }
    };
    if (jobs <= 1) {
        worker();
    } else {
        std::vector<std::thread> threads;
        for (unsigned t = 0; t < jobs; ++t) {
            threads.emplace_back(worker);
        }
        for (auto& t : threads) {
            t.join();
        }
    }

    for (auto& w : work) {
        ++decoded_;
        for (std::size_t i : w.wanted_at) {
            out[i] = w.outcome.result;
            out[i].file = files[i];
        }
        if (w.outcome.cacheable) {
            // Keyed by the size and mtime seen before decoding: a file rewritten meanwhile is
            // simply decoded again next time.
            auto& e = cache_->entries[w.key];
            e = cache::entry{w.facts.size, w.facts.mtime_ns, std::move(w.outcome.result)};
            e.result.file = w.key;
            cache_->dirty = true;
        }
    }
    return out;
}

bool prober::save() {
    if (cache_file_.empty() || !cache_->dirty) {
        return true;
    }
    // An unwritable cache costs time on the next run, nothing else: report it, never throw.
    save_error_.clear();
    std::error_code ec;
    auto dir = cache_file_.parent_path();
    if (!dir.empty()) {
        std::filesystem::create_directories(dir, ec);
        if (ec) {
            save_error_ = "cannot create " + dir.string() + ": " + ec.message();
            return false;
        }
    }
    // Written aside and renamed: a crash or a concurrent reader never sees half a cache.
    auto tmp = cache_file_;
    tmp += ".tmp." + std::to_string(::getpid());
    try {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        // Paths need not be UTF-8; a replaced byte only costs that file a cache miss.
        out << cache_->to_json().dump(1, ' ', false,
                                      nlohmann::ordered_json::error_handler_t::replace)
            << '\n';
        out.flush();
        if (!out) {
            throw std::runtime_error("cannot write " + tmp.string());
        }
    } catch (const std::exception& e) {
        save_error_ = e.what();
        std::filesystem::remove(tmp, ec);
        return false;
    }
    std::filesystem::rename(tmp, cache_file_, ec);
    if (ec) {
        save_error_ = "cannot replace " + cache_file_.string() + ": " + ec.message();
        std::filesystem::remove(tmp, ec);
        return false;
    }
    cache_->dirty = false;
    return true;
}

double gain_db_for(std::optional<double> target_lufs, const probe_result& r) {
    constexpr double max_gain_db = 20;
    if (!target_lufs || !r.ok || !r.loudness_lufs) {
        return 0;
    }
    return std::clamp(*target_lufs - *r.loudness_lufs, -max_gain_db, max_gain_db);
}

} // namespace onair::media
