# report-check: render a sample report in headless Chromium and fail on an
# empty render. Included by the main Makefile (`-include report.mk`).
GO               ?= go
REPORT_CHECK_DIR ?= $(CURDIR)/hookcheck-report/sample
CHROMIUM         ?= chromium

.PHONY: report-check
report-check: ## render sample reports headless to PNG (installs Debian's chromium if missing and run as root); fails on an empty render
	@command -v $(CHROMIUM) >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update && apt-get install -y chromium; \
	  else echo "report-check needs Chromium: install Debian's chromium (apt-get install chromium) or set CHROMIUM=path"; exit 2; fi; }
	rm -rf $(REPORT_CHECK_DIR) && mkdir -p $(REPORT_CHECK_DIR)
	$(GO) test -count=1 -run '^TestWriteSample$$' ./reports/internal/sample -sample=$(REPORT_CHECK_DIR)
	@set -e; for run in default burst1000; do \
	  profile=$$(mktemp -d); \
	  $(CHROMIUM) --headless --no-sandbox --disable-gpu --disable-background-networking \
	    --disable-component-update --disable-sync --no-first-run --user-data-dir=$$profile \
	    --screenshot=$(REPORT_CHECK_DIR)/$$run.png --window-size=1280,2000 \
	    file://$(REPORT_CHECK_DIR)/$$run/report.html >$(REPORT_CHECK_DIR)/$$run.chromium.log 2>&1 \
	    || { rm -rf $$profile; cat $(REPORT_CHECK_DIR)/$$run.chromium.log; exit 1; }; \
	  rm -rf $$profile; \
	  $(GO) run ./reports/internal/pngcheck $(REPORT_CHECK_DIR)/$$run.png; \
	done
	@echo "screenshots: $(REPORT_CHECK_DIR)/default.png $(REPORT_CHECK_DIR)/burst1000.png"
