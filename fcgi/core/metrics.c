#include "metrics.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "master.h"

#define MAX_ROUTES 192
/* the statuses we count by name; anything else falls into "other" */
static const int statuses[] = {200, 201, 202, 204, 301, 302, 304, 400, 401, 402, 403, 404,
                               405, 409, 410, 413, 415, 422, 429, 500, 502, 503, 504};
#define NSTATUS (sizeof(statuses) / sizeof(statuses[0]) + 1)
/* latency bucket bounds in microseconds */
static const int64_t bounds_us[] = {500,   1000,   2500,   5000,   10000,   25000,
                                    50000, 100000, 250000, 500000, 1000000, 2500000};
#define NBUCKETS (sizeof(bounds_us) / sizeof(bounds_us[0]))

typedef struct {
    uint64_t requests[MAX_ROUTES][NSTATUS];
    uint64_t buckets[MAX_ROUTES][NBUCKETS]; /* cumulative rendering happens at read time */
    uint64_t count[MAX_ROUTES];
    uint64_t sum_us[MAX_ROUTES];
    uint64_t db_reconnects;
} slot_t;

typedef struct {
    uint64_t crashed, recycled;
    uint64_t auth_generation;
    slot_t slots[ZM_MASTER_MAX_SLOTS];
} board_t;

static board_t *board;
static slot_t *mine;
static size_t board_routes;

int zm_metrics_init(size_t nroutes)
{
    if (nroutes + 1 > MAX_ROUTES) {
        fprintf(stderr, "metrics: %zu routes, at most %d fit\n", nroutes, MAX_ROUTES - 1);
        return -1;
    }
    board = mmap(NULL, sizeof(board_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (board == MAP_FAILED) {
        board = NULL;
        return -1;
    }
    board_routes = nroutes;
    return 0;
}

void zm_metrics_use_slot(int slot)
{
    mine = board ? &board->slots[slot] : NULL;
}

static size_t status_index(int status)
{
    for (size_t i = 0; i < NSTATUS - 1; i++) {
        if (statuses[i] == status) {
            return i;
        }
    }
    return NSTATUS - 1;
}

void zm_metrics_request(size_t route, int status, int64_t usec)
{
    size_t b;

    if (mine == NULL || route > board_routes) {
        return;
    }
    __atomic_add_fetch(&mine->requests[route][status_index(status)], 1, __ATOMIC_RELAXED);
    for (b = 0; b < NBUCKETS && usec > bounds_us[b]; b++) {
    }
    if (b < NBUCKETS) {
        __atomic_add_fetch(&mine->buckets[route][b], 1, __ATOMIC_RELAXED);
    }
    __atomic_add_fetch(&mine->count[route], 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&mine->sum_us[route], (uint64_t)usec, __ATOMIC_RELAXED);
}

uint64_t *zm_metrics_reconnect_counter(void)
{
    return mine ? &mine->db_reconnects : NULL;
}

void zm_metrics_child_exit(int crashed, int recycled)
{
    if (board == NULL) {
        return;
    }
    if (crashed) {
        __atomic_add_fetch(&board->crashed, 1, __ATOMIC_RELAXED);
    }
    if (recycled) {
        __atomic_add_fetch(&board->recycled, 1, __ATOMIC_RELAXED);
    }
}

uint64_t zm_metrics_auth_generation(void)
{
    return board ? __atomic_load_n(&board->auth_generation, __ATOMIC_ACQUIRE) : 0;
}

void zm_metrics_auth_bump(void)
{
    if (board) {
        __atomic_add_fetch(&board->auth_generation, 1, __ATOMIC_RELEASE);
    }
}

static uint64_t load(const uint64_t *p)
{
    return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static int emit(zm_arena_t *a, zm_buf_t *out, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int emit(zm_arena_t *a, zm_buf_t *out, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n < 0) {
        return -1;
    }
    return zm_buf_append(a, out, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1, 0);
}

static void route_label(const char *const *labels, size_t nroutes, size_t i, char *buf, size_t len)
{
    snprintf(buf, len, "%s", i >= nroutes ? "unmatched" : labels[i]);
}

int zm_metrics_render(zm_arena_t *a, zm_buf_t *out, const char *const *labels, size_t nroutes)
{
    char label[256];

    if (board == NULL) {
        return 0;
    }
    emit(a, out,
         "# HELP zhimai_http_requests_total HTTP requests answered, by route and status.\n"
         "# TYPE zhimai_http_requests_total counter\n");
    for (size_t r = 0; r <= nroutes; r++) {
        route_label(labels, nroutes, r, label, sizeof(label));
        for (size_t s = 0; s < NSTATUS; s++) {
            uint64_t sum = 0;
            for (int k = 0; k < ZM_MASTER_MAX_SLOTS; k++) {
                sum += load(&board->slots[k].requests[r][s]);
            }
            if (sum == 0) {
                continue;
            }
            if (s < NSTATUS - 1) {
                emit(a, out, "zhimai_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n", label, statuses[s],
                     (unsigned long long)sum);
            } else {
                emit(a, out, "zhimai_http_requests_total{route=\"%s\",status=\"other\"} %llu\n", label,
                     (unsigned long long)sum);
            }
        }
    }
    emit(a, out,
         "# HELP zhimai_http_request_duration_seconds Time from accept to the last byte written.\n"
         "# TYPE zhimai_http_request_duration_seconds histogram\n");
    for (size_t r = 0; r <= nroutes; r++) {
        uint64_t count = 0, sum_us = 0, cum = 0;

        for (int k = 0; k < ZM_MASTER_MAX_SLOTS; k++) {
            count += load(&board->slots[k].count[r]);
            sum_us += load(&board->slots[k].sum_us[r]);
        }
        if (count == 0) {
            continue;
        }
        route_label(labels, nroutes, r, label, sizeof(label));
        for (size_t b = 0; b < NBUCKETS; b++) {
            for (int k = 0; k < ZM_MASTER_MAX_SLOTS; k++) {
                cum += load(&board->slots[k].buckets[r][b]);
            }
            emit(a, out, "zhimai_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n", label,
                 (double)bounds_us[b] / 1e6, (unsigned long long)cum);
        }
        emit(a, out, "zhimai_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n", label,
             (unsigned long long)count);
        emit(a, out, "zhimai_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n", label, (double)sum_us / 1e6);
        emit(a, out, "zhimai_http_request_duration_seconds_count{route=\"%s\"} %llu\n", label,
             (unsigned long long)count);
    }
    {
        uint64_t rec = 0;
        for (int k = 0; k < ZM_MASTER_MAX_SLOTS; k++) {
            rec += load(&board->slots[k].db_reconnects);
        }
        emit(a, out,
             "# HELP zhimai_worker_restarts_total Workers replaced: crashed (died unexpectedly) or recycled "
             "(max_requests).\n# TYPE zhimai_worker_restarts_total counter\n"
             "zhimai_worker_restarts_total{reason=\"crashed\"} %llu\n"
             "zhimai_worker_restarts_total{reason=\"recycled\"} %llu\n",
             (unsigned long long)load(&board->crashed), (unsigned long long)load(&board->recycled));
        emit(a, out,
             "# HELP zhimai_db_reconnects_total Database connections re-established after a loss.\n"
             "# TYPE zhimai_db_reconnects_total counter\nzhimai_db_reconnects_total %llu\n",
             (unsigned long long)rec);
    }
    return 0;
}
