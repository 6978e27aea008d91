// The systemd units as installed (onair.service, and onair@.service for one channel): the
// directives the daemon relies on, `systemd-analyze verify` clean (with the built binary in
// place of the installed one), and `cmake --install` laying out binary, units, config and
// playlists where they point at each other.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
    for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
        s.replace(pos, from.size(), to);
    }
    return s;
}

struct temp_dir {
    temp_dir(const char* tag) {
        path = fs::temp_directory_path() /
               (std::string("onair-") + tag + "-" + std::to_string(::getpid()));
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~temp_dir() { fs::remove_all(path); }
    fs::path path;
};

int run(const std::string& cmd) {
    const int rc = std::system(cmd.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

bool has_program(const char* name) {
    return run(std::string("command -v ") + name + " >/dev/null 2>&1") == 0;
}

TEST(systemd_unit, has_the_directives_the_daemon_relies_on) {
    const auto unit = slurp(ONAIR_UNIT_FILE);
    ASSERT_FALSE(unit.empty());
    for (const char* line :
         {"\nType=notify\n",
          "\nWatchdogSec=30\n",
          "\nRestart=on-failure\n",
          "\nDynamicUser=yes\n",
          "\nStateDirectory=onair\n",
          "\nProtectSystem=strict\n",
          "\nProtectHome=yes\n",
          "\nNoNewPrivileges=yes\n",
          "\nPrivateTmp=yes\n",
          "\nRestrictAddressFamilies=AF_UNIX AF_INET AF_INET6\n",
          "\nSupplementaryGroups=audio video\n",
          "\nDeviceAllow=char-alsa rw\n",
          "\nDeviceAllow=char-video4linux rw\n",
          "\nOnFailure=onair-failure@%n.service\n",
          "\nSystemCallFilter=@system-service\n",
          "\nSystemCallFilter=~@privileged @resources\n",
          "\nSystemCallFilter=sched_setattr\n",
          "\nSystemCallErrorNumber=EPERM\n",
          "\nCapabilityBoundingSet=\n",
          "\nAmbientCapabilities=\n",
          "\nProtectProc=invisible\n",
          "\nMemoryDenyWriteExecute=yes\n",
          "\nMemoryMax=3G\n",
          "\nTasksMax=1024\n",
          "\n#LoadCredential=onair-token:" ONAIR_INSTALLED_CONFIG_DIR "/token\n"}) {
        EXPECT_NE(unit.find(line), std::string::npos) << line;
    }
    // One channel's broken schedule must not keep the station off air (docs/service.md).
    EXPECT_NE(unit.find("\nExecStartPre=" ONAIR_INSTALLED_BINARY
                        " check --config " ONAIR_INSTALLED_CONFIG_DIR
                        "/onair.yaml --config-only --no-probe --days 1\n"),
              std::string::npos);
    EXPECT_NE(unit.find("\nExecStart=" ONAIR_INSTALLED_BINARY " run --config "), std::string::npos);
    // A refused reload fails `systemctl reload` (onair reload exits 1 on 422).
    EXPECT_NE(unit.find("\nExecReload=" ONAIR_INSTALLED_BINARY
                        " reload --config " ONAIR_INSTALLED_CONFIG_DIR "/onair.yaml\n"),
              std::string::npos);
    // IPAddressDeny= would cut the outputs off the network; PrivateDevices= the sound and
    // capture cards.
    EXPECT_EQ(unit.find("\nIPAddressDeny="), std::string::npos);
    EXPECT_EQ(unit.find("\nPrivateDevices="), std::string::npos);
}

// Both units as installed, in one directory, with the binary just built in place of the
// installed one (verify checks that ExecStart= binaries exist).
fs::path units_in(const temp_dir& dir) {
    const auto unit = replace_all(slurp(ONAIR_UNIT_FILE), ONAIR_INSTALLED_BINARY, ONAIR_BINARY);
    std::ofstream(dir.path / "onair.service") << unit;
    std::ofstream(dir.path / "onair-failure@.service") << slurp(ONAIR_FAILURE_UNIT_FILE);
    return dir.path / "onair.service";
}

// "→ Overall exposure level for onair.service: 1.5 OK 🙂" -> 1.5; -1 when there is no such
// line.
double exposure_of(const std::string& report) {
    const std::string head = "Overall exposure level for onair.service: ";
    const auto at = report.find(head);
    if (at == std::string::npos) {
        return -1;
    }
    std::istringstream in(report.substr(at + head.size()));
    double level = -1;
    std::string rating;
    if (!(in >> level >> rating) || in.peek() != ' ') {
        return -1;
    }
    return level;
}

TEST(systemd_unit, the_exposure_parser_reads_the_line_exactly) {
    EXPECT_EQ(exposure_of("x\n→ Overall exposure level for onair.service: 1.5 OK 🙂\n"), 1.5);
    EXPECT_EQ(exposure_of("→ Overall exposure level for onair.service: 9.6 UNSAFE 😨\n"), 9.6);
    EXPECT_EQ(exposure_of("→ Overall exposure level for other.service: 1.0 OK 🙂\n"), -1);
    EXPECT_EQ(exposure_of("→ Overall exposure level for onair.service: high\n"), -1);
    EXPECT_EQ(exposure_of(""), -1);
}

TEST(systemd_unit, scores_at_most_2_in_systemd_analyze_security) {
    if (!has_program("systemd-analyze")) {
        GTEST_SKIP() << "systemd-analyze is not installed (scripts/install-deps adds it)";
    }
    temp_dir dir("security");
    const auto unit = units_in(dir);
    const auto out = dir.path / "security.txt";
    // --offline: judge the unit file itself, no running systemd needed (systemd 252 and later).
    const int rc = run("systemd-analyze security --offline=true --man=no " + unit.string() + " >" +
                       out.string() + " 2>&1");
    const auto text = slurp(out);
    ASSERT_EQ(rc, 0) << text;
    const double level = exposure_of(text);
    ASSERT_GE(level, 0.0) << "no exposure line in:\n" << text;
    EXPECT_LE(level, 2.0) << text;
    // docs/service.md quotes the figure of systemd 252 (Debian 12), 1.6; other versions weigh
    // the settings differently, so only the bound is asserted.
    RecordProperty("exposure_level", std::to_string(level));
}

TEST(systemd_unit, passes_systemd_analyze_verify) {
    if (!has_program("systemd-analyze")) {
        GTEST_SKIP() << "systemd-analyze is not installed (scripts/install-deps adds it)";
    }
    temp_dir dir("unit");
    const auto unit = units_in(dir);
    const auto out = dir.path / "verify.txt";
    // --man=no: no man page lookups; no running systemd is needed for verify. The failure hook
    // is verified as the instance onair.service would start.
    const int rc = run("systemd-analyze verify --man=no " + unit.string() + " " +
                       (dir.path / "onair-failure@onair.service.service").string() + " >" +
                       out.string() + " 2>&1");
    const auto text = slurp(out);
    EXPECT_EQ(rc, 0) << text;
    // Other units pulled in (targets) may be absent in a container: only our unit's lines count.
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        EXPECT_EQ(line.find("onair"), std::string::npos) << line;
    }
}

TEST(systemd_unit, verify_catches_a_broken_unit) {
    if (!has_program("systemd-analyze")) {
        GTEST_SKIP() << "systemd-analyze is not installed";
    }
    temp_dir dir("badunit");
    // The same unit with a binary that does not exist: verify must say so, else the test above
    // proves nothing.
    const auto unit = replace_all(slurp(ONAIR_UNIT_FILE), ONAIR_INSTALLED_BINARY,
                                  (dir.path / "missing-onair").string());
    std::ofstream(dir.path / "onair.service") << unit;
    EXPECT_NE(run("systemd-analyze verify --man=no " + (dir.path / "onair.service").string() +
                  " >/dev/null 2>&1"),
              0);
}

// The unit of one channel (onair@CHANNEL): its own channel, state dir and API address, and
// every line of onair.service's sandbox.
TEST(systemd_unit, the_channel_template_airs_one_channel_in_the_same_sandbox) {
    const auto unit = slurp(ONAIR_CHANNEL_UNIT_FILE);
    ASSERT_FALSE(unit.empty());
    for (const char* line :
         {"\nExecStart=" ONAIR_INSTALLED_BINARY " run --config " ONAIR_INSTALLED_CONFIG_DIR
          "/onair.yaml --channel %i --state-dir /var/lib/onair/%i --listen=${ONAIR_LISTEN}\n",
          "\nExecReload=" ONAIR_INSTALLED_BINARY " reload --config " ONAIR_INSTALLED_CONFIG_DIR
          "/onair.yaml --listen=${ONAIR_LISTEN}\n",
          "\nEnvironmentFile=-" ONAIR_INSTALLED_CONFIG_DIR "/%i.env\n",
          "\nStateDirectory=onair/%i\n", "\nWorkingDirectory=/var/lib/onair/%i\n",
          "\nOnFailure=onair-failure@%n.service\n"}) {
        EXPECT_NE(unit.find(line), std::string::npos) << line;
    }
    // Every directive of onair.service's [Service] but those that name the state dir, the
    // command lines and the resource limits (one channel needs less) is the same here.
    const auto whole = slurp(ONAIR_UNIT_FILE);
    std::istringstream lines(whole.substr(whole.find("\n[Service]\n")));
    int compared = 0;
    for (std::string line; std::getline(lines, line);) {
        if (line.empty() || line[0] == '#' || line[0] == '[') {
            continue;
        }
        const auto key = line.substr(0, line.find('='));
        if (key == "ExecStart" || key == "ExecReload" || key == "StateDirectory" ||
            key == "WorkingDirectory" || key == "MemoryHigh" || key == "MemoryMax" ||
            key == "TasksMax") {
            continue;
        }
        EXPECT_NE(unit.find("\n" + line + "\n"), std::string::npos) << line;
        ++compared;
    }
    EXPECT_GT(compared, 30);
}

// The template and the failure hook in one directory, the built binary in place of the
// installed one; the instance for channel `police-tv`.
fs::path channel_unit_in(const temp_dir& dir) {
    const auto unit =
        replace_all(slurp(ONAIR_CHANNEL_UNIT_FILE), ONAIR_INSTALLED_BINARY, ONAIR_BINARY);
    std::ofstream(dir.path / "onair@.service") << unit;
    std::ofstream(dir.path / "onair-failure@.service") << slurp(ONAIR_FAILURE_UNIT_FILE);
    return dir.path / "onair@police-tv.service";
}

TEST(systemd_unit, the_channel_template_passes_verify_and_scores_as_well) {
    if (!has_program("systemd-analyze")) {
        GTEST_SKIP() << "systemd-analyze is not installed (scripts/install-deps adds it)";
    }
    temp_dir dir("channel-unit");
    const auto unit = channel_unit_in(dir);
    const auto out = dir.path / "verify.txt";
    const int rc = run("systemd-analyze verify --man=no " + unit.string() + " " +
                       (dir.path / "onair-failure@onair@police-tv.service.service").string() +
                       " >" + out.string() + " 2>&1");
    const auto text = slurp(out);
    EXPECT_EQ(rc, 0) << text;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        EXPECT_EQ(line.find("onair"), std::string::npos) << line;
    }
    const auto security = dir.path / "security.txt";
    ASSERT_EQ(run("systemd-analyze security --offline=true --man=no " + unit.string() + " >" +
                  security.string() + " 2>&1"),
              0)
        << slurp(security);
    const auto report = slurp(security);
    const std::string head = "Overall exposure level for onair@police-tv.service: ";
    const auto at = report.find(head);
    ASSERT_NE(at, std::string::npos) << report;
    const double level = std::stod(report.substr(at + head.size()));
    EXPECT_LE(level, 2.0) << report;
    RecordProperty("exposure_level", std::to_string(level));
}

TEST(install, lays_out_binary_unit_config_and_playlists) {
    temp_dir dest("install");
    const int rc = run("DESTDIR=" + dest.path.string() + " " ONAIR_CMAKE_COMMAND " --install " +
                       ONAIR_BUILD_DIR + " >" + (dest.path / "log.txt").string() + " 2>&1");
    ASSERT_EQ(rc, 0) << slurp(dest.path / "log.txt");
    auto at = [&](const std::string& absolute) { return fs::path(dest.path.string() + absolute); };
    EXPECT_TRUE(fs::exists(at(ONAIR_INSTALLED_BINARY)));
    const auto unit = slurp(at(ONAIR_INSTALLED_UNIT));
    EXPECT_EQ(unit, slurp(ONAIR_UNIT_FILE));
    EXPECT_EQ(slurp(fs::path(at(ONAIR_INSTALLED_UNIT)).parent_path() / "onair-failure@.service"),
              slurp(ONAIR_FAILURE_UNIT_FILE));
    EXPECT_EQ(slurp(fs::path(at(ONAIR_INSTALLED_UNIT)).parent_path() / "onair@.service"),
              slurp(ONAIR_CHANNEL_UNIT_FILE));
    const auto config = slurp(at(ONAIR_INSTALLED_CONFIG_DIR "/onair.yaml"));
    EXPECT_NE(unit.find("--config " ONAIR_INSTALLED_CONFIG_DIR "/onair.yaml"), std::string::npos);
    EXPECT_NE(config.find("\nstate_dir: /var/lib/onair "), std::string::npos) << config;
    EXPECT_NE(config.find("schedule: playlists/police-tv.yaml"), std::string::npos);
    EXPECT_EQ(config.find("../"), std::string::npos) << config;
    const auto playlist = slurp(at(ONAIR_INSTALLED_CONFIG_DIR "/playlists/police-tv.yaml"));
    EXPECT_NE(playlist.find("file: /srv/onair/media/spots/tip-lo-30.mp4"), std::string::npos);
    EXPECT_EQ(playlist.find("../"), std::string::npos);
}

} // namespace
