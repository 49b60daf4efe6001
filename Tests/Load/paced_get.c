// Open-loop (paced) load for GET /v1/records/{id}: requests are scheduled at a fixed rate, spread
// round-robin over keep-alive connections, and each latency is measured from the request's
// *scheduled* send time to the end of its response. A connection still busy when its next request
// is due sends it late, and the wait counts in that request's latency (no coordinated omission,
// as in wrk2). Complements wrk, which measures a closed loop at saturation.
//
//   cc -O2 -o /tmp/paced_get Tests/Load/paced_get.c
//   TOKEN=... /tmp/paced_get PORT IDS_FILE RATE SECONDS [CONNECTIONS]
//
// Prints the achieved rate, non-200 answers, and latency percentiles in milliseconds.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct {
    int fd;
    long sent;          // requests this connection has sent
    int busy;           // waiting for a response
    double scheduled;   // scheduled time of the request in flight
    char buf[1 << 20];
    size_t have;
} Conn;

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: TOKEN=... paced_get PORT IDS_FILE RATE SECONDS [CONNECTIONS]\n");
        return 2;
    }
    int port = atoi(argv[1]);
    double rate = atof(argv[3]), seconds = atof(argv[4]);
    int conns = argc > 5 ? atoi(argv[5]) : 8;
    const char *token = getenv("TOKEN");
    if (!token) { fprintf(stderr, "TOKEN is not set\n"); return 2; }

    FILE *f = fopen(argv[2], "r");
    if (!f) { perror("ids file"); return 2; }
    char **ids = NULL; size_t nids = 0, cap = 0; char line[512];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!*line) continue;
        if (nids == cap) { cap = cap ? cap * 2 : 1024; ids = realloc(ids, cap * sizeof *ids); }
        ids[nids++] = strdup(line);
    }
    fclose(f);
    if (!nids) { fprintf(stderr, "no ids\n"); return 2; }

    long total = (long)(rate * seconds);
    double *lat = malloc(sizeof(double) * (total + 1));
    long done = 0, bad = 0;
    Conn *c = calloc(conns, sizeof(Conn));
    int ep = epoll_create1(0);
    for (int i = 0; i < conns; i++) {
        c[i].fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
        inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
        if (connect(c[i].fd, (struct sockaddr *)&a, sizeof a) != 0) { perror("connect"); return 1; }
        int one = 1;
        setsockopt(c[i].fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct epoll_event ev = { .events = EPOLLIN, .data.u32 = i };
        epoll_ctl(ep, EPOLL_CTL_ADD, c[i].fd, &ev);
    }
    srand(12345);
    double start = now_ms() + 50, interval = 1000.0 / rate;
    char req[1024];
    while (done < total) {
        double t = now_ms(), next = 1e300;
        for (int i = 0; i < conns; i++) {
            long k = c[i].sent * conns + i;   // global index of this connection's next request
            if (k >= total) continue;
            double due = start + k * interval;
            if (!c[i].busy && due <= t) {
                int n = snprintf(req, sizeof req, "GET /v1/records/%s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n\r\n",
                                 ids[rand() % nids], token);
                if (send(c[i].fd, req, n, 0) != n) { perror("send"); return 1; }
                c[i].busy = 1; c[i].scheduled = due; c[i].sent++;
            } else if (!c[i].busy && due < next) {
                next = due;
            }
        }
        int timeout = next == 1e300 ? 100 : (int)(next - now_ms());
        if (timeout < 0) timeout = 0;
        struct epoll_event evs[64];
        int n = epoll_wait(ep, evs, 64, timeout);
        for (int e = 0; e < n; e++) {
            Conn *x = &c[evs[e].data.u32];
            ssize_t r = recv(x->fd, x->buf + x->have, sizeof x->buf - x->have, 0);
            if (r <= 0) { fprintf(stderr, "connection closed by the server\n"); return 1; }
            x->have += r;
            for (;;) {   // complete responses in the buffer
                char *end = memmem(x->buf, x->have, "\r\n\r\n", 4);
                if (!end) break;
                size_t head = end + 4 - x->buf, length = 0;
                char *cl = memmem(x->buf, head, "Content-Length:", 15);
                if (!cl) cl = memmem(x->buf, head, "content-length:", 15);
                if (cl) length = strtoul(cl + 15, NULL, 10);
                if (x->have < head + length) break;
                if (strncmp(x->buf, "HTTP/1.1 200", 12) != 0) bad++;
                lat[done++] = now_ms() - x->scheduled;
                x->busy = 0;
                memmove(x->buf, x->buf + head + length, x->have - head - length);
                x->have -= head + length;
            }
        }
    }
    double elapsed = (now_ms() - start) / 1000.0;
    qsort(lat, done, sizeof(double), compare);
    printf("requests %ld in %.2f s = %.0f/s (target %.0f/s), non-200 %ld\n", done, elapsed, done / elapsed, rate, bad);
    printf("latency ms: p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f\n",
           lat[done / 2], lat[done * 9 / 10], lat[done * 99 / 100], lat[done * 999 / 1000], lat[done - 1]);
    return 0;
}
