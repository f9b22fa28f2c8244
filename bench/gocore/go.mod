module gocorebench

go 1.19
