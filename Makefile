# The README's two commands: `make reproduce` (the main job) and `make test`. Each first installs
# the Debian packages the build needs when they are missing (as root, or through sudo).
SWIFT ?= swift
DEBIAN_PACKAGES := libopenblas-dev libturbojpeg0-dev libcairo2-dev libdnnl-dev libopenmpi-dev openmpi-bin libcurl4-openssl-dev libarchive-dev libssl-dev pkg-config
# The tests also kill runs at chosen system calls (strace's fault injection).
TEST_PACKAGES := strace
# Package.swift finds the chapters' folders itself: a cached evaluation of it would miss a chapter
# added since, so the manifest is evaluated afresh each time (a second or so).
MANIFEST := --manifest-cache none
# Tests run optimised (they do real numerics) but keep @testable imports working.
TEST_FLAGS := -c release -Xswiftc -enable-testing $(MANIFEST)

.PHONY: deps reproduce scaling test goldens

deps:
	@missing=$$(for p in $(DEBIAN_PACKAGES) $(EXTRA_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:" $$missing; \
		sudo=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing; \
	fi

# Every chapter in the paper's order, then figures/ and paper.md (the reproduce command builds
# the chapters first). The mini preset needs nothing downloaded; REPRODUCE_FLAGS passes options,
# e.g. REPRODUCE_FLAGS="--preset paper --download DIR" (fetches Food-101, CIFAR-10 and the checkpoints into DIR).
reproduce: deps
	$(SWIFT) run -c release $(MANIFEST) reproduce $(REPRODUCE_FLAGS)

# The scaling chapter (training-set size and learning rate), too long for reproduce's default run,
# then figures/ and paper.md again with its section; REPRODUCE_FLAGS as above.
scaling: deps
	$(SWIFT) run -c release $(MANIFEST) reproduce --chapters scaling $(REPRODUCE_FLAGS)

test: EXTRA_PACKAGES = $(TEST_PACKAGES)
test: deps
	$(SWIFT) test $(TEST_FLAGS)

# Regenerates the committed reference outputs (needs Python; see scripts/requirements-goldens.txt).
goldens:
	scripts/make-goldens
