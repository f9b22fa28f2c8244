module heapscan/testdata/goleak

go 1.19
