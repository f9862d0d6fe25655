module paddock

go 1.26.0

require github.com/unicorn-engine/unicorn v0.0.0-20250911131444-c24c9ebe773c

require golang.org/x/sys v0.50.0 // indirect
