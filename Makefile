.PHONY: demo test install bench
demo: install
	scripts/demo.sh
test: install
	scripts/test.sh
install:
	scripts/install.sh
bench:
	cargo run --release -p mde-library-admin --example bench
