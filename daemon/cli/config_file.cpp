#include "cli/config_file.hpp"

#include <filesystem>
#include <iostream>

namespace onair::cli {

config_lookup find_config(const char* env, const std::function<bool(const std::string&)>& exists) {
    config_lookup out;
    if (env != nullptr && *env != '\0') {
        // Named on purpose: used as given, so a wrong path is an error about that path rather
        // than a silent fall back to another station's config.
        out.looked.push_back(std::string("$") + config_env + " (" + env + ")");
        out.found = env;
        return out;
    }
    for (const char* place : {installed_config, source_tree_config}) {
        out.looked.emplace_back(place);
        if (exists(place)) {
            out.found = place;
            return out;
        }
    }
    return out;
}

CLI::Option* add_config_option(CLI::App* sub, std::string& config, const std::string& help) {
    return sub->add_option("--config", config,
                           help + " (default: $" + config_env + ", else " + installed_config +
                               ", else ./" + source_tree_config + ")");
}

bool default_config(CLI::App& sub) {
    CLI::Option* opt = sub.get_option_no_throw("--config");
    if (opt == nullptr || opt->count() > 0) {
        return true;
    }
    // `--db`: the command reads a shared database, not this host's config
    if (CLI::Option* db = sub.get_option_no_throw("--db"); db != nullptr && db->count() > 0) {
        return true;
    }
    auto lookup = find_config(std::getenv(config_env), [](const std::string& path) {
        std::error_code ec;
        return std::filesystem::is_regular_file(path, ec);
    });
    if (!lookup.found) {
        std::cerr << "onair " << sub.get_name() << ": no config: give --config FILE or set $"
                  << config_env << " (looked for";
        const char* sep = " ";
        for (const auto& place : lookup.looked) {
            std::cerr << sep << (place.front() == '/' ? "" : "./") << place;
            sep = " and ";
        }
        std::cerr << ")";
        std::cerr << '\n';
        return false;
    }
    opt->add_result(*lookup.found);
    opt->run_callback();
    return true;
}

} // namespace onair::cli
