/* ctypes (C, built with -g): heap blocks typed only by DWARF, for heapscan's
 * type propagation (formats/ctypes.c). A list of N_SESSION struct session
 * hangs from the global g_sessions, each with a malloc'd name (a char
 * buffer); g_config points to one struct config whose rules field points
 * to an array of N_RULE struct rule (one block); g_points holds N_POINT
 * point_t (a typedef of an anonymous struct); g_opaque (void *) points to a
 * block no type reaches. Writes the counts and mallinfo2() as JSON to
 * argv[1], then waits for gcore. Build: gcc -O0 -g ctypes.c -o ctypes */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { N_SESSION = 50, N_RULE = 12, N_POINT = 10, OPAQUE_SIZE = 100 };

struct session {
    struct session *next;
    char *name;
    int id;
    long stats[3];
};

struct rule {
    int action;
    unsigned mask;
};

struct config {
    const char *label; /* a string literal: not on the heap */
    struct rule *rules;
    int n_rules;
};

typedef struct {
    int x, y;
} point_t;

struct session *g_sessions;
struct config *g_config;
point_t *g_points[N_POINT];
void *g_opaque;

int main(int argc, char **argv)
{
    if (argc < 2) return 2;
    for (int i = 0; i < N_SESSION; i++) {
        struct session *s = calloc(1, sizeof *s);
        char buf[32];
        snprintf(buf, sizeof buf, "session-%d", i);
        s->name = strdup(buf);
        s->id = i;
        s->next = g_sessions;
        g_sessions = s;
    }
    g_config = calloc(1, sizeof *g_config);
    g_config->label = "default";
    g_config->rules = calloc(N_RULE, sizeof *g_config->rules);
    g_config->n_rules = N_RULE;
    for (int i = 0; i < N_POINT; i++) {
        g_points[i] = malloc(sizeof *g_points[i]);
        g_points[i]->x = i, g_points[i]->y = -i;
    }
    g_opaque = malloc(OPAQUE_SIZE);
    memset(g_opaque, 0, OPAQUE_SIZE);
    FILE *f = fopen(argv[1], "w");
    if (!f) return 1;
    struct mallinfo2 mi = mallinfo2();
    fprintf(f,
            "{\"pid\": %d, \"sessions\": %d, \"session_names\": %d, \"configs\": 1, "
            "\"rule_arrays\": 1, \"points\": %d, \"untyped\": 1,\n \"mallinfo2\": {\"arena\": %zu, "
            "\"uordblks\": %zu, \"fordblks\": %zu}}\n",
            (int)getpid(), N_SESSION, N_SESSION, N_POINT, mi.arena, mi.uordblks, mi.fordblks);
    fclose(f);
    for (;;) pause();
}
