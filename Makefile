# The README's two commands: `make reproduce` (the main job) and `make test`. Each first installs
# the Debian packages the build needs when they are missing (as root, or through sudo).
SWIFT ?= swift
DEBIAN_PACKAGES := libopenblas-dev libturbojpeg0-dev libcairo2-dev pkg-config
# Tests run optimised (they do real numerics) but keep @testable imports working.
TEST_FLAGS := -c release -Xswiftc -enable-testing

.PHONY: deps reproduce test goldens

deps:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:" $$missing; \
		sudo=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing; \
	fi

# Until the chapters land, the main job runs vitclip end to end on the real Food-101 sample with
# the random-weight fixture checkpoints (the pipeline, not a result).
SAMPLE := ../shared/data/food101-sample/images
reproduce: deps
	$(SWIFT) build -c release --product vitclip
	.build/release/vitclip zero-shot --checkpoint Tests/Fixtures/models/clip \
		--label "apple pie" --label "baklava" --label "beef tartare" --label "bibimbap" \
		$(SAMPLE)/apple_pie/1011328.jpg $(SAMPLE)/baklava/1028777.jpg $(SAMPLE)/bibimbap/1001113.jpg
	.build/release/vitclip classify --checkpoint Tests/Fixtures/models/vit $(SAMPLE)/beef_tartare/101073.jpg

test: deps
	$(SWIFT) test $(TEST_FLAGS)

# Regenerates the committed reference outputs (needs Python; see scripts/requirements-goldens.txt).
goldens:
	scripts/make-goldens
