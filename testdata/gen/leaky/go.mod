module heapscan/testdata/leaky

go 1.19
