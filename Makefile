# AgentPlugins: build, test, lint, run, bench. `make help` lists the targets.
SHELL := /bin/bash
DOTNET ?= dotnet
CONFIGURATION ?= Release
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1

.PHONY: help build host test lint format run validate bench-bus bench-agents bench-reload bench-timers bench-validate bench-supervision bench-http bench-dashboard bench-services bench-mcp bench-first-run bench-scale-out chaos soak clean

help:
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

# ReadyToRun code for bin/host (Roslyn and the host's own assemblies: what `host validate` and a first role
# compile run; bench/results/first-run.md). READY_TO_RUN selects when it is made:
#   (empty)     `make host`/`make run`: bin/host is published for the JIT at once, runnable; the ReadyToRun
#               publish follows in the background (nice 19, log in bin/.r2r.log) and bin/host uses it from
#               the next start. `make build` (tests, benches) makes it in the foreground, as `now`.
#   now         in the foreground, before bin/host exists.
#   all         in the foreground, every assembly, as builds did before bench/results/first-run.md.
READY_TO_RUN ?=
R2R_FLAGS := $(if $(filter all,$(READY_TO_RUN)),"-p:ReadyToRunAssemblies=*",)
R2R_WHEN := $(if $(filter now all,$(READY_TO_RUN)),now,background)
HOST_PUBLISH := $(DOTNET) publish host/AgentPlugins.Host/AgentPlugins.Host.csproj -c $(CONFIGURATION) -nologo -v q --use-current-runtime --self-contained false
# Analyzers check code, they add nothing to bin/host: a host-only build skips them (a third of its compile CPU);
# `make build` and `make lint` run them. ANALYZERS=on keeps them in `make host` too.
ANALYZERS ?=
HOST_FLAGS := $(if $(filter on,$(ANALYZERS)),,-p:RunAnalyzers=false)

build: ## build everything (tests, bench) and put a runnable bin/host at the repository root
	$(DOTNET) build AgentPlugins.sln -c $(CONFIGURATION) -nologo -v q
	$(MAKE) --no-print-directory host READY_TO_RUN=$(if $(READY_TO_RUN),$(READY_TO_RUN),now) ANALYZERS=on

host: ## only bin/host (what `make run` needs): the host for the JIT at once, its ReadyToRun code in the background (READY_TO_RUN=now waits)
	@# A ReadyToRun publish still running from the last `make host` goes first: it reads what this one rebuilds.
	@if [ -f bin/.r2r.pid ]; then kill -- -"$$(cat bin/.r2r.pid)" 2>/dev/null || true; fi
	rm -rf bin && mkdir -p bin
	$(HOST_PUBLISH) -o bin/.host $(HOST_FLAGS) $(if $(filter now,$(R2R_WHEN)),-p:PublishReadyToRun=true $(R2R_FLAGS),)
	@# Profile-guided JIT is off for every command (host.runtimeconfig.json, from the .csproj): one-shot
	@# commands end before it pays off, and in `run` it re-jits Roslyn after every reload (bench/results/reload.md).
	@# bin/host starts the ReadyToRun publish once it is complete (it appears in one rename), else the JIT one.
	printf '#!/usr/bin/env bash\nhere="$$(dirname "$$(readlink -f "$$0")")"\nif [ -x "$$here/.host-r2r/host" ]; then exec "$$here/.host-r2r/host" "$$@"; fi\nexec "$$here/.host/host" "$$@"\n' > bin/host && chmod +x bin/host
ifeq ($(R2R_WHEN),background)
	@# Crossgen2 of Roslyn is most of a cold build's CPU: it runs after bin/host exists, at the lowest priority,
	@# in a process group of its own (the next `make host` stops it), from the build just made (--no-build).
	MSBUILDDISABLENODEREUSE=1 setsid nice -n 19 sh -c '$(HOST_PUBLISH) --no-build $(HOST_FLAGS) -p:PublishReadyToRun=true -o bin/.host-r2r.partial && mv bin/.host-r2r.partial bin/.host-r2r && echo "ReadyToRun bin/host ready: used from the next start."; echo "CPU (shell; the publish):"; times; rm -f bin/.r2r.pid' > bin/.r2r.log 2>&1 & echo $$! > bin/.r2r.pid
	@echo "bin/host is ready (JIT); its ReadyToRun build continues in the background (bin/.r2r.log) and is used from the next start."
endif

run: host ## run the host on plugins.json (roles/, SQLite under data/, console channel)
	bin/host run

test: build ## run all tests (installs Chromium for the dashboard's browser tests and PostgreSQL for the scale-out tests where they are missing)
	tests/setup/install-chromium.sh
	tests/setup/install-postgresql.sh
	$(DOTNET) test AgentPlugins.sln -c $(CONFIGURATION) --no-build -nologo --logger "trx;LogFilePrefix=results" --results-directory tests/results

lint: ## formatting and analyzers, warnings as errors
	$(DOTNET) format AgentPlugins.sln --verify-no-changes --severity warn
	$(DOTNET) build AgentPlugins.sln -c $(CONFIGURATION) -nologo -v q --no-incremental -warnaserror

format: ## fix formatting
	$(DOTNET) format AgentPlugins.sln --severity warn

validate: host ## check the roles folder the way the host loads it (docs/rules.md)
	bin/host validate

bench-bus: build ## events/s and latency through the loop and bus; writes bench/results/bus.md
	$(DOTNET) run --project bench/AgentPlugins.Bench -c Release --no-build -- bus bench/results/bus.md

bench-agents: build ## host overhead per request with a zero-latency scripted model; writes bench/results/agents.md
	$(DOTNET) run --project bench/AgentPlugins.Bench -c Release --no-build -- agents bench/results/agents.md

bench-reload: build ## save-to-handled latency, leaks and memory over 1,000 reloads, start-up with 50 roles, vs rebuild+restart, compiled plugin rebuild to live; writes bench/results/reload.md
	$(DOTNET) run --project bench/AgentPlugins.Bench -c Release --no-build -- reload bench/results/reload.md

bench-timers: build ## timer firing lateness, scheduling 100,000, restart with 10,000 pending; writes bench/results/timers.md
	$(DOTNET) run --project bench/AgentPlugins.Bench -c Release --no-build -- timers bench/results/timers.md

bench-supervision: build ## a spinning role: hard limit, exit 70, scripted restart, answering again (1 and 50 roles); crash-journal cost per role call; writes bench/results/supervision.md
	$(DOTNET) run --project bench/AgentPlugins.Bench -c Release --no-build -- supervision bench/results/supervision.md

bench-validate: build ## wall time of bin/host validate over 1, 10, 100 role files vs dotnet build; writes bench/results/validate.md
	$(DOTNET) run --project bench/AgentPlugins.Bench -c Release --no-build -- validate bench/results/validate.md

# Profile-guided JIT off, as bin/host runs (its runtimeconfig): the bench composes that host in its own process.
bench-http: build ## requests/s and p50/p99 over HTTP vs a bare endpoint, SSE fan-out to 1,000 users, idle host memory and start-up (HTTP_ONLY=requests: the requests alone); writes bench/results/http.md
	DOTNET_TieredPGO=0 $(DOTNET) run --project bench/AgentPlugins.Bench -c Release --no-build -- http bench/results/http.md

bench-dashboard: build ## dashboard page weight, first roles row, saved file → row updated in a real Chromium; writes bench/results/dashboard.md
	tests/setup/install-chromium.sh
	$(DOTNET) run --project bench/AgentPlugins.Bench -c Release --no-build -- dashboard bench/results/dashboard.md

bench-services: build ## host services from role code vs the same work without the host (context.Store vs raw Microsoft.Data.Sqlite, 1 and 10 roles; context.Http vs a bare HttpClient); writes bench/results/services.md
	$(DOTNET) run --project bench/AgentPlugins.Bench -c Release --no-build -- services bench/results/services.md

bench-mcp: build ## MCP tools/call round trip p50/p99 vs the same tool through POST /api/requests, same run; writes bench/results/mcp.md
	$(DOTNET) run --project bench/AgentPlugins.Bench -c Release --no-build -- mcp bench/results/mcp.md

bench-first-run: ## cold build of a fresh clone (NuGet cache warm) to a first answer: before issue 14, last session's make host, today's (JIT first, ReadyToRun in the background); build CPU, validate and first-compile times; writes bench/results/first-run.md
	$(DOTNET) build bench/AgentPlugins.Bench -c Release -nologo -v q
	$(DOTNET) run --project bench/AgentPlugins.Bench -c Release --no-build -- first-run bench/results/first-run.md

bench-scale-out: build ## timers fired on PostgreSQL by 1 and 3 real hosts vs 1 host on SQLite: lateness p99 at 1,000 due/s and timers/s (SCALE_OUT_ROUNDS, 3); starts its own PostgreSQL (tests/setup/install-postgresql.sh); writes bench/results/scale-out.md
	tests/setup/install-postgresql.sh
	$(DOTNET) run --project bench/AgentPlugins.Bench -c Release --no-build -- scale-out bench/results/scale-out.md

chaos: build ## kill -9 of bin/host at random points of 200-timer bursts for CHAOS_SECONDS (180); lost/repeated counts in bench/results/chaos.md
	$(DOTNET) run --project bench/AgentPlugins.Bench -c Release --no-build -- chaos bench/results/chaos.md

soak: build ## SOAK_MINUTES (5) of steady requests with timers against bin/host, with and without retention; RSS and data folder each minute in bench/results/soak.md
	$(DOTNET) run --project bench/AgentPlugins.Bench -c Release --no-build -- soak bench/results/soak.md

clean:
	rm -rf bin data tests/results
	$(DOTNET) clean AgentPlugins.sln -nologo -v q
