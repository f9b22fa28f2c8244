/* heapscan: umbrella header of libheapscan. */
#ifndef HEAPSCAN_H
#define HEAPSCAN_H

#include "heapscan/error.h"
#include "heapscan/heap.h"
#include "heapscan/profile.h"
#include "heapscan/reader.h"
#include "heapscan/source.h"
#include "heapscan/strtab.h"

#endif
