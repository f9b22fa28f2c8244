module heapscan/testdata/leakservice

go 1.19
