module heapscan/testdata/gen/heapdump

go 1.19
