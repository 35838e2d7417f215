# AgentPlugins in a container. docs/service.md: build, run, exit codes, health.
#   docker build -t agentplugins .
#   docker run -d --restart=on-failure -v agentplugins-data:/data -v "$PWD/roles:/app/roles" agentplugins

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY .editorconfig Directory.Build.props Directory.Packages.props AgentPlugins.sln ./
COPY sdk/AgentPlugins.Sdk/AgentPlugins.Sdk.csproj sdk/AgentPlugins.Sdk/
COPY host/AgentPlugins.Host/AgentPlugins.Host.csproj host/AgentPlugins.Host/
RUN dotnet restore host/AgentPlugins.Host/AgentPlugins.Host.csproj
COPY sdk/ sdk/
COPY host/ host/
RUN dotnet publish host/AgentPlugins.Host/AgentPlugins.Host.csproj -c Release -o /out \
        --use-current-runtime --self-contained false -p:PublishReadyToRun=true

# Roles are compiled at run time against the runtime's own assemblies: the runtime image is enough.
FROM mcr.microsoft.com/dotnet/runtime:10.0
WORKDIR /app
COPY --from=build /out/ /app/bin/
COPY plugins.json /app/plugins.json
COPY roles/ /app/roles/
# The image's non-root user; /data holds the SQLite files, compile cache, crash journal and quarantine list.
RUN mkdir -p /data && chown "$APP_UID" /data
USER $APP_UID
VOLUME ["/data"]
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# SIGTERM drains the loop (up to 10 s; exit 71 if it cannot): give docker stop more than that.
STOPSIGNAL SIGTERM
# Healthy while the loop turns: a role call that holds it stops the heartbeat (the host itself ends
# at loop:hardLimit with exit code 70, and --restart=on-failure brings it back without that role).
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=2 \
    CMD ["/app/bin/host", "roles", "--health", "--config", "/app/plugins.json", "--data", "/data"]
ENTRYPOINT ["/app/bin/host", "run", "--config", "/app/plugins.json", "--data", "/data"]
