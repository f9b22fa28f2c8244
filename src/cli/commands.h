/* The command functions, one file each (cmd_NAME.c). */
#ifndef HEAPSCAN_COMMANDS_H
#define HEAPSCAN_COMMANDS_H

int cmd_info(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_goroutines(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_dominators(int argc, char **argv);
int cmd_paths(int argc, char **argv);
int cmd_leaks(int argc, char **argv);
int cmd_trend(int argc, char **argv);
int cmd_collect(int argc, char **argv);

#endif
