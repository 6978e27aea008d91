#include "icecast.hpp"

#include "http.hpp"

#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

namespace onair::test_support {

icecast_server::icecast_server(std::filesystem::path dir, std::string source_password)
    : dir_(std::move(dir)), port_(free_port(SOCK_STREAM)) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::filesystem::permissions(dir_, std::filesystem::perms::all);
    std::ofstream cfg(dir_ / "icecast.xml");
    cfg << "<icecast><limits><sources>4</sources><source-timeout>5</source-timeout></limits>"
           "<authentication><source-password>"
        << source_password
        << "</source-password><admin-user>admin</admin-user>"
           "<admin-password>admin-secret</admin-password></authentication>"
           "<hostname>127.0.0.1</hostname><listen-socket><port>"
        << port_
        << "</port><bind-address>127.0.0.1</bind-address></listen-socket>"
           "<fileserve>1</fileserve><paths><basedir>"
        << dir_.string() << "</basedir><logdir>" << dir_.string()
        << "</logdir><webroot>/usr/share/icecast2/web</webroot>"
           "<adminroot>/usr/share/icecast2/admin</adminroot></paths>"
           "<logging><accesslog>access.log</accesslog><errorlog>error.log</errorlog>"
           "<loglevel>2</loglevel></logging><security><chroot>0</chroot>"
        << (::geteuid() == 0 ? "<changeowner><user>nobody</user><group>nogroup</group>"
                               "</changeowner>"
                             : "")
        << "</security></icecast>\n";
}

icecast_server::~icecast_server() {
    kill();
}

bool icecast_server::start() {
    using namespace std::chrono_literals;
    pid_ = ::fork();
    if (pid_ == 0) {
        const std::string cfg = (dir_ / "icecast.xml").string();
        ::execlp("icecast2", "icecast2", "-c", cfg.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    for (int i = 0; i < 100; ++i) {
        http_request req;
        req.path = "/status-json.xsl";
        req.deadline = 500ms;
        if (http(port_, req).status == 200) {
            return true;
        }
        std::this_thread::sleep_for(20ms);
    }
    return false;
}

void icecast_server::kill() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }
}

bool icecast_server::has_source(const std::string& mount) const {
    http_request req;
    req.path = "/status-json.xsl";
    req.deadline = std::chrono::milliseconds(1000);
    return http(port_, req).body.find(mount) != std::string::npos;
}

} // namespace onair::test_support
