package main

// Built only with cgo (CGO_ENABLED=1): a 4000-byte malloc'd block (a
// 4016-byte glibc chunk) held by the Go global main.cbuf, so that the core
// has both heaps and a pointer from Go's data into C's.

// #include <stdlib.h>
// static void *cblock(void) { return malloc(4000); }
import "C"

var cbuf = C.cblock()
