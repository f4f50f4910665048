#include "child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace ariadne::e2e {
namespace {

std::vector<std::string> ChildEnvironment(const ChildProcessSpec& spec) {
  std::vector<std::string> out;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string variable(*entry);
    const std::string name = variable.substr(0, variable.find('='));
    bool keep = true;
    for (const std::string& prefix : spec.drop_environment_prefixes) {
      keep = keep && !name.starts_with(prefix);
    }
    for (const auto& [set_name, value] : spec.environment) keep = keep && name != set_name;
    if (keep) out.push_back(variable);
  }
  for (const auto& [name, value] : spec.environment) {
    std::string entry = name;
    entry += '=';
    entry += value;
    out.push_back(std::move(entry));
  }
  return out;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (std::string& text : strings) out.push_back(text.data());
  out.push_back(nullptr);
  return out;
}

// Waits for `pid` to end, at most `timeout`; kills it after that. Fills exit_code / timed_out.
void AwaitChild(pid_t pid, std::chrono::milliseconds timeout, ChildProcessResult& result) {
  // glibc 2.36's <sys/pidfd.h> lacks extern "C", so the system call is made directly.
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd >= 0) {
    pollfd ready{pidfd, POLLIN, 0};
    const int polled = poll(&ready, 1, static_cast<int>(timeout.count()));
    close(pidfd);
    if (polled == 0) {
      result.timed_out = true;
      kill(pid, SIGKILL);
    }
  }
  // Without a pidfd (old kernels) this simply blocks until the child ends.
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
}

}  // namespace

ChildProcessResult RunChildProcess(const ChildProcessSpec& spec) {
  ChildProcessResult result;
  char output_path[] = "/tmp/ariadne-e2e-output-XXXXXX";
  const int output_fd = mkstemp(output_path);
  if (output_fd < 0) {
    result.error = std::string("mkstemp: ") + std::strerror(errno);
    return result;
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, output_fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, output_fd, STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, output_fd);
  if (!spec.working_directory.empty()) {
    posix_spawn_file_actions_addchdir_np(&actions, spec.working_directory.c_str());
  }
  std::vector<std::string> argv_strings = spec.argv;
  std::vector<std::string> env_strings = ChildEnvironment(spec);
  std::vector<char*> argv = Pointers(argv_strings);
  std::vector<char*> envp = Pointers(env_strings);

  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(output_fd);
  if (spawned != 0) {
    result.error = "cannot start " + spec.argv[0] + ": " + std::strerror(spawned);
  } else {
    result.started = true;
    AwaitChild(pid, spec.timeout, result);
  }

  std::ifstream output(output_path, std::ios::binary);
  std::stringstream text;
  text << output.rdbuf();
  result.output = text.str();
  unlink(output_path);
  return result;
}

}  // namespace ariadne::e2e
