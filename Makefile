# paddock's build. `make demo` and `make test` work on a fresh Debian machine:
# they install what is missing (make deps), build Unicorn 2.1.4 from the C
# source inside the pinned Go module, and link paddock statically against it.

GO       ?= go
BUILD    := build
UNICORN_MOD := github.com/unicorn-engine/unicorn
UNICORN  := $(BUILD)/unicorn
UNICORN_LIB := $(UNICORN)/libunicorn.a
UNICORN_PATCHES := $(sort $(wildcard third_party/unicorn/patches/*.patch))
GOFLAGS_BUILD := -tags static
PADDOCK  := $(BUILD)/paddock
GO_SOURCES := $(shell find . -name '*.go' -not -path './build/*') go.mod go.sum $(wildcard emu/cpu/*.c emu/cpu/*.h)

# Debian packages the build, the tests, the demo and the benchmarks use.
DEB_PACKAGES := cmake gcc make musl-tools e2fsprogs busybox-static qemu-user strace gdb xz-utils

export CGO_ENABLED := 1
# The go command does not hash the libunicorn.a it links, only its own
# inputs and the cgo flags; naming the library's recipe (the pinned module
# and the patches) in the flags makes a rebuilt library relink paddock.
UNICORN_VERSION := $(shell awk '$$1 == "$(UNICORN_MOD)" {print $$2}' go.mod)
UNICORN_ID := $(shell (echo $(UNICORN_VERSION); cat $(UNICORN_PATCHES)) | sha256sum | cut -c1-16)
export CGO_CFLAGS := -O2 -g -DPADDOCK_UNICORN_ID=$(UNICORN_ID)

.PHONY: all deps unicorn paddock guests test flaky demo bench vet clean FORCE

all: paddock

deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$missing; \
	fi

unicorn: $(UNICORN_LIB)

# The stamp holds the pinned Unicorn module's version and changes only when
# it does, so that other edits of go.mod leave the library alone.
UNICORN_STAMP := $(BUILD)/unicorn-version
$(UNICORN_STAMP): FORCE
	@mkdir -p $(BUILD); echo "$(UNICORN_VERSION)" | cmp -s - $@ || echo "$(UNICORN_VERSION)" > $@

# The pinned module ships Unicorn's C source; build it for x86 only, with
# paddock's patches (third_party/unicorn/patches) applied to a copy.
$(UNICORN_LIB): $(UNICORN_STAMP) $(UNICORN_PATCHES)
	@command -v cmake >/dev/null || { echo "cmake is missing: run 'make deps'"; exit 1; }
	rm -rf $(UNICORN) $(BUILD)/unicorn-src $(BUILD)/unicorn-build
	mkdir -p $(UNICORN) $(BUILD)/unicorn-build
	src=$$($(GO) mod download -json $(UNICORN_MOD) | awk -F'"' '$$2 == "Dir" {print $$4}'); \
	test -d "$$src" || { echo "cannot download $(UNICORN_MOD)"; exit 1; }; \
	cp -r "$$src" $(BUILD)/unicorn-src && chmod -R u+w $(BUILD)/unicorn-src
	for p in $(UNICORN_PATCHES); do patch -d $(BUILD)/unicorn-src -p1 --quiet < $$p || exit 1; done
	cd $(BUILD)/unicorn-build && cmake ../unicorn-src -DCMAKE_BUILD_TYPE=Release \
		-DUNICORN_ARCH=x86 -DUNICORN_BUILD_TESTS=OFF -DBUILD_SHARED_LIBS=OFF \
		-DUNICORN_LEGACY_STATIC_ARCHIVE=ON -DUNICORN_INSTALL=OFF >cmake.log
	$(MAKE) -C $(BUILD)/unicorn-build -j$$(nproc) unicorn_archive >$(BUILD)/unicorn-build/make.log
	cp -r $(BUILD)/unicorn-src/include $(UNICORN)/include
	cp $(BUILD)/unicorn-build/libunicorn.a $(UNICORN_LIB)

paddock: $(PADDOCK)

$(PADDOCK): $(UNICORN_LIB) $(GO_SOURCES)
	$(GO) build $(GOFLAGS_BUILD) -o $@ ./cmd/paddock

# Guest programs for the differential tests, built with musl-gcc, static and
# dynamic.
GUEST_SRC := $(wildcard testdata/guest/*.c)
GUEST_STATIC := $(patsubst testdata/guest/%.c,$(BUILD)/guest/static/%,$(GUEST_SRC))
GUEST_DYNAMIC := $(patsubst testdata/guest/%.c,$(BUILD)/guest/dynamic/%,$(GUEST_SRC))
GUEST_GLIBC := $(patsubst testdata/guest/%.c,$(BUILD)/guest/glibc/%,$(GUEST_SRC))
GUEST_CFLAGS := -O1 -g -Wall -Wno-unused-result -D_GNU_SOURCE

# Programs that only ever run under paddock (a fork bomb must not run on
# the host), static.
CONFINED_SRC := $(wildcard testdata/confined/*.c)
CONFINED := $(patsubst testdata/confined/%.c,$(BUILD)/confined/%,$(CONFINED_SRC))

guests: $(GUEST_STATIC) $(GUEST_DYNAMIC) $(GUEST_GLIBC) $(CONFINED)

$(BUILD)/confined/%: testdata/confined/%.c testdata/guest/guest.h
	@mkdir -p $(@D)
	musl-gcc $(GUEST_CFLAGS) -Itestdata/guest -static -o $@ $< -lm

$(BUILD)/guest/static/%: testdata/guest/%.c testdata/guest/guest.h
	@mkdir -p $(@D)
	musl-gcc $(GUEST_CFLAGS) -static -o $@ $< -lm

$(BUILD)/guest/dynamic/%: testdata/guest/%.c testdata/guest/guest.h
	@mkdir -p $(@D)
	musl-gcc $(GUEST_CFLAGS) -o $@ $< -lm

# The same programs linked dynamically against glibc, for glibc's
# ld-linux-x86-64.so.2.
$(BUILD)/guest/glibc/%: testdata/guest/%.c testdata/guest/guest.h
	@mkdir -p $(@D)
	gcc $(GUEST_CFLAGS) -o $@ $< -lm

vet: $(UNICORN_LIB)
	@unformatted=$$(gofmt -l $$($(GO) list -f '{{.Dir}}' ./...)); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet $(GOFLAGS_BUILD) ./...

# Debian's sqlite3 and make with their libraries, for the tests that run
# real Debian programs.
DEB_ROOT := $(BUILD)/deb-root

$(DEB_ROOT): scripts/mkdebroot.sh
	sh scripts/mkdebroot.sh $@

test: deps $(PADDOCK) guests vet $(DEB_ROOT)
	$(GO) test $(GOFLAGS_BUILD) -count=1 -timeout 25m ./...

# Runs the tests N times with a busy loop beside them and counts each
# test's failures: RUN=REGEXP picks tests, PKGS packages.
N    ?= 5
RUN  ?=
PKGS ?= ./...

flaky: deps $(PADDOCK) guests vet $(DEB_ROOT)
	$(GO) run ./scripts/flaky -n $(N) -run '$(RUN)' $(PKGS)

# The demo runs a short session in a root built from Debian's busybox-static
# and a few of the test programs; it needs no network.
DEMO_ROOT := $(BUILD)/demo-root

demo: deps $(PADDOCK) guests
	sh scripts/mkroot.sh $(DEMO_ROOT) $(BUILD)/guest
	sh scripts/demo.sh $(PADDOCK) $(DEMO_ROOT)

bench: deps $(PADDOCK) guests
	sh bench/run.sh $(PADDOCK) $(BENCHFLAGS)

clean:
	rm -rf $(BUILD)
