/*
 * conf.c -- the configuration: the modules' typed keys, checked when they
 * are registered and every value checked when it is loaded.  See conf.h.
 */
#include "conf.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "zm.h"

#define CONF_MAX_KEYS 512

typedef struct {
    const zm_conf_key_t *k;
    char *val;   /* as loaded; NULL before the first load (the default applies) */
    int64_t num; /* INT, OCTAL, BOOL: the parsed value */
} conf_slot_t;

/* Keys that were removed, not renamed silently: a deployment that relied on one is told
 * what replaced it instead of finding its setting ignored. */
static const struct {
    const char *key, *instead;
} removed_keys[] = {
    {"http.trusted_proxies", "the app no longer reads X-Real-IP; list load balancers in nginx.real_ip_from"},
    {"db.rw_timeout", "set db.read_timeout and db.write_timeout"},
};

static conf_slot_t slots[CONF_MAX_KEYS]; /* sorted by name, for bsearch */
static size_t nslots;
static const zm_module_t *const *conf_modules;
static char *conf_file;

static int slot_cmp(const void *a, const void *b)
{
    return strcmp(((const conf_slot_t *)a)->k->key, ((const conf_slot_t *)b)->k->key);
}

static conf_slot_t *slot_find(const char *key)
{
    size_t lo = 0, hi = nslots;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(slots[mid].k->key, key);
        if (c == 0) {
            return &slots[mid];
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

/* Strict integer in base (10 or 8): all of s, no sign for octal, no overflow. */
static int parse_int(const char *s, int base, int64_t *out)
{
    char *end;
    long long x;

    if (*s == '\0' || isspace((unsigned char)*s) || (base == 8 && (*s == '-' || *s == '+'))) {
        return -1;
    }
    errno = 0;
    x = strtoll(s, &end, base);
    if (errno != 0 || *end != '\0') {
        return -1;
    }
    *out = x;
    return 0;
}

static int parse_bool(const char *s, int64_t *out)
{
    static const char *const yes[] = {"1", "true", "yes", "on"};
    static const char *const no[] = {"0", "false", "no", "off"};

    for (size_t i = 0; i < ZM_ARRAY_LEN(yes); i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = 1;
            return 0;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = 0;
            return 0;
        }
    }
    return -1;
}

static int in_choices(const char *choices, const char *s)
{
    size_t n = strlen(s);

    for (const char *p = choices; p && *p;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && memcmp(p, s, n) == 0) {
            return 1;
        }
        p = bar ? bar + 1 : NULL;
    }
    return 0;
}

/* Check v against k: 0 with *num set, or -1 with the reason in why. */
static int check_value(const zm_conf_key_t *k, const char *v, int64_t *num, char *why, size_t whylen)
{
    *num = 0;
    switch (k->type) {
    case ZM_CONF_STR:
        if (k->max > 0 && strlen(v) > (size_t)k->max) {
            snprintf(why, whylen, "at most %lld bytes", (long long)k->max);
            return -1;
        }
        return 0;
    case ZM_CONF_INT:
    case ZM_CONF_OCTAL:
        if (parse_int(v, k->type == ZM_CONF_OCTAL ? 8 : 10, num) != 0 || *num < k->min || *num > k->max) {
            if (k->type == ZM_CONF_OCTAL) {
                snprintf(why, whylen, "must be an octal mode from %llo to %llo", (long long)k->min, (long long)k->max);
            } else {
                snprintf(why, whylen, "must be an integer from %lld to %lld", (long long)k->min, (long long)k->max);
            }
            return -1;
        }
        return 0;
    case ZM_CONF_BOOL:
        if (parse_bool(v, num) != 0) {
            snprintf(why, whylen, "must be 1 or 0 (true/false, yes/no, on/off)");
            return -1;
        }
        return 0;
    case ZM_CONF_ENUM:
        if (!in_choices(k->choices, v)) {
            snprintf(why, whylen, "must be one of %s", k->choices);
            return -1;
        }
        return 0;
    case ZM_CONF_NUMBER: {
        char *end;
        double d;

        if (*v == '\0') {
            return 0; /* unset: the consumer's own default */
        }
        errno = 0;
        d = strtod(v, &end);
        if (errno != 0 || *end != '\0' || !isfinite(d) || d < (double)k->min || d > (double)k->max) {
            snprintf(why, whylen, "must be a number from %lld to %lld, or empty", (long long)k->min, (long long)k->max);
            return -1;
        }
        return 0;
    }
    }
    snprintf(why, whylen, "has an unknown type");
    return -1;
}

static int key_well_formed(const char *key)
{
    if (key == NULL || !islower((unsigned char)key[0])) {
        return 0;
    }
    for (const char *p = key; *p; p++) {
        if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '_' && *p != '.') {
            return 0;
        }
    }
    return 1;
}

int zm_conf_register(const zm_module_t *const *modules, char *err, size_t errlen)
{
    conf_slot_t next[CONF_MAX_KEYS];
    size_t n = 0;
    char why[160];
    int64_t num;

    for (size_t m = 0; modules[m] != NULL; m++) {
        for (size_t i = 0; i < modules[m]->nconf; i++) {
            const zm_conf_key_t *k = &modules[m]->conf[i];

            if (n == CONF_MAX_KEYS) {
                snprintf(err, errlen, "more than %d configuration keys", CONF_MAX_KEYS);
                return ZM_EINVAL;
            }
            if (!key_well_formed(k->key) || k->def == NULL || k->doc == NULL || strncmp(k->doc, "# ", 2) != 0) {
                snprintf(err, errlen, "module %s: key '%s' needs a lower-case name, a default and a '# ' doc line",
                         modules[m]->name, k->key ? k->key : "(null)");
                return ZM_EINVAL;
            }
            if (check_value(k, k->def, &num, why, sizeof(why)) != 0) {
                snprintf(err, errlen, "module %s: the default of %s %s", modules[m]->name, k->key, why);
                return ZM_EINVAL;
            }
            next[n].k = k;
            next[n].val = NULL;
            next[n].num = num;
            n++;
        }
    }
    qsort(next, n, sizeof(next[0]), slot_cmp);
    for (size_t i = 1; i < n; i++) {
        if (strcmp(next[i - 1].k->key, next[i].k->key) == 0) {
            snprintf(err, errlen, "configuration key %s is declared twice", next[i].k->key);
            return ZM_EINVAL;
        }
    }
    for (size_t i = 0; i < nslots; i++) {
        free(slots[i].val);
    }
    memcpy(slots, next, n * sizeof(next[0]));
    nslots = n;
    conf_modules = modules;
    return ZM_OK;
}

static char *trim(char *s)
{
    char *e;

    while (isspace((unsigned char)*s)) {
        s++;
    }
    e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1])) {
        *--e = '\0';
    }
    return s;
}

static void env_name(const char *key, char *out, size_t outlen)
{
    size_t n = 0;

    n += (size_t)snprintf(out, outlen, "ZM_");
    for (const char *k = key; *k && n + 1 < outlen; k++) {
        out[n++] = *k == '.' ? '_' : (char)toupper((unsigned char)*k);
    }
    out[n] = '\0';
}

int zm_conf_load(const char *path, char *err, size_t errlen)
{
    char *vals[CONF_MAX_KEYS];
    int64_t nums[CONF_MAX_KEYS];
    FILE *f = NULL;
    char line[4096], why[160];
    int lineno = 0;

    for (size_t i = 0; i < nslots; i++) {
        vals[i] = NULL;
    }
    if (path != NULL) {
        f = fopen(path, "r");
        if (f == NULL) {
            snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
            return ZM_ERR;
        }
        while (fgets(line, sizeof(line), f)) {
            conf_slot_t *s;
            char *eq, *k, *v;
            int64_t num;

            lineno++;
            if (strchr(line, '\n') == NULL && !feof(f)) {
                snprintf(err, errlen, "%s:%d: line longer than %zu bytes", path, lineno, sizeof(line) - 2);
                goto fail;
            }
            k = trim(line);
            if (*k == '#' || *k == '\0') {
                continue;
            }
            eq = strchr(k, '=');
            if (eq == NULL) {
                snprintf(err, errlen, "%s:%d: expected key = value", path, lineno);
                goto fail;
            }
            *eq = '\0';
            k = trim(k);
            v = trim(eq + 1);
            s = slot_find(k);
            for (size_t i = 0; s == NULL && i < ZM_ARRAY_LEN(removed_keys); i++) {
                if (strcmp(k, removed_keys[i].key) == 0) {
                    snprintf(err, errlen, "%s:%d: %s was removed: %s", path, lineno, k, removed_keys[i].instead);
                    goto fail;
                }
            }
            if (s == NULL) {
                snprintf(err, errlen, "%s:%d: unknown key '%s'", path, lineno, k);
                goto fail;
            }
            if (check_value(s->k, v, &num, why, sizeof(why)) != 0) {
                snprintf(err, errlen, "%s:%d: %s %s", path, lineno, k, why);
                goto fail;
            }
            free(vals[s - slots]);
            vals[s - slots] = zm_xstrdup(v);
        }
        fclose(f);
        f = NULL;
    }
    for (size_t i = 0; i < nslots; i++) {
        char name[128];
        const char *e;

        env_name(slots[i].k->key, name, sizeof(name));
        e = getenv(name);
        if (e != NULL) {
            if (check_value(slots[i].k, e, &nums[i], why, sizeof(why)) != 0) {
                snprintf(err, errlen, "environment %s: %s %s", name, slots[i].k->key, why);
                goto fail;
            }
            free(vals[i]);
            vals[i] = zm_xstrdup(e);
        }
        if (vals[i] == NULL) {
            vals[i] = zm_xstrdup(slots[i].k->def);
        }
        /* checked above (file, environment) or at registration (default) */
        check_value(slots[i].k, vals[i], &nums[i], why, sizeof(why));
    }
    for (size_t i = 0; i < nslots; i++) {
        free(slots[i].val);
        slots[i].val = vals[i];
        slots[i].num = nums[i];
    }
    free(conf_file);
    conf_file = zm_xstrdup(path);
    return ZM_OK;

fail:
    if (f) {
        fclose(f);
    }
    for (size_t i = 0; i < nslots; i++) {
        free(vals[i]);
    }
    return ZM_ERR;
}

static conf_slot_t *slot_get(const char *key)
{
    conf_slot_t *s = slot_find(key);

    if (s == NULL) {
        fprintf(stderr, "BUG: configuration key '%s' is declared by no module\n", key);
        abort();
    }
    return s;
}

const char *zm_conf_str(const char *key)
{
    conf_slot_t *s = slot_get(key);

    return s->val ? s->val : s->k->def;
}

int64_t zm_conf_int(const char *key)
{
    conf_slot_t *s = slot_get(key);

    if (s->k->type == ZM_CONF_INT || s->k->type == ZM_CONF_OCTAL || s->k->type == ZM_CONF_BOOL) {
        return s->num;
    }
    return strtoll(s->val ? s->val : s->k->def, NULL, 10);
}

int zm_conf_bool(const char *key)
{
    conf_slot_t *s = slot_get(key);
    int64_t b = 0;

    if (s->k->type == ZM_CONF_BOOL) {
        return (int)s->num;
    }
    return parse_bool(s->val ? s->val : s->k->def, &b) == 0 && b;
}

const char *zm_conf_path(void)
{
    return conf_file;
}

void zm_conf_write_example(FILE *f)
{
    fprintf(f, "# Zhimai configuration.  Every key, its default and what it does.\n"
               "# Environment variables ZM_<KEY> (dots as underscores, upper case) override this file.\n"
               "# Relative paths are relative to the directory the programs start in.\n");
    for (size_t m = 0; conf_modules && conf_modules[m] != NULL; m++) {
        const char *prev = NULL;
        size_t prev_len = 0;

        for (size_t i = 0; i < conf_modules[m]->nconf; i++) {
            const zm_conf_key_t *k = &conf_modules[m]->conf[i];
            const char *dot = strchr(k->key, '.');
            size_t glen = dot ? (size_t)(dot - k->key) : 0;

            /* a blank line before each group of keys sharing a prefix */
            if (prev == NULL || glen != prev_len || strncmp(prev, k->key, glen) != 0) {
                fprintf(f, "\n");
            }
            prev = k->key;
            prev_len = glen;
            fprintf(f, "%s\n%s = %s\n", k->doc, k->key, k->def);
        }
    }
}
