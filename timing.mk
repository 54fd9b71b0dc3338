# Real-time and throughput measurements of the delivery engine; the figures
# are in BENCHMARKS.md. Included by the Makefile.
GO ?= go

.PHONY: timing burst load

timing: ## real 10 s waits and timeouts on loopback (about 190 s): deviation of each from 10.000 s
	$(GO) run ./simulator/webhook/internal/loadtest timing

burst: ## burst rate of the engine beside wrk and hey on one loopback receiver (apt-get install -y wrk hey)
	scripts/burst.sh

load: ## N deliveries at once (N=100000) against an always-500 loopback receiver in its own process
	N=$${N:-100000} scripts/load.sh

.PHONY: receiver-rss
receiver-rss: build ## RSS of `hookcheck receiver` after N=500000 POSTs (loopback; BODY_KB pads bodies)
	$(GO) run ./simulator/receiver/internal/rssload -bin $(BIN) -n $${N:-500000} -body-kb $${BODY_KB:-0} $(if $(RECEIVER_ARGS),-args "$(RECEIVER_ARGS)")

.PHONY: serve-api-rss
serve-api-rss: build ## RSS of `hookcheck serve-api` holding N=10000 transcripts and deliveries, and after whole-list calls (loopback)
	$(GO) run ./simulator/api/internal/rssload -bin $(BIN) -n $${N:-10000} -pad $${PAD:-2048} $(if $(SERVE_API_ARGS),-args "$(SERVE_API_ARGS)")
