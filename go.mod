module paddock

go 1.26.3

require (
	github.com/google/pprof v0.0.0-20261105003125-4bf881d7fb0b
	github.com/unicorn-engine/unicorn v0.0.0-20250911131444-c24c9ebe773c
	golang.org/x/arch v0.33.0
	golang.org/x/sys v0.50.0
	gvisor.dev/gvisor v0.0.0-20260905035102-160fafc42237
)

require (
	github.com/google/btree v1.1.2 // indirect
	golang.org/x/exp v0.0.0-20250711185948-6ae5c78190dc // indirect
	golang.org/x/time v0.15.0 // indirect
)
