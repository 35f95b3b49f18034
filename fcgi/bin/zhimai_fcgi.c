/*
 * zhimai-fcgi -- the FastCGI application server.
 *
 *   zhimai-fcgi [-c CONFIG]        run (foreground; the master forks the workers)
 *   zhimai-fcgi --config-example   print the documented configuration
 *   zhimai-fcgi --routes           print every module's routes: METHOD PATTERN AUTH BODY, a line each
 *                                  (BODY: "json" when the route takes only JSON, else "-")
 *   zhimai-fcgi [-c CONFIG] --get KEY   print one key's value (file, environment and
 *                                  defaults applied): how scripts read the configuration
 */
#include <stdio.h>
#include <string.h>

#include "router.h"

#include "conf.h"
#include "modules.h"
#include "server.h"

int main(int argc, char **argv)
{
    const char *conf = NULL, *get = NULL;
    char err[512];

    if (zm_conf_register(zm_modules, err, sizeof(err)) != 0) {
        fprintf(stderr, "zhimai-fcgi: %s\n", err);
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
            conf = argv[++i];
        } else if (strcmp(argv[i], "--config-example") == 0) {
            zm_conf_write_example(stdout);
            return 0;
        } else if (strcmp(argv[i], "--routes") == 0) {
            static const char *const auth[] = {"none", "user", "hr", "admin", "loopback"};
            for (size_t m = 0; zm_modules[m] != NULL; m++) {
                for (size_t k = 0; k < zm_modules[m]->nroutes; k++) {
                    const zm_route_t *rt = &zm_modules[m]->routes[k];
                    printf("%s %s %s %s\n", rt->method, rt->pattern, auth[rt->auth],
                           rt->body == ZM_BODY_JSON ? "json" : "-");
                }
            }
            return 0;
        } else if (strcmp(argv[i], "--get") == 0 && i + 1 < argc) {
            get = argv[++i];
        } else {
            fprintf(stderr, "usage: zhimai-fcgi [-c CONFIG] [--get KEY] | --config-example | --routes\n");
            return 2;
        }
    }
    if (get) {
        if (zm_conf_load(conf, err, sizeof(err)) != 0) {
            fprintf(stderr, "zhimai-fcgi: %s\n", err);
            return 1;
        }
        printf("%s\n", zm_conf_str(get));
        return 0;
    }
    return zm_server_main(conf, zm_modules);
}
