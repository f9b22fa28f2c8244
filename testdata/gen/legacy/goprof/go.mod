module heapscan/legacy/goprof

go 1.19
