#pragma once

// Each subcommand registers its options on the parser and returns the function that runs it.

#include <CLI/CLI.hpp>

#include <functional>

namespace onair::cli {

using command = std::function<int()>;

command add_check(CLI::App& app);
command add_probe(CLI::App& app);
command add_plan(CLI::App& app);
command add_render(CLI::App& app);
command add_asrun(CLI::App& app);
command add_status(CLI::App& app);
command add_reload(CLI::App& app);
command add_run(CLI::App& app);
command add_report(CLI::App& app);
command add_insert(CLI::App& app);
command add_skip(CLI::App& app);
command add_now(CLI::App& app);
command add_list(CLI::App& app);

} // namespace onair::cli
