# AgentPlugins: build, test, lint, run, bench. `make help` lists the targets.
SHELL := /bin/bash
DOTNET ?= dotnet
CONFIGURATION ?= Release
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1

.PHONY: help build host test lint format run validate bench-bus bench-agents bench-reload bench-timers bench-validate bench-supervision bench-http bench-dashboard bench-services bench-mcp bench-first-run chaos soak clean

help:
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

# READY_TO_RUN=all precompiles every assembly of bin/host, as builds did before bench/results/first-run.md.
READY_TO_RUN ?=
R2R_FLAGS := $(if $(filter all,$(READY_TO_RUN)),"-p:ReadyToRunAssemblies=*",)

build: ## build everything (tests, bench) and put a runnable bin/host at the repository root
	$(DOTNET) build AgentPlugins.sln -c $(CONFIGURATION) -nologo -v q
	$(MAKE) --no-print-directory host

host: ## only bin/host (what `make run` needs): publishes the host, ReadyToRun for Roslyn and the host's code
	rm -rf bin && mkdir -p bin
	@# ReadyToRun: Roslyn and the host precompiled, so `host validate` and the host's first role compile do not
	@# wait for the JIT (measured: half the CPU of validating one file); the other packages are left to the JIT,
	@# which costs them little and saves crossgen2 minutes on a fresh clone (bench/results/first-run.md).
	$(DOTNET) publish host/AgentPlugins.Host/AgentPlugins.Host.csproj -c $(CONFIGURATION) -o bin/.host -nologo -v q \
		--use-current-runtime --self-contained false -p:PublishReadyToRun=true $(R2R_FLAGS)
	@# Profile-guided JIT is off for every command (host.runtimeconfig.json, from the .csproj): one-shot
	@# commands end before it pays off, and in `run` it re-jits Roslyn after every reload (bench/results/reload.md).
	printf '#!/usr/bin/env bash\nexec "$$(dirname "$$(readlink -f "$$0")")/.host/host" "$$@"\n' > bin/host && chmod +x bin/host

run: host ## run the host on plugins.json (roles/, SQLite under data/, console channel)
	bin/host run

test: build ## run all tests (installs Chromium for the dashboard's browser tests where it is missing)
	tests/setup/install-chromium.sh
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

bench-http: build ## requests/s and p50/p99 over HTTP vs a bare endpoint, SSE fan-out to 1,000 users, idle host memory and start-up; writes bench/results/http.md
	$(DOTNET) run --project bench/AgentPlugins.Bench -c Release --no-build -- http bench/results/http.md

bench-dashboard: build ## dashboard page weight, first roles row, saved file → row updated in a real Chromium; writes bench/results/dashboard.md
	tests/setup/install-chromium.sh
	$(DOTNET) run --project bench/AgentPlugins.Bench -c Release --no-build -- dashboard bench/results/dashboard.md

bench-services: build ## host services from role code vs the same work without the host (context.Store vs raw Microsoft.Data.Sqlite, 1 and 10 roles; context.Http vs a bare HttpClient); writes bench/results/services.md
	$(DOTNET) run --project bench/AgentPlugins.Bench -c Release --no-build -- services bench/results/services.md

bench-mcp: build ## MCP tools/call round trip p50/p99 vs the same tool through POST /api/requests, same run; writes bench/results/mcp.md
	$(DOTNET) run --project bench/AgentPlugins.Bench -c Release --no-build -- mcp bench/results/mcp.md

bench-first-run: ## cold build of a fresh clone (NuGet cache warm) to a working host, before/after ReadyToRun only where it pays, with validate and first-compile times; writes bench/results/first-run.md
	$(DOTNET) build bench/AgentPlugins.Bench -c Release -nologo -v q
	$(DOTNET) run --project bench/AgentPlugins.Bench -c Release --no-build -- first-run bench/results/first-run.md

chaos: build ## kill -9 of bin/host at random points of 200-timer bursts for CHAOS_SECONDS (180); lost/repeated counts in bench/results/chaos.md
	$(DOTNET) run --project bench/AgentPlugins.Bench -c Release --no-build -- chaos bench/results/chaos.md

soak: build ## SOAK_MINUTES (5) of steady requests with timers against bin/host, with and without retention; RSS and data folder each minute in bench/results/soak.md
	$(DOTNET) run --project bench/AgentPlugins.Bench -c Release --no-build -- soak bench/results/soak.md

clean:
	rm -rf bin data tests/results
	$(DOTNET) clean AgentPlugins.sln -nologo -v q
