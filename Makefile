.PHONY: demo test install bench
demo: install
	scripts/demo.sh
test: install
	scripts/test.sh
install:
	scripts/install.sh
bench: install
	scripts/bench.sh
