/* The command functions, one file each (cmd_NAME.c). */
#ifndef HEAPSCAN_COMMANDS_H
#define HEAPSCAN_COMMANDS_H

#endif
