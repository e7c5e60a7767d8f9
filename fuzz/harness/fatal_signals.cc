// Catching and passing on fatal signals; see fatal_signals.h.
#include "fuzz/harness/fatal_signals.h"

#include "fuzz/harness/crash_frame.h"

namespace allocfuzz {
namespace {

char g_alt_stack[1 << 16];
void (*g_on_signal)(int, const void*) = nullptr;
bool g_chain = false;
// The handlers that were there before ours, by signal number.
struct sigaction g_previous[NSIG];

void on_fatal_signal(int signal_number, siginfo_t* info, void* context) {
  if (g_on_signal != nullptr) g_on_signal(signal_number, fault_pc_of(context));
  const struct sigaction previous = g_previous[signal_number];
  if (g_chain) {
    if ((previous.sa_flags & SA_SIGINFO) != 0 && previous.sa_sigaction != nullptr) {
      sigaction(signal_number, &previous, nullptr);
      previous.sa_sigaction(signal_number, info, context);
    } else if ((previous.sa_flags & SA_SIGINFO) == 0 && previous.sa_handler != SIG_DFL &&
               previous.sa_handler != SIG_IGN) {
      sigaction(signal_number, &previous, nullptr);
      previous.sa_handler(signal_number);
    }
  }
  // Nobody before us, or it returned: die of the signal.
  std::signal(signal_number, SIG_DFL);
  std::raise(signal_number);
}

}  // namespace

void install_fatal_signal_handlers(const int* signals, int count,
                                   void (*on_signal)(int, const void*), bool chain) {
  warm_up_crash_frames();
  stack_t current{};
  if (sigaltstack(nullptr, &current) == 0 && (current.ss_flags & SS_DISABLE) != 0) {
    stack_t stack{};
    stack.ss_sp = g_alt_stack;
    stack.ss_size = sizeof g_alt_stack;
    sigaltstack(&stack, nullptr);
  }
  g_on_signal = on_signal;
  g_chain = chain;
  struct sigaction action {};
  action.sa_sigaction = on_fatal_signal;
  action.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&action.sa_mask);
  for (int i = 0; i < count; ++i) {
    sigaction(signals[i], &action, &g_previous[signals[i]]);
  }
}

}  // namespace allocfuzz
