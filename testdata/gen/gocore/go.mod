module gocore

go 1.19
