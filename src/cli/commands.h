/* The command functions, one file each (cmd_NAME.c). */
#ifndef HEAPSCAN_COMMANDS_H
#define HEAPSCAN_COMMANDS_H

int cmd_info(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_goroutines(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_graph(int argc, char **argv);
/* graph on a goroutine dump: a regular file that only the dump reader
 * claims (checked without loading it), drawn as the groups' call tree. */
int hs_cli_is_goroutine_dump(const char *path);
int hs_cli_goroutines_graph(const struct hs_cli_opts *graph_opts);
int cmd_dominators(int argc, char **argv);
int cmd_paths(int argc, char **argv);
int cmd_leaks(int argc, char **argv);
int cmd_trend(int argc, char **argv);
int cmd_collect(int argc, char **argv);

#endif
