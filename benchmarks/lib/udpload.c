// UDP load generator and echo server for benchmarks/udp-vs-nginx.sh. C, not python: at 100-200 k datagrams/s a
// python client would be the bottleneck and the comparison would measure it. One thread, epoll, batched syscalls
// where one socket carries many datagrams (recvmmsg/sendmmsg), so it costs less per datagram than any proxy.
//
//   udpload echo ADDR PORT
//       echo every datagram back to its sender (recvmmsg + sendmmsg, 64 per call).
//   udpload rate ADDR PORT FLOWS SIZE SECONDS INFLIGHT NSRC
//       FLOWS connected sockets (source 127.0.1.1..NSRC, one port each) keep INFLIGHT datagrams of SIZE bytes in
//       flight in total; each echo received sends the next datagram on the next flow in turn, so every flow carries
//       an equal share. The first second is warm-up. Prints "rate dgrams_per_s=.. mbit_per_s=.. unanswered=.. stalls=..", counting
//       echoes received (each one crossed the proxy twice) and payload bits of those echoes.
//   udpload latency ADDR PORT FLOWS SIZE SECONDS DELAY_MS
//       FLOWS flows, each sends one datagram, waits for its echo, waits DELAY_MS, repeats (closed loop, far below
//       saturation). Prints "latency p50_us=.. p99_us=.. samples=.. lost=..".
//   udpload idle ADDR PORT FLOWS NSRC
//       opens FLOWS flows (one datagram and its echo each, resent until answered), prints "open FLOWS", then holds
//       them until stdin closes.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define MAXDGRAM 65536

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what) {
  perror(what);
  exit(1);
}

static struct sockaddr_in addr_of(const char *ip, int port) {
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
  if (inet_pton(AF_INET, ip, &a.sin_addr) != 1) {
    fprintf(stderr, "bad address %s\n", ip);
    exit(2);
  }
  return a;
}

static void raise_nofile(void) {
  struct rlimit r = {1 << 20, 1 << 20};
  if (setrlimit(RLIMIT_NOFILE, &r) != 0) {
    getrlimit(RLIMIT_NOFILE, &r);
    r.rlim_cur = r.rlim_max;
    setrlimit(RLIMIT_NOFILE, &r);
  }
}

// A non-blocking socket bound to 127.0.1.(1 + i % nsrc):0 and connected to dst.
static int open_flow(const struct sockaddr_in *dst, int i, int nsrc) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");
  char ip[32];
  snprintf(ip, sizeof ip, "127.0.1.%d", 1 + i % nsrc);
  struct sockaddr_in src = addr_of(ip, 0);
  if (bind(fd, (struct sockaddr *)&src, sizeof src) != 0) die("bind");
  if (connect(fd, (const struct sockaddr *)dst, sizeof *dst) != 0) die("connect");
  return fd;
}

static _Noreturn void echo(const char *ip, int port) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");
  int big = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
  struct sockaddr_in a = addr_of(ip, port);
  if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0) die("bind");
  static char bufs[BATCH][MAXDGRAM];
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  struct sockaddr_in from[BATCH];
  for (;;) {
    for (int i = 0; i < BATCH; i++) {
      iov[i] = (struct iovec){bufs[i], MAXDGRAM};
      msgs[i].msg_hdr = (struct msghdr){.msg_name = &from[i], .msg_namelen = sizeof from[i], .msg_iov = &iov[i], .msg_iovlen = 1};
    }
    int n = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE, NULL);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("recvmmsg");
    }
    for (int i = 0; i < n; i++) iov[i].iov_len = msgs[i].msg_len;
    for (int off = 0; off < n;) {
      int s = sendmmsg(fd, msgs + off, n - off, 0);
      if (s <= 0) break;  // a full buffer loses the rest, as the wire would
      off += s;
    }
  }
}

static int rate(const char *ip, int port, int flows, int size, double seconds, int inflight, int nsrc) {
  struct sockaddr_in dst = addr_of(ip, port);
  int *fds = calloc(flows, sizeof *fds);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  for (int i = 0; i < flows; i++) {
    fds[i] = open_flow(&dst, i, nsrc);
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = i};
    epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
  }
  char *payload = malloc(size > 0 ? size : 1);
  memset(payload, 'q', size);
  static char rbuf[BATCH][MAXDGRAM];
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  struct mmsghdr out[BATCH];
  struct iovec oiov[BATCH];
  for (int i = 0; i < BATCH; i++) {
    oiov[i] = (struct iovec){payload, size};
    out[i].msg_hdr = (struct msghdr){.msg_iov = &oiov[i], .msg_iovlen = 1};
  }
  int cursor = 0;
  long long sent = 0, got = 0, counted = 0, counted_bytes = 0, lost_resets = 0;
  // send k datagrams, each on the next flow in turn (a run on one flow goes out in one sendmmsg).
#define SEND_NEXT(k)                                                        \
  do {                                                                      \
    int left_ = (k);                                                        \
    while (left_ > 0) {                                                     \
      int fd_ = fds[cursor];                                                \
      int run_ = flows == 1 ? (left_ < BATCH ? left_ : BATCH) : 1;          \
      int s_ = run_ == 1 ? (send(fd_, payload, size, 0) >= 0) : sendmmsg(fd_, out, run_, 0); \
      if (s_ <= 0) s_ = run_; /* dropped by a full buffer: counted as lost by the stall check */ \
      sent += s_;                                                           \
      left_ -= s_;                                                          \
      cursor = (cursor + 1) % flows;                                        \
    }                                                                       \
  } while (0)
  double start = now_s(), warm = start + 1.0, end = warm + seconds, last_reply = start;
  int counting = 0;
  SEND_NEXT(inflight);
  struct epoll_event evs[256];
  for (;;) {
    double t = now_s();
    if (!counting && t >= warm) {
      counting = 1;
      counted = 0;
      counted_bytes = 0;
    }
    if (t >= end) break;
    if (t - last_reply > 0.1) {
      // Nothing came back for 100 ms: datagrams were dropped somewhere; put the window back in flight.
      lost_resets++;
      last_reply = t;
      SEND_NEXT(inflight);
    }
    int n = epoll_wait(ep, evs, 256, 20);
    int replies = 0;
    for (int e = 0; e < n; e++) {
      int fd = fds[evs[e].data.u32];
      for (;;) {
        for (int i = 0; i < BATCH; i++) {
          iov[i] = (struct iovec){rbuf[i], MAXDGRAM};
          msgs[i].msg_hdr = (struct msghdr){.msg_iov = &iov[i], .msg_iovlen = 1};
        }
        int r = recvmmsg(fd, msgs, BATCH, MSG_DONTWAIT, NULL);
        if (r <= 0) break;
        replies += r;
        for (int i = 0; i < r; i++) counted_bytes += msgs[i].msg_len;
        if (r < BATCH) break;
      }
    }
    if (replies > 0) {
      got += replies;
      counted += replies;
      last_reply = now_s();
      SEND_NEXT(replies);
    }
  }
  double span = now_s() - warm;
  // unanswered: sent but not echoed, beyond the window still in flight. A stall re-sends the window, so what was only
  // late (a proxy not scheduled for 100 ms) shows here as well as what was dropped.
  printf("rate dgrams_per_s=%.0f mbit_per_s=%.1f unanswered=%lld stalls=%lld\n", counted / span, counted_bytes * 8 / span / 1e6,
         sent - got - inflight > 0 ? sent - got - inflight : 0, lost_resets);
  return 0;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static int latency(const char *ip, int port, int flows, int size, double seconds, double delay_ms) {
  struct sockaddr_in dst = addr_of(ip, port);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  int *fds = calloc(flows, sizeof *fds);
  double *sent_at = calloc(flows, sizeof *sent_at), *due = calloc(flows, sizeof *due);
  size_t cap = 1 << 20, count = 0;
  double *rtt = malloc(cap * sizeof *rtt);
  char *payload = malloc(size > 0 ? size : 1), buf[MAXDGRAM];
  memset(payload, 'l', size);
  double start = now_s(), end = start + seconds;
  long long lost = 0;
  for (int i = 0; i < flows; i++) {
    fds[i] = open_flow(&dst, i, flows);
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = i};
    epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
    due[i] = start + i * delay_ms / 1000.0 / flows;  // spread the flows over one period
    sent_at[i] = 0;
  }
  struct epoll_event evs[64];
  while (now_s() < end) {
    double t = now_s(), next = end;
    for (int i = 0; i < flows; i++) {
      if (sent_at[i] == 0 && due[i] <= t) {
        sent_at[i] = now_s();
        if (send(fds[i], payload, size, 0) < 0) sent_at[i] = 0, due[i] = t + delay_ms / 1000.0;
      } else if (sent_at[i] != 0 && t - sent_at[i] > 1.0) {
        lost++;  // no echo within 1 s: count it lost, start over
        sent_at[i] = 0;
        due[i] = t;
      }
      double d = sent_at[i] == 0 ? due[i] : sent_at[i] + 1.0;
      if (d < next) next = d;
    }
    int wait_ms = (int)((next - now_s()) * 1000);
    int n = epoll_wait(ep, evs, 64, wait_ms < 0 ? 0 : wait_ms);
    double got_at = now_s();
    for (int e = 0; e < n; e++) {
      int i = evs[e].data.u32;
      while (recv(fds[i], buf, sizeof buf, MSG_DONTWAIT) >= 0) {
        if (sent_at[i] != 0) {
          if (count < cap) rtt[count++] = (got_at - sent_at[i]) * 1e6;
          sent_at[i] = 0;
          due[i] = got_at + delay_ms / 1000.0;
        }
      }
    }
  }
  qsort(rtt, count, sizeof *rtt, cmp_double);
  printf("latency p50_us=%.0f p99_us=%.0f samples=%zu lost=%lld\n", count ? rtt[count / 2] : 0, count ? rtt[count * 99 / 100] : 0, count,
         lost);
  return 0;
}

static int idle(const char *ip, int port, int flows, int nsrc) {
  struct sockaddr_in dst = addr_of(ip, port);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  int *fds = calloc(flows, sizeof *fds);
  char *answered = calloc(flows, 1), buf[2048];
  for (int i = 0; i < flows; i++) {
    fds[i] = open_flow(&dst, i, nsrc);
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = i};
    epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
  }
  int open = 0;
  struct epoll_event evs[256];
  double deadline = now_s() + 60;
  while (open < flows && now_s() < deadline) {
    // (Re)send on unanswered flows, at most 256 at a time, so the proxies' receive queues never overflow.
    int pending = 0;
    for (int i = 0; i < flows && pending < 256; i++)
      if (!answered[i]) {
        send(fds[i], "hold", 4, 0);
        pending++;
      }
    double until = now_s() + 0.2;
    while (now_s() < until && pending > 0) {
      int n = epoll_wait(ep, evs, 256, 20);
      for (int e = 0; e < n; e++) {
        int i = evs[e].data.u32;
        while (recv(fds[i], buf, sizeof buf, MSG_DONTWAIT) >= 0)
          if (!answered[i]) answered[i] = 1, open++, pending--;
      }
    }
  }
  printf("open %d\n", open);
  fflush(stdout);
  while (read(0, buf, sizeof buf) > 0) {
  }
  return 0;
}

int main(int argc, char **argv) {
  raise_nofile();
  if (argc >= 4 && !strcmp(argv[1], "echo")) echo(argv[2], atoi(argv[3]));
  if (argc >= 9 && !strcmp(argv[1], "rate"))
    return rate(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]), atof(argv[6]), atoi(argv[7]), atoi(argv[8]));
  if (argc >= 8 && !strcmp(argv[1], "latency"))
    return latency(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]), atof(argv[6]), atof(argv[7]));
  if (argc >= 6 && !strcmp(argv[1], "idle")) return idle(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
  fprintf(stderr, "usage: see the comment at the top of udpload.c\n");
  return 2;
}
