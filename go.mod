module paddock

go 1.26.0

require (
	github.com/google/pprof v0.0.0-20261105003125-4bf881d7fb0b
	github.com/unicorn-engine/unicorn v0.0.0-20250911131444-c24c9ebe773c
	golang.org/x/arch v0.33.0
	golang.org/x/sys v0.50.0
)
